import type { IcPermissionSet } from '../identity-center';
import type { IamGroup, IamUser } from '../inventory';
import { allowsEverything, own } from '../policy-documents';

interface NamedPolicy {
  readonly name: string;
  readonly arn: string;
}

const isAdministratorAccess = (policy: NamedPolicy): boolean =>
  policy.name === 'AdministratorAccess' || policy.arn.endsWith(':policy/AdministratorAccess');

/** Why a set of policies gives administrator rights: AWS's AdministratorAccess, or any document allowing `*` on `*`. */
function adminPolicies(
  attached: readonly NamedPolicy[],
  inline: readonly string[],
  inlineDocuments: Readonly<Record<string, unknown>> | undefined,
  managedDocuments: Readonly<Record<string, unknown>>,
): string[] {
  const reasons: string[] = [];
  for (const policy of attached) {
    if (isAdministratorAccess(policy)) reasons.push('AdministratorAccess');
    else if (allowsEverything(own(managedDocuments, policy.arn))) reasons.push(`policy ${policy.name} allowing * on *`);
  }
  for (const name of inline) if (inlineDocuments !== undefined && allowsEverything(own(inlineDocuments, name))) reasons.push(`inline policy ${name} allowing * on *`);
  return reasons;
}

/**
 * Why an IAM user counts as an administrator (empty: it does not): AWS's AdministratorAccess, a customer-managed or
 * inline policy allowing `*` on `*` (attached to the user or to one of its groups, whatever its name). With
 * `byGroupName` (the second-approver rule, which errs towards asking), membership of a group named like "admin"
 * counts too; the policy check counts only what the documents grant.
 */
export function adminRights(
  user: IamUser,
  groups: readonly IamGroup[],
  managedPolicyDocuments: Readonly<Record<string, unknown>> = {},
  options: { readonly byGroupName?: boolean } = { byGroupName: true },
): string[] {
  const reasons: string[] = [];
  const attached = user.detail?.attachedPolicies ?? user.attachedPolicies;
  const inline = user.detail?.inlinePolicies ?? user.inlinePolicies;
  for (const why of adminPolicies(attached, inline, user.inlinePolicyDocuments, managedPolicyDocuments)) {
    reasons.push(why === 'AdministratorAccess' ? `${user.userName} has AdministratorAccess attached` : `${user.userName} has ${why}`);
  }
  for (const groupName of user.detail?.groups ?? user.groups) {
    const group = groups.find((g) => g.name === groupName);
    if (options.byGroupName === true && /admin/i.test(groupName)) {
      reasons.push(`${user.userName} is in group ${groupName}`);
      continue;
    }
    if (group === undefined) continue;
    for (const why of adminPolicies(group.attachedPolicies, group.inlinePolicies, group.inlinePolicyDocuments, managedPolicyDocuments)) {
      reasons.push(`${user.userName} gets ${why} from group ${groupName}`);
    }
  }
  return reasons;
}

/**
 * Why a permission set gives its users administrator rights (empty: it does not): AWS's AdministratorAccess attached, or
 * an inline policy allowing `*` on `*`. An inline policy that is not JSON grants nothing AWS would accept.
 */
export function permissionSetAdminRights(set: IcPermissionSet): string[] {
  const reasons = (set.managedPolicies ?? []).filter(isAdministratorAccess).map(() => `AdministratorAccess in permission set ${set.name}`);
  if (set.inlinePolicy !== null) {
    let document: unknown;
    try {
      document = JSON.parse(set.inlinePolicy);
    } catch {
      document = undefined;
    }
    if (document !== undefined && allowsEverything(document)) reasons.push(`inline policy of permission set ${set.name} allowing * on *`);
  }
  return reasons;
}
