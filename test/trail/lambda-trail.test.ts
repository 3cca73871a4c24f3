import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { accessRestoredMessage } from '../../src/adapters/slack/blocks/trail';
import { LambdaContainer, lambdaSettingsFromEnv, type LambdaClients } from '../../src/lambda/container';
import { createTrailHandler } from '../../src/lambda/trail';
import { createWorkerHandler } from '../../src/lambda/worker';
import type { Notice } from '../../src/ports';
import { CloudTrailLog, cloudTrailService, eventBridgeEvent } from '../../src/sandbox/cloudtrail';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { organizationsService } from '../../src/sandbox/organizations';
import { wardenDenyAllPolicy, type SandboxSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { ParameterStoreSandbox } from '../../src/sandbox/ssm-parameters';
import { identityCenterServices } from '../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../src/sandbox/identity-center-state';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { createDummyUser, createTestClock } from '../sandbox/helpers';
import { createDummyContext, destroyClients, sandboxClients, startDynalite } from '../lambda/helpers';

const PROD = '111111111111';
const WARDEN_KEY = 'AKIAPRODSANDBOX00001';
const OTHER_ADMIN_KEY = 'AKIAOTHERADMIN000001';
const BOB_KEY = 'AKIABOB0000000000001';
const CONFIG_PARAMETER = '/warden/test/config';
const CONFIG = ['timezone: UTC', 'roster: { path: ./roster.csv }', `accounts: [{ id: "${PROD}" }]`, 'roles: { engineer: { groups: [developers] } }'].join('\n');
const ROSTER = ['employee_id,email,status,full_name,role,end_date', 'E1,alice@example.com,active,Alice,engineer,', 'E2,bob@example.com,departed,Bob,engineer,2026-11-20'].join('\n');

/** bob left and Warden already revoked him (key inactive, deny-all attached); other-admin is an IAM administrator. */
function seed(): SandboxSeed {
  return {
    accounts: [
      {
        id: PROD,
        accessKeyIds: [WARDEN_KEY],
        policies: [wardenDenyAllPolicy(PROD)],
        groups: [{ name: 'developers' }, { name: 'admins', attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
        users: [
          createDummyUser({ userName: 'alice', tags: { employee_id: 'E1', email: 'alice@example.com' }, groups: ['developers'] }),
          createDummyUser({
            userName: 'bob',
            tags: { employee_id: 'E2', email: 'bob@example.com' },
            groups: [],
            accessKeys: [{ id: BOB_KEY, status: 'Inactive', createdAt: '2024-01-02T00:00:00Z' }],
            attachedPolicies: [`arn:aws:iam::${PROD}:policy/warden-deny-all`],
          }),
          createDummyUser({ userName: 'other-admin', tags: {}, groups: ['admins'], accessKeys: [{ id: OTHER_ADMIN_KEY, status: 'Active', createdAt: '2024-01-02T00:00:00Z' }] }),
        ],
      },
    ],
  };
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
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

let tables = 0;
async function world(mode: 'apply' | 'plan' = 'apply', forward = false, config = CONFIG, ic?: IdentityCenterSandboxState) {
  const clock = createTestClock('2026-12-03T10:00:00Z');
  const trail = new CloudTrailLog();
  const parameters = new ParameterStoreSandbox({ [CONFIG_PARAMETER]: { value: config } }, clock.now);
  const sandbox: RunningSandbox = await startSandbox({
    state: IamSandboxState.fromSeed(seed(), clock.now),
    extraServices: [organizationsService(), parameters.service(), cloudTrailService(trail, { lookupRate: false }), ...(ic !== undefined ? identityCenterServices(ic) : [])],
    observers: [trail.observe],
  });
  cleanups.push(() => sandbox.close());
  const taskRoot = mkdtempSync(path.join(tmpdir(), 'warden-trail-'));
  writeFileSync(path.join(taskRoot, 'roster.csv'), ROSTER);
  cleanups.push(() => rmSync(taskRoot, { recursive: true, force: true }));
  const n = ++tables;
  const settings = lambdaSettingsFromEnv({
    WARDEN_CONFIG_PARAMETER: CONFIG_PARAMETER,
    WARDEN_AUDIT_TABLE: `trail-audit-${n}`,
    WARDEN_STATE_TABLE: `trail-state-${n}`,
    LAMBDA_TASK_ROOT: taskRoot,
    WARDEN_SCHEDULED_MODE: mode,
  });
  const icConfig = { endpoint: sandbox.url, region: 'eu-west-1', credentials: { accessKeyId: WARDEN_KEY, secretAccessKey: 'x' } };
  const icClients = ic !== undefined ? { identityStore: new IdentitystoreClient(icConfig), ssoAdmin: new SSOAdminClient(icConfig) } : undefined;
  if (icClients !== undefined) cleanups.push(() => (icClients.identityStore.destroy(), icClients.ssoAdmin.destroy()));
  const clients: LambdaClients = { ...sandboxClients(sandbox, dynamo.endpoint), ...(icClients !== undefined ? { identityCenter: () => icClients } : {}) };
  cleanups.push(() => destroyClients(clients));
  await createTables(clients.dynamodb, { audit: settings.auditTable ?? '', state: settings.stateTable ?? '' });
  const notices: Notice[] = [];
  const jobs: Promise<unknown>[] = [];
  const getContainer = async (): Promise<LambdaContainer> => container;
  const worker = createWorkerHandler(getContainer);
  const container: LambdaContainer = new LambdaContainer({
    ...(forward
      ? {
          invoker: {
            // Lambda's asynchronous Invoke, in process: the payload crosses a JSON boundary like the real one.
            invokeAsync: async (payload: unknown) => void jobs.push(worker(JSON.parse(JSON.stringify(payload)), createDummyContext({ functionName: 'access-warden-test-worker' }))),
          },
        }
      : {}),
    settings,
    clients,
    iam: { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: WARDEN_KEY, secretAccessKey: 'x' }, maxAttempts: 2 },
    clock,
    notifier: { notify: async (notice) => void notices.push(notice) },
    logSink: () => undefined,
  });
  cleanups.push(() => container.accounts.destroy());
  const otherAdmin = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: OTHER_ADMIN_KEY, secretAccessKey: 'x' } });
  cleanups.push(() => otherAdmin.destroy());
  const handler = createTrailHandler(getContainer);
  const context = createDummyContext({ functionName: 'access-warden-test-trail' });
  return { sandbox, trail, container, notices, otherAdmin, handler, context, jobs, worker, clock };
}

describe('the trail function', () => {
  it("undoes another admin re-activating a leaver's key, audits it and alerts with the actor, time and source address", async () => {
    const w = await world();
    await w.otherAdmin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
    expect(w.sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Active');
    const record = w.trail.latest(PROD, 'UpdateAccessKey');
    if (record === undefined) throw new Error('CloudTrail recorded no UpdateAccessKey');

    const result = await w.handler(eventBridgeEvent(record), w.context);

    expect(result).toMatchObject({ kind: 'handled', account: PROD, response: { kind: 'responded', undone: [{ kind: 'deactivate-access-key', userName: 'bob', result: 'ok' }] } });
    expect(w.sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Inactive');
    const entries = await w.container.audit.query({});
    expect(entries.find((e) => e.action === 'trail.access-restored')).toMatchObject({
      result: 'ok',
      account: PROD,
      target: 'bob',
      person: 'bob@example.com (E2)',
      before: { restoredBy: `arn:aws:iam::${PROD}:user/other-admin`, restoredWithKey: OTHER_ADMIN_KEY, eventName: 'UpdateAccessKey', eventTime: '2026-12-03T10:00:00.000Z' },
      after: { verified: true },
    });
    expect(entries.find((e) => e.action === 'verify')).toMatchObject({ target: 'bob', result: 'verified' });
    expect(w.notices).toHaveLength(1);
    const notice = w.notices[0];
    if (notice?.kind !== 'access-restored') throw new Error('expected an access-restored notice');
    const text = JSON.stringify(accessRestoredMessage(notice));
    expect(text).toContain(`arn:aws:iam::${PROD}:user/other-admin`);
    expect(text).toContain('2026-12-03T10:00:00.000Z');
    expect(text).toMatch(/127\.0\.0\.1/);
    expect(text).toContain('deactivate-access-key on bob');

    // Warden's own UpdateAccessKey (Inactive) comes through the same rule: it re-plans nobody, so nothing loops.
    const own = w.trail.latest(PROD, 'UpdateAccessKey');
    expect(own?.userIdentity['arn']).toBe(`arn:aws:iam::${PROD}:root`);
    expect(await w.handler(eventBridgeEvent(own as NonNullable<typeof own>), w.context)).toEqual({ kind: 'ignored', reason: 'not-restoring' });
    expect(w.notices).toHaveLength(1);
  }, 30_000);

  it('hands a restoring event to the worker (the only role that changes access), which re-parses and undoes it', async () => {
    const w = await world('apply', true);
    await w.otherAdmin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
    const record = w.trail.latest(PROD, 'UpdateAccessKey');
    expect(await w.handler(eventBridgeEvent(record as NonNullable<typeof record>), w.context)).toMatchObject({ kind: 'forwarded' });
    expect(w.jobs).toHaveLength(1);
    expect(await w.jobs[0]).toMatchObject({ kind: 'trail', result: { kind: 'handled', response: { kind: 'responded', undone: [{ kind: 'deactivate-access-key', result: 'ok' }] } } });
    expect(w.sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Inactive');
    // A forged job naming a user with a wildcard re-plans nobody: the worker parses and classifies again.
    const forged = await w.worker({ kind: 'trail-event', runId: 'x', record: { ...record, requestParameters: { userName: '*', accessKeyId: BOB_KEY, status: 'Active' } } }, w.context);
    expect(forged).toMatchObject({ kind: 'trail', result: { kind: 'handled', response: { kind: 'nothing-restored' } } });
  }, 30_000);

  it("after an account's run, the worker reports the leaver's calls made after revocation (config trail)", async () => {
    const w = await world('apply', false, `${CONFIG}\ntrail: { region: us-east-1 }`);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDTRAIL: w.sandbox.url, AWS_ACCESS_KEY_ID: WARDEN_KEY, AWS_SECRET_ACCESS_KEY: 'x' });
    try {
      const job = { v: 2, kind: 'reconcile-account', runId: 'r1', account: { kind: 'ambient', id: PROD }, scheduledAt: '2026-12-03T10:00:00Z', mode: 'apply' };
      // bob's key is active again when the hourly run revokes him (the audit log then holds his revocation).
      await w.otherAdmin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
      await w.worker(job, w.context);
      expect(w.sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Inactive');
      w.clock.advance(60_000);
      await w.otherAdmin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
      const bob = new STSClient({ endpoint: w.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: BOB_KEY, secretAccessKey: 'x' } });
      await bob.send(new GetCallerIdentityCommand({}));
      bob.destroy();
      w.clock.advance(60_000);
      await w.worker({ ...job, runId: 'r2' }, w.context);
      const found = (await w.container.audit.query({})).filter((e) => e.action === 'trail.post-revocation-use');
      expect(found).toMatchObject([{ result: 'failed', person: 'bob@example.com (E2)', after: { eventName: 'GetCallerIdentity', usedBy: BOB_KEY, severity: 'high' } }]);
      expect(w.notices.filter((n) => n.kind === 'post-revocation-use')).toHaveLength(1);
    } finally {
      for (const key of ['AWS_ENDPOINT_URL_CLOUDTRAIL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  }, 30_000);

  it('rejects what is not a CloudTrail API call event, and ignores accounts Warden does not manage', async () => {
    const w = await world();
    expect(await w.handler({ 'detail-type': 'Scheduled Event', detail: {} }, w.context)).toMatchObject({ kind: 'rejected' });
    const record = { eventID: 'x', eventName: 'UpdateAccessKey', eventSource: 'iam.amazonaws.com', eventTime: '2026-12-03T10:00:00Z', recipientAccountId: '999999999999', requestParameters: { userName: 'bob', status: 'Active' } };
    expect(await w.handler({ 'detail-type': 'AWS API Call via CloudTrail', detail: record }, w.context)).toEqual({ kind: 'not-managed', account: '999999999999' });
    expect(w.sandbox.calls.count('UpdateAccessKey')).toBe(0);
  }, 30_000);

  it("re-plans an Identity Center event from the instance's account (not one Warden manages for IAM) through the Identity Center plane", async () => {
    const ic = IdentityCenterSandboxState.fromSeed({
      region: 'eu-west-1',
      users: [{ userName: 'bob@example.com', emails: ['bob@example.com'] }, { userName: 'alice@example.com', emails: ['alice@example.com'] }],
      groups: [{ displayName: 'Engineers', members: ['bob@example.com', 'alice@example.com'] }],
      permissionSets: [],
      assignments: [],
    });
    const config = `${CONFIG}\nidentityCenter: { instanceArn: "${ic.instanceArn}", identityStoreId: ${ic.identityStoreId}, region: eu-west-1 }`;
    const w = await world('apply', false, config, ic);
    const bobId = ic.userByName('bob@example.com')?.userId ?? '';
    const groupId = [...ic.groups.values()][0]?.groupId ?? '';
    const record = {
      eventID: 'ic-1',
      eventName: 'CreateGroupMembership',
      eventSource: 'identitystore.amazonaws.com',
      eventTime: '2026-12-03T09:59:00Z',
      recipientAccountId: '999999999999',
      sourceIPAddress: '198.51.100.9',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::999999999999:assumed-role/AdminRole/other-admin', accountId: '999999999999' },
      requestParameters: { identityStoreId: ic.identityStoreId, groupId, memberId: { userId: bobId } },
    };
    const result = await w.handler({ 'detail-type': 'AWS API Call via CloudTrail', detail: record }, w.context);
    expect(result).toMatchObject({ kind: 'handled', response: { kind: 'responded', notReplanned: [] } });
    expect([...ic.memberships.values()].map((m) => m.userId)).toEqual([ic.userByName('alice@example.com')?.userId]);
  }, 30_000);

  it('on a plan-only deployment alerts what it would undo and changes nothing', async () => {
    const w = await world('plan');
    await w.otherAdmin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
    const record = w.trail.latest(PROD, 'UpdateAccessKey');
    const result = await w.handler(eventBridgeEvent(record as NonNullable<typeof record>), w.context);
    expect(result).toMatchObject({ kind: 'handled', response: { undone: [{ kind: 'deactivate-access-key', result: 'skipped' }] } });
    expect(w.sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Active');
    expect(w.notices[0]).toMatchObject({ kind: 'access-restored', verified: false });
  }, 30_000);
});
