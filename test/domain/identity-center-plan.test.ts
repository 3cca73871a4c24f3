import { IC_DENY_SID, IC_INLINE_POLICY_MAX_CHARS, parseInlinePolicy, renderInlinePolicy, sessionPattern, type IdentityCenterInventory } from '../../src/domain/identity-center';
import type { Action, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import { buildContext } from '../../src/domain/planning/context';
import { planIdentityCenter } from '../../src/domain/planning/identity-center';
import type { Person } from '../../src/domain/roster';
import { createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore, NOW } from '../fixtures/builders';

const STORE = 'd-1234567890';
const PS_RO = 'arn:aws:sso:::permissionSet/ssoins-1/ps-ro';
const PS_ADMIN = 'arn:aws:sso:::permissionSet/ssoins-1/ps-admin';
const THEIRS = { Sid: 'TheirOwn', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' };

/** An Identity Center with Bob (a direct Admin assignment and the Engineers group, whose ReadOnly he can use) and Alice. */
function createDummyIc(overrides: Partial<IdentityCenterInventory> = {}): IdentityCenterInventory {
  return {
    instanceArn: 'arn:aws:sso:::instance/ssoins-1',
    identityStoreId: STORE,
    source: 'internal',
    users: [
      { userId: 'u-bob', userName: 'bob@example.com', emails: ['bob@example.com'], externalIds: [] },
      { userId: 'u-alice', userName: 'alice', emails: [], externalIds: ['E1'] },
    ],
    groups: [
      { groupId: 'g-eng', displayName: 'Engineers' },
      { groupId: 'g-admins', displayName: 'Admins' },
    ],
    memberships: [
      { membershipId: 'm-bob-eng', groupId: 'g-eng', userId: 'u-bob' },
      { membershipId: 'm-alice-eng', groupId: 'g-eng', userId: 'u-alice' },
      { membershipId: 'm-alice-admins', groupId: 'g-admins', userId: 'u-alice' },
    ],
    permissionSets: [
      { arn: PS_RO, name: 'ReadOnly', sessionSeconds: 3600, inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [THEIRS] }), provisionedAccounts: ['111111111111'] },
      { arn: PS_ADMIN, name: 'Admin', sessionSeconds: 12 * 3600, inlinePolicy: null, provisionedAccounts: ['111111111111'] },
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
const ENGINEER = { groups: [], managedPolicies: [], identityCenter: { groups: ['Engineers'], permissionSets: [{ name: 'ReadOnly', accounts: ['222222222222'] }] } };

function planIc(people: readonly Person[], ic: IdentityCenterInventory, overrides: Parameters<typeof createDummyPolicy>[0] = {}, now = NOW): Plan {
  return plan({ roster: createDummyRoster(people), inventory: createDummyInventory([], { identityCenter: ic }), policy: createDummyPolicy({ roles: { engineer: ENGINEER }, ...overrides }), now });
}

const contextFor = (people: readonly Person[], ic: IdentityCenterInventory) =>
  buildContext({ roster: createDummyRoster(people), inventory: createDummyInventory([], { identityCenter: ic }), policy: createDummyPolicy({ roles: { engineer: ENGINEER } }), now: NOW });

const icActions = (p: Plan): Action[] => p.actions.filter((a) => a.plane === 'identity-center');
const summary = (actions: readonly Action[]) => actions.map((a) => `${a.kind} ${a.userName} ${JSON.stringify(a.target)} ${a.reason}`);

describe('Identity Center planning', () => {
  it('stops a leaver: sessions denied in every set they could use, then memberships and direct assignments removed', () => {
    const p = planIc([alice, bobLeft], createDummyIc());
    const bob = icActions(p).filter((a) => a.userName === 'bob@example.com');
    expect(bob.map((a) => a.kind)).toEqual(['deny-ic-sessions', 'deny-ic-sessions', 'remove-ic-membership', 'delete-ic-assignment']);
    expect(bob.every((a) => a.account === STORE && a.person?.email === 'bob@example.com' && a.reason === 'departed')).toBe(true);
    expect(bob.filter((a) => a.kind === 'deny-ic-sessions').map((a) => (a.target as { permissionSetName: string }).permissionSetName).sort()).toEqual(['Admin', 'ReadOnly']);
    expect(p.findings.filter((f) => f.kind === 'orphan-user')).toEqual([]);
  });

  it('removes memberships and direct assignments an active role does not allow, and reports what it grants but they lack', () => {
    const p = planIc([alice, bobLeft], createDummyIc());
    const mine = icActions(p).filter((a) => a.userName === 'alice');
    expect(summary(mine)).toEqual([`remove-ic-membership alice ${JSON.stringify({ userId: 'u-alice', membershipId: 'm-alice-admins', groupId: 'g-admins', groupName: 'Admins' })} excess-privilege`]);
    expect(p.findings.filter((f) => f.kind === 'missing-grant').map((f) => f.detail)).toEqual([
      'role engineer grants permission set ReadOnly in account 222222222222, which this user cannot use',
    ]);
  });

  it('leaves a role without an identityCenter block unmanaged there', () => {
    const p = plan({ roster: createDummyRoster([alice]), inventory: createDummyInventory([], { identityCenter: createDummyIc() }), policy: createDummyPolicy({ roles: { engineer: { groups: [], managedPolicies: [] } } }), now: NOW });
    expect(icActions(p).filter((a) => a.userName === 'alice')).toEqual([]);
  });

  it('treats rules naming different people as ambiguous, and still stops access when one of them left', () => {
    // Bob's Identity Center user carries Alice's employee id as an external id: two people match it.
    const ic = createDummyIc({ users: [{ userId: 'u-bob', userName: 'bob@example.com', emails: ['bob@example.com'], externalIds: ['E1'] }] });
    const p = planIc([alice, bobLeft], ic);
    expect(p.findings.find((f) => f.kind === 'ambiguous-identity')).toMatchObject({ severity: 'high', person: { email: 'bob@example.com' } });
    expect(icActions(p).map((a) => a.kind)).toEqual(['deny-ic-sessions', 'deny-ic-sessions', 'remove-ic-membership', 'delete-ic-assignment']);
    const bothWorking = planIc([alice, { ...bobLeft, status: 'active' }], ic);
    expect(bothWorking.findings.find((f) => f.kind === 'ambiguous-identity')?.severity).toBe('medium');
    expect(icActions(bothWorking).filter((a) => a.userName === 'bob@example.com')).toEqual([]);
  });

  it('reports users matching no one, and quarantines them when told to', () => {
    const ic = createDummyIc();
    expect(planIc([alice], ic).findings.filter((f) => f.kind === 'orphan-user').map((f) => f.userName)).toEqual(['bob@example.com']);
    expect(icActions(planIc([alice], ic)).filter((a) => a.userName === 'bob@example.com')).toEqual([]);
    const quarantined = icActions(planIc([alice], ic, { orphans: 'quarantine' })).filter((a) => a.userName === 'bob@example.com');
    expect(quarantined.map((a) => [a.kind, a.reason])).toEqual([
      ['deny-ic-sessions', 'orphan'],
      ['deny-ic-sessions', 'orphan'],
      ['remove-ic-membership', 'orphan'],
      ['delete-ic-assignment', 'orphan'],
    ]);
  });

  it('plans nothing more once the leaver holds nothing and is denied, until no session from before can be alive', () => {
    const denied = (ps: string | null) => renderInlinePolicy(parseInlinePolicy(ps) ?? { version: '2012-10-17', others: [], denied: [] }, [sessionPattern('bob@example.com')]);
    const base = createDummyIc();
    const done = createDummyIc({
      memberships: base.memberships.filter((m) => m.userId !== 'u-bob'),
      assignments: base.assignments.filter((a) => a.principalId !== 'u-bob'),
      permissionSets: base.permissionSets.map((ps) => ({ ...ps, inlinePolicy: denied(ps.inlinePolicy) })),
      noAccessSince: new Map([['u-bob', new Date(NOW.getTime() - 11 * 3600_000)]]),
    });
    expect(icActions(planIc([alice, bobLeft], done)).filter((a) => a.userName === 'bob@example.com')).toEqual([]);
    // Twelve hours (Admin's session duration, the longest) after "no access left", Bob is dropped from both Denies.
    const later = icActions(planIc([alice, bobLeft], done, {}, new Date(NOW.getTime() + 3600_000))).filter((a) => a.userName === 'bob@example.com');
    expect(later.map((a) => [a.kind, (a.target as { permissionSetName: string }).permissionSetName])).toEqual([
      ['release-ic-session-deny', 'Admin'],
      ['release-ic-session-deny', 'ReadOnly'],
    ]);
    // Without a verified "no access left" time the Deny stays.
    expect(icActions(planIc([alice, bobLeft], { ...done, noAccessSince: new Map() }, {}, new Date(NOW.getTime() + 86_400_000))).filter((a) => a.userName === 'bob@example.com')).toEqual([]);
  });

  it('holds back a user an invalid roster row could be, even when quarantining orphans', () => {
    const p = plan({
      roster: createDummyRoster([alice], { invalidRowIdentities: [{ email: 'bob@example.com', awsUsernames: [] }] }),
      inventory: createDummyInventory([], { identityCenter: createDummyIc() }),
      policy: createDummyPolicy({ roles: { engineer: ENGINEER }, orphans: 'quarantine' }),
      now: NOW,
    });
    expect(icActions(p).filter((a) => a.userName === 'bob@example.com')).toEqual([]);
    expect(p.findings.find((f) => f.userName === 'bob@example.com')).toMatchObject({ kind: 'ambiguous-identity', severity: 'medium' });
  });

  it("gives each leaver's Identity Center session status: ended now where this plan denies them, alive where a Deny cannot be written", () => {
    const p = planIdentityCenter(contextFor([alice, bobLeft], createDummyIc()));
    expect(p.sessions.map((s) => [s.userName, s.words])).toEqual([['bob@example.com', 'sessions ended at 2026-11-26 12:00 UTC']]);
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...THEIRS, Sid: 'x'.repeat(IC_INLINE_POLICY_MAX_CHARS - 200) }] });
    const blocked = createDummyIc({ permissionSets: createDummyIc().permissionSets.map((ps) => (ps.arn === PS_RO ? { ...ps, inlinePolicy: big } : ps)) });
    const open = planIdentityCenter(contextFor([alice, bobLeft], blocked)).sessions[0];
    // ReadOnly (1 h sessions) could not get the Deny: a session issued just now may live an hour.
    expect(open?.summary).toMatchObject({ status: 'may-live-until', until: new Date(NOW.getTime() + 3600_000), open: 1 });
  });

  it('deletes an internal user after deleteAfterDays, never an external one', () => {
    const gone = { ...bobLeft, endAt: daysBefore(40) };
    expect(icActions(planIc([alice, gone], createDummyIc())).map((a) => a.kind)).toContain('delete-ic-user');
    expect(icActions(planIc([alice, gone], createDummyIc({ source: 'external' }))).map((a) => a.kind)).not.toContain('delete-ic-user');
  });

  it('writes no Deny that would push an inline policy over 32,768 characters: a high finding instead', () => {
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...THEIRS, Sid: 'x'.repeat(IC_INLINE_POLICY_MAX_CHARS - 200) }] });
    const ic = createDummyIc({ permissionSets: createDummyIc().permissionSets.map((ps) => (ps.arn === PS_RO ? { ...ps, inlinePolicy: big } : ps)) });
    const p = planIc([alice, bobLeft], ic);
    expect(icActions(p).filter((a) => a.kind === 'deny-ic-sessions').map((a) => (a.target as { permissionSetName: string }).permissionSetName)).toEqual(['Admin']);
    expect(p.findings.find((f) => f.kind === 'session-deny-blocked')).toMatchObject({ severity: 'high', userName: 'bob@example.com' });
  });

  it('reports an unreadable Identity Center as high, never as nothing to do', () => {
    const p = plan({ roster: createDummyRoster([alice]), inventory: createDummyInventory([], { identityCenterError: 'AccessDeniedException: no' }), policy: createDummyPolicy(), now: NOW });
    expect(p.findings.find((f) => f.kind === 'identity-center-unreadable')?.severity).toBe('high');
  });
});

describe("Warden's Deny statement", () => {
  it('merges one Sid into an existing policy and leaves every other statement exactly as it was', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [THEIRS, { Sid: 'Other', Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }] });
    const parsed = parseInlinePolicy(existing);
    const merged = JSON.parse(renderInlinePolicy(parsed ?? { version: '', others: [], denied: [] }, ['*:bob']) ?? '') as { Statement: { Sid: string }[] };
    expect(merged.Statement.slice(0, 2)).toEqual((JSON.parse(existing) as { Statement: unknown[] }).Statement);
    expect(merged.Statement.filter((s) => s.Sid === IC_DENY_SID)).toEqual([{ Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': ['*:bob'] } } }]);
    expect(parseInlinePolicy(JSON.stringify(merged))?.denied).toEqual(['*:bob']);
    // Dropping the last pattern removes Warden's statement and nothing else.
    expect(JSON.parse(renderInlinePolicy(parseInlinePolicy(JSON.stringify(merged)) ?? { version: '', others: [], denied: [] }, []) ?? '')).toEqual(JSON.parse(existing));
  });

  it('escapes wildcards in a user name so a hostile name cannot deny everyone', () => {
    expect(sessionPattern('*')).toBe('*:${*}');
    expect(sessionPattern('a?b$c')).toBe('*:a${?}b${$}c');
  });

  it('refuses to merge into text that is not a policy document', () => {
    expect(parseInlinePolicy('{not json')).toBeUndefined();
    expect(parseInlinePolicy('[]')).toBeUndefined();
  });
});
