import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { MemoryAuditLog } from '../../../src/adapters/audit/memory-audit-log';
import { IdentityCenterDirectory } from '../../../src/adapters/aws/identity-center/directory';
import { MemorySnapshotStore } from '../../../src/adapters/evidence/memory-snapshot-store';
import { MemoryRunStateStore } from '../../../src/adapters/state/memory-run-state';
import { accessAtTime } from '../../../src/app/evidence';
import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import { describePath } from '../../../src/domain/evidence/access-records';
import type { Person } from '../../../src/domain/roster';
import { identityCenterServices } from '../../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../../src/sandbox/identity-center-state';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/server';
import { createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore, NOW } from '../../fixtures/builders';
import { loadExampleSeed } from '../../sandbox/helpers';

const ACCOUNT = '111111111111';
const ENGINEER = { groups: [], managedPolicies: [], identityCenter: { groups: ['Engineers'], permissionSets: [] } };

let sandbox: RunningSandbox;
let ic: IdentityCenterSandboxState;
const clients: { destroy(): void }[] = [];

beforeEach(async () => {
  ic = IdentityCenterSandboxState.fromSeed({
    region: 'eu-west-1',
    users: [
      { userName: 'bob@example.com', emails: ['bob@example.com'] },
      { userName: 'alice@example.com', emails: ['alice@example.com'] },
    ],
    groups: [{ displayName: 'Engineers', members: ['bob@example.com', 'alice@example.com'] }],
    permissionSets: [
      { name: 'ReadOnly', sessionDuration: 'PT2H' },
      { name: 'Admin', sessionDuration: 'PT8H' },
    ],
    assignments: [
      { permissionSet: 'ReadOnly', accountId: ACCOUNT, group: 'Engineers' },
      { permissionSet: 'Admin', accountId: ACCOUNT, user: 'bob@example.com' },
    ],
  });
  ic.asyncDescribes = 1;
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(await loadExampleSeed()), extraServices: identityCenterServices(ic) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await sandbox.close();
});

function directory(): IdentityCenterDirectory {
  const config = { endpoint: sandbox.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };
  const identityStore = new IdentitystoreClient(config);
  const ssoAdmin = new SSOAdminClient(config);
  clients.push(identityStore, ssoAdmin);
  return new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
}

const alice = createDummyPerson({ email: 'alice@example.com' });
const bobLeft = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) });

function deps(people: readonly Person[], now: Date, audit: MemoryAuditLog, snapshots: MemorySnapshotStore, plane: IdentityCenterDirectory | null = directory()): ReconcileDeps {
  clock.at = now;
  return {
    roster: { load: async () => createDummyRoster(people) },
    directories: [],
    ...(plane !== null ? { identityCenter: plane } : {}),
    audit,
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock,
    policy: createDummyPolicy({ roles: { engineer: ENGINEER } }),
    guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
    evidence: { snapshots },
  };
}

/** One clock for the runs and the audit log, so entries are stamped at the run's time. */
const clock = { at: NOW, now(): Date { return this.at; } };

const later = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);

describe('point-in-time access holds Identity Center records', () => {
  it("shows a leaver's memberships, direct assignments, usable permission sets, the Deny and the session status as they were", async () => {
    const audit = new MemoryAuditLog({ clock });
    const snapshots = new MemorySnapshotStore();
    const first = deps([alice, bobLeft], NOW, audit, snapshots);
    await applyPlan(first, await computePlan(first), { actor: 'cli:test' });
    await computePlan(deps([alice, bobLeft], later(30), audit, snapshots));

    const before = await accessAtTime(snapshots, later(1), { person: 'bob@example.com' }, audit);
    expect(before.identityCenter).toBe('recorded');
    const bobThen = before.rows.find((r) => r.record.kind === 'ic-user');
    expect(bobThen?.canGetIn).toBe(true);
    expect([...(bobThen?.credentials ?? []), ...(bobThen?.grants ?? [])].map(describePath)).toEqual(
      expect.arrayContaining(['Identity Center group Engineers', `assigned Admin in ${ACCOUNT}`, `permission set Admin in ${ACCOUNT}`, `permission set ReadOnly in ${ACCOUNT}`]),
    );

    const after = await accessAtTime(snapshots, later(31), { person: 'bob@example.com' }, audit);
    const bobNow = after.rows.find((r) => r.record.kind === 'ic-user');
    expect(bobNow?.canGetIn).toBe(false);
    const held = [...(bobNow?.credentials ?? []), ...(bobNow?.grants ?? [])].map(describePath);
    expect(held).not.toContain('Identity Center group Engineers');
    expect(held.some((h) => h.startsWith('assigned'))).toBe(false);
    expect(held).toEqual(expect.arrayContaining(["Warden's Deny in permission set Admin", "Warden's Deny in permission set ReadOnly"]));
    // The session status at that time: the Deny was planned and verified by the first run.
    expect(after.sessions?.some((line) => line.includes('bob@example.com') && line.includes('sessions ended at'))).toBe(true);

    // Alice is not the leaver: the person filter keeps her out, the account filter (an AWS account she can use) lets her in.
    expect(after.rows.some((r) => r.record.person?.email === 'alice@example.com')).toBe(false);
    const byAccount = await accessAtTime(snapshots, later(31), { account: ACCOUNT });
    expect(byAccount.rows.filter((r) => r.canGetIn).map((r) => r.record.person?.email)).toEqual(['alice@example.com']);
  });

  it('says "not recorded" for a snapshot taken without Identity Center, and keeps the last known records when it cannot be read', async () => {
    const audit = new MemoryAuditLog({ clock });
    const snapshots = new MemorySnapshotStore();
    await computePlan(deps([alice, bobLeft], NOW, audit, snapshots, null));
    const old = await accessAtTime(snapshots, later(1));
    expect(old.identityCenter).toBe('not-recorded');

    await computePlan(deps([alice, bobLeft], later(10), audit, snapshots));
    const planned = await computePlan(deps([alice, bobLeft], later(20), audit, snapshots, unreadable()));
    expect(planned.plan.findings.some((f) => f.kind === 'identity-center-unreadable')).toBe(true);
    const carried = await accessAtTime(snapshots, later(21), { person: 'bob@example.com' });
    expect(carried.identityCenter).toBe('recorded');
    expect(carried.rows.find((r) => r.record.kind === 'ic-user')?.canGetIn).toBe(true);
  });
});

/** An Identity Center plane whose reads fail (another region's instance). */
function unreadable(): IdentityCenterDirectory {
  const config = { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };
  const identityStore = new IdentitystoreClient(config);
  const ssoAdmin = new SSOAdminClient(config);
  clients.push(identityStore, ssoAdmin);
  return new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
}
