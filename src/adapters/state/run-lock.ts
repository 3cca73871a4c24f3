import type { RunRecord } from '../../ports';

/** Outcome of trying to take a named lock, as a value: being refused is expected, not an error. */
export type LockResult =
  | { readonly acquired: true; readonly expiresAt: Date }
  | { readonly acquired: false; readonly heldBy: string; readonly expiresAt: Date };

/**
 * A lease-style lock so two reconciliations never run at once. It lives in the store, so it
 * survives a crash of its holder and simply expires; an expired lock can be taken over.
 */
export interface RunLock {
  /** Takes or renews (same owner) the lock until `now + ttlMs`. */
  acquireLock(name: string, owner: string, ttlMs: number, now: Date): Promise<LockResult>;
  /** Releases the lock if `owner` holds it; false when someone else does (or nobody). */
  releaseLock(name: string, owner: string): Promise<boolean>;
}

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
