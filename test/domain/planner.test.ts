import { createHash } from 'node:crypto';
import type { IamUser, Inventory } from '../../src/domain/inventory';
import { isRevocation, type Action, type Finding, type FindingKind, type Plan } from '../../src/domain/plan';
import { plan, usersNeedingDetail } from '../../src/domain/planner';
import { DENY_ALL_POLICY_DOCUMENT, type AccessPolicy } from '../../src/domain/policy';
import type { Person, Roster } from '../../src/domain/roster';
import {
  ACCOUNT,
  NOW,
  OTHER_ACCOUNT,
  createDummyAccount,
  createDummyCredentials,
  createDummyInventory,
  createDummyPerson,
  createDummyPolicy,
  createDummyRoster,
  createDummyUser,
  createDummyUserWithDetail,
  daysAfter,
  daysBefore,
} from '../fixtures/builders';
import { applyActionsToInventory } from '../fixtures/simulate';

interface Scenario {
  readonly people?: readonly Person[];
  readonly users?: readonly IamUser[];
  readonly roster?: Partial<Roster>;
  readonly inventory?: Partial<Inventory>;
  readonly policy?: Partial<AccessPolicy>;
  readonly now?: Date;
}

const inputOf = (s: Scenario) => ({
  roster: createDummyRoster(s.people ?? [], s.roster),
  inventory: createDummyInventory(s.users ?? [], s.inventory),
  policy: createDummyPolicy(s.policy),
  now: s.now ?? NOW,
});

const planFor = (s: Scenario): Plan => plan(inputOf(s));

const kinds = (actions: readonly Action[]): string[] => actions.map((a) => a.kind);
const findingsOf = (p: Plan, kind: FindingKind): Finding[] => p.findings.filter((f) => f.kind === kind);

const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });
const DENY_ALL_ARN = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;

const bobWithEverything = (): IamUser =>
  createDummyUserWithDetail(
    { userName: 'bob', groups: ['developers', 'admins'] },
    {
      accessKeys: [
        { id: 'AKIABOB1', status: 'Active', createdAt: daysBefore(100) },
        { id: 'AKIABOB2', status: 'Inactive', createdAt: daysBefore(400) },
        { id: 'AKIABOB3', status: 'Active', createdAt: daysBefore(10) },
      ],
      loginProfile: { createdAt: daysBefore(300) },
      sshPublicKeys: [
        { id: 'APKABOB1', status: 'Active' },
        { id: 'APKABOB2', status: 'Inactive' },
      ],
      signingCertificates: [{ id: 'CERTBOB', status: 'Active' }],
      serviceSpecificCredentials: [{ id: 'ACCABOB', serviceName: 'codecommit.amazonaws.com', status: 'Active' }],
      mfaDevices: [{ serialNumber: 'arn:aws:iam::111111111111:mfa/bob', virtual: true }],
    },
  );

describe('plan: departed people past their end', () => {
  it('stops every access path, one reversible action per key, deny-all first', () => {
    const p = planFor({ people: [bob], users: [bobWithEverything()] });
    expect(p.actions.map((a) => [a.kind, a.target])).toEqual([
      ['attach-deny-all', { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN }],
      ['deactivate-access-key', { accessKeyId: 'AKIABOB1' }],
      ['deactivate-access-key', { accessKeyId: 'AKIABOB3' }],
      ['delete-login-profile', {}],
      ['deactivate-ssh-key', { sshPublicKeyId: 'APKABOB1' }],
      ['deactivate-signing-certificate', { certificateId: 'CERTBOB' }],
      ['deactivate-service-credential', { serviceSpecificCredentialId: 'ACCABOB', serviceName: 'codecommit.amazonaws.com' }],
      ['remove-from-group', { groupName: 'admins' }],
      ['remove-from-group', { groupName: 'developers' }],
    ]);
    for (const action of p.actions) {
      expect(action).toMatchObject({
        account: ACCOUNT,
        userName: 'bob',
        reason: 'departed',
        control: 'offboarding-24h',
        person: { employeeId: 'E2', email: 'bob@example.com' },
      });
    }
  });

  it('leaves out what is already done', () => {
    const user = createDummyUserWithDetail(
      { userName: 'bob', attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }] },
      { accessKeys: [{ id: 'AKIABOB2', status: 'Inactive', createdAt: daysBefore(400) }], loginProfile: null },
    );
    expect(planFor({ people: [bob], users: [user] }).actions).toEqual([]);
  });

  it('still recognises the older inline deny-all, by its document whatever its name', () => {
    const user = createDummyUserWithDetail(
      { userName: 'bob', inlinePolicies: ['offboarded'], inlinePolicyDocuments: { offboarded: DENY_ALL_POLICY_DOCUMENT } },
      { loginProfile: null },
    );
    expect(planFor({ people: [bob], users: [user] }).actions).toEqual([]);
  });

  it('a user-made inline policy called warden-deny-all that allows things is not the deny-all', () => {
    const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const user = createDummyUserWithDetail(
      { userName: 'bob', inlinePolicies: ['warden-deny-all'], inlinePolicyDocuments: { 'warden-deny-all': allowAll } },
      { loginProfile: null },
    );
    const p = planFor({ people: [bob], users: [user] });
    expect(p.actions.map((a) => [a.kind, a.target])).toEqual([['attach-deny-all', { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN }]]);
    // Named like Warden's but allowing: on someone in post it is an ordinary direct policy, not a "deny-all left on".
    const carolsOwn = createDummyUser({ userName: 'carol', inlinePolicies: ['warden-deny-all'], inlinePolicyDocuments: { 'warden-deny-all': allowAll } });
    const q = planFor({ people: [createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' })], users: [carolsOwn] });
    expect(findingsOf(q, 'direct-policy').map((f) => [f.severity, f.detail.includes('inline: warden-deny-all')])).toEqual([['low', true]]);
  });

  it('without live detail still plans deny-all and groups, and says what it could not check', () => {
    const user = createDummyUser({
      userName: 'bob',
      groups: ['developers'],
      credentials: createDummyCredentials({ passwordEnabled: true, accessKeys: [{ slot: 1, active: true }] }),
    });
    const p = planFor({ people: [bob], users: [user] });
    expect(kinds(p.actions)).toEqual(['attach-deny-all', 'remove-from-group']);
    const [finding] = findingsOf(p, 'user-detail-unavailable');
    expect(finding).toMatchObject({ severity: 'high', account: ACCOUNT, userName: 'bob', person: { email: 'bob@example.com' } });
    expect(finding?.detail).toContain('1 active access keys and a console password');
    expect(finding?.detail).toContain('restricted from accessing any actiTIME servers within 24 hours');
  });

  it('treats departed without end_date as gone now, but never deletes without a known end', () => {
    const noEnd = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed' });
    const p = planFor({ people: [noEnd], users: [bobWithEverything()], now: daysAfter(3650) });
    expect(kinds(p.actions)).toContain('attach-deny-all');
    expect(kinds(p.actions)).not.toContain('delete-user');
  });

  it('plans a single delete-user once deleteAfterDays have passed since the end', () => {
    const ended = createDummyPerson({ ...bob, endAt: daysBefore(30) });
    const p = planFor({ people: [ended], users: [bobWithEverything()] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: 'delete-user', reason: 'departed', control: 'offboarding-24h', target: {} });
    const notYet = planFor({ people: [ended], users: [bobWithEverything()], now: daysBefore(1) });
    expect(kinds(notYet.actions)).not.toContain('delete-user');
  });

  it('honours deleteAfterDays from the policy', () => {
    const p = planFor({ people: [bob], users: [bobWithEverything()], policy: { deleteAfterDays: 0 } });
    expect(kinds(p.actions)).toEqual(['delete-user']);
  });

  it('revokes in every account the person has a user in', () => {
    const p = planFor({
      people: [bob],
      users: [createDummyUser({ userName: 'bob' }), createDummyUser({ userName: 'bob', account: OTHER_ACCOUNT })],
    });
    expect(p.actions.map((a) => [a.account, a.kind])).toEqual([
      [ACCOUNT, 'attach-deny-all'],
      [OTHER_ACCOUNT, 'attach-deny-all'],
    ]);
  });

  it('reports a leaver with no IAM user anywhere as evidence, noting unreadable accounts', () => {
    const p = planFor({ people: [bob], inventory: { accountErrors: [{ account: OTHER_ACCOUNT, message: 'AccessDenied' }] } });
    const [finding] = findingsOf(p, 'departed-without-iam-user');
    expect(finding).toMatchObject({ severity: 'info', person: { email: 'bob@example.com' } });
    expect(finding?.detail).toMatch(/no IAM user in the 1 account read; 1 account could not be read/);
  });
});

describe('plan: people not (yet) gone', () => {
  it('a future departure is a scheduled-departure finding and revokes nothing', () => {
    const leaving = createDummyPerson({ ...bob, endAt: new Date('2026-12-01T05:00:00Z'), departureMarkedBy: 'slack:U1' });
    const p = planFor({
      people: [leaving],
      users: [createDummyUser({ userName: 'bob', groups: ['developers'] })],
      policy: { timezone: 'America/New_York' },
    });
    expect(p.actions.filter(isRevocation)).toEqual([]);
    const [finding] = findingsOf(p, 'scheduled-departure');
    expect(finding?.detail).toContain('2026-12-01 00:00 America/New_York');
    expect(finding?.detail).toContain('marked by slack:U1');
    expect(finding?.detail).toContain(`IAM users: ${ACCOUNT}/bob`);
  });

  it('revokes at the end instant exactly', () => {
    const leaving = createDummyPerson({ ...bob, endAt: NOW });
    expect(kinds(planFor({ people: [leaving], users: [createDummyUser({ userName: 'bob' })] }).actions)).toEqual(['attach-deny-all']);
  });

  it('people on leave keep their access', () => {
    const onLeave = createDummyPerson({ ...bob, status: 'on_leave', endAt: daysBefore(5) });
    const p = planFor({ people: [onLeave], users: [bobWithEverything()] });
    expect(p.actions.filter(isRevocation)).toEqual([]);
  });

  it('an active person whose end_date passed keeps access and gets a finding', () => {
    const stale = createDummyPerson({ ...bob, status: 'active', endAt: daysBefore(2) });
    const p = planFor({ people: [stale], users: [createDummyUser({ userName: 'bob', groups: ['developers'] })] });
    expect(p.actions.filter(isRevocation)).toEqual([]);
    expect(findingsOf(p, 'active-past-end-date')).toHaveLength(1);
  });
});

describe('plan: least privilege for active people', () => {
  const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', role: 'engineer' });
  const readOnly = { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
  const admin = { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };

  it('removes groups and detaches managed policies the role does not allow', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['developers', 'admins'], attachedPolicies: [readOnly, admin] });
    const p = planFor({ people: [carol], users: [user] });
    expect(p.actions.map((a) => [a.kind, a.target, a.reason, a.control])).toEqual([
      ['remove-from-group', { groupName: 'admins' }, 'excess-privilege', 'least-privilege'],
      ['detach-user-policy', { policyArn: admin.arn }, 'excess-privilege', 'least-privilege'],
    ]);
    expect(p.actions.some(isRevocation)).toBe(false);
    const [direct] = findingsOf(p, 'direct-policy');
    expect(direct?.detail).toContain('attached: ReadOnlyAccess, AdministratorAccess');
  });

  describe('never removes a restriction (that would raise privilege)', () => {
    const quarantine = { name: 'AWSCompromisedKeyQuarantineV3', arn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' };
    const quarantineDocument = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['iam:AttachUserPolicy', 'ec2:RunInstances', 's3:*'], Resource: '*' }],
    });
    const forceMfa = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowOwnMfa', Effect: 'Allow', Action: 'iam:EnableMFADevice', Resource: 'arn:aws:iam::*:user/${aws:username}' },
        { Sid: 'DenyWithoutMfa', Effect: 'Deny', NotAction: 'iam:EnableMFADevice', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
      ],
    });
    const accountWith = (extra: { groups?: object[]; managedPolicyDocuments?: Record<string, string> }) => ({
      inventory: {
        accounts: [
          createDummyAccount([], {
            groups: [
              { name: 'developers', attachedPolicies: [], inlinePolicies: [] },
              { name: 'admins', attachedPolicies: [], inlinePolicies: [] },
              { name: 'force-mfa', attachedPolicies: [], inlinePolicies: ['force-mfa'], inlinePolicyDocuments: { 'force-mfa': forceMfa } },
              { name: 'auditors', attachedPolicies: [{ name: 'AWSDenyAll', arn: 'arn:aws:iam::aws:policy/AWSDenyAll' }], inlinePolicies: [] },
              { name: 'contractors', attachedPolicies: [], inlinePolicies: [] },
            ],
            managedPolicyDocuments: {
              [quarantine.arn]: quarantineDocument,
              'arn:aws:iam::aws:policy/AWSDenyAll': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }),
              ...extra.managedPolicyDocuments,
            },
          }),
        ],
      },
    });

    const planWith = (user: IamUser, policy: Partial<AccessPolicy> = {}): Plan => {
      const scenario = accountWith({});
      const account = scenario.inventory.accounts[0];
      if (account === undefined) throw new Error('no account');
      return plan({
        ...inputOf({ people: [carol], policy }),
        inventory: createDummyInventory([], { accounts: [{ ...account, users: [user] }] }),
      });
    };

    it('keeps the AWSCompromisedKeyQuarantineV3 policy and a force-mfa group, and reports them', () => {
      const user = createDummyUser({ userName: 'carol', groups: ['developers', 'force-mfa', 'auditors', 'admins'], attachedPolicies: [quarantine, admin] });
      const p = planWith(user);
      expect(p.actions.map((a) => [a.kind, a.target])).toEqual([
        ['remove-from-group', { groupName: 'admins' }],
        ['detach-user-policy', { policyArn: admin.arn }],
      ]);
      const kept = findingsOf(p, 'restriction-kept');
      expect(kept.map((f) => f.severity)).toEqual(['medium', 'medium', 'medium']);
      expect(kept.map((f) => f.detail).join('\n')).toMatch(/group force-mfa/);
      expect(kept.map((f) => f.detail).join('\n')).toMatch(/group auditors/);
      expect(kept.map((f) => f.detail).join('\n')).toMatch(/AWSCompromisedKeyQuarantineV3/);
    });

    it('keeps what the config lists as protected, Deny or not', () => {
      const user = createDummyUser({ userName: 'carol', groups: ['developers', 'contractors'], attachedPolicies: [admin] });
      const p = planWith(user, { protected: { groups: ['Contractors'], policies: ['AdministratorAccess'] } });
      expect(p.actions).toEqual([]);
      expect(findingsOf(p, 'restriction-kept').map((f) => f.detail.includes('protected'))).toEqual([true, true]);
    });
  });

  it('allows managed policies by ARN as well as by name, and role names case-insensitively', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['Developers'], attachedPolicies: [admin] });
    const p = planFor({
      people: [createDummyPerson({ ...carol, role: 'Engineer' })],
      users: [user],
      policy: { roles: { engineer: { groups: ['developers'], managedPolicies: [admin.arn] } } },
    });
    expect(p.actions).toEqual([]);
  });

  it('reports inline policies as direct-policy findings without changing them', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['developers'], inlinePolicies: ['s3-scratch'] });
    const p = planFor({ people: [carol], users: [user] });
    expect(p.actions).toEqual([]);
    expect(findingsOf(p, 'direct-policy')[0]?.detail).toContain('inline: s3-scratch');
  });

  it('a role the config does not define is an unknown-role finding and nothing is removed', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['admins'], attachedPolicies: [admin] });
    for (const role of ['astronaut', undefined]) {
      const person = role === undefined ? createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' }) : { ...carol, role };
      const withoutRole: Person = role === undefined ? (({ role: _r, ...rest }) => rest)(person) : person;
      const p = planFor({ people: [withoutRole], users: [user] });
      expect(p.actions).toEqual([]);
      expect(findingsOf(p, 'unknown-role')).toHaveLength(1);
    }
  });

  it('with no roles configured, privileges are not enforced', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['admins'] });
    const p = planFor({ people: [carol], users: [user], policy: { roles: {} } });
    expect(p.actions).toEqual([]);
    expect(findingsOf(p, 'unknown-role')).toEqual([]);
  });

  it('reports role groups the user lacks as missing-grant (only groups that exist in the account)', () => {
    const p = planFor({
      people: [createDummyPerson({ ...carol, role: 'admin' })],
      users: [createDummyUser({ userName: 'carol', groups: ['developers'] })],
      policy: { roles: { admin: { groups: ['developers', 'admins', 'no-such-group'], managedPolicies: [] } } },
    });
    const [missing] = findingsOf(p, 'missing-grant');
    expect(missing).toMatchObject({ severity: 'info', userName: 'carol' });
    expect(missing?.detail).toContain('group admins,');
    expect(missing?.detail).not.toContain('no-such-group');
  });

  it('flags a deny-all left on an active person and never lifts it', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['developers'], attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }] });
    const p = planFor({ people: [carol], users: [user] });
    expect(p.actions).toEqual([]);
    expect(findingsOf(p, 'direct-policy').map((f) => f.severity)).toEqual(['medium']);
  });
});

describe('plan: users without a clear owner', () => {
  const dave = createDummyUserWithDetail(
    { userName: 'dave', groups: ['developers'] },
    { accessKeys: [{ id: 'AKIADAVE', status: 'Active', createdAt: daysBefore(3) }] },
  );

  it('reports orphans without touching them by default', () => {
    const p = planFor({ people: [createDummyPerson()], users: [dave] });
    expect(p.actions).toEqual([]);
    const [orphan] = findingsOf(p, 'orphan-user');
    expect(orphan).toMatchObject({ account: ACCOUNT, userName: 'dave', control: 'account-ownership' });
    expect(orphan?.detail).toContain('required to use personal usernames');
  });

  it('quarantines orphans when configured: stop access with reason orphan, never delete', () => {
    const p = planFor({ people: [createDummyPerson()], users: [dave], policy: { orphans: 'quarantine' }, now: daysAfter(3650) });
    expect(p.actions.map((a) => [a.kind, a.reason])).toEqual([
      ['attach-deny-all', 'orphan'],
      ['deactivate-access-key', 'orphan'],
      ['remove-from-group', 'orphan'],
    ]);
    expect(p.actions.every((a) => a.person === undefined)).toBe(true);
  });

  it('holds back a user matching an invalid roster row, even when quarantining', () => {
    const p = planFor({
      people: [createDummyPerson()],
      users: [dave],
      roster: { invalidRowIdentities: [{ employeeId: 'E9', email: 'dave@example.com', awsUsernames: [] }] },
      policy: { orphans: 'quarantine' },
    });
    expect(p.actions).toEqual([]);
    expect(findingsOf(p, 'orphan-user')).toEqual([]);
    expect(findingsOf(p, 'ambiguous-identity')[0]?.detail).toMatch(/invalid roster row .*employee_id E9, email dave@example.com/);
  });

  it('stops access on an ambiguous user when one candidate is a leaver (high finding, never granted)', () => {
    const bob2 = createDummyPerson({ employeeId: 'E5', email: 'bob@other.example', status: 'active' });
    const p = planFor({ people: [bob, bob2], users: [bobWithEverything()] });
    expect(kinds(p.actions)).toEqual(expect.arrayContaining(['attach-deny-all', 'deactivate-access-key', 'delete-login-profile', 'remove-from-group']));
    expect(p.actions.every((a) => a.reason === 'departed' && a.person?.email === 'bob@example.com')).toBe(true);
    const [ambiguous] = findingsOf(p, 'ambiguous-identity');
    expect(ambiguous?.severity).toBe('high');
    expect(ambiguous?.detail).toContain('bob@example.com (E2, line 2), bob@other.example (E5, line 2)');
    expect(ambiguous?.detail).toContain('access stopped');
    expect(findingsOf(p, 'departed-without-iam-user')).toEqual([]);
  });

  it('a leaver who tags their own user with an active colleague\'s employee_id is still revoked', () => {
    const colleague = createDummyPerson({ employeeId: 'E7', email: 'carol@example.com', status: 'active' });
    const tagged = createDummyUserWithDetail(
      { userName: 'bob', tags: { employee_id: 'E7' }, groups: ['developers'] },
      { accessKeys: [{ id: 'AKIABOB1', status: 'Active', createdAt: daysBefore(100) }] },
    );
    const input = inputOf({ people: [bob, colleague], users: [tagged] });
    expect(usersNeedingDetail(input)).toEqual([{ account: ACCOUNT, userNames: ['bob'] }]);
    const p = plan(input);
    expect(kinds(p.actions).sort()).toEqual(['attach-deny-all', 'deactivate-access-key', 'remove-from-group']);
    const [ambiguous] = findingsOf(p, 'ambiguous-identity');
    expect(ambiguous?.severity).toBe('high');
    expect(ambiguous?.detail).toMatch(/tag employee_id: carol@example.com.*user name equal to the email or its local part: bob@example.com/);
  });

  it('an ambiguous user long past the end is stopped, never deleted (ownership is unclear)', () => {
    const longGone = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(400) });
    const colleague = createDummyPerson({ employeeId: 'E7', email: 'carol@example.com', status: 'active' });
    const tagged = createDummyUserWithDetail({ userName: 'bob', tags: { employee_id: 'E7' } }, {});
    const p = planFor({ people: [longGone, colleague], users: [tagged] });
    expect(kinds(p.actions)).toEqual(['attach-deny-all']);
  });

  it('an ambiguous user whose candidates all work here gets no action and a medium finding', () => {
    const alice = createDummyPerson({ employeeId: 'E1', email: 'alice@example.com' });
    const colleague = createDummyPerson({ employeeId: 'E7', email: 'carol@example.com' });
    const p = planFor({ people: [alice, colleague], users: [createDummyUser({ userName: 'alice', tags: { employee_id: 'E7' }, groups: ['admins'] })] });
    expect(p.actions).toEqual([]);
    expect(findingsOf(p, 'ambiguous-identity')[0]?.severity).toBe('medium');
  });

  it('a user held back by an invalid row is still stopped when a leaver also matches it', () => {
    const tagged = createDummyUserWithDetail({ userName: 'bob', tags: { employee_id: 'E9' } }, {});
    const input = inputOf({ people: [bob], users: [tagged], roster: { invalidRowIdentities: [{ employeeId: 'E9', awsUsernames: [] }] } });
    expect(usersNeedingDetail(input)).toEqual([{ account: ACCOUNT, userNames: ['bob'] }]);
    const p = plan(input);
    expect(kinds(p.actions)).toEqual(['attach-deny-all']);
    expect(findingsOf(p, 'ambiguous-identity')[0]).toMatchObject({ severity: 'high' });
  });
});

describe('plan: break-glass and service accounts', () => {
  it('never touches break-glass users and always reports them', () => {
    const glass = createDummyUser({
      userName: 'break-glass-admin',
      groups: ['admins'],
      tags: { email: 'bob@example.com' },
      credentials: createDummyCredentials({ passwordEnabled: true, mfaActive: false }),
    });
    const p = planFor({ people: [bob], users: [glass], policy: { orphans: 'quarantine' } });
    expect(p.actions).toEqual([]);
    const [finding] = findingsOf(p, 'break-glass-user');
    expect(finding).toMatchObject({ severity: 'high', userName: 'break-glass-admin' });
    expect(finding?.detail).toContain('MFA OFF');
  });

  it('never revokes a service account, even one named like a leaver', () => {
    const ci = createDummyUserWithDetail({ userName: 'bob' }, { accessKeys: [{ id: 'AKIACI', status: 'Active', createdAt: daysBefore(1) }] });
    const p = planFor({ people: [bob], users: [ci], policy: { serviceAccounts: [{ userName: 'bob', owner: 'ops@example.com' }] } });
    expect(p.actions).toEqual([]);
    expect(findingsOf(p, 'service-account')).toHaveLength(1);
    expect(findingsOf(p, 'service-account-owner-departed')[0]?.detail).toMatch(/owner ops@example.com is not on the roster/);
  });

  it('reports a service account whose owner departed (high) or is leaving (medium); none for a current owner', () => {
    const ci = createDummyUser({ userName: 'ci-deployer' });
    const serviceAccounts = [{ userName: 'ci-deployer', owner: 'bob@example.com' }];
    const departed = planFor({ people: [bob], users: [ci], policy: { serviceAccounts } });
    expect(findingsOf(departed, 'service-account-owner-departed').map((f) => f.severity)).toEqual(['high']);
    const leaving = planFor({ people: [{ ...bob, endAt: daysAfter(5) }], users: [ci], policy: { serviceAccounts } });
    expect(findingsOf(leaving, 'service-account-owner-departed').map((f) => f.severity)).toEqual(['medium']);
    const current = planFor({ people: [{ ...bob, status: 'active' }], users: [ci], policy: { serviceAccounts } });
    expect(findingsOf(current, 'service-account-owner-departed')).toEqual([]);
  });

  it('limits an account-scoped service account to its account', () => {
    const p = planFor({
      people: [bob],
      users: [createDummyUser({ userName: 'bob' }), createDummyUser({ userName: 'bob', account: OTHER_ACCOUNT })],
      policy: { serviceAccounts: [{ userName: 'bob', owner: 'ops@example.com', account: OTHER_ACCOUNT }] },
    });
    expect(p.actions.map((a) => a.account)).toEqual([ACCOUNT]);
  });
});

describe('plan: credential hygiene (CIS AWS)', () => {
  const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
  const carolUser = (credentials: Parameters<typeof createDummyCredentials>[0]): IamUser =>
    createDummyUser({ userName: 'carol', groups: ['developers'], credentials: createDummyCredentials(credentials) });

  it('reports a console password without MFA', () => {
    const p = planFor({ people: [carol], users: [carolUser({ passwordEnabled: true, passwordLastUsed: daysBefore(1) })] });
    expect(findingsOf(p, 'no-mfa')).toHaveLength(1);
    expect(findingsOf(p, 'unused-credential')).toEqual([]);
  });

  it('reports more than one active key and keys older than rotationDays', () => {
    const p = planFor({
      people: [carol],
      users: [
        carolUser({
          accessKeys: [
            { slot: 1, active: true, lastRotated: daysBefore(91), lastUsed: daysBefore(1) },
            { slot: 2, active: true, lastRotated: daysBefore(90), lastUsed: daysBefore(1) },
          ],
        }),
      ],
    });
    expect(findingsOf(p, 'multiple-active-keys')).toHaveLength(1);
    expect(findingsOf(p, 'rotation-overdue').map((f) => f.detail)).toEqual([expect.stringMatching(/^access key 1 last rotated .* 91 days ago/)]);
  });

  it('reports credentials unused for unusedDays or more; a never-used key is judged by its creation', () => {
    const p = planFor({
      people: [carol],
      users: [
        carolUser({
          passwordEnabled: true,
          mfaActive: true,
          passwordLastUsed: daysBefore(45),
          accessKeys: [
            { slot: 1, active: true, lastRotated: daysBefore(50) },
            { slot: 2, active: true, lastRotated: daysBefore(44) },
          ],
        }),
      ],
    });
    expect(findingsOf(p, 'unused-credential').map((f) => f.detail)).toEqual([
      expect.stringMatching(/^access key 1 never used .* 50 days without use/),
      expect.stringMatching(/^console password last used .* 45 days without use/),
    ]);
  });

  it('checks service accounts too, but not leavers or orphans', () => {
    const noMfa = { passwordEnabled: true, passwordLastUsed: daysBefore(1) };
    const p = planFor({
      people: [carol, bob],
      users: [
        createDummyUser({ userName: 'ci', credentials: createDummyCredentials(noMfa) }),
        createDummyUser({ userName: 'bob', credentials: createDummyCredentials(noMfa) }),
        createDummyUser({ userName: 'dave', credentials: createDummyCredentials(noMfa) }),
      ],
      policy: { serviceAccounts: [{ userName: 'ci', owner: 'carol@example.com' }] },
    });
    expect(findingsOf(p, 'no-mfa').map((f) => f.userName)).toEqual(['ci']);
  });

  it('skips hygiene with one finding per account when there is no credential report', () => {
    const users = [carolUser({ passwordEnabled: true }), createDummyUser({ userName: 'x', account: OTHER_ACCOUNT })];
    const inventory = createDummyInventory(users);
    const p = plan({
      ...inputOf({ people: [carol] }),
      inventory: { ...inventory, accounts: inventory.accounts.map((a) => ({ ...a, credentialReportAt: null })) },
    });
    expect(findingsOf(p, 'no-mfa')).toEqual([]);
    expect(findingsOf(p, 'credential-report-unavailable').map((f) => f.account)).toEqual([ACCOUNT, OTHER_ACCOUNT]);
  });
});

describe('plan: shape, ids and order', () => {
  it('reports unreachable accounts', () => {
    const p = planFor({ inventory: { accountErrors: [{ account: OTHER_ACCOUNT, message: 'AccessDenied on sts:AssumeRole' }] } });
    expect(findingsOf(p, 'account-unreachable')).toEqual([
      expect.objectContaining({ severity: 'high', account: OTHER_ACCOUNT, detail: expect.stringContaining('AccessDenied on sts:AssumeRole') }),
    ]);
  });

  it('gives each action the id sha256(kind|account|userName|canonical target)[0..16], stable across plans', () => {
    const p1 = planFor({ people: [bob], users: [bobWithEverything()] });
    const p2 = planFor({ people: [bob], users: [bobWithEverything()], now: daysAfter(1) });
    expect(p1.actions.map((a) => a.id)).toEqual(p2.actions.map((a) => a.id));
    const svc = p1.actions.find((a) => a.kind === 'deactivate-service-credential');
    const expected = createHash('sha256')
      .update(`deactivate-service-credential|${ACCOUNT}|bob|{"serviceName":"codecommit.amazonaws.com","serviceSpecificCredentialId":"ACCABOB"}`)
      .digest('hex')
      .slice(0, 16);
    expect(svc?.id).toBe(expected);
    expect(new Set(p1.actions.map((a) => a.id)).size).toBe(p1.actions.length);
  });

  it('sorts actions by account, user, then access-cutting kinds first, whatever the input order', () => {
    const people = [bob, createDummyPerson({ ...bob, employeeId: 'E4', email: 'abe@example.com' })];
    const users = [
      createDummyUser({ userName: 'bob', account: OTHER_ACCOUNT, groups: ['g'] }),
      createDummyUser({ userName: 'bob', groups: ['g'] }),
      createDummyUser({ userName: 'abe', groups: ['g'] }),
    ];
    const p = planFor({ people, users });
    expect(p.actions.map((a) => `${a.account}/${a.userName}/${a.kind}`)).toEqual([
      `${ACCOUNT}/abe/attach-deny-all`,
      `${ACCOUNT}/abe/remove-from-group`,
      `${ACCOUNT}/bob/attach-deny-all`,
      `${ACCOUNT}/bob/remove-from-group`,
      `${OTHER_ACCOUNT}/bob/attach-deny-all`,
      `${OTHER_ACCOUNT}/bob/remove-from-group`,
    ]);
    const reversed = planFor({ people: [...people].reverse(), users: [...users].reverse() });
    expect(reversed.actions).toEqual(p.actions);
  });

  it('fills version, generatedAt, errors, an untripped guard and the summary', () => {
    const errors = [{ source: 'roster.csv', line: 3, column: 'status', message: 'bad' }];
    const p = planFor({
      people: [bob, createDummyPerson()],
      users: [createDummyUser({ userName: 'bob' }), createDummyUser({ userName: 'x', account: OTHER_ACCOUNT })],
      roster: { errors },
    });
    expect(p).toMatchObject({
      version: 1,
      generatedAt: NOW.toISOString(),
      errors,
      guard: { tripped: false, reasons: [] },
      summary: { actions: p.actions.length, findings: p.findings.length, people: 2, iamUsers: 2 },
    });
  });

  it('orders findings most severe first', () => {
    const p = planFor({ people: [bob], users: [createDummyUser({ userName: 'dave' })], inventory: { accountErrors: [{ account: OTHER_ACCOUNT, message: 'x' }] } });
    const order = { high: 0, medium: 1, low: 2, info: 3 };
    const severities = p.findings.map((f) => order[f.severity]);
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    expect(p.findings[0]?.kind).toBe('account-unreachable');
  });
});

describe('plan: idempotence', () => {
  it('after the planned actions take effect, a re-plan has no revocation and no privilege action', () => {
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const erin = createDummyPerson({ employeeId: 'E6', email: 'erin@example.com', status: 'departed', endAt: daysBefore(40) });
    const scenario: Scenario = {
      people: [bob, carol, erin],
      users: [
        bobWithEverything(),
        createDummyUser({ userName: 'bob', account: OTHER_ACCOUNT, groups: ['admins'] }),
        createDummyUser({
          userName: 'carol',
          groups: ['developers', 'admins'],
          attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
        }),
        createDummyUser({ userName: 'erin', groups: ['developers'] }),
        createDummyUserWithDetail(
          { userName: 'orphan' },
          { accessKeys: [{ id: 'AKIAORPHAN', status: 'Active', createdAt: daysBefore(3) }], loginProfile: {} },
        ),
      ],
      policy: { orphans: 'quarantine' },
    };
    const first = planFor(scenario);
    expect(first.actions.filter(isRevocation).length).toBeGreaterThan(5);
    expect(first.actions.filter((a) => a.reason === 'excess-privilege')).toHaveLength(2);

    const input = inputOf(scenario);
    const after = plan({ ...input, inventory: applyActionsToInventory(input.inventory, first.actions) });
    expect(after.actions).toEqual([]);
    expect(after.summary.iamUsers).toBe(4);
  });
});

describe('usersNeedingDetail', () => {
  it('lists users of people past their end and quarantined orphans, per account, sorted', () => {
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const input = inputOf({
      people: [bob, carol, { ...bob, employeeId: 'E7', email: 'zed@example.com', endAt: daysAfter(3) }],
      users: [
        createDummyUser({ userName: 'orphan' }),
        createDummyUser({ userName: 'bob' }),
        createDummyUser({ userName: 'bob', account: OTHER_ACCOUNT }),
        createDummyUser({ userName: 'carol' }),
        createDummyUser({ userName: 'zed' }),
        createDummyUser({ userName: 'break-glass-admin', tags: { email: 'bob@example.com' } }),
      ],
      policy: { orphans: 'quarantine' },
    });
    expect(usersNeedingDetail(input)).toEqual([
      { account: ACCOUNT, userNames: ['bob', 'orphan'] },
      { account: OTHER_ACCOUNT, userNames: ['bob'] },
    ]);
    expect(usersNeedingDetail({ ...input, policy: { ...input.policy, orphans: 'report' } })).toEqual([
      { account: ACCOUNT, userNames: ['bob'] },
      { account: OTHER_ACCOUNT, userNames: ['bob'] },
    ]);
  });
});

describe('plan at scale', () => {
  it('plans 10,000 people and users correctly', () => {
    const people: Person[] = [];
    const users: IamUser[] = [];
    for (let i = 0; i < 10_000; i++) {
      const departed = i % 10 === 0;
      people.push(
        createDummyPerson({
          employeeId: `E${i}`,
          email: `person${i}@example.com`,
          status: departed ? 'departed' : 'active',
          ...(departed ? { endAt: daysBefore(1) } : {}),
          source: { file: 'roster.csv', line: i + 2 },
        }),
      );
      users.push(createDummyUser({ userName: `person${i}`, tags: { employee_id: `E${i}` }, groups: ['developers'] }));
    }
    const p = plan({
      roster: createDummyRoster(people),
      inventory: { accounts: [createDummyAccount(users)], hosts: [], accountErrors: [] },
      policy: createDummyPolicy(),
      now: NOW,
    });
    // Each leaver (every tenth person) gets deny-all and one group removal; nobody else is touched.
    expect(p.actions).toHaveLength(2_000);
    expect(new Set(p.actions.map((a) => a.userName)).size).toBe(1_000);
    expect(p.summary).toMatchObject({ people: 10_000, iamUsers: 10_000 });
    expect(findingsOf(p, 'orphan-user')).toEqual([]);
  });
});
