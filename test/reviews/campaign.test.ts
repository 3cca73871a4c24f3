import {
  applyUndecidedDefault,
  assignReviewer,
  campaignDue,
  checkDecider,
  decide,
  escalate,
  packetDue,
  remind,
  startCampaign,
} from '../../src/domain/reviews/campaign';
import { holdingsOf, parseScope } from '../../src/domain/reviews/holdings';
import { entitlementKey } from '../../src/domain/reviews/entitlements';
import { reviewedRevocations } from '../../src/domain/reviews/reviewed';
import type { Person } from '../../src/domain/roster';
import {
  ACCOUNT,
  NOW,
  OTHER_ACCOUNT,
  createDummyInventory,
  createDummyPerson,
  createDummyPolicy,
  createDummyRoster,
  createDummyUser,
  createDummyUserWithDetail,
} from '../fixtures/builders';
import { SETTINGS, at, createDummyCampaign, createDummyPacket, group } from './builders';

const mona = createDummyPerson({ employeeId: 'E5', email: 'mona@example.com', role: 'admin', slackId: 'U0MONA' });
const carol = createDummyPerson({ employeeId: 'E7', email: 'carol@example.com', role: 'admin', managerEmail: 'Mona@Example.com', department: 'Engineering' });
const byEmail = (people: readonly Person[]) => new Map(people.map((p) => [p.email.toLowerCase(), p] as const));

describe('reviewer assignment', () => {
  it('sends a person to the manager the roster names (emails compared case-insensitively)', () => {
    expect(assignReviewer(carol, byEmail([mona, carol]))).toEqual({ kind: 'manager', email: 'mona@example.com' });
  });

  it.each([
    ['no manager on the roster row', { managerEmail: undefined }, [mona], 'no-manager'],
    ['a manager who has left', {}, [{ ...mona, status: 'departed' as const }], 'manager-left'],
    ['a manager not on the roster', {}, [], 'manager-not-on-roster'],
    ['themself as manager (nobody reviews their own access)', { managerEmail: 'CAROL@example.com' }, [mona], 'own-manager'],
  ])('sends %s to HR', (_what, overrides, others, why) => {
    const person = { ...carol, ...overrides } as Person;
    expect(assignReviewer(person, byEmail([...others, person]))).toEqual({ kind: 'hr', why });
  });
});

describe('starting a campaign', () => {
  const dave = createDummyPerson({ employeeId: 'E8', email: 'dave@example.com', role: 'engineer', managerEmail: 'mona@example.com', department: 'Sales' });
  const gone = createDummyPerson({ employeeId: 'E9', email: 'gone@example.com', status: 'departed', endAt: at(-3) });
  const users = [
    createDummyUserWithDetail(
      { userName: 'carol', groups: ['developers', 'admins'], attachedPolicies: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }], inlinePolicies: ['extra'] },
      { accessKeys: [{ id: 'AKIACAROL1', status: 'Active', createdAt: NOW }, { id: 'AKIACAROL2', status: 'Inactive', createdAt: NOW }] },
    ),
    createDummyUser({ userName: 'dave', groups: ['developers'], account: OTHER_ACCOUNT }),
    createDummyUser({ userName: 'gone', groups: ['admins'] }),
    createDummyUser({ userName: 'mona', groups: ['admins'] }),
  ];
  const input = {
    roster: createDummyRoster([
      { ...carol, awsUsernames: ['carol'] },
      { ...dave, awsUsernames: ['dave'] },
      { ...gone, awsUsernames: ['gone'] },
      { ...mona, awsUsernames: ['mona'] },
    ]),
    inventory: createDummyInventory(users),
    policy: createDummyPolicy(),
    now: NOW,
  };

  it('lists every active person\'s groups, policies and active keys, never a leaver\'s', () => {
    const holdings = holdingsOf(input, { kind: 'all' });
    expect(holdings.map((h) => h.person.email)).toEqual(['carol@example.com', 'dave@example.com', 'mona@example.com']);
    const carolHolds = holdings[0]?.entitlements.map(entitlementKey);
    expect(carolHolds).toEqual([
      `iam-group|${ACCOUNT}/carol|developers`,
      `iam-group|${ACCOUNT}/carol|admins`,
      `iam-managed-policy|${ACCOUNT}/carol|arn:aws:iam::aws:policy/ReadOnlyAccess`,
      `iam-inline-policy|${ACCOUNT}/carol|extra`,
      `iam-access-key|${ACCOUNT}/carol|AKIACAROL1`,
    ]);
  });

  it('scopes by department and by account', () => {
    expect(holdingsOf(input, { kind: 'department', name: 'sales' }).map((h) => h.person.email)).toEqual(['dave@example.com']);
    expect(holdingsOf(input, { kind: 'account', account: OTHER_ACCOUNT }).map((h) => h.person.email)).toEqual(['dave@example.com']);
  });

  it('parses scopes and refuses anything else', () => {
    expect(parseScope('all')).toEqual({ kind: 'all' });
    expect(parseScope('department:Sales')).toEqual({ kind: 'department', name: 'Sales' });
    expect(parseScope('account:123456789012')).toEqual({ kind: 'account', account: '123456789012' });
    expect(parseScope('account:12345')).toBeUndefined();
    expect(parseScope('department:')).toBeUndefined();
    expect(parseScope('everyone')).toBeUndefined();
  });

  it('makes one packet per person with the reviewer assigned and what the role grants marked', () => {
    const policy = createDummyPolicy();
    const { campaign, packets } = startCampaign({
      id: 'rev-1',
      scope: { kind: 'all' },
      startedBy: 'cli:test',
      now: NOW,
      dueAt: at(14),
      settings: SETTINGS,
      holdings: holdingsOf(input, { kind: 'all' }),
      people: input.roster.people,
      roleOf: (p) => (p.role === undefined ? undefined : policy.roles[p.role]),
    });
    expect(campaign).toMatchObject({ id: 'rev-1', status: 'open', dueAt: at(14) });
    const carolPacket = packets.find((p) => p.person.email === 'carol@example.com');
    expect(carolPacket?.reviewer).toEqual({ kind: 'manager', email: 'mona@example.com' });
    expect(carolPacket?.items.map((i) => [i.entitlement.kind, i.roleAllows])).toEqual([
      ['iam-group', true],
      ['iam-group', true],
      ['iam-managed-policy', false],
      ['iam-inline-policy', false],
      ['iam-access-key', false],
    ]);
    expect(packets.find((p) => p.person.email === 'mona@example.com')?.reviewer).toEqual({ kind: 'hr', why: 'no-manager' });
  });
});

describe('who may decide', () => {
  const packet = createDummyPacket(createDummyCampaign());

  it('lets the assigned manager and HR decide', () => {
    expect(checkDecider(packet, { slackId: 'U0MONA', isHr: false })).toEqual({ ok: true, as: 'reviewer' });
    expect(checkDecider(packet, { slackId: 'U0HR1', email: 'hr@example.com', isHr: true })).toEqual({ ok: true, as: 'hr' });
  });

  it('refuses anyone else, and the person themself even when they are HR (by Slack id or by email)', () => {
    expect(checkDecider(packet, { slackId: 'U0RANDOM', email: 'x@example.com', isHr: false })).toEqual({ ok: false, reason: 'not-reviewer' });
    expect(checkDecider(packet, { slackId: 'U0CAROL', isHr: true })).toEqual({ ok: false, reason: 'own-access' });
    expect(checkDecider(packet, { slackId: 'U0OTHER', email: 'Carol@Example.com', isHr: true })).toEqual({ ok: false, reason: 'own-access' });
  });

  it('refuses HR when it cannot tell them apart from the person (no Slack id on the roster, no email from Slack)', () => {
    const { slackId: _dropped, ...person } = packet.person;
    expect(checkDecider({ ...packet, person }, { slackId: 'U0HR1', isHr: true })).toEqual({ ok: false, reason: 'identity-unknown' });
  });
});

describe('decisions', () => {
  const campaign = createDummyCampaign();
  const packet = createDummyPacket(campaign);
  const [developers, admins] = packet.items;
  const by = { by: 'slack:U0MONA', at: at(1), as: 'reviewer' as const };

  it('keeps one item and revokes another, recording who and when', () => {
    const kept = decide(campaign, packet, { kind: 'item', itemId: developers?.id ?? '', verdict: 'keep' }, by);
    if (!kept.ok) throw new Error('expected ok');
    const revoked = decide(campaign, kept.packet, { kind: 'item', itemId: admins?.id ?? '', verdict: 'revoke' }, by);
    if (!revoked.ok) throw new Error('expected ok');
    expect(revoked.packet.items.map((i) => i.decision)).toEqual([
      { verdict: 'keep', ...by },
      { verdict: 'revoke', ...by },
    ]);
    expect(revoked.decided.map((i) => i.id)).toEqual([admins?.id]);
  });

  it('never changes a decided item, and says why', () => {
    const first = decide(campaign, packet, { kind: 'item', itemId: developers?.id ?? '', verdict: 'keep' }, by);
    if (!first.ok) throw new Error('expected ok');
    expect(decide(campaign, first.packet, { kind: 'item', itemId: developers?.id ?? '', verdict: 'revoke' }, by)).toEqual({ ok: false, reason: 'already-decided' });
    expect(decide(campaign, packet, { kind: 'item', itemId: 'iam-group|x|nope', verdict: 'keep' }, by)).toEqual({ ok: false, reason: 'no-such-item' });
    expect(decide({ ...campaign, status: 'closed' }, packet, { kind: 'keep-all' }, by)).toEqual({ ok: false, reason: 'campaign-closed' });
  });

  it('keep-all keeps only what is still undecided', () => {
    const revoked = decide(campaign, packet, { kind: 'item', itemId: admins?.id ?? '', verdict: 'revoke' }, by);
    if (!revoked.ok) throw new Error('expected ok');
    const all = decide(campaign, revoked.packet, { kind: 'keep-all' }, by);
    if (!all.ok) throw new Error('expected ok');
    expect(all.packet.items.map((i) => i.decision?.verdict)).toEqual(['keep', 'revoke']);
    expect(all.decided.map((i) => i.id)).toEqual([developers?.id]);
    expect(decide(campaign, all.packet, { kind: 'keep-all' }, by)).toEqual({ ok: false, reason: 'already-decided' });
  });
});

describe('the clock: reminders, escalation and the due date, on both sides of each day boundary', () => {
  const campaign = createDummyCampaign();
  const packet = createDummyPacket(campaign);

  it('reminds after remindAfterDays (3), not a millisecond before, and only once', () => {
    expect(packetDue(campaign, packet, at(3, -1))).toBeUndefined();
    expect(packetDue(campaign, packet, at(3))).toBe('remind');
    expect(packetDue(campaign, remind(packet, at(3)), at(6))).toBeUndefined();
  });

  it('escalates to HR after escalateAfterDays (7), once, whether or not a reminder went out', () => {
    expect(packetDue(campaign, remind(packet, at(3)), at(7, -1))).toBeUndefined();
    expect(packetDue(campaign, remind(packet, at(3)), at(7))).toBe('escalate');
    expect(packetDue(campaign, packet, at(7))).toBe('escalate');
    expect(packetDue(campaign, escalate(packet, at(7)), at(10))).toBeUndefined();
  });

  it('never escalates a packet HR already reviews, and asks nothing of a decided or unsent packet', () => {
    expect(packetDue(campaign, { ...packet, reviewer: { kind: 'hr', why: 'no-manager' } }, at(8))).toBe('remind');
    const decided = decide(campaign, packet, { kind: 'keep-all' }, { by: 'slack:U0MONA', at: at(1), as: 'reviewer' });
    if (!decided.ok) throw new Error('expected ok');
    expect(packetDue(campaign, decided.packet, at(8))).toBeUndefined();
    const { sentAt: _unsent, ...unsent } = packet;
    expect(packetDue(campaign, unsent, at(8))).toBeUndefined();
  });

  it('is due at the due date, not before; then nothing is reminded', () => {
    expect(campaignDue(campaign, at(14, -1))).toBe(false);
    expect(campaignDue(campaign, at(14))).toBe(true);
    expect(packetDue(campaign, packet, at(14))).toBeUndefined();
    expect(campaignDue({ ...campaign, status: 'closed' }, at(20))).toBe(false);
  });

  it.each(['keep', 'revoke'] as const)('gives undecided items the undecided default (%s) at the due date, decided ones untouched', (undecided) => {
    const c = createDummyCampaign({ settings: { ...SETTINGS, undecided } });
    const p = createDummyPacket(c);
    const one = decide(c, p, { kind: 'item', itemId: p.items[0]?.id ?? '', verdict: 'revoke' }, { by: 'slack:U0MONA', at: at(1), as: 'reviewer' });
    if (!one.ok) throw new Error('expected ok');
    const closed = applyUndecidedDefault(c, one.packet, at(14));
    if (!closed.ok) throw new Error('expected ok');
    expect(closed.packet.items.map((i) => [i.decision?.verdict, i.decision?.as])).toEqual([
      ['revoke', 'reviewer'],
      [undecided, 'undecided-default'],
    ]);
  });
});

describe('reviewed revocations', () => {
  it('come from the latest campaign that covered the person (a later review supersedes)', () => {
    const old = createDummyCampaign({ startedAt: at(-90) });
    const recent = createDummyCampaign({ startedAt: NOW });
    const revokeAll = (p: ReturnType<typeof createDummyPacket>) => ({
      ...p,
      items: p.items.map((i) => ({ ...i, decision: { verdict: 'revoke' as const, by: 'slack:U0MONA', at: p.sentAt ?? NOW, as: 'reviewer' as const } })),
    });
    const oldPacket = revokeAll(createDummyPacket(old));
    const newPacket = { ...createDummyPacket(recent), items: [{ id: entitlementKey(group('ops')), entitlement: group('ops'), roleAllows: false, decision: { verdict: 'revoke' as const, by: 'system', at: at(1), as: 'undecided-default' as const } }] };
    expect(reviewedRevocations([old, recent], [oldPacket, newPacket]).map((r) => [r.campaignId, r.entitlement])).toEqual([[recent.id, group('ops')]]);
    expect(reviewedRevocations([old], [oldPacket, newPacket])).toHaveLength(2);
  });
});
