/**
 * What the IAM planner (src/domain/planning/iam.ts) tells a reviewer, word for word: severity, where, and the text of
 * every finding an auditor or approver reads, for each way an IAM user relates to the roster. The planner tests check
 * which actions are planned; these check that each finding says what happened and why. Each case here was a mutant no
 * test noticed (docs/mutation.md, session 5).
 */
import { citation } from '../../src/domain/controls';
import type { IamUser, Inventory } from '../../src/domain/inventory';
import type { Finding, FindingKind, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import { DENY_ALL_POLICY_DOCUMENT, type AccessPolicy } from '../../src/domain/policy';
import { personRef, type Person, type Roster } from '../../src/domain/roster';
import {
  ACCOUNT,
  NOW,
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

interface Scenario {
  readonly people?: readonly Person[];
  readonly users?: readonly IamUser[];
  readonly roster?: Partial<Roster>;
  readonly inventory?: Partial<Inventory>;
  readonly policy?: Partial<AccessPolicy>;
}

const planFor = (s: Scenario): Plan =>
  plan({
    roster: createDummyRoster(s.people ?? [], s.roster),
    inventory: createDummyInventory(s.users ?? [], s.inventory),
    policy: createDummyPolicy(s.policy),
    now: NOW,
  });
const findingsOf = (p: Plan, kind: FindingKind): Finding[] => p.findings.filter((f) => f.kind === kind);
const detailsOf = (p: Plan, kind: FindingKind): string[] => findingsOf(p, kind).map((f) => f.detail);

const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });
const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
const where = (userName: string, person?: Person): Record<string, unknown> => ({ account: ACCOUNT, userName, ...(person !== undefined ? { person: personRef(person) } : {}) });
const DENY_ALL_ARN = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
const denyDoc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: action, Resource: '*' }] });

describe('account health', () => {
  it('names an account that could not be read and why, and one without a credential report with its user count', () => {
    const users = [createDummyUser({ userName: 'x1' }), createDummyUser({ userName: 'x2' })];
    const p = planFor({
      users,
      inventory: {
        accountErrors: [{ account: '333333333333', message: 'AccessDenied: assume role' }],
        accounts: [createDummyAccount(users, { credentialReportAt: null })],
      },
    });
    expect(findingsOf(p, 'account-unreachable')).toEqual([
      {
        kind: 'account-unreachable',
        severity: 'high',
        control: 'offboarding-24h',
        account: '333333333333',
        detail: `account could not be read (AccessDenied: assume role); leavers' access there is unchecked — ${citation('offboarding-24h')}`,
      },
    ]);
    expect(findingsOf(p, 'credential-report-unavailable')).toEqual([
      {
        kind: 'credential-report-unavailable',
        severity: 'low',
        control: 'credential-hygiene',
        account: ACCOUNT,
        detail: 'no IAM credential report could be had; MFA, rotation and unused-credential checks were skipped for 2 users',
      },
    ]);
    expect(findingsOf(planFor({ users }), 'credential-report-unavailable')).toEqual([]);
  });
});

describe('break-glass users', () => {
  const glass = (credentials?: IamUser['credentials']): Finding | undefined =>
    findingsOf(planFor({ users: [createDummyUser({ userName: 'break-glass-admin', ...(credentials !== undefined ? { credentials } : {}) })] }), 'break-glass-user')[0];
  const tail = 'review its use and keep its password in the emergency safe';

  it('are high only with a console password and no MFA, and say their credential state', () => {
    const keys = [
      { active: true, lastRotated: daysBefore(1) },
      { active: false, lastRotated: daysBefore(1) },
      { active: true, lastRotated: daysBefore(2) },
    ] as unknown as NonNullable<IamUser['credentials']>['accessKeys'];
    expect(glass(createDummyCredentials({ passwordEnabled: true, mfaActive: false, accessKeys: keys }))).toEqual({
      kind: 'break-glass-user',
      severity: 'high',
      control: 'account-ownership',
      ...where('break-glass-admin'),
      detail: `break-glass user, never changed automatically (console enabled, MFA OFF, 2 active access keys); ${tail}`,
    });
    expect(glass(createDummyCredentials({ passwordEnabled: true, mfaActive: true }))).toMatchObject({
      severity: 'info',
      detail: `break-glass user, never changed automatically (console enabled, MFA on, 0 active access keys); ${tail}`,
    });
    expect(glass(createDummyCredentials({ passwordEnabled: false, mfaActive: false }))).toMatchObject({
      severity: 'info',
      detail: `break-glass user, never changed automatically (console disabled, MFA OFF, 0 active access keys); ${tail}`,
    });
    expect(glass()).toMatchObject({ severity: 'info', detail: `break-glass user, never changed automatically (credential state unknown); ${tail}` });
  });
});

describe('service accounts', () => {
  const svc = createDummyUser({ userName: 'svc-ci' });
  const planSvc = (people: Person[], owner = 'Owner@Example.com', roster: Partial<Roster> = {}): Plan =>
    planFor({ people, users: [svc], roster, policy: { serviceAccounts: [{ userName: 'svc-ci', owner }] } });
  const info = { kind: 'service-account', severity: 'info', control: 'account-ownership', ...where('svc-ci'), detail: 'service account owned by owner@example.com; never revoked automatically' };

  it('with an owner in post: only the info finding, the owner written in lower case', () => {
    const owner = createDummyPerson({ email: 'owner@example.com' });
    const p = planSvc([owner]);
    expect(findingsOf(p, 'service-account')).toEqual([info]);
    expect(findingsOf(p, 'service-account-owner-departed')).toEqual([]);
  });

  it('with an owner not on the roster, or only on an invalid row', () => {
    expect(findingsOf(planSvc([]), 'service-account-owner-departed')).toEqual([
      {
        kind: 'service-account-owner-departed',
        severity: 'high',
        control: 'account-ownership',
        ...where('svc-ci'),
        detail: `owner owner@example.com is not on the roster; assign a current owner — ${citation('account-ownership')}`,
      },
    ]);
    const invalid = planSvc([], 'owner@example.com', { invalidRowIdentities: [{ employeeId: 'E9', email: 'owner@example.com', awsUsernames: [] }] });
    expect(detailsOf(invalid, 'service-account-owner-departed')).toEqual([`owner owner@example.com is on an invalid roster row; assign a current owner — ${citation('account-ownership')}`]);
  });

  it('with an owner who left (and when), or who is leaving (and when access ends)', () => {
    const gone = createDummyPerson({ email: 'owner@example.com', status: 'departed', endAt: new Date('2026-11-20T09:30:00Z') });
    expect(findingsOf(planSvc([gone]), 'service-account-owner-departed')).toEqual([
      {
        kind: 'service-account-owner-departed',
        severity: 'high',
        control: 'account-ownership',
        ...where('svc-ci', gone),
        detail: 'owner owner@example.com left (access ended 2026-11-20 09:30 UTC); assign a current owner and rotate the credentials the owner knew',
      },
    ]);
    const leaving = createDummyPerson({ email: 'owner@example.com', status: 'departed', endAt: new Date('2026-12-01T17:00:00Z') });
    expect(findingsOf(planSvc([leaving]), 'service-account-owner-departed')).toEqual([
      {
        kind: 'service-account-owner-departed',
        severity: 'medium',
        control: 'account-ownership',
        ...where('svc-ci', leaving),
        detail: 'owner owner@example.com is leaving (access ends 2026-12-01 17:00 UTC); assign a new owner before then',
      },
    ]);
    expect(findingsOf(planSvc([gone]), 'service-account')).toEqual([info]);
  });
});

describe('orphans', () => {
  const orphan = createDummyUserWithDetail({ userName: 'nobody', groups: ['developers'] }, {});

  it('are reported only, or quarantined with every stop action attributed to account ownership', () => {
    const reported = planFor({ users: [orphan] });
    expect(findingsOf(reported, 'orphan-user')).toEqual([
      {
        kind: 'orphan-user',
        severity: 'medium',
        control: 'account-ownership',
        ...where('nobody'),
        detail: `no roster person matches this IAM user (reported only) — ${citation('account-ownership')}`,
      },
    ]);
    expect(reported.actions).toEqual([]);
    const quarantined = planFor({ users: [orphan], policy: { orphans: 'quarantine' } });
    expect(detailsOf(quarantined, 'orphan-user')).toEqual([`no roster person matches this IAM user (quarantined: access stopped) — ${citation('account-ownership')}`]);
    expect(quarantined.actions.map((a) => [a.kind, a.reason, a.control, a.person])).toEqual([
      ['attach-deny-all', 'orphan', 'account-ownership', undefined],
      ['remove-from-group', 'orphan', 'account-ownership', undefined],
    ]);
  });
});

describe('users that match more than one person, or an invalid row', () => {
  const tagged = (tags: Record<string, string>): IamUser => createDummyUserWithDetail({ userName: 'shared', tags, groups: ['developers'] }, {});

  it('ambiguous, with no leaver among them: medium, every rule and claimant named, nothing done', () => {
    const p = planFor({ people: [carol, createDummyPerson({ employeeId: 'E4', email: 'dave@example.com' })], users: [tagged({ employee_id: 'E3', email: 'dave@example.com' })] });
    expect(findingsOf(p, 'ambiguous-identity')).toEqual([
      {
        kind: 'ambiguous-identity',
        severity: 'medium',
        control: 'account-ownership',
        ...where('shared'),
        detail:
          'matches 2 people — tag employee_id: carol@example.com (E3, line 2); tag email: dave@example.com (E4, line 2); ' +
          "no automatic action until the roster or the user's tags say who owns it",
      },
    ]);
    expect(p.actions).toEqual([]);
  });

  it('ambiguous, with a leaver among them: high, attributed to the leaver, access stopped as a departure', () => {
    const p = planFor({ people: [carol, bob], users: [tagged({ employee_id: 'E3', email: 'bob@example.com' })] });
    expect(findingsOf(p, 'ambiguous-identity')).toEqual([
      {
        kind: 'ambiguous-identity',
        severity: 'high',
        control: 'account-ownership',
        ...where('shared', bob),
        detail:
          'matches 2 people — tag employee_id: carol@example.com (E3, line 2); tag email: bob@example.com (E2, line 2); ' +
          "access stopped because bob@example.com has left; never deleted until the roster or the user's tags say who owns it",
      },
    ]);
    expect(p.actions.map((a) => [a.kind, a.reason, a.control, a.person])).toEqual([
      ['attach-deny-all', 'departed', 'offboarding-24h', personRef(bob)],
      ['remove-from-group', 'departed', 'offboarding-24h', personRef(bob)],
    ]);
  });

  it('held back by an invalid row: each matching row named by every identity it has', () => {
    const rows = [
      { employeeId: 'E9', email: 'bob@example.com', awsUsernames: ['shared', 'other'] },
      { awsUsernames: ['shared'] },
    ];
    const p = planFor({ people: [bob], users: [createDummyUserWithDetail({ userName: 'shared', groups: ['developers'] }, {})], roster: { invalidRowIdentities: rows } });
    const [finding] = findingsOf(p, 'ambiguous-identity');
    expect(finding?.detail).toContain('(employee_id E9, email bob@example.com, aws_usernames shared;other; aws_usernames shared)');
    const quiet = planFor({ users: [createDummyUserWithDetail({ userName: 'shared' }, {})], roster: { invalidRowIdentities: [{ awsUsernames: ['shared'] }] } });
    expect(findingsOf(quiet, 'ambiguous-identity')).toEqual([
      {
        kind: 'ambiguous-identity',
        severity: 'medium',
        control: 'account-ownership',
        ...where('shared'),
        detail: 'matches an invalid roster row by aws_usernames on the roster (aws_usernames shared); held back with no automatic action until the row is fixed',
      },
    ]);
    expect(quiet.actions).toEqual([]);
  });

  it('held back, but also matching a leaver: high, attributed to the leaver, access stopped', () => {
    const user = createDummyUserWithDetail({ userName: 'shared', tags: { employee_id: 'E2' }, groups: ['developers'] }, {});
    const p = planFor({ people: [bob], users: [user], roster: { invalidRowIdentities: [{ employeeId: 'E2', awsUsernames: [] }] } });
    expect(findingsOf(p, 'ambiguous-identity')).toEqual([
      {
        kind: 'ambiguous-identity',
        severity: 'high',
        control: 'account-ownership',
        ...where('shared', bob),
        detail:
          'matches an invalid roster row by tag employee_id (employee_id E2); ' +
          'access stopped because it also matches bob@example.com, who has left; nothing else changes until the row is fixed',
      },
    ]);
    expect(p.actions.map((a) => [a.kind, a.reason, a.person])).toEqual([
      ['attach-deny-all', 'departed', personRef(bob)],
      ['remove-from-group', 'departed', personRef(bob)],
    ]);
  });
});

describe('a leaver whose live detail is missing or partly unread', () => {
  const tail = (control: Parameters<typeof citation>[0]): string => `the next run retries — ${citation(control)}`;

  it('without detail: what the credential report shows, or that it has no row either', () => {
    const withReport = createDummyUser({
      userName: 'bob',
      groups: ['developers'],
      credentials: createDummyCredentials({ passwordEnabled: true, accessKeys: [{ active: true }, { active: false }] as never }),
    });
    expect(findingsOf(planFor({ people: [bob], users: [withReport] }), 'user-detail-unavailable')).toEqual([
      {
        kind: 'user-detail-unavailable',
        severity: 'high',
        control: 'offboarding-24h',
        ...where('bob', bob),
        detail:
          'live detail was not read, so only the deny-all and group removals are planned; keys, password, SSH keys and certificates were not checked ' +
          `(the credential report shows 1 active access keys and a console password); ${tail('offboarding-24h')}`,
      },
    ]);
    const noPassword = createDummyUser({ userName: 'bob', credentials: createDummyCredentials({ passwordEnabled: false }) });
    expect(detailsOf(planFor({ people: [bob], users: [noPassword] }), 'user-detail-unavailable')[0]).toContain('(the credential report shows 0 active access keys and no console password)');
    const noRow = createDummyUser({ userName: 'nobody' });
    expect(findingsOf(planFor({ users: [noRow], policy: { orphans: 'quarantine' } }), 'user-detail-unavailable')).toEqual([
      {
        kind: 'user-detail-unavailable',
        severity: 'high',
        control: 'account-ownership',
        ...where('nobody'),
        detail:
          'live detail was not read, so only the deny-all and group removals are planned; keys, password, SSH keys and certificates were not checked ' +
          `(the credential report has no row for it either); ${tail('account-ownership')}`,
      },
    ]);
  });

  it('with unread paths: each named with its API and error, in the singular or plural', () => {
    const one = createDummyUserWithDetail({ userName: 'bob' }, { unread: [{ path: 'access-keys', api: 'ListAccessKeys', error: 'AccessDenied: no' }] });
    expect(findingsOf(planFor({ people: [bob], users: [one] }), 'user-detail-unavailable')).toEqual([
      {
        kind: 'user-detail-unavailable',
        severity: 'high',
        control: 'offboarding-24h',
        ...where('bob', bob),
        detail:
          'could not read access keys (ListAccessKeys failed: AccessDenied: no); what was read is revoked and the deny-all still goes on, but ' +
          `this path was not revoked and stays unverified until a run can read it (check SCPs and the endpoint) — ${citation('offboarding-24h')}`,
      },
    ]);
    const two = createDummyUserWithDetail(
      { userName: 'bob' },
      {
        unread: [
          { path: 'login-profile', api: 'GetLoginProfile', error: 'Throttling: slow' },
          { path: 'ssh-public-keys', api: 'ListSSHPublicKeys', error: 'AccessDenied: scp' },
        ],
      },
    );
    expect(detailsOf(planFor({ people: [bob], users: [two] }), 'user-detail-unavailable')).toEqual([
      'could not read console password (GetLoginProfile failed: Throttling: slow); SSH public keys (ListSSHPublicKeys failed: AccessDenied: scp); ' +
        'what was read is revoked and the deny-all still goes on, but these paths were not revoked and stay unverified until a run can read them ' +
        `(check SCPs and the endpoint) — ${citation('offboarding-24h')}`,
    ]);
    const none = createDummyUserWithDetail({ userName: 'bob' }, { unread: [] });
    expect(findingsOf(planFor({ people: [bob], users: [none] }), 'user-detail-unavailable')).toEqual([]);
  });

  it('with group memberships unread: removes the groups the bulk inventory lists; otherwise the live ones', () => {
    const stale = createDummyUserWithDetail(
      { userName: 'bob' },
      { groups: [], unread: [{ path: 'groups', api: 'ListGroupsForUser', error: 'AccessDenied: x' }] },
    );
    const unreadGroups = { ...stale, groups: ['admins'] };
    expect(planFor({ people: [bob], users: [unreadGroups] }).actions.filter((a) => a.kind === 'remove-from-group').map((a) => a.target)).toEqual([{ groupName: 'admins' }]);
    const live = { ...createDummyUserWithDetail({ userName: 'bob' }, { groups: ['developers'] }), groups: ['admins'] };
    expect(planFor({ people: [bob], users: [live] }).actions.filter((a) => a.kind === 'remove-from-group').map((a) => a.target)).toEqual([{ groupName: 'developers' }]);
  });
});

describe('least privilege for staff in post', () => {
  const inPost = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', role: 'engineer' });
  const withGroups = (groups: Inventory['accounts'][number]['groups'], user: IamUser, policy: Partial<AccessPolicy>, managedPolicyDocuments: Record<string, unknown>): Plan =>
    planFor({ people: [inPost], users: [user], policy, inventory: { accounts: [createDummyAccount([user], { groups, managedPolicyDocuments })] } });
  const kept = (what: string, why: string): string =>
    `${what} is not allowed for role "engineer" but is kept: ${why}; removing it could only raise privilege — review it by hand`;

  it('keeps groups and policies that restrict, and says why, word for word', () => {
    const user = createDummyUser({
      userName: 'carol',
      groups: ['developers', 'Inline-Deny', 'attached-deny', 'listed', 'protected-policy-group', 'plain'],
      attachedPolicies: [
        { name: 'DenyBoundary', arn: `arn:aws:iam::${ACCOUNT}:policy/DenyBoundary` },
        { name: 'Keep', arn: `arn:aws:iam::${ACCOUNT}:policy/Keep` },
        { name: 'Extra', arn: `arn:aws:iam::${ACCOUNT}:policy/Extra` },
      ],
    });
    const p = withGroups(
      [
        { name: 'developers', attachedPolicies: [], inlinePolicies: [] },
        { name: 'inline-deny', attachedPolicies: [], inlinePolicies: ['ok', 'no-iam'], inlinePolicyDocuments: { ok: '{"Statement":[]}', 'no-iam': denyDoc('iam:*') } },
        { name: 'attached-deny', attachedPolicies: [{ name: 'DenyBoundary', arn: `arn:aws:iam::${ACCOUNT}:policy/DenyBoundary` }], inlinePolicies: [] },
        { name: 'protected-policy-group', attachedPolicies: [{ name: 'Keep', arn: `arn:aws:iam::${ACCOUNT}:policy/Keep` }], inlinePolicies: [] },
        { name: 'plain', attachedPolicies: [], inlinePolicies: [] },
        { name: 'listed', attachedPolicies: [], inlinePolicies: [] },
      ],
      user,
      { protected: { groups: ['LISTED'], policies: ['keep'] } },
      { [`arn:aws:iam::${ACCOUNT}:policy/DenyBoundary`]: denyDoc('s3:DeleteBucket') },
    );
    expect(findingsOf(p, 'restriction-kept')).toEqual(
      [
        kept('group Inline-Deny', 'its inline policy no-iam contains a Deny'),
        kept('group attached-deny', 'its policy DenyBoundary contains a Deny'),
        kept('group listed', 'it is listed under protected.groups'),
        kept('group protected-policy-group', 'its policy Keep is listed under protected.policies'),
        kept('policy DenyBoundary', 'its policy DenyBoundary contains a Deny'),
        kept('policy Keep', 'it is listed under protected.policies'),
      ].map((detail) => ({ kind: 'restriction-kept', severity: 'medium', control: 'least-privilege', ...where('carol', inPost), detail })),
    );
    expect(p.actions.map((a) => [a.kind, a.target, a.reason, a.control])).toEqual([
      ['remove-from-group', { groupName: 'plain' }, 'excess-privilege', 'least-privilege'],
      ['detach-user-policy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/Extra` }, 'excess-privilege', 'least-privilege'],
    ]);
  });

  it('matches a kept policy by its ARN too, and never lifts Warden\'s own deny-all', () => {
    const user = createDummyUser({
      userName: 'carol',
      groups: ['developers'],
      attachedPolicies: [
        { name: 'Boundary', arn: `arn:aws:iam::${ACCOUNT}:policy/team/Boundary` },
        { name: 'warden-deny-all', arn: DENY_ALL_ARN },
        { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        { name: 'Allowed-By-Arn', arn: 'arn:aws:iam::aws:policy/AllowedByArn' },
      ],
    });
    const p = planFor({
      people: [inPost],
      users: [user],
      policy: {
        protected: { groups: [], policies: [`ARN:AWS:IAM::${ACCOUNT}:POLICY/TEAM/BOUNDARY`] },
        roles: { engineer: { groups: ['developers'], managedPolicies: ['ReadOnlyAccess', 'arn:aws:iam::aws:policy/allowedbyarn'] } },
      },
    });
    expect(detailsOf(p, 'restriction-kept')).toEqual([kept('policy Boundary', 'it is listed under protected.policies')]);
    expect(p.actions).toEqual([]);
  });

  it('names directly attached and inline policies, leaving out a deny-all it recognises', () => {
    const user = createDummyUser({
      userName: 'carol',
      groups: ['developers'],
      attachedPolicies: [
        { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        { name: 'warden-deny-all', arn: DENY_ALL_ARN },
      ],
      inlinePolicies: ['scratch', 'old-deny'],
      inlinePolicyDocuments: { scratch: '{"Statement":[]}', 'old-deny': DENY_ALL_POLICY_DOCUMENT },
    });
    const p = planFor({ people: [inPost], users: [user] });
    expect(findingsOf(p, 'direct-policy')).toEqual([
      {
        kind: 'direct-policy',
        severity: 'medium',
        control: 'least-privilege',
        ...where('carol', inPost),
        detail:
          'the warden-deny-all deny-all policy is attached although carol@example.com is active; ' +
          'Warden never lifts it automatically — remove it by hand if the person should have access',
      },
      {
        kind: 'direct-policy',
        severity: 'low',
        control: 'least-privilege',
        ...where('carol', inPost),
        detail: 'policies attached directly to the user (attached: ReadOnlyAccess; inline: scratch); grant through groups instead (CIS AWS 1.15)',
      },
    ]);
    const inlineOnly = createDummyUser({ userName: 'carol', groups: ['developers'], inlinePolicies: ['q1', 'q2'], inlinePolicyDocuments: { q1: DENY_ALL_POLICY_DOCUMENT, q2: DENY_ALL_POLICY_DOCUMENT } });
    expect(detailsOf(planFor({ people: [inPost], users: [inlineOnly] }), 'direct-policy')).toEqual([
      'an inline deny-all policy (q1, q2) is attached although carol@example.com is active; Warden never lifts it automatically — remove it by hand if the person should have access',
    ]);
    const attachedOnly = createDummyUser({ userName: 'carol', groups: ['developers'], attachedPolicies: [{ name: 'A', arn: 'arn:aws:iam::aws:policy/A' }, { name: 'B', arn: 'arn:aws:iam::aws:policy/B' }] });
    expect(detailsOf(planFor({ people: [inPost], users: [attachedOnly], policy: { roles: {} } }), 'direct-policy')).toEqual([
      'policies attached directly to the user (attached: A, B); grant through groups instead (CIS AWS 1.15)',
    ]);
    expect(detailsOf(planFor({ people: [inPost], users: [createDummyUser({ userName: 'carol', groups: ['developers'] })] }), 'direct-policy')).toEqual([]);
  });

  it('says when a person has no role, or one the config does not define, and checks nothing more', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['admins'] });
    const { role: _role, ...roleless } = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const noRole: Person = roleless;
    expect(findingsOf(planFor({ people: [noRole], users: [user] }), 'unknown-role')).toEqual([
      { kind: 'unknown-role', severity: 'low', control: 'least-privilege', ...where('carol', noRole), detail: 'carol@example.com has no role on the roster; privileges were not checked or changed' },
    ]);
    const odd = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', role: 'wizard' });
    const p = planFor({ people: [odd], users: [user] });
    expect(detailsOf(p, 'unknown-role')).toEqual(['carol@example.com has role "wizard", which the config does not define; privileges were not checked or changed']);
    expect(p.actions).toEqual([]);
    expect(findingsOf(planFor({ people: [odd], users: [user], policy: { roles: {} } }), 'unknown-role')).toEqual([]);
  });

  it('names the role\'s groups the user is not in, once, in the singular or plural, only for groups the account has', () => {
    const admin = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', role: 'admin' });
    const none = createDummyUser({ userName: 'carol' });
    expect(findingsOf(planFor({ people: [admin], users: [none] }), 'missing-grant')).toEqual([
      {
        kind: 'missing-grant',
        severity: 'info',
        control: 'least-privilege',
        ...where('carol', admin),
        detail: 'role "admin" includes groups developers, admins, which the user is not in; Warden only removes, never grants',
      },
    ]);
    const one = createDummyUser({ userName: 'carol', groups: ['DEVELOPERS'] });
    expect(detailsOf(planFor({ people: [admin], users: [one] }), 'missing-grant')).toEqual(['role "admin" includes group admins, which the user is not in; Warden only removes, never grants']);
    const both = createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] });
    expect(findingsOf(planFor({ people: [admin], users: [both] }), 'missing-grant')).toEqual([]);
    const elsewhere = planFor({ people: [admin], users: [none], policy: { roles: { admin: { groups: ['developers', 'not-here'], managedPolicies: [] } } } });
    expect(detailsOf(elsewhere, 'missing-grant')).toEqual(['role "admin" includes group developers, which the user is not in; Warden only removes, never grants']);
    expect(findingsOf(planFor({ people: [admin], users: [none], policy: { roles: { admin: { groups: [], managedPolicies: [] } } } }), 'missing-grant')).toEqual([]);
  });

  it('reads groups from live detail over the bulk inventory', () => {
    const user = { ...createDummyUserWithDetail({ userName: 'carol' }, { groups: ['developers', 'admins'] }), groups: ['developers'] };
    expect(planFor({ people: [inPost], users: [user] }).actions.map((a) => [a.kind, a.target])).toEqual([['remove-from-group', { groupName: 'admins' }]]);
  });

  it('plans nothing for a scheduled leaver beyond what staff in post get', () => {
    const leaving = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysAfter(3) });
    const p = planFor({ people: [leaving], users: [createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] })] });
    expect(p.actions.map((a) => [a.kind, a.reason])).toEqual([['remove-from-group', 'excess-privilege']]);
  });
});
