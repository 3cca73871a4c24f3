import { isIdentityCenterAction, type Action } from '../../domain/plan';
import { isHostAction } from '../../domain/planning/hosts';
import { formatAuditPerson } from '../../domain/audit-chain';
import type { AnchorOutcome } from '../evidence';
import { mapLimit } from '../../lib/concurrency';
import type { ActionOutcome } from '../../ports';
import type { Plan } from '../../domain/plan';
import type { PlannedRun, ReconcileDeps } from './plan';
import { anchorRun, recordRun } from './records';
import { verifyHosts, verifyUsers } from './verify';
import { verifyRoles } from './verify-roles';
import { verifyIdentityCenter } from './identity-center';
import { enforcePasswordPolicies } from '../policy/password-policy';
import { errorText, resultAfter, userKey, type ActionRecord, type VerificationRecord } from './common';

export interface ApplyReport {
  readonly runId: string;
  readonly plan: Plan;
  readonly outcome: 'ok' | 'guard-tripped' | 'partial';
  readonly results: readonly ActionRecord[];
  readonly verifications: readonly VerificationRecord[];
  /** Where the audit chain head was anchored after the run (absent when no anchors are configured). */
  readonly anchor?: AnchorOutcome;
}

export interface ApplyOptions {
  /** `system`, `slack:U…` or `cli:NAME`. */
  readonly actor: string;
  /** Apply despite a tripped guard; who and why are audited. */
  readonly override?: { readonly by: string; readonly reason: string };
  /** Restrict the run to some actions (e.g. one person's offboarding from Slack). */
  readonly only?: (action: Action) => boolean;
  /**
   * Stops starting new actions once aborted (graceful shutdown): actions under way finish and are
   * audited and verified; the rest stay in the next run's plan.
   */
  readonly signal?: AbortSignal;
}

const auditTarget = (action: Action): string => (isHostAction(action) ? `${action.target.instanceId}:${action.target.osUser}` : action.userName);

const outcomeError = (outcome: ActionOutcome): string | undefined =>
  outcome.result === 'failed' ? outcome.error : outcome.result === 'skipped' ? outcome.note : undefined;

/**
 * Applies a plan: each action's intent is audited before the call and its result after; then every
 * changed IAM user is re-read and recorded `verified` only when the change holds (and, for leavers,
 * no access is left). Re-running it is safe: a finished action is not in the next plan.
 */
export async function applyPlan(deps: ReconcileDeps, planned: PlannedRun, options: ApplyOptions): Promise<ApplyReport> {
  const { runId, plan } = planned;
  const audit = deps.audit;
  const base = { runId, actor: options.actor } as const;

  if (plan.guard.tripped && options.override === undefined) {
    await audit.append({ ...base, action: 'guard.tripped', result: 'skipped', after: { reasons: plan.guard.reasons }, error: plan.guard.reasons.join('; ') });
    await deps.notifier.notify({ kind: 'guard-tripped', runId, reasons: plan.guard.reasons });
    await recordRun(deps, planned, 'apply', 'guard-tripped', { reasons: plan.guard.reasons });
    const anchor = await anchorRun(deps, runId);
    return { runId, plan, outcome: 'guard-tripped', results: [], verifications: [], ...(anchor !== undefined ? { anchor } : {}) };
  }
  if (plan.guard.tripped && options.override !== undefined) {
    await audit.append({
      ...base,
      actor: options.override.by,
      action: 'guard.override',
      result: 'ok',
      reason: options.override.reason,
      after: { reasons: plan.guard.reasons },
    });
  }
  await audit.append({ ...base, action: 'run.start', result: 'ok', after: { mode: 'apply', summary: plan.summary } });

  const actions = plan.actions.filter((a) => options.only?.(a) ?? true);
  await auditLeavers(deps, planned, options.actor, actions);
  deps.progress?.({ kind: 'phase', phase: 'apply' });
  const results = await executeAll(deps, runId, options.actor, actions, options.signal);
  const interrupted = actions.length - results.length;
  const policyFailures = options.only === undefined && options.signal?.aborted !== true ? await enforcePasswordPolicies(deps, plan, base) : 0;
  if (interrupted > 0) {
    await audit.append({ ...base, action: 'run.interrupted', result: 'skipped', after: { notStarted: interrupted }, error: 'stopped before all actions ran; the next run completes them' });
  }

  deps.progress?.({ kind: 'phase', phase: 'verify' });
  const userVerifications = await verifyUsers(deps, runId, options.actor, results, planned.inventory);
  const verifications = [
    ...userVerifications,
    ...(await verifyHosts(deps, runId, options.actor, results)),
    ...(await verifyRoles(deps, runId, options.actor, results, planned.startedAt, userVerifications)),
    ...(await verifyIdentityCenter(deps.identityCenter, deps.audit, runId, options.actor, results)),
  ];
  await auditLeaverSessions(deps, planned, options.actor, actions, verifications);

  const failed = results.filter((r) => r.outcome.result === 'failed').length + verifications.filter((v) => !v.verified).length + interrupted + policyFailures;
  const outcome = failed === 0 ? 'ok' : 'partial';
  await audit.append({
    ...base,
    action: 'run.finish',
    result: failed === 0 ? 'ok' : 'failed',
    after: { actions: results.length, failed, verified: verifications.filter((v) => v.verified).length },
  });
  await recordRun(deps, planned, 'apply', outcome, { actions: results.length, failed });
  const anchor = await anchorRun(deps, runId);
  await deps.notifier.notify({
    kind: 'run-summary',
    runId,
    plan,
    applied: results.filter((r) => r.outcome.result === 'ok').length,
    failed,
  });
  return { runId, plan, outcome, results, verifications, ...(anchor !== undefined ? { anchor } : {}) };
}

/**
 * One `leaver.revocation` entry per leaver this run acts on, holding what evidence reports need
 * beside the per-action entries: name, effective time and who marked the departure.
 */
async function auditLeavers(deps: ReconcileDeps, planned: PlannedRun, actor: string, actions: readonly Action[]): Promise<void> {
  const seen = new Set<string>();
  for (const action of actions) {
    if (action.reason !== 'departed' || action.person === undefined || seen.has(action.person.employeeId)) continue;
    seen.add(action.person.employeeId);
    const person = planned.roster.people.find((p) => p.employeeId === action.person?.employeeId);
    const accounts = [...new Set(actions.filter((a) => a.person?.employeeId === action.person?.employeeId).map((a) => a.account))];
    await deps.audit.append({
      runId: planned.runId,
      actor,
      action: 'leaver.revocation',
      person: formatAuditPerson(action.person),
      reason: 'departed',
      result: 'ok',
      after: {
        ...(person?.fullName !== undefined ? { fullName: person.fullName } : {}),
        ...(person?.endAt !== undefined ? { effectiveAt: person.endAt.toISOString() } : {}),
        markedBy: person?.departureMarkedBy ?? `roster:${person?.source.file ?? 'unknown'}`,
        accounts,
      },
    });
  }
}

/**
 * One `leaver.sessions` entry per leaver this run acted on: their live role sessions as planned, marked unverified
 * when a re-read of their user or a role did not confirm it (the leaver report, history and App Home read these).
 */
async function auditLeaverSessions(
  deps: ReconcileDeps,
  planned: PlannedRun,
  actor: string,
  actions: readonly Action[],
  verifications: readonly VerificationRecord[],
): Promise<void> {
  const acted = new Set(actions.flatMap((a) => (a.reason === 'departed' && a.person !== undefined ? [a.person.employeeId] : [])));
  for (const s of planned.plan.sessions ?? []) {
    if (s.person === undefined || !acted.has(s.person.employeeId)) continue;
    const verified = !verifications.some((v) => v.userName === s.userName && !v.verified);
    const summary = s.summary;
    await deps.audit.append({
      runId: planned.runId,
      actor,
      action: 'leaver.sessions',
      account: s.account,
      target: s.userName,
      person: formatAuditPerson(s.person),
      reason: 'departed',
      result: verified ? 'ok' : 'failed',
      after: {
        status: summary.status,
        ...(summary.status === 'ended' ? { at: summary.at.toISOString() } : { until: summary.until.toISOString() }),
        words: s.words,
        verified,
        principals: s.principals.map((p) => ({ arn: p.arn, words: p.words })),
      },
    });
  }
}

async function executeAll(
  deps: ReconcileDeps,
  runId: string,
  actor: string,
  actions: readonly Action[],
  signal: AbortSignal | undefined,
): Promise<ActionRecord[]> {
  const byUser = new Map<string, Action[]>();
  const byHost = new Map<string, Action[]>();
  for (const action of actions) {
    if (isHostAction(action)) {
      const list = byHost.get(action.target.instanceId) ?? [];
      list.push(action);
      byHost.set(action.target.instanceId, list);
    } else {
      const key = userKey(action.account, action.userName);
      const list = byUser.get(key) ?? [];
      list.push(action);
      byUser.set(key, list);
    }
  }
  const total = actions.length;
  let done = 0;
  const records: ActionRecord[] = [];
  const finish = async (action: Action, outcome: ActionOutcome): Promise<void> => {
    const error = outcomeError(outcome);
    await deps.audit.append({
      ...entryFor(runId, actor, action),
      result: outcome.result,
      ...(outcome.result === 'ok' && outcome.before !== undefined ? { before: outcome.before } : {}),
      after: resultAfter(action, outcome.result === 'ok' ? outcome.after : undefined),
      ...(error !== undefined ? { error } : {}),
    });
    records.push({ action, outcome });
    done += 1;
    deps.progress?.({ kind: 'action-done', done, total, action, outcome });
  };

  await mapLimit([...byUser.values()], deps.concurrency ?? 4, async (userActions) => {
    for (const action of userActions) {
      if (signal?.aborted === true) return;
      const directory = deps.directories.find((d) => d.account === action.account);
      await deps.audit.append({ ...entryFor(runId, actor, action), result: 'intent', before: action.target });
      const outcome: ActionOutcome = isIdentityCenterAction(action)
        ? deps.identityCenter === undefined
          ? { result: 'failed', error: 'Identity Center is not configured here', retryable: false }
          : await deps.identityCenter.execute(action).catch((error: unknown): ActionOutcome => ({ result: 'failed', error: errorText(error), retryable: true }))
        : directory === undefined
          ? { result: 'failed', error: `no directory for account ${action.account}`, retryable: false }
          : await directory.execute(action).catch(
              (error: unknown): ActionOutcome => ({ result: 'failed', error: errorText(error), retryable: true }),
            );
      await finish(action, outcome);
    }
  });

  // A fleet that batches gets every host at once (hosts with the same request share one SSM command); intents first.
  const fleet = deps.hosts;
  if (fleet?.executeOnHosts !== undefined && byHost.size > 0) {
    if (signal?.aborted === true) return records;
    for (const hostActions of byHost.values()) {
      for (const action of hostActions) await deps.audit.append({ ...entryFor(runId, actor, action), result: 'intent', before: action.target });
    }
    const outcomes = await fleet.executeOnHosts(byHost).catch((error: unknown): ReadonlyMap<string, ActionOutcome> => {
      const failed: ActionOutcome = { result: 'failed', error: errorText(error), retryable: true };
      return new Map([...byHost.values()].flat().map((a) => [a.id, failed]));
    });
    for (const hostActions of byHost.values()) {
      for (const action of hostActions) await finish(action, outcomes.get(action.id) ?? { result: 'failed', error: 'host gave no result for this action', retryable: true });
    }
    return records;
  }

  // One SSM command per host; hosts run side by side like users do (SSM's own MaxConcurrency still applies).
  await mapLimit([...byHost.entries()], deps.concurrency ?? 4, async ([instanceId, hostActions]) => {
    if (signal?.aborted === true) return;
    for (const action of hostActions) await deps.audit.append({ ...entryFor(runId, actor, action), result: 'intent', before: action.target });
    const outcomes =
      deps.hosts === undefined
        ? new Map<string, ActionOutcome>()
        : await deps.hosts.executeOnHost(instanceId, hostActions).catch((error: unknown) => {
            const failed: ActionOutcome = { result: 'failed', error: errorText(error), retryable: true };
            return new Map(hostActions.map((a) => [a.id, failed]));
          });
    for (const action of hostActions) {
      await finish(action, outcomes.get(action.id) ?? { result: 'failed', error: 'host gave no result for this action', retryable: true });
    }
  });
  return records;
}

const entryFor = (runId: string, actor: string, action: Action) => ({
  runId,
  actor,
  action: action.kind,
  account: action.account,
  target: auditTarget(action),
  ...(action.person !== undefined ? { person: formatAuditPerson(action.person) } : {}),
  reason: action.reason,
});

