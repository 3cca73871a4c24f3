import { applyDepartures } from '../../domain/departures';
import type { Roster } from '../../domain/roster';
import { errorText } from '../../errors';
import type { Departure, DepartureNotifier, DepartureStore } from '../../ports/departures';
import type { SnapshotStore } from '../../ports/evidence';
import type { ReconcileDeps } from '../reconcile';

/** What every offboarding use case needs, and the roster overlay they all plan with. */

/** When a second HR approver is required (`slack.secondApproverFor`). */
export type SecondApproverRule = 'none' | 'admins' | 'all';

/** What the offboarding use cases need; the reconcile deps are the same ones the scheduled run uses. */
export interface OffboardingDeps {
  /** Its `overlayRoster` is replaced by the departure store's overlay. */
  readonly reconcile: ReconcileDeps;
  readonly departures: DepartureStore;
  readonly announcer: DepartureNotifier;
  readonly secondApproverFor: SecondApproverRule;
  /** A departure further back than this is refused as a likely typo (default 30 days). */
  readonly maxBackdateDays?: number;
  /** A departure further ahead than this is refused as a likely typo (default 366 days). */
  readonly maxAheadDays?: number;
  readonly newId?: () => string;
  /** Where failures to announce (Slack down) are reported; announcing never blocks a revocation. */
  readonly log?: { warn(message: string): void };
  /** Access snapshots auditors' history and point-in-time queries read (default: the store reconciliation records to). */
  readonly snapshots?: SnapshotStore;
}

export const lower = (s: string): string => s.trim().toLowerCase();

const asDomainDeparture = (d: Departure) => ({
  email: d.person.email,
  ...(d.person.employeeId !== undefined ? { employeeId: d.person.employeeId } : {}),
  effectiveAt: d.effectiveAt,
  markedBy: d.markedBy,
  ...(d.reason !== undefined ? { reason: d.reason } : {}),
});

/** The `overlayRoster` hook for every reconciliation: departures recorded in the store, on top of the roster file. */
export function departureOverlay(store: DepartureStore, extra: readonly Departure[] = []): (now: Date) => Promise<(roster: Roster) => Roster> {
  return async () => {
    const stored = await store.listEffective();
    const extraIds = new Set(extra.map((d) => d.id));
    const departures = [...stored.filter((d) => !extraIds.has(d.id)), ...extra].map(asDomainDeparture);
    return (roster) => applyDepartures(roster, departures);
  };
}

/** The reconcile deps with recorded departures (and `extra` ones not yet recorded) overlaid on the roster. */
export const withDepartureOverlay = (deps: OffboardingDeps, extra: readonly Departure[] = []): ReconcileDeps => ({
  ...deps.reconcile,
  overlayRoster: departureOverlay(deps.departures, extra),
});

/** Logs a failure to announce and carries on: announcing never blocks a revocation. */
export const announceFailed = (deps: OffboardingDeps, departure: Departure) => (error: unknown): undefined => {
  deps.log?.warn(`Could not announce departure ${departure.id}: ${errorText(error)}`);
  return undefined;
};
