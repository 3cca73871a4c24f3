import { hostname } from 'node:os';
import type { Logger } from '../lib/logger';
import type { Clock, RunLock } from '../ports';
import { applyDueDepartures, type OffboardingDeps } from './offboarding';
import { applyPlan, computePlan, type ApplyReport, type ReconcileDeps } from './reconcile';
import { DEFAULT_LOCK_TTL_MS, RECONCILE_LOCK, withReconcileLock } from './reconcile/lock';

export { RECONCILE_LOCK } from './reconcile/lock';

/** What one scheduled trigger did. */
export type ScheduledOutcome =
  | { readonly kind: 'skipped'; readonly why: string }
  | { readonly kind: 'ran'; readonly report: ApplyReport; readonly dueDepartures: number }
  | { readonly kind: 'departures'; readonly applied: number }
  | { readonly kind: 'failed'; readonly error: string };

export interface ScheduledRunDeps {
  readonly reconcile: ReconcileDeps;
  readonly lock: RunLock;
  readonly clock: Clock;
  readonly log: Logger;
  /** Departures marked in Slack; due ones are applied before each reconciliation. */
  readonly offboarding?: OffboardingDeps;
  /** Who holds the lock (host and pid by default), so a stuck lock says whose it is. */
  readonly owner?: string;
  /** How long a lock lives without renewal: long enough for a slow run step, short enough that a crash frees it soon. */
  readonly lockTtlMs?: number;
}

/**
 * Runs reconciliations on a schedule for `warden serve`: never two at once (a lease lock in the
 * store, renewed while running, that a crashed holder's successor takes over when it expires), and
 * a graceful stop that lets the current action finish and leaves the rest to the next run.
 */
export class ScheduledReconciler {
  private current: Promise<ScheduledOutcome> | undefined;
  private readonly stopping = new AbortController();
  private readonly owner: string;
  private readonly ttlMs: number;

  constructor(private readonly deps: ScheduledRunDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}`;
    this.ttlMs = deps.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  }

  /** True while a run is in progress in this process. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** One full reconciliation: due Slack departures, then roster -> plan -> guard -> apply -> verify. */
  run(trigger: string): Promise<ScheduledOutcome> {
    return this.exclusive(trigger, async (signal) => {
      const due = this.deps.offboarding === undefined ? [] : await applyDueDepartures(this.deps.offboarding, { actor: 'system' });
      if (signal.aborted) return { kind: 'skipped', why: 'stopping' };
      const planned = await computePlan(this.deps.reconcile);
      const report = await applyPlan(this.deps.reconcile, planned, { actor: 'system', signal });
      return { kind: 'ran', report, dueDepartures: due.length };
    });
  }

  /** Applies only departures that fell due (cheap when none did: no AWS call); for a minute-by-minute tick. */
  applyDue(): Promise<ScheduledOutcome> {
    const offboarding = this.deps.offboarding;
    if (offboarding === undefined) return Promise.resolve({ kind: 'skipped', why: 'Slack departures are not configured' });
    return this.exclusive('due-departures', async () => {
      const due = await applyDueDepartures(offboarding, { actor: 'system' });
      return { kind: 'departures', applied: due.length };
    });
  }

  /** Stops starting new work; resolves when the run under way (if any) has finished its current actions. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.current;
  }

  private exclusive(trigger: string, body: (signal: AbortSignal) => Promise<ScheduledOutcome>): Promise<ScheduledOutcome> {
    const log = this.deps.log.child({ trigger });
    if (this.stopping.signal.aborted) return Promise.resolve({ kind: 'skipped', why: 'stopping' });
    if (this.current !== undefined) {
      log.debug('skipped: a reconciliation is already running in this process');
      return Promise.resolve({ kind: 'skipped', why: 'already running' });
    }
    const run = this.locked(log, body).finally(() => {
      this.current = undefined;
    });
    this.current = run;
    return run;
  }

  private async locked(log: Logger, body: (signal: AbortSignal) => Promise<ScheduledOutcome>): Promise<ScheduledOutcome> {
    const { lock, clock } = this.deps;
    try {
      const exclusive = await withReconcileLock(
        {
          lock,
          clock,
          owner: this.owner,
          name: RECONCILE_LOCK,
          ttlMs: this.ttlMs,
          onRenewError: (error) => log.warn('could not renew the reconcile lock', { error }),
        },
        () => body(this.stopping.signal),
      );
      if (exclusive.kind === 'locked') {
        log.info('skipped: another process holds the reconcile lock', { heldBy: exclusive.heldBy, until: exclusive.until.toISOString() });
        return { kind: 'skipped', why: `lock held by ${exclusive.heldBy}` };
      }
      const outcome = exclusive.value;
      if (outcome.kind === 'ran') {
        const { report } = outcome;
        log.info('reconciliation finished', {
          runId: report.runId,
          outcome: report.outcome,
          actions: report.results.length,
          failed: report.results.filter((r) => r.outcome.result === 'failed').length,
          dueDepartures: outcome.dueDepartures,
        });
      }
      return outcome;
    } catch (error) {
      log.error('reconciliation failed', { error });
      return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
  }
}
