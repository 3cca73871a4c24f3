import type { IdentityCenterInventory } from '../../src/domain/identity-center';
import { describeEntitlement, entitlementKey } from '../../src/domain/reviews/entitlements';
import { holdingsOf, parseScope, scopeLabel } from '../../src/domain/reviews/holdings';
import { ACCOUNT, NOW, OTHER_ACCOUNT, createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser } from '../fixtures/builders';

describe('scopes', () => {
  it('parses each spelling, trimmed, and refuses near misses', () => {
    const parsed = [' all ', 'department:  Sales Ops ', 'account:123456789012', 'ALL', 'department:   ', 'account:1234567890123', 'account: 123456789012', 'xaccount:123456789012', 'department', 'xdepartment:Ops', 'department:Ops\nall'].map(parseScope);
    expect(parsed).toStrictEqual([
      { kind: 'all' },
      { kind: 'department', name: 'Sales Ops' },
      { kind: 'account', account: '123456789012' },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([{ kind: 'all' } as const, { kind: 'department', name: 'Ops' } as const, { kind: 'account', account: ACCOUNT } as const].map(scopeLabel)).toStrictEqual(['all', 'department:Ops', `account:${ACCOUNT}`]);
  });
});

describe('holdingsOf, at the edges', () => {
  const denyAll = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
  const ann = createDummyPerson({ employeeId: 'E1', email: 'ann@example.com', awsUsernames: ['ann', 'ann2'], department: ' sales ' });
  const zoe = createDummyPerson({ employeeId: 'E2', email: 'zoe@example.com', awsUsernames: ['zoe'], status: 'on_leave' });
  const users = [
    createDummyUser({ userName: 'ann', groups: ['developers'], attachedPolicies: [{ name: 'warden-deny-all', arn: denyAll }, { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }),
    createDummyUser({ userName: 'ann2', account: OTHER_ACCOUNT, inlinePolicies: ['x'] }),
    createDummyUser({ userName: 'zoe', groups: ['developers'] }),
  ];
  const identityCenter: IdentityCenterInventory = {
    instanceArn: 'arn:aws:sso:::instance/ssoins-1',
    identityStoreId: 'd-1',
    source: 'internal',
    users: [{ userId: 'u-ann', userName: 'ann@example.com', emails: ['ann@example.com'], externalIds: [] }],
    groups: [],
    memberships: [{ membershipId: 'm-1', groupId: 'g-unnamed', userId: 'u-ann' }],
    permissionSets: [],
    assignments: [{ accountId: OTHER_ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ps-unread', principalType: 'USER', principalId: 'u-ann' }],
  };
  const input = { roster: createDummyRoster([zoe, ann]), inventory: createDummyInventory(users, { identityCenter }), policy: createDummyPolicy(), now: NOW };

  it('never offers Warden\'s deny-all, names unread Identity Center groups and sets by id, and sorts people by email', () => {
    const holdings = holdingsOf(input, { kind: 'all' });
    expect(holdings.map((h) => [h.person.email, h.entitlements.map(describeEntitlement)])).toStrictEqual([
      [
        'ann@example.com',
        [
          'IAM group developers',
          'IAM policy ReadOnlyAccess (attached to the user)',
          'IAM inline policy x',
          'Identity Center group g-unnamed',
          `Identity Center permission set arn:aws:sso:::permissionSet/ps-unread in account ${OTHER_ACCOUNT}`,
        ],
      ],
    ]);
  });

  it('matches a department whatever its case and blanks, and an account scope by where each holding lives', () => {
    expect(holdingsOf(input, { kind: 'department', name: 'SALES' }).map((h) => h.person.email)).toStrictEqual(['ann@example.com']);
    expect(holdingsOf(input, { kind: 'department', name: ' Sales\t' }).map((h) => h.person.email)).toStrictEqual(['ann@example.com']);
    expect(holdingsOf(input, { kind: 'department', name: 'ops' })).toStrictEqual([]);
    const other = holdingsOf(input, { kind: 'account', account: OTHER_ACCOUNT });
    expect(other[0]?.entitlements.map(entitlementKey)).toStrictEqual([`iam-inline-policy|${OTHER_ACCOUNT}/ann2|x`, `ic-assignment|d-1/ann@example.com|arn:aws:sso:::permissionSet/ps-unread@${OTHER_ACCOUNT}`]);
  });

  it('offers a person only their own direct Identity Center assignments, their host accounts, and sorts people by email', () => {
    const bea = createDummyPerson({ employeeId: 'E3', email: 'bea@example.com' });
    const twoUsers: IdentityCenterInventory = {
      ...identityCenter,
      users: [...identityCenter.users, { userId: 'u-bea', userName: 'bea@example.com', emails: ['bea@example.com'], externalIds: [] }],
      memberships: [],
      assignments: [
        { accountId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ps-a', principalType: 'USER', principalId: 'u-ann' },
        { accountId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ps-b', principalType: 'USER', principalId: 'u-bea' },
      ],
    };
    const host = { instanceId: 'i-0abc', account: OTHER_ACCOUNT, status: 'ok' as const, keys: [], lockedUsers: [], accounts: [{ name: 'bea', uid: 1001 }] };
    const holdings = holdingsOf({ ...input, roster: createDummyRoster([zoe, bea, ann]), inventory: createDummyInventory([], { identityCenter: twoUsers, hosts: [host] }) }, { kind: 'all' });
    expect(holdings.map((h) => [h.person.email, h.entitlements.map(entitlementKey)])).toStrictEqual([
      ['ann@example.com', [`ic-assignment|d-1/ann@example.com|arn:aws:sso:::permissionSet/ps-a@${ACCOUNT}`]],
      ['bea@example.com', ['host-account|i-0abc:bea|login', `ic-assignment|d-1/bea@example.com|arn:aws:sso:::permissionSet/ps-b@${ACCOUNT}`]],
    ]);
  });
});
