import { applyUndecidedDefault, checkDecider, packetDue, recordChanges, startCampaign, type ItemChange, type ReviewPacket } from '../../src/domain/reviews/campaign';
import { ACCOUNT, NOW, createDummyPerson } from '../fixtures/builders';
import { SETTINGS, at, createDummyCampaign, createDummyPacket, group } from './builders';

describe('who may decide, at the edges', () => {
  const packet = createDummyPacket(createDummyCampaign());

  it('knows the manager by email when Slack gave one, whatever its case, and refuses a clicker Slack cannot name', () => {
    const { slackId: _none, ...byEmailOnly } = packet.reviewer as { kind: 'manager'; email: string; slackId?: string };
    const p: ReviewPacket = { ...packet, reviewer: byEmailOnly };
    expect(checkDecider(p, { slackId: 'U0ANY', email: 'MONA@example.com', isHr: false })).toStrictEqual({ ok: true, as: 'reviewer' });
    expect(checkDecider(p, { slackId: 'U0MONA', isHr: false })).toStrictEqual({ ok: false, reason: 'not-reviewer' });
    expect(checkDecider(p, { slackId: 'U0ANY', email: 'mona@example.org', isHr: false })).toStrictEqual({ ok: false, reason: 'not-reviewer' });
  });

  it('never lets an HR packet\'s person decide, and lets HR decide a person known only by email when Slack gave the clicker\'s email', () => {
    const { slackId: _none, ...person } = packet.person;
    const hrPacket: ReviewPacket = { ...packet, person, reviewer: { kind: 'hr', why: 'no-manager' } };
    expect(checkDecider(hrPacket, { slackId: 'U0HR', email: 'hr@example.com', isHr: true })).toStrictEqual({ ok: true, as: 'hr' });
    expect(checkDecider(hrPacket, { slackId: 'U0CAROL', email: ' Carol@example.com ', isHr: true })).toStrictEqual({ ok: false, reason: 'own-access' });
    expect(checkDecider(hrPacket, { slackId: 'U0MONA', email: 'mona@example.com', isHr: false })).toStrictEqual({ ok: false, reason: 'not-reviewer' });
  });
});

describe('starting a campaign, at the edges', () => {
  it('offers each holding once, copies only the person fields the roster has, and skips people holding nothing', () => {
    const bare = createDummyPerson({ employeeId: 'E3', email: 'bare@example.com' });
    const { fullName: _n, role: _r, ...noOptional } = bare;
    const full = createDummyPerson({ employeeId: 'E4', email: 'full@example.com', department: 'Ops', slackId: 'U0FULL' });
    const { packets } = startCampaign({
      id: 'rev-x',
      scope: { kind: 'all' },
      startedBy: 'system',
      now: NOW,
      dueAt: at(14),
      settings: SETTINGS,
      holdings: [
        { person: noOptional, entitlements: [group('a', 'bare'), group('a', 'bare'), group('b', 'bare')] },
        { person: full, entitlements: [group('a', 'full')] },
        { person: createDummyPerson({ employeeId: 'E5', email: 'none@example.com' }), entitlements: [] },
      ],
      people: [noOptional, full],
      roleOf: () => ({ groups: ['A'], managedPolicies: [] }),
    });
    expect(packets.map((p) => [p.id, p.person, p.items.map((i) => [i.id, i.roleAllows])])).toStrictEqual([
      ['E3', { employeeId: 'E3', email: 'bare@example.com' }, [[`iam-group|${ACCOUNT}/bare|a`, true], [`iam-group|${ACCOUNT}/bare|b`, false]]],
      ['E4', { employeeId: 'E4', email: 'full@example.com', fullName: 'Alice Example', role: 'engineer', department: 'Ops', slackId: 'U0FULL' }, [[`iam-group|${ACCOUNT}/full|a`, true]]],
    ]);
    expect(packets.every((p) => p.campaignId === 'rev-x')).toBe(true);
  });
});

describe('recordChanges', () => {
  it('records a change on the named items only', () => {
    const packet = createDummyPacket(createDummyCampaign());
    const change: ItemChange = { runId: 'run-1', at: at(1), actionIds: ['a1'], result: 'ok', verified: true };
    const [first, second] = packet.items;
    const changed = recordChanges(packet, new Map([[second?.id ?? '', change]]));
    expect(changed.items).toStrictEqual([first, { ...second, change }]);
  });
});

describe('the clock, at the edges', () => {
  it('asks nothing of a packet once the campaign is closed, and records the due date\'s default as the system\'s', () => {
    const campaign = createDummyCampaign();
    const packet = createDummyPacket(campaign);
    expect(packetDue({ ...campaign, status: 'closed' }, packet, at(8))).toBeUndefined();
    const closed = applyUndecidedDefault(campaign, packet, at(14));
    expect(closed.ok && closed.decided.map((i) => i.decision)).toStrictEqual([
      { verdict: 'keep', by: 'system', at: at(14), as: 'undecided-default' },
      { verdict: 'keep', by: 'system', at: at(14), as: 'undecided-default' },
    ]);
  });

  it('lets HR decide without an email from Slack when the person has a Slack id to tell them apart', () => {
    const packet = createDummyPacket(createDummyCampaign());
    expect(checkDecider(packet, { slackId: 'U0HR', isHr: true })).toStrictEqual({ ok: true, as: 'hr' });
  });
});
