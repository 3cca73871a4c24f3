import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';
import type { IdentityCenterInventory } from '../../src/domain/identity-center';
import { buildContext } from '../../src/domain/planning/context';
import { adminRights, permissionSetAdminRights } from '../../src/domain/policy-checks/admin-rights';
import { adminBudgetCheck, identityCenterExtras, passwordPolicyGaps, runPolicyChecks, type AdminPrincipal } from '../../src/domain/policy-checks/checks';
import { DEFAULT_POLICY_CHECKS } from '../../src/domain/policy-checks/posture';
import type { HostInventory } from '../../src/domain/inventory';
import { ACCOUNT, NOW, createDummyCredentials, createDummyDetail, createDummyPerson, createDummyUser, daysBefore } from '../fixtures/builders';
import { DENY_ALL_ARN, input, run, type Scenario } from './policy-checks-scenario';

const ADMIN = { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
const STAR = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const STAR_ARN = `arn:aws:iam::${ACCOUNT}:policy/everything`;
const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnpjhXCvBKNbGDRhUGvnq5QXOyp8rd3MWRWG8cKpdEK a';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz1t7ZObkNGnIIPu6VvjGvR0X9YaRTLNn8fQdJUdpq3 b';

const ALICE = { employeeId: 'E1', email: 'alice@example.com' };
const BOB = { employeeId: 'E2', email: 'bob@example.com' };

const hostKey = (osUser: string, line: string) => {
  const [keyType, keyBody, comment] = line.split(' ') as [string, string, string];
  return { instanceId: 'i-0abc', osUser, file: `/home/${osUser}/.ssh/authorized_keys`, line: 1, keyType, keyBody, comment };
};

/** Every check with something to say at once: one account, one host. */
const everything: Scenario = {
  people: [
    createDummyPerson({ awsUsernames: ['alice', 'alice-ops', 'ops'], policyAcceptedAt: daysBefore(5), sshKeys: [KEY_A] }),
    createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', awsUsernames: ['bob', 'ops'], policyAcceptedAt: daysBefore(5), ndaSignedAt: daysBefore(5), sshKeys: [KEY_B] }),
    createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysBefore(2), awsUsernames: ['carol'] }),
  ],
  users: [
    createDummyUser({ attachedPolicies: [ADMIN], credentials: createDummyCredentials({ passwordEnabled: true, passwordLastChanged: daysBefore(10) }) }),
    createDummyUser({ userName: 'alice-ops', groups: ['admins'] }),
    createDummyUser({ userName: 'bob', attachedPolicies: [{ name: 'everything', arn: STAR_ARN }] }),
    createDummyUser({ userName: 'ops' }),
    createDummyUser({ userName: 'carol', attachedPolicies: [ADMIN], credentials: createDummyCredentials({ passwordEnabled: true, passwordLastChanged: daysBefore(100) }) }),
    createDummyUser({ userName: 'break-glass-admin', attachedPolicies: [ADMIN] }),
    createDummyUser({ userName: 'svc', inlinePolicies: ['all'], inlinePolicyDocuments: { all: STAR } }),
  ],
  account: {
    managedPolicyDocuments: { [DENY_ALL_ARN]: DENY_ALL_POLICY_DOCUMENT, [STAR_ARN]: STAR },
    groups: [{ name: 'admins', attachedPolicies: [], inlinePolicies: ['root-like'], inlinePolicyDocuments: { 'root-like': STAR } }],
    posture: {
      root: { mfaActive: false, activeAccessKeys: 2, passwordLastUsed: daysBefore(3), accessKeyLastUsed: daysBefore(9) },
      passwordPolicy: { minimumLength: 8, requireSymbols: false, requireNumbers: true, requireUppercase: false, requireLowercase: true },
      roles: [{ kind: 'iam-role', account: ACCOUNT, name: 'deploy', arn: `arn:aws:iam::${ACCOUNT}:role/deploy`, maxSessionSeconds: 5 * 3600 }],
      unread: [{ what: 'roles', error: 'AccessDenied: not allowed' }],
    },
  },
  hosts: [{ instanceId: 'i-0abc', account: ACCOUNT, status: 'ok', keys: [hostKey('ec2-user', KEY_A), hostKey('ec2-user', KEY_B)], lockedUsers: [] } satisfies HostInventory],
  settings: { joiners: { requireAcceptance: true, quarantine: true }, admins: { max: 1 } },
};

describe('every policy check at once, word for word', () => {
  it('writes these findings, actions and runs', () => {
    const result = run(everything);
    expect(result.findings).toStrictEqual([
      { kind: 'joiner-without-acceptance', severity: 'high', control: 'joiner-acceptance', person: ALICE, detail: 'holds access (111111111111/alice, 111111111111/alice-ops) without nda_signed_at on the roster; quarantined: Warden\'s deny-all stays until both are recorded — policy: "…granted only upon completion of this process…"' },
      { kind: 'admin-rights', severity: 'medium', control: 'no-full-rights', account: ACCOUNT, userName: 'alice', person: ALICE, detail: 'full rights (alice has AdministratorAccess attached); 3 administrators against admins.max 1 — policy: "…none of the staff members is granted full rights to access any system…"' },
      { kind: 'admin-rights', severity: 'medium', control: 'no-full-rights', account: ACCOUNT, userName: 'alice-ops', person: ALICE, detail: 'full rights (alice-ops gets inline policy root-like allowing * on * from group admins); 3 administrators against admins.max 1 — policy: "…none of the staff members is granted full rights to access any system…"' },
      { kind: 'admin-rights', severity: 'medium', control: 'no-full-rights', account: ACCOUNT, userName: 'bob', person: BOB, detail: 'full rights (bob has policy everything allowing * on *); 3 administrators against admins.max 1 — policy: "…none of the staff members is granted full rights to access any system…"' },
      { kind: 'admin-rights', severity: 'info', control: 'no-full-rights', account: ACCOUNT, userName: 'break-glass-admin', detail: 'break-glass, counted apart: full rights (break-glass-admin has AdministratorAccess attached); 3 administrators against admins.max 1' },
      { kind: 'admin-rights', severity: 'medium', control: 'no-full-rights', account: ACCOUNT, userName: 'svc', detail: 'full rights (svc has inline policy all allowing * on *); 3 administrators against admins.max 1 — policy: "…none of the staff members is granted full rights to access any system…"' },
      { kind: 'root-access-key', severity: 'high', control: 'minimal-root-use', account: ACCOUNT, userName: '<root_account>', detail: 'root has 2 active access keys; delete them (CIS AWS 1.4) — policy: "…Use of the Admin/Administrator/root accounts is kept to a minimum…"' },
      { kind: 'root-no-mfa', severity: 'high', control: 'minimal-root-use', account: ACCOUNT, userName: '<root_account>', detail: 'root has no MFA device (CIS AWS 1.5) — policy: "…Use of the Admin/Administrator/root accounts is kept to a minimum…"' },
      { kind: 'root-recent-use', severity: 'medium', control: 'minimal-root-use', account: ACCOUNT, userName: '<root_account>', detail: 'root was used 2026-11-23, 3 days ago (within hygiene.rootUseDays 30; CIS AWS 1.7) — policy: "…Use of the Admin/Administrator/root accounts is kept to a minimum…"' },
      { kind: 'password-policy-weak', severity: 'medium', control: 'credential-hygiene', account: ACCOUNT, detail: 'account password policy below the minimum: minimum length 8 (required 14); symbols not required; uppercase letters not required; reuse prevention off (required 24); maximum age none (passwords never expire) (required 90) — policy: "…complex passwords…"' },
      { kind: 'default-password', severity: 'high', control: 'credential-hygiene', account: ACCOUNT, userName: 'alice', person: ALICE, detail: 'console password set 2026-11-16 by someone else and never used in 10 days (limit 7); delete it or have the user change it — policy: "…changed after installation and changed periodically…"' },
      { kind: 'shared-account', severity: 'high', control: 'account-ownership', instanceId: 'i-0abc', detail: 'host account ec2-user holds keys of 2 people (alice@example.com, bob@example.com); give each a personal account — policy: "…required to use personal usernames…"' },
      { kind: 'shared-account', severity: 'medium', control: 'account-ownership', account: ACCOUNT, userName: 'ops', detail: 'IAM user maps to 2 people (alice@example.com, bob@example.com); see ambiguous-identity — policy: "…required to use personal usernames…"' },
      { kind: 'session-too-long', severity: 'medium', control: 'session-timeouts', account: ACCOUNT, userName: 'role/deploy', detail: 'role deploy allows sessions of 5 h (sessions.maxHours 4) — policy: "…Session timeouts are kept in accordance with the best business practices…"' },
      { kind: 'policy-check-unavailable', severity: 'low', control: 'credential-hygiene', account: ACCOUNT, detail: 'roles could not be read (AccessDenied: not allowed); the checks that need it did not run' },
    ]);
    expect(result.actions.map(({ id: _id, ...rest }) => rest)).toStrictEqual(
      ['alice', 'alice-ops'].map((userName) => ({
        kind: 'attach-deny-all',
        account: ACCOUNT,
        userName,
        target: { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN },
        reason: 'joiner-quarantine',
        person: ALICE,
        control: 'joiner-acceptance',
      })),
    );
    expect(result.runs).toStrictEqual([
      { check: 'joiner-acceptance', applicable: true, note: '2 active persons holding IAM access checked' },
      { check: 'admin-budget', applicable: true, note: '3 administrators (limit 1), 1 break-glass apart' },
      { check: 'root-access-keys', applicable: true, note: '1 of 1 account had a credential report root row' },
      { check: 'root-mfa', applicable: true, note: '1 of 1 account had a credential report root row' },
      { check: 'root-use', applicable: true, note: '1 of 1 account had a credential report root row' },
      { check: 'password-policy', applicable: true, note: '1 of 1 account had their password policy read' },
      { check: 'default-passwords', applicable: true, note: '1 of 1 account had a credential report' },
      { check: 'shared-host-accounts', applicable: true, note: '1 host read' },
      { check: 'shared-iam-users', applicable: true, note: '7 IAM users matched against the roster' },
      { check: 'session-duration', applicable: true, note: '1 role in 1 of 1 account' },
    ]);
  });
});

describe('adminRights: what counts as full rights', () => {
  const user = (overrides: Parameters<typeof createDummyUser>[0]) => createDummyUser({ userName: 'u', ...overrides });
  const starGroup = { name: 'everything-group', attachedPolicies: [], inlinePolicies: ['all'], inlinePolicyDocuments: { all: STAR } };
  const plainGroup = { name: 'developers', attachedPolicies: [], inlinePolicies: [] };

  it('knows AdministratorAccess by its name or by its ARN, and nothing merely like it', () => {
    expect(adminRights(user({ attachedPolicies: [{ name: 'Renamed', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] }), [])).toStrictEqual(['u has AdministratorAccess attached']);
    expect(adminRights(user({ attachedPolicies: [{ name: 'AdministratorAccess', arn: `arn:aws:iam::${ACCOUNT}:policy/copy` }] }), [])).toStrictEqual(['u has AdministratorAccess attached']);
    expect(adminRights(user({ attachedPolicies: [{ name: 'AdministratorAccessLite', arn: 'arn:aws:iam::aws:policy/AdministratorAccessLite' }, { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }), [])).toStrictEqual([]);
  });

  it('reads documents only where they allow * on *, and an inline policy only when its document was read', () => {
    const narrow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    const narrowArn = `arn:aws:iam::${ACCOUNT}:policy/narrow`;
    expect(adminRights(user({ attachedPolicies: [{ name: 'narrow', arn: narrowArn }] }), [], { [narrowArn]: narrow })).toStrictEqual([]);
    expect(adminRights(user({ inlinePolicies: ['narrow'], inlinePolicyDocuments: { narrow } }), [])).toStrictEqual([]);
    expect(adminRights(user({ inlinePolicies: ['unread'] }), [])).toStrictEqual([]);
  });

  it('looks up each of the user\'s groups by its own name', () => {
    expect(adminRights(user({ groups: ['developers'] }), [starGroup, plainGroup], {}, { byGroupName: false })).toStrictEqual([]);
    expect(adminRights(user({ groups: ['gone'] }), [starGroup], {}, { byGroupName: false })).toStrictEqual([]);
    expect(adminRights(user({ groups: ['everything-group'] }), [plainGroup, starGroup], {}, { byGroupName: false })).toStrictEqual(['u gets inline policy all allowing * on * from group everything-group']);
  });

  it('by default (the second-approver rule) also counts a group named like admin, without reading it', () => {
    expect(adminRights(user({ groups: ['Team-Admins', 'developers'] }), [plainGroup])).toStrictEqual(['u is in group Team-Admins']);
    expect(adminRights(user({ groups: ['Team-Admins'] }), [], {}, { byGroupName: false })).toStrictEqual([]);
  });
});

describe('permissionSetAdminRights', () => {
  const set = (inlinePolicy: string | null, managedPolicies?: { name: string; arn: string }[]) => ({
    arn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-x',
    name: 'X',
    sessionSeconds: 3600,
    inlinePolicy,
    provisionedAccounts: [],
    ...(managedPolicies !== undefined ? { managedPolicies } : {}),
  });

  it('names AdministratorAccess and an inline * on *, and nothing for narrower, unreadable or absent policies', () => {
    expect(permissionSetAdminRights(set(JSON.stringify(STAR), [ADMIN]))).toStrictEqual(['AdministratorAccess in permission set X', 'inline policy of permission set X allowing * on *']);
    expect(permissionSetAdminRights(set(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] })))).toStrictEqual([]);
    expect(permissionSetAdminRights(set('{not json'))).toStrictEqual([]);
    expect(permissionSetAdminRights(set(null, [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }]))).toStrictEqual([]);
  });
});

describe('the checks at their edges', () => {
  const joiners = (quarantine: boolean) => ({ joiners: { requireAcceptance: true, quarantine } });
  const alice = (overrides: Parameters<typeof createDummyPerson>[0] = {}) => createDummyPerson({ awsUsernames: ['alice'], ...overrides });

  it('counts a date recorded at this very instant as signed, and says why the joiner check is off', () => {
    expect(run({ people: [alice({ policyAcceptedAt: NOW, ndaSignedAt: NOW })], users: [createDummyUser()], settings: joiners(false) }).findings).toStrictEqual([]);
    expect(run({ people: [alice()], users: [createDummyUser()] }).runs[0]).toStrictEqual({
      check: 'joiner-acceptance',
      applicable: false,
      note: 'joiners.requireAcceptance and joiners.quarantine are off',
    });
  });

  it('asks only active people, and tells how to quarantine when quarantine is off', () => {
    const result = run({ people: [alice({ status: 'on_leave' }), createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', awsUsernames: ['bob'] })], users: [createDummyUser(), createDummyUser({ userName: 'bob' })], settings: joiners(false) });
    expect(result.findings.map((f) => [f.person?.email, f.detail])).toStrictEqual([
      [
        'bob@example.com',
        `holds access (${ACCOUNT}/bob) without policy_accepted_at and nda_signed_at on the roster; set joiners.quarantine: true to deny access until then — policy: "…granted only upon completion of this process…"`,
      ],
    ]);
    expect(result.runs[0]?.note).toBe('1 active person holding IAM access checked');
  });

  it('lifts a quarantine only from a user that still has Warden\'s deny-all attached', () => {
    const accepted = alice({ policyAcceptedAt: daysBefore(1), ndaSignedAt: daysBefore(1) });
    const other = createDummyUser({ attachedPolicies: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    expect(run({ people: [accepted], users: [other], settings: joiners(true), quarantined: [`${ACCOUNT}/alice`] }).actions).toStrictEqual([]);
  });

  it('takes the latest root use of either kind, and says when no account had a root row', () => {
    const root = (passwordLastUsed: Date, accessKeyLastUsed: Date) => ({ account: { posture: { root: { mfaActive: true, activeAccessKeys: 0, passwordLastUsed, accessKeyLastUsed } } } });
    expect(run(root(daysBefore(40), daysBefore(3))).findings.map((f) => f.detail)).toStrictEqual([
      'root was used 2026-11-23, 3 days ago (within hygiene.rootUseDays 30; CIS AWS 1.7) — policy: "…Use of the Admin/Administrator/root accounts is kept to a minimum…"',
    ]);
    expect(run({}).runs.filter((r) => r.check.startsWith('root-'))).toStrictEqual(
      ['root-access-keys', 'root-mfa', 'root-use'].map((check) => ({ check, applicable: false, note: '0 of 1 account had a credential report root row' })),
    );
  });

  it('names every gap of a missing or classless policy, and asks nothing the requirement does not', () => {
    const none = { minimumLength: 14, requireSymbols: false, requireNumbers: false, requireUppercase: false, requireLowercase: false };
    expect(passwordPolicyGaps(null, DEFAULT_POLICY_CHECKS.passwordPolicy)).toStrictEqual(['no account password policy is set (IAM allows 8 characters, no character classes, reuse, no expiry)']);
    expect(passwordPolicyGaps({ ...none, reusePrevention: 24, maxAgeDays: 90 }, DEFAULT_POLICY_CHECKS.passwordPolicy)).toStrictEqual([
      'symbols not required',
      'numbers not required',
      'uppercase letters not required',
      'lowercase letters not required',
    ]);
    expect(passwordPolicyGaps(none, { ...none, reusePrevention: 0, maxAgeDays: 0 })).toStrictEqual([]);
  });

  it('reads default passwords only in accounts with a credential report, and says how many had one', () => {
    const unused = createDummyUser({ credentials: createDummyCredentials({ passwordEnabled: true, passwordLastChanged: daysBefore(30) }) });
    const result = run({ people: [alice()], users: [unused], account: { credentialReportAt: null } });
    expect(result.findings).toStrictEqual([]);
    expect(result.runs.find((r) => r.check === 'default-passwords')).toStrictEqual({ check: 'default-passwords', applicable: false, note: '0 of 1 account had a credential report' });
  });

  it('reads hosts that answered only, sorts shared accounts and their people, and knows IAM SSH keys as their owner\'s', () => {
    const ann = createDummyPerson({ employeeId: 'E0', email: 'ann@example.com', awsUsernames: ['ann'] });
    const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', sshKeys: [KEY_B] });
    const annUser = createDummyUser({ userName: 'ann', detail: createDummyDetail({ sshPublicKeys: [{ id: 'APKA1', status: 'Active', body: KEY_A }, { id: 'APKA2', status: 'Active' }] }) });
    const keys = [hostKey('zed', KEY_B), hostKey('zed', KEY_A), hostKey('app', KEY_B), hostKey('app', KEY_A), hostKey('mid', KEY_A), hostKey('mid', KEY_B)];
    const found = run({ people: [bob, ann], users: [annUser], hosts: [{ instanceId: 'i-0abc', account: ACCOUNT, status: 'ok', keys, lockedUsers: [] }] });
    expect(found.findings.map((f) => f.detail.split(' holds')[0])).toStrictEqual(['host account app', 'host account mid', 'host account zed']);
    expect(found.findings[0]?.detail.split(';')[0]).toBe('host account app holds keys of 2 people (ann@example.com, bob@example.com)');
    const down = run({ people: [bob, ann], users: [annUser], hosts: [{ instanceId: 'i-0abc', account: ACCOUNT, status: 'unreachable', keys, lockedUsers: [] }] });
    expect(down.findings).toStrictEqual([]);
    expect(down.runs.find((r) => r.check === 'shared-host-accounts')).toStrictEqual({ check: 'shared-host-accounts', applicable: false, note: 'no host was read' });
  });

  it('makes a shared IAM user high when any one of its people is leaving, naming them sorted', () => {
    const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', awsUsernames: ['ops'], status: 'departed', endAt: daysBefore(1) });
    const found = run({ people: [bob, alice({ awsUsernames: ['ops'] })], users: [createDummyUser({ userName: 'ops' })] }).findings.filter((f) => f.kind === 'shared-account');
    expect(found.map((f) => [f.severity, f.detail.split(';')[0]])).toStrictEqual([['high', 'IAM user maps to 2 people (alice@example.com, bob@example.com)']]);
  });

  it('checks permission sets of another plane when no role was read, naming them as permission sets', () => {
    const limit = { kind: 'permission-set' as const, account: 'd-1', name: 'Admin', arn: 'arn:aws:sso:::permissionSet/x', maxSessionSeconds: 12 * 3600 };
    const result = runPolicyChecks(buildContext(input({})), DEFAULT_POLICY_CHECKS, { sessionLimits: [limit] });
    expect(result.findings).toStrictEqual([
      {
        kind: 'session-too-long',
        severity: 'medium',
        control: 'session-timeouts',
        account: 'd-1',
        userName: 'permission-set/Admin',
        detail: 'permission set Admin allows sessions of 12 h (sessions.maxHours 4) — policy: "…Session timeouts are kept in accordance with the best business practices…"',
      },
    ]);
    expect(result.runs.find((r) => r.check === 'session-duration')).toStrictEqual({ check: 'session-duration', applicable: true, note: '1 role in 0 of 1 account' });
    const read = run({ account: { posture: { roles: [] } } }).runs.find((r) => r.check === 'session-duration');
    expect(read).toStrictEqual({ check: 'session-duration', applicable: true, note: '0 roles in 1 of 1 account' });
  });

  it('counts admins without break-glass ones, and names a principal that has no account or user name by nothing else', () => {
    const principals: AdminPrincipal[] = [
      { label: 'x', breakGlass: false, reasons: ['x can use AdministratorAccess', 'x can use Ops'] },
      { label: 'y', account: '1', userName: 'y', person: ALICE, breakGlass: false, reasons: ['y has AdministratorAccess attached'] },
    ];
    const result = adminBudgetCheck(principals, 2);
    expect(result.runs).toStrictEqual([{ check: 'admin-budget', applicable: true, note: '2 administrators (limit 2)' }]);
    expect(result.findings).toStrictEqual([
      { kind: 'admin-rights', severity: 'info', control: 'no-full-rights', detail: 'full rights (x can use AdministratorAccess; x can use Ops); 2 administrators against admins.max 2' },
      { kind: 'admin-rights', severity: 'info', control: 'no-full-rights', account: '1', userName: 'y', person: ALICE, detail: 'full rights (y has AdministratorAccess attached); 2 administrators against admins.max 2' },
    ]);
  });
});

describe('identityCenterExtras', () => {
  const ic = (assignments: IdentityCenterInventory['assignments']): IdentityCenterInventory => ({
    instanceArn: 'arn:aws:sso:::instance/ssoins-1',
    identityStoreId: 'd-1',
    source: 'internal',
    users: [{ userId: 'u-alice', userName: 'alice', emails: ['alice@example.com'], externalIds: [] }],
    groups: [],
    memberships: [],
    permissionSets: [{ arn: 'arn:aws:sso:::permissionSet/ps-admin', name: 'Admin', sessionSeconds: 3600, inlinePolicy: null, provisionedAccounts: [ACCOUNT], managedPolicies: [ADMIN] }],
    assignments,
  });
  const extras = (assignments: IdentityCenterInventory['assignments']) => {
    const base = input({ people: [createDummyPerson()] });
    return identityCenterExtras(buildContext({ ...base, inventory: { ...base.inventory, identityCenter: ic(assignments) } }));
  };
  const sessionLimits = [{ kind: 'permission-set', account: 'd-1', name: 'Admin', arn: 'arn:aws:sso:::permissionSet/ps-admin', maxSessionSeconds: 3600 }];

  it('names a matched Identity Center admin\'s person, and carries no admins key when nobody can use a full-rights set', () => {
    expect(extras([{ accountId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ps-admin', principalType: 'USER', principalId: 'u-alice' }])).toStrictEqual({
      sessionLimits,
      admins: [{ label: 'identity-center/alice', account: 'd-1', userName: 'alice', person: ALICE, breakGlass: false, reasons: ['alice can use AdministratorAccess in permission set Admin'] }],
    });
    expect(extras([])).toStrictEqual({ sessionLimits });
  });
});
