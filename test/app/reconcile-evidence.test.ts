import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import type { SnapshotStore } from '../../src/ports/evidence';
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
