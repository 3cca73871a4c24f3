import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { MemoryRunStateStore } from '../../src/adapters/state/memory-run-state';
import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import { AUDIT_EVENTS, type AuditAction } from '../../src/domain/audit-actions';
import { ACTION_KINDS } from '../../src/domain/plan';
import type { NewAuditEntry } from '../../src/ports';
import { createDummyPerson, createDummyPolicy, createDummyRoster, daysBefore, NOW } from '../fixtures/builders';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';

const KNOWN: ReadonlySet<string> = new Set<string>([...AUDIT_EVENTS, ...ACTION_KINDS]);

describe('audit action names', () => {
  it('are a closed union: an entry with a misspelt action does not compile', () => {
    const good: NewAuditEntry = { runId: 'r', actor: 'system', action: 'run.start', result: 'ok' };
    // @ts-expect-error 'run.started' is not an audit action; typecheck fails if NewAuditEntry ever takes any string.
    const bad: NewAuditEntry = { runId: 'r', actor: 'system', action: 'run.started', result: 'ok' };
    const known: AuditAction[] = [good.action];
    expect([...known, bad.action].map((a) => KNOWN.has(a))).toEqual([true, false]);
  });

  it('name events and plan action kinds apart', () => {
    const clash = AUDIT_EVENTS.filter((event) => (ACTION_KINDS as readonly string[]).includes(event));
    expect(clash).toEqual([]);
    expect(new Set(AUDIT_EVENTS).size).toBe(AUDIT_EVENTS.length);
  });

  it('cover every entry a real apply run writes', async () => {
    const audit = new MemoryAuditLog();
    const directory = new MemoryAccountDirectory('111111111111', [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') }]);
    const deps: ReconcileDeps = {
      roster: { load: async () => createDummyRoster([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) })]) },
      directories: [directory],
      audit,
      runs: new MemoryRunStateStore(),
      notifier: { notify: async () => undefined },
      clock: { now: () => NOW },
      policy: createDummyPolicy({ roles: {} }),
      guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
    };

    const report = await applyPlan(deps, await computePlan(deps), { actor: 'system' });

    expect(report.outcome).toBe('ok');
    const actions = (await audit.query({})).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['run.start', 'leaver.revocation', 'deactivate-access-key', 'verify', 'run.finish']));
    expect(actions.filter((action) => !KNOWN.has(action))).toEqual([]);
  });
});
