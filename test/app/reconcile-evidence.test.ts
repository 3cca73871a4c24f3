import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import type { SnapshotStore } from '../../src/ports/evidence';
import { MemorySnapshotStore } from '../../src/adapters/evidence/memory-snapshot-store';
import { bobLeftDeps } from '../fixtures/reconcile-deps';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';

const ACCOUNT = '111111111111';

function depsWith(snapshots: SnapshotStore, directory: MemoryAccountDirectory): ReconcileDeps {
  return { ...bobLeftDeps([directory]), evidence: { snapshots } };
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
    let openLastRun = (): void => undefined;
    const lastRunGate = new Promise<void>((resolve) => {
      openLastRun = resolve;
    });
    const store = new MemorySnapshotStore();
    const snapshots: SnapshotStore = Object.assign(Object.create(store) as SnapshotStore, {
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
});
