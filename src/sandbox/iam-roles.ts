/**
 * IAM roles in the sandbox: trust policies, MaxSessionDuration and role inline policies (ListRoles, GetRole,
 * Put/Get/Delete/ListRolePolicies), with IAM's rules: role names are unique case-insensitively, an inline policy must be
 * JSON with a Statement, and a role's inline policies together stay under 10,240 characters (whitespace excluded).
 */
import { fail, invalidParameter, ok, type Outcome } from './errors';
import { stableId } from './ids';
import { paginate, type Page, type PageRequest } from './paginate';
import { policyDocumentProblem } from './policy-document';
import type { NormalizedRole } from './seed';

/** IAM's quota on the total size of one role's inline policies, whitespace excluded. */
export const MAX_ROLE_INLINE_POLICY_CHARS = 10_240;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** One role as the sandbox holds it (the wire layer renders it). */
export interface RoleRec {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly maxSessionDuration: number;
  readonly trustPolicy: string;
  readonly inlinePolicies: Map<string, string>;
}

/** Plain-data copy of one role, for test assertions. */
export interface RoleSnapshot {
  readonly roleName: string;
  readonly arn: string;
  readonly maxSessionDuration: number;
  readonly trustPolicy: string;
  readonly inlinePolicies: Readonly<Record<string, string>>;
}

/** Every account's roles, keyed by lower-cased role name. */
export class SandboxRoles {
  private readonly byAccount = new Map<string, Map<string, RoleRec>>();

  insert(accountId: string, role: NormalizedRole, createdAt: Date): void {
    const roles = this.roles(accountId);
    const key = role.roleName.toLowerCase();
    if (roles.has(key)) throw new Error(`duplicate role ${role.roleName} in ${accountId}`);
    roles.set(key, {
      roleName: role.roleName,
      roleId: stableId('role', accountId, role.roleName),
      arn: `arn:aws:iam::${accountId}:role${role.path}${role.roleName}`,
      path: role.path,
      createdAt: role.createdAt ?? createdAt,
      maxSessionDuration: role.maxSessionDuration,
      trustPolicy: role.trustPolicy,
      inlinePolicies: new Map(Object.entries(role.inlinePolicies)),
    });
  }

  role(accountId: string, roleName: string): RoleSnapshot | undefined {
    const rec = this.roles(accountId).get(roleName.toLowerCase());
    return rec === undefined
      ? undefined
      : {
          roleName: rec.roleName,
          arn: rec.arn,
          maxSessionDuration: rec.maxSessionDuration,
          trustPolicy: rec.trustPolicy,
          inlinePolicies: Object.fromEntries(rec.inlinePolicies),
        };
  }

  list(accountId: string, pathPrefix: string | undefined, request: PageRequest): Outcome<Page<RoleRec>> {
    const items = [...this.roles(accountId).values()]
      .filter((r) => pathPrefix === undefined || r.path.startsWith(pathPrefix))
      .sort((a, b) => (a.roleName.toLowerCase() < b.roleName.toLowerCase() ? -1 : 1));
    return paginate(items, (r) => r.roleName.toLowerCase(), request);
  }

  find(accountId: string, roleName: string): Outcome<RoleRec> {
    const rec = this.roles(accountId).get(roleName.toLowerCase());
    return rec === undefined ? fail('NoSuchEntity', `The role with name ${roleName} cannot be found.`) : ok(rec);
  }

  putPolicy(accountId: string, roleName: string, policyName: string, document: string): Outcome<void> {
    const role = this.find(accountId, roleName);
    if (!role.ok) return role;
    if (!POLICY_NAME.test(policyName)) return invalidParameter('PolicyName', policyName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    const problem = policyDocumentProblem(document);
    if (problem !== undefined) return fail('MalformedPolicyDocument', problem);
    const others = [...role.value.inlinePolicies].filter(([n]) => n !== policyName).map(([, d]) => d);
    const size = [...others, document].reduce((sum, d) => sum + d.replace(/\s/g, '').length, 0);
    if (size > MAX_ROLE_INLINE_POLICY_CHARS) {
      return fail('LimitExceeded', `Maximum policy size of ${MAX_ROLE_INLINE_POLICY_CHARS} bytes exceeded for role ${role.value.roleName}`);
    }
    role.value.inlinePolicies.set(policyName, document);
    return ok(undefined);
  }

  private roles(accountId: string): Map<string, RoleRec> {
    let roles = this.byAccount.get(accountId);
    if (roles === undefined) {
      roles = new Map();
      this.byAccount.set(accountId, roles);
    }
    return roles;
  }
}
