import { randomBytes } from 'node:crypto';
import { describeTarget, forEachAccount, resolveAccounts } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import { InputError } from '../errors';
import { withReconcileLock } from '../app/reconcile/lock';
import { lambdaContainer } from './container';
import type { LambdaContainer } from './container';
import { accountOfFunctionArn, encodeWorkerEvent, invocationNonce, modeOf, parseReconcileTrigger } from './events';
import type { LambdaContextLike, ReconcileTrigger, ScheduledMode, WorkerEvent } from './events';
import { applyDueDeparturesJob, hostsTargetOf, reconcileAccount } from './jobs';
import type { AccountRunResult, DeparturesRunResult } from './jobs';

/** What one scheduled reconciliation did, returned by the handler and summarised in the audit log. */
export interface DispatchReport {
  readonly runId: string;
  readonly trigger: ReconcileTrigger['kind'];
  /**
   * `fan-out`: one worker invocation per account; `in-process`: the accounts ran in this invocation; `locked`: another
   * reconcile invocation is dispatching (the DynamoDB lock that keeps one at a time), so this one did nothing.
   */
  readonly mode: 'fan-out' | 'in-process' | 'locked';
  /** Whether the accounts apply their plans or only record them (WARDEN_SCHEDULED_MODE, or a manual `"mode":"plan"`). */
  readonly apply: ScheduledMode;
  readonly accounts: readonly string[];
  /** Accounts handed to a worker (fan-out). */
  readonly dispatched: readonly string[];
  /** Per-account results (in-process). */
  readonly results: readonly AccountRunResult[];
  /** Accounts that could not be dispatched or failed outright; the others went ahead. */
  readonly failures: readonly { readonly account: string; readonly error: string }[];
  /** Problems finding the accounts (e.g. Organizations unreachable). */
  readonly problems: readonly string[];
  readonly departures: DeparturesRunResult | { readonly kind: 'dispatched' };
  /**
   * The access-review clock (issue 17: reminders, escalation to HR, the due date) on a scheduled tick: handed to the
   * worker's Slack task runner, which holds the Slack client; `skipped` without Slack, a worker, work for the clock (no
   * open campaign, no schedule slot due), or on a manual run.
   */
  readonly reviewClock: 'dispatched' | 'skipped';
}

const compactTime = (time: Date): string => time.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Ties the log lines of one tick (this invocation and every worker it starts) together. */
export function dispatchRunId(trigger: ReconcileTrigger, requestId: string): string {
  const suffix = trigger.kind === 'schedule' ? trigger.eventId : requestId;
  const short = suffix.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || randomBytes(4).toString('hex');
  return `${trigger.kind === 'schedule' ? 'sched' : 'manual'}-${compactTime(trigger.time)}-${short}`;
}

const accountLabel = (target: AccountTarget): string => target.id ?? 'ambient';

/** The lock that keeps one reconcile invocation dispatching at a time (in place of a reserved concurrency of 1). */
export const DISPATCH_LOCK = 'reconcile:dispatch';
/** Held at most this long past the invocation's deadline, so a crashed dispatcher never blocks the next tick. */
const DISPATCH_LOCK_MARGIN_MS = 60_000;

/**
 * The reconcile function: on each EventBridge tick it loads the config, finds the accounts (config or
 * Organizations), and hands each account to its own worker invocation, so Lambda's 15-minute limit
 * applies per account and one slow or failing account never holds up or stops the others. With one
 * account, or no worker configured, the accounts run here instead (still one at a time per lock).
 */
export function createReconcileHandler(getContainer: () => Promise<LambdaContainer> = lambdaContainer) {
  return async (event: unknown, context: LambdaContextLike): Promise<DispatchReport> => {
    const container = await getContainer();
    const parsed = parseReconcileTrigger(event, container.clock.now());
    if (!parsed.ok) {
      container.logger(`rejected-${context.awsRequestId}`, { fn: 'reconcile' }).error('unexpected event; nothing was run', { error: parsed.error });
      throw new InputError(parsed.error);
    }
    const trigger = parsed.value;
    const runId = dispatchRunId(trigger, context.awsRequestId);
    const logger = container.logger(runId, { fn: 'reconcile', requestId: context.awsRequestId });
    const mode = modeOf(trigger, container.settings.scheduledMode);
    const owner = `${runId}/${context.awsRequestId}/${invocationNonce()}`;
    // The config first: its `audit` block names the tables (and so the lock) when the environment does not.
    const loaded = await container.loadConfig().catch((error: unknown) => {
      logger.error('reconciliation failed', { error });
      throw error;
    });
    const dispatch = async (): Promise<DispatchReport> => {
      logger.info('reconciliation triggered', { trigger: trigger.kind, mode, ...(trigger.kind === 'schedule' ? { rule: trigger.rule, eventId: trigger.eventId } : {}) });
      const self = accountOfFunctionArn(context.invokedFunctionArn);
      const resolution = await resolveAccounts(loaded.config, {
        organizations: () => container.clients.organizations,
        ...(self !== undefined ? { selfAccountId: self } : {}),
      });
      for (const problem of resolution.problems) logger.error(problem);
      const targets = resolution.targets;
      logger.info(`${targets.length} account(s) to reconcile`, { accounts: targets.map(describeTarget) });

      const invoker = container.invoker;
      // Every account goes to a worker whenever there is one, a single account too: the dispatcher's role (serverless.yml
      // ReconcileRole) then needs no IAM write, SendCommand or AssumeRole, which only the worker's role holds.
      const fanOut = invoker !== undefined && targets.length > 0;
      let departures: DispatchReport['departures'];
      if (container.departures === undefined) departures = { kind: 'skipped', reason: 'no departure store' };
      else if (invoker !== undefined) {
        const job: WorkerEvent = { kind: 'apply-due-departures', runId };
        await invoker.invokeAsync(encodeWorkerEvent(job));
        departures = { kind: 'dispatched' };
      } else {
        departures = await applyDueDeparturesJob(container, loaded, targets, { logger });
      }

      // Access reviews need Slack (reminders, escalation), so their clock runs as a Slack task in the worker, once per
      // tick, and only when it has work: an open campaign, or a `reviews.schedule` slot whose campaign is not started.
      let reviewClock: DispatchReport['reviewClock'] = 'skipped';
      if (trigger.kind === 'schedule' && invoker !== undefined && loaded.config.slack !== undefined) {
        const due = await container.reviewClockDue(loaded).catch((error: unknown) => {
          logger.error('could not tell whether the review clock is due; it is not run this tick', { error });
          return undefined;
        });
        if (due !== undefined) {
          const job: WorkerEvent = { kind: 'slack-task', runId, task: { kind: 'review-tick' } };
          await invoker.invokeAsync(encodeWorkerEvent(job));
          reviewClock = 'dispatched';
          logger.info('review clock handed to the worker', { why: due });
        }
      }

      // One worker reads what is read once per run: the hosts, and IAM Identity Center (one instance for the organization).
      const hostsTarget = loaded.config.hosts !== undefined || loaded.config.identityCenter !== undefined ? hostsTargetOf(targets) : undefined;
      const dispatched: string[] = [];
      const results: AccountRunResult[] = [];
      const failures: { account: string; error: string }[] = [];
      if (fanOut && invoker !== undefined) {
        const scheduledAt = trigger.time.toISOString();
        const outcomes = await forEachAccount(targets, container.settings.accountConcurrency, async (account) => {
          const job: WorkerEvent = { kind: 'reconcile-account', runId, account, scheduledAt, mode, ...(account === hostsTarget ? { hosts: true } : {}) };
          await invoker.invokeAsync(encodeWorkerEvent(job));
        });
        for (const outcome of outcomes) {
          if (outcome.ok) dispatched.push(accountLabel(outcome.target));
          else failures.push({ account: accountLabel(outcome.target), error: outcome.error });
        }
      } else {
        const outcomes = await forEachAccount(targets, container.settings.accountConcurrency, (account) =>
          reconcileAccount(container, loaded, account, {
            runId,
            mode,
            lockOwner: owner,
            logger,
            remainingMs: context.getRemainingTimeInMillis(),
            hosts: account === hostsTarget,
          }),
        );
        for (const outcome of outcomes) {
          if (outcome.ok) results.push(outcome.value);
          else failures.push({ account: accountLabel(outcome.target), error: outcome.error });
        }
      }
      for (const failure of failures) logger.error('account failed', failure);

      const report: DispatchReport = {
        runId,
        trigger: trigger.kind,
        mode: fanOut ? 'fan-out' : 'in-process',
        apply: mode,
        accounts: targets.map(accountLabel),
        dispatched,
        reviewClock,
        results,
        failures,
        problems: resolution.problems,
        departures,
      };
      await container.audit.append({
        runId,
        actor: 'system',
        action: 'run.dispatch',
        result: failures.length === 0 && resolution.problems.length === 0 ? 'ok' : 'failed',
        after: { trigger: trigger.kind, mode: report.mode, apply: mode, accounts: report.accounts, dispatched, failures, problems: resolution.problems },
        ...(failures.length > 0 || resolution.problems.length > 0
          ? { error: [...resolution.problems, ...failures.map((f) => `${f.account}: ${f.error}`)].join('; ') }
          : {}),
      });
      logger.info('reconciliation dispatched', { mode: report.mode, accounts: report.accounts.length, dispatched: dispatched.length, failures: failures.length });
      return report;
    };
    const exclusive = await withReconcileLock(
      {
        lock: container.runs,
        clock: container.clock,
        owner,
        name: DISPATCH_LOCK,
        ttlMs: context.getRemainingTimeInMillis() + DISPATCH_LOCK_MARGIN_MS,
        renew: false,
        onReleaseError: (error) => logger.warn('could not release the dispatch lock; it expires on its own', { error }),
      },
      () =>
        dispatch().catch((error: unknown) => {
          logger.error('reconciliation failed', { error });
          throw error;
        }),
    );
    if (exclusive.kind === 'ran') return exclusive.value;
    logger.warn('another reconcile invocation is dispatching; this one did nothing', { heldBy: exclusive.heldBy, until: exclusive.until.toISOString() });
    return { runId, trigger: trigger.kind, mode: 'locked', apply: mode, accounts: [], dispatched: [], results: [], failures: [], problems: [], departures: { kind: 'skipped', reason: 'another dispatcher holds the lock' }, reviewClock: 'skipped' };
  };
}

/** The Lambda entry point (serverless.yml: `src/lambda/reconcile.handler`). */
export const handler = createReconcileHandler();
