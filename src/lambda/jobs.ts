import { applyDueDepartures } from '../app/offboarding';
import { applyPlan, computePlan } from '../app/reconcile';
import type { LoadedConfig } from '../config/load';
import { describeTarget } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import type { Logger } from '../lib/logger';
import type { LambdaContainer } from './container';

/** How one account's reconciliation ended; every kind is reported, none stops the other accounts. */
export type AccountRunResult =
  | {
      readonly kind: 'applied';
      readonly account: string;
      /** The audit log's run id for this account's changes. */
      readonly auditRunId: string;
      readonly outcome: 'ok' | 'guard-tripped' | 'partial';
      readonly actions: number;
      readonly failed: number;
    }
  | { readonly kind: 'locked'; readonly account: string; readonly heldBy: string; readonly until: string };

export interface AccountRunOptions {
  /** Holds the lock: unique per invocation (a retried invocation is a different owner). */
  readonly lockOwner: string;
  readonly logger: Logger;
  /** Time this invocation has left; the lock expires shortly after it, so a crash never blocks the next run for long. */
  readonly remainingMs: number;
  /** This account's run also reconciles the hosts (config `hosts`); one account of a tick does (see `hostsTargetOf`). */
  readonly hosts?: boolean;
}

/** Slack for the lock after the invocation's own deadline, for clock skew between Lambda and DynamoDB. */
const LOCK_MARGIN_MS = 60_000;

const knownAccount = (directory: { readonly account: string }): string | undefined => {
  try {
    return directory.account;
  } catch {
    return undefined;
  }
};

/** The lock that keeps two reconciliations of one account from ever running at once (held in the run-state table). */
export const accountLockName = (target: AccountTarget): string => `reconcile:${target.id ?? 'ambient'}`;

/**
 * The account whose run also reconciles the hosts, so one tick never runs host commands twice: the account Warden
 * runs in (its own credentials reach the hosts' SSM), else the first. Its account lock then covers the hosts too.
 */
export function hostsTargetOf(targets: readonly AccountTarget[]): AccountTarget | undefined {
  return targets.find((t) => t.kind === 'ambient') ?? targets[0];
}

/**
 * Reconciles one account end to end (plan, guard, apply, verify, audit) under that account's lock.
 * An account that cannot be read at all (its role cannot be assumed, say) throws: the caller reports
 * it next to the other accounts' results.
 * The lock lives in DynamoDB with an expiry, so it survives a crashed or timed-out invocation and
 * lapses on its own shortly after that invocation's deadline.
 */
export async function reconcileAccount(
  container: LambdaContainer,
  loaded: LoadedConfig,
  target: AccountTarget,
  options: AccountRunOptions,
): Promise<AccountRunResult> {
  const account = target.id ?? 'ambient';
  const logger = options.logger.child({ account });
  const lockName = accountLockName(target);
  const lock = await container.runs.acquireLock(lockName, options.lockOwner, options.remainingMs + LOCK_MARGIN_MS, container.clock.now());
  if (!lock.acquired) {
    logger.warn('another reconciliation of this account is running; skipped', { heldBy: lock.heldBy, until: lock.expiresAt.toISOString() });
    return { kind: 'locked', account, heldBy: lock.heldBy, until: lock.expiresAt.toISOString() };
  }
  try {
    logger.info(`reconciling ${describeTarget(target)}`, { via: target.kind });
    const directory = container.directoryFor(loaded, target, logger);
    const deps = container.reconcileDeps(loaded, [directory], logger, { hosts: options.hosts === true });
    const planned = await computePlan(deps);
    const runLogger = logger.child({ auditRunId: planned.runId });
    const report = await applyPlan(deps, planned, { actor: 'system' });
    const failed = report.results.filter((r) => r.outcome.result === 'failed').length + report.verifications.filter((v) => !v.verified).length;
    const log = report.outcome === 'ok' ? runLogger.info : runLogger.warn;
    log('account reconciled', { outcome: report.outcome, actions: report.results.length, failed, guard: report.plan.guard.reasons });
    return {
      kind: 'applied',
      account: target.id ?? knownAccount(directory) ?? account,
      auditRunId: planned.runId,
      outcome: report.outcome,
      actions: report.results.length,
      failed,
    };
  } finally {
    await container.runs.releaseLock(lockName, options.lockOwner).catch((error: unknown) => {
      logger.warn('could not release the account lock; it expires on its own', { error });
    });
  }
}

/** How a due-departures pass ended. */
export type DeparturesRunResult =
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'applied'; readonly departures: number; readonly noAccessLeft: number };

export interface DeparturesRunOptions {
  readonly logger: Logger;
  readonly ids?: readonly string[];
  readonly actor?: string;
}

/**
 * Applies the departures HR marked in Slack that are due, across every account at once (a departure
 * is one person, so this stays small), recording each attempt and updating its thread.
 */
export async function applyDueDeparturesJob(
  container: LambdaContainer,
  loaded: LoadedConfig,
  targets: readonly AccountTarget[],
  options: DeparturesRunOptions,
): Promise<DeparturesRunResult> {
  const directories = targets.map((target) => container.directoryFor(loaded, target, options.logger.child({ account: target.id ?? 'ambient' })));
  const deps = container.offboardingDeps(container.reconcileDeps(loaded, directories, options.logger), loaded, options.logger);
  if (deps === undefined) {
    options.logger.warn('departures are not wired into this deployment; nothing to apply');
    return { kind: 'skipped', reason: 'no departure store' };
  }
  const outcomes = await applyDueDepartures(deps, {
    ...(options.ids !== undefined ? { ids: options.ids } : {}),
    ...(options.actor !== undefined ? { actor: options.actor } : {}),
  });
  const noAccessLeft = outcomes.filter((o) => o.attempt.outcome === 'no-access-left').length;
  options.logger.info('due departures applied', { departures: outcomes.length, noAccessLeft });
  return { kind: 'applied', departures: outcomes.length, noAccessLeft };
}
