import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import type { SnapshotStore } from '../../src/ports/evidence';
import { MemorySnapshotStore } from '../../src/adapters/evidence/memory-snapshot-store';
import { bobLeftDeps } from '../fixtures/reconcile-deps';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';

const ACCOUNT = '111111111111';

function depsWith(snapshots: SnapshotStore, directory: MemoryAccountDirectory): ReconcileDeps {
  return { ...bobLeftDeps([directory]), evidence: { snapshots } };
}

/** The store with some of its methods replaced (the others are the store's own). */
const storeWith = (store: SnapshotStore, methods: Partial<SnapshotStore>): SnapshotStore => Object.assign(Object.create(store) as SnapshotStore, methods);

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('evidence never holds up a revocation', () => {
  it('turns a failed snapshot into a finding and still revokes', async () => {
    const broken: SnapshotStore = new Proxy({} as SnapshotStore, {
      get: () => async () => {
        throw new Error('snapshot lock timed out');
      },
    });
    const directory = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') }]);
    const deps = depsWith(broken, directory);

    const planned = await computePlan(deps);
    const report = await applyPlan(deps, planned, { actor: 'system' });

    expect(planned.plan.findings).toContainEqual(
      expect.objectContaining({ kind: 'snapshot-unavailable', control: 'access-logging', detail: expect.stringContaining('snapshot lock timed out') }),
    );
    expect(planned.plan.summary.findings).toBe(planned.plan.findings.length);
    expect(report.outcome).toBe('ok');
    expect(directory.detailOf('bob')?.accessKeys[0]?.status).toBe('Inactive');
  });
});

describe('the snapshot and the plan', () => {
  it('saves the snapshot while the plan is still being computed, and waits for it before answering', async () => {
    const events: string[] = [];
    const { opened: lastRunGate, open: openLastRun } = gate();
    const store = new MemorySnapshotStore();
    const snapshots = storeWith(store, {
      save: async (snapshot: Parameters<SnapshotStore['save']>[0]) => {
        events.push('snapshot-save');
        await new Promise((r) => setTimeout(r, 20));
        const saved = await store.save(snapshot);
        events.push('snapshot-saved');
        return saved;
      },
    });
    const directory = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000002') }]);
    const deps = depsWith(snapshots, directory);
    const runs = deps.runs;
    const planning = computePlan({
      ...deps,
      // The last run's headcount is only needed by the guard, at the end of planning: held until the snapshot is saving.
      runs: Object.assign(Object.create(runs) as typeof runs, {
        lastCompleted: async () => {
          await lastRunGate;
          events.push('last-run');
          return runs.lastCompleted();
        },
      }),
    });
    const released = setTimeout(openLastRun, 2000);
    for (let i = 0; i < 200 && !events.includes('snapshot-save'); i += 1) await new Promise((r) => setTimeout(r, 10));
    openLastRun();
    clearTimeout(released);
    const planned = await planning;

    expect(events).toEqual(['snapshot-save', 'last-run', 'snapshot-saved']);
    expect((await store.latest())?.header.runId).toBe(planned.runId);
    expect(planned.plan.actions.some((a) => a.kind === 'deactivate-access-key')).toBe(true);
  });

  it('reads the previous snapshot while the accounts are still being read, not after', async () => {
    const events: string[] = [];
    const { opened: asked, open: previousAsked } = gate();
    const store = new MemorySnapshotStore();
    const snapshots = storeWith(store, {
      latest: async () => {
        events.push('previous-snapshot');
        previousAsked();
        return store.latest();
      },
    });
    const directory = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000003') }]);
    // The account's bulk read ends only once the previous snapshot was asked for (or after 2 s, when it never is).
    const inventory = directory.inventory.bind(directory);
    directory.inventory = async () => {
      await Promise.race([asked, new Promise((r) => setTimeout(r, 2000).unref())]);
      events.push('account-read');
      return inventory();
    };

    const planned = await computePlan(depsWith(snapshots, directory));

    expect(events).toEqual(['previous-snapshot', 'account-read']);
    expect((await store.latest())?.header.runId).toBe(planned.runId);
  });

  it('lets the previous snapshot read end before a roster problem is reported, and saves nothing', async () => {
    let ended = false;
    const store = new MemorySnapshotStore();
    const snapshots = storeWith(store, {
      latest: async () => {
        await new Promise((r) => setTimeout(r, 50));
        ended = true;
        return store.latest();
      },
    });
    const directory = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000004') }]);
    const deps = depsWith(snapshots, directory);

    await expect(computePlan({ ...deps, roster: { load: async () => Promise.reject(new Error('roster.csv: unreadable')) } })).rejects.toThrow('roster.csv: unreadable');
    expect(ended).toBe(true);
    expect(await store.latest()).toBeUndefined();
  });
});
