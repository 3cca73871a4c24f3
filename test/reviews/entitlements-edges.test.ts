import { describeEntitlement, entitlementHolder, entitlementKey, grantedByRole, revocationOf, type Entitlement } from '../../src/domain/reviews/entitlements';
import type { RoleGrant } from '../../src/domain/policy';
import { ACCOUNT } from '../fixtures/builders';

const CAROL = { employeeId: 'E7', email: 'carol@example.com' };
const SET_ARN = 'arn:aws:sso:::permissionSet/ssoins-1/ps-ops';
const at = { account: ACCOUNT, userName: 'carol' };
const ic = { account: 'd-1', userName: 'carol@example.com', userId: 'u-carol' };
const revoke = (account: string, userName: string) => ({ account, userName, person: CAROL, reason: 'review-revoked', control: 'least-privilege' });

/** Each kind: how a reviewer reads it, its stable key, where it is held, and the action that takes it away. */
const KINDS: readonly { e: Entitlement; describe: string; key: string; holder: string; action: Record<string, unknown> }[] = [
  {
    e: { kind: 'iam-group', ...at, groupName: 'Admins' },
    describe: 'IAM group Admins',
    key: `iam-group|${ACCOUNT}/carol|Admins`,
    holder: `${ACCOUNT}/carol`,
    action: { kind: 'remove-from-group', ...revoke(ACCOUNT, 'carol'), target: { groupName: 'Admins' } },
  },
  {
    e: { kind: 'iam-managed-policy', ...at, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', policyName: 'ReadOnlyAccess' },
    describe: 'IAM policy ReadOnlyAccess (attached to the user)',
    key: `iam-managed-policy|${ACCOUNT}/carol|arn:aws:iam::aws:policy/ReadOnlyAccess`,
    holder: `${ACCOUNT}/carol`,
    action: { kind: 'detach-user-policy', ...revoke(ACCOUNT, 'carol'), target: { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
  },
  {
    e: { kind: 'iam-inline-policy', ...at, policyName: 'extra' },
    describe: 'IAM inline policy extra',
    key: `iam-inline-policy|${ACCOUNT}/carol|extra`,
    holder: `${ACCOUNT}/carol`,
    action: { kind: 'delete-user-policy', ...revoke(ACCOUNT, 'carol'), target: { policyName: 'extra' } },
  },
  {
    e: { kind: 'iam-access-key', ...at, accessKeyId: 'AKIAEXAMPLE' },
    describe: 'IAM access key AKIAEXAMPLE',
    key: `iam-access-key|${ACCOUNT}/carol|AKIAEXAMPLE`,
    holder: `${ACCOUNT}/carol`,
    action: { kind: 'deactivate-access-key', ...revoke(ACCOUNT, 'carol'), target: { accessKeyId: 'AKIAEXAMPLE' } },
  },
  {
    e: { kind: 'host-account', account: ACCOUNT, instanceId: 'i-0abc', osUser: 'carol' },
    describe: 'host account carol on i-0abc',
    key: 'host-account|i-0abc:carol|login',
    holder: 'i-0abc:carol',
    action: { kind: 'lock-host-user', plane: 'host', ...revoke(ACCOUNT, 'i-0abc:carol'), target: { instanceId: 'i-0abc', osUser: 'carol' } },
  },
  {
    e: { kind: 'ic-group', ...ic, membershipId: 'm-1', groupId: 'g-ops', groupName: 'Ops' },
    describe: 'Identity Center group Ops',
    key: 'ic-group|d-1/carol@example.com|g-ops',
    holder: 'd-1/carol@example.com',
    action: { kind: 'remove-ic-membership', plane: 'identity-center', ...revoke('d-1', 'carol@example.com'), target: { userId: 'u-carol', membershipId: 'm-1', groupId: 'g-ops', groupName: 'Ops' } },
  },
  {
    e: { kind: 'ic-assignment', ...ic, accountId: ACCOUNT, permissionSetArn: SET_ARN, permissionSetName: 'Ops' },
    describe: `Identity Center permission set Ops in account ${ACCOUNT}`,
    key: `ic-assignment|d-1/carol@example.com|${SET_ARN}@${ACCOUNT}`,
    holder: 'd-1/carol@example.com',
    action: { kind: 'delete-ic-assignment', plane: 'identity-center', ...revoke('d-1', 'carol@example.com'), target: { userId: 'u-carol', accountId: ACCOUNT, permissionSetArn: SET_ARN, permissionSetName: 'Ops' } },
  },
];

describe('entitlements, kind by kind', () => {
  it.each(KINDS)('$e.kind reads, keys and revokes exactly', ({ e, describe, key, holder, action }) => {
    expect(describeEntitlement(e)).toBe(describe);
    expect(entitlementKey(e)).toBe(key);
    expect(entitlementHolder(e)).toBe(holder);
    const { id, ...planned } = revocationOf(e, CAROL);
    expect(planned).toStrictEqual(action);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('grantedByRole', () => {
  const grant: RoleGrant = {
    groups: ['admins'],
    managedPolicies: ['readonlyaccess', 'arn:aws:iam::aws:policy/PowerUserAccess'],
    identityCenter: { groups: ['OPS'], permissionSets: [{ name: 'Billing', accounts: [ACCOUNT] }, { name: 'Ops', accounts: [ACCOUNT] }] },
  };
  const none: RoleGrant = { groups: [], managedPolicies: [] };
  const granted = (e: Entitlement, g: RoleGrant | undefined = grant): boolean => grantedByRole(e, g);

  it('matches group and policy names case-insensitively, a policy by name or by ARN', () => {
    expect(granted({ kind: 'iam-group', ...at, groupName: 'Admins' })).toBe(true);
    expect(granted({ kind: 'iam-group', ...at, groupName: 'Admins2' })).toBe(false);
    expect(granted({ kind: 'iam-managed-policy', ...at, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', policyName: 'ReadOnlyAccess' })).toBe(true);
    expect(granted({ kind: 'iam-managed-policy', ...at, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess', policyName: 'Renamed' })).toBe(true);
    expect(granted({ kind: 'iam-managed-policy', ...at, policyArn: 'arn:aws:iam::aws:policy/Billing', policyName: 'Billing' })).toBe(false);
  });

  it('never grants inline policies, access keys or host accounts, and nothing without a role', () => {
    for (const e of KINDS.map((k) => k.e).filter((x) => ['iam-inline-policy', 'iam-access-key', 'host-account'].includes(x.kind))) expect([e.kind, granted(e)]).toStrictEqual([e.kind, false]);
    expect(grantedByRole({ kind: 'iam-group', ...at, groupName: 'admins' }, undefined)).toBe(false);
  });

  it('grants Identity Center groups by name and permission sets only in the accounts the role lists', () => {
    expect(granted({ kind: 'ic-group', ...ic, membershipId: 'm-1', groupId: 'g-ops', groupName: 'ops' })).toBe(true);
    expect(granted({ kind: 'ic-group', ...ic, membershipId: 'm-1', groupId: 'g-ops', groupName: 'ops' }, none)).toBe(false);
    const assignment = (accountId: string, permissionSetName: string): Entitlement => ({ kind: 'ic-assignment', ...ic, accountId, permissionSetArn: SET_ARN, permissionSetName });
    expect(granted(assignment(ACCOUNT, 'Ops'))).toBe(true);
    expect(granted(assignment('999999999999', 'Ops'))).toBe(false);
    expect(granted(assignment(ACCOUNT, 'ops'))).toBe(false);
    expect(granted(assignment(ACCOUNT, 'Ops'), none)).toBe(false);
  });
});
