import type { IdentityCenterInventory } from '../../src/domain/identity-center';
import { plan } from '../../src/domain/planner';
import { startCampaign } from '../../src/domain/reviews/campaign';
import { describeEntitlement, entitlementKey, grantedByRole } from '../../src/domain/reviews/entitlements';
import { holdingsOf } from '../../src/domain/reviews/holdings';
import type { ReviewedRevocation } from '../../src/domain/reviews/types';
import { createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, NOW } from '../fixtures/builders';

const STORE = 'd-1234567890';
const PS_RO = 'arn:aws:sso:::permissionSet/ssoins-1/ps-ro';
const PS_ADMIN = 'arn:aws:sso:::permissionSet/ssoins-1/ps-admin';
const PROD = '111111111111';
const DEV = '222222222222';

/** Carol (E7) is in Engineers and Admins and holds ReadOnly in DEV and Admin in PROD directly; Bob has left. */
function ic(overrides: Partial<IdentityCenterInventory> = {}): IdentityCenterInventory {
  return {
    instanceArn: 'arn:aws:sso:::instance/ssoins-1',
    identityStoreId: STORE,
    source: 'internal',
    users: [
      { userId: 'u-carol', userName: 'carol@example.com', emails: ['carol@example.com'], externalIds: [] },
      { userId: 'u-bob', userName: 'bob@example.com', emails: ['bob@example.com'], externalIds: [] },
      { userId: 'u-who', userName: 'someone', emails: [], externalIds: [] },
    ],
    groups: [
      { groupId: 'g-eng', displayName: 'Engineers' },
      { groupId: 'g-admins', displayName: 'Admins' },
    ],
    memberships: [
      { membershipId: 'm-carol-eng', groupId: 'g-eng', userId: 'u-carol' },
      { membershipId: 'm-carol-admins', groupId: 'g-admins', userId: 'u-carol' },
      { membershipId: 'm-bob-eng', groupId: 'g-eng', userId: 'u-bob' },
      { membershipId: 'm-who-eng', groupId: 'g-eng', userId: 'u-who' },
    ],
    permissionSets: [
      { arn: PS_RO, name: 'ReadOnly', sessionSeconds: 3600, inlinePolicy: null, provisionedAccounts: [PROD, DEV] },
      { arn: PS_ADMIN, name: 'Admin', sessionSeconds: 3600, inlinePolicy: null, provisionedAccounts: [PROD] },
    ],
    assignments: [
      { accountId: DEV, permissionSetArn: PS_RO, principalType: 'USER', principalId: 'u-carol' },
      { accountId: PROD, permissionSetArn: PS_ADMIN, principalType: 'USER', principalId: 'u-carol' },
      { accountId: PROD, permissionSetArn: PS_RO, principalType: 'GROUP', principalId: 'g-eng' },
    ],
    ...overrides,
  };
}

const carol = createDummyPerson({ employeeId: 'E7', email: 'carol@example.com', role: 'admin', awsUsernames: [] });
const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', role: 'admin', status: 'departed', endAt: new Date(NOW.getTime() - 86_400_000) });
/** The admin role allows Engineers and Admins and ReadOnly in DEV; the direct Admin assignment in PROD is not allowed. */
const ADMIN = { groups: [], managedPolicies: [], identityCenter: { groups: ['Engineers', 'Admins'], permissionSets: [{ name: 'ReadOnly', accounts: [DEV] }] } };
const policy = createDummyPolicy({ roles: { admin: ADMIN } });
const input = (identityCenter = ic(), reviews: readonly ReviewedRevocation[] = []) => ({
  roster: createDummyRoster([carol, bob]),
  inventory: createDummyInventory([], { identityCenter }),
  policy,
  now: NOW,
  reviews,
});

const adminsMembership = { kind: 'ic-group', account: STORE, userName: 'carol@example.com', userId: 'u-carol', membershipId: 'm-carol-admins', groupId: 'g-admins', groupName: 'Admins' } as const;
const roAssignment = { kind: 'ic-assignment', account: STORE, userName: 'carol@example.com', userId: 'u-carol', accountId: DEV, permissionSetArn: PS_RO, permissionSetName: 'ReadOnly' } as const;
const revoked = (entitlement: ReviewedRevocation['entitlement'], roleAllows = true): ReviewedRevocation => ({
  employeeId: 'E7',
  email: 'carol@example.com',
  role: 'admin',
  entitlement,
  roleAllows,
  campaignId: 'rev-1',
  decidedAt: NOW,
});

describe('Identity Center entitlements in a review', () => {
  it('offers each active person\'s group memberships and direct assignments (not group assignments), and nobody else\'s', () => {
    const holdings = holdingsOf(input(), { kind: 'all' });
    expect(holdings.map((h) => h.person.email)).toEqual(['carol@example.com']);
    expect(holdings[0]?.entitlements.map(describeEntitlement)).toEqual([
      'Identity Center group Engineers',
      'Identity Center group Admins',
      `Identity Center permission set ReadOnly in account ${DEV}`,
      `Identity Center permission set Admin in account ${PROD}`,
    ]);
    expect(holdings[0]?.entitlements.map(entitlementKey)).toContain(`ic-group|${STORE}/carol@example.com|g-admins`);
  });

  it('keeps to the scope: an account scope offers the assignments in that account only', () => {
    const holdings = holdingsOf(input(), { kind: 'account', account: DEV });
    expect(holdings[0]?.entitlements.map(describeEntitlement)).toEqual([`Identity Center permission set ReadOnly in account ${DEV}`]);
  });

  it('knows what the role allows', () => {
    expect(grantedByRole(adminsMembership, ADMIN)).toBe(true);
    expect(grantedByRole(roAssignment, ADMIN)).toBe(true);
    expect(grantedByRole({ ...roAssignment, accountId: PROD }, ADMIN)).toBe(false);
    expect(grantedByRole(adminsMembership, { groups: ['Admins'], managedPolicies: [] })).toBe(false);
    const started = startCampaign({
      id: 'rev-1',
      scope: { kind: 'all' },
      startedBy: 'cli:test',
      now: NOW,
      dueAt: new Date(NOW.getTime() + 86_400_000),
      settings: { remindAfterDays: 1, escalateAfterDays: 1, undecided: 'keep' },
      holdings: holdingsOf(input(), { kind: 'all' }),
      people: [carol, bob],
      roleOf: () => ADMIN,
    });
    expect(started.packets[0]?.items.map((i) => i.roleAllows)).toEqual([true, true, true, false]);
  });

  it('plans a revoked membership and assignment away on the identity-center plane, with reason review-revoked', () => {
    const actions = plan(input(ic(), [revoked(adminsMembership), revoked(roAssignment)])).actions.filter((a) => a.reason === 'review-revoked');
    expect(actions.map((a) => [a.plane, a.kind, a.account, a.userName, a.target, a.person?.email])).toEqual([
      ['identity-center', 'remove-ic-membership', STORE, 'carol@example.com', { userId: 'u-carol', membershipId: 'm-carol-admins', groupId: 'g-admins', groupName: 'Admins' }, 'carol@example.com'],
      ['identity-center', 'delete-ic-assignment', STORE, 'carol@example.com', { userId: 'u-carol', accountId: DEV, permissionSetArn: PS_RO, permissionSetName: 'ReadOnly' }, 'carol@example.com'],
    ]);
  });

  it('takes a revoked membership away again when it comes back under a new membership id', () => {
    const readded = ic({ memberships: [{ membershipId: 'm-carol-admins-2', groupId: 'g-admins', userId: 'u-carol' }] });
    const actions = plan(input(readded, [revoked(adminsMembership)])).actions.filter((a) => a.reason === 'review-revoked');
    expect(actions.map((a) => a.target)).toEqual([{ userId: 'u-carol', membershipId: 'm-carol-admins-2', groupId: 'g-admins', groupName: 'Admins' }]);
  });

  it('records a revoked entitlement the role allows as a reviewed exception: gone, not re-granted, not reported missing', () => {
    const gone = ic({
      memberships: ic().memberships.filter((m) => m.membershipId !== 'm-carol-admins'),
      assignments: ic().assignments.filter((a) => !(a.principalId === 'u-carol' && a.accountId === DEV)),
    });
    const withoutReview = plan(input(gone)).findings.filter((f) => f.kind === 'missing-grant').map((f) => f.detail);
    expect(withoutReview).toEqual([expect.stringContaining('group Admins'), expect.stringContaining('ReadOnly in account 222222222222')]);
    const reviewed = plan(input(gone, [revoked(adminsMembership), revoked(roAssignment)]));
    expect(reviewed.findings.filter((f) => f.kind === 'missing-grant')).toEqual([]);
    expect(reviewed.actions.filter((a) => a.userName === 'carol@example.com' && a.reason === 'review-revoked')).toEqual([]);
  });

  it('plans one action when least privilege removes the same assignment anyway', () => {
    const admin = { ...roAssignment, accountId: PROD, permissionSetArn: PS_ADMIN, permissionSetName: 'Admin' };
    const actions = plan(input(ic(), [revoked(admin, false)])).actions.filter((a) => a.kind === 'delete-ic-assignment');
    expect(actions.map((a) => [a.target, a.reason])).toEqual([[{ userId: 'u-carol', accountId: PROD, permissionSetArn: PS_ADMIN, permissionSetName: 'Admin' }, 'excess-privilege']]);
  });
});
