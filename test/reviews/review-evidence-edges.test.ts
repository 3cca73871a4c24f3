import { reviewEvidence, reviewerLabel } from '../../src/domain/reviews/evidence';
import { reviewedRevocations } from '../../src/domain/reviews/reviewed';
import type { ReviewItem, ReviewPacket } from '../../src/domain/reviews/campaign';
import { ACCOUNT, NOW } from '../fixtures/builders';
import { at, createDummyCampaign, createDummyPacket, group } from './builders';

const item = (groupName: string, extra: Partial<ReviewItem> = {}): ReviewItem => ({ id: `iam-group|${ACCOUNT}/carol|${groupName}`, entitlement: group(groupName), roleAllows: false, ...extra });

describe('reviewEvidence, field by field', () => {
  const campaign = createDummyCampaign({ id: 'rev-e', scope: { kind: 'department', name: 'Engineering' }, status: 'closed', closedAt: at(14) });
  const zed: ReviewPacket = {
    ...createDummyPacket(campaign, { id: 'E9' }),
    person: { employeeId: 'E9', email: 'zed@example.com' },
    reviewer: { kind: 'hr', why: 'manager-left' },
    remindedAt: at(3),
    items: [
      item('a', { decision: { verdict: 'revoke', by: 'system', at: at(14), as: 'undecided-default' }, change: { runId: 'run-9', at: at(14), actionIds: ['x'], result: 'failed', verified: false, detail: 'AccessDenied' } }),
      item('b'),
    ],
  };
  const carol: ReviewPacket = {
    ...createDummyPacket(campaign),
    escalatedAt: at(7),
    items: [item('c', { roleAllows: true, decision: { verdict: 'revoke', by: 'slack:U0HR', at: at(8), as: 'hr' }, change: { runId: 'run-8', at: at(8), actionIds: ['y'], result: 'ok', verified: true } }), item('d', { decision: { verdict: 'keep', by: 'slack:U0MONA', at: at(1), as: 'reviewer' } })],
  };

  it('writes one row per person x item, people sorted by email, optional fields only when known', () => {
    const evidence = reviewEvidence(campaign, [carol, zed]);
    const common = { kind: 'iam-group', holder: `${ACCOUNT}/carol` };
    const carolFields = { email: 'carol@example.com', employeeId: 'E7', fullName: 'Carol <Dev>', role: 'admin', department: 'Engineering', reviewer: 'manager mona@example.com (slack:U0MONA)', escalatedAt: at(7).toISOString() };
    expect(evidence.rows).toStrictEqual([
      { ...carolFields, entitlement: 'IAM group c', ...common, roleAllows: true, decision: 'revoke', decidedBy: 'slack:U0HR', decidedAt: at(8).toISOString(), decidedAs: 'hr', change: 'ok', verified: true, changeRunId: 'run-8' },
      { ...carolFields, entitlement: 'IAM group d', ...common, roleAllows: false, decision: 'keep', decidedBy: 'slack:U0MONA', decidedAt: at(1).toISOString(), decidedAs: 'reviewer' },
      {
        email: 'zed@example.com',
        employeeId: 'E9',
        reviewer: 'HR (manager-left)',
        entitlement: 'IAM group a',
        ...common,
        roleAllows: false,
        decision: 'revoke',
        decidedBy: 'system',
        decidedAt: at(14).toISOString(),
        decidedAs: 'undecided-default',
        change: 'failed',
        verified: false,
        changeRunId: 'run-9',
        changeDetail: 'AccessDenied',
      },
      { email: 'zed@example.com', employeeId: 'E9', reviewer: 'HR (manager-left)', entitlement: 'IAM group b', ...common, roleAllows: false, decision: 'undecided' },
    ]);
    expect(reviewEvidence(campaign, [zed, carol]).rows).toStrictEqual(evidence.rows);
    expect(evidence.summary).toStrictEqual({ people: 2, items: 4, kept: 1, revoked: 2, undecided: 1, defaulted: 1, revokesVerified: 1, revokesOpen: 1, reminded: 1, escalated: 1 });
    expect(evidence.campaign).toStrictEqual({
      id: 'rev-e',
      scope: 'department:Engineering',
      status: 'closed',
      startedAt: NOW.toISOString(),
      startedBy: 'cli:test',
      dueAt: at(14).toISOString(),
      closedAt: at(14).toISOString(),
      undecided: 'keep',
      remindAfterDays: 3,
      escalateAfterDays: 7,
    });
  });

  it('leaves closedAt out of an open campaign, and labels a manager without a Slack id by email alone', () => {
    const open = createDummyCampaign({ scope: { kind: 'account', account: ACCOUNT } });
    expect(reviewEvidence(open, []).campaign).not.toHaveProperty('closedAt');
    expect(reviewEvidence(open, []).campaign.scope).toBe(`account:${ACCOUNT}`);
    expect(reviewerLabel({ kind: 'manager', email: 'mona@example.com' })).toBe('manager mona@example.com');
  });
});

describe('reviewedRevocations', () => {
  it('takes each person\'s latest campaign whatever the order packets come in, and ignores packets of unknown campaigns', () => {
    const older = createDummyCampaign({ id: 'old', startedAt: at(-90) });
    const newer = createDummyCampaign({ id: 'new', startedAt: at(-1) });
    const revoked = (campaignId: string, groupName: string, role?: string): ReviewPacket => ({
      ...createDummyPacket(older),
      campaignId,
      person: { employeeId: 'E7', email: 'carol@example.com', ...(role !== undefined ? { role } : {}) },
      items: [item(groupName, { decision: { verdict: 'revoke', by: 'slack:U0MONA', at: at(-1), as: 'reviewer' } }), item('kept', { decision: { verdict: 'keep', by: 'slack:U0MONA', at: at(-1), as: 'reviewer' } })],
    });
    const expected = { employeeId: 'E7', email: 'carol@example.com', entitlement: group('new-one'), roleAllows: false, campaignId: 'new', decidedAt: at(-1) };
    expect(reviewedRevocations([older, newer], [revoked('new', 'new-one'), revoked('old', 'old-one', 'admin')])).toStrictEqual([expected]);
    expect(reviewedRevocations([older, newer], [revoked('old', 'old-one'), revoked('new', 'new-one', 'admin')])).toStrictEqual([{ ...expected, role: 'admin' }]);
    expect(reviewedRevocations([older], [revoked('gone', 'x'), revoked('old', 'old-one')]).map((r) => r.campaignId)).toStrictEqual(['old']);
  });
});
