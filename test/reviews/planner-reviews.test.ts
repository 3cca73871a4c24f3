import { evaluateGuard } from '../../src/domain/guard';
import { plan, usersNeedingDetail } from '../../src/domain/planner';
import type { ReviewedRevocation } from '../../src/domain/reviews/types';
import { ACCOUNT, NOW, createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser, createDummyUserWithDetail } from '../fixtures/builders';
import { group } from './builders';

const carol = createDummyPerson({ employeeId: 'E7', email: 'carol@example.com', role: 'admin', awsUsernames: ['carol'] });
const revoked = (overrides: Partial<ReviewedRevocation> = {}): ReviewedRevocation => ({
  employeeId: 'E7',
  email: 'carol@example.com',
  role: 'admin',
  entitlement: group('admins'),
  roleAllows: true,
  campaignId: 'rev-1',
  decidedAt: NOW,
  ...overrides,
});
const input = (reviews: readonly ReviewedRevocation[], person = carol, users = [createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] })]) => ({
  roster: createDummyRoster([person]),
  inventory: createDummyInventory(users),
  policy: createDummyPolicy(),
  now: NOW,
  reviews,
});

describe('planning what reviews revoked', () => {
  it('removes a revoked group the role allows, with reason review-revoked', () => {
    const actions = plan(input([revoked()])).actions;
    expect(actions.map((a) => [a.kind, a.target, a.reason, a.control, a.person?.email])).toEqual([
      ['remove-from-group', { groupName: 'admins' }, 'review-revoked', 'least-privilege', 'carol@example.com'],
    ]);
  });

  it('plans nothing without reviews, and nothing once the group is gone', () => {
    expect(plan(input([])).actions).toEqual([]);
    expect(plan(input([revoked()], carol, [createDummyUser({ userName: 'carol', groups: ['developers'] })])).actions).toEqual([]);
  });

  it('does not report a reviewed exception as a missing grant, but reports it again after a role change (which also lifts the revocation)', () => {
    const without = input([revoked()], carol, [createDummyUser({ userName: 'carol', groups: ['developers'] })]);
    expect(plan(without).findings.filter((f) => f.kind === 'missing-grant')).toEqual([]);
    expect(plan({ ...without, reviews: [] }).findings.filter((f) => f.kind === 'missing-grant')).toHaveLength(1);
    const promoted = { ...carol, role: 'engineer' };
    const afterRoleChange = input([revoked()], promoted, [createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] })]);
    expect(plan(afterRoleChange).actions.map((a) => a.reason)).toEqual(['excess-privilege']);
    const regranted = input([revoked()], { ...carol, role: 'Admin ' }, [createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] })]);
    expect(plan(regranted).actions.map((a) => a.reason)).toEqual(['review-revoked']);
  });

  it('ignores a revocation whose employee id now names someone else, or a person who left (offboarding owns that)', () => {
    expect(plan(input([revoked({ email: 'mallory@example.com' })])).actions).toEqual([]);
    const left = { ...carol, status: 'departed' as const, endAt: new Date(NOW.getTime() + 86_400_000) };
    expect(plan(input([revoked()], left)).actions.filter((a) => a.reason === 'review-revoked')).toEqual([]);
  });

  it('plans one action when least privilege removes the same group anyway', () => {
    const excess = revoked({ entitlement: group('ops'), roleAllows: false });
    const actions = plan(input([excess], carol, [createDummyUser({ userName: 'carol', groups: ['developers', 'admins', 'ops'] })])).actions;
    expect(actions.map((a) => [a.kind, a.target])).toEqual([['remove-from-group', { groupName: 'ops' }]]);
  });

  it('deactivates a revoked access key only once live detail shows it active, and asks for that detail', () => {
    const key = revoked({ entitlement: { kind: 'iam-access-key', account: ACCOUNT, userName: 'carol', accessKeyId: 'AKIACAROL1' }, roleAllows: false });
    const bulk = input([key]);
    expect(usersNeedingDetail(bulk)).toEqual([{ account: ACCOUNT, userNames: ['carol'] }]);
    expect(plan(bulk).actions).toEqual([]);
    const live = input([key], carol, [createDummyUserWithDetail({ userName: 'carol', groups: ['developers'] }, { accessKeys: [{ id: 'AKIACAROL1', status: 'Active', createdAt: NOW }] })]);
    expect(plan(live).actions.map((a) => [a.kind, a.target, a.reason])).toEqual([['deactivate-access-key', { accessKeyId: 'AKIACAROL1' }, 'review-revoked']]);
  });

  it('locks a revoked host account the person owns', () => {
    const host = revoked({ entitlement: { kind: 'host-account', account: ACCOUNT, instanceId: 'i-0abc', osUser: 'carol' }, roleAllows: false });
    const withHost = {
      ...input([host]),
      inventory: createDummyInventory([createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] })], {
        hosts: [{ instanceId: 'i-0abc', account: ACCOUNT, status: 'ok', keys: [], lockedUsers: [], accounts: [{ name: 'carol', uid: 1001 }] }],
      }),
    };
    expect(plan(withHost).actions.map((a) => [a.kind, a.target, a.reason])).toEqual([['lock-host-user', { instanceId: 'i-0abc', osUser: 'carol' }, 'review-revoked']]);
  });

  it('counts review revocations toward the guard limit', () => {
    const planned = plan(input([revoked()]));
    expect(evaluateGuard({ plan: planned, activeHeadcount: 1, policy: { maxRevocations: 0, maxHeadcountDropPercent: 100 } }).tripped).toBe(true);
    expect(evaluateGuard({ plan: planned, activeHeadcount: 1, policy: { maxRevocations: 1, maxHeadcountDropPercent: 100 } }).tripped).toBe(false);
  });
});
