import { plan } from '../../src/domain/planner';
import { evaluateGuard } from '../../src/domain/guard';
import { buildContext } from '../../src/domain/planning/context';
import type { AccountInventory, HostInventory, IamUser } from '../../src/domain/inventory';
import type { Person } from '../../src/domain/roster';
import { DEFAULT_POLICY_CHECKS, type AccountPosture } from '../../src/domain/policy-checks/posture';
import { adminBudgetCheck, passwordPolicyGaps, runPolicyChecks, type AdminPrincipal } from '../../src/domain/policy-checks/checks';
import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';
import { DENY_ALL_ARN, input, run, type Scenario } from './policy-checks-scenario';
import {
  ACCOUNT,
  NOW,
  createDummyCredentials,
  createDummyGuardPolicy,
  createDummyPerson,
  createDummyUser,
  daysBefore,
} from '../fixtures/builders';

const ADMIN = { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
const kinds = (s: Scenario) => run(s).findings.map((f) => f.kind);
const runOf = (s: Scenario, check: string) => run(s).runs.find((r) => r.check === check);

const alice = (overrides: Partial<Person> = {}): Person => createDummyPerson({ awsUsernames: ['alice'], ...overrides });
const accepted = { policyAcceptedAt: daysBefore(10), ndaSignedAt: daysBefore(10) };

describe('joiners: access only after the NDA and the policy', () => {
  const on = { joiners: { requireAcceptance: true, quarantine: false } };

  it('is a high finding for an active person holding an IAM user without both dates, naming what is missing', () => {
    const result = run({ people: [alice({ ndaSignedAt: daysBefore(3) })], users: [createDummyUser()], settings: on });
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'joiner-without-acceptance', severity: 'high', control: 'joiner-acceptance', person: { employeeId: 'E1', email: 'alice@example.com' } }),
    ]);
    expect(result.findings[0]?.detail).toContain('without policy_accepted_at on the roster');
    expect(result.actions).toEqual([]);
  });

  it('passes once both are recorded, and for a person holding no access', () => {
    expect(kinds({ people: [alice(accepted)], users: [createDummyUser()], settings: on })).toEqual([]);
    expect(kinds({ people: [alice()], users: [], settings: on })).toEqual([]);
  });

  it('does not count a date in the future as signed (one second either side of now)', () => {
    const future = { policyAcceptedAt: new Date(NOW.getTime() + 1000), ndaSignedAt: daysBefore(1) };
    const past = { policyAcceptedAt: new Date(NOW.getTime() - 1000), ndaSignedAt: daysBefore(1) };
    expect(kinds({ people: [alice(future)], users: [createDummyUser()], settings: on })).toEqual(['joiner-without-acceptance']);
    expect(kinds({ people: [alice(past)], users: [createDummyUser()], settings: on })).toEqual([]);
  });

  it('is off unless configured, and says so', () => {
    expect(kinds({ people: [alice()], users: [createDummyUser()] })).not.toContain('joiner-without-acceptance');
    expect(runOf({ people: [alice()], users: [createDummyUser()] }, 'joiner-acceptance')).toMatchObject({ applicable: false });
  });

  it('with quarantine, attaches Warden deny-all to each of their users, once', () => {
    const settings = { joiners: { requireAcceptance: false, quarantine: true } };
    const result = run({ people: [alice({ awsUsernames: ['alice', 'alice-ops'] })], users: [createDummyUser(), createDummyUser({ userName: 'alice-ops' })], settings });
    expect(result.actions.map((a) => [a.kind, a.userName, a.reason, a.target])).toEqual([
      ['attach-deny-all', 'alice', 'joiner-quarantine', { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN }],
      ['attach-deny-all', 'alice-ops', 'joiner-quarantine', { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN }],
    ]);
    const denied = createDummyUser({ attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }] });
    expect(run({ people: [alice()], users: [denied], settings }).actions).toEqual([]);
  });

  it('lifts only Warden deny-all, only once both are recorded, and only where the audit log shows Warden quarantined the user', () => {
    const settings = { joiners: { requireAcceptance: true, quarantine: true } };
    const held = createDummyUser({
      attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }, { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      inlinePolicies: ['warden-deny-all'],
      inlinePolicyDocuments: { 'warden-deny-all': DENY_ALL_POLICY_DOCUMENT },
    });
    const lifted = run({ people: [alice(accepted)], users: [held], settings, quarantined: [`${ACCOUNT}/alice`] });
    expect(lifted.actions.map((a) => [a.kind, a.target, a.reason])).toEqual([['lift-quarantine', { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN }, 'joiner-accepted']]);

    // A deny-all the joiner (or an admin) attached is not Warden's quarantine: nothing comes off.
    expect(run({ people: [alice(accepted)], users: [held], settings, quarantined: [] }).actions).toEqual([]);
    expect(run({ people: [alice(accepted)], users: [held], settings }).actions).toEqual([]);
    // Still missing a date: the quarantine stays.
    expect(run({ people: [alice({ policyAcceptedAt: daysBefore(1) })], users: [held], settings, quarantined: [`${ACCOUNT}/alice`] }).actions).toEqual([]);
  });

  it('never lifts for a leaver, whatever the roster dates say', () => {
    const settings = { joiners: { requireAcceptance: true, quarantine: true } };
    const held = createDummyUser({ attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }] });
    const leaver = alice({ ...accepted, status: 'departed', endAt: daysBefore(1) });
    const result = run({ people: [leaver], users: [held], settings, quarantined: [`${ACCOUNT}/alice`] });
    expect(result.actions.filter((a) => a.kind === 'lift-quarantine')).toEqual([]);
  });

  it('counts quarantines against the guard limit, so a roster that lost its columns cannot deny everyone', () => {
    const people = Array.from({ length: 4 }, (_, i) => createDummyPerson({ employeeId: `E${i}`, email: `p${i}@example.com`, awsUsernames: [`p${i}`] }));
    const users = people.map((_, i) => createDummyUser({ userName: `p${i}` }));
    const planned = plan(input({ people, users, settings: { joiners: { requireAcceptance: true, quarantine: true } } }));
    expect(planned.actions.filter((a) => a.reason === 'joiner-quarantine')).toHaveLength(4);
    expect(evaluateGuard({ plan: planned, activeHeadcount: 4, policy: createDummyGuardPolicy({ maxRevocations: 3 }) }).tripped).toBe(true);
    expect(evaluateGuard({ plan: planned, activeHeadcount: 4, policy: createDummyGuardPolicy({ maxRevocations: 4 }) }).tripped).toBe(false);
  });
});

describe('admins: no staff member holds full rights', () => {
  const admin = (userName: string, email: string): [Person, IamUser] => [
    createDummyPerson({ employeeId: userName, email, awsUsernames: [userName] }),
    createDummyUser({ userName, attachedPolicies: [ADMIN] }),
  ];

  it('counts people against admins.max: at the limit info, one over medium', () => {
    const [p1, u1] = admin('ann', 'ann@example.com');
    const [p2, u2] = admin('ben', 'ben@example.com');
    const within = run({ people: [p1, p2], users: [u1, u2], settings: { admins: { max: 2 } } }).findings.filter((f) => f.kind === 'admin-rights');
    expect(within.map((f) => f.severity)).toEqual(['info', 'info']);
    const over = run({ people: [p1, p2], users: [u1, u2], settings: { admins: { max: 1 } } }).findings.filter((f) => f.kind === 'admin-rights');
    expect(over.map((f) => [f.userName, f.severity, f.control])).toEqual([
      ['ann', 'medium', 'no-full-rights'],
      ['ben', 'medium', 'no-full-rights'],
    ]);
  });

  it('finds full rights in customer and inline policies allowing * on *, also through groups, whatever their names', () => {
    const everything = JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });
    const people = ['cat', 'dan', 'eve'].map((n) => createDummyPerson({ employeeId: n, email: `${n}@example.com`, awsUsernames: [n] }));
    const users = [
      createDummyUser({ userName: 'cat', attachedPolicies: [{ name: 'helper', arn: `arn:aws:iam::${ACCOUNT}:policy/helper` }] }),
      createDummyUser({ userName: 'dan', inlinePolicies: ['x'], inlinePolicyDocuments: { x: everything } }),
      createDummyUser({ userName: 'eve', groups: ['platform'] }),
    ];
    const account = {
      groups: [{ name: 'platform', attachedPolicies: [], inlinePolicies: ['ops'], inlinePolicyDocuments: { ops: everything } }],
      managedPolicyDocuments: { [`arn:aws:iam::${ACCOUNT}:policy/helper`]: everything },
    };
    const found = run({ people, users, account, settings: { admins: { max: 0 } } }).findings.filter((f) => f.kind === 'admin-rights');
    expect(found.map((f) => f.userName)).toEqual(['cat', 'dan', 'eve']);
    // A group merely named "admins" grants nothing by its name here.
    expect(kinds({ people, users: [createDummyUser({ userName: 'cat', groups: ['admins'] })], settings: { admins: { max: 0 } } })).not.toContain('admin-rights');
  });

  it('counts one person with two admin users once, and break-glass apart', () => {
    const principals: AdminPrincipal[] = [
      { label: 'a/ann', person: { employeeId: 'E1', email: 'ann@example.com' }, breakGlass: false, reasons: ['x'] },
      { label: 'b/ann', person: { employeeId: 'E1', email: 'ann@example.com' }, breakGlass: false, reasons: ['x'] },
      { label: 'a/break-glass-admin', breakGlass: true, reasons: ['x'] },
    ];
    const result = adminBudgetCheck(principals, 1);
    expect(result.findings.map((f) => f.severity)).toEqual(['info', 'info', 'info']);
    expect(result.runs[0]?.note).toBe('1 administrator (limit 1), 1 break-glass apart');
    expect(adminBudgetCheck(principals, 0).findings.map((f) => f.severity)).toEqual(['medium', 'medium', 'info']);
  });
});

describe('root: kept to a minimum', () => {
  const posture = (root: AccountPosture['root']): Partial<AccountInventory> => ({ posture: root === undefined ? {} : { root } });

  it('finds root access keys and missing MFA', () => {
    expect(kinds({ account: posture({ mfaActive: false, activeAccessKeys: 1 }) })).toEqual(['root-access-key', 'root-no-mfa']);
    expect(kinds({ account: posture({ mfaActive: true, activeAccessKeys: 0 }) })).toEqual([]);
  });

  it('finds root used within hygiene.rootUseDays, not at the limit', () => {
    const used = (days: number) => kinds({ account: posture({ mfaActive: true, activeAccessKeys: 0, passwordLastUsed: daysBefore(days) }), settings: { rootUseDays: 30 } });
    expect(used(29)).toEqual(['root-recent-use']);
    expect(used(30)).toEqual([]);
    expect(kinds({ account: posture({ mfaActive: true, activeAccessKeys: 0, accessKeyLastUsed: daysBefore(2) }) })).toEqual(['root-recent-use']);
  });

  it('is not applicable without a root row', () => {
    expect(runOf({ account: posture(undefined) }, 'root-mfa')).toMatchObject({ applicable: false });
  });
});

describe('password policy against the configured minimum', () => {
  const strong = { minimumLength: 14, requireSymbols: true, requireNumbers: true, requireUppercase: true, requireLowercase: true, reusePrevention: 24, maxAgeDays: 90 };
  const required = DEFAULT_POLICY_CHECKS.passwordPolicy;

  it('passes exactly at the minimum and names each gap one step below it', () => {
    expect(passwordPolicyGaps(strong, required)).toEqual([]);
    expect(passwordPolicyGaps({ ...strong, minimumLength: 13, requireSymbols: false, reusePrevention: 23, maxAgeDays: 91 }, required)).toEqual([
      'minimum length 13 (required 14)',
      'symbols not required',
      'reuse prevention 23 (required 24)',
      'maximum age 91 days (required 90)',
    ]);
    const { maxAgeDays: _age, reusePrevention: _reuse, ...open } = strong;
    expect(passwordPolicyGaps(open, required)).toEqual(['reuse prevention off (required 24)', 'maximum age none (passwords never expire) (required 90)']);
  });

  it('is a finding per account with a weak or missing policy, and not applicable when unread', () => {
    expect(kinds({ account: { posture: { passwordPolicy: null } } })).toEqual(['password-policy-weak']);
    expect(kinds({ account: { posture: { passwordPolicy: strong } } })).toEqual([]);
    const unread = { posture: { unread: [{ what: 'password-policy' as const, error: 'AccessDenied: no' }] } };
    expect(kinds({ account: unread })).toEqual(['policy-check-unavailable']);
    expect(runOf({ account: unread }, 'password-policy')).toMatchObject({ applicable: false });
  });
});

describe('default passwords', () => {
  const person = alice();
  const withPassword = (setDaysAgo: number, lastUsed?: Date) =>
    createDummyUser({ credentials: createDummyCredentials({ passwordEnabled: true, mfaActive: true, passwordLastChanged: daysBefore(setDaysAgo), ...(lastUsed ? { passwordLastUsed: lastUsed } : {}) }) });

  it('finds a console password never used defaultPasswordDays after it was set, not a day sooner', () => {
    expect(kinds({ people: [person], users: [withPassword(7)], settings: { defaultPasswordDays: 7 } })).toEqual(['default-password']);
    expect(kinds({ people: [person], users: [withPassword(6)], settings: { defaultPasswordDays: 7 } })).toEqual([]);
    expect(kinds({ people: [person], users: [withPassword(100, daysBefore(50))] })).toEqual([]);
  });

  it('leaves break-glass passwords (kept unused in the safe) alone', () => {
    const glass = createDummyUser({ userName: 'break-glass-admin', credentials: createDummyCredentials({ passwordEnabled: true, mfaActive: true, passwordLastChanged: daysBefore(400) }) });
    expect(kinds({ users: [glass] })).not.toContain('default-password');
  });
});

describe('shared accounts', () => {
  const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnpjhXCvBKNbGDRhUGvnq5QXOyp8rd3MWRWG8cKpdEK a';
  const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz1t7ZObkNGnIIPu6VvjGvR0X9YaRTLNn8fQdJUdpq3 b';
  const hostKey = (osUser: string, line: string) => {
    const [keyType, keyBody, comment] = line.split(' ') as [string, string, string];
    return { instanceId: 'i-0abc', osUser, file: `/home/${osUser}/.ssh/authorized_keys`, line: 1, keyType, keyBody, comment };
  };
  const host = (keys: ReturnType<typeof hostKey>[]): HostInventory => ({ instanceId: 'i-0abc', account: ACCOUNT, status: 'ok', keys, lockedUsers: [] });
  const people = [createDummyPerson({ sshKeys: [KEY_A] }), createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', sshKeys: [KEY_B] })];

  it('finds a host account holding keys of two people, not one holding one person key twice', () => {
    const shared = run({ people, hosts: [host([hostKey('ec2-user', KEY_A), hostKey('ec2-user', KEY_B)])] }).findings;
    expect(shared).toEqual([expect.objectContaining({ kind: 'shared-account', severity: 'high', instanceId: 'i-0abc' })]);
    expect(shared[0]?.detail).toContain('host account ec2-user holds keys of 2 people (alice@example.com, bob@example.com)');
    expect(kinds({ people, hosts: [host([hostKey('alice', KEY_A), hostKey('bob', KEY_B), hostKey('alice', KEY_A)])] })).toEqual([]);
  });

  it('finds an IAM user that maps to two people', () => {
    const two = [createDummyPerson({ awsUsernames: ['ops'] }), createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', awsUsernames: ['ops'] })];
    expect(kinds({ people: two, users: [createDummyUser({ userName: 'ops' })] })).toEqual(['shared-account']);
    expect(kinds({ people: [two[0] as Person], users: [createDummyUser({ userName: 'ops' })] })).toEqual([]);
  });
});

describe('session timeouts', () => {
  const role = (hours: number) => ({ kind: 'iam-role' as const, account: ACCOUNT, name: `r${hours}`, arn: `arn:aws:iam::${ACCOUNT}:role/r${hours}`, maxSessionSeconds: hours * 3600 });

  it('finds roles allowing sessions longer than sessions.maxHours, not at it', () => {
    const found = run({ account: { posture: { roles: [role(4), role(5), role(12)] } }, settings: { sessions: { maxHours: 4 } } }).findings;
    expect(found.map((f) => [f.kind, f.control, f.detail.split(' allows')[0]])).toEqual([
      ['session-too-long', 'session-timeouts', 'role r5'],
      ['session-too-long', 'session-timeouts', 'role r12'],
    ]);
    expect(runOf({ account: { posture: {} } }, 'session-duration')).toMatchObject({ applicable: false });
  });

  it('takes permission sets from another plane through the same check', () => {
    const context = buildContext(input({}));
    const extra = [{ kind: 'permission-set' as const, account: ACCOUNT, name: 'Admin', arn: 'arn:aws:sso:::permissionSet/x', maxSessionSeconds: 12 * 3600 }];
    const result = runPolicyChecks(context, DEFAULT_POLICY_CHECKS, { sessionLimits: extra });
    expect(result.findings.map((f) => f.detail)).toEqual([expect.stringContaining('permission set Admin allows sessions of 12 h')]);
  });
});

describe('the planner runs the checks only when the policy asks', () => {
  it('checks the session length of Identity Center permission sets the inventory read, on both sides of sessions.maxHours', () => {
    const set = (name: string, hours: number) => ({ arn: `arn:aws:sso:::permissionSet/ssoins-1/ps-${name}`, name, sessionSeconds: hours * 3600, inlinePolicy: null, provisionedAccounts: [ACCOUNT] });
    const base = input({ account: { posture: { roles: [] } }, settings: { sessions: { maxHours: 4 } } });
    const identityCenter = {
      instanceArn: 'arn:aws:sso:::instance/ssoins-1',
      identityStoreId: 'd-1',
      source: 'internal' as const,
      users: [],
      groups: [],
      memberships: [],
      permissionSets: [set('ReadOnly', 4), set('PowerUser', 8)],
      assignments: [],
    };
    const found = plan({ ...base, inventory: { ...base.inventory, identityCenter } }).findings.filter((f) => f.kind === 'session-too-long');
    expect(found.map((f) => f.detail.split(' allows')[0])).toEqual(['permission set PowerUser']);
  });

  it('counts Identity Center users in the admin budget through AdministratorAccess or an inline * on * in a set they can use, on both sides of admins.max', () => {
    const set = (name: string, extra: { managedPolicies?: { name: string; arn: string }[]; inlinePolicy?: string }) => ({
      arn: `arn:aws:sso:::permissionSet/ssoins-1/ps-${name}`,
      name,
      sessionSeconds: 3600,
      inlinePolicy: extra.inlinePolicy ?? null,
      provisionedAccounts: [ACCOUNT],
      ...(extra.managedPolicies !== undefined ? { managedPolicies: extra.managedPolicies } : {}),
    });
    const user = (n: string) => ({ userId: `u-${n}`, userName: `${n}@example.com`, emails: [`${n}@example.com`], externalIds: [] });
    const identityCenter = {
      instanceArn: 'arn:aws:sso:::instance/ssoins-1',
      identityStoreId: 'd-1',
      source: 'internal' as const,
      users: [user('ann'), user('ben'), user('cy')],
      groups: [{ groupId: 'g-ops', displayName: 'Ops' }],
      memberships: [{ membershipId: 'm-1', groupId: 'g-ops', userId: 'u-ben' }],
      permissionSets: [
        set('Admin', { managedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] }),
        set('Ops', { inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }),
        set('ReadOnly', { managedPolicies: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }),
      ],
      assignments: [
        { accountId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-Admin', principalType: 'USER' as const, principalId: 'u-ann' },
        { accountId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-Ops', principalType: 'GROUP' as const, principalId: 'g-ops' },
        { accountId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-ReadOnly', principalType: 'USER' as const, principalId: 'u-cy' },
      ],
    };
    const admins = (max: number) => {
      const base = input({ settings: { admins: { max } } });
      return plan({ ...base, inventory: { ...base.inventory, identityCenter } }).findings.filter((f) => f.kind === 'admin-rights');
    };
    const within = admins(2);
    expect(within.map((f) => [f.userName, f.severity])).toEqual([
      ['ann@example.com', 'info'],
      ['ben@example.com', 'info'],
    ]);
    expect(within[0]?.detail).toContain('AdministratorAccess in permission set Admin');
    expect(within[1]?.detail).toContain('permission set Ops');
    expect(admins(1).map((f) => f.severity)).toEqual(['medium', 'medium']);
  });

  it('adds their findings to the plan', () => {
    const base = input({ account: { posture: { passwordPolicy: null } } });
    expect(plan(base).findings.map((f) => f.kind)).toContain('password-policy-weak');
    const { checks: _checks, ...without } = base.policy;
    expect(plan({ ...base, policy: without }).findings.map((f) => f.kind)).not.toContain('password-policy-weak');
  });

  it('uses no clock of its own: the same input plans the same at any time', () => {
    const s = { people: [alice()], users: [createDummyUser({ credentials: createDummyCredentials({ passwordEnabled: true, passwordLastChanged: daysBefore(8) }) })] };
    expect(plan(input(s))).toEqual(plan(input(s)));
  });
});
