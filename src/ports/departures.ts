/** Departures HR marks outside the roster file (Slack `/offboard`), and where their progress is announced. */

import type { Approval, Departure, DepartureAttempt, DepartureChange, PathStatus, SlackThreadRef } from '../domain/departure-lifecycle';

export type {
  AccessPath,
  Approval,
  AttemptOutcome,
  Departure,
  DepartureAttempt,
  DepartureChange,
  DeparturePerson,
  DepartureRefusal,
  DepartureStatus,
  PathState,
  PathStatus,
  SlackThreadRef,
} from '../domain/departure-lifecycle';

export type AddResult = { readonly added: true; readonly departure: Departure } | { readonly added: false; readonly existing: Departure };

/**
 * Where departures live (SQLite now, DynamoDB later). Every change is a compare-and-set on the status,
 * so two clicks, two workers or a retried delivery never apply or cancel twice.
 */
export interface DepartureStore {
  /** Records a new departure; an existing id is left untouched and returned (confirm is idempotent by id). */
  add(departure: Departure): Promise<AddResult>;
  get(id: string): Promise<Departure | undefined>;
  /** Not yet applied nor cancelled (awaiting approval or scheduled), earliest effective first. */
  listPending(): Promise<readonly Departure[]>;
  /** Scheduled and effective at or before `now` (including earlier attempts that left access open). */
  listDue(now: Date): Promise<readonly Departure[]>;
  /** What the roster overlay uses: scheduled and applied departures. */
  listEffective(): Promise<readonly Departure[]>;
  /** Adds an approval to an awaiting departure; it becomes scheduled once `requiredApprovals` is reached. */
  approve(id: string, approval: Approval): Promise<DepartureChange>;
  /**
   * Cancels an awaiting departure, or a scheduled one whose effective time is still after `cancelled.at`; one that
   * needed several approvers first collects that many different cancel requests (`cancelRequests`).
   */
  cancel(id: string, cancelled: Approval): Promise<DepartureChange>;
  /** Records an attempt on a scheduled departure; `no-access-left` moves it to applied. */
  recordAttempt(id: string, attempt: DepartureAttempt, paths: readonly PathStatus[]): Promise<DepartureChange>;
  attachThread(id: string, thread: SlackThreadRef): Promise<DepartureChange>;
}

/** What happened to a departure, for whoever announces it (the Slack thread). */
export type DepartureEvent =
  | { readonly kind: 'approved'; readonly by: string }
  | { readonly kind: 'attempted' }
  | { readonly kind: 'cancelled'; readonly by: string }
  | { readonly kind: 'cancel-requested'; readonly by: string };

/** Announces departures and their progress (a Slack thread updated in place, or nothing). */
export interface DepartureNotifier {
  /** Announces a newly recorded departure; returns where later updates go, if anywhere. */
  opened(departure: Departure): Promise<SlackThreadRef | undefined>;
  /** The departure changed: update the announcement in place and say what happened in its thread. */
  changed(departure: Departure, event: DepartureEvent): Promise<void>;
}
