import { createIcMatcher } from '../identity-center';
import { buildContext, type PlanInput } from '../planning/context';
import { ownedHostAccounts } from '../planning/hosts';
import { denyAllPolicyArn } from '../policy-documents';
import type { Person } from '../roster';
import type { CampaignScope, Entitlement } from './types';

export type { CampaignScope };

export const scopeLabel = (scope: CampaignScope): string =>
  scope.kind === 'all' ? 'all' : scope.kind === 'department' ? `department:${scope.name}` : `account:${scope.account}`;

/** Parses `all`, `department:NAME` or `account:ID` (12 digits); undefined when it is none of them. */
export function parseScope(text: string): CampaignScope | undefined {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  const department = /^department:(.+)$/.exec(t)?.[1]?.trim();
  if (department !== undefined && department !== '') return { kind: 'department', name: department };
  const account = /^account:(\d{12})$/.exec(t)?.[1];
  if (account !== undefined) return { kind: 'account', account };
  return undefined;
}

export interface PersonHoldings {
  readonly person: Person;
  readonly entitlements: readonly Entitlement[];
}

const inScope = (scope: CampaignScope, person: Person): boolean =>
  scope.kind !== 'department' || (person.department ?? '').trim().toLowerCase() === scope.name.trim().toLowerCase();

/**
 * What each active person in scope holds, read from the inventory (groups, attached and inline policies, active access
 * keys when live detail was read, their own host accounts, Identity Center memberships and direct assignments). Only users matched to exactly one person count: an
 * ambiguous user is the planner's finding, not a reviewer's question. Warden's own deny-all is never offered. Pure.
 */
export function holdingsOf(input: PlanInput, scope: CampaignScope): PersonHoldings[] {
  const context = buildContext(input);
  const byPerson = new Map<Person, Entitlement[]>();
  const add = (person: Person, entitlement: Entitlement): void => {
    if (person.status !== 'active' || !inScope(scope, person)) return;
    if (scope.kind === 'account' && (entitlement.kind === 'ic-assignment' ? entitlement.accountId : entitlement.account) !== scope.account) return;
    const list = byPerson.get(person) ?? [];
    list.push(entitlement);
    byPerson.set(person, list);
  };
  for (const { user, class: userClass } of context.users) {
    if (userClass.kind !== 'matched') continue;
    const person = userClass.person;
    const at = { account: user.account, userName: user.userName };
    const denyAll = denyAllPolicyArn(user.arn, user.account, input.policy.denyAllPolicyName);
    for (const groupName of user.detail?.groups ?? user.groups) add(person, { kind: 'iam-group', ...at, groupName });
    for (const p of user.detail?.attachedPolicies ?? user.attachedPolicies) {
      if (p.arn !== denyAll) add(person, { kind: 'iam-managed-policy', ...at, policyArn: p.arn, policyName: p.name });
    }
    for (const policyName of user.detail?.inlinePolicies ?? user.inlinePolicies) add(person, { kind: 'iam-inline-policy', ...at, policyName });
    for (const key of user.detail?.accessKeys ?? []) if (key.status === 'Active') add(person, { kind: 'iam-access-key', ...at, accessKeyId: key.id });
  }
  for (const { host, osUser, person } of ownedHostAccounts(context)) {
    add(person, { kind: 'host-account', account: host.account, instanceId: host.instanceId, osUser });
  }
  const ic = input.inventory.identityCenter;
  if (ic !== undefined) {
    const match = createIcMatcher(input.roster.people);
    const groupName = new Map(ic.groups.map((g) => [g.groupId, g.displayName] as const));
    const setName = new Map(ic.permissionSets.map((ps) => [ps.arn, ps.name] as const));
    for (const user of ic.users) {
      const m = match(user);
      if (m.kind !== 'matched') continue;
      const at = { account: ic.identityStoreId, userName: user.userName, userId: user.userId };
      for (const { membershipId, groupId, userId } of ic.memberships) {
        if (userId === user.userId) add(m.person, { kind: 'ic-group', ...at, membershipId, groupId, groupName: groupName.get(groupId) ?? groupId });
      }
      for (const a of ic.assignments) {
        if (a.principalType !== 'USER' || a.principalId !== user.userId) continue;
        add(m.person, { kind: 'ic-assignment', ...at, accountId: a.accountId, permissionSetArn: a.permissionSetArn, permissionSetName: setName.get(a.permissionSetArn) ?? a.permissionSetArn });
      }
    }
  }
  return [...byPerson.entries()]
    .map(([person, entitlements]) => ({ person, entitlements }))
    .sort((a, b) => (a.person.email < b.person.email ? -1 : a.person.email > b.person.email ? 1 : 0));
}
