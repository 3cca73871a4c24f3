import { ACCESS_PATHS, accessPathOfKind, type AccessPath } from './action-kinds';
import type { Action } from './plan';

/** A departure HR recorded (Slack `/offboard`), its state machine and the access paths it closes, as HR reads them. Pure. */

/**
 * `awaiting-approval`: a second HR approver must confirm before anything happens.
 * `scheduled`: confirmed; takes effect at `effectiveAt` (and stays here, retried, until no access is left).
 * `applied`: verified "no access left". `cancelled`: withdrawn before it took effect.
 */
export type DepartureStatus = 'awaiting-approval' | 'scheduled' | 'applied' | 'cancelled';

/** The access paths a departure closes, as shown to HR (one line each in the Slack thread): one taxonomy with the leaver report. */
export type { AccessPath };

/** `pending`: planned, not yet applied (or not yet due); `ok`: applied; `failed`: retried by the next run until resolved. */
export type PathState = 'pending' | 'ok' | 'failed';

export interface PathStatus {
  readonly path: AccessPath;
  readonly state: PathState;
  /** Changes planned on this path in the latest plan that had any. */
  readonly planned: number;
  readonly failed: number;
  /** The latest failures' messages (short, secret-free). */
  readonly errors: readonly string[];
}

export interface Approval {
  /** `slack:U…` */
  readonly by: string;
  readonly at: Date;
}

export interface SlackThreadRef {
  readonly channel: string;
  readonly ts: string;
}

/** How the latest attempt to apply a departure ended. */
export type AttemptOutcome = 'no-access-left' | 'partial' | 'guard-tripped' | 'error';

export interface DepartureAttempt {
  readonly at: Date;
  readonly runId: string;
  readonly outcome: AttemptOutcome;
  /** Access still open after the attempt (empty when verified). */
  readonly remaining: readonly string[];
  readonly error?: string;
  /** The person's live role sessions after the attempt, per IAM user: `sessions ended at …` / `may live until …`. */
  readonly sessions?: readonly string[];
}

export interface DeparturePerson {
  readonly email: string;
  readonly employeeId?: string;
  readonly slackId?: string;
  readonly fullName?: string;
}

/** One departure as recorded; Dates are instants, `timezone` is how HR entered and reads them. */
export interface Departure {
  readonly id: string;
  readonly person: DeparturePerson;
  readonly effectiveAt: Date;
  /** IANA zone HR entered the effective time in. */
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
  /** `slack:U…` (or `cli:NAME`). */
  readonly markedBy: string;
  readonly status: DepartureStatus;
  /** Everyone who approved, the marker first. */
  readonly approvals: readonly Approval[];
  /** 1, or 2 when a second approver is required. */
  readonly requiredApprovals: number;
  readonly createdAt: Date;
  readonly thread?: SlackThreadRef;
  /** Per access path, cumulative over attempts (pending until applied). */
  readonly paths: readonly PathStatus[];
  readonly attempts: number;
  readonly lastAttempt?: DepartureAttempt;
  readonly noAccessLeftAt?: Date;
  readonly cancelled?: Approval;
  /**
   * HR members who asked to cancel a departure that needed more than one approver: it is cancelled only once as many
   * different people as approved it ask, so one HR account alone cannot undo what two agreed on.
   */
  readonly cancelRequests?: readonly Approval[];
}

/** Why a state change was refused: expected outcomes, returned as values. */
export type DepartureRefusal = 'not-found' | 'wrong-status' | 'in-effect' | 'duplicate-approver';

export type DepartureChange =
  | { readonly ok: true; readonly departure: Departure }
  | { readonly ok: false; readonly reason: DepartureRefusal; readonly departure?: Departure };

// The state machine every departure store applies (natively or read-check-write): pure, one place.

/** Adds an approval; scheduled once enough approvals are in. */
export function approveTransition(departure: Departure, approval: Approval): DepartureChange {
  if (departure.status !== 'awaiting-approval') return { ok: false, reason: 'wrong-status', departure };
  if (departure.approvals.some((a) => a.by === approval.by)) return { ok: false, reason: 'duplicate-approver', departure };
  const approvals = [...departure.approvals, approval];
  const status = approvals.length >= departure.requiredApprovals ? 'scheduled' : 'awaiting-approval';
  return { ok: true, departure: { ...departure, approvals, status } };
}

/**
 * Cancels unless already closed or (when confirmed) already in effect. A departure that needed N approvers needs N
 * different people to cancel it: until then each request is recorded and the status stays as it was.
 */
export function cancelTransition(departure: Departure, cancelled: Approval): DepartureChange {
  if (departure.status !== 'awaiting-approval' && departure.status !== 'scheduled') return { ok: false, reason: 'wrong-status', departure };
  // Once a confirmed departure's time has come the revocation may already be under way: it can no longer be withdrawn.
  if (departure.status === 'scheduled' && departure.effectiveAt.getTime() <= cancelled.at.getTime()) {
    return { ok: false, reason: 'in-effect', departure };
  }
  const requests = departure.cancelRequests ?? [];
  if (requests.some((r) => r.by === cancelled.by)) return { ok: false, reason: 'duplicate-approver', departure };
  const cancelRequests = [...requests, cancelled];
  if (cancelRequests.length < Math.max(1, departure.requiredApprovals)) return { ok: true, departure: { ...departure, cancelRequests } };
  return { ok: true, departure: { ...departure, status: 'cancelled', cancelled, ...(requests.length > 0 ? { cancelRequests } : {}) } };
}

/** Records an attempt on a scheduled departure; "no access left" closes it as applied. */
export function attemptTransition(departure: Departure, attempt: DepartureAttempt, paths: readonly PathStatus[]): DepartureChange {
  if (departure.status !== 'scheduled') return { ok: false, reason: 'wrong-status', departure };
  const done = attempt.outcome === 'no-access-left';
  return {
    ok: true,
    departure: {
      ...departure,
      attempts: departure.attempts + 1,
      lastAttempt: attempt,
      paths,
      ...(done ? { status: 'applied' as const, noAccessLeftAt: attempt.at } : {}),
    },
  };
}

/** Remembers where the departure is announced. */
export function threadTransition(departure: Departure, thread: SlackThreadRef): DepartureChange {
  return { ok: true, departure: { ...departure, thread } };
}

const byEffectiveAt = (a: Departure, b: Departure): number =>
  a.effectiveAt.getTime() - b.effectiveAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Reference semantics of the list queries, for stores that filter in memory. */
export const departureQueries = {
  pending: (all: readonly Departure[]): Departure[] =>
    all.filter((d) => d.status === 'awaiting-approval' || d.status === 'scheduled').sort(byEffectiveAt),
  due: (all: readonly Departure[], now: Date): Departure[] =>
    all.filter((d) => d.status === 'scheduled' && d.effectiveAt.getTime() <= now.getTime()).sort(byEffectiveAt),
  effective: (all: readonly Departure[]): Departure[] => all.filter((d) => d.status === 'scheduled' || d.status === 'applied').sort(byEffectiveAt),
};

/** The access path an action closes, as HR reads it (the kind's descriptor says). */
export const accessPathOf = (action: Action): AccessPath => accessPathOfKind(action.kind);

/** Paths in the order HR reads them. */
export { ACCESS_PATHS };

/** The paths a plan will close, all pending. */
export function pendingPaths(actions: readonly Action[]): PathStatus[] {
  return ACCESS_PATHS.flatMap((path) => {
    const planned = actions.filter((a) => accessPathOf(a) === path).length;
    return planned === 0 ? [] : [{ path, state: 'pending' as const, planned, failed: 0, errors: [] }];
  });
}

/** How one applied action ended, as far as its access path's status cares. */
export interface PathResult {
  readonly action: Action;
  readonly outcome: { readonly result: 'ok' | 'skipped' } | { readonly result: 'failed'; readonly error: string };
}

/** Path statuses after an attempt: paths with results take them; paths the attempt did not touch keep their earlier state. */
export function mergePathResults(previous: readonly PathStatus[], results: readonly PathResult[]): PathStatus[] {
  return ACCESS_PATHS.flatMap((path): PathStatus[] => {
    const mine = results.filter((r) => accessPathOf(r.action) === path);
    const before = previous.find((p) => p.path === path);
    if (mine.length === 0) return before === undefined ? [] : [before];
    const failures = mine.flatMap((r) => (r.outcome.result === 'failed' ? [r.outcome.error] : []));
    return [{ path, state: failures.length > 0 ? 'failed' : 'ok', planned: mine.length, failed: failures.length, errors: failures.slice(0, 3) }];
  });
}
