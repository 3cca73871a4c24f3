import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { MemoryAuditLog } from '../../../src/adapters/audit/memory-audit-log';
import { IdentityCenterDirectory } from '../../../src/adapters/aws/identity-center/directory';
import { MemoryRunStateStore } from '../../../src/adapters/state/memory-run-state';
import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import { respondToTrailEvents } from '../../../src/app/trail/respond';
import { parseTrailRecord, wardenActors, type TrailEvent } from '../../../src/domain/trail';
import type { Notice } from '../../../src/ports';
import { identityCenterServices } from '../../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../../src/sandbox/identity-center-state';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/server';
import { createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore, NOW } from '../../fixtures/builders';
import { loadExampleSeed } from '../../sandbox/helpers';

const ACCOUNT = '111111111111';
const MANAGEMENT = '999999999999';
const ENGINEER = { groups: [], managedPolicies: [], identityCenter: { groups: ['Engineers'], permissionSets: [] } };

let sandbox: RunningSandbox;
let ic: IdentityCenterSandboxState;
const clients: { destroy(): void }[] = [];

beforeEach(async () => {
  ic = IdentityCenterSandboxState.fromSeed({
    region: 'eu-west-1',
    users: ['bob', 'carol', 'alice'].map((n) => ({ userName: `${n}@example.com`, emails: [`${n}@example.com`] })),
    groups: [{ displayName: 'Engineers', members: ['bob@example.com', 'carol@example.com', 'alice@example.com'] }],
    permissionSets: [{ name: 'ReadOnly', sessionDuration: 'PT2H' }],
    assignments: [{ permissionSet: 'ReadOnly', accountId: ACCOUNT, group: 'Engineers' }],
  });
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(await loadExampleSeed()), extraServices: identityCenterServices(ic) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await sandbox.close();
});

function plane(): IdentityCenterDirectory {
  const config = { endpoint: sandbox.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };
  const identityStore = new IdentitystoreClient(config);
  const ssoAdmin = new SSOAdminClient(config);
  clients.push(identityStore, ssoAdmin);
  return new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
}

const people = [
  createDummyPerson({ email: 'alice@example.com' }),
  createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) }),
  createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed', endAt: daysBefore(1) }),
];

function deps(notices: Notice[]): ReconcileDeps {
  return {
    roster: { load: async () => createDummyRoster(people) },
    directories: [],
    identityCenter: plane(),
    audit: new MemoryAuditLog(),
    runs: new MemoryRunStateStore(),
    notifier: { notify: async (n: Notice) => void notices.push(n) },
    clock: { now: () => NOW },
    policy: createDummyPolicy({ roles: { engineer: ENGINEER } }),
    guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
  };
}

function event(eventName: string, eventSource: string, requestParameters: Record<string, unknown>): TrailEvent {
  const parsed = parseTrailRecord({
    eventID: `e-${eventName}-${Math.random()}`,
    eventName,
    eventSource,
    eventTime: '2026-11-26T11:59:00Z',
    recipientAccountId: MANAGEMENT,
    sourceIPAddress: '198.51.100.9',
    readOnly: false,
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${MANAGEMENT}:assumed-role/AdminRole/other-admin`, accountId: MANAGEMENT },
    requestParameters,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const policy = { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([`arn:aws:sts::${MANAGEMENT}:assumed-role/Warden/*`]) };
const idOf = (name: string): string => ic.userByName(`${name}@example.com`)?.userId ?? '';
const groupId = (): string => [...ic.groups.values()].find((g) => g.displayName === 'Engineers')?.groupId ?? '';
const inEngineers = (name: string): boolean => [...ic.memberships.values()].some((m) => m.userId === idOf(name) && m.groupId === groupId());

/** Both leavers closed and verified by a run, then an admin puts both back in Engineers (only one call is the event's). */
async function closedThenRestored(d: ReconcileDeps): Promise<void> {
  await applyPlan(d, await computePlan(d), { actor: 'cli:test' });
  expect(inEngineers('bob') || inEngineers('carol')).toBe(false);
  ic.addMembership(groupId(), idOf('bob'));
  ic.addMembership(groupId(), idOf('carol'));
}

describe("CloudTrail: an Identity Center restoring event re-plans that leaver's Identity Center plane", () => {
  it('CreateGroupMembership for a leaver: removed again, verified and audited, and only the user the event names', async () => {
    const notices: Notice[] = [];
    const d = deps(notices);
    await closedThenRestored(d);
    notices.splice(0);

    const response = await respondToTrailEvents({ reconcile: d, policy }, [
      event('CreateGroupMembership', 'identitystore.amazonaws.com', { identityStoreId: ic.identityStoreId, groupId: groupId(), memberId: { userId: idOf('bob') } }),
    ]);
    expect(response.kind).toBe('responded');
    if (response.kind !== 'responded') return;
    expect(response.notReplanned).toEqual([]);
    expect(response.undone.map((u) => [u.kind, u.userName, u.result])).toEqual([['remove-ic-membership', 'bob@example.com', 'ok']]);
    expect(inEngineers('bob')).toBe(false);
    // carol was put back too, and the hourly run will take her out; no event named her, so this response did not.
    expect(inEngineers('carol')).toBe(true);
    expect(inEngineers('alice')).toBe(true);

    const entries = await d.audit.query({});
    expect(entries.filter((e) => e.action === 'verify' && e.runId === response.report?.runId).map((e) => [e.target, e.result])).toEqual([['bob@example.com', 'verified']]);
    expect(entries.find((e) => e.action === 'trail.access-restored')).toMatchObject({
      account: ic.identityStoreId,
      target: 'bob@example.com',
      result: 'ok',
      before: { eventName: 'CreateGroupMembership', sourceIp: '198.51.100.9', restoredBy: `arn:aws:sts::${MANAGEMENT}:assumed-role/AdminRole/other-admin` },
      after: { verified: true },
    });
    expect(notices).toEqual([expect.objectContaining({ kind: 'access-restored', verified: true })]);
  });

  it('a group assignment re-plans that group\'s members; a forged user id or a wildcard never widens the scope', async () => {
    const d = deps([]);
    await closedThenRestored(d);

    const forged = await respondToTrailEvents({ reconcile: d, policy }, [
      event('CreateGroupMembership', 'identitystore.amazonaws.com', { identityStoreId: ic.identityStoreId, groupId: groupId(), memberId: { userId: 'not-a-user-0000' } }),
    ]);
    expect(forged.kind === 'responded' ? forged.undone : ['?']).toEqual([]);
    const wildcard = await respondToTrailEvents({ reconcile: d, policy }, [
      event('CreateGroupMembership', 'identitystore.amazonaws.com', { identityStoreId: ic.identityStoreId, groupId: groupId(), memberId: { userId: '*' } }),
    ]);
    expect(wildcard.kind).toBe('nothing-restored');
    expect(inEngineers('bob') && inEngineers('carol')).toBe(true);

    const group = await respondToTrailEvents({ reconcile: d, policy }, [
      event('CreateAccountAssignment', 'sso.amazonaws.com', { instanceArn: ic.instanceArn, targetId: ACCOUNT, targetType: 'AWS_ACCOUNT', principalType: 'GROUP', principalId: groupId() }),
    ]);
    expect(group.kind === 'responded' ? group.undone.map((u) => u.userName).sort() : []).toEqual(['bob@example.com', 'carol@example.com']);
    expect(inEngineers('bob') || inEngineers('carol')).toBe(false);
    expect(inEngineers('alice')).toBe(true);
  });

  it('without Identity Center configured here, says so and changes nothing', async () => {
    const d = deps([]);
    const { identityCenter: _ic, ...withoutIc } = d;
    const response = await respondToTrailEvents({ reconcile: withoutIc, policy }, [
      event('CreateGroupMembership', 'identitystore.amazonaws.com', { identityStoreId: ic.identityStoreId, groupId: groupId(), memberId: { userId: idOf('bob') } }),
    ]);
    expect(response.kind === 'responded' ? response.notReplanned : []).toEqual([`identity-center user ${idOf('bob')} (Identity Center is not configured here)`]);
  });
});
