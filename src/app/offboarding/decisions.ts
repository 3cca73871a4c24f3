import type { Departure, DepartureAttempt, DepartureRefusal } from '../../domain/departure-lifecycle';
import type { Roster } from '../../domain/roster';
import { errorText } from '../../errors';
import { applyDepartureRun, applyDueDepartures } from './apply';
import { announceFailed, lower, type OffboardingDeps } from './deps';
import type { DepartureDraft } from './form';
import { previewDeparture } from './preview';

/** HR's decisions on a departure: confirm, approve, cancel; never by the person leaving, always audited. */

/** What confirming led to: recorded and scheduled, awaiting approval, attempted now, a duplicate, or refused. */
export type ConfirmResult =
  | { readonly kind: 'duplicate'; readonly departure: Departure }
  | { readonly kind: 'blocked'; readonly reasons: readonly string[] }
  | { readonly kind: 'awaiting-approval'; readonly departure: Departure }
  | { readonly kind: 'scheduled'; readonly departure: Departure }
  | { readonly kind: 'attempted'; readonly departure: Departure; readonly attempt: DepartureAttempt };

/**
 * Records a confirmed departure (idempotent by draft id), announces it, and revokes now when its time has passed and
 * no second approver is needed; otherwise the scheduled run applies it when due.
 */
export async function confirmDeparture(deps: OffboardingDeps, draft: DepartureDraft): Promise<ConfirmResult> {
  const existing = await deps.departures.get(draft.id);
  if (existing !== undefined) return { kind: 'duplicate', departure: existing };
  const preview = await previewDeparture(deps, draft);
  if (preview.blockers.length > 0) return { kind: 'blocked', reasons: preview.blockers };

  const now = deps.reconcile.clock.now();
  const departure: Departure = {
    id: draft.id,
    person: preview.person,
    effectiveAt: draft.effectiveNow === true ? now : draft.effectiveAt,
    timezone: draft.timezone,
    ...(draft.reason !== undefined ? { reason: draft.reason } : {}),
    ...(draft.notes !== undefined ? { notes: draft.notes } : {}),
    markedBy: draft.requestedBy,
    status: preview.requiredApprovals > 1 ? 'awaiting-approval' : 'scheduled',
    approvals: [{ by: draft.requestedBy, at: now }],
    requiredApprovals: preview.requiredApprovals,
    createdAt: now,
    paths: preview.paths,
    attempts: 0,
  };
  const added = await deps.departures.add(departure);
  if (!added.added) return { kind: 'duplicate', departure: added.existing };
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor: draft.requestedBy,
    action: 'slack.departure.confirmed',
    target: departure.person.email,
    person: departure.person.email,
    ...(departure.reason !== undefined ? { reason: departure.reason } : {}),
    result: 'ok',
    after: {
      departureId: departure.id,
      effectiveAt: departure.effectiveAt.toISOString(),
      timezone: departure.timezone,
      status: departure.status,
      requiredApprovals: departure.requiredApprovals,
      adminReasons: preview.adminReasons,
      plannedActions: preview.actions.length,
      ...(departure.notes !== undefined ? { notes: departure.notes } : {}),
    },
  });
  const announced = await announce(deps, departure);
  if (announced.status === 'awaiting-approval') return { kind: 'awaiting-approval', departure: announced };
  if (announced.effectiveAt.getTime() > now.getTime()) return { kind: 'scheduled', departure: announced };
  const [outcome] = await applyDepartureRun(deps, [announced], preview.planned, draft.requestedBy);
  return outcome === undefined ? { kind: 'scheduled', departure: announced } : { kind: 'attempted', ...outcome };
}

async function announce(deps: OffboardingDeps, departure: Departure): Promise<Departure> {
  const thread = await deps.announcer.opened(departure).catch(announceFailed(deps, departure));
  if (thread === undefined) return departure;
  const attached = await deps.departures.attachThread(departure.id, thread);
  return attached.ok ? attached.departure : departure;
}

/**
 * Who is deciding on a departure: the audit actor and what Slack says about them, so the person leaving is recognised
 * by their Slack id and by their email, whichever the roster or the departure knows.
 */
export interface Decider {
  /** `slack:U…` or `cli:NAME`. */
  readonly actor: string;
  readonly slackUserId?: string;
  /** The email Slack has for the decider (absent when Slack has none). */
  readonly email?: string;
  /** Slack could not be asked who the decider is: their decision is refused (fail closed). */
  readonly lookupError?: string;
}

/** A decider known by actor only (CLI, tests): a `slack:U…` actor still carries its Slack id. */
export const deciderOf = (actor: string): Decider => {
  const slackUserId = /^slack:([UW][A-Z0-9]+)$/.exec(actor)?.[1];
  return { actor, ...(slackUserId !== undefined ? { slackUserId } : {}) };
};

/** Why a decision was refused before the store was asked: the decider is the person leaving, or could not be told apart from them. */
export type DeciderRefusal = 'leaver' | 'unconfirmed';

/**
 * Whether the decider is the person the departure is about: their Slack id or email equals the departure's, or the
 * roster person's (the roster may know a slack_id the departure does not). Unreadable roster or Slack: unconfirmed.
 */
async function leaverCheck(deps: OffboardingDeps, departure: Departure, decider: Decider): Promise<{ refusal: DeciderRefusal; why: string } | undefined> {
  if (decider.lookupError !== undefined) return { refusal: 'unconfirmed', why: `Slack could not say who ${decider.actor} is: ${decider.lookupError}` };
  let roster: Roster;
  try {
    roster = await deps.reconcile.roster.load();
  } catch (error) {
    return { refusal: 'unconfirmed', why: `the roster could not be read to tell ${decider.actor} from the leaver: ${errorText(error)}` };
  }
  const leaver = departure.person;
  const rosterPerson =
    (leaver.employeeId !== undefined ? roster.people.find((p) => p.employeeId === leaver.employeeId) : undefined) ??
    roster.people.find((p) => lower(p.email) === lower(leaver.email));
  const slackIds = new Set([leaver.slackId, rosterPerson?.slackId].filter((id): id is string => id !== undefined && id !== ''));
  const emails = new Set([leaver.email, rosterPerson?.email].filter((e): e is string => e !== undefined).map(lower));
  if (decider.slackUserId !== undefined && slackIds.has(decider.slackUserId)) return { refusal: 'leaver', why: `leaver: ${decider.actor} is the Slack user of ${leaver.email}` };
  if (decider.email !== undefined && emails.has(lower(decider.email))) return { refusal: 'leaver', why: `leaver: ${decider.actor} has the email of ${leaver.email}` };
  return undefined;
}

async function auditRefusal(deps: OffboardingDeps, departure: Departure, decider: Decider, decision: 'approve' | 'cancel', why: string): Promise<void> {
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor: decider.actor,
    action: 'slack.departure.refused',
    target: departure.person.email,
    person: departure.person.email,
    result: 'skipped',
    error: why,
    after: { departureId: departure.id, decision, status: departure.status },
  });
}

/** What an approval led to. */
export type ApproveResult =
  | { readonly kind: 'approved'; readonly departure: Departure }
  | { readonly kind: 'attempted'; readonly departure: Departure; readonly attempt: DepartureAttempt }
  | { readonly kind: 'refused'; readonly reason: DepartureRefusal | DeciderRefusal | 'self-approval'; readonly departure?: Departure };

/** A second HR approver approves (never the person who marked it, never the leaver); the departure then proceeds like a confirmed one. */
export async function approveDeparture(deps: OffboardingDeps, id: string, decider: Decider): Promise<ApproveResult> {
  const approver = decider.actor;
  const current = await deps.departures.get(id);
  if (current === undefined) return { kind: 'refused', reason: 'not-found' };
  if (current.markedBy === approver) return { kind: 'refused', reason: 'self-approval', departure: current };
  const refusal = await leaverCheck(deps, current, decider);
  if (refusal !== undefined) {
    await auditRefusal(deps, current, decider, 'approve', refusal.why);
    return { kind: 'refused', reason: refusal.refusal, departure: current };
  }
  const now = deps.reconcile.clock.now();
  const change = await deps.departures.approve(id, { by: approver, at: now });
  if (!change.ok) return { kind: 'refused', reason: change.reason, ...(change.departure !== undefined ? { departure: change.departure } : {}) };
  const departure = change.departure;
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor: approver,
    action: 'slack.departure.approved',
    target: departure.person.email,
    person: departure.person.email,
    result: 'ok',
    after: { departureId: departure.id, status: departure.status, approvals: departure.approvals.map((a) => a.by) },
  });
  await deps.announcer.changed(departure, { kind: 'approved', by: approver }).catch(announceFailed(deps, departure));
  if (departure.status !== 'scheduled' || departure.effectiveAt.getTime() > now.getTime()) return { kind: 'approved', departure };
  const [outcome] = await applyDueDepartures(deps, { actor: approver, ids: [departure.id] });
  return outcome === undefined ? { kind: 'approved', departure } : { kind: 'attempted', ...outcome };
}

/** Cancelled, a cancel request recorded (a second HR member must confirm), or why not. */
export type CancelResult =
  | { readonly kind: 'cancelled'; readonly departure: Departure }
  | { readonly kind: 'cancel-requested'; readonly departure: Departure }
  | { readonly kind: 'refused'; readonly reason: DepartureRefusal | DeciderRefusal; readonly departure?: Departure };

/**
 * Withdraws a departure that has not taken effect yet; audited, and the announcement says so. Never by the leaver; a
 * departure that needed several approvers needs as many different HR members to cancel it.
 */
export async function cancelDeparture(deps: OffboardingDeps, id: string, decider: Decider): Promise<CancelResult> {
  const actor = decider.actor;
  const current = await deps.departures.get(id);
  if (current === undefined) return { kind: 'refused', reason: 'not-found' };
  const refusal = await leaverCheck(deps, current, decider);
  if (refusal !== undefined) {
    await auditRefusal(deps, current, decider, 'cancel', refusal.why);
    return { kind: 'refused', reason: refusal.refusal, departure: current };
  }
  const change = await deps.departures.cancel(id, { by: actor, at: deps.reconcile.clock.now() });
  if (!change.ok) return { kind: 'refused', reason: change.reason, ...(change.departure !== undefined ? { departure: change.departure } : {}) };
  const departure = change.departure;
  const requested = departure.status !== 'cancelled';
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor,
    action: requested ? 'slack.departure.cancel-requested' : 'slack.departure.cancelled',
    target: departure.person.email,
    person: departure.person.email,
    result: 'ok',
    after: {
      departureId: departure.id,
      effectiveAt: departure.effectiveAt.toISOString(),
      ...(departure.cancelRequests !== undefined ? { cancelRequests: departure.cancelRequests.map((r) => r.by), requiredApprovals: departure.requiredApprovals } : {}),
    },
  });
  await deps.announcer.changed(departure, { kind: requested ? 'cancel-requested' : 'cancelled', by: actor }).catch(announceFailed(deps, departure));
  return requested ? { kind: 'cancel-requested', departure } : { kind: 'cancelled', departure };
}
