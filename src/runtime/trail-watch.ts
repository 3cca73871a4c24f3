/**
 * `warden serve`'s CloudTrail watch (issue 15, config `trail`): LookupEvents polled every minute per account, each new
 * write event handed to the trail response under the reconcile lock, and the post-revocation scan. Built from the same
 * runtime as the scheduled reconciliation.
 */
import { MemoryTrailCursorStore } from '../adapters/state/trail-cursors';
import { lockOwner, RECONCILE_LOCK, withReconcileLock } from '../app/reconcile/lock';
import { pollTrail, type AccountPoll } from '../app/trail/poll';
import { scanPostRevocationUse, type PostRevocationScan } from '../app/trail/post-revocation';
import { respondToTrailEvents } from '../app/trail/respond';
import { ExitCode, WardenError } from '../errors';
import type { Logger } from '../lib/logger';
import type { Runtime } from './compose';
import { resolveAccounts } from '../adapters/aws/accounts';
import { trailPolicyOf, wardenPrincipals } from './trail';
import { TrailClients } from './trail-clients';

export interface TrailWatch {
  /** One poll of every account; a held reconcile lock leaves the cursor, so the next poll takes the events again. */
  poll(): Promise<readonly AccountPoll[]>;
  /** Leavers' calls after "no access left" (hourly). */
  scan(): Promise<PostRevocationScan>;
  close(): void;
}

/** The watch for a runtime whose config has a `trail` block with `poll` on; undefined otherwise. */
export async function openTrailWatch(runtime: Runtime, log: Logger): Promise<TrailWatch | undefined> {
  const settings = runtime.loaded.config.trail;
  if (settings === undefined || !settings.poll) return undefined;
  const { composition } = runtime;
  const clients = composition.options.clients;
  const { targets, problems } = await resolveAccounts(runtime.loaded.config, { organizations: () => clients.organizations });
  for (const problem of problems) log.warn(problem);
  const own = await composition.ownAccount();
  const policy = trailPolicyOf(runtime.loaded, await wardenPrincipals(clients.sts, targets, settings.wardenPrincipals));
  const trailClients = new TrailClients({ sts: clients.sts, region: settings.region, clock: composition.clock });
  const sources = targets.map((target) => trailClients.sourceFor(target, target.id ?? own));
  const cursors = composition.stores.trailCursors ?? new MemoryTrailCursorStore();
  if (composition.stores.trailCursors === undefined) log.warn('trail: no SQLite store, so CloudTrail polling restarts from the last 15 minutes after a restart');
  const deps = runtime.deps;
  return {
    poll: () =>
      pollTrail({
        sources,
        cursors,
        clock: composition.clock,
        overlapMs: settings.overlapMinutes * 60_000,
        respond: async (events) => {
          const exclusive = await withReconcileLock({ lock: runtime.lock, clock: composition.clock, owner: lockOwner('trail'), name: RECONCILE_LOCK }, () =>
            respondToTrailEvents({ reconcile: deps, policy }, events),
          );
          if (exclusive.kind === 'locked') throw new WardenError(`reconcile lock held by ${exclusive.heldBy}: CloudTrail events wait for the next poll`, ExitCode.runtime);
          const response = exclusive.value;
          if (response.kind === 'responded') log.warn('access given back; re-planned', { undone: response.undone.length, notReplanned: response.notReplanned });
          return response;
        },
      }),
    scan: () => scanPostRevocationUse({ audit: deps.audit, sources, notifier: deps.notifier, clock: composition.clock, slaHours: runtime.loaded.config.slaHours }),
    close: () => trailClients.destroy(),
  };
}
