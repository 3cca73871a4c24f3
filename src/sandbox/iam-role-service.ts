/** The IAM role actions of the sandbox (awsQuery), over the role store in iam-roles.ts. */
import { fail, ok, type Outcome } from './errors';
import { paginate } from './paginate';
import type { RoleRec, SandboxRoles } from './iam-roles';
import { QueryParams, reply, xmlReply, type ActionHandler, type ServiceCall } from './service';
import { el, esc, members, pageTail } from './xml';

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
