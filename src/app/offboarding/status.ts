import type { Departure } from '../../domain/departure-lifecycle';
import type { Finding } from '../../domain/plan';
import { errorText } from '../../errors';
import type { AuditEntry, AuditLog, RunRecord } from '../../ports';
import type { SnapshotStore } from '../../ports/evidence';
import { policySummaryLine } from '../../domain/policy-checks/clauses';
import { policyReport } from '../policy/report';
import { lower, withDepartureOverlay, type OffboardingDeps } from './deps';

/** What auditors and HR read: a person's or IAM user's history, and the offboarding status. */

const DAY_MS = 86_400_000;

/** Whose history an auditor asked for. */
export type HistoryTarget = { readonly kind: 'person'; readonly email: string } | { readonly kind: 'iam-user'; readonly userName: string };

/** Audit entries about a person (by email) or an IAM user, newest first, at most `limit`. */
export async function accessHistory(audit: AuditLog, target: HistoryTarget, limit = 500): Promise<AuditEntry[]> {
  const entries =
    target.kind === 'person' ? await audit.query({ person: lower(target.email), limit }) : await audit.query({ userName: target.userName, limit });
  return [...entries].sort((a, b) => b.seq - a.seq);
}

/** The snapshot store auditors' queries read, if this deployment keeps snapshots. */
export const snapshotsOf = (deps: OffboardingDeps): SnapshotStore | undefined => deps.snapshots ?? deps.reconcile.evidence?.snapshots;

/** The status auditors and HR see: last run, pending and unresolved departures, recent guard trips, open findings. */
export interface OffboardingStatus {
  readonly lastRun?: RunRecord;
  readonly pending: readonly Departure[];
  /** Due departures whose last attempt left access open or failed. */
  readonly unresolved: readonly Departure[];
  readonly guardTrips: readonly AuditEntry[];
  /** Current findings from a dry run; an error message when it could not be computed. */
  readonly findings?: readonly Finding[] | { readonly error: string };
  /** One line on the security policy's access clauses (computed with the findings). */
  readonly policy?: string;
}

export interface StatusOptions {
  /** Compute the current findings with a dry run (reads AWS, writes nothing). */
  readonly withFindings?: boolean;
  readonly guardTripDays?: number;
}

/** Gathers the status; the dry run only when asked, since it reads every account. */
export async function offboardingStatus(deps: OffboardingDeps, options: StatusOptions = {}): Promise<OffboardingStatus> {
  const now = deps.reconcile.clock.now();
  const [lastRun, pending, recent] = await Promise.all([
    deps.reconcile.runs.lastCompleted(),
    deps.departures.listPending(),
    deps.reconcile.audit.query({ since: new Date(now.getTime() - (options.guardTripDays ?? 7) * DAY_MS), limit: 2000 }),
  ]);
  const unresolved = pending.filter((d) => d.status === 'scheduled' && d.lastAttempt !== undefined && d.lastAttempt.outcome !== 'no-access-left');
  const guardTrips = recent.filter((e) => e.action === 'guard.tripped').sort((a, b) => b.seq - a.seq);
  let findings: OffboardingStatus['findings'];
  let policy: string | undefined;
  if (options.withFindings === true) {
    try {
      const { report, planned } = await policyReport(withDepartureOverlay(deps), { verifyChain: false });
      findings = planned.plan.findings;
      policy = policySummaryLine(report);
    } catch (error) {
      findings = { error: errorText(error) };
    }
  }
  return {
    ...(lastRun !== undefined ? { lastRun } : {}),
    pending,
    unresolved,
    guardTrips,
    ...(findings !== undefined ? { findings } : {}),
    ...(policy !== undefined ? { policy } : {}),
  };
}
