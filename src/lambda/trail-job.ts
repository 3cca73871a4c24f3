import { resolveAccounts } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import { respondToTrailEvents, type TrailResponse } from '../app/trail/respond';
import { withReconcileLock } from '../app/reconcile/lock';
import type { LoadedConfig } from '../config/load';
import { IDENTITY_STORE_SOURCE, parseTrailRecord, SSO_SOURCE } from '../domain/trail';
import { ExitCode, WardenError } from '../errors';
import type { Logger } from '../lib/logger';
import { trailPolicyOf, wardenPrincipals } from '../runtime/trail';
import { TrailClients } from '../runtime/trail-clients';
import { scanPostRevocationUse, type PostRevocationScan } from '../app/trail/post-revocation';
import type { LambdaContainer } from './container';
import { accountOfFunctionArn, invocationNonce } from './events';
import type { LambdaContextLike } from './events';
import { accountLockName, hostsTargetOf } from './jobs';

/** What handling one CloudTrail record did (the worker's `trail-event` job, or the trail function in process). */
export type TrailJobResult =
  | { readonly kind: 'rejected'; readonly error: string }
  | { readonly kind: 'not-managed'; readonly account: string }
  | { readonly kind: 'handled'; readonly account: string; readonly response: TrailResponse };

/** Lock time beyond the invocation's deadline, as the worker's account runs use. */
const LOCK_MARGIN_MS = 60_000;

function targetFor(targets: readonly AccountTarget[], account: string, self: string | undefined): AccountTarget | undefined {
  return targets.find((t) => t.id === account) ?? (self === account ? targets.find((t) => t.kind === 'ambient') : undefined);
}

/**
 * Re-plans the users one CloudTrail record names, under that account's lock, through the same guard, audit and
 * verification as every run (issue 15). The record is parsed again here: the worker trusts no payload. A held lock
 * throws, so Lambda's asynchronous retry brings the event back after the account's run.
 */
export async function handleTrailRecord(container: LambdaContainer, loaded: LoadedConfig, record: unknown, context: LambdaContextLike, logger: Logger): Promise<TrailJobResult> {
  const parsed = parseTrailRecord(record);
  if (!parsed.ok) return { kind: 'rejected', error: parsed.error };
  const trail = parsed.value;
  const self = accountOfFunctionArn(context.invokedFunctionArn);
  const resolution = await resolveAccounts(loaded.config, { organizations: () => container.clients.organizations, ...(self !== undefined ? { selfAccountId: self } : {}) });
  for (const problem of resolution.problems) logger.error(problem);
  // Identity Center lives in one (management or delegated-admin) account, which Warden need not manage for IAM: its events
  // are re-planned by the Identity Center plane, under the lock of the worker that reads it (the hosts worker).
  const identityCenterEvent = loaded.config.identityCenter !== undefined && (trail.eventSource === SSO_SOURCE || trail.eventSource === IDENTITY_STORE_SOURCE);
  const target = identityCenterEvent ? hostsTargetOf(resolution.targets) : targetFor(resolution.targets, trail.account, self);
  if (target === undefined) {
    logger.warn('event from an account Warden does not manage; ignored', { account: trail.account, eventName: trail.eventName });
    return { kind: 'not-managed', account: trail.account };
  }
  const principals = await wardenPrincipals(container.clients.sts, resolution.targets, loaded.config.trail?.wardenPrincipals ?? []);
  const reconcile = identityCenterEvent
    ? container.reconcileDeps(loaded, [], logger, { hosts: false, identityCenter: true })
    : container.reconcileDeps(loaded, [container.directoryFor(loaded, target, logger)], logger, { hosts: false });
  const exclusive = await withReconcileLock(
    {
      lock: container.runs,
      clock: container.clock,
      owner: `trail-${context.awsRequestId}/${invocationNonce()}`,
      name: accountLockName(target),
      ttlMs: context.getRemainingTimeInMillis() + LOCK_MARGIN_MS,
      renew: false,
      onReleaseError: (error) => logger.warn('could not release the account lock; it expires on its own', { error }),
    },
    () => respondToTrailEvents({ reconcile, policy: trailPolicyOf(loaded, principals) }, [trail], { mode: container.settings.scheduledMode }),
  );
  if (exclusive.kind === 'locked') {
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
}

/**
 * The Lambda deployment's post-revocation scan (issue 15): after an account's scheduled run, the leavers' calls in that
 * account after "no access left", through CloudTrail's LookupEvents (config `trail`; its region, us-east-1 for IAM).
 * Findings are audited and alerted by the scan; a failure is logged, never fails the account's run.
 */
export async function scanAccountAfterRun(
  container: LambdaContainer,
  loaded: LoadedConfig,
  target: AccountTarget,
  context: LambdaContextLike,
  logger: Logger,
): Promise<PostRevocationScan | undefined> {
  const settings = loaded.config.trail;
  const account = target.id ?? accountOfFunctionArn(context.invokedFunctionArn);
  if (settings === undefined || account === undefined) return undefined;
  const clients = new TrailClients({ sts: container.clients.sts, region: settings.region, clock: container.clock });
  try {
    const scan = await scanPostRevocationUse({
      audit: container.audit,
      sources: [clients.sourceFor(target, account)],
      notifier: container.notifier,
      clock: container.clock,
      slaHours: loaded.config.slaHours,
    });
    if (scan.findings.length > 0 || scan.errors.length > 0) logger.warn('post-revocation scan', { account, findings: scan.findings.length, errors: scan.errors });
    return scan;
  } catch (error) {
    logger.error('post-revocation scan failed', { error });
    return undefined;
  } finally {
    clients.destroy();
  }
}
