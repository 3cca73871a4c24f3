import { resolveAccounts } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import { respondToTrailEvents, type TrailResponse } from '../app/trail/respond';
import { withReconcileLock } from '../app/reconcile/lock';
import { parseTrailRecord } from '../domain/trail';
import { ExitCode, WardenError } from '../errors';
import { trailPolicyOf, wardenPrincipals } from '../runtime/trail';
import { lambdaContainer } from './container';
import type { LambdaContainer } from './container';
import { accountOfFunctionArn, invocationNonce } from './events';
import type { LambdaContextLike } from './events';
import { accountLockName } from './jobs';

/**
 * The trail function (serverless.yml `trail`): an EventBridge rule hands it each "AWS API Call via CloudTrail" event for
 * the IAM, Identity Center and identity-store writes that can give access back (issue 15). It re-plans only the users
 * the event names, under that account's lock, through the same guard, audit and verification as every run, and alerts
 * Slack with who gave the access back, when, from where and what Warden undid.
 */

export type TrailResult =
  | { readonly kind: 'rejected'; readonly error: string }
  | { readonly kind: 'not-managed'; readonly account: string }
  | { readonly kind: 'locked'; readonly account: string; readonly heldBy: string }
  | { readonly kind: 'handled'; readonly account: string; readonly response: TrailResponse };

/** Lock time beyond the invocation's deadline, as the worker's account runs use. */
const LOCK_MARGIN_MS = 60_000;

const MAX_EVENT_BYTES = 256 * 1024;

/** The CloudTrail record inside an EventBridge "AWS API Call via CloudTrail" event (anything else is rejected). */
function recordOf(event: unknown): unknown {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== 'AWS API Call via CloudTrail') return undefined;
  return e['detail'];
}

function targetFor(targets: readonly AccountTarget[], account: string, self: string | undefined): AccountTarget | undefined {
  return targets.find((t) => t.id === account) ?? (self === account ? targets.find((t) => t.kind === 'ambient') : undefined);
}

export function createTrailHandler(getContainer: () => Promise<LambdaContainer> = lambdaContainer) {
  return async (event: unknown, context: LambdaContextLike): Promise<TrailResult> => {
    const container = await getContainer();
    const runId = `trail-${context.awsRequestId}`;
    const logger = container.logger(runId, { fn: 'trail', requestId: context.awsRequestId });
    const size = JSON.stringify(event ?? null).length;
    const parsed = size > MAX_EVENT_BYTES ? { ok: false as const, error: 'event larger than EventBridge delivers' } : parseTrailRecord(recordOf(event));
    if (!parsed.ok) {
      // Retrying a malformed event could not help: rejected as a value, logged (never the event's content).
      logger.error('not a CloudTrail API call event; ignored', { error: parsed.error });
      return { kind: 'rejected', error: parsed.error };
    }
    const trail = parsed.value;
    const loaded = await container.loadConfig();
    const self = accountOfFunctionArn(context.invokedFunctionArn);
    const resolution = await resolveAccounts(loaded.config, { organizations: () => container.clients.organizations, ...(self !== undefined ? { selfAccountId: self } : {}) });
    for (const problem of resolution.problems) logger.error(problem);
    const target = targetFor(resolution.targets, trail.account, self);
    if (target === undefined) {
      logger.warn('event from an account Warden does not manage; ignored', { account: trail.account, eventName: trail.eventName });
      return { kind: 'not-managed', account: trail.account };
    }
    const principals = await wardenPrincipals(container.clients.sts, resolution.targets, loaded.config.trail?.wardenPrincipals ?? []);
    const directory = container.directoryFor(loaded, target, logger);
    const reconcile = container.reconcileDeps(loaded, [directory], logger, { hosts: false });
    const exclusive = await withReconcileLock(
      {
        lock: container.runs,
        clock: container.clock,
        owner: `${runId}/${invocationNonce()}`,
        name: accountLockName(target),
        ttlMs: context.getRemainingTimeInMillis() + LOCK_MARGIN_MS,
        renew: false,
        onReleaseError: (error) => logger.warn('could not release the account lock; it expires on its own', { error }),
      },
      () => respondToTrailEvents({ reconcile, policy: trailPolicyOf(loaded, principals) }, [trail], { mode: container.settings.scheduledMode }),
    );
    if (exclusive.kind === 'locked') {
      // An account run is under way: throw so Lambda's asynchronous retry brings the event back after it.
      logger.warn('account is being reconciled; the event is retried', { heldBy: exclusive.heldBy });
      throw new WardenError(`account ${trail.account} is locked by ${exclusive.heldBy}; retry`, ExitCode.runtime);
    }
    const response = exclusive.value;
    logger.info('CloudTrail event handled', {
      eventName: trail.eventName,
      account: trail.account,
      response: response.kind,
      ...(response.kind === 'responded' ? { undone: response.undone.length, notReplanned: response.notReplanned.length } : {}),
    });
    return { kind: 'handled', account: trail.account, response };
  };
}

/** The Lambda entry point (serverless.yml: `src/lambda/trail.handler`). */
export const handler = createTrailHandler();
