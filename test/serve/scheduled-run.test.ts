import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { SqliteRunStateStore } from '../../src/adapters/state/sqlite-run-state';
import { openWardenDatabase } from '../../src/adapters/state/sqlite-database';
import type { ReconcileDeps } from '../../src/app/reconcile';
import { RECONCILE_LOCK, ScheduledReconciler } from '../../src/app/scheduled-run';
import type { Action } from '../../src/domain/plan';
import { createJsonLogger } from '../../src/lib/logger';
import type { ActionOutcome, RunLock, RunStateStore } from '../../src/ports';
import { createDummyPerson, createDummyPolicy, createDummyRoster, NOW, daysBefore } from '../fixtures/builders';
import { MemoryAccountDirectory, leaverDetail } from '../fakes/memory-account-directory';

const ACCOUNT = '111111111111';

/** A directory whose first change waits until the test opens the gate, to stop a run mid-way. */
class GatedDirectory extends MemoryAccountDirectory {
  private release: (() => void) | undefined;
  readonly firstStarted: Promise<void>;
  private started: (() => void) | undefined;

  constructor() {
    super(ACCOUNT, [
      { userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') },
      { userName: 'carl', tags: { employee_id: 'E3' }, detail: leaverDetail('AKIACARL000000000001') },
    ]);
    this.firstStarted = new Promise((resolve) => {
      this.started = resolve;
    });
  }

  open(): void {
    this.release?.();
  }

  override async execute(action: Action): Promise<ActionOutcome> {
    if (this.started !== undefined) {
      const started = this.started;
      this.started = undefined;
      await new Promise<void>((resolve) => {
        this.release = resolve;
        started();
      });
    }
    return super.execute(action);
  }
}

function depsWith(directory: MemoryAccountDirectory, runs: RunStateStore, audit = new MemoryAuditLog()): ReconcileDeps {
  const leavers = [
    createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) }),
    createDummyPerson({ employeeId: 'E3', email: 'carl@example.com', status: 'departed', endAt: daysBefore(1) }),
    createDummyPerson({ employeeId: 'E4', email: 'dana@example.com' }),
  ];
  return {
    roster: { load: async () => createDummyRoster(leavers) },
    directories: [directory],
    audit,
    runs,
    notifier: { notify: async () => undefined },
    clock: { now: () => NOW },
    policy: createDummyPolicy({ roles: {} }),
    guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
    concurrency: 1,
  };
}

const silentLog = createJsonLogger({ runId: 'test', sink: () => undefined });

describe('ScheduledReconciler (warden serve)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-serve-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('never runs two reconciliations at once across processes sharing the store', async () => {
    const file = path.join(dir, 'warden.db');
    // Two connections to one file stand for two `warden serve` processes.
    const [dbA, dbB] = [openWardenDatabase(file), openWardenDatabase(file)];
    const first = new GatedDirectory();
    const a = new ScheduledReconciler({ reconcile: depsWith(first, new SqliteRunStateStore(dbA)), lock: new SqliteRunStateStore(dbA), clock: { now: () => new Date() }, log: silentLog, owner: 'host-a:1' });
    const second = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') }]);
    const b = new ScheduledReconciler({ reconcile: depsWith(second, new SqliteRunStateStore(dbB)), lock: new SqliteRunStateStore(dbB), clock: { now: () => new Date() }, log: silentLog, owner: 'host-b:2' });

    const running = a.run('schedule');
    await first.firstStarted;
    const refused = await b.run('schedule');
    first.open();
    const done = await running;

    expect(refused).toEqual({ kind: 'skipped', why: 'lock held by host-a:1' });
    expect(second.executed).toEqual([]);
    expect(done.kind).toBe('ran');
    // Released at the end: the other process can run now.
    const later = await b.run('schedule');
    expect(later.kind).toBe('ran');
    dbA.close();
    dbB.close();
  });

  it('takes over a lock whose holder crashed once it expires', async () => {
    const db = openWardenDatabase(path.join(dir, 'warden.db'));
    const store = new SqliteRunStateStore(db);
    const crashedAt = new Date(Date.now() - 60_000);
    await store.acquireLock(RECONCILE_LOCK, 'crashed-host:99', 30_000, crashedAt);
    const directory = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') }]);
    const reconciler = new ScheduledReconciler({ reconcile: depsWith(directory, store), lock: store, clock: { now: () => new Date() }, log: silentLog, owner: 'new-host:1' });

    const outcome = await reconciler.run('startup');

    expect(outcome.kind).toBe('ran');
    expect(directory.detailOf('bob')?.accessKeys[0]?.status).toBe('Inactive');
    db.close();
  });

  it('on stop, finishes the action under way, starts no other, and audits the interruption', async () => {
    const directory = new GatedDirectory();
    const audit = new MemoryAuditLog();
    const locks: RunLock & RunStateStore = new SqliteRunStateStore(openWardenDatabase(path.join(dir, 'warden.db')), true);
    const reconciler = new ScheduledReconciler({ reconcile: depsWith(directory, locks, audit), lock: locks, clock: { now: () => new Date() }, log: silentLog });

    const running = reconciler.run('schedule');
    await directory.firstStarted;
    const stopped = reconciler.stop();
    directory.open();
    await stopped;
    const outcome = await running;

    expect(directory.executed).toHaveLength(1);
    const report = outcome.kind === 'ran' ? outcome.report : undefined;
    expect(report?.results).toHaveLength(1);
    expect(report?.outcome).toBe('partial');
    const entries = await audit.query({});
    expect(entries.map((e) => e.action)).toContain('run.interrupted');
    expect(await reconciler.run('schedule')).toEqual({ kind: 'skipped', why: 'stopping' });
    // The lock was released on the way out.
    expect(await locks.acquireLock(RECONCILE_LOCK, 'someone-else', 1000, new Date())).toMatchObject({ acquired: true });
  });
});
