import type { Approval, Departure, DepartureAttempt, DepartureChange, PathStatus, SlackThreadRef } from '../../ports/departures';

/** The state machine every departure store applies (natively or read-check-write): pure, one place. */

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
