/**
 * Lambda cold start as a user meets it: a fresh Node process (Node 24, the functions' runtime, when the npm package
 * `node@24` can be had; else this Node) loads the packaged bundle and runs its first invocation against local
 * stand-ins for AWS: the IAM/STS/SSM sandbox (config and Slack secrets in Parameter Store), dynalite for the tables,
 * a Lambda endpoint that accepts asynchronous invocations, and the fake Slack Web API. The SDK finds them through
 * AWS_ENDPOINT_URL*, as it would find AWS through its defaults; nothing in the bundle knows it is a bench.
 *
 * - reconcile: an EventBridge tick over 3 accounts: loads the config, fans out one worker invocation per account;
 * - worker: one account's reconciliation (100 IAM users, 1 leaver on the first run, nothing to change later);
 * - slack: a signed `/offboard` from HR: secrets read, signature checked, modal opened, acknowledged.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { departuresTableDefinition } from '../src/adapters/departures/dynamodb-departure-store';
import { createTables } from '../src/adapters/state/dynamodb-tables';
import { toCsv } from '../src/lib/csv';
import { IamSandboxState } from '../src/sandbox/iam-state';
import { startSandbox } from '../src/sandbox/server';
import { ParameterStoreSandbox } from '../src/sandbox/ssm-parameters';
import { syntheticAccount } from '../src/sandbox/synthetic';
import { createSnapshotsTable, createDummyHttpEvent, startDynalite } from '../test/lambda/helpers';
import { FakeSlackApi } from '../test/fakes/fake-slack-api';
import { createDummyCommand, signSlackRequest } from '../test/fakes/slack-requests';
import { readZip } from '../test/deploy/zip';

const execFileAsync = promisify(execFile);
const ACCOUNTS = ['300000000001', '300000000002', '300000000003'] as const;
const KEY = 'AKIACOLDSTART0000001';
const HR = 'U0HRLEAD';
const SIGNING_SECRET = 'cold-start-signing-secret-9f1c';
export const COLD_START_GOAL_MS = 300;

export interface ColdStartRun {
  /** `require()` of the bundle. */
  readonly loadMs: number;
  /** The first invocation, from the handler call until its promise settled. */
  readonly firstInvokeMs: number;
  readonly totalMs: number;
  /**
   * CPU time (user + system, all threads) of the load and of load + first invocation. Steadier than wall time on a
   * loaded machine (waiting for a core is not counted), so before/after comparisons use it.
   */
  readonly loadCpuMs: number;
  readonly totalCpuMs: number;
  readonly outcome: string;
  /** Bytes the function wrote to stdout and stderr (its log lines), the bench's own result line left out. */
  readonly logBytes: number;
  /** npm packages in `require.cache` after the first invocation (run from sources only: a bundle inlines them). */
  readonly packages?: readonly string[];
}

export interface ColdStart {
  readonly name: string;
  readonly what: string;
  readonly runs: readonly ColdStartRun[];
  /** Median of the runs' load + first invocation. */
  readonly medianTotalMs: number;
  readonly medianLoadMs: number;
  readonly medianFirstInvokeMs: number;
  readonly medianLoadCpuMs: number;
  readonly medianTotalCpuMs: number;
  readonly goalMs: number;
  readonly withinGoal: boolean;
}

export interface ColdStartBench {
  readonly node: string;
  /** The same Node starting and exiting (`node -e 0`), measured in the same loop: what this machine's load adds. */
  readonly bareNodeMs: number;
  readonly loadAverage1m: number;
  readonly nodeSource: 'node@24 from npm' | 'this process';
  readonly functions: readonly ColdStart[];
  /** The same runs of another build's packages (`WARDEN_BENCH_COLD_BASELINE`), each run right before this build's. */
  readonly baseline?: { readonly label: string; readonly functions: readonly ColdStart[] };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number): number => Number(n.toFixed(1));

/** The Node 24 binary from the `node@24` npm package, or this process's Node when it cannot be had. */
async function lambdaNode(): Promise<{ binary: string; version: string; source: ColdStartBench['nodeSource'] }> {
  try {
    const { stdout } = await execFileAsync('node', [path.join(__dirname, '..', 'scripts', 'node24.js'), '--path'], { timeout: 180_000 });
    const binary = stdout.trim().split('\n').at(-1) as string;
    const { stdout: version } = await execFileAsync(binary, ['--version']);
    return { binary, version: version.trim(), source: 'node@24 from npm' };
  } catch {
    return { binary: process.execPath, version: process.version, source: 'this process' };
  }
}

/** Accepts Lambda's asynchronous Invoke (202), as the worker function's endpoint would. */
function startLambdaEndpoint(): Promise<{ url: string; invocations: () => number; close(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations/.test(req.url ?? '')) {
        count += 1;
        res.writeHead(202, { 'content-type': 'application/json', 'x-amzn-requestid': `cold-${count}` }).end();
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, invocations: () => count, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

// Runs in the fresh process: load the bundle, invoke once, print what it took.
// An ES module handler (the packaged \`.mjs\`) is imported, as Lambda's runtime does; the TypeScript sources are required.
const CHILD = `
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const loading = process.env.BENCH_HANDLER.endsWith('.mjs') ? import(require('node:url').pathToFileURL(process.env.BENCH_HANDLER).href) : Promise.resolve(require(process.env.BENCH_HANDLER));
loading.then((mod) => {
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage(c0);
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { awsRequestId: 'cold-start-1', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, invokedFunctionArn: 'arn:aws:lambda:us-east-1:' + process.env.BENCH_ACCOUNT + ':function:' + process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 900000 };
Promise.resolve(mod.handler(event, context)).then((result) => {
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage(c0);
  const outcome = result && typeof result === 'object' ? (result.statusCode !== undefined ? 'status ' + result.statusCode : result.kind === 'account' ? 'account ' + result.result.kind : result.mode !== undefined ? result.mode + ' to ' + result.dispatched.length + ' workers' : JSON.stringify(result).slice(0, 80)) : String(result);
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = file.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//);
    if (m) packages.add(m[1]);
  }
  console.log(JSON.stringify({ loadMs: Number(t1 - t0) / 1e6, firstInvokeMs: Number(t2 - t1) / 1e6, loadCpuMs: (c1.user + c1.system) / 1e3, totalCpuMs: (c2.user + c2.system) / 1e3, outcome, packages: [...packages].sort() }));
}, (error) => { console.error(error && error.stack || String(error)); process.exitCode = 1; });
}, (error) => { console.error(error && error.stack || String(error)); process.exitCode = 1; });
`;

function rosterCsv(): string {
  const account = syntheticAccount({ accountId: ACCOUNTS[0], users: 100, departedEvery: 100, now: new Date() });
  const columns = ['employee_id', 'email', 'status', 'role', 'full_name', 'department', 'end_date', 'aws_usernames'] as const;
  return toCsv(columns, account.roster.map((row) => columns.map((c) => row[c])));
}

type FunctionName = 'reconcile' | 'worker' | 'slack';

/** Variables of the function's packaged environment the bench passes on: how Lambda starts Node. */
const START_VARIABLES = ['AWS_LAMBDA_EXEC_WRAPPER', 'WARDEN_NODE_FLAGS'] as const;

/**
 * How Lambda starts the packaged function, from the CloudFormation template packaged beside its zip: the exec wrapper
 * (`AWS_LAMBDA_EXEC_WRAPPER`, a path under /var/task, here under the unzipped package) and the variables it reads.
 */
function startOf(zip: string, name: string, taskRoot: string): { readonly wrapper?: string; readonly variables: Readonly<Record<string, string>> } | undefined {
  const templateFile = path.join(path.dirname(zip), 'cloudformation-template-update-stack.json');
  if (!existsSync(templateFile)) return undefined;
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources?: Record<string, { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }> };
  const environment = template.Resources?.[`${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`]?.Properties?.Environment?.Variables ?? {};
  const variables = Object.fromEntries(START_VARIABLES.flatMap((key) => (typeof environment[key] === 'string' ? [[key, environment[key] as string]] : [])));
  const wrapper = variables['AWS_LAMBDA_EXEC_WRAPPER'];
  return { ...(wrapper !== undefined ? { wrapper: path.join(taskRoot, path.posix.relative('/var/task', wrapper)) } : {}), variables };
}

/** The unzipped package's handler file: `src/lambda/<name>.mjs` (the ES module build), else `.js`, as Lambda looks. */
export function packagedHandler(taskRoot: string, name: string): string {
  const esm = path.join(taskRoot, 'src', 'lambda', `${name}.mjs`);
  return existsSync(esm) ? esm : path.join(taskRoot, 'src', 'lambda', `${name}.js`);
}
const FUNCTIONS: readonly FunctionName[] = ['reconcile', 'worker', 'slack'];

/**
 * WARDEN_BENCH_COLD_FLAGS / WARDEN_BENCH_COLD_BASELINE_FLAGS: V8 flags for this build's / the baseline's runs instead of
 * the template's WARDEN_NODE_FLAGS, to compare flags on the same packages.
 */
function nodeFlagsOverride(variant: string): { WARDEN_NODE_FLAGS?: string } {
  const flags = process.env[variant === 'baseline' ? 'WARDEN_BENCH_COLD_BASELINE_FLAGS' : 'WARDEN_BENCH_COLD_FLAGS'];
  return flags === undefined ? {} : { WARDEN_NODE_FLAGS: flags };
}

/**
 * Load + first invocation of each packaged function in fresh processes, `runs` times each. With `'sources'`, each
 * handler runs from its TypeScript source under this Node (through tsx) instead, and each run lists the npm packages
 * it loaded (test/package/lazy-loading.test.ts holds the functions to what their first invocation needs).
 */
export async function benchColdStart(
  zips: Readonly<Record<FunctionName, string>> | 'sources',
  runs = 5,
  options: { readonly baseline?: Readonly<Record<FunctionName, string>>; readonly baselineLabel?: string } = {},
): Promise<ColdStartBench> {
  const node =
    zips === 'sources' ? { binary: process.execPath, version: process.version, source: 'this process' as const } : await lambdaNode();
  const repo = path.join(__dirname, '..');
  const now = new Date();
  const accounts = ACCOUNTS.map((accountId) => syntheticAccount({ accountId, users: 100, departedEvery: 100, now }));
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: accounts.map((a, i) => ({ ...a, accessKeyIds: i === 0 ? [KEY] : [] })) }) });
  const config = [
    'timezone: UTC',
    'roster: { path: ./roster.csv }',
    'roles: { engineer: { groups: [developers] }, sre: { groups: [developers, ops] }, data-analyst: { groups: [data] }, support: { groups: [support] }, admin: { groups: [admins] } }',
    'guard: { maxRevocations: 100000, maxHeadcountDropPercent: 100 }',
    `slack: { channel: C0WARDEN, hr: { users: [${HR}] } }`,
    'accounts:',
    ...ACCOUNTS.map((id, i) => (i === 0 ? `  - { id: "${id}" }` : `  - { id: "${id}", roleArn: "arn:aws:iam::${id}:role/WardenAccess", externalId: bench }`)),
  ].join('\n');
  const parameters = new ParameterStoreSandbox({
    '/warden/cold/config': { value: config },
    '/warden/cold/slack/bot-token': { value: 'xoxb-cold-start', type: 'SecureString' },
    '/warden/cold/slack/signing-secret': { value: SIGNING_SECRET, type: 'SecureString' },
  });
  sandbox.registerService(parameters.service());
  const dynamo = await startDynalite();
  const lambda = await startLambdaEndpoint();
  const slackApi = await new FakeSlackApi({ users: { [HR]: { email: 'hr@example.com', realName: 'HR Lead' } } }).start();
  const root = mkdtempSync(path.join(os.tmpdir(), 'warden-cold-start-'));
  try {
    const ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await createTables(ddb, { audit: 'cold-audit', state: 'cold-state' });
    await createSnapshotsTable(ddb, 'cold-snapshots');
    await ddb.send(new CreateTableCommand(departuresTableDefinition('cold-departures')));
    ddb.destroy();

    const env = (name: string, taskRoot: string): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'] ?? '',
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_LAMBDA_FUNCTION_NAME: `access-warden-cold-${name}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: KEY,
      AWS_SECRET_ACCESS_KEY: 'cold-start',
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      WARDEN_CONFIG_PARAMETER: '/warden/cold/config',
      WARDEN_SLACK_SECRETS_PATH: '/warden/cold/slack/',
      WARDEN_AUDIT_TABLE: 'cold-audit',
      WARDEN_STATE_TABLE: 'cold-state',
      WARDEN_DEPARTURES_TABLE: 'cold-departures',
      WARDEN_SNAPSHOTS_TABLE: 'cold-snapshots',
      WARDEN_WORKER_FUNCTION: 'access-warden-cold-worker',
      SLACK_API_URL: slackApi.apiUrl,
      LOG_LEVEL: 'error',
      BENCH_ACCOUNT: ACCOUNTS[0],
    });
    const events: Record<FunctionName, () => unknown> = {
      reconcile: () => ({ version: '0', id: `cold-${Date.now()}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNTS[0], time: new Date().toISOString(), region: 'us-east-1', resources: ['arn:aws:events:us-east-1:300000000001:rule/warden-hourly'], detail: {} }),
      worker: () => ({ kind: 'reconcile-account', runId: `cold-${Date.now()}`, account: { kind: 'ambient', id: ACCOUNTS[0] }, scheduledAt: new Date().toISOString() }),
      slack: () => {
        const delivery = createDummyCommand({ command: '/offboard', user_id: HR, response_url: slackApi.responseUrl('cold') });
        const timestamp = Math.floor(Date.now() / 1000);
        const base = createDummyHttpEvent();
        return {
          ...base,
          headers: { ...base.headers, 'content-type': delivery.contentType, 'content-length': String(delivery.body.length), 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, delivery.body) },
          body: Buffer.from(delivery.body).toString('base64'),
          isBase64Encoded: true,
        };
      },
    };
    const what: Record<FunctionName, string> = {
      reconcile: `EventBridge tick: config from Parameter Store, ${ACCOUNTS.length} accounts fanned out to the worker`,
      worker: 'one account of 100 IAM users reconciled (1 leaver revoked on the first run, nothing to change after)',
      slack: 'signed /offboard from HR: secrets from Parameter Store, signature checked, modal opened, acknowledged',
    };
    const functions: ColdStart[] = [];
    const baselineFunctions: ColdStart[] = [];
    const bare: number[] = [];
    // Each run of each function measures the baseline package (when given) and then this one, one after the other, so
    // both meet the same machine load.
    const variants: { readonly label: string; readonly zips: typeof zips; readonly out: ColdStart[] }[] = [
      ...(options.baseline !== undefined ? [{ label: 'baseline', zips: options.baseline, out: baselineFunctions }] : []),
      { label: 'current', zips, out: functions },
    ];
    // WARDEN_BENCH_COLD_FUNCTIONS=worker,slack measures only these (quicker A/B runs while working on one function).
    const only = process.env['WARDEN_BENCH_COLD_FUNCTIONS']?.split(',').filter((f) => f !== '');
    for (const name of FUNCTIONS.filter((f) => only === undefined || only.length === 0 || only.includes(f))) {
      const prepared = variants.map((variant) => {
        const taskRoot = path.join(root, variant.label, name);
        mkdirSync(taskRoot, { recursive: true });
        if (variant.zips !== 'sources') {
          for (const entry of readZip(variant.zips[name])) {
            const target = path.join(taskRoot, entry.name);
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, entry.read());
            if ((entry.mode & 0o111) !== 0) chmodSync(target, entry.mode & 0o777);
          }
        }
        // As Lambda starts it: through the exec wrapper and with the environment the packaged template gives it.
        const start = variant.zips === 'sources' ? undefined : startOf(variant.zips[name], name, taskRoot);
        const handler = variant.zips === 'sources' ? path.join(repo, 'src', 'lambda', `${name}.ts`) : packagedHandler(taskRoot, name);
        // WARDEN_BENCH_CPU_PROF=DIR writes a V8 CPU profile of each run there (open in Chrome DevTools).
        const profile = process.env['WARDEN_BENCH_CPU_PROF'];
        const profiling = profile !== undefined && profile !== '' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profile, variant.label, name)}`] : [];
        // WARDEN_BENCH_COLD_PRELOAD=FILE loads that module first in every run (e.g. one that timestamps each request).
        const preload = process.env['WARDEN_BENCH_COLD_PRELOAD'];
        const preloading = preload !== undefined && preload !== '' ? ['-r', path.resolve(preload)] : [];
        const args = [...profiling, ...preloading, ...(variant.zips === 'sources' ? ['-r', require.resolve('tsx/cjs'), '-e', CHILD] : ['-e', CHILD])];
        writeFileSync(path.join(taskRoot, 'roster.csv'), rosterCsv());
        return { variant, taskRoot, handler, args, start, results: [] as ColdStartRun[] };
      });
      for (let i = 0; i < runs; i += 1) {
        const bareStarted = process.hrtime.bigint();
        await execFileAsync(node.binary, ['-e', '0']);
        bare.push(Number(process.hrtime.bigint() - bareStarted) / 1e6);
        for (const { variant, taskRoot, handler, args, start, results } of prepared) {
          const { stdout, stderr } = await execFileAsync(start?.wrapper ?? node.binary, start?.wrapper !== undefined ? [node.binary, ...args] : args, {
            cwd: taskRoot,
            env: { ...env(name, taskRoot), ...start?.variables, ...nodeFlagsOverride(variant.label), BENCH_HANDLER: handler, BENCH_EVENT: JSON.stringify(events[name]()) },
            timeout: 120_000,
          });
          // WARDEN_BENCH_COLD_OUTPUT=FILE keeps what each run printed (its logs, and V8's with --trace-gc in the flags).
          const output = process.env['WARDEN_BENCH_COLD_OUTPUT'];
          if (output !== undefined && output !== '') appendFileSync(output, `== ${variant.label} ${name}\n${stdout}${stderr}`);
          const run = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { loadMs: number; firstInvokeMs: number; loadCpuMs: number; totalCpuMs: number; outcome: string; packages: string[] };
          results.push({
            loadMs: round(run.loadMs),
            firstInvokeMs: round(run.firstInvokeMs),
            totalMs: round(run.loadMs + run.firstInvokeMs),
            loadCpuMs: round(run.loadCpuMs),
            totalCpuMs: round(run.totalCpuMs),
            outcome: run.outcome,
            logBytes: Buffer.byteLength(stdout) - Buffer.byteLength(stdout.trim().split('\n').at(-1) as string) + Buffer.byteLength(stderr),
            ...(variant.zips === 'sources' ? { packages: run.packages } : {}),
          });
        }
      }
      for (const { variant, results } of prepared) {
        const medianTotalMs = round(median(results.map((r) => r.totalMs)));
        variant.out.push({
          name,
          what: what[name],
          runs: results,
          medianTotalMs,
          medianLoadMs: round(median(results.map((r) => r.loadMs))),
          medianFirstInvokeMs: round(median(results.map((r) => r.firstInvokeMs))),
          medianLoadCpuMs: round(median(results.map((r) => r.loadCpuMs))),
          medianTotalCpuMs: round(median(results.map((r) => r.totalCpuMs))),
          goalMs: COLD_START_GOAL_MS,
          withinGoal: medianTotalMs <= COLD_START_GOAL_MS,
        });
      }
    }
    return {
      node: node.version,
      nodeSource: node.source,
      bareNodeMs: round(median(bare)),
      loadAverage1m: round(os.loadavg()[0] ?? 0),
      functions,
      ...(options.baseline !== undefined ? { baseline: { label: options.baselineLabel ?? 'baseline', functions: baselineFunctions } } : {}),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
    await slackApi.close();
    await lambda.close();
    await dynamo.close();
    await sandbox.close();
  }
}
