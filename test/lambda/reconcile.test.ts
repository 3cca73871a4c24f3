import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { wardenDenyAllPolicy } from '../../src/sandbox/seed';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { decodeAnchor } from '../../src/adapters/evidence/anchor-codec';
import { recordKey } from '../../src/domain/evidence/access-records';
import { LambdaContainer, lambdaSettingsFromEnv } from '../../src/lambda/container';
import type { LambdaClients } from '../../src/lambda/container';
import { createReconcileHandler } from '../../src/lambda/reconcile';
import { createWorkerHandler } from '../../src/lambda/worker';
import type { WorkerResult } from '../../src/lambda/worker';
import { accountLockName, hostsTargetOf } from '../../src/lambda/jobs';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { iamService } from '../../src/sandbox/iam-service';
import { S3Sandbox } from '../../src/sandbox/s3';
import { DISPATCH_LOCK } from '../../src/lambda/reconcile';
import { organizationsService } from '../../src/sandbox/organizations';
import { SimulatedFleet } from '../../src/sandbox/hosts';
import { createSsmSandbox, type SsmSandbox } from '../../src/sandbox/ssm';
import { ModelHostRunner, type ModelHost } from '../../src/sandbox/ssm-model-hosts';
import { ParameterStoreSandbox, withParameterStore } from '../../src/sandbox/ssm-parameters';
import type { WorkerEvent } from '../../src/lambda/events';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import type { SandboxSeed, SeedUser } from '../../src/sandbox/seed';
import { createDummyUser, createTestClock } from '../sandbox/helpers';
import { createDummyContext, createDummyScheduledEvent, createSnapshotsTable, destroyClients, sandboxClients, startDynalite } from './helpers';

const PROD = '111111111111';
const DEV = '222222222222';
const CONFIG_PARAMETER = '/warden/test/config';
const ANCHOR_PARAMETER = '/warden/test/audit-head';
const ANCHOR_BUCKET = 'warden-test-anchors';
const HOST = 'i-0123456789abcdef0';
const hostKey = (name: string): string => `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(name.padEnd(32, '.')).toString('base64').replace(/=+$/, '')}`;

const ROSTER = [
  'employee_id,email,status,full_name,role,end_date',
  'E1,alice@example.com,active,Alice,engineer,',
  'E2,bob@example.com,departed,Bob,engineer,2026-11-20',
  'E3,carol@example.com,active,Carol,engineer,',
].join('\n');

const person = (employeeId: string, email: string, overrides: Partial<SeedUser> = {}): SeedUser =>
  createDummyUser({ userName: email.split('@')[0] as string, tags: { employee_id: employeeId, email }, groups: ['developers'], ...overrides });

function seed(): SandboxSeed {
  const account = (id: string, name: string, key: string) => ({
    id,
    name,
    accessKeyIds: [key],
    policies: [wardenDenyAllPolicy(id)],
    groups: [{ name: 'developers' }],
    users: [
      person('E1', 'alice@example.com'),
      person('E2', 'bob@example.com', { loginProfile: { createdAt: '2024-01-01T00:00:00Z' } }),
      person('E3', 'carol@example.com'),
    ],
  });
  return { accounts: [account(PROD, 'prod', 'AKIAPRODSANDBOX00001'), account(DEV, 'dev', 'AKIADEVSANDBOX000001')] };
}

interface World {
  readonly sandbox: RunningSandbox;
  readonly s3: S3Sandbox;
  readonly parameters: ParameterStoreSandbox;
  /** What the reconcile function handed the worker. */
  readonly dispatched: WorkerEvent[];
  /** The simulated hosts (config `hosts`), when asked for. */
  readonly hosts?: { readonly ssm: SsmSandbox; readonly models: Map<string, ModelHost> };
  readonly container: LambdaContainer;
  readonly lines: string[];
  readonly jobs: Promise<WorkerResult>[];
  readonly reconcile: ReturnType<typeof createReconcileHandler>;
  readonly worker: ReturnType<typeof createWorkerHandler>;
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let tableCounter = 0;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await dynamo.close();
});

/** One simulated host in PROD where bob and alice have keys. */
function modelHosts(): Map<string, ModelHost> {
  const accounts = new Map([
    ['bob', { keys: [`ssh-ed25519 ${hostKey('bob')} bob@laptop`], locked: false }],
    ['alice', { keys: [`ssh-ed25519 ${hostKey('alice')} alice@laptop`], locked: false }],
  ]);
  return new Map([[HOST, { hostname: 'web-1', accounts }]]);
}

/**
 * A sandbox (IAM, STS, Organizations, SSM Parameter Store and, with `hosts`, Run Command over simulated hosts), fresh
 * dynalite tables, and the handlers over one container whose task root holds the roster and the host scripts as the
 * bundle ships them.
 */
async function world(configYaml: string, options: { fanOut: boolean; hosts?: boolean; mode?: 'plan' | 'apply' | 'unset'; iamLatencyMs?: number }): Promise<World> {
  const clock = createTestClock('2026-11-26T12:00:00Z');
  const parameters = new ParameterStoreSandbox({ [CONFIG_PARAMETER]: { value: configYaml } }, clock.now);
  const models = modelHosts();
  const ssm =
    options.hosts === true
      ? createSsmSandbox({ fleet: new SimulatedFleet([{ instanceId: HOST, tags: { Warden: 'managed' }, state: 'online' }]), runner: new ModelHostRunner(models), runOnSend: true })
      : undefined;
  const s3 = new S3Sandbox(clock.now);
  s3.createBucket(ANCHOR_BUCKET, { objectLock: true });
  const sandbox = await startSandbox({
    restServices: [s3],
    state: IamSandboxState.fromSeed(seed(), clock.now),
    extraServices: [organizationsService(), ssm !== undefined ? withParameterStore(ssm.service, parameters) : parameters.service()],
  });
  cleanups.push(() => sandbox.close());
  const latency = options.iamLatencyMs;
  if (latency !== undefined) {
    const iam = iamService();
    sandbox.registerService({ ...iam, handle: async (call) => (await new Promise((resolve) => setTimeout(resolve, latency)), iam.handle(call)) });
  }
  const taskRoot = mkdtempSync(path.join(tmpdir(), 'warden-lambda-'));
  writeFileSync(path.join(taskRoot, 'roster.csv'), ROSTER);
  // serverless.yml ships scripts/host/*.sh at the package root; the container reads them from the task root.
  cpSync(path.resolve(__dirname, '../../scripts/host'), path.join(taskRoot, 'scripts', 'host'), { recursive: true });
  cleanups.push(() => rmSync(taskRoot, { recursive: true, force: true }));

  const n = ++tableCounter;
  const settings = lambdaSettingsFromEnv({
    WARDEN_CONFIG_PARAMETER: CONFIG_PARAMETER,
    WARDEN_AUDIT_TABLE: `warden-audit-${n}`,
    WARDEN_STATE_TABLE: `warden-state-${n}`,
    WARDEN_SNAPSHOTS_TABLE: `warden-snapshots-${n}`,
    WARDEN_AUDIT_ANCHOR_PARAMETER: ANCHOR_PARAMETER,
    WARDEN_AUDIT_ANCHOR_BUCKET: ANCHOR_BUCKET,
    WARDEN_AUDIT_ANCHOR_RETENTION_DAYS: '30',
    LAMBDA_TASK_ROOT: taskRoot,
    LOG_LEVEL: 'debug',
    ...(options.mode !== 'unset' ? { WARDEN_SCHEDULED_MODE: options.mode ?? 'apply' } : {}),
    ...(options.fanOut ? { WARDEN_WORKER_FUNCTION: 'access-warden-test-worker' } : {}),
  });
  const clients: LambdaClients = sandboxClients(sandbox, dynamo.endpoint);
  cleanups.push(() => destroyClients(clients));
  await createTables(clients.dynamodb, { audit: settings.auditTable ?? '', state: settings.stateTable ?? '' });
  await createSnapshotsTable(clients.dynamodb, settings.snapshotsTable ?? '');

  const lines: string[] = [];
  const jobs: Promise<WorkerResult>[] = [];
  const dispatched: WorkerEvent[] = [];
  // The handlers read the container when invoked, after it is built below.
  const getContainer = async (): Promise<LambdaContainer> => container;
  const worker = createWorkerHandler(getContainer);
  const container = new LambdaContainer({
    settings,
    clients,
    iam: { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 2 },
    clock,
    logSink: (line) => lines.push(line),
    hostTiming: { poll: { firstDelayMs: 5, maxDelayMs: 20, factor: 2 } },
    // Lambda's asynchronous Invoke, in process: the payload crosses a JSON boundary like the real one.
    ...(options.fanOut
      ? {
          invoker: {
            invokeAsync: async (payload: unknown) => {
              dispatched.push(JSON.parse(JSON.stringify(payload)) as WorkerEvent);
              jobs.push(worker(JSON.parse(JSON.stringify(payload)), createDummyContext({ functionName: 'access-warden-test-worker', awsRequestId: `req-${jobs.length}` })));
            },
          },
        }
      : {}),
  });
  cleanups.push(() => container.accounts.destroy());
  if (ssm !== undefined) cleanups.push(() => ssm.settle());
  return {
    sandbox,
    s3,
    parameters,
    dispatched,
    ...(ssm !== undefined ? { hosts: { ssm, models } } : {}),
    container,
    lines,
    jobs,
    reconcile: createReconcileHandler(getContainer),
    worker,
  };
}

const DISCOVER = ['timezone: UTC', 'roster: { path: ./roster.csv }', 'organizations: { discover: true, roleName: WardenAccess, externalId: ext-42 }', 'roles: { engineer: { groups: [developers] } }'].join('\n');

const keysOf = (sandbox: RunningSandbox, account: string, user: string) => sandbox.state.user(account, user)?.accessKeys.map((k) => k.status);

describe('the reconcile handler on a scheduled event', () => {
  it('fans accounts out to workers, which apply the departure in every account and audit it in DynamoDB', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    const report = await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    expect(report.mode).toBe('fan-out');
    expect([...report.dispatched].sort()).toEqual([PROD, DEV]);
    expect(report.failures).toEqual([]);

    const results = await Promise.all(w.jobs);
    expect(results).toHaveLength(2);
    for (const result of results) expect(result).toMatchObject({ kind: 'account', result: { kind: 'applied', outcome: 'ok', failed: 0 } });

    for (const account of [PROD, DEV]) {
      expect(keysOf(w.sandbox, account, 'bob')).toEqual(['Inactive']);
      expect(w.sandbox.state.user(account, 'bob')?.loginProfile).toBeNull();
      expect(w.sandbox.state.user(account, 'bob')?.attachedPolicies).toContain(`arn:aws:iam::${account}:policy/warden-deny-all`);
      expect(keysOf(w.sandbox, account, 'alice')).toEqual(['Active']);
    }
    // Warden's own account is reached with its own credentials, the member account through its role.
    expect(w.sandbox.calls.count('sts:AssumeRole')).toBe(1);

    const bob = await w.container.audit.query({ person: 'bob@example.com' });
    const deactivated = bob.filter((e) => e.action === 'deactivate-access-key' && e.result === 'ok');
    expect(deactivated.map((e) => e.account).sort()).toEqual([PROD, DEV]);
    const verified = bob.filter((e) => e.action === 'verify' && e.result === 'verified');
    expect(verified.map((e) => e.account).sort()).toEqual([PROD, DEV]);
    const dispatch = await w.container.audit.query({ runId: report.runId });
    expect(dispatch.map((e) => [e.action, e.result])).toEqual([['run.dispatch', 'ok']]);
    await expect(w.container.audit.verify()).resolves.toMatchObject({ ok: true });

    // Each account's run saved a snapshot of what it read, carrying the other account over: one complete series.
    const snapshots = w.container.snapshots;
    if (snapshots === undefined) throw new Error('no snapshot store wired');
    expect((await snapshots.list()).map((h) => [h.seq, h.recordCount])).toEqual([
      [1, 3],
      [2, 6],
    ]);
    const latest = await snapshots.latest();
    expect(latest?.records.map(recordKey).sort()).toEqual(
      [PROD, DEV].flatMap((account) => ['alice', 'bob', 'carol'].map((name) => `iam/${account}/${name}`)).sort(),
    );
    expect(latest?.records.find((r) => r.kind === 'iam-user' && r.userName === 'bob')?.person?.email).toBe('bob@example.com');
    // The chain head went to the anchor parameter after the runs, and never backwards.
    const anchors = w.parameters.versions(ANCHOR_PARAMETER).map((v) => decodeAnchor(v.value, ANCHOR_PARAMETER));
    expect(anchors.length).toBeGreaterThan(0);
    expect(anchors.map((a) => a.seq)).toEqual([...anchors.map((a) => a.seq)].sort((a, b) => a - b));
    const last = anchors.at(-1);
    const anchored = (await w.container.audit.query({})).find((e) => e.seq === last?.seq);
    expect(anchored?.hash).toBe(last?.hash);
    await expect(w.container.audit.verify({ expectedHead: { seq: last?.seq ?? 0, hash: last?.hash ?? '' } })).resolves.toMatchObject({ ok: true });
    // And to the Object Lock bucket, one compliance-locked object per anchor, the newest listed first.
    const objects = w.s3.keys(ANCHOR_BUCKET).map((key) => w.s3.object(ANCHOR_BUCKET, key));
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(o?.lock).toEqual({ mode: 'COMPLIANCE', retainUntil: new Date('2026-12-26T12:00:00Z') });
    expect(decodeAnchor(objects[0]?.body.toString() ?? '', 's3')).toEqual(last);

    const logged = w.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.length).toBeGreaterThan(10);
    expect(new Set(logged.map((l) => l['runId']))).toEqual(new Set([report.runId]));
    expect(logged.some((l) => l['fn'] === 'worker' && l['account'] === DEV)).toBe(true);
  });

  it('changes nothing the second time, and the next snapshot shows the leaver revoked in both accounts', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    await Promise.all(w.jobs.splice(0));
    await w.reconcile(createDummyScheduledEvent({ id: 'second-tick', time: '2026-11-26T13:00:00Z' }), createDummyContext());
    const again = await Promise.all(w.jobs);
    for (const result of again) expect(result).toMatchObject({ kind: 'account', result: { kind: 'applied', actions: 0 } });
    const bobs = (await w.container.snapshots?.latest())?.records.filter((r) => r.kind === 'iam-user' && r.userName === 'bob') ?? [];
    expect(bobs.map((r) => [r.account, r.kind === 'iam-user' && r.denyAll]).sort()).toEqual([
      [PROD, true],
      [DEV, true],
    ]);
    expect(await w.container.snapshots?.list()).toHaveLength(4);
  });

  it('reconciles the hosts over SSM in one account’s worker only, and snapshots them', async () => {
    const config = [DISCOVER, `hosts: { instanceIds: ["${HOST}"] }`].join('\n');
    const w = await world(config, { fanOut: true, hosts: true });
    await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    await Promise.all(w.jobs.splice(0));
    // The account Warden runs in (reached with its own credentials, like the hosts' SSM) carries the hosts.
    expect(w.dispatched.filter((e) => e.kind === 'reconcile-account' && e.hosts === true).map((e) => e.kind === 'reconcile-account' && e.account.id)).toEqual([PROD]);
    const host = w.hosts?.models.get(HOST);
    expect(host?.accounts.get('bob')).toEqual({ keys: [], locked: true });
    expect(host?.accounts.get('alice')?.keys).toHaveLength(1);
    const inventories = w.hosts?.ssm.commands().filter((c) => c.script === 'inventory') ?? [];
    // One read for the plan and one to verify the revocation, from that one worker.
    expect(inventories).toHaveLength(2);

    await w.reconcile(createDummyScheduledEvent({ id: 'second-tick', time: '2026-11-26T13:00:00Z' }), createDummyContext());
    await Promise.all(w.jobs);
    const hostRecords = (await w.container.snapshots?.latest())?.records.filter((r) => r.kind === 'host-user') ?? [];
    expect(hostRecords.map((r) => [recordKey(r), r.paths.length, r.person?.email])).toEqual([[`host/${HOST}/alice`, 1, 'alice@example.com']]);
    // Bob's key was in the snapshots until the run that removed it (snapshots are taken when a run reads, before it acts).
    const bobOnHost = (await w.container.snapshots?.personHistory('bob@example.com'))?.filter((span) => span.record.kind === 'host-user') ?? [];
    // The two accounts' runs save in either order: the first tick's snapshots are 1 and 2, the second tick's 3 and 4.
    expect(bobOnHost.map((span) => [span.key, span.fromSeq <= 2, (span.toSeq ?? 0) > 2])).toEqual([[`host/${HOST}/bob`, true, true]]);
  });

  it('gives Identity Center to one worker only (the one that would read the hosts), even without a hosts block', async () => {
    const config = [DISCOVER, 'identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-7223c0ffee5a4b3c", identityStoreId: d-9067c0ffee }'].join('\n');
    const w = await world(config, { fanOut: true });
    await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    await Promise.all(w.jobs.splice(0));
    expect(w.dispatched.filter((e) => e.kind === 'reconcile-account' && e.hosts === true).map((e) => e.kind === 'reconcile-account' && e.account.id)).toEqual([PROD]);
  });

  it('hands even a single account to the worker, so the dispatcher never needs the role that changes access (serverless.yml ReconcileRole)', async () => {
    const config = ['roster: { path: ./roster.csv }', 'roles: { engineer: { groups: [developers] } }', 'accounts:', `  - { id: "${PROD}" }`].join('\n');
    const w = await world(config, { fanOut: true });
    const report = await w.reconcile({ kind: 'manual' }, createDummyContext());
    expect(report).toMatchObject({ mode: 'fan-out', dispatched: [PROD], results: [], failures: [] });
    const results = await Promise.all(w.jobs);
    expect(w.dispatched.filter((job) => job.kind === 'reconcile-account')).toHaveLength(1);
    expect(results).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'account', result: expect.objectContaining({ kind: 'applied', outcome: 'ok' }) })]));
  });

  it('runs the accounts in-process when there is no worker, and one unreachable account never stops the others', async () => {
    const config = [
      'roster: { path: ./roster.csv }',
      'roles: { engineer: { groups: [developers] } }',
      'accounts:',
      `  - { id: "${PROD}" }`,
      '  - { id: "444444444444", roleArn: "arn:aws:iam::444444444444:role/WardenAccess", externalId: ext }',
    ].join('\n');
    const w = await world(config, { fanOut: false });
    const report = await w.reconcile({ kind: 'manual' }, createDummyContext());
    expect(report.mode).toBe('in-process');
    expect(report.results).toEqual([expect.objectContaining({ kind: 'applied', account: PROD, outcome: 'ok' })]);
    expect(report.failures).toEqual([{ account: '444444444444', error: expect.stringMatching(/cannot assume arn:aws:iam::444444444444:role\/WardenAccess/) }]);
    const dispatch = await w.container.audit.query({ runId: report.runId });
    expect(dispatch.map((e) => [e.action, e.result])).toEqual([['run.dispatch', 'failed']]);
    expect(dispatch[0]?.error).toContain('444444444444');
    expect(keysOf(w.sandbox, PROD, 'bob')).toEqual(['Inactive']);
    expect(keysOf(w.sandbox, DEV, 'bob')).toEqual(['Active']);
  });
});

describe('hostsTargetOf', () => {
  it('gives the hosts to the account Warden runs in, else to the first account, and to nobody without accounts', () => {
    const member = (id: string) => ({ kind: 'assume-role', id, roleArn: `arn:aws:iam::${id}:role/WardenAccess`, source: 'config' }) as const;
    expect(hostsTargetOf([member(DEV), { kind: 'ambient', id: PROD }])).toEqual({ kind: 'ambient', id: PROD });
    expect(hostsTargetOf([member(DEV), member('333333333333')])).toEqual(member(DEV));
    expect(hostsTargetOf([])).toBeUndefined();
  });
});

describe('the worker', () => {
  it('skips an account another reconciliation holds the lock for', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    const account = { kind: 'assume-role', id: DEV, roleArn: `arn:aws:iam::${DEV}:role/WardenAccess`, externalId: 'ext-42', source: 'organizations' } as const;
    await w.container.runs.acquireLock(accountLockName(account), 'someone-else', 600_000, w.container.clock.now());
    const result = await w.worker({ kind: 'reconcile-account', runId: 'sched-x', account, scheduledAt: '2026-11-26T12:00:00Z' }, createDummyContext());
    expect(result).toEqual({ kind: 'account', result: { kind: 'locked', account: DEV, heldBy: 'someone-else', until: '2026-11-26T12:10:00.000Z' } });
    expect(keysOf(w.sandbox, DEV, 'bob')).toEqual(['Active']);
  });

  it('wakes no worker for the access-review clock when no campaign is open and no schedule slot is due, nor on a manual run', async () => {
    // The dispatch with work for the clock is test/lambda/review-schedule.test.ts.
    const w = await world(`${DISCOVER}\nslack: { channel: C0REVIEWS, hr: { users: [U0HRLEAD] } }`, { fanOut: true });
    const report = await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    expect(report.reviewClock).toBe('skipped');
    const manual = await w.reconcile({ kind: 'manual' }, createDummyContext());
    expect(manual.reviewClock).toBe('skipped');
    expect(w.dispatched.filter((e) => e.kind === 'slack-task')).toEqual([]);
    await Promise.all(w.jobs);
  });

  it('rejects a malformed payload without running anything, and says when Slack work is not wired', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    await expect(w.worker({ kind: 'reconcile-account', runId: 'x' }, createDummyContext())).resolves.toMatchObject({ kind: 'rejected' });
    await expect(w.worker({ kind: 'slack-task', runId: 'x', task: {} }, createDummyContext())).resolves.toEqual({ kind: 'slack-task', result: 'not-wired' });
    await expect(w.worker({ kind: 'apply-due-departures', runId: 'x' }, createDummyContext())).resolves.toEqual({
      kind: 'departures',
      result: { kind: 'skipped', reason: 'no departure store' },
    });
    expect(w.sandbox.calls.count('iam:UpdateAccessKey')).toBe(0);
  });
});

const account = (id: string) =>
  id === PROD
    ? ({ kind: 'ambient', id: PROD } as const)
    : ({ kind: 'assume-role', id, roleArn: `arn:aws:iam::${id}:role/WardenAccess`, externalId: 'ext-42', source: 'organizations' } as const);

const auditActions = async (w: World): Promise<string[]> => (await w.container.audit.query({})).map((e) => e.action);

describe('a safe first run: plan-only until an operator turns apply on', () => {
  it('plans without applying when WARDEN_SCHEDULED_MODE is unset, and says so in the jobs, the audit log and the logs', async () => {
    const w = await world(DISCOVER, { fanOut: true, mode: 'unset' });
    expect(w.container.settings.scheduledMode).toBe('plan');
    const report = await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    expect(report.apply).toBe('plan');
    const results = await Promise.all(w.jobs);
    expect(results).toEqual([
      { kind: 'account', result: expect.objectContaining({ kind: 'planned', revocations: expect.any(Number) }) },
      { kind: 'account', result: expect.objectContaining({ kind: 'planned' }) },
    ]);
    const revocations = results.map((r) => (r.kind === 'account' && r.result.kind === 'planned' ? r.result.revocations : 0));
    expect(Math.min(...revocations)).toBeGreaterThan(0);
    expect(w.dispatched.filter((e) => e.kind === 'reconcile-account').map((e) => (e as unknown as { v: number; mode: string }).mode)).toEqual(['plan', 'plan']);
    for (const id of [PROD, DEV]) expect(keysOf(w.sandbox, id, 'bob')).toEqual(['Active']);
    expect(w.sandbox.calls.count('iam:UpdateAccessKey')).toBe(0);
    const actions = await auditActions(w);
    expect(actions.filter((a) => a === 'run.plan')).toHaveLength(2);
    expect(actions).not.toContain('deactivate-access-key');
    const planned = w.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['message'] === 'account planned (plan-only: nothing applied)');
    expect(planned).toHaveLength(2);
    expect(JSON.stringify(planned[0]?.['actions'])).toContain('"userName":"bob"');
    // The plan-only runs set the headcount baseline the first applying run is guarded against.
    expect(await w.container.runs.lastCompleted()).toMatchObject({ mode: 'plan', outcome: 'ok', activeHeadcount: 2 });
  });

  it('guards the first applying run against the headcount the plan-only runs saw', async () => {
    const w = await world(DISCOVER, { fanOut: false, mode: 'plan' });
    await w.reconcile({ kind: 'manual' }, createDummyContext());
    // Apply is turned on just as the roster export goes wrong: one person left of two.
    writeFileSync(path.join(w.container.settings.taskRoot, 'roster.csv'), ROSTER.split('\n').slice(0, 3).join('\n'));
    const applying = new LambdaContainer({
      settings: { ...w.container.settings, scheduledMode: 'apply' },
      clients: w.container.clients,
      iam: { endpoint: w.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 2 },
      clock: w.container.clock,
      logSink: (line) => w.lines.push(line),
    });
    cleanups.push(() => applying.accounts.destroy());
    const report = await createReconcileHandler(async () => applying)({ kind: 'manual' }, createDummyContext());
    expect(report.apply).toBe('apply');
    expect(report.results.map((r) => (r.kind === 'applied' ? r.outcome : r.kind))).toEqual(['guard-tripped', 'guard-tripped']);
    expect(keysOf(w.sandbox, PROD, 'bob')).toEqual(['Active']);
  });

  it('refuses a mode it does not know rather than guess', () => {
    expect(() => lambdaSettingsFromEnv({ WARDEN_CONFIG_PARAMETER: '/c', WARDEN_AUDIT_TABLE: 't', WARDEN_SCHEDULED_MODE: 'yes' })).toThrow(/WARDEN_SCHEDULED_MODE must be plan or apply/);
  });

  it('lets an operator ask for a plan in an apply deployment, never for an apply in a plan-only one', async () => {
    const w = await world(DISCOVER, { fanOut: false });
    const report = await w.reconcile({ kind: 'manual', mode: 'plan' }, createDummyContext());
    expect(report.apply).toBe('plan');
    expect(report.results.map((r) => r.kind)).toEqual(['planned', 'planned']);
    expect(keysOf(w.sandbox, PROD, 'bob')).toEqual(['Active']);
    await expect(w.reconcile({ kind: 'manual', mode: 'apply' }, createDummyContext())).rejects.toThrow(/not an EventBridge scheduled event nor/);
  });

  it('keeps a worker deployed plan-only from applying an account job that says apply', async () => {
    const w = await world(DISCOVER, { fanOut: true, mode: 'plan' });
    const result = await w.worker({ v: 2, kind: 'reconcile-account', runId: 'sched-x', account: account(DEV), scheduledAt: '2026-11-26T12:00:00Z', mode: 'apply' }, createDummyContext());
    expect(result).toMatchObject({ kind: 'account', result: { kind: 'planned', account: DEV } });
    expect(keysOf(w.sandbox, DEV, 'bob')).toEqual(['Active']);
  });
});

describe('the guard over the whole run', () => {
  it('holds maxRevocations across the accounts a run fans out to, not per account', async () => {
    // Bob's revocations in one account fit the limit; in both they do not.
    const w = await world(`${DISCOVER}\nguard: { maxRevocations: 6, maxHeadcountDropPercent: 100 }`, { fanOut: true });
    await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    const results = (await Promise.all(w.jobs)).map((r) => (r.kind === 'account' ? r.result : undefined));
    const outcomes = results.map((r) => (r?.kind === 'applied' ? r.outcome : r?.kind)).sort();
    expect(outcomes).toEqual(['guard-tripped', 'ok']);
    const applied = results.find((r) => r?.kind === 'applied' && r.outcome === 'ok');
    expect(applied?.kind === 'applied' && applied.actions).toBeGreaterThan(0);
    expect(applied?.kind === 'applied' && applied.actions).toBeLessThanOrEqual(6);
    const stillActive = [PROD, DEV].filter((id) => keysOf(w.sandbox, id, 'bob')?.[0] === 'Active');
    expect(stillActive).toHaveLength(1);
    const tripped = (await w.container.audit.query({})).find((e) => e.action === 'guard.tripped');
    expect(tripped?.error).toMatch(/This run would revoke \d+ across its accounts \(\d+ in account \d{12}, \d+ already in others\), more than the limit of 6\./);
  });

  it('grants a retried account again, and refuses a budget item it cannot read', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    const now = w.container.clock.now();
    expect(await w.container.budget.reserve('run-1', PROD, 5, 6, now)).toEqual({ granted: true, total: 5 });
    expect(await w.container.budget.reserve('run-1', DEV, 5, 6, now)).toEqual({ granted: false, total: 5, requested: 5, limit: 6 });
    expect(await w.container.budget.reserve('run-1', PROD, 5, 6, now)).toEqual({ granted: true, total: 5 });
    expect(await w.container.budget.reserve('run-2', DEV, 5, 6, now)).toEqual({ granted: true, total: 5 });
    // Ten accounts at once, one each, under a limit of 4: exactly four get through.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => w.container.budget.reserve('run-3', `10000000000${i}`, 1, 4, now)));
    expect(many.filter((d) => d.granted)).toHaveLength(4);
    // An item someone wrote by hand without a readable total is never room to spend.
    await w.container.clients.dynamodb.send(
      new PutItemCommand({ TableName: w.container.settings.stateTable, Item: { pk: { S: 'run-budget' }, sk: { S: 'run-bad' }, version: { N: '1' }, total: { S: 'none' } } }),
    );
    await expect(w.container.budget.reserve('run-bad', PROD, 1, 6, now)).rejects.toThrow(/revocation budget item is unreadable/);
  });
});

describe('one reconcile at a time without reserved concurrency', () => {
  it('lets a second dispatcher do nothing while the first holds the dispatch lock', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    await w.container.runs.acquireLock(DISPATCH_LOCK, 'the-other-dispatcher', 600_000, w.container.clock.now());
    const report = await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    expect(report).toMatchObject({ mode: 'locked', dispatched: [], accounts: [] });
    expect(w.dispatched).toEqual([]);
    const free = await w.reconcile(createDummyScheduledEvent({ id: 'later' }), createDummyContext({ awsRequestId: 'other' }));
    expect(free.mode).toBe('locked');
    await w.container.runs.releaseLock(DISPATCH_LOCK, 'the-other-dispatcher');
    expect((await w.reconcile(createDummyScheduledEvent(), createDummyContext())).mode).toBe('fan-out');
    await Promise.all(w.jobs);
  });

  it('never runs a retried asynchronous invocation beside the original, though Lambda gives both one request id', async () => {
    const w = await world(DISCOVER, { fanOut: true, iamLatencyMs: 15 });
    const job = { v: 2, kind: 'reconcile-account', runId: 'sched-retry', account: account(DEV), scheduledAt: '2026-11-26T12:00:00Z', mode: 'apply' };
    const context = createDummyContext({ awsRequestId: 'same-request-id' });
    const [first, retry] = await Promise.all([w.worker(job, context), w.worker(job, context)]);
    const kinds = [first, retry].map((r) => (r.kind === 'account' ? r.result.kind : r.kind)).sort();
    expect(kinds).toEqual(['applied', 'locked']);
    expect(keysOf(w.sandbox, DEV, 'bob')).toEqual(['Inactive']);
  });
});

describe('worker jobs across a deploy', () => {
  it('runs a job in the previous shape (no version) as old code sends it, in the worker’s own mode', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    const v1 = { kind: 'reconcile-account', runId: 'sched-old', account: account(DEV), scheduledAt: '2026-11-26T12:00:00Z' };
    await expect(w.worker(v1, createDummyContext())).resolves.toMatchObject({ kind: 'account', result: { kind: 'applied', account: DEV, outcome: 'ok' } });
    expect(keysOf(w.sandbox, DEV, 'bob')).toEqual(['Inactive']);
  });

  it('rejects an unknown version, and fields a version does not have', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    const base = { kind: 'reconcile-account', runId: 'x', account: account(DEV), scheduledAt: '2026-11-26T12:00:00Z' };
    await expect(w.worker({ ...base, v: 3, mode: 'apply' }, createDummyContext())).resolves.toEqual({ kind: 'rejected', error: expect.stringMatching(/job version 3/) });
    await expect(w.worker({ ...base, mode: 'apply' }, createDummyContext())).resolves.toMatchObject({ kind: 'rejected' });
    await expect(w.worker({ ...base, v: 2 }, createDummyContext())).resolves.toMatchObject({ kind: 'rejected', error: expect.stringMatching(/mode/) });
    expect(w.sandbox.calls.count('iam:UpdateAccessKey')).toBe(0);
  });
});

describe('the heartbeat', () => {
  it('writes an embedded-metric-format line per completed account run, which the heartbeat alarm counts', async () => {
    const w = await world(DISCOVER, { fanOut: true });
    await w.reconcile(createDummyScheduledEvent(), createDummyContext());
    await Promise.all(w.jobs);
    const metrics = w.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['_aws'] !== undefined);
    expect(metrics).toHaveLength(2);
    for (const line of metrics) {
      expect(line).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: 'Warden', Dimensions: [['Stack']], Metrics: expect.arrayContaining([{ Name: 'ReconcileCompleted', Unit: 'Count' }]) }] },
        Stack: 'warden',
        ReconcileCompleted: 1,
        GuardTripped: 0,
        ActionsFailed: 0,
      });
      expect(line['Revocations']).toBeGreaterThan(0);
    }
  });
});
