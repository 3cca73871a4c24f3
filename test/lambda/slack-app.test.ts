import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { wardenDenyAllPolicy } from '../../src/sandbox/seed';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { departuresTableDefinition } from '../../src/adapters/departures/dynamodb-departure-store';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { LambdaContainer, lambdaSettingsFromEnv } from '../../src/lambda/container';
import type { LambdaClients } from '../../src/lambda/container';
import type { HttpApiEvent, WorkerEvent } from '../../src/lambda/events';
import { createReconcileHandler } from '../../src/lambda/reconcile';
import { createSlackHandler } from '../../src/lambda/slack';
import { createSlackLambdaApp, createSlackTaskRunner, parseSlackJob } from '../../src/lambda/slack-app';
import { createWorkerHandler } from '../../src/lambda/worker';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import type { SandboxSeed } from '../../src/sandbox/seed';
import type { Departure } from '../../src/ports/departures';
import { FakeSlackApi } from '../fakes/fake-slack-api';
import { createDummyCommand, createDummyViewSubmission, offboardFormValues, signSlackRequest, type SlackDelivery } from '../fakes/slack-requests';
import { createDummyUser } from '../sandbox/helpers';
import { actionsOf } from '../deploy/sdk-calls';
import { functionCalls } from '../deploy/function-calls';
import { createDummyContext, createDummyHttpEvent, destroyClients, parameterStoreService, sandboxClients, startDynalite, type FakeParameter } from './helpers';

const PROD = '111111111111';
const SECRET = 'lambda-signing-secret-3e7d';
const BOT = 'xoxb-lambda-bot-token-77aa';
const CHANNEL = 'C0WARDEN';
const HR = 'U0HR1';

const ROSTER = [
  'employee_id,email,status,full_name,role,end_date',
  'E1,alice@example.com,active,Alice,engineer,',
  'E2,bob@example.com,active,Bob,engineer,',
  'E3,carol@example.com,active,Carol,engineer,',
  'E4,dave@example.com,active,Dave,engineer,',
].join('\n');

const CONFIG = [
  'timezone: UTC',
  'roster: { path: ./roster.csv }',
  'roles: { engineer: { groups: [developers] } }',
  'guard: { maxHeadcountDropPercent: 100 }',
  `slack: { channel: ${CHANNEL}, hr: { users: [${HR}] }, auditors: { users: [${HR}] }, secondApproverFor: none }`,
].join('\n');

function seed(): SandboxSeed {
  const user = (employeeId: string, name: string) =>
    createDummyUser({ userName: name, tags: { employee_id: employeeId, email: `${name}@example.com` }, groups: ['developers'], loginProfile: { createdAt: '2024-01-01T00:00:00Z' } });
  return {
    accounts: [
      {
        id: PROD,
        name: 'prod',
        accessKeyIds: ['AKIAPRODSANDBOX00001'],
        policies: [wardenDenyAllPolicy(PROD)],
        groups: [{ name: 'developers' }],
        users: [user('E1', 'alice'), user('E2', 'bob'), user('E3', 'carol'), user('E4', 'dave')],
      },
    ],
  };
}

/** The API Gateway HTTP API event Slack's delivery becomes: base64 form body, lower-case headers, signed like Slack signs. */
function slackEvent(delivery: SlackDelivery, options: { secret?: string; timestamp?: number; retryNum?: number } = {}): HttpApiEvent {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const base = createDummyHttpEvent();
  return {
    ...base,
    headers: {
      ...base.headers,
      'content-type': delivery.contentType,
      'content-length': String(Buffer.byteLength(delivery.body)),
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(options.secret ?? SECRET, timestamp, delivery.body),
      ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
    body: Buffer.from(delivery.body).toString('base64'),
    isBase64Encoded: true,
  };
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let sandbox: RunningSandbox;
let slack: FakeSlackApi;
let taskRoot: string;
const parameters = new Map<string, FakeParameter>();
let tableCounter = 0;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await new FakeSlackApi({ users: { U0ALICE: { email: 'alice@example.com' } } }).start();
  taskRoot = mkdtempSync(path.join(tmpdir(), 'warden-slack-lambda-'));
  writeFileSync(path.join(taskRoot, 'roster.csv'), ROSTER);
});

afterAll(async () => {
  await slack.close();
  await dynamo.close();
  rmSync(taskRoot, { recursive: true, force: true });
});

beforeEach(async () => {
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed(), () => new Date()), extraServices: [parameterStoreService(parameters)] });
  parameters.clear();
  parameters.set('/warden/test/config', { value: CONFIG });
  parameters.set('/warden/test/slack/bot-token', { value: BOT, type: 'SecureString' });
  parameters.set('/warden/test/slack/signing-secret', { value: SECRET, type: 'SecureString' });
  slack.clear();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await sandbox.close();
});

interface Deployment {
  /** Another container of the same deployment (same tables, its own clients and caches). */
  container(): LambdaContainer;
  readonly invoked: WorkerEvent[];
  readonly lines: string[];
}

/** Fresh tables; containers over the sandbox, dynalite and the fake Slack API, whose worker invocations are recorded. */
async function deployment(): Promise<Deployment> {
  const n = ++tableCounter;
  const settings = lambdaSettingsFromEnv({
    WARDEN_CONFIG_PARAMETER: '/warden/test/config',
    WARDEN_AUDIT_TABLE: `audit-${n}`,
    WARDEN_STATE_TABLE: `state-${n}`,
    WARDEN_DEPARTURES_TABLE: `departures-${n}`,
    WARDEN_SLACK_SECRETS_PATH: '/warden/test/slack/',
    WARDEN_WORKER_FUNCTION: 'access-warden-test-worker',
    SLACK_API_URL: slack.apiUrl,
    LAMBDA_TASK_ROOT: taskRoot,
  });
  const invoked: WorkerEvent[] = [];
  const lines: string[] = [];
  const container = (): LambdaContainer => {
    const clients: LambdaClients = sandboxClients(sandbox, dynamo.endpoint);
    const c = new LambdaContainer({
      settings,
      clients,
      iam: { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 2 },
      logSink: (line) => lines.push(line),
      // Lambda's asynchronous Invoke: recorded; the payload crosses a JSON boundary like the real one.
      invoker: { invokeAsync: async (payload) => void invoked.push(JSON.parse(JSON.stringify(payload)) as WorkerEvent) },
    });
    cleanups.push(() => {
      c.accounts.destroy();
      destroyClients(clients);
    });
    return c;
  };
  const setup = container();
  await createTables(setup.clients.dynamodb, { audit: settings.auditTable ?? '', state: settings.stateTable ?? '' });
  await setup.clients.dynamodb.send(new CreateTableCommand(departuresTableDefinition(settings.departuresTable ?? '')));
  return { container, invoked, lines };
}

const workerContext = () => createDummyContext({ functionName: 'access-warden-test-worker', account: PROD });
const slackContext = () => createDummyContext({ functionName: 'access-warden-test-slack', account: PROD });

describe('the Slack function on Lambda', () => {
  it('acknowledges a signed /offboard from API Gateway within 3 s and opens the modal through the Slack API', async () => {
    const d = await deployment();
    const container = d.container();
    const handler = createSlackHandler({ container: async () => container, app: createSlackLambdaApp });
    const command = createDummyCommand({ command: '/offboard', text: '<@U0ALICE|alice>', user_id: HR, response_url: slack.responseUrl('cmd1') });

    const started = Date.now();
    const response = await handler(slackEvent(command), slackContext());
    const ms = Date.now() - started;

    expect(response.statusCode).toBe(200);
    expect(ms).toBeLessThan(3000);
    const opened = slack.callsTo('views.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.args['trigger_id']).toBe(command.triggerId);
    expect((opened[0]?.args['view'] as Record<string, unknown>)['callback_id']).toBe('warden_offboard');
    expect(JSON.stringify(opened[0]?.args['view'])).toContain('U0ALICE');
    // The token came from Parameter Store and never reached a log line.
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(d.lines.join('\n')).not.toContain(BOT);
    expect(d.lines.join('\n')).not.toContain(SECRET);
  });

  it('refuses a forged signature with 401 and opens nothing', async () => {
    const d = await deployment();
    const container = d.container();
    const handler = createSlackHandler({ container: async () => container, app: createSlackLambdaApp });
    const command = createDummyCommand({ command: '/offboard', user_id: HR, response_url: slack.responseUrl('forged') });

    const forged = await handler(slackEvent(command, { secret: 'not-the-signing-secret' }), slackContext());
    const stale = await handler(slackEvent(command, { timestamp: Math.floor(Date.now() / 1000) - 3600 }), slackContext());

    expect(forged.statusCode).toBe(401);
    expect(stale.statusCode).toBe(401);
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  it('drops Slack’s retry of a delivery even when it lands on another container', async () => {
    const d = await deployment();
    const [first, second] = [d.container(), d.container()];
    const one = createSlackHandler({ container: async () => first, app: createSlackLambdaApp });
    const two = createSlackHandler({ container: async () => second, app: createSlackLambdaApp });
    const command = createDummyCommand({ command: '/offboard', user_id: HR, response_url: slack.responseUrl('retry') });

    const original = await one(slackEvent(command), slackContext());
    const retried = await two(slackEvent(command, { retryNum: 1 }), slackContext());

    expect([original.statusCode, retried.statusCode]).toEqual([200, 200]);
    expect(slack.callsTo('views.open')).toHaveLength(1);
    expect(d.lines.filter((l) => l.includes('Dropped a repeated Slack delivery'))).toHaveLength(1);
  });

  it('hands the preview and the confirm to the worker, which records the departure in DynamoDB and revokes the leaver', async () => {
    const d = await deployment();
    const slackContainer = d.container();
    const workerContainer = d.container();
    const handler = createSlackHandler({ container: async () => slackContainer, app: createSlackLambdaApp });
    const worker = createWorkerHandler(async () => workerContainer, { slackTasks: createSlackTaskRunner() });
    const form = createDummyViewSubmission({
      user: HR,
      callbackId: 'warden_offboard',
      viewId: 'VLAMBDA1',
      values: offboardFormValues({ email: 'alice@example.com', reason: 'resignation' }),
    });

    const submitted = await handler(slackEvent(form), slackContext());
    expect(submitted.statusCode).toBe(200);
    expect(JSON.parse(submitted.body)).toMatchObject({ response_action: 'update' });
    expect(d.invoked).toEqual([{ kind: 'slack-task', runId: expect.stringMatching(/^slack-preview-/), task: expect.objectContaining({ kind: 'preview', viewId: 'VLAMBDA1' }) }]);
    // Nothing was read from IAM while Slack waited.
    expect(sandbox.calls.count('iam:GetAccountAuthorizationDetails')).toBe(0);

    await expect(worker(d.invoked.shift(), workerContext())).resolves.toEqual({ kind: 'slack-task', result: 'done' });
    const preview = slack.callsTo('views.update').find((c) => c.args['view_id'] === 'VLAMBDA1')?.args['view'] as Record<string, unknown> | undefined;
    expect(preview?.['callback_id']).toBe('warden_offboard_confirm');
    expect(JSON.stringify(preview)).toContain('alice');

    const confirm = createDummyViewSubmission({ user: HR, callbackId: 'warden_offboard_confirm', viewId: 'VLAMBDA1', privateMetadata: String(preview?.['private_metadata']) });
    const confirmed = await handler(slackEvent(confirm), slackContext());
    expect(confirmed.statusCode).toBe(200);
    const job = d.invoked.shift();
    expect(job).toMatchObject({ kind: 'slack-task', task: { kind: 'confirm' } });

    await expect(worker(job, workerContext())).resolves.toEqual({ kind: 'slack-task', result: 'done' });
    const departures = await workerContainer.departures?.store.listEffective();
    expect(departures).toHaveLength(1);
    const departure = departures?.[0] as Departure;
    expect(departure).toMatchObject({ status: 'applied', person: { email: 'alice@example.com' }, markedBy: `slack:${HR}` });
    expect(departure.thread?.channel).toBe(CHANNEL);
    expect(sandbox.state.user(PROD, 'alice')?.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    expect(sandbox.state.user(PROD, 'alice')?.loginProfile).toBeNull();
    expect(sandbox.state.user(PROD, 'bob')?.accessKeys.map((k) => k.status)).toEqual(['Active']);
    expect(slack.callsTo('chat.postMessage').some((c) => c.args['channel'] === CHANNEL)).toBe(true);
    const audited = await workerContainer.audit.query({ person: 'alice@example.com' });
    expect(audited.map((e) => e.action)).toEqual(expect.arrayContaining(['slack.departure.confirmed', 'deactivate-access-key', 'departure.no-access-left']));
  });

  it('makes only the AWS calls its own role grants (serverless.yml SlackRole, which test/deploy derives from this code)', async () => {
    const d = await deployment();
    const container = d.container();
    const made = new Set<string>();
    const prefixOf: Record<string, string> = { DynamoDBClient: 'dynamodb', SSMClient: 'ssm', S3Client: 's3', STSClient: 'sts', OrganizationsClient: 'organizations' };
    type Recordable = {
      middlewareStack: {
        add(
          middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>,
          options: { step: 'initialize' },
        ): void;
      };
    };
    const clients = [container.clients.dynamodb, container.clients.ssm, container.clients.s3, container.clients.sts, container.clients.organizations, container.clients.hostSsm];
    for (const client of clients as unknown as (Recordable | undefined)[]) {
      client?.middlewareStack.add(
        (next, context) => async (args) => {
          made.add(`${prefixOf[String(context.clientName)] ?? String(context.clientName)}:${String(context.commandName).replace(/Command$/, '')}`);
          return next(args);
        },
        { step: 'initialize' },
      );
    }
    sandbox.calls.reset();
    const handler = createSlackHandler({ container: async () => container, app: createSlackLambdaApp });
    const requests: SlackDelivery[] = [
      createDummyCommand({ command: '/offboard', text: '<@U0ALICE|alice>', user_id: HR, response_url: slack.responseUrl('a') }),
      createDummyCommand({ command: '/offboard', user_id: 'U0NOTHR', response_url: slack.responseUrl('b') }),
      createDummyCommand({ command: '/access', text: 'alice@example.com', user_id: HR, response_url: slack.responseUrl('c') }),
      createDummyCommand({ command: '/access', text: 'status', user_id: HR, response_url: slack.responseUrl('d') }),
      createDummyViewSubmission({ user: HR, callbackId: 'warden_offboard', viewId: 'VROLE1', values: offboardFormValues({ email: 'alice@example.com', reason: 'resignation' }) }),
    ];
    for (const request of requests) expect((await handler(slackEvent(request), slackContext())).statusCode).toBe(200);
    const granted = actionsOf(functionCalls('slack'));
    expect(made.size).toBeGreaterThan(2);
    expect([...made].filter((action) => !granted.has(action))).toEqual([]);
    // Nothing reached IAM, STS, Organizations or Run Command while Slack waited.
    expect(sandbox.calls.entries().map((c) => `${c.service}:${c.action}`).filter((a) => /^(iam|sts|organizations):|ssm:SendCommand/.test(a))).toEqual([]);
    expect(d.invoked.length).toBeGreaterThan(0);
  });

  it('drops a malformed Slack task in the worker without touching anything', async () => {
    const d = await deployment();
    const container = d.container();
    const worker = createWorkerHandler(async () => container, { slackTasks: createSlackTaskRunner() });
    await expect(worker({ kind: 'slack-task', runId: 'slack-x', task: { kind: 'revoke-everyone' } }, workerContext())).resolves.toEqual({ kind: 'slack-task', result: 'done' });
    expect(d.lines.some((l) => l.includes('malformed Slack task'))).toBe(true);
    expect(slack.calls).toHaveLength(0);
    expect(parseSlackJob({ kind: 'home', userId: 'U1' })).toEqual({ ok: true, job: { kind: 'home', userId: 'U1' } });
  });
});

describe('the scheduled run with departures from Slack', () => {
  it('applies a due departure from DynamoDB first, then reports in its Slack thread', async () => {
    const d = await deployment();
    const container = d.container();
    const now = new Date();
    const store = container.departures?.store;
    await store?.add({
      id: 'dep-20261126-aaaaaaaaaa',
      person: { email: 'bob@example.com', employeeId: 'E2' },
      effectiveAt: new Date(now.getTime() - 60_000),
      timezone: 'UTC',
      markedBy: `slack:${HR}`,
      status: 'scheduled',
      approvals: [{ by: `slack:${HR}`, at: now }],
      requiredApprovals: 1,
      createdAt: now,
      thread: { channel: CHANNEL, ts: '1700000000.000100' },
      paths: [],
      attempts: 0,
    });
    // No worker for this run: the due departures and the account run in the dispatcher itself.
    const { workerFunction: _worker, ...withoutWorker } = container.settings;
    const inProcess = new LambdaContainer({
      settings: withoutWorker,
      clients: container.clients,
      iam: { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 2 },
      logSink: (line) => d.lines.push(line),
    });
    cleanups.push(() => inProcess.accounts.destroy());

    const report = await createReconcileHandler(async () => inProcess)({ kind: 'manual' }, createDummyContext({ account: PROD }));

    expect(report.departures).toEqual({ kind: 'applied', departures: 1, noAccessLeft: 1 });
    expect((await store?.get('dep-20261126-aaaaaaaaaa'))?.status).toBe('applied');
    expect(sandbox.state.user(PROD, 'bob')?.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    const updates = slack.callsTo('chat.update').filter((c) => c.args['ts'] === '1700000000.000100');
    expect(updates.length).toBeGreaterThan(0);
    expect(slack.callsTo('chat.postMessage').some((c) => c.args['thread_ts'] === '1700000000.000100')).toBe(true);
  });

  it('posts guard trips to the channel, and a Slack outage is logged, never thrown into the run', async () => {
    const d = await deployment();
    const container = d.container();

    await container.notifier.notify({ kind: 'guard-tripped', runId: 'run-1', reasons: ['roster is empty'] });
    slack.failMethod('chat.postMessage', 'fatal_error');
    await expect(container.notifier.notify({ kind: 'guard-tripped', runId: 'run-2', reasons: ['roster is empty'] })).resolves.toBeUndefined();
    slack.failMethod('chat.postMessage', undefined);

    const posted = slack.callsTo('chat.postMessage');
    expect(posted.map((c) => c.args['channel'])).toEqual([CHANNEL, CHANNEL]);
    expect(String(posted[0]?.args['text'])).toMatch(/guard/i);
    expect(d.lines.some((l) => l.includes('could not post the guard-tripped notice in Slack'))).toBe(true);
  });
});
