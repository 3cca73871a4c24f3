import { MemorySnapshotStore } from '../../src/adapters/evidence/memory-snapshot-store';
import { ACCESS_AT_PAGE_SIZE, accessAtMessage, HOLDINGS_PAGE_SIZE, historyMessage, LIMITS } from '../../src/adapters/slack/blocks';
import { parseHistoryQuery } from '../../src/adapters/slack/jobs';
import type { PersonHistory } from '../../src/app/evidence';
import type { AccessRecord } from '../../src/domain/evidence/access-records';
import { accessAt } from '../../src/domain/evidence/snapshot';
import type { AccessRow, HoldingSpan, SnapshotHeader } from '../../src/domain/evidence/snapshot';
import { createDummyBlockAction, createDummyCommand } from '../fakes/slack-requests';
import { AUDITOR, startHarness, type Harness } from './harness';

type IamRecord = Extract<AccessRecord, { kind: 'iam-user' }>;

const createDummyIamRecord = (overrides: Partial<IamRecord> = {}): IamRecord => ({
  kind: 'iam-user',
  account: '111111111111',
  userName: 'alice',
  person: { employeeId: 'E1', email: 'alice@example.com' },
  denyAll: false,
  detailKnown: true,
  credentialsKnown: true,
  paths: [{ kind: 'console' }, { kind: 'access-key', id: 'AKIAALICE00000000001' }, { kind: 'group', name: 'developers' }],
  ...overrides,
});

const alice = createDummyIamRecord();
const aliceRevoked = createDummyIamRecord({ denyAll: true, paths: [{ kind: 'group', name: 'developers' }] });
const bob = createDummyIamRecord({ userName: 'bob', person: { employeeId: 'E2', email: 'bob@example.com' }, paths: [{ kind: 'access-key', id: 'AKIABOB0000000000001' }, { kind: 'group', name: 'developers' }] });
/** A principal no roster person owns. */
const unowned = (overrides: Partial<IamRecord>): IamRecord => {
  const { person: _person, ...rest } = createDummyIamRecord(overrides);
  return rest;
};
const ghost = unowned({ userName: 'ghost', paths: [{ kind: 'access-key', id: 'AKIAGHOST00000000001' }] });
/** 25 principals in another account, so `/access at … account 222222222222` needs two pages. */
const crowd = Array.from({ length: 25 }, (_, i) =>
  unowned({ account: '222222222222', userName: `svc-${String(i).padStart(2, '0')}`, paths: [{ kind: 'managed-policy', name: 'ReadOnlyAccess' }] }),
);

interface Reply {
  text: string;
  replace_original?: boolean;
  blocks?: { type: string; text?: { text: string }; elements?: { value?: string; action_id?: string; text?: string }[] }[];
}

describe('Slack /access history and /access at over access snapshots', () => {
  let h: Harness;
  let store: MemorySnapshotStore;

  beforeAll(async () => {
    store = new MemorySnapshotStore();
    await store.save({ runId: 'run-1', at: '2026-10-01T10:00:00.000Z', records: [alice, bob, ghost] });
    await store.save({ runId: 'run-2', at: '2026-10-02T10:00:00.000Z', records: [alice, bob, ghost, ...crowd] });
    await store.save({ runId: 'run-3', at: '2026-10-03T10:00:00.000Z', records: [aliceRevoked, bob, ghost, ...crowd] });
    h = await startHarness({ snapshots: store });
    await h.audit.append({ runId: 'run-3', actor: 'system', action: 'attach-deny-all', account: '111111111111', target: 'alice', person: 'alice@example.com', result: 'ok' });
  });

  afterAll(async () => {
    await h.close();
  });

  const reply = (id: string): Reply | undefined => h.slack.responsesTo(id).at(-1)?.args as Reply | undefined;
  const text = (id: string): string => JSON.stringify(reply(id)?.blocks ?? reply(id)?.text ?? '');
  const ask = async (query: string, id: string): Promise<void> => {
    await h.send(createDummyCommand({ command: '/access', text: query, user_id: AUDITOR, response_url: h.slack.responseUrl(id) }));
  };

  it('shows what a person held over time above their audit trail, with when each holding ended', async () => {
    await ask('history alice@example.com', 'alice');
    const blocks = reply('alice')?.blocks ?? [];
    const held = blocks.map((b) => b.text?.text ?? '').find((t) => t.startsWith('*What they held*')) ?? '';
    const lines = held.split('\n').slice(1);

    expect(held).toContain('snapshots 2026-10-01 10:00 UTC to 2026-10-03 10:00 UTC');
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes('access key AKIAALICE00000000001'))).toContain('seen 2026-10-01 10:00 UTC → 2026-10-02 10:00 UTC, gone by 2026-10-03 10:00 UTC');
    expect(lines.find((l) => l.includes('console password'))).toContain('gone by 2026-10-03 10:00 UTC');
    expect(lines.find((l) => l.startsWith(':unlock:'))).toContain('could get in');
    expect(lines.find((l) => l.includes('group developers'))).toContain('in the latest snapshot');
    expect(lines.every((l) => l.includes('`111111111111/alice`'))).toBe(true);
    // The audit trail follows, and nothing of bob's is in alice's history.
    expect(text('alice')).toContain('attach-deny-all');
    expect(text('alice')).not.toContain('bob');
    const audited = (await h.audit.query({})).find((e) => e.action === 'slack.access.history' && e.target === 'alice@example.com');
    expect(audited?.after).toEqual({ entries: 1, holdings: 4 });
  });

  it('keeps the audit trail alone for an IAM user name (snapshots attribute access to people)', async () => {
    await ask('history alice', 'iam');
    expect(text('iam')).toContain('attach-deny-all');
    expect(text('iam')).not.toContain('What they held');
  });

  it('answers who could get in at the end of a day, narrowed by group', async () => {
    await ask('at 2026-10-02 group developers', 'at-group');
    const message = reply('at-group');

    expect(message?.text).toContain('2 of 2 could get in');
    expect(text('at-group')).toContain('end of 2026-10-02 (UTC)');
    expect(text('at-group')).toContain('Snapshot #2 of `run-2`');
    expect(text('at-group')).toContain(':unlock: `111111111111/alice` alice@example.com (E1)');
    expect(text('at-group')).toContain('`111111111111/bob`');
    expect(text('at-group')).not.toContain('ghost');
    const audited = (await h.audit.query({})).find((e) => e.action === 'slack.access.at');
    // The end of the day asked about: the first instant of the next day in the config's zone.
    expect(audited?.target).toBe('2026-10-03T00:00:00.000Z group developers');
    expect(audited?.after).toEqual({ snapshot: 2, rows: 2, couldGetIn: 2 });
  });

  it('shows a revoked person as unable to get in, and why', async () => {
    await ask('at 2026-10-03T12:00:00Z person <mailto:Alice@Example.com|Alice@Example.com>', 'at-person');
    expect(reply('at-person')?.text).toContain('0 of 1 could get in');
    expect(text('at-person')).toContain(':lock: `111111111111/alice`');
    expect(text('at-person')).toContain('deny-all attached');
    expect(text('at-person')).toContain('Snapshot #3');
  });

  it('pages a long answer with the same Newer/Older buttons as history', async () => {
    await ask('at 2026-10-02 account 222222222222', 'at-crowd');
    const first = reply('at-crowd');
    const older = first?.blocks?.find((b) => b.type === 'actions')?.elements?.find((e) => e.action_id === 'warden_history_page_older');
    await h.send(createDummyBlockAction({ user: AUDITOR, actionId: 'warden_history_page_older', value: older?.value ?? '', responseUrl: h.slack.responseUrl('at-crowd') }));
    const second = reply('at-crowd');

    const principals = [first, second].flatMap((m) => JSON.stringify(m?.blocks).match(/222222222222\/svc-\d\d/g) ?? []);
    expect(first?.text).toContain('page 1 of 2');
    expect(second?.text).toContain('page 2 of 2');
    expect(second?.replace_original).toBe(true);
    expect(new Set(principals).size).toBe(25);
    expect(principals).toHaveLength(25);
    expect((await h.audit.query({})).filter((e) => e.action === 'slack.access.at' && e.target?.includes('222222222222'))).toHaveLength(1);
  });

  it('says when no snapshot was in force yet, and explains malformed questions', async () => {
    await ask('at 2026-09-01', 'before');
    await ask('at yesterday', 'bad-date');
    await ask('at 2026-10-02 colour blue', 'bad-filter');
    const bare = await h.send(createDummyCommand({ command: '/access', text: 'at', user_id: AUDITOR, response_url: h.slack.responseUrl('bare') }));

    expect(text('before')).toContain('No snapshot had been taken by end of 2026-09-01 (UTC); the first is from 2026-10-01 10:00 UTC');
    expect(reply('bad-date')?.text).toContain('"yesterday" is not a date');
    expect(reply('bad-filter')?.text).toContain('narrow with');
    expect(JSON.stringify(bare.json)).toContain('/access at');
    expect(h.slack.responsesTo('bare')).toHaveLength(0);
  });
});

describe('Slack /access without a snapshot store', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('says point-in-time access is not kept here, and history is the audit trail alone', async () => {
    await h.send(createDummyCommand({ command: '/access', text: 'at 2026-10-02', user_id: AUDITOR, response_url: h.slack.responseUrl('at') }));
    await h.send(createDummyCommand({ command: '/access', text: 'history alice@example.com', user_id: AUDITOR, response_url: h.slack.responseUrl('hist') }));

    expect(JSON.stringify(h.slack.responsesTo('at')[0]?.args)).toContain('not available here');
    expect(JSON.stringify(h.slack.responsesTo('hist')[0]?.args)).toContain('Access history: alice@example.com');
    expect(JSON.stringify(h.slack.responsesTo('hist')[0]?.args)).not.toContain('What they held');
  });
});

describe('point-in-time and holdings blocks (pure)', () => {
  const header = (seq: number, at: string): SnapshotHeader => ({ seq, runId: `run-${seq}`, at, digest: 'd'.repeat(64), recordCount: 50 });

  it('parses /access at questions', () => {
    expect(parseHistoryQuery('at 2026-10-02')).toEqual({ kind: 'at', at: '2026-10-02', filter: {}, filterText: '' });
    expect(parseHistoryQuery('AT 2026-10-02T10:00:00+02:00 group developers account 111111111111')).toEqual({
      kind: 'at',
      at: '2026-10-02T10:00:00+02:00',
      filter: { group: 'developers', account: '111111111111' },
      filterText: 'account 111111111111, group developers',
    });
    expect(parseHistoryQuery('at 2026-10-02 person <mailto:Bob@Example.com|Bob@Example.com>')).toMatchObject({ filter: { person: 'bob@example.com' } });
    expect(parseHistoryQuery('at 2026-10-02 host')).toMatchObject({ kind: 'invalid' });
    expect(parseHistoryQuery('at 2026-10-02 group <!channel>')).toMatchObject({ kind: 'invalid', problem: expect.stringContaining('&lt;!channel&gt;') });
    // Not a point-in-time question: an IAM user called "at".
    expect(parseHistoryQuery('at')).toEqual({ kind: 'iam-user', userName: 'at' });
  });

  it('pages many holdings within Slack limits, each shown once', () => {
    const record = createDummyIamRecord({ paths: [] });
    const holdings: HoldingSpan[] = Array.from({ length: 40 }, (_, i) => ({
      key: 'iam/111111111111/alice',
      record,
      held: { kind: 'group', name: `group-${String(i).padStart(2, '0')}-${'<x>'.repeat(100)}` },
      description: `group group-${String(i).padStart(2, '0')}-${'<x>'.repeat(100)}`,
      firstSeen: '2026-10-01T10:00:00.000Z',
      lastSeen: '2026-10-02T10:00:00.000Z',
      goneBy: '2026-10-03T10:00:00.000Z',
    }));
    const history: PersonHistory = { person: 'alice@example.com', holdings, firstSnapshot: header(1, '2026-10-01T10:00:00.000Z'), lastSnapshot: header(3, '2026-10-03T10:00:00.000Z') };
    const pages = Math.ceil(40 / HOLDINGS_PAGE_SIZE);

    const messages = Array.from({ length: pages }, (_, p) => historyMessage('alice@example.com', [], { q: 'alice@example.com', p }, 'UTC', history));
    const seen = messages.flatMap((m) => JSON.stringify(m.blocks).match(/group-\d\d/g) ?? []);

    expect(messages[0]?.text).toContain(`page 1 of ${pages}`);
    expect(new Set(seen).size).toBe(40);
    expect(seen).toHaveLength(40);
    for (const m of messages) {
      expect(m.blocks?.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
      const sectionLengths = (m.blocks ?? []).filter((b) => b.type === 'section').map((b) => (b as { text: { text: string } }).text.text.length);
      expect(Math.max(...sectionLengths)).toBeLessThanOrEqual(LIMITS.sectionText);
      expect(JSON.stringify(m.blocks)).not.toContain('<x>');
    }
  });

  it('pages a point-in-time answer, those who could get in first', () => {
    const records: AccessRecord[] = Array.from({ length: ACCESS_AT_PAGE_SIZE * 2 + 5 }, (_, i) =>
      createDummyIamRecord({ userName: `user-${String(i).padStart(2, '0')}`, denyAll: i % 2 === 0 }),
    );
    const rows: AccessRow[] = accessAt(records);
    const result = { snapshot: header(7, '2026-10-02T10:00:00.000Z'), rows };
    const asked = { at: new Date('2026-10-03T00:00:00.000Z'), filter: '' };

    const messages = [0, 1, 2].map((p) => accessAtMessage(asked, result, { q: 'at 2026-10-02', p }, 'UTC'));
    const principals = messages.flatMap((m) => JSON.stringify(m.blocks).match(/111111111111\/user-\d\d/g) ?? []);

    expect(new Set(principals).size).toBe(records.length);
    expect(principals).toHaveLength(records.length);
    expect(JSON.stringify(messages[0]?.blocks).indexOf(':lock:')).toBe(-1);
    expect(messages[0]?.text).toContain(`${rows.filter((r) => r.canGetIn).length} of ${records.length} could get in (page 1 of 3)`);
    for (const m of messages) expect(m.blocks?.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
  });

  it("shows an Identity Center leaver's paths, and says \"not recorded\" only for a snapshot without them where Identity Center is configured", () => {
    const icUser: AccessRecord = {
      kind: 'ic-user',
      account: 'd-1234567890',
      userId: 'u-1',
      userName: 'bob@example.com',
      person: { employeeId: 'E2', email: 'bob@example.com' },
      paths: [
        { kind: 'ic-group', groupId: 'g-1', name: 'Engineers' },
        { kind: 'ic-permission-set', name: 'Admin', arn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-a', accounts: ['111111111111'] },
        { kind: 'ic-session-deny', permissionSet: 'Admin', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-a', inForce: true },
      ],
    };
    const asked = { at: new Date('2026-10-03T00:00:00.000Z'), filter: '' };
    const recorded = accessAtMessage(asked, { snapshot: header(8, '2026-10-02T10:00:00.000Z'), rows: accessAt([icUser]), identityCenter: 'recorded' }, { q: 'at 2026-10-02', p: 0 }, 'UTC', true);
    const shown = JSON.stringify(recorded.blocks);
    expect(shown).toContain(':lock: `Identity Center d-1234567890/bob@example.com`');
    expect(shown).toContain('Identity Center group Engineers');
    expect(shown).toContain("Warden's Deny in permission set Admin");
    expect(shown).not.toContain('not recorded');

    const old = { snapshot: header(1, '2026-10-01T10:00:00.000Z'), rows: accessAt([alice]), identityCenter: 'not-recorded' as const };
    expect(JSON.stringify(accessAtMessage(asked, old, { q: 'at 2026-10-01', p: 0 }, 'UTC', true).blocks)).toContain('Identity Center: not recorded in this snapshot');
    expect(JSON.stringify(accessAtMessage(asked, old, { q: 'at 2026-10-01', p: 0 }, 'UTC', false).blocks)).not.toContain('Identity Center');
  });
});
