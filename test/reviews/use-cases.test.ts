import { decideReview } from '../../src/app/reviews/decide';
import { startReview } from '../../src/app/reviews/start';
import { tickReviews } from '../../src/app/reviews/tick';
import { computePlan } from '../../src/app/reconcile';
import { withReviews } from '../../src/app/reviews/apply';
import { ACCOUNT, NOW } from '../fixtures/builders';
import { at } from './builders';
import { reviewDeps } from './fixtures';

const itemId = (name: string, user = 'carol') => `iam-group|${ACCOUNT}/${user}|${name}`;
const mona = { slackId: 'U0MONA', email: 'mona@example.com', isHr: false };

describe('starting a review', () => {
  it('sends one packet per active person to their manager found in Slack, else HR, and audits it', async () => {
    const { deps, messenger, audit, campaigns } = reviewDeps();

    const { campaign, packets } = await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });

    expect(campaign).toMatchObject({ id: 'rev-test', status: 'open', dueAt: at(14) });
    expect(packets.map((p) => [p.id, p.reviewer])).toEqual([
      ['E7', { kind: 'manager', email: 'mona@example.com', slackId: 'U0MONA' }],
      ['E8', { kind: 'manager', email: 'mona@example.com', slackId: 'U0MONA' }],
      ['E5', { kind: 'hr', why: 'no-manager' }],
      ['E9', { kind: 'hr', why: 'no-manager' }],
    ]);
    expect(packets.find((p) => p.id === 'E7')?.items.map((i) => i.id)).toEqual([itemId('developers'), itemId('admins'), `iam-access-key|${ACCOUNT}/carol|AKIACAROL00000000001`]);
    expect(messenger.said.filter((s) => s.kind === 'send')).toHaveLength(4);
    expect((await campaigns.getPacket('rev-test', 'E7'))?.sentAt).toEqual(NOW);
    const entries = await audit.query({});
    expect(entries.filter((e) => e.action === 'review.started').map((e) => e.after)).toEqual([expect.objectContaining({ scope: 'all', people: 4 })]);
    expect(entries.filter((e) => e.action === 'review.sent')).toHaveLength(4);
  });

  it('sends a manager Slack cannot find to HR', async () => {
    const { deps } = reviewDeps();
    const { packets } = await startReview({ ...deps, messenger: { ...deps.messenger!, findReviewer: async () => undefined } }, { scope: { kind: 'all' }, actor: 'cli:test' });
    expect(packets.find((p) => p.id === 'E7')?.reviewer).toEqual({ kind: 'hr', why: 'manager-not-in-slack' });
  });

  it('refuses a due date that has passed', async () => {
    const { deps } = reviewDeps();
    await expect(startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test', dueAt: NOW })).rejects.toThrow('already passed');
  });
});

describe('deciding', () => {
  it('keeps one and revokes another: the revoke goes through apply and verification and the group is gone', async () => {
    const { deps, directory, audit, campaigns } = reviewDeps();
    await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });

    const kept = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'item', itemId: itemId('developers'), verdict: 'keep' }, clicker: mona });
    const revoked = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'item', itemId: itemId('admins'), verdict: 'revoke' }, clicker: mona });

    expect(kept.kind).toBe('decided');
    expect(revoked.kind).toBe('decided');
    expect(directory.detailOf('carol')?.groups).toEqual(['developers']);
    expect(directory.executed.map((a) => [a.kind, a.userName, a.target, a.reason])).toEqual([['remove-from-group', 'carol', { groupName: 'admins' }, 'review-revoked']]);
    const item = (await campaigns.getPacket('rev-test', 'E7'))?.items.find((i) => i.id === itemId('admins'));
    expect(item?.change).toMatchObject({ result: 'ok', verified: true });
    const entries = await audit.query({});
    expect(entries.filter((e) => e.action === 'review.kept').map((e) => [e.actor, e.person, e.at])).toEqual([['slack:U0MONA', 'carol@example.com', NOW.toISOString()]]);
    expect(entries.filter((e) => e.action === 'remove-from-group').map((e) => [e.result, e.reason])).toEqual([
      ['intent', 'review-revoked'],
      ['ok', 'review-revoked'],
    ]);
    expect(entries.filter((e) => e.action === 'verify').map((e) => e.result)).toEqual(['verified']);
    expect(entries.filter((e) => e.action === 'review.change').map((e) => e.result)).toEqual(['verified']);
    // The next plan neither re-adds nor reports the reviewed exception (admins is in Carol's role).
    const replanned = await computePlan(withReviews(deps));
    expect(replanned.plan.actions).toEqual([]);
    expect(replanned.plan.findings.filter((f) => f.kind === 'missing-grant' && f.userName === 'carol')).toEqual([]);
  });

  it('refuses and audits a click by someone who is neither the reviewer nor HR, and by the person under review', async () => {
    const { deps, directory, audit } = reviewDeps();
    await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });

    const outsider = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'item', itemId: itemId('admins'), verdict: 'revoke' }, clicker: { slackId: 'U0DAVE', email: 'dave@example.com', isHr: false } });
    const self = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'keep-all' }, clicker: { slackId: 'U0CAROL', isHr: true } });

    expect(outsider).toEqual({ kind: 'refused', reason: 'not-reviewer' });
    expect(self).toEqual({ kind: 'refused', reason: 'own-access' });
    expect(directory.executed).toEqual([]);
    const refused = (await audit.query({})).filter((e) => e.action === 'review.refused');
    expect(refused.map((e) => [e.actor, e.person, e.result])).toEqual([
      ['slack:U0DAVE', 'carol@example.com', 'skipped'],
      ['slack:U0CAROL', 'carol@example.com', 'skipped'],
    ]);
  });

  it('refuses and audits a second decision on a decided item (HR overruling the manager, a changed mind), changing nothing', async () => {
    const { deps, directory, audit, campaigns } = reviewDeps();
    await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });
    await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'item', itemId: itemId('admins'), verdict: 'keep' }, clicker: mona });

    const hr = { slackId: 'U0HR1', email: 'hal@example.com', isHr: true };
    const overrule = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'item', itemId: itemId('admins'), verdict: 'revoke' }, clicker: hr });
    const again = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E7', request: { kind: 'item', itemId: itemId('admins'), verdict: 'revoke' }, clicker: mona });

    expect([overrule, again]).toEqual([
      { kind: 'unchanged', reason: 'already-decided' },
      { kind: 'unchanged', reason: 'already-decided' },
    ]);
    expect(directory.executed).toEqual([]);
    expect((await campaigns.getPacket('rev-test', 'E7'))?.items.find((i) => i.id === itemId('admins'))?.decision).toMatchObject({ verdict: 'keep', by: 'slack:U0MONA' });
    const refused = (await audit.query({})).filter((e) => e.action === 'review.refused');
    expect(refused.map((e) => [e.actor, e.person, e.result, e.error])).toEqual([
      ['slack:U0HR1', 'carol@example.com', 'skipped', 'already decided: a decision stands once made'],
      ['slack:U0MONA', 'carol@example.com', 'skipped', 'already decided: a decision stands once made'],
    ]);
  });

  it('lets HR decide a packet whose reviewer is HR', async () => {
    const { deps } = reviewDeps();
    await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });
    const outcome = await decideReview(deps, { campaignId: 'rev-test', packetId: 'E9', request: { kind: 'keep-all' }, clicker: { slackId: 'U0HR1', email: 'hal@example.com', isHr: true } });
    expect(outcome.kind === 'decided' && outcome.packet.items.every((i) => i.decision?.as === 'hr')).toBe(true);
  });
});

describe('the review clock', () => {
  it('reminds at day 3 and escalates at day 7 (not a millisecond before), once each', async () => {
    const { deps, clock, messenger, audit } = reviewDeps();
    await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });
    await decideReview(deps, { campaignId: 'rev-test', packetId: 'E8', request: { kind: 'keep-all' }, clicker: mona });

    clock.set(at(3, -1));
    expect(await tickReviews(deps)).toEqual({ started: [], reminded: [], escalated: [], closed: [] });
    clock.set(at(3));
    expect([...(await tickReviews(deps)).reminded].sort()).toEqual(['E5', 'E7', 'E9']);
    expect((await tickReviews(deps)).reminded).toEqual([]);
    clock.set(at(7, -1));
    expect((await tickReviews(deps)).escalated).toEqual([]);
    clock.set(at(7));
    expect(await tickReviews(deps)).toEqual({ started: [], reminded: [], escalated: ['E7'], closed: [] });
    expect(messenger.said.filter((s) => s.kind === 'escalate').map((s) => s.packetId)).toEqual(['E7']);
    const entries = await audit.query({});
    expect(entries.filter((e) => e.action === 'review.reminded')).toHaveLength(3);
    expect(entries.filter((e) => e.action === 'review.escalated').map((e) => e.person)).toEqual(['carol@example.com']);
  });

  it('at the due date gives undecided items the revoke default, revokes them for real and closes', async () => {
    const { deps, clock, directory, campaigns, audit } = reviewDeps({ undecided: 'revoke' });
    await startReview(deps, { scope: { kind: 'department', name: 'Sales' }, actor: 'cli:test' });

    clock.set(at(14, -1));
    expect((await tickReviews(deps)).closed).toEqual([]);
    clock.set(at(14));
    expect((await tickReviews(deps)).closed).toEqual(['rev-test']);

    expect(directory.detailOf('olga')?.groups).toEqual([]);
    expect((await campaigns.getCampaign('rev-test'))?.status).toBe('closed');
    const olga = await campaigns.getPacket('rev-test', 'E9');
    expect(olga?.items.map((i) => [i.decision?.as, i.decision?.verdict, i.change?.verified])).toEqual([['undecided-default', 'revoke', true]]);
    expect((await audit.query({})).filter((e) => e.action === 'review.closed').map((e) => e.after)).toEqual([
      { kept: 0, revoked: 1, undecidedDefaulted: 1, revokesVerified: 1 },
    ]);
  });

  it('keeps undecided items under the keep default, and changes nothing', async () => {
    const { deps, clock, directory } = reviewDeps();
    await startReview(deps, { scope: { kind: 'all' }, actor: 'cli:test' });
    clock.set(at(15));
    await tickReviews(deps);
    expect(directory.executed).toEqual([]);
  });
});
