import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { createJsonLogger } from '../../src/lib/logger';
import { applyPlan, computePlan } from '../../src/app/reconcile';
import { openRuntime } from '../../src/runtime/compose';
import { openTrailWatch } from '../../src/runtime/trail-watch';
import { CloudTrailLog, cloudTrailService } from '../../src/sandbox/cloudtrail';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { wardenDenyAllPolicy } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { createDummyUser } from '../sandbox/helpers';

const PROD = '111111111111';
const WARDEN_KEY = 'AKIAPRODSANDBOX00001';
const OTHER_ADMIN_KEY = 'AKIAOTHERADMIN000001';
const BOB_KEY = 'AKIABOB0000000000001';
const ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;

describe('warden serve: the CloudTrail watch built from the runtime (config trail, SDK configuration chain)', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  const saved: Partial<Record<string, string>> = {};

  beforeEach(async () => {
    const trail = new CloudTrailLog();
    sandbox = await startSandbox({
      state: IamSandboxState.fromSeed({
        accounts: [
          {
            id: PROD,
            accessKeyIds: [WARDEN_KEY],
            policies: [wardenDenyAllPolicy(PROD)],
            users: [
              createDummyUser({ userName: 'bob', tags: { employee_id: 'E2', email: 'bob@example.com' }, accessKeys: [{ id: BOB_KEY, status: 'Active', createdAt: '2024-01-02T00:00:00Z' }] }),
              createDummyUser({ userName: 'other-admin', tags: {}, accessKeys: [{ id: OTHER_ADMIN_KEY, status: 'Active', createdAt: '2024-01-02T00:00:00Z' }] }),
            ],
          },
        ],
      }),
      extraServices: [cloudTrailService(trail)],
      observers: [trail.observe],
    });
    for (const key of ENV_KEYS) saved[key] = process.env[key];
    Object.assign(process.env, { AWS_ENDPOINT_URL: sandbox.url, AWS_ACCESS_KEY_ID: WARDEN_KEY, AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' });
    dir = mkdtempSync(path.join(tmpdir(), 'warden-trail-serve-'));
    writeFileSync(path.join(dir, 'roster.csv'), 'employee_id,email,status,role,end_date\nE2,bob@example.com,departed,engineer,2026-11-20\n');
    writeFileSync(
      path.join(dir, 'warden.yaml'),
      ['roster: { path: ./roster.csv }', `accounts: [{ id: "${PROD}" }]`, 'audit: { store: sqlite, path: ./warden.db }', 'trail: { poll: true }'].join('\n'),
    );
  });
  afterEach(async () => {
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('polls, re-revokes what another admin gave back, and remembers the cursor in the SQLite file across a restart', async () => {
    const log = createJsonLogger({ runId: 'test', sink: () => undefined, level: 'error' });
    const first = await openRuntime(path.join(dir, 'warden.yaml'), { env: {}, actor: 'system' });
    await applyPlan(first.deps, await computePlan(first.deps), { actor: 'system' });
    const watch = await openTrailWatch(first, log);
    if (watch === undefined) throw new Error('trail watch not opened');
    await watch.poll();
    const admin = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: OTHER_ADMIN_KEY, secretAccessKey: 'x' } });
    await admin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: BOB_KEY, Status: 'Active' }));
    admin.destroy();
    expect(await watch.poll()).toMatchObject([{ account: PROD, fresh: 1, complete: true }]);
    expect(sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Inactive');
    expect((await first.audit.query({})).filter((e) => e.action === 'trail.access-restored')).toMatchObject([{ result: 'ok', target: 'bob' }]);
    watch.close();
    await first.close();

    await new Promise((resolve) => setTimeout(resolve, 600));
    const second = await openRuntime(path.join(dir, 'warden.yaml'), { env: {}, actor: 'system' });
    const again = await openTrailWatch(second, log);
    // Warden's own UpdateAccessKey (Inactive) is new to the cursor but re-plans nobody; the re-activation is not seen again.
    const polled = await again?.poll();
    expect(polled?.[0]?.error).toBeUndefined();
    expect((await second.audit.query({})).filter((e) => e.action === 'trail.access-restored')).toHaveLength(1);
    again?.close();
    await second.close();
  }, 30_000);
});
