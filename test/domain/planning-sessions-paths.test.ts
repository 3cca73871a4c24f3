/**
 * Which roles a leaver could still hold sessions on, through each of their own policies, and what the plan does about
 * an unpinned trust (issue 10: mutants in src/domain/planning/sessions.ts that the first suite let through). The leaver
 * controls their own inline policies and group memberships: every way in must count, an unreadable one included.
 */
import type { IamGroup, IamRole, IamUser } from '../../src/domain/inventory';
import type { Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import type { AccessPolicy } from '../../src/domain/policy';
import type { Person } from '../../src/domain/roster';
import { ACCOUNT, createDummyAccount, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser, daysBefore, NOW, OTHER_ACCOUNT } from '../fixtures/builders';

const DENY_ALL = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });
const amy = createDummyPerson({ employeeId: 'E1', email: 'amy@example.com', status: 'departed', endAt: daysBefore(1) });
const bobArn = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/deploy`;
const allowAssume = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN }] };
const allowS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
const trustAccount = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
const trustBob = { Statement: [{ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'sts:AssumeRole' }] };

const role = (overrides: Partial<IamRole> = {}): IamRole => ({ roleName: 'deploy', arn: ROLE_ARN, maxSessionSeconds: 3600, trustPolicy: trustAccount, wardenPolicy: null, ...overrides });
const group = (name: string, overrides: Partial<IamGroup> = {}): IamGroup => ({ name, attachedPolicies: [], inlinePolicies: [], ...overrides });
const bobUser = (overrides: Partial<IamUser> = {}): IamUser => createDummyUser({ userName: 'bob', tags: { employee_id: 'E2' }, ...overrides });

interface Setup {
  readonly users?: readonly IamUser[];
  readonly roles?: readonly IamRole[];
  readonly groups?: readonly IamGroup[];
  readonly managed?: Readonly<Record<string, unknown>>;
  readonly policy?: Partial<AccessPolicy>;
  readonly people?: readonly Person[];
  readonly now?: Date;
}

function planOf(s: Setup): Plan {
  return plan({
    roster: createDummyRoster(s.people ?? [bob]),
    inventory: {
      accounts: [createDummyAccount(s.users ?? [bobUser()], { roles: s.roles ?? [role()], groups: s.groups ?? [], ...(s.managed !== undefined ? { managedPolicyDocuments: s.managed } : {}) })],
      hosts: [],
      accountErrors: [],
    },
    policy: createDummyPolicy(s.policy),
    now: s.now ?? NOW,
  });
}

const rolesOf = (p: Plan, userName = 'bob'): string[] => (p.sessions ?? []).find((s) => s.userName === userName)?.principals.map((x) => x.arn) ?? [];

describe("a leaver's roles trusting their account: their own policies decide", () => {
  it('no policy of their own allows sts:AssumeRole: no role session to worry about', () => {
    expect(rolesOf(planOf({ users: [bobUser({ inlinePolicies: ['s3'], inlinePolicyDocuments: { s3: allowS3 } })] }))).toEqual([]);
    expect(rolesOf(planOf({}))).toEqual([]);
  });

  it('an inline policy of theirs allowing it makes the role assumable', () => {
    expect(rolesOf(planOf({ users: [bobUser({ inlinePolicies: ['assume'], inlinePolicyDocuments: { assume: allowAssume } })] }))).toEqual([ROLE_ARN]);
  });

  it('an inline policy listed but not read counts as allowing (when unsure, assumable)', () => {
    expect(rolesOf(planOf({ users: [bobUser({ inlinePolicies: ['unread'] })] }))).toEqual([ROLE_ARN]);
  });

  it('an attached managed policy allowing it makes the role assumable; one that does not, does not', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/assume`;
    const attached = bobUser({ attachedPolicies: [{ name: 'assume', arn }] });
    expect(rolesOf(planOf({ users: [attached], managed: { [arn]: allowAssume } }))).toEqual([ROLE_ARN]);
    expect(rolesOf(planOf({ users: [attached], managed: { [arn]: allowS3 } }))).toEqual([]);
  });

  it("a group's inline or attached policy counts, the group found whatever its case", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/ops-assume`;
    const inGroup = bobUser({ groups: ['ops'] });
    expect(rolesOf(planOf({ users: [inGroup], groups: [group('OPS', { inlinePolicies: ['a'], inlinePolicyDocuments: { a: allowAssume } })] }))).toEqual([ROLE_ARN]);
    expect(rolesOf(planOf({ users: [inGroup], groups: [group('Ops', { attachedPolicies: [{ name: 'ops-assume', arn }] })], managed: { [arn]: allowAssume } }))).toEqual([ROLE_ARN]);
    expect(rolesOf(planOf({ users: [inGroup], groups: [group('Ops', { inlinePolicies: ['a'], inlinePolicyDocuments: { a: allowS3 } })] }))).toEqual([]);
    // Another group's policy is not theirs.
    expect(rolesOf(planOf({ users: [inGroup], groups: [group('ops'), group('admins', { inlinePolicies: ['a'], inlinePolicyDocuments: { a: allowAssume } })] }))).toEqual([]);
  });

  it('a group of theirs that was not read counts as allowing', () => {
    expect(rolesOf(planOf({ users: [bobUser({ groups: ['vanished'] })], groups: [group('ops')] }))).toEqual([ROLE_ARN]);
  });
});

describe('a role whose trust does not pin their source identity', () => {
  it('is a high finding naming the role, when sessions may live and how to end them', () => {
    const p = planOf({ roles: [role({ trustPolicy: trustBob, maxSessionSeconds: 7200 })] });
    const found = p.findings.filter((f) => f.kind === 'sessions-may-live');
    expect(found).toEqual([expect.objectContaining({ severity: 'high', account: ACCOUNT, userName: 'bob', person: expect.objectContaining({ email: 'bob@example.com' }) as unknown })]);
    expect(found[0]?.detail).toContain(`could assume role ${ROLE_ARN} (trust does not pin their source identity)`);
    expect(found[0]?.detail).toContain('sessions may live until 2026-11-26 14:00');
    expect(found[0]?.detail).toContain('(MaxSessionDuration 2 h after access ended); set sessions.revokeOlderOnRoles to end them');
    expect(p.actions.map((a) => a.kind)).not.toContain('revoke-older-role-sessions');
    expect(p.sessions?.[0]?.summary).toMatchObject({ status: 'may-live-until' });
  });

  it('with revokeOlderOnRoles, gets the revoke-older Deny and no finding', () => {
    const p = planOf({ roles: [role({ trustPolicy: trustBob })], policy: { sessions: { revokeOlderOnRoles: true } } });
    expect(p.actions.filter((a) => a.kind === 'revoke-older-role-sessions')).toEqual([
      expect.objectContaining({ account: ACCOUNT, userName: 'bob', reason: 'departed', control: 'offboarding-24h', target: { roleName: 'deploy', roleArn: ROLE_ARN } }),
    ]);
    expect(p.findings.filter((f) => f.kind === 'sessions-may-live')).toEqual([]);
    expect(p.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'ended', at: NOW, cause: 'revoke-older-sessions' });
  });

  it('revokeOlderOnRoles explicitly off behaves as absent', () => {
    const p = planOf({ roles: [role({ trustPolicy: trustBob })], policy: { sessions: { revokeOlderOnRoles: false } } });
    expect(p.actions.map((a) => a.kind)).not.toContain('revoke-older-role-sessions');
    expect(p.findings.filter((f) => f.kind === 'sessions-may-live')).toHaveLength(1);
  });

  describe('with access already cut (the deny-all in place)', () => {
    const stopped = bobUser({ attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL }] });
    const ro = (at: string) => JSON.stringify({ Statement: [{ Sid: `WardenEndSessionsRO${at}`, Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': 'x' } } }] });
    // bob's end date is 2026-11-25T12:00:00Z; the role lets sessions live 12 h, so at 18:00 one may still be alive.
    const now = new Date('2026-11-25T18:00:00Z');

    it('a revoke-older Deny put in at or after the end counts as ending their sessions, and is not added again', () => {
      for (const at of ['20261125120000', '20261125130000']) {
        const p = planOf({ users: [stopped], roles: [role({ trustPolicy: trustBob, maxSessionSeconds: 43200, wardenPolicy: ro(at) })], policy: { sessions: { revokeOlderOnRoles: true } }, now });
        expect(p.actions.map((a) => a.kind)).not.toContain('revoke-older-role-sessions');
        expect(p.sessions?.[0]?.principals[0]?.exposure).toMatchObject({ status: 'ended', cause: 'revoke-older-sessions' });
      }
    });

    it('one put in before the end does not cover sessions issued up to the end: a new one is added', () => {
      const p = planOf({ users: [stopped], roles: [role({ trustPolicy: trustBob, maxSessionSeconds: 43200, wardenPolicy: ro('20261125115959') })], policy: { sessions: { revokeOlderOnRoles: true } }, now });
      expect(p.actions.map((a) => a.kind)).toContain('revoke-older-role-sessions');
    });

    it('once every session from before the end has expired, nothing is added and nothing is reported', () => {
      const p = planOf({ users: [stopped], roles: [role({ trustPolicy: trustBob, maxSessionSeconds: 3600 })], policy: { sessions: { revokeOlderOnRoles: true } }, now });
      expect(p.actions.map((a) => a.kind)).not.toContain('revoke-older-role-sessions');
      expect(p.findings.filter((f) => f.kind === 'sessions-may-live')).toEqual([]);
      expect(p.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'ended', at: new Date('2026-11-25T13:00:00Z'), cause: 'expired' });
    });

    it('a revoke-older Deny does not count while access is still live (it would be dated before the cut)', () => {
      const p = planOf({ roles: [role({ trustPolicy: trustBob, wardenPolicy: ro('20261126120000') })], policy: { sessions: { revokeOlderOnRoles: true } } });
      expect(p.actions.map((a) => a.kind)).toContain('revoke-older-role-sessions');
    });
  });
});

describe("the plan's session entries", () => {
  it('come one per leaver user, sorted by account and user name, with no entry for people still working', () => {
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const users = [bobUser(), createDummyUser({ userName: 'amy', tags: { employee_id: 'E1' } }), createDummyUser({ userName: 'carol', tags: { employee_id: 'E3' } })];
    const p = planOf({ people: [bob, amy, carol], users, roles: [role({ trustPolicy: trustBob })] });
    expect(p.sessions?.map((s) => [s.account, s.userName])).toEqual([
      [ACCOUNT, 'amy'],
      [ACCOUNT, 'bob'],
    ]);
    expect(p.sessions?.[0]?.principals).toEqual([]);
    expect(p.sessions?.[0]?.summary).toEqual({ status: 'ended', at: NOW, principals: 0 });
  });

  it('a working colleague who only shares an ambiguous user with nobody departed has no session entry', () => {
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const dave = createDummyPerson({ employeeId: 'E4', email: 'dave@example.com' });
    const ambiguous = createDummyUser({ userName: 'shared', tags: { employee_id: 'E3', email: 'dave@example.com' } });
    expect(planOf({ people: [carol, dave], users: [ambiguous] }).sessions ?? []).toEqual([]);
  });

  it('roles in another account trusting the user by ARN count', () => {
    const other = role({ arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/deploy`, trustPolicy: trustBob });
    expect(rolesOf(planOf({ roles: [other] }))).toEqual([other.arn]);
  });
});

describe('what the second run let through', () => {
  const pinned = { Statement: [{ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } } }] };
  const stopped = bobUser({ attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL }] });
  const end = daysBefore(1);

  it('a user held back by an invalid roster row, who may be a leaver\'s, has its sessions planned like theirs', () => {
    const p = plan({
      roster: createDummyRoster([bob], { invalidRowIdentities: [{ email: 'bob@acquired.example', awsUsernames: [] }] }),
      inventory: { accounts: [createDummyAccount([createDummyUser({ userName: 'bob' })], { roles: [role({ trustPolicy: pinned })], groups: [] })], hosts: [], accountErrors: [] },
      policy: createDummyPolicy(),
      now: NOW,
    });
    expect(p.sessions?.map((s) => [s.userName, s.person?.email])).toEqual([['bob', 'bob@example.com']]);
    expect(p.actions.filter((a) => a.kind === 'deny-role-source-identity').map((a) => a.person?.email)).toEqual(['bob@example.com']);
  });

  it('an account whose roles could not be read says why, and that leavers\' sessions there are unchecked', () => {
    const p = plan({
      roster: createDummyRoster([bob]),
      inventory: { accounts: [createDummyAccount([], { rolesError: 'ListRoles: AccessDenied' })], hosts: [], accountErrors: [] },
      policy: createDummyPolicy(),
      now: NOW,
    });
    expect(p.findings.filter((f) => f.kind === 'roles-unavailable').map((f) => f.detail)).toEqual([
      expect.stringMatching(/^IAM roles could not be read \(ListRoles: AccessDenied\); leavers' role sessions there are unchecked — /),
    ]);
  });

  it('with access already cut, the pinned deny is added until the last session from before expires, not at that instant', () => {
    const kindsAt = (now: Date) => planOf({ users: [stopped], roles: [role({ trustPolicy: pinned, maxSessionSeconds: 3600 })], now }).actions.map((a) => a.kind);
    expect(kindsAt(new Date(end.getTime() + 3_600_000 - 1))).toContain('deny-role-source-identity');
    expect(kindsAt(new Date(end.getTime() + 3_600_000))).not.toContain('deny-role-source-identity');
  });

  it("a source-identity statement of Warden's on an unpinned role is no revoke-older Deny", () => {
    const si = JSON.stringify({ Statement: [{ Sid: 'WardenEndSessionsSI20261125130000', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['zed'] } } }] });
    const p = planOf({ users: [stopped], roles: [role({ trustPolicy: trustBob, maxSessionSeconds: 43200, wardenPolicy: si })], policy: { sessions: { revokeOlderOnRoles: true } }, now: new Date('2026-11-25T18:00:00Z') });
    expect(p.actions.map((a) => a.kind)).toContain('revoke-older-role-sessions');
  });

  it('drops expired statements named in sorted order, whatever order the policy lists them in', () => {
    const statement = (sid: string) => ({ Sid: sid, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['zed'] } } });
    const wardenPolicy = JSON.stringify({ Statement: [statement('WardenEndSessionsSI20261120100000'), statement('WardenEndSessionsSI20261119100000')] });
    const p = planOf({ users: [createDummyUser({ userName: 'carol' })], roles: [role({ wardenPolicy })] });
    expect(p.actions.filter((a) => a.kind === 'drop-expired-session-denies').map((a) => (a.target as { readonly sids: readonly string[] }).sids)).toEqual([
      ['WardenEndSessionsSI20261119100000', 'WardenEndSessionsSI20261120100000'],
    ]);
  });

  it('sorts three or more leavers by account and user name', () => {
    const cy = createDummyPerson({ employeeId: 'E5', email: 'cy@example.com', status: 'departed', endAt: daysBefore(1) });
    const users = [bobUser(), createDummyUser({ userName: 'amy', tags: { employee_id: 'E1' } }), createDummyUser({ userName: 'cy', tags: { employee_id: 'E5' } })];
    expect(planOf({ people: [bob, amy, cy], users }).sessions?.map((s) => s.userName)).toEqual(['amy', 'bob', 'cy']);
  });
});
