import { resolveAccounts } from '../adapters/aws/accounts';
import type { LoadedConfig } from '../config/load';
import type { Logger } from '../lib/logger';
import { lambdaContainer } from './container';
import type { LambdaContainer } from './container';
import { accountOfFunctionArn, invocationNonce, parseWorkerEvent } from './events';
import type { LambdaContextLike, WorkerEvent } from './events';
import type { SlackTaskRunner } from './slack-types';
import { handleTrailRecord, scanAccountAfterRun, type TrailJobResult } from './trail-job';
import { applyDueDeparturesJob, reconcileAccount } from './jobs';
import type { AccountRunResult, DeparturesRunResult } from './jobs';

export type { SlackTaskRunner } from './slack-types';

/** What the worker did; a malformed payload is rejected as a value (retrying it could not help). */
export type WorkerResult =
  | { readonly kind: 'rejected'; readonly error: string }
  | { readonly kind: 'account'; readonly result: AccountRunResult }
  | { readonly kind: 'departures'; readonly result: DeparturesRunResult }
  | { readonly kind: 'slack-task'; readonly result: 'done' | 'not-wired' }
  | { readonly kind: 'trail'; readonly result: TrailJobResult };

export interface WorkerHandlerOptions {
  readonly slackTasks?: SlackTaskRunner;
}

/**
 * The worker function, always invoked asynchronously by Warden's own functions: one account of a
 * scheduled run, the due departures, or slow Slack work. Errors other than a malformed payload are
 * thrown, so Lambda's asynchronous retry gets another go (every action is idempotent).
 */
export function createWorkerHandler(getContainer: () => Promise<LambdaContainer> = lambdaContainer, options: WorkerHandlerOptions = {}) {
  return async (event: unknown, context: LambdaContextLike): Promise<WorkerResult> => {
    const container = await getContainer();
    const parsed = parseWorkerEvent(event);
    if (!parsed.ok) {
      container.logger(`rejected-${context.awsRequestId}`, { fn: 'worker' }).error('malformed worker event; ignored', { error: parsed.error });
      return { kind: 'rejected', error: parsed.error };
    }
    const job = parsed.value;
    const logger = container.logger(job.runId, { fn: 'worker', job: job.kind, requestId: context.awsRequestId });
    try {
      const loaded = await container.loadConfig();
      return await run(container, loaded, job, context, logger, options);
    } catch (error) {
      logger.error('worker job failed', { error });
      throw error;
    }
  };
}

async function run(
  container: LambdaContainer,
  loaded: LoadedConfig,
  job: WorkerEvent,
  context: LambdaContextLike,
  logger: Logger,
  options: WorkerHandlerOptions,
): Promise<WorkerResult> {
  switch (job.kind) {
    case 'reconcile-account': {
      // Plan-only wins: a job from a dispatcher in apply mode still only plans on a worker deployed plan-only.
      const mode = job.mode === 'plan' || container.settings.scheduledMode === 'plan' ? 'plan' : 'apply';
      const result = await reconcileAccount(container, loaded, job.account, {
        runId: job.runId,
        mode,
        lockOwner: `${job.runId}/${context.awsRequestId}/${invocationNonce()}`,
        logger,
        remainingMs: context.getRemainingTimeInMillis(),
        hosts: job.hosts === true,
      });
      // Issue 15: the leavers' calls in this account after "no access left" (config `trail`).
      if (mode === 'apply') await scanAccountAfterRun(container, loaded, job.account, context, logger);
      return { kind: 'account', result };
    }
    case 'apply-due-departures': {
      const self = accountOfFunctionArn(context.invokedFunctionArn);
      const resolution = await resolveAccounts(loaded.config, {
        organizations: () => container.clients.organizations,
        ...(self !== undefined ? { selfAccountId: self } : {}),
      });
      for (const problem of resolution.problems) logger.error(problem);
      const result = await applyDueDeparturesJob(container, loaded, resolution.targets, {
        logger,
        ...(job.ids !== undefined ? { ids: job.ids } : {}),
        ...(job.actor !== undefined ? { actor: job.actor } : {}),
      });
      return { kind: 'departures', result };
    }
    case 'slack-task': {
      if (options.slackTasks === undefined) {
        logger.error('a Slack task arrived but no Slack task runner is wired into the worker');
        return { kind: 'slack-task', result: 'not-wired' };
      }
      await options.slackTasks(job.task, { container, loaded, logger, context });
      return { kind: 'slack-task', result: 'done' };
    }
    case 'trail-event':
      return { kind: 'trail', result: await handleTrailRecord(container, loaded, job.record, context, logger) };
    default: {
      const never: never = job;
      return never;
    }
  }
}

/** The Lambda entry point (serverless.yml: `src/lambda/worker.handler`), with the Slack app's jobs wired in. */
let slackTasks: Promise<SlackTaskRunner> | undefined;
/** Slack Bolt loads with the first Slack task: a cold start for an account's run never pays for it. */
export const lazySlackTasks: SlackTaskRunner = async (...args) => {
  slackTasks ??= import('./slack-app').then((m) => m.createSlackTaskRunner());
  return (await slackTasks)(...args);
};

export const handler = createWorkerHandler(lambdaContainer, { slackTasks: lazySlackTasks });
