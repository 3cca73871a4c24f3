import { MemoryAuditLog } from '../../../src/adapters/audit/memory-audit-log';
import { MemoryRunStateStore } from '../../../src/adapters/state/memory-run-state';
import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import { ACTION_KIND_TABLE } from '../../../src/domain/action-kinds';
import type { AccessPolicy } from '../../../src/domain/policy';
import { WARDEN_ROLE_POLICY_NAME } from '../../../src/domain/role-session-policy';
import type { Person } from '../../../src/domain/roster';
import type { SeedRole } from '../../../src/sandbox/seed';
import { createDummyGuardPolicy, createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore } from '../../fixtures/builders';
import { ACCOUNT, createDummyAccount, createDummyUser, startHarness, type Harness } from './helpers';

const ALICE_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;
const TEAM_S3 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';

const pinned: SeedRole = {
  roleName: 'deploy-pinned',
  maxSessionDuration: 7200,
  trustPolicy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE_ARN }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Condition: { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } } }],
  },
  inlinePolicies: { 'team-s3': TEAM_S3 },
};
const unpinned: SeedRole = {
  roleName: 'ops-admin',
  maxSessionDuration: 3600,
  trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] },
};
const unrelated: SeedRole = {
  roleName: 'reports',
  trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] },
};
const ec2: SeedRole = {
  roleName: 'ec2-app',
  trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
};

const alice = createDummyUser({
  userName: 'alice',
  // Her own policy lets her assume ops-* roles (so ops-admin, trusting the account, is hers to assume; reports is not).
  inlinePolicies: { 'assume-ops': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/ops-*` }] } },
});

const leaver: Person = createDummyPerson({ employeeId: 'E-alice', email: 'alice@example.com', status: 'departed', endAt: daysBefore(1) });

let h: Harness;

async function start(roles: SeedRole[]): Promise<void> {
  h = await startHarness({ accounts: [createDummyAccount({ users: [alice, createDummyUser({ userName: 'bob' })], roles })] });
}

afterEach(async () => {
  await h.close();
});

function depsFor(policy: Partial<AccessPolicy> = {}, now: () => Date = () => new Date()): ReconcileDeps {
  return {
    roster: { load: async () => createDummyRoster([leaver, createDummyPerson({ employeeId: 'E-bob', email: 'bob@example.com' })]) },
    directories: [h.directory],
    audit: new MemoryAuditLog(),
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock: { now },
    policy: createDummyPolicy(policy),
    guard: createDummyGuardPolicy(),
  };
}

const role = (name: string) => {
  const found = h.sandbox.state.roles.role(ACCOUNT, name);
  if (found === undefined) throw new Error(`no role ${name}`);
  return found;
};

describe('a leaver\'s role sessions, against the sandbox', () => {
  it('denies the pinned source identity on a role, reports the unpinned one, keeps every other policy byte-identical, and a second run changes nothing', async () => {
    await start([pinned, unpinned, unrelated, ec2]);
    const deps = depsFor();
    const before = { pinned: role('deploy-pinned'), unpinned: role('ops-admin') };

    const planned = await computePlan(deps);

    const roleActions = planned.plan.actions.filter((a) => ACTION_KIND_TABLE[a.kind].readsRole === true);
    expect(roleActions).toEqual([
      expect.objectContaining({ kind: 'deny-role-source-identity', account: ACCOUNT, userName: 'alice', target: { roleName: 'deploy-pinned', roleArn: before.pinned.arn, sourceIdentities: ['alice'] } }),
    ]);
    const mayLive = planned.plan.findings.filter((f) => f.kind === 'sessions-may-live');
    expect(mayLive).toEqual([expect.objectContaining({ severity: 'high', userName: 'alice', detail: expect.stringContaining(before.unpinned.arn) as string })]);
    expect(planned.plan.sessions).toEqual([expect.objectContaining({ userName: 'alice', summary: expect.objectContaining({ status: 'may-live-until', open: 1, principals: 2 }) })]);
    expect(planned.plan.sessions?.[0]?.words).toMatch(/^sessions may live until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(1 of 2 roles without a session-ending deny\)$/);

    h.sandbox.calls.reset();
    const report = await applyPlan(deps, planned, { actor: 'cli:test' });
    const roleCalls = h.sandbox.calls.entries().filter((c) => /Role/.test(c.action)).map((c) => `${c.service}:${c.action}`);
    expect(roleCalls.filter((c) => !ACTION_KIND_TABLE['deny-role-source-identity'].calls.includes(c))).toEqual([]);
    expect(roleCalls).toContain('iam:PutRolePolicy');

    const after = role('deploy-pinned');
    expect(after.inlinePolicies['team-s3']).toBe(TEAM_S3);
    expect(after.trustPolicy).toBe(before.pinned.trustPolicy);
    const warden = JSON.parse(after.inlinePolicies[WARDEN_ROLE_POLICY_NAME] ?? '{}') as { Statement: { Sid: string; Effect: string; Condition: unknown }[] };
    expect(warden.Statement).toEqual([
      { Sid: expect.stringMatching(/^WardenEndSessionsSI\d{14}$/) as string, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['alice'] } } },
    ]);
    expect(role('ops-admin')).toEqual(before.unpinned);
    expect(report.verifications.filter((v) => v.userName === 'alice').every((v) => v.verified)).toBe(true);
    const roleVerify = (await deps.audit.query({})).filter((e) => e.action === 'verify' && (e.after as { resources?: { kind: string }[] }).resources?.[0]?.kind === 'deny-role-source-identity');
    expect(roleVerify).toEqual([expect.objectContaining({ result: 'verified', target: 'alice', after: expect.objectContaining({ noAccessLeft: true, sessionsEnded: true }) as unknown })]);

    const again = await computePlan(deps);
    expect(again.plan.actions).toEqual([]);
    const pinnedNow = again.plan.sessions?.[0]?.principals.find((p) => p.arn === after.arn);
    expect(pinnedNow?.exposure).toEqual(expect.objectContaining({ status: 'ended', cause: 'source-identity' }));
  });

  it('costs the inventory one ListRoles page and one GetRolePolicy per role IAM users could assume, whatever the number of users', async () => {
    await start([pinned, unpinned, unrelated, ec2]);
    h.sandbox.calls.reset();
    const inventory = await h.directory.inventory();
    expect(inventory.roles?.map((r) => [r.roleName, r.wardenPolicy === undefined ? 'not read' : 'read'])).toEqual([
      ['deploy-pinned', 'read'],
      ['ec2-app', 'not read'],
      ['ops-admin', 'read'],
      ['reports', 'read'],
    ]);
    expect(h.sandbox.calls.count('iam:ListRoles')).toBe(1);
    expect(h.sandbox.calls.count('iam:GetRolePolicy')).toBe(3);
  });

  it('reports roles it cannot list as a high finding and still plans the rest', async () => {
    await start([pinned]);
    h.sandbox.faults.fail('ListRoles', 'AccessDenied', { times: 100 });
    const planned = await computePlan(depsFor());
    expect(planned.plan.findings.filter((f) => f.kind === 'roles-unavailable')).toEqual([expect.objectContaining({ severity: 'high', account: ACCOUNT })]);
    expect(planned.plan.actions.map((a) => a.kind)).toContain('attach-deny-all');
  });

  it('with sessions.revokeOlderOnRoles, revokes older sessions on the unpinned role instead of only reporting it', async () => {
    await start([unpinned]);
    const deps = depsFor({ sessions: { revokeOlderOnRoles: true } });

    const planned = await computePlan(deps);
    expect(planned.plan.actions.filter((a) => a.kind === 'revoke-older-role-sessions')).toEqual([
      expect.objectContaining({ userName: 'alice', target: { roleName: 'ops-admin', roleArn: role('ops-admin').arn } }),
    ]);
    expect(planned.plan.findings.filter((f) => f.kind === 'sessions-may-live')).toEqual([]);
    expect(planned.plan.sessions?.[0]?.summary.status).toBe('ended');

    await applyPlan(deps, planned, { actor: 'cli:test' });
    const warden = JSON.parse(role('ops-admin').inlinePolicies[WARDEN_ROLE_POLICY_NAME] ?? '{}') as { Statement: { Condition: { DateLessThan: { 'aws:TokenIssueTime': string } } }[] };
    const revokedBefore = Date.parse(warden.Statement[0]?.Condition.DateLessThan['aws:TokenIssueTime'] ?? '');
    expect(revokedBefore).toBeGreaterThanOrEqual(planned.startedAt.getTime());

    const again = await computePlan(deps);
    expect(again.plan.actions).toEqual([]);
    expect(again.plan.sessions?.[0]?.principals[0]?.exposure).toEqual(expect.objectContaining({ status: 'ended', cause: 'revoke-older-sessions' }));
  });

  it('times the unpinned role\'s "may live until" from the verified "no access left" (not the end date, a day earlier), on both sides', async () => {
    await start([unpinned]);
    const deps = depsFor();
    await applyPlan(deps, await computePlan(deps), { actor: 'cli:test' });
    const verified = (await deps.audit.query({ userName: 'alice' })).find((e) => e.action === 'verify' && e.result === 'verified' && e.account === ACCOUNT);
    const noAccessLeft = new Date(verified?.at ?? '');
    const until = new Date(noAccessLeft.getTime() + 3_600_000);

    const within = await computePlan({ ...deps, clock: { now: () => new Date(until.getTime() - 1_000) } });
    expect(within.plan.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'may-live-until', until });
    expect(within.plan.findings.filter((f) => f.kind === 'sessions-may-live')).toHaveLength(1);
    const after = await computePlan({ ...deps, clock: { now: () => until } });
    expect(after.plan.sessions?.[0]?.principals[0]?.exposure).toEqual({ status: 'ended', at: until, cause: 'expired' });
    expect(after.plan.findings.filter((f) => f.kind === 'sessions-may-live')).toEqual([]);
  });

  it('drops Warden\'s statements once every session they could end has expired, keeping what others wrote in that policy', async () => {
    const foreign = { Sid: 'SomeoneElse', Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' };
    const expired = { Sid: 'WardenEndSessionsSI20260101000000', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['zed'] } } };
    await start([{ ...pinned, inlinePolicies: { 'team-s3': TEAM_S3, [WARDEN_ROLE_POLICY_NAME]: { Version: '2012-10-17', Statement: [foreign, expired] } } }]);
    const deps = depsFor();

    const planned = await computePlan(deps);
    expect(planned.plan.actions.filter((a) => a.kind === 'drop-expired-session-denies')).toEqual([
      expect.objectContaining({ userName: 'deploy-pinned', target: expect.objectContaining({ sids: ['WardenEndSessionsSI20260101000000'] }) as unknown }),
    ]);
    await applyPlan(deps, planned, { actor: 'cli:test' });

    const statements = (JSON.parse(role('deploy-pinned').inlinePolicies[WARDEN_ROLE_POLICY_NAME] ?? '{}') as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
    expect(statements).toContain('SomeoneElse');
    expect(statements).not.toContain('WardenEndSessionsSI20260101000000');
    expect(statements.filter((s) => s.startsWith('WardenEndSessionsSI'))).toHaveLength(1);
    expect(role('deploy-pinned').inlinePolicies['team-s3']).toBe(TEAM_S3);
    expect((await computePlan(deps)).plan.actions).toEqual([]);
  });
});
