import type { RunRecord } from '../../ports';

export type { LockResult, RunLock } from '../../ports';

/**
 * Whether a run counts as the baseline for the next one: it finished and its roster passed the
 * guard. A guard-tripped or failed run never becomes the baseline, else simply re-running would
 * compare against the suspicious headcount and let it through.
 */
export function isBaselineRun(run: RunRecord): boolean {
  return run.finishedAt !== undefined && (run.outcome === 'ok' || run.outcome === 'partial');
}

/** Milliseconds since the epoch of a run's finish, for ordering runs whatever the offset in their timestamps. */
export function finishedMs(run: RunRecord): number {
  return run.finishedAt === undefined ? Number.NaN : Date.parse(run.finishedAt);
}
