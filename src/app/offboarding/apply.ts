import { mergePathResults, type Departure, type DepartureAttempt, type PathStatus } from '../../domain/departure-lifecycle';
import type { AccessPolicy } from '../../domain/policy';
import { errorText } from '../../errors';
import type { Notifier } from '../../ports';
import { applyPlan, computePlan, type ApplyReport, type PlannedRun } from '../reconcile';
import { announceFailed, lower, withDepartureOverlay, type OffboardingDeps } from './deps';
import { departureActionFilter } from './preview';

/** Applying due departures through the one reconcile path, and recording each attempt. */

/** A departure after one attempt, with that attempt. */
export interface DepartureOutcome {
  readonly departure: Departure;
  readonly attempt: DepartureAttempt;
}

/** The run summary is the thread's job for departure runs; guard trips still go to the channel. */
const departureRunNotifier = (inner: Notifier): Notifier => ({
  notify: async (notice) => (notice.kind === 'run-summary' ? undefined : inner.notify(notice)),
});

/**
 * Applies every due departure (or the named ones) through the one reconcile path: plan with the overlay, apply only
 * those people's revocations, verify, record the attempt and update each thread. Nothing due: no AWS call at all.
 */
export async function applyDueDepartures(
  deps: OffboardingDeps,
  options: { readonly actor?: string; readonly ids?: readonly string[] } = {},
): Promise<DepartureOutcome[]> {
  const now = deps.reconcile.clock.now();
  const wanted = options.ids === undefined ? undefined : new Set(options.ids);
  const due = (await deps.departures.listDue(now)).filter((d) => wanted === undefined || wanted.has(d.id));
  if (due.length === 0) return [];
  let planned: PlannedRun;
  try {
    planned = await computePlan(withDepartureOverlay(deps));
  } catch (error) {
    const attempt: DepartureAttempt = { at: now, runId: `plan-failed-${now.getTime()}`, outcome: 'error', remaining: [], error: errorText(error) };
    return recordAll(deps, due.map((departure) => ({ departure, attempt, paths: departure.paths })));
  }
  return applyDepartureRun(deps, due, planned, options.actor ?? 'system');
}

export async function applyDepartureRun(deps: OffboardingDeps, departures: readonly Departure[], planned: PlannedRun, actor: string): Promise<DepartureOutcome[]> {
  const emails = new Set(departures.map((d) => lower(d.person.email)));
  let report: ApplyReport;
  try {
    report = await applyPlan({ ...withDepartureOverlay(deps), notifier: departureRunNotifier(deps.reconcile.notifier) }, planned, {
      actor,
      only: departureActionFilter(emails),
    });
  } catch (error) {
    const at = deps.reconcile.clock.now();
    const attempt: DepartureAttempt = { at, runId: planned.runId, outcome: 'error', remaining: [], error: errorText(error) };
    return recordAll(deps, departures.map((departure) => ({ departure, attempt, paths: departure.paths })));
  }
  const at = deps.reconcile.clock.now();
  return recordAll(
    deps,
    departures.map((departure) => {
      const { attempt, paths } = attemptFor(departure, planned, report, deps.reconcile.policy, at);
      return { departure, attempt, paths };
    }),
  );
}

/** Judges one departure's share of a run: "no access left" only when the roster says departed, nothing failed and every touched user verified. */
function attemptFor(departure: Departure, planned: PlannedRun, report: ApplyReport, policy: AccessPolicy, at: Date): { attempt: DepartureAttempt; paths: PathStatus[] } {
  const email = lower(departure.person.email);
  const results = report.results.filter((r) => r.action.person !== undefined && lower(r.action.person.email) === email);
  const paths = mergePathResults(departure.paths, results);
  const base = { at, runId: report.runId };
  if (report.outcome === 'guard-tripped') {
    return { attempt: { ...base, outcome: 'guard-tripped', remaining: [], error: report.plan.guard.reasons.join(' ') }, paths };
  }
  const remaining: string[] = [];
  const person = planned.roster.people.find((p) => lower(p.email) === email);
  if (person === undefined || person.status !== 'departed') {
    const why = planned.roster.errors.find((e) => e.source === 'departures' && e.message.toLowerCase().includes(email));
    return { attempt: { ...base, outcome: 'error', remaining: [], error: why?.message ?? `${email} is not a departed person on the roster` }, paths };
  }
  const touched = new Set(results.map((r) => `${r.action.account}/${r.action.userName}`));
  for (const v of report.verifications) {
    if (touched.has(`${v.account}/${v.userName}`) && !v.verified) remaining.push(...v.remaining.map((r) => `${v.account}/${v.userName}: ${r}`));
  }
  for (const r of results) if (r.outcome.result === 'failed') remaining.push(`${r.action.kind} on ${r.action.userName} failed: ${r.outcome.error}`);
  for (const e of planned.inventory.accountErrors) remaining.push(`account ${e.account} could not be read: ${e.message}`);
  for (const f of planned.plan.findings) if (f.kind === 'host-unreachable') remaining.push(f.detail);
  const outcome = remaining.length === 0 ? 'no-access-left' : 'partial';
  const hostsPending = planned.plan.findings.some((f) => f.kind === 'host-unreachable');
  const shownPaths = hostsPending ? paths.map((p) => (p.path === 'hosts' && p.state === 'ok' ? { ...p, state: 'pending' as const } : p)) : paths;
  // A deny that did not verify is in `remaining`: until then the planned "ended" is a plan, not a fact.
  const sessions = (report.plan.sessions ?? [])
    .filter((x) => x.person !== undefined && lower(x.person.email) === email)
    .map((x) => `${x.account}/${x.userName}: ${x.words}${outcome === 'no-access-left' ? '' : ' (not verified yet)'}`);
  return { attempt: { ...base, outcome, remaining, ...(sessions.length > 0 ? { sessions } : {}) }, paths: shownPaths };
}

async function recordAll(
  deps: OffboardingDeps,
  items: readonly { departure: Departure; attempt: DepartureAttempt; paths: readonly PathStatus[] }[],
): Promise<DepartureOutcome[]> {
  const outcomes: DepartureOutcome[] = [];
  for (const { departure, attempt, paths } of items) {
    const change = await deps.departures.recordAttempt(departure.id, attempt, paths);
    // Cancelled or applied meanwhile by someone else: theirs is the last word.
    if (!change.ok) continue;
    const updated = change.departure;
    if (updated.status === 'applied') {
      await deps.reconcile.audit.append({
        runId: attempt.runId,
        actor: 'system',
        action: 'departure.no-access-left',
        target: updated.person.email,
        person: updated.person.email,
        ...(updated.reason !== undefined ? { reason: updated.reason } : {}),
        result: 'verified',
        after: {
          departureId: updated.id,
          effectiveAt: updated.effectiveAt.toISOString(),
          noAccessLeftAt: attempt.at.toISOString(),
          secondsAfterEffective: Math.round((attempt.at.getTime() - updated.effectiveAt.getTime()) / 1000),
          attempts: updated.attempts,
          // Read alone, the entry names whose access it closed and which paths (issue 11: self-standing results).
          ...(updated.person.employeeId !== undefined ? { employeeId: updated.person.employeeId } : {}),
          closedPaths: paths.filter((p) => p.state === 'ok').map((p) => p.path),
        },
      });
    }
    await deps.announcer.changed(updated, { kind: 'attempted' }).catch(announceFailed(deps, updated));
    outcomes.push({ departure: updated, attempt });
  }
  return outcomes;
}
