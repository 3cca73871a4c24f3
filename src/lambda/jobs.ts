import { applyDueDepartures } from '../app/offboarding';
import { applyPlan, computePlan, recordPlanRun } from '../app/reconcile';
import type { PlannedRun } from '../app/reconcile';
import { guardPolicyOf } from '../config/load';
import { withGuard } from '../domain/guard';
import { isRevocation } from '../domain/plan';
import type { ScheduledMode } from './events';
import type { LoadedConfig } from '../config/load';
import { describeTarget } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import type { Logger } from '../lib/logger';
import { withReconcileLock } from '../app/reconcile/lock';
import { allAttempted } from '../lib/concurrency';
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
  | {
      /** Plan-only (WARDEN_SCHEDULED_MODE=plan): planned, audited as `run.plan` and logged; nothing applied. */
      readonly kind: 'planned';
      readonly account: string;
      readonly auditRunId: string;
      readonly actions: number;
      readonly revocations: number;
      readonly guard: readonly string[];
    }
  | { readonly kind: 'locked'; readonly account: string; readonly heldBy: string; readonly until: string };

export interface AccountRunOptions {
  /** The dispatcher's run (one tick): the accounts of one run share its revocation budget. */
  readonly runId: string;
  /**
   * Holds the lock: unique per invocation, a fresh nonce included. Lambda retries an asynchronous invocation with the
   * same request id, so a retry must never present the same owner as an original still running (the lock renews for
   * its own owner).
   */
  readonly lockOwner: string;
  readonly mode: ScheduledMode;
  readonly logger: Logger;
  /** Time this invocation has left; the lock expires shortly after it, so a crash never blocks the next run for long. */
  readonly remainingMs: number;
  /** This account's run also reconciles the hosts (config `hosts`); one account of a tick does (see `hostsTargetOf`). */
  readonly hosts?: boolean;
}

/** Actions planned in plan-only mode that are logged one by one (the rest are counted). */
const LOGGED_PLAN_ACTIONS = 200;

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
  const exclusive = await withReconcileLock(
    {
      lock: container.runs,
      clock: container.clock,
      owner: options.lockOwner,
      name: accountLockName(target),
      // Held until shortly after this invocation's deadline, so a crash never blocks the next run for long.
      ttlMs: options.remainingMs + LOCK_MARGIN_MS,
      renew: false,
      onReleaseError: (error) => logger.warn('could not release the account lock; it expires on its own', { error }),
    },
    () => reconcileLocked(container, loaded, target, options, logger),
  );
  if (exclusive.kind === 'ran') return exclusive.value;
  logger.warn('another reconciliation of this account is running; skipped', { heldBy: exclusive.heldBy, until: exclusive.until.toISOString() });
  return { kind: 'locked', account, heldBy: exclusive.heldBy, until: exclusive.until.toISOString() };
}

async function reconcileLocked(
  container: LambdaContainer,
  loaded: LoadedConfig,
  target: AccountTarget,
  options: AccountRunOptions,
  logger: Logger,
): Promise<AccountRunResult> {
  const account = target.id ?? 'ambient';
  logger.info(`reconciling ${describeTarget(target)}`, { via: target.kind, mode: options.mode });
  const directory = container.directoryFor(loaded, target, logger);
  // The worker that reads the hosts also reads Identity Center (one instance for the organization, read once per run).
  const deps = container.reconcileDeps(loaded, [directory], logger, { hosts: options.hosts === true, identityCenter: options.hosts === true });
  const computed = await computePlan(deps);
  const accountId = target.id ?? knownAccount(directory) ?? account;
  const runLogger = logger.child({ auditRunId: computed.runId });
  const revocations = computed.plan.actions.filter(isRevocation).length;
  const metricFields = { runId: options.runId, account: accountId };
  if (options.mode === 'plan') {
    // The audit entry and the run record go out together (different tables, neither needs the other); both are
    // attempted, and the first failure is the job's. A plan-only run that passed the guard is the headcount baseline,
    // so the first run after apply is turned on is already compared with what the plan-only runs saw (a tripped plan
    // never becomes the baseline).
    await allAttempted([
      recordPlanRun(deps, computed, 'system'),
      container.runs.record({
        runId: computed.runId,
        startedAt: computed.startedAt.toISOString(),
        finishedAt: container.clock.now().toISOString(),
        activeHeadcount: computed.activeHeadcount,
        mode: 'plan',
        outcome: computed.plan.guard.tripped ? 'guard-tripped' : 'ok',
        summary: { actions: computed.plan.actions.length, revocations },
      }),
    ]);
    logPlan(runLogger, computed);
    container.metric({ ReconcileCompleted: 1, GuardTripped: computed.plan.guard.tripped ? 1 : 0, Revocations: 0, ActionsFailed: 0 }, metricFields);
    return {
      kind: 'planned',
      account: accountId,
      auditRunId: computed.runId,
      actions: computed.plan.actions.length,
      revocations,
      guard: computed.plan.guard.reasons,
    };
  }
  const planned = await withinRunBudget(container, loaded, options.runId, accountId, computed, revocations);
  const report = await applyPlan(deps, planned, { actor: 'system' });
  const failed = report.results.filter((r) => r.outcome.result === 'failed').length + report.verifications.filter((v) => !v.verified).length;
  const log = report.outcome === 'ok' ? runLogger.info : runLogger.warn;
  log('account reconciled', { outcome: report.outcome, actions: report.results.length, failed, guard: report.plan.guard.reasons });
  container.metric(
    {
      ReconcileCompleted: 1,
      GuardTripped: report.outcome === 'guard-tripped' ? 1 : 0,
      Revocations: report.results.filter((r) => isRevocation(r.action) && r.outcome.result === 'ok').length,
      ActionsFailed: failed,
    },
    metricFields,
  );
  return {
    kind: 'applied',
    account: accountId,
    auditRunId: planned.runId,
    outcome: report.outcome,
    actions: report.results.length,
    failed,
  };
}

/**
 * Holds the guard's `maxRevocations` over the whole run, not only this account: the account reserves its revocations
 * in the run's shared budget and trips the guard when the run as a whole would go over (20 accounts of 50 each would
 * otherwise revoke 1,000 in one tick under a limit of 50). A plan the guard already stopped reserves nothing.
 */
async function withinRunBudget(
  container: LambdaContainer,
  loaded: LoadedConfig,
  runId: string,
  account: string,
  planned: PlannedRun,
  revocations: number,
): Promise<PlannedRun> {
  if (revocations === 0 || planned.plan.guard.tripped) return planned;
  const limit = guardPolicyOf(loaded.config).maxRevocations;
  const decision = await container.budget.reserve(runId, account, revocations, limit, container.clock.now());
  if (decision.granted) return planned;
  const reason =
    `This run would revoke ${decision.total + decision.requested} across its accounts (${decision.requested} in account ${account}, ` +
    `${decision.total} already in others), more than the limit of ${decision.limit}.`;
  return { ...planned, plan: withGuard(planned.plan, { tripped: true, reasons: [...planned.plan.guard.reasons, reason] }) };
}

/** A plan-only run's plan in the logs, for the operator to read before turning apply on. */
function logPlan(logger: Logger, planned: PlannedRun): void {
  const { plan } = planned;
  const shown = plan.actions.slice(0, LOGGED_PLAN_ACTIONS).map((a) => ({ kind: a.kind, account: a.account, userName: a.userName, reason: a.reason }));
  logger.info('account planned (plan-only: nothing applied)', {
    summary: plan.summary,
    guard: plan.guard,
    actions: shown,
    ...(plan.actions.length > shown.length ? { actionsNotShown: plan.actions.length - shown.length } : {}),
    findings: plan.findings.length,
  });
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
