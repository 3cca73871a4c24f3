import { plan } from '../../src/domain/planner';
import type { IamRole, IamUser, Inventory } from '../../src/domain/inventory';
import type { Plan } from '../../src/domain/plan';
import type { AccessPolicy } from '../../src/domain/policy';
import { ACCOUNT, createDummyAccount, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser, daysBefore, NOW, OTHER_ACCOUNT } from '../fixtures/builders';

const DENY_ALL = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
const bobArn = `arn:aws:iam::${ACCOUNT}:user/bob`;
const leaver = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });
const pinnedTrust = { Statement: [{ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } } }] };
const role = (roleName: string, overrides: Partial<IamRole> = {}): IamRole => ({
  roleName,
  arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
  maxSessionSeconds: 3600,
  trustPolicy: pinnedTrust,
  wardenPolicy: null,
  ...overrides,
});

function planWith(user: IamUser, roles: readonly IamRole[], options: { now?: Date; policy?: Partial<AccessPolicy>; extra?: Partial<Inventory> } = {}): Plan {
  return plan({
    roster: createDummyRoster([leaver]),
    inventory: { accounts: [createDummyAccount([user], { roles })], hosts: [], accountErrors: [], ...options.extra },
    policy: createDummyPolicy(options.policy),
    now: options.now ?? NOW,
  });
}

const bob = createDummyUser({ userName: 'bob', tags: { employee_id: 'E2' } });
const bobStopped = createDummyUser({ userName: 'bob', tags: { employee_id: 'E2' }, attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL }] });

describe('planning a leaver\'s role sessions', () => {
  it('denies the pinned source identity while access is being cut, and says sessions end when applied', () => {
    const p = planWith(bob, [role('deploy')]);
    expect(p.actions.filter((a) => a.kind === 'deny-role-source-identity')).toEqual([expect.objectContaining({ userName: 'bob', target: expect.objectContaining({ sourceIdentities: ['bob'] }) as unknown })]);
    expect(p.sessions?.[0]?.summary).toEqual({ status: 'ended', at: NOW, principals: 1 });
  });

  it("takes a trust pinned to the leaver's email as pinned, and denies that source identity", () => {
    const emailPinned = { Statement: [{ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': 'bob@example.com' } } }] };
    const p = planWith(bob, [role('deploy', { trustPolicy: emailPinned })]);
    expect(p.actions.filter((a) => a.kind === 'deny-role-source-identity')).toEqual([
      expect.objectContaining({ userName: 'bob', target: expect.objectContaining({ sourceIdentities: ['bob@example.com'] }) as unknown }),
    ]);
  });

  it('with access already cut, adds the deny only while a session from before could still live (no re-adding after it is dropped)', () => {
    const within = planWith(bobStopped, [role('deploy', { maxSessionSeconds: 43200 })], { now: new Date(daysBefore(1).getTime() + 3_600_000) });
    expect(within.actions.map((a) => a.kind)).toContain('deny-role-source-identity');
    const after = planWith(bobStopped, [role('deploy', { maxSessionSeconds: 3600 })]);
    expect(after.actions.map((a) => a.kind)).not.toContain('deny-role-source-identity');
    expect(after.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'ended', at: new Date(daysBefore(1).getTime() + 3_600_000), cause: 'expired' });
  });

  it('treats a user that might be a leaver\'s (ambiguous) like theirs', () => {
    const colleague = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
    const ambiguous = createDummyUser({ userName: 'bob', tags: { employee_id: 'E2', email: 'carol@example.com' } });
    const p = plan({
      roster: createDummyRoster([leaver, colleague]),
      inventory: { accounts: [createDummyAccount([ambiguous], { roles: [role('deploy')] })], hosts: [], accountErrors: [] },
      policy: createDummyPolicy(),
      now: NOW,
    });
    expect(p.actions.filter((a) => a.kind === 'deny-role-source-identity').map((a) => a.person?.email)).toEqual(['bob@example.com']);
  });

  it('finds roles in another account trusting the user, and reports an account whose roles could not be read', () => {
    const crossAccount = { ...role('deploy'), arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/deploy` };
    const p = plan({
      roster: createDummyRoster([leaver]),
      inventory: {
        accounts: [createDummyAccount([bob], { roles: [] }), createDummyAccount([], { account: OTHER_ACCOUNT, roles: [crossAccount] }), createDummyAccount([], { account: '333333333333', rolesError: 'ListRoles: AccessDenied' })],
        hosts: [],
        accountErrors: [],
      },
      policy: createDummyPolicy(),
      now: NOW,
    });
    expect(p.actions.filter((a) => a.kind === 'deny-role-source-identity').map((a) => a.account)).toEqual([OTHER_ACCOUNT]);
    expect(p.findings.filter((f) => f.kind === 'roles-unavailable')).toEqual([expect.objectContaining({ severity: 'high', account: '333333333333' })]);
  });

  it('drops only statements whose every session has expired, attributed to the role', () => {
    const old = JSON.stringify({ Statement: [{ Sid: 'WardenEndSessionsSI20261126100000', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['zed'] } } }] });
    const expiredAt = new Date('2026-11-26T11:00:00Z');
    expect(planWith(createDummyUser({ userName: 'carol' }), [role('deploy', { wardenPolicy: old })], { now: new Date(expiredAt.getTime() - 1) }).actions).toEqual([]);
    expect(planWith(createDummyUser({ userName: 'carol' }), [role('deploy', { wardenPolicy: old })], { now: expiredAt }).actions).toEqual([
      expect.objectContaining({ kind: 'drop-expired-session-denies', userName: 'deploy', target: expect.objectContaining({ sids: ['WardenEndSessionsSI20261126100000'] }) as unknown }),
    ]);
  });

  it('times "may live until" from the stored "no access left", not the end date, on both sides of the longest session', () => {
    const unpinned = role('ops', { trustPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'sts:AssumeRole' }] } });
    const storedAt = (minutesAgo: number) => createDummyAccount([bobStopped], { roles: [unpinned], noAccessSince: new Map([['bob', new Date(NOW.getTime() - minutesAgo * 60_000)]]) });
    const planAt = (minutesAgo: number): Plan =>
      plan({ roster: createDummyRoster([leaver]), inventory: { accounts: [storedAt(minutesAgo)], hosts: [], accountErrors: [] }, policy: createDummyPolicy(), now: NOW });

    // Access ended (verified) 59 minutes ago: a session minted just before may live another minute, whatever the end date says.
    const open = planAt(59);
    expect(open.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'may-live-until', until: new Date(NOW.getTime() + 60_000) });
    expect(open.sessions?.[0]?.summary).toMatchObject({ status: 'may-live-until', until: new Date(NOW.getTime() + 60_000) });
    expect(open.findings.filter((f) => f.kind === 'sessions-may-live')).toHaveLength(1);
    // 61 minutes ago: the last one expired a minute ago.
    const over = planAt(61);
    expect(over.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'ended', at: new Date(NOW.getTime() - 60_000), cause: 'expired' });
    expect(over.sessions?.[0]?.summary).toEqual({ status: 'ended', at: new Date(NOW.getTime() - 60_000), principals: 1 });
    expect(over.findings.filter((f) => f.kind === 'sessions-may-live')).toEqual([]);
  });

  it('keeps the pinned deny while a session from before the stored "no access left" may live, although the end date is long past', () => {
    const account = createDummyAccount([bobStopped], { roles: [role('deploy')], noAccessSince: new Map([['bob', new Date(NOW.getTime() - 30 * 60_000)]]) });
    const p = plan({ roster: createDummyRoster([leaver]), inventory: { accounts: [account], hosts: [], accountErrors: [] }, policy: createDummyPolicy(), now: NOW });
    expect(p.actions.map((a) => a.kind)).toContain('deny-role-source-identity');
  });
});
