import type { Plan } from '../../domain/plan';
import { errorText } from '../../errors';
import type { ActionOutcome } from '../../ports';
import type { ReconcileDeps } from '../reconcile/plan';

const accountOf = (directory: ReconcileDeps['directories'][number]): string | undefined => {
  try {
    return directory.account;
  } catch {
    return undefined;
  }
};

/**
 * `passwordPolicy.enforce`: sets each account whose plan found its password policy weak to the configured minimum
 * (only ever tightening it), audited as intent then result. Runs only inside an apply the guard let through, and
 * never for a single person's departure (`whole` false): an account-wide setting is the scheduled run's business.
 */
export async function enforcePasswordPolicies(deps: ReconcileDeps, plan: Plan, base: { readonly runId: string; readonly actor: string }): Promise<number> {
  const settings = deps.policy.checks;
  if (settings?.passwordPolicy.enforce !== true) return 0;
  const { enforce: _enforce, ...required } = settings.passwordPolicy;
  const accounts = [...new Set(plan.findings.filter((f) => f.kind === 'password-policy-weak' && f.account !== undefined).map((f) => f.account as string))].sort();
  let failed = 0;
  for (const account of accounts) {
    const directory = deps.directories.find((d) => accountOf(d) === account);
    if (directory?.enforcePasswordPolicy === undefined) continue;
    const entry = { ...base, action: 'password-policy.set' as const, account, target: 'account password policy', reason: 'credential-hygiene' };
    await deps.audit.append({ ...entry, result: 'intent', after: { required } });
    let outcome: ActionOutcome;
    try {
      outcome = await directory.enforcePasswordPolicy(required);
    } catch (error) {
      outcome = { result: 'failed', error: errorText(error), retryable: true };
    }
    if (outcome.result === 'failed') failed += 1;
    await deps.audit.append(
      outcome.result === 'ok'
        ? { ...entry, result: 'ok', before: outcome.before, after: outcome.after }
        : outcome.result === 'failed'
          ? { ...entry, result: 'failed', error: outcome.error }
          : { ...entry, result: 'skipped', error: outcome.note },
    );
  }
  return failed;
}
