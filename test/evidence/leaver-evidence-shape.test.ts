import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { formatAuditPerson } from '../../src/domain/audit-chain';
import { buildLeaverReport, categoriesOf, parseAuditPerson, summarise } from '../../src/domain/evidence/leavers';
import type { AuditEntry, NewAuditEntry } from '../../src/ports';
import { createTestClock } from '../contract/audit-log.contract';
import { ACCOUNT, AuditScript, HOUR, createDummyPersonRef, reportOptions } from './builders';

/*
 * The leaver report field by field: which keys exist on a path, a user and a leaver in each state (an auditor's
 * tooling reads the JSON, where a stray `closedAt` on a failed path or an `error` on a verified user is a wrong
 * statement), how entries are keyed (per account, per user, per person), and the sources of "no access left".
 * Written against the mutants that survived the earlier suites (docs/mutation.md, leavers.ts).
 */

const bob = createDummyPersonRef();
const OTHER_ACCOUNT = '444455556666';

const options = reportOptions;

/** Appends raw entries (any account, any person text) to a real hash-chained log. */
class RawLog {
  readonly clock = createTestClock('2026-11-20T01:00:00.000Z');
  readonly log = new MemoryAuditLog({ clock: this.clock });

  append(entry: Partial<NewAuditEntry> & Pick<NewAuditEntry, 'action'>): Promise<AuditEntry> {
    this.clock.advance(60_000);
    return this.log.append({ runId: 'run-1', actor: 'system', result: 'ok', ...entry } as NewAuditEntry);
  }

  leaver(person: string, after: Record<string, unknown> | null = { effectiveAt: '2026-11-20T00:00:00.000Z', accounts: [ACCOUNT] }): Promise<AuditEntry> {
    return this.append({ action: 'leaver.revocation', person, reason: 'departed', after: after as Record<string, unknown> });
  }

  act(person: string, kind: NewAuditEntry['action'], target: string, account: string, result: 'intent' | 'ok' | 'failed', before?: Record<string, unknown>): Promise<AuditEntry> {
    return this.append({ action: kind, person, reason: 'departed', target, account, result, ...(before !== undefined ? { before } : {}) });
  }

  verify(person: string, target: string, account: string, result: 'verified' | 'failed', after: Record<string, unknown>, error?: string): Promise<AuditEntry> {
    return this.append({ action: 'verify', person, reason: 'departed', target, account, result, after, ...(error !== undefined ? { error } : {}) });
  }

  entries(): Promise<readonly AuditEntry[]> {
    return this.log.query({});
  }
}

const BOB = formatAuditPerson(bob);

describe('reading the person of an audit entry', () => {
  it('keeps the case only for the exact `email (id)` form, with any run of spaces before the bracket', () => {
    expect(parseAuditPerson('Bob@Example.com   (E2x)')).toEqual({ email: 'Bob@Example.com', employeeId: 'E2x' });
    expect(parseAuditPerson('\tBob@Example.com\t(E2x)')).toEqual({ email: 'Bob@Example.com', employeeId: 'E2x' });
  });

  it('anything before the email or after the bracket is not the exact form: the lower-cased keys are used', () => {
    expect(parseAuditPerson('HR Bob@Example.com (E2x)')).toEqual({ email: 'bob@example.com' });
    expect(parseAuditPerson('Bob@Example.com (E2x) extra')).toEqual({ email: 'bob@example.com' });
    expect(parseAuditPerson('Bob@Example.com (E2x)  ')).toEqual({ email: 'Bob@Example.com', employeeId: 'E2x' });
  });
});

describe('whose leaver entry is whose', () => {
  it('one person whose email HR corrected stays one leaver: the employee id is the key', async () => {
    const raw = new RawLog();
    await raw.leaver('old@example.com (E2)');
    await raw.leaver('bob@example.com (E2)');
    const report = buildLeaverReport(await raw.entries(), options());
    expect(report.leavers.map((l) => [l.employeeId, l.email])).toEqual([['E2', 'old@example.com']]);
  });

  it('two people known only by email are two leavers, with an empty employee id', async () => {
    const raw = new RawLog();
    await raw.leaver('ann@example.com');
    await raw.leaver('carl@example.com');
    const report = buildLeaverReport(await raw.entries(), options());
    expect(report.leavers.map((l) => [l.email, l.employeeId])).toEqual([
      ['ann@example.com', ''],
      ['carl@example.com', ''],
    ]);
  });

  it('two people known only by employee id are two leavers, with an empty email (the id as indexed: lower case)', async () => {
    const raw = new RawLog();
    await raw.leaver('E1');
    await raw.leaver('E3');
    const report = buildLeaverReport(await raw.entries(), options());
    expect(report.leavers.map((l) => [l.employeeId, l.email])).toEqual([
      ['e1', ''],
      ['e3', ''],
    ]);
  });

  it('a leaver entry naming nobody, or with no `after` at all, is read without inventing a leaver or failing', async () => {
    const raw = new RawLog();
    await raw.append({ action: 'leaver.revocation', reason: 'departed' });
    await raw.append({ action: 'leaver.revocation', person: '', reason: 'departed' });
    await raw.leaver(BOB, null);
    const report = buildLeaverReport(await raw.entries(), options());
    expect(report.leavers.map((l) => l.email)).toEqual(['bob@example.com']);
    expect(report.leavers[0]?.accounts).toEqual([]);
  });

  it('an action for someone never marked as a leaver (an active person’s excess group) is not a leaver', async () => {
    const raw = new RawLog();
    await raw.act('ann@example.com (E7)', 'remove-from-group', 'ann', ACCOUNT, 'intent', { groupName: 'admins' });
    await raw.act('ann@example.com (E7)', 'remove-from-group', 'ann', ACCOUNT, 'ok');
    await raw.append({ action: 'verify', person: 'ann@example.com (E7)', target: 'ann', account: ACCOUNT, result: 'verified', after: { noAccessLeft: true } });
    expect(buildLeaverReport(await raw.entries(), options()).leavers).toEqual([]);
  });

  it('entries handed over newest first read the same as in seq order', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob');
    await script.verify(bob, 'bob', false);
    await script.later(HOUR).verify(bob, 'bob', true);
    const entries = await script.entries();
    const inOrder = buildLeaverReport(entries, options());
    expect(buildLeaverReport([...entries].reverse(), options())).toStrictEqual(inOrder);
    expect(inOrder.leavers[0]?.open).toBe(false);
  });
});

describe('users and paths per account', () => {
  it('the same user name in two accounts is two users and two paths: verifying one leaves the other open', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB, { effectiveAt: '2026-11-20T00:00:00.000Z', accounts: [ACCOUNT, OTHER_ACCOUNT] });
    for (const account of [ACCOUNT, OTHER_ACCOUNT]) {
      await raw.act(BOB, 'delete-login-profile', 'bob', account, 'intent');
      await raw.act(BOB, 'delete-login-profile', 'bob', account, 'ok');
    }
    const verified = await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true });

    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;

    expect(leaver?.users).toStrictEqual([
      { account: ACCOUNT, userName: 'bob', noAccessLeftAt: verified.at, verifiedSeq: verified.seq, lastResult: 'no-access-left' },
      { account: OTHER_ACCOUNT, userName: 'bob', lastResult: 'none' },
    ]);
    expect(leaver?.paths.map((p) => [p.account, p.verifiedAt])).toEqual([
      [ACCOUNT, verified.at],
      [OTHER_ACCOUNT, undefined],
    ]);
    expect(leaver?.open).toBe(true);
  });

  it('two users of one leaver in one account: verifying one leaves the other open', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    for (const user of ['bob', 'bob-admin']) {
      await raw.act(BOB, 'delete-login-profile', user, ACCOUNT, 'intent');
      await raw.act(BOB, 'delete-login-profile', user, ACCOUNT, 'ok');
    }
    await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true });

    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;

    expect(leaver?.users.map((u) => [u.userName, u.lastResult])).toEqual([
      ['bob', 'no-access-left'],
      ['bob-admin', 'none'],
    ]);
    expect(leaver?.open).toBe(true);
  });

  it('intents of two accounts and two kinds waiting at once each pair with their own outcome', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'intent', { accessKeyId: 'AKIAFIRST' });
    await raw.act(BOB, 'deactivate-access-key', 'bob', OTHER_ACCOUNT, 'intent', { accessKeyId: 'AKIASECOND' });
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'intent', { groupName: 'developers' });
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'deactivate-access-key', 'bob', OTHER_ACCOUNT, 'ok');
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'failed');

    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;

    expect(leaver?.paths.map((p) => [p.category, p.account, p.detail, p.status])).toEqual([
      ['access-keys', ACCOUNT, 'AKIAFIRST', 'failed'],
      ['access-keys', OTHER_ACCOUNT, 'AKIASECOND', 'closed'],
      ['groups', ACCOUNT, 'developers', 'closed'],
    ]);
  });

  it('paths are listed by category in reading order, then account, target and detail', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'intent', { groupName: 'b-group' });
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'delete-login-profile', 'bob', OTHER_ACCOUNT, 'intent');
    await raw.act(BOB, 'delete-login-profile', 'bob', OTHER_ACCOUNT, 'ok');
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'intent');
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'intent', { groupName: 'a-group' });
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'intent', { accessKeyId: 'AKIA1' });
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'ok');

    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;

    expect(leaver?.paths.map((p) => `${p.category}/${p.account ?? '-'}/${p.detail}`)).toEqual([
      'access-keys/111122223333/AKIA1',
      `console/${ACCOUNT}/`,
      `console/${OTHER_ACCOUNT}/`,
      'groups/111122223333/a-group',
      'groups/111122223333/b-group',
    ]);
  });
});

describe('what a path says it was', () => {
  it('the detail names only the fields the intent recorded: a host key without a comment is just its type', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'remove-host-key', 'i-0abc', ACCOUNT, 'intent', { instanceId: 'i-0abc', osUser: 'bob', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: '' });
    await raw.act(BOB, 'remove-host-key', 'i-0abc', ACCOUNT, 'ok');
    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.paths.map((p) => p.detail)).toEqual(['ssh-ed25519']);
  });

  it('an outcome whose intent is not in the log (or was already paired) has an empty detail, not a borrowed one', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'delete-user-policy', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'intent', { groupName: 'developers' });
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'ok');
    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.paths.map((p) => [p.action, p.detail, p.status, p.attempts])).toEqual([
      ['remove-from-group', '', 'closed', 1],
      ['remove-from-group', 'developers', 'closed', 1],
      ['delete-user-policy', '', 'closed', 1],
    ]);
  });
});

describe('the exact shape of paths and users in each state', () => {
  it('closed and verified, failed, and in flight again after closing: only the keys that are true', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'intent');
    const closed = await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'ok');
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'intent', { groupName: 'developers' });
    await raw.act(BOB, 'remove-from-group', 'bob', ACCOUNT, 'failed');
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'intent', { accessKeyId: 'AKIA1' });
    const keyClosed = await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'ok');
    const verified = await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true });
    // The next run re-attempts the key (someone re-activated it) and stops before the outcome.
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'intent', { accessKeyId: 'AKIA1' });

    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;

    expect(leaver?.paths).toStrictEqual([
      { category: 'access-keys', action: 'deactivate-access-key', account: ACCOUNT, target: 'bob', detail: 'AKIA1', status: 'in-progress', attempts: 1 },
      {
        category: 'console',
        action: 'delete-login-profile',
        account: ACCOUNT,
        target: 'bob',
        detail: '',
        status: 'closed',
        closedAt: closed.at,
        closedSeq: closed.seq,
        verifiedAt: verified.at,
        verifiedSeq: verified.seq,
        attempts: 1,
      },
      { category: 'groups', action: 'remove-from-group', account: ACCOUNT, target: 'bob', detail: 'developers', status: 'failed', error: 'failed', attempts: 1 },
    ]);
    expect(keyClosed.seq).toBeLessThan(verified.seq);
    expect(leaver?.open).toBe(true);
    expect(leaver?.noAccessLeftAt).toBeUndefined();
    expect([...categoriesOf(leaver as NonNullable<typeof leaver>).values()].map((c) => [c.category, c.open])).toEqual([
      ['access-keys', 1],
      ['console', 0],
      ['groups', 1],
    ]);
  });

  it('a verified user carries no error; a failed one without an error text says "access remained"', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'intent');
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'ok');
    await raw.verify(BOB, 'bob', ACCOUNT, 'failed', { noAccessLeft: false });
    const good = await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true }, 'a note some writer left');

    let [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.users).toStrictEqual([{ account: ACCOUNT, userName: 'bob', noAccessLeftAt: good.at, verifiedSeq: good.seq, lastResult: 'no-access-left' }]);

    await raw.verify(BOB, 'bob', ACCOUNT, 'failed', { noAccessLeft: false });
    [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.users).toStrictEqual([{ account: ACCOUNT, userName: 'bob', lastResult: 'failed' }]);
    expect(leaver?.notes).toContain('verification of bob failed: access remained');
  });

  it('a leaver with no name or effective time recorded has neither key', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB, {});
    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver).toBeDefined();
    expect(Object.keys(leaver ?? {})).not.toContain('fullName');
    expect(Object.keys(leaver ?? {})).not.toContain('effectiveAt');
    expect(Object.keys(leaver ?? {})).not.toContain('postRevocationUse');
    expect(Object.keys(leaver ?? {})).not.toContain('noAccessLeftAt');
    // No paths at all: open, and no note about a deletion-only log.
    expect(leaver?.notes).toEqual(['no effective time was recorded: measured from Warden’s first action for this leaver']);
  });
});

describe('what counts as a verification', () => {
  it('only a `verified` result saying noAccessLeft or deleted counts; a failed result or noAccessLeft false does not', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'intent');
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'ok');
    await raw.verify(BOB, 'bob', ACCOUNT, 'failed', { noAccessLeft: true });
    await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: false });
    let [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.users[0]?.lastResult).toBe('failed');
    expect(leaver?.paths[0]?.verifiedAt).toBeUndefined();

    const deleted = await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { deleted: true });
    [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.users[0]).toMatchObject({ lastResult: 'no-access-left', noAccessLeftAt: deleted.at });
    expect(leaver?.paths[0]?.verifiedAt).toBe(deleted.at);
  });

  it('a role-session path is verified only by a re-read of the role (`sessionsEnded`), not by the user’s verify', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    const role = { roleName: 'deploy', roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, sourceIdentities: ['bob'] };
    await raw.act(BOB, 'deny-role-source-identity', 'bob', ACCOUNT, 'intent', role);
    await raw.act(BOB, 'deny-role-source-identity', 'bob', ACCOUNT, 'ok');
    await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true });
    let [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.paths[0]).toMatchObject({ category: 'role-sessions', status: 'closed' });
    expect(leaver?.paths[0]?.verifiedAt).toBeUndefined();
    expect(leaver?.open).toBe(true);

    const reread = await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true, sessionsEnded: false });
    [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.paths[0]?.verifiedAt).toBe(reread.at);
    expect(leaver?.open).toBe(false);
  });

  it('a host-only leaver is closed when the host re-read the key: "no access left" is that time', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB, { effectiveAt: '2026-11-20T00:00:00.000Z', accounts: [ACCOUNT] });
    const key = { instanceId: 'i-0abc', osUser: 'bob', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: 'bob@laptop' };
    await raw.act(BOB, 'remove-host-key', 'i-0abc', ACCOUNT, 'intent', key);
    const removed = await raw.act(BOB, 'remove-host-key', 'i-0abc', ACCOUNT, 'ok');

    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;

    expect(leaver?.users).toEqual([]);
    expect(leaver).toMatchObject({ open: false, noAccessLeftAt: removed.at, sla: 'met' });
  });

  it('"no access left" is the latest of the path and user times, whatever order they are listed in', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB, { effectiveAt: '2026-11-20T00:00:00.000Z', accounts: [ACCOUNT] });
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'intent');
    await raw.act(BOB, 'delete-login-profile', 'bob', ACCOUNT, 'ok');
    await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true });
    // The host key (listed after the console path) closes later than the user's verification ...
    const key = { instanceId: 'i-0abc', osUser: 'bob', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: '' };
    await raw.act(BOB, 'remove-host-key', 'i-0abc', ACCOUNT, 'intent', key);
    const removed = await raw.act(BOB, 'remove-host-key', 'i-0abc', ACCOUNT, 'ok');
    // ... and an access key (listed first) closes last of all.
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'intent', { accessKeyId: 'AKIA1' });
    await raw.act(BOB, 'deactivate-access-key', 'bob', ACCOUNT, 'ok');
    const last = await raw.verify(BOB, 'bob', ACCOUNT, 'verified', { noAccessLeft: true });

    let [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.paths.map((p) => p.category)).toEqual(['access-keys', 'console', 'hosts']);
    expect(leaver?.noAccessLeftAt).toBe(last.at);

    // Without the access key, the host key's close is the latest, though the user verified earlier.
    const entries = (await raw.entries()).filter((e) => e.seq <= removed.seq);
    [leaver] = buildLeaverReport(entries, options()).leavers;
    expect(leaver?.noAccessLeftAt).toBe(removed.at);
  });
});

describe('clock edges and the summary', () => {
  it('access gone at exactly the effective time is 0 hours and not "revoked early"', async () => {
    const script = new AuditScript('2026-11-19T23:58:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob');
    script.at('2026-11-20T00:00:00.000Z');
    await script.verify(bob, 'bob', true);

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver).toMatchObject({ open: false, hoursToNoAccess: 0, noAccessLeftAt: '2026-11-20T00:00:00.000Z' });
    expect(leaver?.notes).toEqual([]);
  });

  it('with nothing decided and nothing closed the summary has no share and no hours', () => {
    expect(summarise([])).toStrictEqual({ leavers: 0, closed: 0, open: 0, met: 0, missed: 0, pending: 0 });
  });

  it('a pending open leaver alone: still no share within the SLA and no hours', async () => {
    const script = new AuditScript('2026-11-24T20:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-24T20:00:00.000Z' });
    const report = buildLeaverReport(await script.entries(), options());
    expect(report.summary).toStrictEqual({ leavers: 1, closed: 0, open: 1, met: 0, missed: 0, pending: 1 });
  });
});

describe('use after revocation (CloudTrail)', () => {
  it('is listed under the leaver with what was recorded, "?" where nothing was, and a HIGH note', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.append({
      action: 'trail.post-revocation-use',
      person: BOB,
      account: ACCOUNT,
      target: 'bob',
      result: 'failed',
      after: { eventTime: '2026-11-20T03:00:00.000Z', eventName: 'ListBuckets', sourceIp: '203.0.113.9', usedBy: 'AKIA1' },
    });
    const bare = await raw.append({ action: 'trail.post-revocation-use', person: BOB, result: 'failed', after: {} });
    await raw.append({ action: 'trail.post-revocation-use', person: 'ann@example.com (E7)', result: 'failed', after: { eventName: 'GetObject' } });

    const report = buildLeaverReport(await raw.entries(), options());

    expect(report.leavers).toHaveLength(1);
    expect(report.leavers[0]?.postRevocationUse).toStrictEqual([
      { seq: 2, eventTime: '2026-11-20T03:00:00.000Z', eventName: 'ListBuckets', account: ACCOUNT, sourceIp: '203.0.113.9', usedBy: 'AKIA1' },
      { seq: bare.seq, eventTime: bare.at, eventName: '?', sourceIp: '?', usedBy: '?' },
    ]);
    expect(report.leavers[0]?.notes).toContain('HIGH: 2 successful call(s) after access was revoked (CloudTrail)');
  });

  it('names the user from the entry’s target when the event did not say who', async () => {
    const raw = new RawLog();
    await raw.leaver(BOB);
    await raw.append({ action: 'trail.post-revocation-use', person: BOB, target: 'bob', result: 'failed', after: { eventName: 'ListBuckets' } });
    const [leaver] = buildLeaverReport(await raw.entries(), options()).leavers;
    expect(leaver?.postRevocationUse?.[0]?.usedBy).toBe('bob');
  });
});
