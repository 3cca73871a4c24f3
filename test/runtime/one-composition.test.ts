import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { DynamoDbAuditLog } from '../../src/adapters/audit/dynamodb-audit-log';
import { LambdaContainer, lambdaSettingsFromEnv } from '../../src/lambda/container';
import type { Plan } from '../../src/domain/plan';
import { S3Sandbox } from '../../src/sandbox/s3';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { parseSeed } from '../../src/sandbox/seed';
import { createJsonLogger } from '../../src/lib/logger';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { renderDemoTemplate } from '../../src/cli/commands/demo';
import { createTestClock, startExampleSandbox } from '../sandbox/helpers';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv } from '../cli/harness';
import { destroyClients, parameterStoreService, sandboxClients, startDynalite, type FakeParameter } from '../lambda/helpers';

jest.setTimeout(120_000);

const DEMO = path.resolve(__dirname, '../../config/demo');
const local = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIATESTCLIENT000001', secretAccessKey: 'test-secret' } };

/** The demo company in the IAM sandbox, with S3 (path-style REST) on the same endpoint. */
async function demoSandboxWithS3(now: Date): Promise<{ sandbox: RunningSandbox; s3: S3Sandbox }> {
  const seed = parseSeed(parseYaml(renderDemoTemplate(readFileSync(path.join(DEMO, 'iam-seed.yaml'), 'utf8'), now)));
  if (!seed.ok) throw new Error(seed.errors.join('; '));
  const s3 = new S3Sandbox(() => now);
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed.seed), restServices: [s3] });
  return { sandbox, s3 };
}

/** The demo config with its roster and audit blocks replaced. */
const configWith = (roster: string, audit?: string): string =>
  `${iamOnlyDemoConfig()
    .replace(/^roster:.*$/m, `roster: { path: ${roster} }`)
    .replace(/^audit:.*\n(\s+.*\n)*/m, '')}${audit !== undefined ? `\naudit: ${audit}\n` : ''}`;

describe('one composition: the same config means the same on the command line as on Lambda', () => {
  const now = new Date();
  let sandbox: RunningSandbox;
  let s3: S3Sandbox;
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let dir: string;

  beforeAll(async () => {
    ({ sandbox, s3 } = await demoSandboxWithS3(now));
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await sandbox.close();
    await dynamo.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-compose-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('`roster.path: s3://…` works in the CLI, read with the SDK client that AWS_ENDPOINT_URL_S3 points at the sandbox S3', async () => {
    s3.createBucket('hr-exports');
    const writer = new S3Client({ ...local, endpoint: sandbox.url, forcePathStyle: true });
    await writer.send(new PutObjectCommand({ Bucket: 'hr-exports', Key: 'warden/roster.csv', Body: demoRosterCsv(now) }));
    writer.destroy();
    writeFileSync(path.join(dir, 'warden.yaml'), configWith('s3://hr-exports/warden/roster.csv'));

    const planned = await runWarden(['plan', '--config', 'warden.yaml', '--json'], dir, { ...sandboxIamEnv(sandbox.url), AWS_ENDPOINT_URL_S3: sandbox.url });

    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    expect(plan.summary).toMatchObject({ people: 12, iamUsers: 14 });
    expect(plan.actions.some((a) => a.userName === 'bob' && a.reason === 'departed')).toBe(true);
    expect(sandbox.calls.count('GetObject')).toBe(1);
  });

  it('`audit: { store: dynamodb }` works in the CLI: plan writes to the table, audit verify and query read it back (dynalite)', async () => {
    const client = new DynamoDBClient({ ...local, endpoint: dynamo.endpoint });
    await createTables(client, { audit: 'cli-audit', state: 'cli-state' });
    writeFileSync(path.join(dir, 'roster.csv'), demoRosterCsv(now));
    writeFileSync(path.join(dir, 'warden.yaml'), configWith('./roster.csv', '{ store: dynamodb, table: cli-audit, stateTable: cli-state }'));
    const env = { ...sandboxIamEnv(sandbox.url), AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };

    const planned = await runWarden(['plan', '--config', 'warden.yaml', '--json'], dir, env);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const verified = await runWarden(['audit', 'verify', '--config', 'warden.yaml'], dir, env);
    expect(verified.code).toBe(0);
    const queried = await runWarden(['audit', 'query', '--config', 'warden.yaml', '--format', 'json'], dir, env);
    expect(queried.code).toBe(0);
    expect((JSON.parse(queried.stdout) as { action: string }[]).map((e) => e.action)).toEqual(['run.plan']);
    // The entry is in the table the config names, read by another client.
    const stored = await new DynamoDbAuditLog({ client, table: 'cli-audit' }).query({});
    expect(stored.map((e) => e.action)).toEqual(['run.plan']);
    client.destroy();
  });
});

describe('the Lambda container honours the config', () => {
  const clock = createTestClock('2026-11-26T12:00:00Z');
  let sandbox: RunningSandbox;
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  const parameters = new Map<string, FakeParameter>();
  const logger = createJsonLogger({ runId: 'test', level: 'error', sink: () => undefined });

  beforeAll(async () => {
    sandbox = await startExampleSandbox({ extraServices: [parameterStoreService(parameters)] });
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await sandbox.close();
    await dynamo.close();
  });

  function container(env: Record<string, string>) {
    const settings = lambdaSettingsFromEnv({ WARDEN_CONFIG_PARAMETER: '/warden/test/config', LAMBDA_TASK_ROOT: '/var/task', ...env });
    return new LambdaContainer({ settings, clients: sandboxClients(sandbox, dynamo.endpoint), clock });
  }

  it("uses the config's DynamoDB tables and anchors when the environment names none", async () => {
    const c = container({});
    await createTables(c.clients.dynamodb, { audit: 'cfg-audit', state: 'cfg-state' });
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\naudit: { store: dynamodb, table: cfg-audit, stateTable: cfg-state, anchors: [{ kind: ssm, name: /warden/cfg/head }] }\n' });

    const loaded = await c.loadConfig();
    await c.audit.append({ runId: 'r1', actor: 'system', action: 'run.plan', result: 'ok' });

    expect(c.tables).toEqual({ audit: 'cfg-audit', state: 'cfg-state' });
    expect((await new DynamoDbAuditLog({ client: c.clients.dynamodb, table: 'cfg-audit' }).query({})).map((e) => e.runId)).toEqual(['r1']);
    expect(c.reconcileDeps(loaded, [], logger).evidence?.anchors?.map((a) => a.description)).toEqual(['SSM parameter /warden/cfg/head']);
    destroyClients(c.clients);
  });

  it('lets the environment override the tables and adds its anchors to the config’s', async () => {
    const c = container({ WARDEN_AUDIT_TABLE: 'env-audit', WARDEN_AUDIT_ANCHOR_PARAMETER: '/warden/env/head' });
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\naudit: { store: dynamodb, table: cfg-audit, anchors: [{ kind: ssm, name: /warden/cfg/head }] }\n' });

    const loaded = await c.loadConfig();

    expect(c.tables).toEqual({ audit: 'env-audit', state: 'env-audit' });
    expect(c.reconcileDeps(loaded, [], logger).evidence?.anchors?.map((a) => a.description)).toEqual([
      'SSM parameter /warden/env/head',
      'SSM parameter /warden/cfg/head',
    ]);
    destroyClients(c.clients);
  });

  it('names both places when neither the environment nor the config names an audit table', async () => {
    const c = container({});
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\n' });

    await expect(c.loadConfig()).rejects.toThrow(/SSM parameter \/warden\/test\/config: no audit table: set WARDEN_AUDIT_TABLE or give the config audit: \{ store: dynamodb, table: NAME \}/);
    destroyClients(c.clients);
  });
});
