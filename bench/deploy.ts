/**
 * The Lambda deployment: (a) how big each function's package is, (b) how long each bundle takes to load in a fresh
 * Node process (the part of a cold start Warden controls), and (c) a scheduled run over 20 accounts fanned out the way
 * Lambda does it, one of them made slow, to show the wall time follows the slowest account rather than the sum.
 *
 * (a) and (b) read the zips `npm run package` writes: `.serverless/*.zip` when they are newer than every source file,
 * else a fresh offline packaging into a temporary folder. (c) runs the real reconcile and worker handlers against the
 * IAM/STS sandbox and dynalite: the dispatcher hands each account to the worker handler in a container of its own (its
 * own clients, stores and caches, as a separate Lambda execution environment would have), all at once. Every container
 * shares this one Node process and its CPU, unlike Lambda, so per-account times include that contention.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTables } from '../src/adapters/state/dynamodb-tables';
import { toCsv } from '../src/lib/csv';
import { LambdaContainer, lambdaSettingsFromEnv } from '../src/lambda/container';
import type { LambdaSettings } from '../src/lambda/container';
import { createReconcileHandler } from '../src/lambda/reconcile';
import { createWorkerHandler } from '../src/lambda/worker';
import type { WorkerResult } from '../src/lambda/worker';
import { iamService } from '../src/sandbox/iam-service';
import { IamSandboxState } from '../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../src/sandbox/server';
import type { ServiceHandler } from '../src/sandbox/service';
import { ParameterStoreSandbox } from '../src/sandbox/ssm-parameters';
import { syntheticAccount, type SyntheticAccount } from '../src/sandbox/synthetic';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { departuresTableDefinition } from '../src/adapters/departures/dynamodb-departure-store';
import type { HttpApiEvent } from '../src/lambda/events';
import { readZip } from '../test/deploy/zip';
import { benchColdStart, packagedHandler, type ColdStartBench } from './cold-start';
import { FakeSlackApi } from '../test/fakes/fake-slack-api';
import { createDummyCommand, signSlackRequest } from '../test/fakes/slack-requests';
import {
  createDummyContext,
  createDummyHttpEvent,
  createDummyScheduledEvent,
  createSnapshotsTable,
  destroyClients,
  parameterStoreService,
  sandboxClients,
  startDynalite,
  type FakeParameter,
} from '../test/lambda/helpers';

const execFileAsync = promisify(execFile);
const REPO = path.resolve(__dirname, '..');
const FUNCTIONS = ['reconcile', 'worker', 'slack'] as const;

export interface FunctionPackage {
  readonly name: string;
  readonly zipBytes: number;
  /** The bundled handler (`src/lambda/<name>.js`), unzipped. */
  readonly handlerJsBytes: number;
  readonly unzippedBytes: number;
  readonly files: readonly string[];
  /** `require()` of the handler in a fresh `node` process: median, min and max of the runs, in ms. */
  readonly coldRequireMs: { readonly median: number; readonly min: number; readonly max: number; readonly runs: readonly number[] };
}

export interface FanOutBench {
  readonly accounts: number;
  readonly usersPerAccount: number;
  readonly leaversPerAccount: number;
  readonly slowAccount: string;
  /** Added to every IAM call the slow account answers. */
  readonly slowLatencyMsPerCall: number;
  /** From the scheduled event until every worker finished. */
  readonly wallMs: number;
  readonly slowestAccountMs: number;
  readonly sumOfAccountsMs: number;
  readonly wallOverSlowest: number;
  readonly wallOverSum: number;
  /** The slowed account, and the other accounts' slowest and median: they finish without waiting for it. */
  readonly slowAccountMs: number;
  readonly othersMaxMs: number;
  readonly othersMedianMs: number;
  readonly perAccountMs: Readonly<Record<string, number>>;
  /** Every account's worker reported its account reconciled. */
  readonly allApplied: boolean;
  /** Snapshots saved (one per account run) and anchor versions published. */
  readonly snapshots: number;
  readonly anchorsPublished: number;
  readonly note: string;
}

/**
 * The Slack function's cold path as Lambda runs it in a new execution environment, in a fresh `node` process: load the
 * bundled handler (`require` of slack.zip's `src/lambda/slack.js`), then the first `/offboard` through it, which reads
 * the secrets and config from Parameter Store (the sandbox), builds the Bolt app, dedupes the delivery in DynamoDB
 * (dynalite) and opens the modal (`views.open` on the fake Slack API). Lambda's own init (fetching the package,
 * starting the runtime) comes on top and is not measured here. Slack gives up after 3 s.
 */
export interface SlackColdPath {
  readonly runs: number;
  readonly moduleLoadMs: { readonly median: number; readonly max: number };
  readonly firstOffboardMs: { readonly median: number; readonly max: number };
  readonly totalMs: { readonly median: number; readonly max: number };
  readonly slackLimitMs: number;
  /** Worst total over Slack's 3 s (below 1 is in time, before Lambda's own init). */
  readonly worstOverLimit: number;
}

export interface DeployBench {
  readonly packaging: { readonly source: 'reused .serverless' | 'packaged now'; readonly ms: number };
  readonly functions: readonly FunctionPackage[];
  readonly slackColdPath: SlackColdPath;
  readonly fanOut: FanOutBench;
}

export interface DeployBenchOptions {
  readonly accounts?: number;
  readonly usersPerAccount?: number;
  readonly coldRuns?: number;
  readonly slowLatencyMsPerCall?: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

function newestSourceMs(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(path.join(REPO, 'src'));
  walk(path.join(REPO, 'scripts', 'host'));
  for (const file of ['serverless.yml', 'package-lock.json', 'package.json']) if (existsSync(path.join(REPO, file))) newest = Math.max(newest, statSync(path.join(REPO, file)).mtimeMs);
  return newest;
}

/** The folder holding reconcile.zip, worker.zip and slack.zip: `.serverless` if fresh, else a new offline package. */
export async function packages(): Promise<{ dir: string; source: DeployBench['packaging']['source']; ms: number; cleanup(): void }> {
  const existing = path.join(REPO, '.serverless');
  const zips = FUNCTIONS.map((name) => path.join(existing, `${name}.zip`));
  if (zips.every((zip) => existsSync(zip)) && Math.min(...zips.map((zip) => statSync(zip).mtimeMs)) > newestSourceMs()) {
    return { dir: existing, source: 'reused .serverless', ms: 0, cleanup: () => undefined };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-package-'));
  // Packaging needs no AWS account: no credentials, config or metadata service.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_PROFILE: 'warden-offline-package-bench',
    AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  delete env['AWS_ACCESS_KEY_ID'];
  delete env['AWS_SECRET_ACCESS_KEY'];
  delete env['AWS_SESSION_TOKEN'];
  const started = performance.now();
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--package', dir, '--stage', 'bench'], { cwd: REPO, env, timeout: 300_000, maxBuffer: 16 << 20 });
  return { dir, source: 'packaged now', ms: Math.round(performance.now() - started), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Unzips a package and times `require()` of its handler in fresh `node` processes. */
async function measurePackage(name: string, zip: string, runs: number): Promise<FunctionPackage> {
  const entries = readZip(zip);
  const root = mkdtempSync(path.join(os.tmpdir(), `warden-bench-${name}-`));
  try {
    for (const entry of entries) {
      const target = path.join(root, entry.name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, entry.read());
    }
    const handler = packagedHandler(root, name);
    const script = `const t=process.hrtime.bigint(); import(require('node:url').pathToFileURL(${JSON.stringify(handler)}).href).then(() => console.log(Number(process.hrtime.bigint()-t)/1e6))`;
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      // Lambda's environment, not this process's: no AWS settings leak into the load.
      const { stdout } = await execFileAsync(process.execPath, ['-e', script], { cwd: root, env: { PATH: process.env['PATH'] ?? '', LAMBDA_TASK_ROOT: root, AWS_REGION: 'us-east-1' } });
      times.push(Number(stdout.trim()));
    }
    return {
      name,
      zipBytes: statSync(zip).size,
      handlerJsBytes: entries.find((e) => e.name === path.relative(root, packagedHandler(root, name)))?.bytes ?? 0,
      unzippedBytes: entries.reduce((sum, e) => sum + e.bytes, 0),
      files: entries.map((e) => e.name).sort(),
      coldRequireMs: { median: round(median(times)), min: round(Math.min(...times)), max: round(Math.max(...times)), runs: times.map((t) => round(t)) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const COLD_SECRET = 'bench-signing-secret-c01d';
const COLD_HR = 'U0HRCOLD';

/** See `SlackColdPath`: each run a new `node` process (a new execution environment) over the same local services. */
export async function benchSlackColdPath(zip: string, runs: number): Promise<SlackColdPath> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-slack-cold-'));
  for (const entry of readZip(zip)) {
    const target = path.join(root, entry.name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, entry.read());
  }
  writeFileSync(path.join(root, 'roster.csv'), 'employee_id,email,status\nE1,a@example.com,active\n');
  const accessKeyId = 'AKIABENCHSLACKCOLD01';
  const parameters = new Map<string, FakeParameter>([
    ['/warden/bench/config', { value: `timezone: UTC\nroster: { path: ./roster.csv }\nslack: { channel: C0WARDEN, hr: { users: [${COLD_HR}] } }\n` }],
    ['/warden/bench/slack/bot-token', { value: 'xoxb-bench-cold-token', type: 'SecureString' }],
    ['/warden/bench/slack/signing-secret', { value: COLD_SECRET, type: 'SecureString' }],
  ]);
  const sandbox = await startSandbox({
    extraServices: [parameterStoreService(parameters)],
    state: IamSandboxState.fromSeed({ accounts: [{ id: '111111111111', accessKeyIds: [accessKeyId], users: [] }] }),
  });
  const dynamo = await startDynalite();
  const slack = await new FakeSlackApi().start();
  try {
    const setup = sandboxClients(sandbox, dynamo.endpoint);
    await createTables(setup.dynamodb, { audit: 'bench-cold-audit', state: 'bench-cold-state' });
    await setup.dynamodb.send(new CreateTableCommand(departuresTableDefinition('bench-cold-departures')));
    destroyClients(setup);
    const handler = packagedHandler(root, 'slack');
    const script = [
      'const t0 = process.hrtime.bigint();',
      `import(require('node:url').pathToFileURL(${JSON.stringify(handler)}).href).then(({ handler }) => {`,
      'const t1 = process.hrtime.bigint();',
      'const context = { awsRequestId: "cold-1", invokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:access-warden-bench-slack", functionName: "access-warden-bench-slack", getRemainingTimeInMillis: () => 10000 };',
      'handler(JSON.parse(process.env.BENCH_EVENT), context).then((r) => {',
      '  const t2 = process.hrtime.bigint();',
      '  console.log(JSON.stringify({ load: Number(t1 - t0) / 1e6, first: Number(t2 - t1) / 1e6, status: r.statusCode }));',
      '  process.exit(0);',
      '});',
      '});',
    ].join('\n');
    const loads: number[] = [];
    const firsts: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const delivery = createDummyCommand({ command: '/offboard', user_id: COLD_HR, response_url: slack.responseUrl(`cold-${i}`) });
      const timestamp = Math.floor(Date.now() / 1000);
      const base = createDummyHttpEvent();
      const event: HttpApiEvent = {
        ...base,
        headers: {
          ...base.headers,
          'content-type': delivery.contentType,
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signSlackRequest(COLD_SECRET, timestamp, delivery.body),
        },
        body: Buffer.from(delivery.body).toString('base64'),
        isBase64Encoded: true,
      };
      const opened = slack.calls.filter((c) => c.method === 'views.open').length;
      // Lambda's environment as serverless.yml sets it, pointed at the local services; nothing of this process leaks in.
      const { stdout } = await execFileAsync(process.execPath, ['-e', script], {
        cwd: root,
        env: {
          PATH: process.env['PATH'] ?? '',
          LAMBDA_TASK_ROOT: root,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: accessKeyId,
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_ENDPOINT_URL_SSM: sandbox.url,
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          WARDEN_CONFIG_PARAMETER: '/warden/bench/config',
          WARDEN_SLACK_SECRETS_PATH: '/warden/bench/slack/',
          WARDEN_AUDIT_TABLE: 'bench-cold-audit',
          WARDEN_STATE_TABLE: 'bench-cold-state',
          WARDEN_DEPARTURES_TABLE: 'bench-cold-departures',
          WARDEN_WORKER_FUNCTION: 'access-warden-bench-worker',
          SLACK_API_URL: slack.apiUrl,
          LOG_LEVEL: 'error',
          BENCH_EVENT: JSON.stringify(event),
        },
      });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { load: number; first: number; status: number };
      if (result.status !== 200) throw new Error(`cold /offboard answered ${result.status}`);
      if (slack.calls.filter((c) => c.method === 'views.open').length !== opened + 1) throw new Error('cold /offboard did not open the modal');
      loads.push(result.load);
      firsts.push(result.first);
    }
    const totals = loads.map((l, i) => l + (firsts[i] ?? 0));
    const stat = (values: number[]) => ({ median: round(median(values)), max: round(Math.max(...values)) });
    return {
      runs,
      moduleLoadMs: stat(loads),
      firstOffboardMs: stat(firsts),
      totalMs: stat(totals),
      slackLimitMs: 3_000,
      worstOverLimit: Number((Math.max(...totals) / 3_000).toPrecision(3)),
    };
  } finally {
    await slack.close();
    await dynamo.close();
    await sandbox.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** IAM answered as usual, `extraMs` later for the accounts `slow` picks. */
function slowedIam(slow: (account: string) => number): ServiceHandler {
  const iam = iamService();
  return {
    ...iam,
    async handle(call) {
      const extra = slow(call.account);
      if (extra > 0) await new Promise((resolve) => setTimeout(resolve, extra));
      return iam.handle(call);
    },
  };
}

const ROLES = 'roles: { engineer: { groups: [developers] }, sre: { groups: [developers, ops] }, data-analyst: { groups: [data] }, support: { groups: [support] }, admin: { groups: [admins] } }';

function rosterCsv(account: SyntheticAccount): string {
  const columns = ['employee_id', 'email', 'status', 'role', 'full_name', 'department', 'end_date', 'aws_usernames'] as const;
  return toCsv(columns, account.roster.map((row) => columns.map((c) => row[c])));
}

/** A scheduled run over `accounts` accounts, fanned out to one worker container each, the last account slowed down. */
export async function benchFanOut(options: { accounts: number; usersPerAccount: number; slowLatencyMsPerCall: number }): Promise<FanOutBench> {
  const now = new Date('2026-11-01T00:00:00Z');
  const ids = Array.from({ length: options.accounts }, (_, i) => `1000000000${String(i + 1).padStart(2, '0')}`);
  const slowAccount = ids.at(-1) as string;
  // The same seed in every account: the same people, with a user in each account, as one roster describes them.
  const accounts = ids.map((accountId) => syntheticAccount({ accountId, users: options.usersPerAccount, departedEvery: 20, now }));
  const first = accounts[0] as SyntheticAccount;
  const sandbox: RunningSandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: accounts.map((a) => ({ ...a, accessKeyIds: a.id === first.id ? ['AKIAPRODSANDBOX00001'] : [] })) }, () => now) });
  sandbox.registerService(slowedIam((account) => (account === slowAccount ? options.slowLatencyMsPerCall : 0)));
  const dynamo = await startDynalite();
  const taskRoot = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-fanout-'));
  const containers: LambdaContainer[] = [];
  try {
    writeFileSync(path.join(taskRoot, 'roster.csv'), rosterCsv(first));
    const config = [
      'timezone: UTC',
      'roster: { path: ./roster.csv }',
      ROLES,
      'guard: { maxRevocations: 100000, maxHeadcountDropPercent: 100 }',
      'accounts:',
      ...ids.map((id, i) => (i === 0 ? `  - { id: "${id}" }` : `  - { id: "${id}", roleArn: "arn:aws:iam::${id}:role/WardenAccess", externalId: bench }`)),
    ].join('\n');
    const parameters = new ParameterStoreSandbox({ '/warden/bench/config': { value: config } }, () => now);
    sandbox.registerService(parameters.service());
    const settings: LambdaSettings = lambdaSettingsFromEnv({
      WARDEN_CONFIG_PARAMETER: '/warden/bench/config',
      WARDEN_AUDIT_TABLE: 'bench-audit',
      WARDEN_STATE_TABLE: 'bench-state',
      WARDEN_SNAPSHOTS_TABLE: 'bench-snapshots',
      WARDEN_AUDIT_ANCHOR_PARAMETER: '/warden/bench/audit-head',
      WARDEN_WORKER_FUNCTION: 'access-warden-bench-worker',
      WARDEN_ACCOUNT_CONCURRENCY: String(options.accounts),
      WARDEN_SCHEDULED_MODE: 'apply',
      LAMBDA_TASK_ROOT: taskRoot,
      LOG_LEVEL: 'error',
    });
    const setupClients = sandboxClients(sandbox, dynamo.endpoint);
    await createTables(setupClients.dynamodb, { audit: settings.auditTable ?? '', state: settings.stateTable ?? '' });
    await createSnapshotsTable(setupClients.dynamodb, settings.snapshotsTable ?? '');
    destroyClients(setupClients);

    const clock = { now: () => now };
    /** A fresh execution environment: its own clients, stores and caches. */
    const newContainer = (invoker?: { invokeAsync(payload: unknown): Promise<void> }): LambdaContainer => {
      const container = new LambdaContainer({
        settings,
        clients: sandboxClients(sandbox, dynamo.endpoint),
        iam: { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 3 },
        clock,
        logSink: () => undefined,
        ...(invoker !== undefined ? { invoker } : {}),
      });
      containers.push(container);
      return container;
    };
    const perAccountMs: Record<string, number> = {};
    const jobs: Promise<WorkerResult>[] = [];
    const dispatcher = newContainer({
      invokeAsync: async (payload) => {
        const event = JSON.parse(JSON.stringify(payload)) as { account?: { id?: string } };
        const worker = createWorkerHandler(async () => newContainer());
        const started = performance.now();
        jobs.push(
          worker(event, createDummyContext({ functionName: 'access-warden-bench-worker', awsRequestId: `bench-${jobs.length}` })).then((result) => {
            perAccountMs[event.account?.id ?? 'unknown'] = Math.round(performance.now() - started);
            return result;
          }),
        );
      },
    });
    const reconcile = createReconcileHandler(async () => dispatcher);
    const started = performance.now();
    await reconcile(createDummyScheduledEvent({ time: now.toISOString() }), createDummyContext({ account: first.id }));
    const results = await Promise.all(jobs);
    const wallMs = Math.round(performance.now() - started);

    const times = Object.values(perAccountMs);
    const others = Object.entries(perAccountMs).flatMap(([id, ms]) => (id === slowAccount ? [] : [ms]));
    const slowestAccountMs = Math.max(...times);
    const sumOfAccountsMs = times.reduce((a, b) => a + b, 0);
    return {
      accounts: options.accounts,
      usersPerAccount: options.usersPerAccount,
      leaversPerAccount: first.departedUserNames.length,
      slowAccount,
      slowLatencyMsPerCall: options.slowLatencyMsPerCall,
      wallMs,
      slowestAccountMs,
      sumOfAccountsMs,
      wallOverSlowest: round(wallMs / slowestAccountMs, 2),
      wallOverSum: round(wallMs / sumOfAccountsMs, 3),
      slowAccountMs: perAccountMs[slowAccount] ?? 0,
      othersMaxMs: Math.max(...others),
      othersMedianMs: Math.round(median(others)),
      perAccountMs,
      allApplied: results.length === options.accounts && results.every((r) => r.kind === 'account' && r.result.kind === 'applied' && r.result.failed === 0),
      snapshots: (await dispatcher.snapshots?.list())?.length ?? 0,
      anchorsPublished: parameters.versions('/warden/bench/audit-head').length,
      note: 'every worker container shares one Node process (and its CPU) with the sandbox and dynalite; on Lambda each has its own',
    };
  } finally {
    for (const container of containers) {
      container.accounts.destroy();
      destroyClients(container.clients);
    }
    rmSync(taskRoot, { recursive: true, force: true });
    await dynamo.close();
    await sandbox.close();
  }
}

/** Package sizes, cold `require()` time of each bundle, and a 20-account fan-out with one slow account. */
export async function benchDeploy(options: DeployBenchOptions = {}): Promise<DeployBench> {
  const packaged = await packages();
  try {
    const functions: FunctionPackage[] = [];
    for (const name of FUNCTIONS) functions.push(await measurePackage(name, path.join(packaged.dir, `${name}.zip`), options.coldRuns ?? 5));
    const slackColdPath = await benchSlackColdPath(path.join(packaged.dir, 'slack.zip'), options.coldRuns ?? 5);
    const fanOut = await benchFanOut({
      accounts: options.accounts ?? 20,
      usersPerAccount: options.usersPerAccount ?? 100,
      slowLatencyMsPerCall: options.slowLatencyMsPerCall ?? 150,
    });
    return { packaging: { source: packaged.source, ms: packaged.ms }, functions, slackColdPath, fanOut };
  } finally {
    packaged.cleanup();
  }
}

/** Load plus first invocation of each packaged function in fresh Node 24 processes (bench/cold-start.ts). */
export async function benchLambdaColdStart(runs = 5): Promise<ColdStartBench & { packaging: DeployBench['packaging'] }> {
  const packaged = await packages();
  try {
    const zips = { reconcile: path.join(packaged.dir, 'reconcile.zip'), worker: path.join(packaged.dir, 'worker.zip'), slack: path.join(packaged.dir, 'slack.zip') };
    // WARDEN_BENCH_COLD_BASELINE=DIR (reconcile.zip, worker.zip, slack.zip of another build, e.g. the previous commit's
    // `npm run package -- --package DIR`): measured side by side with this build, run for run.
    const baselineDir = process.env['WARDEN_BENCH_COLD_BASELINE'];
    const baseline =
      baselineDir !== undefined && baselineDir !== ''
        ? { baseline: { reconcile: path.join(baselineDir, 'reconcile.zip'), worker: path.join(baselineDir, 'worker.zip'), slack: path.join(baselineDir, 'slack.zip') }, baselineLabel: process.env['WARDEN_BENCH_COLD_BASELINE_LABEL'] ?? baselineDir }
        : {};
    return { ...(await benchColdStart(zips, runs, baseline)), packaging: { source: packaged.source, ms: packaged.ms } };
  } finally {
    packaged.cleanup();
  }
}
