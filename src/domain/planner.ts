import type { Action, Plan } from './plan';
import { sortActions, sortFindings } from './planning/build';
import { buildContext, mustBeRevoked, phaseIn, type PlanContext, type PlanInput, type PlanPart } from './planning/context';
import { planHosts } from './planning/hosts';
import { planIdentityCenter } from './planning/identity-center';
import { planAccountHealth, planIamUsers } from './planning/iam';
import { planPeople } from './planning/people';
import { planSessions } from './planning/sessions';
import { planPolicyChecks } from './policy-checks/checks';
import { planReviewRevocations, reviewUsersNeedingDetail } from './planning/reviews';

export type { PlanInput, PlanPart, PlanContext } from './planning/context';
export { actionId } from './planning/build';

/** The planning steps, each pure over the shared context. */
const STEPS: readonly ((context: PlanContext) => PlanPart)[] = [planAccountHealth, planIamUsers, planPeople, planHosts, planIdentityCenter, planSessions, planPolicyChecks, planReviewRevocations];

/** Computes what must change and what to report, from the roster, the inventory and the policy at `now`. Pure. */
export function plan(input: PlanInput): Plan {
  const context = buildContext(input);
  const parts = STEPS.map((step) => step(context));
  const actions = sortActions(uniqueById(parts.flatMap((part) => part.actions)));
  const findings = sortFindings(parts.flatMap((part) => part.findings));
  const sessions = parts.flatMap((part) => part.sessions ?? []);
  return {
    version: 1,
    generatedAt: input.now.toISOString(),
    actions,
    findings,
    errors: input.roster.errors,
    guard: { tripped: false, reasons: [] },
    ...(sessions.length > 0 ? { sessions } : {}),
    summary: {
      actions: actions.length,
      findings: findings.length,
      people: input.roster.people.length,
      iamUsers: input.inventory.accounts.reduce((sum, account) => sum + account.users.length, 0),
    },
  };
}

/** The first of several steps planning the same change wins (a review revoking what least privilege removes anyway). */
function uniqueById(actions: readonly Action[]): Action[] {
  const seen = new Set<string>();
  return actions.filter((a) => !seen.has(a.id) && seen.add(a.id) !== undefined);
}

/**
 * The IAM users whose live detail the plan needs (users of people past their end, and orphans when quarantining),
 * per account. Least-privilege removals need none: groups and policies come from the bulk inventory.
 */
export function usersNeedingDetail(input: PlanInput): { account: string; userNames: string[] }[] {
  const context = buildContext(input);
  const byAccount = new Map<string, string[]>();
  const reviewed = new Set(reviewUsersNeedingDetail(context).map((u) => `${u.account}/${u.userName}`));
  for (const { user, class: userClass } of context.users) {
    const needed =
      (userClass.kind === 'matched' && mustBeRevoked(phaseIn(context, userClass.person))) ||
      ((userClass.kind === 'ambiguous' || userClass.kind === 'held-back') && userClass.people.some((p) => mustBeRevoked(phaseIn(context, p)))) ||
      (userClass.kind === 'unmatched' && input.policy.orphans === 'quarantine');
    if (!needed && !reviewed.has(`${user.account}/${user.userName}`)) continue;
    const names = byAccount.get(user.account);
    if (names === undefined) byAccount.set(user.account, [user.userName]);
    else names.push(user.userName);
  }
  return [...byAccount.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([account, userNames]) => ({ account, userNames: [...userNames].sort() }));
}
