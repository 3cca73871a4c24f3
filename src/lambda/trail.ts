import { classifyTrailEvent, parseTrailRecord } from '../domain/trail';
import { lambdaContainer } from './container';
import type { LambdaContainer } from './container';
import { encodeWorkerEvent } from './events';
import type { LambdaContextLike, WorkerEvent } from './events';
import { handleTrailRecord, type TrailJobResult } from './trail-job';

/**
 * The trail function (serverless.yml `trail`): an EventBridge rule hands it each "AWS API Call via CloudTrail" event for
 * the IAM, Identity Center and identity-store writes that can give access back (issue 15). It reads the record as
 * hostile input, drops what gives nobody access back, and hands the rest to the worker (the only role that changes
 * access), which re-plans the users the record names under the account's lock. Without a worker (tests, local runs)
 * the record is handled here.
 */

export type TrailResult =
  | { readonly kind: 'rejected'; readonly error: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'forwarded'; readonly runId: string }
  | TrailJobResult;

const MAX_EVENT_BYTES = 256 * 1024;

/** The CloudTrail record inside an EventBridge "AWS API Call via CloudTrail" event (anything else is rejected). */
function recordOf(event: unknown): unknown {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as Record<string, unknown>;
  return e['detail-type'] === 'AWS API Call via CloudTrail' ? e['detail'] : undefined;
}

export function createTrailHandler(getContainer: () => Promise<LambdaContainer> = lambdaContainer) {
  return async (event: unknown, context: LambdaContextLike): Promise<TrailResult> => {
    const container = await getContainer();
    const runId = `trail-${context.awsRequestId}`;
    const logger = container.logger(runId, { fn: 'trail', requestId: context.awsRequestId });
    const record = recordOf(event);
    const parsed = JSON.stringify(event ?? null).length > MAX_EVENT_BYTES ? { ok: false as const, error: 'event larger than EventBridge delivers' } : parseTrailRecord(record);
    if (!parsed.ok) {
      // Retrying a malformed event could not help: rejected as a value and logged (never the event's content).
      logger.error('not a CloudTrail API call event; ignored', { error: parsed.error });
      return { kind: 'rejected', error: parsed.error };
    }
    const loaded = await container.loadConfig();
    // Warden's own calls take access away, so content alone tells them apart here; the worker also checks who called.
    const classified = classifyTrailEvent(parsed.value, { denyAllPolicyName: loaded.config.denyAllPolicyName, isWarden: () => false });
    if (classified.kind === 'ignored') {
      logger.debug('event gives no access back', { eventName: parsed.value.eventName, reason: classified.reason });
      return { kind: 'ignored', reason: classified.reason };
    }
    const invoker = container.invoker;
    if (invoker === undefined) return handleTrailRecord(container, loaded, record, context, logger);
    const job: WorkerEvent = { kind: 'trail-event', runId, record };
    await invoker.invokeAsync(encodeWorkerEvent(job));
    logger.info('access may have been given back; handed to the worker', { eventName: parsed.value.eventName, account: parsed.value.account });
    return { kind: 'forwarded', runId };
  };
}

/** The Lambda entry point (serverless.yml: `src/lambda/trail.handler`). */
export const handler = createTrailHandler();
