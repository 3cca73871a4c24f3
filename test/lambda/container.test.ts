import { ConfigError } from '../../src/config/load';
import { LambdaContainer, lambdaContainer, lambdaSettingsFromEnv } from '../../src/lambda/container';
import { S3RosterSource } from '../../src/adapters/aws/s3-roster';
import { FileRosterSource } from '../../src/adapters/roster/file-roster';
import { snapshotsOf } from '../../src/app/offboarding';
import { createJsonLogger } from '../../src/lib/logger';
import type { RunningSandbox } from '../../src/sandbox/server';
import { createTestClock, startExampleSandbox } from '../sandbox/helpers';
import { destroyClients, parameterStoreService, sandboxClients, type FakeParameter } from './helpers';

describe('lambdaSettingsFromEnv', () => {
  it('reads what serverless.yml sets, with defaults for the rest', () => {
    const settings = lambdaSettingsFromEnv({
      WARDEN_CONFIG_PARAMETER: '/warden/prod/config',
      WARDEN_AUDIT_TABLE: 'access-warden-prod-audit',
      WARDEN_STATE_TABLE: 'access-warden-prod-state',
      WARDEN_SLACK_SECRETS_PATH: '/warden/prod/slack',
      WARDEN_WORKER_FUNCTION: 'access-warden-prod-worker',
      WARDEN_SNAPSHOTS_TABLE: 'access-warden-prod-snapshots',
      WARDEN_AUDIT_ANCHOR_PARAMETER: '/warden/prod/audit-head',
      LAMBDA_TASK_ROOT: '/var/task',
    });
    expect(settings).toEqual({
      config: { kind: 'parameter', name: '/warden/prod/config' },
      auditTable: 'access-warden-prod-audit',
      stateTable: 'access-warden-prod-state',
      slackSecretsPath: '/warden/prod/slack/',
      workerFunction: 'access-warden-prod-worker',
      snapshotsTable: 'access-warden-prod-snapshots',
      auditAnchorParameter: '/warden/prod/audit-head',
      accountConcurrency: 10,
      logLevel: 'info',
      parameterTtlMs: 300_000,
      taskRoot: '/var/task',
      // Plan-only unless the stack says apply; metrics under Warden.
      scheduledMode: 'plan',
      metrics: { namespace: 'Warden', stack: 'warden' },
    });
  });

  it('reads the apply mode, the metrics names and the Object Lock anchor bucket', () => {
    const settings = lambdaSettingsFromEnv({
      WARDEN_CONFIG_PARAMETER: '/warden/prod/config',
      WARDEN_AUDIT_TABLE: 'access-warden-prod-audit',
      WARDEN_SCHEDULED_MODE: 'APPLY',
      WARDEN_METRICS_NAMESPACE: 'Warden',
      WARDEN_METRICS_STACK: 'access-warden-prod',
      WARDEN_AUDIT_ANCHOR_BUCKET: 'log-archive-anchors',
      WARDEN_AUDIT_ANCHOR_PREFIX: 'access-warden-prod/audit-head/',
      WARDEN_AUDIT_ANCHOR_RETENTION_DAYS: '2555',
    });
    expect(settings).toMatchObject({
      scheduledMode: 'apply',
      metrics: { namespace: 'Warden', stack: 'access-warden-prod' },
      auditAnchorBucket: { bucket: 'log-archive-anchors', prefix: 'access-warden-prod/audit-head/', retentionDays: 2555 },
    });
    expect(() => lambdaSettingsFromEnv({ WARDEN_CONFIG_PARAMETER: '/c', WARDEN_AUDIT_TABLE: 't', WARDEN_AUDIT_ANCHOR_RETENTION_DAYS: '0' })).toThrow(
      /WARDEN_AUDIT_ANCHOR_RETENTION_DAYS must be a positive integer/,
    );
  });

  it('names every missing or bad variable in one error', () => {
    const error = (() => {
      try {
        lambdaSettingsFromEnv({ WARDEN_ACCOUNT_CONCURRENCY: '0', LOG_LEVEL: 'loud' });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['WARDEN_CONFIG_PARAMETER', 'WARDEN_ACCOUNT_CONCURRENCY', 'LOG_LEVEL']) expect(message).toContain(name);
    // The audit table may come from the config instead (test/runtime/one-composition.test.ts).
    expect(message).not.toContain('WARDEN_AUDIT_TABLE');
  });
});

describe('lambdaContainer', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('builds the container and its clients once per execution environment', async () => {
    process.env['WARDEN_CONFIG_PARAMETER'] = '/warden/test/config';
    process.env['WARDEN_AUDIT_TABLE'] = 'audit';
    process.env['AWS_REGION'] = 'us-east-1';
    const first = await lambdaContainer();
    const second = await lambdaContainer();
    expect(second).toBe(first);
    expect(second.clients.dynamodb).toBe(first.clients.dynamodb);
    expect(first.clients.lambda).toBeUndefined();
    destroyClients(first.clients);
  });
});

describe('LambdaContainer.loadConfig', () => {
  const parameters = new Map<string, FakeParameter>();
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startExampleSandbox({ extraServices: [parameterStoreService(parameters)] });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  function container() {
    const clock = createTestClock();
    const settings = lambdaSettingsFromEnv({ WARDEN_CONFIG_PARAMETER: '/warden/test/config', WARDEN_AUDIT_TABLE: 'audit', LAMBDA_TASK_ROOT: '/var/task' });
    const c = new LambdaContainer({ settings, clients: sandboxClients(sandbox, 'http://127.0.0.1:9'), clock });
    return { c, clock };
  }

  it('reads the config from its SSM parameter, picks up an upload after the TTL, and picks the roster source', async () => {
    parameters.set('/warden/test/config', { value: 'roster: { path: s3://hr-exports/warden/roster.csv }\n' });
    const { c, clock } = container();
    const loaded = await c.loadConfig();
    expect(await c.loadConfig()).toBe(loaded);
    expect(c.rosterSource(loaded)).toBeInstanceOf(S3RosterSource);
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\n' });
    clock.advance(301_000);
    const reloaded = await c.loadConfig();
    expect(reloaded.rosterPath).toBe('/var/task/roster.csv');
    expect(c.rosterSource(reloaded)).toBeInstanceOf(FileRosterSource);
    destroyClients(c.clients);
  });

  it('names the SSM parameter when the config is invalid', async () => {
    parameters.set('/warden/test/config', { value: 'roster: { path: ./r.csv }\norphans: delete\n' });
    const { c } = container();
    await expect(c.loadConfig()).rejects.toThrow(/^SSM parameter \/warden\/test\/config: orphans: /);
    destroyClients(c.clients);
  });
});

describe('LambdaContainer evidence and hosts wiring', () => {
  const parameters = new Map<string, FakeParameter>();
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startExampleSandbox({ extraServices: [parameterStoreService(parameters)] });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  function container(env: Record<string, string> = {}) {
    const settings = lambdaSettingsFromEnv({
      WARDEN_CONFIG_PARAMETER: '/warden/test/config',
      WARDEN_AUDIT_TABLE: 'audit',
      WARDEN_DEPARTURES_TABLE: 'departures',
      LAMBDA_TASK_ROOT: '/var/task',
      ...env,
    });
    return new LambdaContainer({ settings, clients: sandboxClients(sandbox, 'http://127.0.0.1:9'), clock: createTestClock() });
  }
  const logger = createJsonLogger({ runId: 'test', level: 'error', sink: () => undefined });

  it('builds the Identity Center clients for config identityCenter.roleArn and externalId (the role every Identity Center call is signed as)', async () => {
    parameters.set(
      '/warden/test/config',
      {
        value:
          'roster: { path: ./roster.csv }\nidentityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-7223c0ffee5a4b3c", identityStoreId: d-9067c0ffee, region: eu-west-1, roleArn: "arn:aws:iam::999999999999:role/WardenIdentityCenter", externalId: warden-7f3a }\n',
      },
    );
    const asked: unknown[] = [];
    const settings = lambdaSettingsFromEnv({ WARDEN_CONFIG_PARAMETER: '/warden/test/config', WARDEN_AUDIT_TABLE: 'audit', LAMBDA_TASK_ROOT: '/var/task' });
    const clients = sandboxClients(sandbox, 'http://127.0.0.1:9');
    const c = new LambdaContainer({
      settings,
      clients: { ...clients, identityCenter: (region, role) => (asked.push([region, role]), { identityStore: {} as never, ssoAdmin: {} as never }) },
      clock: createTestClock(),
    });
    const loaded = await c.loadConfig();
    expect(c.reconcileDeps(loaded, [], logger).identityCenter).toBeDefined();
    expect(asked).toEqual([['eu-west-1', { roleArn: 'arn:aws:iam::999999999999:role/WardenIdentityCenter', externalId: 'warden-7f3a' }]]);
    destroyClients(clients);
  });

  it('saves snapshots through a view of what the run read, anchors to the parameter, and answers auditors from every account', async () => {
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\nhosts: { instanceIds: [i-0abc] }\n' });
    const c = container({ WARDEN_SNAPSHOTS_TABLE: 'snapshots', WARDEN_AUDIT_ANCHOR_PARAMETER: '/warden/test/audit-head' });
    const loaded = await c.loadConfig();
    const deps = c.reconcileDeps(loaded, [], logger);
    expect(deps.hosts).toBe(c.hostFleetFor(loaded));
    expect(deps.evidence?.snapshots).toBeDefined();
    expect(deps.evidence?.snapshots).not.toBe(c.snapshots);
    expect(deps.evidence?.anchors?.map((a) => a.description)).toEqual(['SSM parameter /warden/test/audit-head']);
    expect(c.reconcileDeps(loaded, [], logger, { hosts: false }).hosts).toBeUndefined();
    const offboarding = c.offboardingDeps(deps, loaded);
    expect(offboarding !== undefined && snapshotsOf(offboarding)).toBe(c.snapshots);
    destroyClients(c.clients);
  });

  it("reads host output from the stack's bucket (WARDEN_HOST_OUTPUT_BUCKET), never from another the config names", async () => {
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\nhosts: { instanceIds: [i-0abc], outputBucket: someone-elses-bucket }\n' });
    for (const [env, expected] of [
      [{ WARDEN_HOST_OUTPUT_BUCKET: 'stack-host-output' }, "host output goes to the stack's bucket stack-host-output"],
      [{}, 'hosts.outputBucket is not used on Lambda'],
    ] as const) {
      const lines: string[] = [];
      const warnings = createJsonLogger({ runId: 'test', level: 'warn', sink: (line) => lines.push(line) });
      const c = container(env);
      const loaded = await c.loadConfig();
      c.reconcileDeps(loaded, [], warnings);
      expect(lines.join('\n')).toContain(expected);
      destroyClients(c.clients);
    }
  });

  it('wires no evidence without a snapshots table or anchor parameter, and refuses a hosts block with nothing to reach', async () => {
    parameters.set('/warden/test/config', { value: 'roster: { path: ./roster.csv }\nhosts: { lockUsers: true }\n' });
    const c = container();
    const loaded = await c.loadConfig();
    expect(() => c.reconcileDeps(loaded, [], logger)).toThrow(/hosts: give targets or instanceIds/);
    expect(c.reconcileDeps(loaded, [], logger, { hosts: false }).evidence).toBeUndefined();
    destroyClients(c.clients);
  });
});
