/**
 * Identity Center planning at its edges (issue 10: src/domain/planning/identity-center.ts): the lines a report shows,
 * which Deny is already in place, which invalid roster row holds a user back, and when Warden's Deny is released. An
 * Identity Center user's attributes (emails, external ids) may come from an IdP or the user's own profile: they must
 * never get a leaver out of a Deny early, nor quarantine someone an invalid row could be.
 */
import { parseInlinePolicy, renderInlinePolicy, sessionPattern, type IdentityCenterInventory } from '../../src/domain/identity-center';
import type { Action, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import type { RowIdentity } from '../../src/domain/roster';
import type { Person } from '../../src/domain/roster';
import { createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore, NOW } from '../fixtures/builders';

const STORE = 'd-1234567890';
const PS_RO = 'arn:aws:sso:::permissionSet/ssoins-1/ps-ro';
const PS_ADMIN = 'arn:aws:sso:::permissionSet/ssoins-1/ps-admin';
const HOUR = 3_600_000;

function ic(overrides: Partial<IdentityCenterInventory> = {}): IdentityCenterInventory {
  return {
    instanceArn: 'arn:aws:sso:::instance/ssoins-1',
    identityStoreId: STORE,
    source: 'internal',
    users: [{ userId: 'u-bob', userName: 'bob@example.com', emails: ['bob@example.com'], externalIds: [] }],
    groups: [{ groupId: 'g-eng', displayName: 'Engineers' }],
    memberships: [{ membershipId: 'm-bob-eng', groupId: 'g-eng', userId: 'u-bob' }],
    permissionSets: [
      { arn: PS_RO, name: 'ReadOnly', sessionSeconds: 3600, inlinePolicy: null, provisionedAccounts: ['111111111111'] },
      { arn: PS_ADMIN, name: 'Admin', sessionSeconds: 2 * 3600, inlinePolicy: null, provisionedAccounts: ['111111111111'] },
    ],
    assignments: [
      { accountId: '111111111111', permissionSetArn: PS_RO, principalType: 'GROUP', principalId: 'g-eng' },
      { accountId: '111111111111', permissionSetArn: PS_ADMIN, principalType: 'USER', principalId: 'u-bob' },
    ],
    ...overrides,
  };
}

const alice = createDummyPerson();
const bobLeft = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });
const bobWorking = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', role: 'engineer' });

function planIc(people: readonly Person[], inventory: IdentityCenterInventory, policy: Parameters<typeof createDummyPolicy>[0] = {}, now = NOW, invalidRowIdentities: readonly RowIdentity[] = []): Plan {
  return plan({ roster: createDummyRoster(people, { invalidRowIdentities }), inventory: createDummyInventory([], { identityCenter: inventory }), policy: createDummyPolicy(policy), now });
}
const icActions = (p: Plan): Action[] => p.actions.filter((a) => a.plane === 'identity-center');
const line = (a: Action): string => `${a.kind} ${a.account} ${a.userName} ${JSON.stringify(a.target)} ${a.reason} ${a.control}`;
const deniedFor = (...userNames: string[]): string => renderInlinePolicy({ version: '2012-10-17', others: [], denied: [] }, userNames.map(sessionPattern)) ?? '';

describe('stopping a leaver', () => {
  it('every action says what it removes, by name, falling back to ids for what Identity Center no longer lists', () => {
    const inventory = ic({
      groups: [],
      permissionSets: [{ arn: PS_RO, name: 'ReadOnly', sessionSeconds: 3600, inlinePolicy: null, provisionedAccounts: [] }],
      assignments: [{ accountId: '111111111111', permissionSetArn: PS_ADMIN, principalType: 'USER', principalId: 'u-bob' }],
    });
    expect(icActions(planIc([bobLeft], inventory)).map(line)).toEqual([
      `remove-ic-membership ${STORE} bob@example.com {"userId":"u-bob","membershipId":"m-bob-eng","groupId":"g-eng","groupName":"g-eng"} departed offboarding-24h`,
      `delete-ic-assignment ${STORE} bob@example.com {"userId":"u-bob","accountId":"111111111111","permissionSetArn":"${PS_ADMIN}","permissionSetName":"${PS_ADMIN}"} departed offboarding-24h`,
    ]);
  });

  it('a Deny already listing them and running everywhere is not written again; one still outdated somewhere is', () => {
    const denied = ic({ permissionSets: ic().permissionSets.map((ps) => ({ ...ps, inlinePolicy: deniedFor('bob@example.com') })) });
    expect(icActions(planIc([bobLeft], denied)).map((a) => a.kind)).toEqual(['remove-ic-membership', 'delete-ic-assignment']);
    const outdated = ic({ permissionSets: denied.permissionSets.map((ps) => (ps.arn === PS_RO ? { ...ps, outdatedAccounts: ['111111111111'] } : ps)) });
    const denies = icActions(planIc([bobLeft], outdated)).filter((a) => a.kind === 'deny-ic-sessions');
    expect(denies.map((a) => (a.target as { permissionSetName: string }).permissionSetName)).toEqual(['ReadOnly']);
  });

  it('a Deny listing someone else does not count for them', () => {
    const other = ic({ permissionSets: ic().permissionSets.map((ps) => ({ ...ps, inlinePolicy: deniedFor('carol@example.com') })) });
    expect(icActions(planIc([bobLeft], other)).filter((a) => a.kind === 'deny-ic-sessions')).toHaveLength(2);
  });

  it('an inline policy Warden cannot merge into is a high finding naming the set and the leaver, and no Deny there', () => {
    const broken = ic({ permissionSets: ic().permissionSets.map((ps) => (ps.arn === PS_RO ? { ...ps, inlinePolicy: '{not json' } : ps)) });
    const p = planIc([bobLeft], broken);
    expect(p.findings.filter((f) => f.kind === 'session-deny-blocked')).toEqual([
      expect.objectContaining({
        severity: 'high',
        control: 'offboarding-24h',
        account: STORE,
        userName: 'bob@example.com',
        detail: 'permission set ReadOnly: its inline policy is not a JSON policy document, so Warden cannot add its Deny without replacing it; sessions of these leavers are not ended there — fix the policy',
      }),
    ]);
    expect(icActions(p).filter((a) => a.kind === 'deny-ic-sessions').map((a) => (a.target as { permissionSetName: string }).permissionSetName)).toEqual(['Admin']);
  });

  it('an oversized merge names its size, the limit and the session length', () => {
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(32_700), Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const p = planIc([bobLeft], ic({ permissionSets: ic().permissionSets.map((ps) => (ps.arn === PS_ADMIN ? { ...ps, inlinePolicy: big } : ps)) }));
    const [blocked] = p.findings.filter((f) => f.kind === 'session-deny-blocked');
    expect(blocked?.detail).toMatch(/^permission set Admin: adding Warden's Deny would make its inline policy \d{5} characters, over AWS's 32768; nothing was written, so live sessions may last up to 2 h — shorten the inline policy — /);
  });

  it('a policy exactly at the limit once merged is written', () => {
    const empty = { version: '2012-10-17', others: [{ Sid: 'pad', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }], denied: [] };
    const withDeny = renderInlinePolicy(empty, [sessionPattern('bob@example.com')]) ?? '';
    const pad = 'x'.repeat(32_768 - withDeny.length);
    const atLimit = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `pad${pad}`, Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    expect((renderInlinePolicy(parseInlinePolicy(atLimit) ?? empty, [sessionPattern('bob@example.com')]) ?? '').length).toBe(32_768);
    const p = planIc([bobLeft], ic({ permissionSets: ic().permissionSets.map((ps) => (ps.arn === PS_ADMIN ? { ...ps, inlinePolicy: atLimit } : ps)) }));
    expect(p.findings.filter((f) => f.kind === 'session-deny-blocked')).toEqual([]);
  });

  it('an unreadable Identity Center says so, with the error', () => {
    const p = plan({ roster: createDummyRoster([alice]), inventory: createDummyInventory([], { identityCenterError: 'AccessDeniedException: no' }), policy: createDummyPolicy(), now: NOW });
    expect(p.findings.filter((f) => f.kind === 'identity-center-unreadable').map((f) => f.detail)).toEqual([
      expect.stringMatching(/^IAM Identity Center could not be read \(AccessDeniedException: no\); leavers' SSO access is unchecked — /),
    ]);
  });
});

describe('people working there', () => {
  const ENGINEER = { groups: [], managedPolicies: [], identityCenter: { groups: ['engineers'], permissionSets: [{ name: 'Admin', accounts: ['111111111111'] }, { name: 'ReadOnly', accounts: ['111111111111', '333333333333'] }] } };

  it('group names compare in any case; what a group grants counts as held; what is missing is reported, each by name and account', () => {
    const p = planIc([bobWorking], ic({ groups: [{ groupId: 'g-eng', displayName: 'Engineers' }] }), { roles: { engineer: ENGINEER } });
    expect(icActions(p)).toEqual([]);
    expect(p.findings.filter((f) => f.kind === 'missing-grant').map((f) => [f.severity, f.control, f.account, f.userName, f.person?.email, f.detail])).toEqual([
      ['low', 'least-privilege', STORE, 'bob@example.com', 'bob@example.com', 'role engineer grants permission set ReadOnly in account 333333333333, which this user cannot use'],
    ]);
  });

  it('a group the role does not grant is removed and a granted one missing is reported', () => {
    const role = { ...ENGINEER, identityCenter: { groups: ['Platform'], permissionSets: [{ name: 'Admin', accounts: ['111111111111'] }, { name: 'ReadOnly', accounts: ['111111111111'] }] } };
    const p = planIc([bobWorking], ic(), { roles: { engineer: role } });
    expect(icActions(p).map(line)).toEqual([`remove-ic-membership ${STORE} bob@example.com {"userId":"u-bob","membershipId":"m-bob-eng","groupId":"g-eng","groupName":"Engineers"} excess-privilege least-privilege`]);
    expect(p.findings.filter((f) => f.kind === 'missing-grant').map((f) => f.detail)).toEqual(['role engineer grants Identity Center group Platform, which this user is not in']);
  });

  it('a direct assignment in an account the role does not list is removed, by permission set name', () => {
    const role = { ...ENGINEER, identityCenter: { groups: ['Engineers'], permissionSets: [{ name: 'Admin', accounts: ['222222222222'] }, { name: 'ReadOnly', accounts: ['111111111111'] }] } };
    const p = planIc([bobWorking], ic(), { roles: { engineer: role } });
    expect(icActions(p).map((a) => `${a.kind} ${(a.target as { permissionSetName: string }).permissionSetName}`)).toEqual(['delete-ic-assignment Admin']);
    expect(p.findings.filter((f) => f.kind === 'missing-grant').map((f) => f.detail)).toEqual(['role engineer grants permission set Admin in account 222222222222, which this user cannot use']);
  });
});

describe('users matching nobody', () => {
  const nobody = createDummyPerson({ employeeId: 'E9', email: 'zed@example.com' });

  it('are reported, saying whether they were quarantined', () => {
    expect(planIc([nobody], ic()).findings.filter((f) => f.kind === 'orphan-user').map((f) => [f.severity, f.control, f.account, f.userName, f.detail])).toEqual([
      ['medium', 'account-ownership', STORE, 'bob@example.com', expect.stringMatching(/^no roster person matches this Identity Center user \(reported only\) — /)],
    ]);
    expect(planIc([nobody], ic(), { orphans: 'quarantine' }).findings.find((f) => f.kind === 'orphan-user')?.detail).toMatch(
      /^no roster person matches this Identity Center user \(quarantined: memberships, assignments and sessions stopped\) — /,
    );
  });

  it.each([
    ['an external id equal to the row employee id (spaces trimmed)', { employeeId: ' X7 ', awsUsernames: [] }, { externalIds: ['X7 '] }],
    ['one of its emails equal to the row email (any case)', { email: 'Bob@Example.com', awsUsernames: [] }, { emails: [' BOB@example.com '] }],
    ['its user name equal to the row email', { email: 'bob@example.com', awsUsernames: [] }, { userName: 'Bob@Example.com', emails: [] }],
    ['its user name equal to the row email local part', { email: 'bob@example.com', awsUsernames: [] }, { userName: ' bob ', emails: [] }],
  ])('are held back, never quarantined, when an invalid row could be theirs: %s', (_, row, user) => {
    const inventory = ic({ users: [{ userId: 'u-bob', userName: 'bob@example.com', emails: ['bob@example.com'], externalIds: [], ...user }] });
    const p = planIc([nobody], inventory, { orphans: 'quarantine' }, NOW, [row]);
    expect(icActions(p)).toEqual([]);
    expect(p.findings.filter((f) => f.account === STORE).map((f) => [f.kind, f.severity, f.detail])).toEqual([
      ['ambiguous-identity', 'medium', 'Identity Center user matches an invalid roster row; held back with no automatic action until the row is fixed'],
    ]);
  });

  it('an invalid row naming someone else does not hold them back', () => {
    for (const row of [{ employeeId: 'X8', awsUsernames: [] }, { email: 'bobby@example.com', awsUsernames: [] }, { email: 'carol@example.com', awsUsernames: [] }, { awsUsernames: ['bob'] }]) {
      const p = planIc([nobody], ic({ users: [{ userId: 'u-bob', userName: 'bob', emails: ['bob@example.com'], externalIds: ['X7'] }] }), { orphans: 'quarantine' }, NOW, [row]);
      expect(p.findings.filter((f) => f.kind === 'orphan-user')).toHaveLength(1);
    }
  });
});

describe('an Identity Center user matching two people', () => {
  it('names the rules and people; high with the leaver as person when one left, medium without person otherwise', () => {
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const shared = ic({ users: [{ userId: 'u-bob', userName: 'bob@example.com', emails: [], externalIds: ['E3'] }] });
    const left = planIc([bobLeft, carol], shared).findings.find((f) => f.kind === 'ambiguous-identity');
    expect(left).toMatchObject({ severity: 'high', control: 'account-ownership', account: STORE, userName: 'bob@example.com', person: { email: 'bob@example.com' } });
    expect(left?.detail).toBe(
      "Identity Center user matches 2 people — ExternalIds id equal to employee_id: carol@example.com; UserName equal to the email or its local part: bob@example.com; access stopped because bob@example.com has left; never deleted until the roster or the user's attributes say who it is",
    );
    const both = planIc([bobWorking, carol], shared).findings.find((f) => f.kind === 'ambiguous-identity');
    expect(both?.severity).toBe('medium');
    expect(both && 'person' in both).toBe(false);
    expect(both?.detail).toMatch(/; no automatic action until the roster or the user's attributes say who it is$/);
  });

  it('is never deleted, even long past deleteAfterDays', () => {
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const shared = ic({ users: [{ userId: 'u-bob', userName: 'bob@example.com', emails: [], externalIds: ['E3'] }] });
    expect(icActions(planIc([{ ...bobLeft, endAt: daysBefore(400) }, carol], shared)).map((a) => a.kind)).not.toContain('delete-ic-user');
  });
});

describe("releasing Warden's Deny", () => {
  const done = (overrides: Partial<IdentityCenterInventory> = {}) =>
    ic({ memberships: [], assignments: [], permissionSets: ic().permissionSets.map((ps) => ({ ...ps, inlinePolicy: deniedFor('bob@example.com') })), ...overrides });

  it('for a user who is gone from Identity Center: from every set listing them, named by the pattern', () => {
    const inventory = done({ users: [], permissionSets: ic().permissionSets.map((ps) => ({ ...ps, inlinePolicy: deniedFor('a*b?c$d') })) });
    expect(icActions(planIc([alice], inventory)).map(line)).toEqual([
      `release-ic-session-deny ${STORE} a*b?c$d {"userId":"","permissionSetArn":"${PS_ADMIN}","permissionSetName":"Admin","pattern":"*:a\${*}b\${?}c\${$}d"} departed offboarding-24h`,
      `release-ic-session-deny ${STORE} a*b?c$d {"userId":"","permissionSetArn":"${PS_RO}","permissionSetName":"ReadOnly","pattern":"*:a\${*}b\${?}c\${$}d"} departed offboarding-24h`,
    ]);
  });

  it('for someone working there again, at once', () => {
    expect(icActions(planIc([bobWorking], done())).map((a) => a.kind)).toEqual(['release-ic-session-deny', 'release-ic-session-deny']);
  });

  it('for a leaver holding nothing, only once the longest session of the sets listing them has run out since "no access left"', () => {
    const since = new Date(NOW.getTime() - 2 * HOUR);
    expect(icActions(planIc([bobLeft], done({ noAccessSince: new Map([['u-bob', since]]) }), {}, new Date(NOW.getTime() - 1))).map((a) => a.kind)).toEqual([]);
    expect(icActions(planIc([bobLeft], done({ noAccessSince: new Map([['u-bob', since]]) }))).map((a) => a.kind)).toEqual(['release-ic-session-deny', 'release-ic-session-deny']);
    // Listed only in ReadOnly (1 h sessions): released an hour after.
    const oneSet = done({ noAccessSince: new Map([['u-bob', new Date(NOW.getTime() - HOUR)]]), permissionSets: ic().permissionSets.map((ps) => ({ ...ps, inlinePolicy: ps.arn === PS_RO ? deniedFor('bob@example.com') : null })) });
    expect(icActions(planIc([bobLeft], oneSet)).map(line)).toEqual([
      `release-ic-session-deny ${STORE} bob@example.com {"userId":"u-bob","permissionSetArn":"${PS_RO}","permissionSetName":"ReadOnly","pattern":"*:bob@example.com"} departed offboarding-24h`,
    ]);
  });

  it('never while they still hold a membership or an assignment', () => {
    const holding = done({ noAccessSince: new Map([['u-bob', daysBefore(30)]]), memberships: ic().memberships });
    expect(icActions(planIc([bobLeft], holding)).map((a) => a.kind)).toEqual(['remove-ic-membership']);
    const assigned = done({ noAccessSince: new Map([['u-bob', daysBefore(30)]]), assignments: [{ accountId: '111111111111', permissionSetArn: PS_ADMIN, principalType: 'USER', principalId: 'u-bob' }] });
    expect(icActions(planIc([bobLeft], assigned)).map((a) => a.kind)).toEqual(['delete-ic-assignment']);
  });
});

describe("a leaver's Identity Center sessions", () => {
  it('with nothing planned, count from the verified "no access left", else from the end date', () => {
    const since = new Date(NOW.getTime() - 30 * 60_000);
    const inventory = ic({ memberships: [], assignments: [], permissionSets: [{ arn: PS_ADMIN, name: 'Admin', sessionSeconds: 2 * 3600, inlinePolicy: null, provisionedAccounts: [] }] });
    // No Deny could be planned (nothing reachable) but the set is listed nowhere either: no principal, no entry.
    expect(planIc([bobLeft], inventory).sessions ?? []).toEqual([]);
    const listed = ic({ memberships: [], assignments: [], permissionSets: [{ arn: PS_ADMIN, name: 'Admin', sessionSeconds: 2 * 3600, inlinePolicy: deniedFor('bob@example.com'), provisionedAccounts: [] }] });
    const withSince = planIc([bobLeft], { ...listed, noAccessSince: new Map([['u-bob', since]]) }).sessions?.find((s) => s.account === STORE);
    expect(withSince?.summary).toEqual({ status: 'ended', at: since, principals: 1 });
    const without = planIc([bobLeft], listed).sessions?.find((s) => s.account === STORE);
    expect(without?.summary).toEqual({ status: 'ended', at: new Date(daysBefore(1).getTime() + 2 * 3600_000), principals: 1 });
  });
});

describe('what the range run let through: a Deny is never released in the plan that stops its user', () => {
  const carolLeft = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysBefore(1) });
  const carolUser = { userId: 'u-carol', userName: 'carol@example.com', emails: ['carol@example.com'], externalIds: [] };
  const deniedBoth = (ps: IdentityCenterInventory['permissionSets'][number]) => ({ ...ps, inlinePolicy: deniedFor('carol@example.com') });

  it('a leaver past deleteAfterDays holding nothing is deleted, and their Deny stays until the user is gone', () => {
    const inventory = ic({ users: [carolUser], memberships: [], assignments: [], permissionSets: ic().permissionSets.map(deniedBoth), noAccessSince: new Map([['u-carol', daysBefore(35)]]) });
    const gone = { ...carolLeft, endAt: daysBefore(40) };
    expect(icActions(planIc([gone], inventory)).map((a) => a.kind)).toEqual(['delete-ic-user']);
    // The same after another leaver's Denies were planned first.
    const both = ic({ users: [ic().users[0] as IdentityCenterInventory['users'][number], carolUser], permissionSets: ic().permissionSets.map(deniedBoth), noAccessSince: new Map([['u-carol', daysBefore(35)]]) });
    expect(icActions(planIc([bobLeft, gone], both)).filter((a) => a.userName === 'carol@example.com').map((a) => a.kind)).toEqual(['delete-ic-user']);
  });

  it("a leaver holding nothing is released on time even after another leaver's Denies were planned", () => {
    const both = ic({ users: [ic().users[0] as IdentityCenterInventory['users'][number], carolUser], permissionSets: ic().permissionSets.map(deniedBoth), noAccessSince: new Map([['u-carol', daysBefore(1)]]) });
    expect(icActions(planIc([bobLeft, carolLeft], both)).filter((a) => a.userName === 'carol@example.com').map((a) => a.kind)).toEqual(['release-ic-session-deny', 'release-ic-session-deny']);
  });

  it('a user matching nobody who holds a membership again keeps the Deny, however long ago access ended', () => {
    const inventory = ic({ users: [carolUser], memberships: [{ membershipId: 'm-c', groupId: 'g-eng', userId: 'u-carol' }], assignments: [], permissionSets: ic().permissionSets.map(deniedBoth), noAccessSince: new Map([['u-carol', daysBefore(35)]]) });
    expect(icActions(planIc([alice], inventory)).map((a) => a.kind)).toEqual([]);
    const direct = ic({ users: [carolUser], memberships: [], assignments: [{ accountId: '111111111111', permissionSetArn: PS_ADMIN, principalType: 'USER', principalId: 'u-carol' }], permissionSets: ic().permissionSets.map(deniedBoth), noAccessSince: new Map([['u-carol', daysBefore(35)]]) });
    expect(icActions(planIc([alice], direct)).map((a) => a.kind)).toEqual([]);
  });

  it('a permission set whose inline policy is not a document releases nothing', () => {
    expect(icActions(planIc([alice], ic({ users: [], memberships: [], assignments: [], permissionSets: ic().permissionSets.map((ps) => ({ ...ps, inlinePolicy: '{not json' })) })))).toEqual([]);
  });
});

describe('session 6: the rest of the file', () => {
  const orphanOrHeld = (p: Plan): string[] => p.findings.filter((f) => f.kind === 'orphan-user' || f.kind === 'ambiguous-identity').map((f) => `${f.kind} ${f.userName}`);
  const row = (r: Partial<RowIdentity>): RowIdentity => ({ awsUsernames: [], ...r }) as RowIdentity;

  it('an invalid roster row holds back a user by any of its emails, case and blanks aside, and by any one of its external ids', () => {
    const byEmail = ic({ users: [{ userId: 'u-x', userName: 'x-1', emails: ['other@example.com', ' Carol@Example.COM '], externalIds: [] }], memberships: [], assignments: [] });
    expect(orphanOrHeld(planIc([], byEmail, {}, NOW, [row({ email: 'carol@example.com' })]))).toEqual(['ambiguous-identity x-1']);
    const byId = ic({ users: [{ userId: 'u-x', userName: 'x-1', emails: [], externalIds: ['X9', ' E7 '] }], memberships: [], assignments: [] });
    expect(orphanOrHeld(planIc([], byId, {}, NOW, [row({ employeeId: 'E7' })]))).toEqual(['ambiguous-identity x-1']);
    // A user with no external id is not held back by a row that has one: it is an orphan.
    const noIds = ic({ users: [{ userId: 'u-x', userName: 'x-1', emails: [], externalIds: [] }], memberships: [], assignments: [] });
    expect(orphanOrHeld(planIc([], noIds, {}, NOW, [row({ employeeId: 'E7' })]))).toEqual(['orphan-user x-1']);
  });

  it('a Deny blocked in a permission set names every leaver it was for, comma separated', () => {
    const dave = createDummyPerson({ employeeId: 'E4', email: 'dave@example.com', status: 'departed', endAt: daysBefore(1) });
    const inventory = ic({
      users: [
        { userId: 'u-bob', userName: 'bob@example.com', emails: [], externalIds: [] },
        { userId: 'u-dave', userName: 'dave@example.com', emails: [], externalIds: [] },
      ],
      memberships: [],
      permissionSets: [{ arn: PS_RO, name: 'ReadOnly', sessionSeconds: 3600, inlinePolicy: '{not json', provisionedAccounts: ['111111111111'] }],
      assignments: [
        { accountId: '111111111111', permissionSetArn: PS_RO, principalType: 'USER', principalId: 'u-bob' },
        { accountId: '111111111111', permissionSetArn: PS_RO, principalType: 'USER', principalId: 'u-dave' },
      ],
    });
    const blocked = planIc([bobLeft, dave], inventory).findings.filter((f) => f.kind === 'session-deny-blocked');
    expect(blocked.map((f) => f.userName)).toEqual(['bob@example.com, dave@example.com']);
  });

  it('an ambiguous user names every person a rule found, comma separated', () => {
    const bobOther = createDummyPerson({ employeeId: 'E5', email: 'bob@other.example' });
    const inventory = ic({ users: [{ userId: 'u-b', userName: 'bob', emails: [], externalIds: [] }], memberships: [], assignments: [] });
    const [finding] = planIc([bobWorking, bobOther], inventory).findings.filter((f) => f.kind === 'ambiguous-identity');
    expect(finding?.detail).toBe(
      'Identity Center user matches 2 people — UserName equal to the email or its local part: bob@example.com, bob@other.example; no automatic action until the roster or the user\'s attributes say who it is',
    );
  });
});

describe('session 6: each leaver\'s sessions are timed from their own actions', () => {
  it('a leaver with nothing left to do keeps "no access left" as their end, beside a leaver whose access is stopped now', () => {
    const dave = createDummyPerson({ employeeId: 'E4', email: 'dave@example.com', status: 'departed', endAt: daysBefore(1) });
    const since = new Date(NOW.getTime() - HOUR / 2);
    const inventory = ic({
      users: [
        { userId: 'u-bob', userName: 'bob@example.com', emails: [], externalIds: [] },
        { userId: 'u-dave', userName: 'dave@example.com', emails: [], externalIds: [] },
      ],
      permissionSets: ic().permissionSets.map((ps) => (ps.arn === PS_RO ? { ...ps, inlinePolicy: deniedFor('dave@example.com') } : ps)),
      noAccessSince: new Map([['u-dave', since]]),
    });
    const p = planIc([bobLeft, dave], inventory);
    expect(icActions(p).filter((a) => a.userName === 'dave@example.com')).toEqual([]);
    const daves = (p.sessions ?? []).filter((s) => s.userName === 'dave@example.com');
    expect(daves.map((s) => s.summary)).toEqual([{ status: 'ended', at: since, principals: 1 }]);
    expect(daves.flatMap((s) => s.principals.map((x) => x.exposure))).toEqual([{ status: 'ended', at: since, cause: 'identity-center-user' }]);
  });
});
