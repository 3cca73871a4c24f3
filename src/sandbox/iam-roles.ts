/**
 * IAM roles in the sandbox: trust policies, MaxSessionDuration and role inline policies (ListRoles, GetRole,
 * Put/Get/Delete/ListRolePolicies), with IAM's rules: role names are unique case-insensitively, an inline policy must be
 * JSON with a Statement, and a role's inline policies together stay under 10,240 characters (whitespace excluded).
 */
import { fail, invalidParameter, ok, type Outcome } from './errors';
import { stableId } from './ids';
import { paginate, type Page, type PageRequest } from './paginate';
import type { NormalizedRole } from './seed';
import { QueryParams, reply, xmlReply, type ActionHandler, type ServiceCall } from './service';
import { el, esc, members, pageTail } from './xml';

/** IAM's quota on the total size of one role's inline policies, whitespace excluded. */
export const MAX_ROLE_INLINE_POLICY_CHARS = 10_240;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

interface RoleRec {
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
    const problem = documentProblem(document);
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

function documentProblem(document: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return 'Syntax errors in policy.';
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) return 'Missing required field Statement';
  return undefined;
}

const roleXml = (r: RoleRec): string =>
  el('Path', r.path) +
  el('RoleName', r.roleName) +
  el('RoleId', r.roleId) +
  el('Arn', r.arn) +
  el('CreateDate', r.createdAt) +
  el('AssumeRolePolicyDocument', encodeURIComponent(r.trustPolicy)) +
  el('MaxSessionDuration', r.maxSessionDuration);

type XmlAction = (p: QueryParams, call: ServiceCall, roles: SandboxRoles) => Outcome<string | null>;

const action =
  (fn: XmlAction): ActionHandler =>
  (call) =>
    reply(fn(new QueryParams(call.params), call, call.state.roles), xmlReply);

const map = <T>(outcome: Outcome<T>, render: (value: T) => string | null): Outcome<string | null> => (outcome.ok ? ok(render(outcome.value)) : outcome);

function roleAndPolicy(p: QueryParams): Outcome<{ roleName: string; policyName: string }> {
  const roleName = p.required('RoleName');
  if (!roleName.ok) return roleName;
  const policyName = p.required('PolicyName');
  if (!policyName.ok) return policyName;
  return ok({ roleName: roleName.value, policyName: policyName.value });
}

/** The role actions of the sandbox's IAM service. */
export const ROLE_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ListRoles: action((p, c, roles) => {
    const page = p.page();
    if (!page.ok) return page;
    return map(roles.list(c.account, p.optional('PathPrefix'), page.value), (pg) => members('Roles', pg.items, roleXml) + pageTail(pg));
  }),

  GetRole: action((p, c, roles) => {
    const roleName = p.required('RoleName');
    if (!roleName.ok) return roleName;
    return map(roles.find(c.account, roleName.value), (r) => `<Role>${roleXml(r)}</Role>`);
  }),

  ListRolePolicies: action((p, c, roles) => {
    const roleName = p.required('RoleName');
    if (!roleName.ok) return roleName;
    const page = p.page();
    if (!page.ok) return page;
    const role = roles.find(c.account, roleName.value);
    if (!role.ok) return role;
    const names = [...role.value.inlinePolicies.keys()].sort();
    return map(paginate(names, (n) => n, page.value), (pg) => members('PolicyNames', pg.items, esc) + pageTail(pg));
  }),

  GetRolePolicy: action((p, c, roles) => {
    const names = roleAndPolicy(p);
    if (!names.ok) return names;
    const role = roles.find(c.account, names.value.roleName);
    if (!role.ok) return role;
    const document = role.value.inlinePolicies.get(names.value.policyName);
    if (document === undefined) return fail('NoSuchEntity', `The role policy with name ${names.value.policyName} cannot be found.`);
    return ok(el('RoleName', role.value.roleName) + el('PolicyName', names.value.policyName) + el('PolicyDocument', encodeURIComponent(document)));
  }),

  PutRolePolicy: action((p, c, roles) => {
    const names = roleAndPolicy(p);
    if (!names.ok) return names;
    const document = p.required('PolicyDocument');
    if (!document.ok) return document;
    return map(roles.putPolicy(c.account, names.value.roleName, names.value.policyName, document.value), () => null);
  }),

  DeleteRolePolicy: action((p, c, roles) => {
    const names = roleAndPolicy(p);
    if (!names.ok) return names;
    const role = roles.find(c.account, names.value.roleName);
    if (!role.ok) return role;
    if (!role.value.inlinePolicies.delete(names.value.policyName)) return fail('NoSuchEntity', `The role policy with name ${names.value.policyName} cannot be found.`);
    return ok(null);
  }),
};
