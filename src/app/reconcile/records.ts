import type { AnchorOutcome } from '../evidence';
import { anchorHead } from '../evidence';
import { isAnchorable } from '../../ports/evidence';
import type { PlannedRun, ReconcileDeps } from './plan';

/**
 * Anchors the audit chain head outside the store after a run. A log that no longer reaches an
 * earlier anchor is not re-anchored (that would hide a truncation): the refusal is returned and alerted.
 */
export async function anchorRun(deps: ReconcileDeps, runId: string): Promise<AnchorOutcome | undefined> {
  const sinks = deps.evidence?.anchors;
  if (sinks === undefined || sinks.length === 0 || !isAnchorable(deps.audit)) return undefined;
  const outcome = await anchorHead(deps.audit, sinks, { now: deps.clock.now(), runId });
  if (outcome.kind === 'refused') {
    await deps.notifier.notify({ kind: 'guard-tripped', runId, reasons: [`audit log does not reach its anchor (${outcome.against}): ${outcome.problem}`] });
  }
  return outcome;
}

export async function recordRun(deps: ReconcileDeps, planned: PlannedRun, mode: 'plan' | 'apply', outcome: 'ok' | 'guard-tripped' | 'partial', summary: unknown): Promise<void> {
  await deps.runs.record({
    runId: planned.runId,
    startedAt: planned.startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    activeHeadcount: planned.activeHeadcount,
    mode,
    outcome,
    summary,
  });
}

/** Records a dry run: one audit entry and the run's headcount, nothing sent to AWS. */
export async function recordPlanRun(deps: ReconcileDeps, planned: PlannedRun, actor: string): Promise<AnchorOutcome | undefined> {
  await deps.audit.append({
    runId: planned.runId,
    actor,
    action: 'run.plan',
    result: 'ok',
    after: { summary: planned.plan.summary, guard: planned.plan.guard },
  });
  return anchorRun(deps, planned.runId);
}
