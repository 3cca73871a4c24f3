import { createIcMatcher } from '../identity-center';
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

/** The Identity Center user a revocation names, when it is still this person's (matched to them, same id and name). */
function icUserOf(context: PlanContext, person: Person, e: Extract<Entitlement, { kind: 'ic-group' | 'ic-assignment' }>) {
  const ic = context.input.inventory.identityCenter;
  if (ic === undefined || ic.identityStoreId !== e.account) return undefined;
  const user = ic.users.find((u) => u.userId === e.userId && u.userName === e.userName);
  if (user === undefined) return undefined;
  const m = createIcMatcher(context.input.roster.people)(user);
  return m.kind === 'matched' && m.person === person ? { ic, user } : undefined;
}

/**
 * The entitlement as the person holds it now (by the inventory; an access key only when live detail was read), or
 * undefined when they no longer do. A membership given back has a new id: the current one is what gets removed.
 */
function heldNow(context: PlanContext, person: Person, e: Entitlement, hostAccounts: ReturnType<typeof ownedHostAccounts>): Entitlement | undefined {
  const held = (yes: boolean): Entitlement | undefined => (yes ? e : undefined);
  switch (e.kind) {
    case 'host-account':
      return held(hostAccounts.some((h) => h.person === person && h.host.instanceId === e.instanceId && h.osUser === e.osUser));
    case 'ic-group': {
      const found = icUserOf(context, person, e);
      const membership = found?.ic.memberships.find((m) => m.userId === e.userId && m.groupId === e.groupId);
      return membership === undefined ? undefined : { ...e, membershipId: membership.membershipId };
    }
    case 'ic-assignment': {
      const found = icUserOf(context, person, e);
      return held(
        found?.ic.assignments.some((a) => a.principalType === 'USER' && a.principalId === e.userId && a.accountId === e.accountId && a.permissionSetArn === e.permissionSetArn) === true,
      );
    }
  }
  const user = userOf(context, person, e.account, e.userName)?.user;
  if (user === undefined) return undefined;
  switch (e.kind) {
    case 'iam-group':
      return held((user.detail?.groups ?? user.groups).some((g) => same(g, e.groupName)));
    case 'iam-managed-policy':
      return held((user.detail?.attachedPolicies ?? user.attachedPolicies).some((p) => p.arn === e.policyArn));
    case 'iam-inline-policy':
      return held((user.detail?.inlinePolicies ?? user.inlinePolicies).includes(e.policyName));
    case 'iam-access-key':
      return held((user.detail?.accessKeys ?? []).some((k) => k.id === e.accessKeyId && k.status === 'Active'));
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
      const current = heldNow(context, person, entitlement, hostAccounts);
      if (current !== undefined) actions.push(revocationOf(current, personRef(person)));
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

/** The revocations in force for a person that the role allows (reviewed exceptions: never reported missing). */
function exceptionsOf(context: PlanContext, person: Person): Entitlement[] {
  return (context.input.reviews ?? []).flatMap((r) =>
    r.roleAllows && r.employeeId === person.employeeId && lower(r.role) === lower(person.role) ? [r.entitlement] : [],
  );
}

/** Whether a group the person's role grants was revoked by their last review (a reviewed exception: never reported missing). */
export function isReviewedException(context: PlanContext, person: Person, account: string, groupName: string): boolean {
  return exceptionsOf(context, person).some((e) => e.kind === 'iam-group' && e.account === account && same(e.groupName, groupName));
}

/** The same for Identity Center: a group (by name) or a permission set in an account the role grants, revoked by review. */
export function isReviewedIcException(
  context: PlanContext,
  person: Person,
  identityStoreId: string,
  what: { readonly groupName: string } | { readonly permissionSetName: string; readonly accountId: string },
): boolean {
  return exceptionsOf(context, person).some((e) =>
    'groupName' in what
      ? e.kind === 'ic-group' && e.account === identityStoreId && same(e.groupName, what.groupName)
      : e.kind === 'ic-assignment' && e.account === identityStoreId && e.permissionSetName === what.permissionSetName && e.accountId === what.accountId,
  );
}
