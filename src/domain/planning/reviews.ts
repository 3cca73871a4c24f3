import type { Action } from '../plan';
import { personRef, type Person } from '../roster';
import { revocationOf, type Entitlement } from '../reviews/entitlements';
import type { ReviewedRevocation } from '../reviews/types';
import { type ClassifiedUser, type PlanContext, type PlanPart, phaseIn } from './context';
import { ownedHostAccounts } from './hosts';

const lower = (s: string | undefined): string => (s ?? '').trim().toLowerCase();

/** Revocations still in force for a person: decided for this employee id, still working, role unchanged since. */
function inForce(context: PlanContext): Map<Person, ReviewedRevocation[]> {
  const out = new Map<Person, ReviewedRevocation[]>();
  const reviews = context.input.reviews ?? [];
  if (reviews.length === 0) return out;
  const byId = new Map(context.input.roster.people.map((p) => [p.employeeId, p] as const));
  for (const revocation of reviews) {
    const person = byId.get(revocation.employeeId);
    if (person === undefined || lower(person.email) !== lower(revocation.email)) continue;
    if (phaseIn(context, person).kind !== 'working' || lower(person.role) !== lower(revocation.role)) continue;
    out.set(person, [...(out.get(person) ?? []), revocation]);
  }
  return out;
}

const userOf = (context: PlanContext, person: Person, account: string, userName: string): ClassifiedUser | undefined =>
  context.users.find(
    (u) => u.user.account === account && u.user.userName === userName && u.class.kind === 'matched' && u.class.person === person,
  );

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Whether the person still holds it, by the inventory (an access key only when live detail was read). */
function stillHeld(context: PlanContext, person: Person, e: Entitlement, hostAccounts: ReturnType<typeof ownedHostAccounts>): boolean {
  if (e.kind === 'host-account') {
    return hostAccounts.some((h) => h.person === person && h.host.instanceId === e.instanceId && h.osUser === e.osUser);
  }
  const user = userOf(context, person, e.account, e.userName)?.user;
  if (user === undefined) return false;
  switch (e.kind) {
    case 'iam-group':
      return (user.detail?.groups ?? user.groups).some((g) => same(g, e.groupName));
    case 'iam-managed-policy':
      return (user.detail?.attachedPolicies ?? user.attachedPolicies).some((p) => p.arn === e.policyArn);
    case 'iam-inline-policy':
      return (user.detail?.inlinePolicies ?? user.inlinePolicies).includes(e.policyName);
    case 'iam-access-key':
      return (user.detail?.accessKeys ?? []).some((k) => k.id === e.accessKeyId && k.status === 'Active');
  }
}

/**
 * Takes away what a review revoked, wherever the person still holds it (reason `review-revoked`), so a revoke goes
 * through the same guard, apply, verification and audit as every other change. Pure.
 */
export function planReviewRevocations(context: PlanContext): PlanPart {
  const forced = inForce(context);
  if (forced.size === 0) return { actions: [], findings: [] };
  const hostAccounts = ownedHostAccounts(context);
  const actions: Action[] = [];
  for (const [person, revocations] of forced) {
    for (const { entitlement } of revocations) {
      if (stillHeld(context, person, entitlement, hostAccounts)) actions.push(revocationOf(entitlement, personRef(person)));
    }
  }
  return { actions, findings: [] };
}

/** Users whose live detail a review revocation needs (access keys are only in live detail). */
export function reviewUsersNeedingDetail(context: PlanContext): { account: string; userName: string }[] {
  const wanted: { account: string; userName: string }[] = [];
  for (const [person, revocations] of inForce(context)) {
    for (const { entitlement: e } of revocations) {
      if (e.kind === 'iam-access-key' && userOf(context, person, e.account, e.userName) !== undefined) wanted.push({ account: e.account, userName: e.userName });
    }
  }
  return wanted;
}

/** Whether a group the person's role grants was revoked by their last review (a reviewed exception: never reported missing). */
export function isReviewedException(context: PlanContext, person: Person, account: string, groupName: string): boolean {
  return (context.input.reviews ?? []).some(
    (r) =>
      r.roleAllows &&
      r.employeeId === person.employeeId &&
      lower(r.role) === lower(person.role) &&
      r.entitlement.kind === 'iam-group' &&
      r.entitlement.account === account &&
      same(r.entitlement.groupName, groupName),
  );
}
