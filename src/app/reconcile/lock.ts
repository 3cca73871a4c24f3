import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, RunLock } from '../../ports';

/** The lock every whole reconciliation takes (`warden apply`, `warden serve`), in the run-state store. */
export const RECONCILE_LOCK = 'reconcile';

/** How long a lock lives without renewal: long enough for a slow run step, short enough that a crash frees it soon. */
export const DEFAULT_LOCK_TTL_MS = 10 * 60_000;

/** What running under the lock gave: the body's value, or who holds the lock (being refused is expected, not an error). */
export type Exclusive<T> =
  | { readonly kind: 'ran'; readonly value: T }
  | { readonly kind: 'locked'; readonly heldBy: string; readonly until: Date };

export interface ReconcileLockOptions {
  readonly lock: RunLock;
  readonly clock: Clock;
  /** Who takes it, unique per process and run, so a stuck lock says whose it is. */
  readonly owner: string;
  /** The lock's name: {@link RECONCILE_LOCK}, or one account's for a run over that account alone (Lambda's workers). */
  readonly name?: string;
  readonly ttlMs?: number;
  /** Renew the lease while the body runs (default true), so a long run keeps it and a crashed one loses it within ttlMs. */
  readonly renew?: boolean;
  readonly onRenewError?: (error: unknown) => void;
  readonly onReleaseError?: (error: unknown) => void;
}

/** A lock owner naming this process: `PREFIX@host:pid/nonce`. */
export const lockOwner = (prefix: string): string => `${prefix}@${hostname()}:${process.pid}/${randomBytes(3).toString('hex')}`;

/**
 * The reconcile use case's lock: runs `body` only while holding the named lease lock in the store, renewed while it runs
 * and released after, so two reconciliations never act at once, across processes and hosts that share the store. A lock
 * another owner holds is returned as `locked`; the body then never starts.
 */
export async function withReconcileLock<T>(options: ReconcileLockOptions, body: () => Promise<T>): Promise<Exclusive<T>> {
  const { lock, clock, owner } = options;
  const name = options.name ?? RECONCILE_LOCK;
  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const taken = await lock.acquireLock(name, owner, ttlMs, clock.now());
  if (!taken.acquired) return { kind: 'locked', heldBy: taken.heldBy, until: taken.expiresAt };
  const renew =
    options.renew === false
      ? undefined
      : setInterval(() => {
          lock.acquireLock(name, owner, ttlMs, clock.now()).catch((error: unknown) => options.onRenewError?.(error));
        }, Math.max(1000, Math.floor(ttlMs / 3)));
  renew?.unref();
  try {
    return { kind: 'ran', value: await body() };
  } finally {
    if (renew !== undefined) clearInterval(renew);
    await lock.releaseLock(name, owner).catch((error: unknown) => {
      options.onReleaseError?.(error);
      return false;
    });
  }
}

/** One line saying who holds the lock, for the loser to print or log. */
export const describeHeldLock = (locked: { readonly heldBy: string; readonly until: Date }): string =>
  `another reconciliation holds the reconcile lock (${locked.heldBy}, until ${locked.until.toISOString()} unless renewed); nothing was applied`;
