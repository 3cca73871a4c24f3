import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { departuresTableDefinition } from '../../src/adapters/departures/dynamodb-departure-store';
import { DynamoDbCampaignStore } from '../../src/adapters/reviews/dynamodb-campaign-store';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { LambdaContainer, lambdaSettingsFromEnv, type LambdaClients } from '../../src/lambda/container';
import type { WorkerEvent } from '../../src/lambda/events';
import { createReconcileHandler } from '../../src/lambda/reconcile';
import { createSlackTaskRunner } from '../../src/lambda/slack-app';
import { createWorkerHandler } from '../../src/lambda/worker';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { wardenDenyAllPolicy } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { FakeSlackApi } from '../fakes/fake-slack-api';
import { createDummyUser, createTestClock } from '../sandbox/helpers';
import { createDummyContext, createDummyScheduledEvent, destroyClients, parameterStoreService, sandboxClients, startDynalite, type FakeParameter } from './helpers';

const PROD = '111111111111';
const CHANNEL = 'C0WARDEN';
const ROSTER = ['employee_id,email,status,full_name,role,manager_email', 'E1,alice@example.com,active,Alice,engineer,', 'E2,bob@example.com,active,Bob,engineer,'].join('\n');
const BASE = [
  'timezone: Europe/Berlin',
  'roster: { path: ./roster.csv }',
  'roles: { engineer: { groups: [developers] } }',
  `slack: { channel: ${CHANNEL}, hr: { users: [U0HR1] }, secondApproverFor: none }`,
].join('\n');
/** Quarterly: 09:00 in Berlin on 1 January is 08:00 UTC. */
const SCHEDULED = `${BASE}\nreviews: { schedule: quarterly }`;
const SLOT_CAMPAIGN = 'rev-sched-20270101T0800Z';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let sandbox: RunningSandbox;
let slack: FakeSlackApi;
let taskRoot: string;
let tables = 0;
const parameters = new Map<string, FakeParameter>();
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await new FakeSlackApi({ users: {} }).start();
  taskRoot = mkdtempSync(path.join(tmpdir(), 'warden-review-schedule-'));
  writeFileSync(path.join(taskRoot, 'roster.csv'), ROSTER);
});

afterAll(async () => {
  await slack.close();
  await dynamo.close();
  rmSync(taskRoot, { recursive: true, force: true });
});

beforeEach(async () => {
  const user = (id: string, name: string) => createDummyUser({ userName: name, tags: { employee_id: id, email: `${name}@example.com` }, groups: ['developers'] });
  const seed = { accounts: [{ id: PROD, name: 'prod', accessKeyIds: ['AKIAPRODSANDBOX00001'], policies: [wardenDenyAllPolicy(PROD)], groups: [{ name: 'developers' }], users: [user('E1', 'alice'), user('E2', 'bob')] }] };
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed, () => new Date()), extraServices: [parameterStoreService(parameters)] });
  parameters.clear();
  parameters.set('/warden/test/slack/bot-token', { value: 'xoxb-review-schedule', type: 'SecureString' });
  parameters.set('/warden/test/slack/signing-secret', { value: 'review-schedule-secret', type: 'SecureString' });
  slack.clear();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  await sandbox.close();
});

/** The reconcile and worker handlers over one deployment's tables, on a test clock; worker invocations are recorded. */
async function deployment(config: string) {
  parameters.set('/warden/test/config', { value: config });
  const n = ++tables;
  const settings = lambdaSettingsFromEnv({
    WARDEN_CONFIG_PARAMETER: '/warden/test/config',
    WARDEN_AUDIT_TABLE: `rs-audit-${n}`,
    WARDEN_STATE_TABLE: `rs-state-${n}`,
    WARDEN_DEPARTURES_TABLE: `rs-departures-${n}`,
    WARDEN_SLACK_SECRETS_PATH: '/warden/test/slack/',
    WARDEN_WORKER_FUNCTION: 'access-warden-test-worker',
    WARDEN_SCHEDULED_MODE: 'plan',
    SLACK_API_URL: slack.apiUrl,
    LAMBDA_TASK_ROOT: taskRoot,
  });
  const clock = createTestClock('2027-01-01T07:00:00Z');
  const invoked: WorkerEvent[] = [];
  const clients: LambdaClients = sandboxClients(sandbox, dynamo.endpoint);
  const container = new LambdaContainer({
    settings,
    clients,
    clock,
    iam: { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 2 },
    logSink: () => undefined,
    invoker: { invokeAsync: async (payload) => void invoked.push(JSON.parse(JSON.stringify(payload)) as WorkerEvent) },
  });
  cleanups.push(() => {
    container.accounts.destroy();
    destroyClients(clients);
  });
  await createTables(clients.dynamodb, { audit: settings.auditTable ?? '', state: settings.stateTable ?? '' });
  await clients.dynamodb.send(new CreateTableCommand(departuresTableDefinition(settings.departuresTable ?? '')));
  const reconcile = createReconcileHandler(async () => container);
  const worker = createWorkerHandler(async () => container, { slackTasks: createSlackTaskRunner() });
  const campaigns = new DynamoDbCampaignStore({ client: clients.dynamodb, table: settings.stateTable ?? '' });
  /** One hourly tick at `iso`: the dispatcher, then every review-clock task it handed the worker; returns how many. */
  const tick = async (iso: string): Promise<number> => {
    clock.set(iso);
    await reconcile(createDummyScheduledEvent({ id: `tick-${iso}`, time: iso }), createDummyContext());
    const reviewTasks = invoked.splice(0).filter((e) => e.kind === 'slack-task');
    for (const task of reviewTasks) await expect(worker(task, createDummyContext({ functionName: 'access-warden-test-worker' }))).resolves.toEqual({ kind: 'slack-task', result: 'done' });
    return reviewTasks.length;
  };
  return { container, clock, invoked, tick, worker, campaigns };
}

const packetsToHr = () => slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === CHANNEL && JSON.stringify(c.args).includes('review'));

describe('reviews.schedule on Lambda', () => {
  it('starts the slot\'s campaign at the first tick after it comes, once, however many ticks follow', async () => {
    const d = await deployment(SCHEDULED);
    expect(await d.tick('2027-01-01T07:59:00Z')).toBe(0);
    expect(await d.campaigns.listCampaigns()).toEqual([]);

    expect(await d.tick('2027-01-01T08:00:00Z')).toBe(1);
    const started = await d.campaigns.listCampaigns();
    expect(started.map((c) => [c.id, c.status, c.startedBy])).toEqual([[SLOT_CAMPAIGN, 'open', 'system']]);
    expect((await d.campaigns.packets(SLOT_CAMPAIGN)).map((p) => [p.person.email, p.reviewer.kind])).toEqual([
      ['alice@example.com', 'hr'],
      ['bob@example.com', 'hr'],
    ]);
    const sent = packetsToHr().length;
    expect(sent).toBe(2);

    // The next ticks run the clock for the open campaign, and start nothing more.
    expect(await d.tick('2027-01-01T09:00:00Z')).toBe(1);
    expect(await d.tick('2027-01-01T10:00:00Z')).toBe(1);
    expect((await d.campaigns.listCampaigns()).map((c) => c.id)).toEqual([SLOT_CAMPAIGN]);
    expect(packetsToHr()).toHaveLength(sent);
    const started2 = (await d.container.audit.query({})).filter((e) => e.action === 'review.started');
    expect(started2.map((e) => e.target)).toEqual([SLOT_CAMPAIGN]);
  });

  it('starts one campaign when the worker gets the same tick twice at once (a retried asynchronous invocation)', async () => {
    const d = await deployment(SCHEDULED);
    d.clock.set('2027-01-01T08:30:00Z');
    const job: WorkerEvent = { kind: 'slack-task', runId: 'sched-retry', task: { kind: 'review-tick' } };
    const context = createDummyContext({ functionName: 'access-warden-test-worker' });
    await Promise.all([d.worker(job, context), d.worker(JSON.parse(JSON.stringify(job)), context)]);
    expect((await d.campaigns.listCampaigns()).map((c) => c.id)).toEqual([SLOT_CAMPAIGN]);
    expect(packetsToHr()).toHaveLength(2);
  });

  it('never wakes the worker for the review clock while no campaign is open and no slot is due', async () => {
    const plain = await deployment(BASE);
    for (const hour of ['07', '08', '09', '10']) expect(await plain.tick(`2027-01-01T${hour}:00:00Z`)).toBe(0);

    const scheduled = await deployment(SCHEDULED);
    expect(await scheduled.tick('2026-12-31T23:00:00Z')).toBe(0);
    expect(await scheduled.tick('2027-01-01T07:00:00Z')).toBe(0);
    // A campaign someone started by hand keeps the clock running until it closes.
    const { startReview } = await import('../../src/app/reviews/start');
    const loaded = await scheduled.container.loadConfig();
    const reviews = scheduled.container.reviewDeps(scheduled.container.reconcileDeps(loaded, [], scheduled.container.logger('test', { fn: 'test' })), loaded);
    if (reviews === undefined) throw new Error('no review store wired');
    await startReview(reviews, { scope: { kind: 'all' }, actor: 'cli:test', dueAt: new Date('2027-01-01T07:30:00Z') });
    expect(await scheduled.tick('2027-01-01T07:15:00Z')).toBe(1);
    // At its due date the clock closes it; with nothing open and the slot still ahead, the worker is not woken.
    expect(await scheduled.tick('2027-01-01T07:45:00Z')).toBe(1);
    expect((await scheduled.campaigns.listCampaigns()).map((c) => c.status)).toEqual(['closed']);
    expect(await scheduled.tick('2027-01-01T07:50:00Z')).toBe(0);
  });
});
