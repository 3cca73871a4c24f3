/**
 * Issue 15's figures: time from a CloudTrail event reaching Warden to the user re-revoked and verified (goal under 10 s
 * in the sandbox), and from the restoring call to re-revoked through `serve`'s polling (goal under 70 s, plus CloudTrail's
 * own delivery delay, which the sandbox does not have). Real SDK clients over HTTP against the sandbox, SQLite audit log.
 * Run alone: `npx tsx bench/trail.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { SqliteAuditLog } from '../src/adapters/audit/sqlite-audit-log';
import { CloudTrailSource } from '../src/adapters/aws/cloudtrail';
import { createIamClient } from '../src/adapters/aws/iam/client';
import { IamAccountDirectory } from '../src/adapters/aws/iam/directory';
import { openWardenDatabase } from '../src/adapters/state/sqlite-database';
import { SqliteRunStateStore } from '../src/adapters/state/sqlite-run-state';
import { MemoryTrailCursorStore } from '../src/adapters/state/trail-cursors';
import { applyPlan, computePlan, type ReconcileDeps } from '../src/app/reconcile';
import { pollTrail } from '../src/app/trail/poll';
import { respondToTrailEvents } from '../src/app/trail/respond';
import { parseTrailRecord, wardenActors } from '../src/domain/trail';
import { CloudTrailLog, cloudTrailService, eventBridgeEvent } from '../src/sandbox/cloudtrail';
import { IamSandboxState } from '../src/sandbox/iam-state';
import { syntheticAccount } from '../src/sandbox/synthetic';
import { FileRosterSource } from '../src/adapters/roster/file-roster';
import { toCsv } from '../src/lib/csv';
import { startSandbox } from '../src/sandbox/server';
import { systemClock } from '../src/ports';

const ACCOUNT = '111111111111';
const WARDEN_KEY = 'AKIAWARDENBENCH00001';
const ADMIN_KEY = 'AKIAOTHERADMIN000001';
const LEAVER_KEY = 'AKIALEAVERBENCH00001';
export const EVENT_GOAL_MS = 10_000;
export const POLL_GOAL_MS = 70_000;
const POLL_INTERVAL_MS = 60_000;

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (n: number): number => Number(n.toFixed(0));

export interface TrailBench {
  readonly users: number;
  readonly runs: number;
  readonly eventToReRevokedMs: { readonly median: number; readonly max: number; readonly goal: number; readonly withinGoal: boolean };
  readonly poll: {
    /** One poll that finds the restoring event: LookupEvents pages, re-plan, apply, verify. */
    readonly tickMs: { readonly median: number; readonly max: number };
    /** Worst case through `serve`: the call lands just after a poll, waits the 60 s interval, then one tick. */
    readonly worstCaseMs: number;
    readonly lookupCallsPerTick: number;
    readonly throttled: number;
    readonly goal: number;
    readonly withinGoal: boolean;
  };
}

export async function benchTrail(options: { users?: number; runs?: number } = {}): Promise<TrailBench> {
  const users = options.users ?? 1000;
  const runs = options.runs ?? 5;
  const account = syntheticAccount({ accountId: ACCOUNT, users, seed: 15 });
  const trail = new CloudTrailLog();
  const state = IamSandboxState.fromSeed({ accounts: [{ ...account, accessKeyIds: [WARDEN_KEY] }] });
  state.addUser(ACCOUNT, { userName: 'leaver', tags: { employee_id: 'L1', email: 'leaver@example.com' }, accessKeys: [{ id: LEAVER_KEY, status: 'Active' }] });
  state.addUser(ACCOUNT, { userName: 'other-admin', tags: {}, accessKeys: [{ id: ADMIN_KEY, status: 'Active' }] });
  const sandbox = await startSandbox({ state, extraServices: [cloudTrailService(trail)], observers: [trail.observe] });
  const iam = createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: WARDEN_KEY, secretAccessKey: 'x' } });
  const admin = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: ADMIN_KEY, secretAccessKey: 'x' } });
  const ct = new CloudTrailClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: WARDEN_KEY, secretAccessKey: 'x' } });
  const db = openWardenDatabase(':memory:');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-trail-'));
  try {
    const columns = ['employee_id', 'email', 'status', 'role', 'full_name', 'department', 'end_date', 'aws_usernames'] as const;
    const rows = [...account.roster.map((row) => columns.map((c) => row[c])), ['L1', 'leaver@example.com', 'departed', 'engineer', 'Leaver', 'eng', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), 'leaver']];
    writeFileSync(path.join(dir, 'roster.csv'), toCsv(columns, rows));
    const deps: ReconcileDeps = {
      roster: new FileRosterSource({ path: path.join(dir, 'roster.csv'), timezone: 'UTC' }),
      directories: [new IamAccountDirectory({ client: iam, account: ACCOUNT, policy: { denyAllPolicyName: 'warden-deny-all' }, clock: systemClock })],
      audit: SqliteAuditLog.open(db, { clock: systemClock }),
      runs: new SqliteRunStateStore(db),
      notifier: { notify: async () => undefined },
      clock: systemClock,
      policy: {
        timezone: 'UTC',
        roles: {},
        breakGlass: [],
        serviceAccounts: [],
        orphans: 'report',
        deleteAfterDays: 30,
        identity: { employeeIdTag: 'employee_id', emailTag: 'email' },
        hygiene: { rotationDays: 90, unusedDays: 45 },
        denyAllPolicyName: 'warden-deny-all',
        hosts: { lockUsers: true },
      },
      guard: { maxRevocations: 1_000_000, maxHeadcountDropPercent: 100 },
    };
    await applyPlan(deps, await computePlan(deps), { actor: 'system', only: (a) => a.userName === 'leaver' });
    const policy = { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([`arn:aws:iam::${ACCOUNT}:root`]) };
    const reactivate = () => admin.send(new UpdateAccessKeyCommand({ UserName: 'leaver', AccessKeyId: LEAVER_KEY, Status: 'Active' }));
    const inactive = () => state.user(ACCOUNT, 'leaver')?.accessKeys[0]?.status === 'Inactive';

    const eventMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      await reactivate();
      const record = trail.latest(ACCOUNT, 'UpdateAccessKey');
      const parsed = parseTrailRecord((eventBridgeEvent(record as NonNullable<typeof record>) as { detail: unknown }).detail);
      if (!parsed.ok) throw new Error(parsed.error);
      const started = performance.now();
      const response = await respondToTrailEvents({ reconcile: deps, policy }, [parsed.value]);
      eventMs.push(performance.now() - started);
      if (!inactive() || response.kind !== 'responded' || response.report?.verifications.every((v) => v.verified) !== true) throw new Error('not re-revoked and verified');
    }

    const cursors = new MemoryTrailCursorStore();
    const source = new CloudTrailSource({ client: ct, account: ACCOUNT });
    const tick = () => pollTrail({ sources: [source], cursors, clock: systemClock, respond: (events) => respondToTrailEvents({ reconcile: deps, policy }, events) });
    await tick();
    const tickMs: number[] = [];
    sandbox.calls.reset();
    for (let i = 0; i < runs; i++) {
      await reactivate();
      const started = performance.now();
      await tick();
      tickMs.push(performance.now() - started);
      if (!inactive()) throw new Error('poll did not re-revoke');
    }
    const worst = POLL_INTERVAL_MS + Math.max(...tickMs);
    return {
      users: users + 2,
      runs,
      eventToReRevokedMs: { median: round(median(eventMs)), max: round(Math.max(...eventMs)), goal: EVENT_GOAL_MS, withinGoal: Math.max(...eventMs) < EVENT_GOAL_MS },
      poll: {
        tickMs: { median: round(median(tickMs)), max: round(Math.max(...tickMs)) },
        worstCaseMs: round(worst),
        lookupCallsPerTick: sandbox.calls.count('LookupEvents') / runs,
        throttled: sandbox.calls.failures('LookupEvents', 'ThrottlingException'),
        goal: POLL_GOAL_MS,
        withinGoal: worst < POLL_GOAL_MS,
      },
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    iam.destroy();
    admin.destroy();
    ct.destroy();
    await sandbox.close();
  }
}

if (require.main === module || (process.argv[1] ?? '').endsWith(path.join('bench', 'trail.ts'))) {
  benchTrail({ users: Number(process.env['WARDEN_BENCH_TRAIL_USERS'] ?? 1000) })
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    });
}
