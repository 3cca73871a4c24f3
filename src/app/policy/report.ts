import { buildContext } from '../../domain/planning/context';
import { identityCenterExtras, runPolicyChecks } from '../../domain/policy-checks/checks';
import { buildPolicyReport, type PolicyReport } from '../../domain/policy-checks/clauses';
import { DEFAULT_POLICY_CHECKS } from '../../domain/policy-checks/posture';
import { computePlan, type PlannedRun, type ReconcileDeps } from '../reconcile';

export interface PolicyReportResult {
  readonly report: PolicyReport;
  readonly planned: PlannedRun;
}

/**
 * Where the company stands on each access clause of the security policy now: a dry-run plan (nothing is written to
 * AWS, and no evidence snapshot is stored for it), the policy checks' runs, and the audit chain verified.
 */
export async function policyReport(deps: ReconcileDeps, options: { readonly verifyChain?: boolean } = {}): Promise<PolicyReportResult> {
  const { evidence: _evidence, ...readOnly } = deps;
  const settings = deps.policy.checks ?? DEFAULT_POLICY_CHECKS;
  const policy = { ...deps.policy, checks: settings };
  const planned = await computePlan({ ...readOnly, policy });
  const context = buildContext({ roster: planned.roster, inventory: planned.inventory, policy, now: new Date(planned.plan.generatedAt) });
  const { runs } = runPolicyChecks(context, settings, identityCenterExtras(context));
  // Verifying reads the whole log: the CLI report does it, Slack's quick status line leaves it out (the clause then reads N/A).
  if (options.verifyChain === false) return { report: buildPolicyReport({ plan: planned.plan, runs }), planned };
  const verified = await deps.audit.verify();
  const chain = verified.ok ? { ok: true, entries: verified.entries } : { ok: false, entries: verified.entries, problem: `at seq ${verified.firstBadSeq}: ${verified.problem}` };
  return { report: buildPolicyReport({ plan: planned.plan, runs, chain }), planned };
}
