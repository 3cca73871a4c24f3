import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';
import type { HostInventory } from '../../src/domain/inventory';
import { ACCOUNT, createDummyCredentials, createDummyPerson, createDummyUser, daysBefore } from '../fixtures/builders';
import { DENY_ALL_ARN, run, type Scenario } from './policy-checks-scenario';

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
