import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { MemoryAuditLog } from '../../../src/adapters/audit/memory-audit-log';
import { IdentityCenterDirectory } from '../../../src/adapters/aws/identity-center/directory';
import { MemoryRunStateStore } from '../../../src/adapters/state/memory-run-state';
import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import { IC_DENY_SID, sessionPattern } from '../../../src/domain/identity-center';
import type { Person } from '../../../src/domain/roster';
import { identityCenterServices } from '../../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../../src/sandbox/identity-center-state';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/server';
import { createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore, NOW } from '../../fixtures/builders';
import { loadExampleSeed } from '../../sandbox/helpers';

const ACCOUNT = '111111111111';
const THEIRS = { Sid: 'KeepMe', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::reports/*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } };
const ENGINEER = { groups: [], managedPolicies: [], identityCenter: { groups: ['Engineers'], permissionSets: [] } };

let sandbox: RunningSandbox;
let ic: IdentityCenterSandboxState;
const clients: { destroy(): void }[] = [];

function seedIc(): IdentityCenterSandboxState {
  return IdentityCenterSandboxState.fromSeed({
    region: 'eu-west-1',
    users: [
      { userName: 'bob@example.com', emails: ['bob@example.com'] },
      { userName: 'alice@example.com', emails: ['alice@example.com'], externalIds: [{ issuer: 'hr', id: 'E1' }] },
    ],
    groups: [
      { displayName: 'Engineers', members: ['bob@example.com', 'alice@example.com'] },
      { displayName: 'Admins', members: ['alice@example.com'] },
    ],
    permissionSets: [
      { name: 'ReadOnly', sessionDuration: 'PT2H', inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [THEIRS] }) },
      { name: 'Admin', sessionDuration: 'PT8H' },
    ],
    assignments: [
      { permissionSet: 'ReadOnly', accountId: ACCOUNT, group: 'Engineers' },
      { permissionSet: 'Admin', accountId: ACCOUNT, group: 'Admins' },
      { permissionSet: 'Admin', accountId: ACCOUNT, user: 'bob@example.com' },
    ],
  });
}

beforeEach(async () => {
  ic = seedIc();
  ic.asyncDescribes = 2;
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(await loadExampleSeed()), extraServices: identityCenterServices(ic) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await sandbox.close();
});

function directory(region = 'eu-west-1'): IdentityCenterDirectory {
  const config = { endpoint: sandbox.url, region, credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };
  const identityStore = new IdentitystoreClient(config);
  const ssoAdmin = new SSOAdminClient(config);
  clients.push(identityStore, ssoAdmin);
  return new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
}

const alice = createDummyPerson({ email: 'alice@example.com' });
const bobLeft = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });

function deps(people: readonly Person[], plane = directory(), now = NOW, audit = new MemoryAuditLog()): ReconcileDeps {
  return {
    roster: { load: async () => createDummyRoster(people) },
    directories: [],
    identityCenter: plane,
    audit,
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock: { now: () => now },
    policy: createDummyPolicy({ roles: { engineer: ENGINEER } }),
    guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
  };
}

describe('Identity Center against the sandbox', () => {
  it('closes a leaver (group, direct assignment, Deny in both sets, re-provisioned), verifies it, keeps other statements, and plans nothing the second time', async () => {
    const d = deps([alice, bobLeft]);
    const planned = await computePlan(d);
    const bob = planned.plan.actions.filter((a) => a.userName === 'bob@example.com');
    expect(bob.map((a) => a.kind)).toEqual(['deny-ic-sessions', 'deny-ic-sessions', 'remove-ic-membership', 'delete-ic-assignment']);
    expect(planned.plan.actions.find((a) => a.userName === 'alice@example.com')).toMatchObject({ kind: 'remove-ic-membership', reason: 'excess-privilege', target: { groupName: 'Admins' } });

    const report = await applyPlan(d, planned, { actor: 'cli:test' });
    expect(report.results.map((r) => r.outcome.result)).toEqual(planned.plan.actions.map(() => 'ok'));
    expect(report.verifications.find((v) => v.userName === 'bob@example.com')).toMatchObject({ verified: true, noAccessLeft: true, remaining: [] });
    expect(report.verifications.find((v) => v.userName === 'alice@example.com')).toMatchObject({ verified: true, noAccessLeft: false });

    const bobId = ic.userByName('bob@example.com')?.userId;
    expect([...ic.memberships.values()].filter((m) => m.userId === bobId)).toEqual([]);
    expect(ic.assignments.filter((a) => a.principalId === bobId)).toEqual([]);
    const readOnly = ic.permissionSetByName('ReadOnly');
    const admin = ic.permissionSetByName('Admin');
    // What each account actually runs (provisioned), not only what the permission set says.
    const running = JSON.parse(ic.effectivePolicy(readOnly?.arn ?? '', ACCOUNT) ?? '') as { Statement: unknown[] };
    expect(running.Statement[0]).toEqual(THEIRS);
    expect(running.Statement[1]).toEqual({ Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': [sessionPattern('bob@example.com')] } } });
    expect(JSON.parse(ic.effectivePolicy(admin?.arn ?? '', ACCOUNT) ?? '')).toMatchObject({ Statement: [{ Sid: IC_DENY_SID }] });

    const again = await computePlan(deps([alice, bobLeft], directory(), NOW, d.audit as MemoryAuditLog));
    expect(again.plan.actions).toEqual([]);
  });

  it("drops the leaver from Warden's Deny once the longest session of those sets has passed since the verified \"no access left\"", async () => {
    const audit = new MemoryAuditLog();
    const first = deps([alice, bobLeft], directory(), NOW, audit);
    await applyPlan(first, await computePlan(first), { actor: 'cli:test' });
    const soon = await computePlan(deps([alice, bobLeft], directory(), new Date(Date.now() + 7 * 3600_000), audit));
    expect(soon.plan.actions).toEqual([]);
    const later = deps([alice, bobLeft], directory(), new Date(Date.now() + 8 * 3600_000 + 60_000), audit);
    const planned = await computePlan(later);
    expect(planned.plan.actions.map((a) => a.kind)).toEqual(['release-ic-session-deny', 'release-ic-session-deny']);
    const report = await applyPlan(later, planned, { actor: 'cli:test' });
    expect(report.verifications.every((v) => v.verified)).toBe(true);
    // Admin had no inline policy before: it has none again. ReadOnly keeps its own statement, exactly.
    expect(ic.permissionSetByName('Admin')?.inlinePolicy).toBeNull();
    expect(JSON.parse(ic.permissionSetByName('ReadOnly')?.inlinePolicy ?? '')).toEqual({ Version: '2012-10-17', Statement: [THEIRS] });
  });

  it('reads nothing from another region: an unreadable Identity Center is a high finding, not an empty plan', async () => {
    const planned = await computePlan(deps([alice, bobLeft], directory('us-east-1')));
    expect(planned.plan.findings.find((f) => f.kind === 'identity-center-unreadable')).toMatchObject({ severity: 'high' });
    expect(planned.plan.actions).toEqual([]);
  });

  it('never writes a Deny over the size limit: the set keeps its policy, the plan says why', async () => {
    const readOnly = ic.permissionSetByName('ReadOnly');
    if (readOnly === undefined) throw new Error('seed');
    readOnly.inlinePolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...THEIRS, Sid: 'x'.repeat(32_700) }] });
    const before = readOnly.inlinePolicy;
    const d = deps([alice, bobLeft]);
    const planned = await computePlan(d);
    expect(planned.plan.findings.find((f) => f.kind === 'session-deny-blocked')?.detail).toContain('ReadOnly');
    await applyPlan(d, planned, { actor: 'cli:test' });
    expect(readOnly.inlinePolicy).toBe(before);
  });
});
