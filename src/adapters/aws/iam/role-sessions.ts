/**
 * IAM roles for the session plane: the inventory of roles (ListRoles: trust policy and MaxSessionDuration) with
 * Warden's own inline policy on the roles IAM users could assume, and the writes of that one policy. PutRolePolicy
 * cannot be limited to a policy name in IAM, so this module is the guard: it writes only `WARDEN_ROLE_POLICY_NAME`,
 * only statements it recognises as its own, and keeps anything else in that policy as it was.
 */
import type { ActionTargets } from '../../../domain/action-kinds';
import type { IamRole } from '../../../domain/inventory';
import type { ActionOutcome } from '../../../ports';
import {
  parseWardenRolePolicy,
  renderWardenRolePolicy,
  sidOf,
  WARDEN_ROLE_POLICY_NAME,
  withRevokeOlder,
  withSourceIdentityDeny,
  type WardenRoleStatement,
} from '../../../domain/role-session-policy';
import { trustsIamPrincipals } from '../../../domain/role-trust';
import { sessionSeconds } from '../../../domain/sessions';
import { mapLimit } from '../../../lib/concurrency';
import { iamSdk } from '../sdk';
import { decodePolicyDocument, isNoSuchEntity, marker, PAGE_SIZE, type IamSession } from './session';

/** Every role of the account, with Warden's policy read on those whose trust lets IAM users or accounts in. */
export async function readRoles(s: IamSession): Promise<IamRole[]> {
  const listed = await s.collect(
    'ListRoles',
    (m) => s.client.send(new (iamSdk().ListRolesCommand)({ MaxItems: PAGE_SIZE, ...marker(m) })),
    (page) => page.Roles,
  );
  const named = listed.flatMap((r) => (r.RoleName !== undefined && r.Arn !== undefined ? [{ ...r, RoleName: r.RoleName, Arn: r.Arn }] : []));
  // One GetRolePolicy per role IAM users could assume (usually few), a few at a time like the per-user reads.
  return mapLimit(named, s.tuning.describeConcurrency, async (r): Promise<IamRole> => {
    const trustPolicy = r.AssumeRolePolicyDocument === undefined ? undefined : decodePolicyDocument(r.AssumeRolePolicyDocument);
    const base = { roleName: r.RoleName, arn: r.Arn, maxSessionSeconds: sessionSeconds(r.MaxSessionDuration), trustPolicy };
    return trustsIamPrincipals(trustPolicy) ? { ...base, wardenPolicy: await readWardenPolicy(s, r.RoleName) } : base;
  });
}

/** Warden's policy document on a role (decoded JSON text), or null when the role has none. */
export async function readWardenPolicy(s: IamSession, RoleName: string): Promise<string | null> {
  try {
    const got = await s.call('GetRolePolicy', () => s.client.send(new (iamSdk().GetRolePolicyCommand)({ RoleName, PolicyName: WARDEN_ROLE_POLICY_NAME })));
    return got.PolicyDocument === undefined ? null : decodePolicyDocument(got.PolicyDocument);
  } catch (err) {
    if (isNoSuchEntity(err)) return null;
    throw err;
  }
}

/** Writes Warden's policy (or deletes it when nothing is left); the name is fixed here and nowhere else. */
async function writeWardenPolicy(s: IamSession, RoleName: string, document: string | null): Promise<void> {
  const PolicyName = WARDEN_ROLE_POLICY_NAME;
  if (document === null) {
    try {
      await s.call('DeleteRolePolicy', () => s.client.send(new (iamSdk().DeleteRolePolicyCommand)({ RoleName, PolicyName })));
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
    return;
  }
  await s.call('PutRolePolicy', () => s.client.send(new (iamSdk().PutRolePolicyCommand)({ RoleName, PolicyName, PolicyDocument: document })));
}

/** Per-role queue: two leavers' denies on one role in one run must not overwrite each other (read-modify-write). */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

type Change = (statements: readonly WardenRoleStatement[], now: Date) => WardenRoleStatement[];

/** Reads Warden's policy on the role, applies `change`, writes it back only when it differs. */
function changeRolePolicy(s: IamSession, account: string, roleName: string, change: Change): Promise<ActionOutcome> {
  return serialized(`${account}/${roleName.toLowerCase()}`, async () => {
    let current: string | null;
    try {
      current = await readWardenPolicy(s, roleName);
    } catch (err) {
      // The role itself is gone: no session on it can be used any more.
      if (isNoSuchEntity(err)) return { result: 'ok', before: { roleExists: false }, after: { roleExists: false } };
      throw err;
    }
    const parsed = parseWardenRolePolicy(current ?? undefined);
    const next = change(parsed.statements, s.clock.now());
    const before = parsed.statements.map(sidOf).sort();
    const after = next.map(sidOf).sort();
    const document = renderWardenRolePolicy(next, parsed.foreign);
    if (current !== null && document !== null && sameJson(current, document)) {
      return { result: 'ok', before: { statements: before }, after: { statements: after } };
    }
    if (current === null && document === null) return { result: 'ok', before: { statements: [] }, after: { statements: [] } };
    try {
      await writeWardenPolicy(s, roleName, document);
    } catch (err) {
      if (isNoSuchEntity(err)) return { result: 'ok', before: { roleExists: false }, after: { roleExists: false } };
      throw err;
    }
    return { result: 'ok', before: { statements: before }, after: { statements: after } };
  });
}

export const denySourceIdentity = (s: IamSession, account: string, target: ActionTargets['deny-role-source-identity']): Promise<ActionOutcome> =>
  changeRolePolicy(s, account, target.roleName, (statements, now) => withSourceIdentityDeny(statements, target.sourceIdentities, now));

export const revokeOlderSessions = (s: IamSession, account: string, target: ActionTargets['revoke-older-role-sessions']): Promise<ActionOutcome> =>
  changeRolePolicy(s, account, target.roleName, (statements, now) => withRevokeOlder(statements, now));

/** Drops the named statements (the planner named them because every session they could end has expired). */
export function dropExpiredDenies(s: IamSession, account: string, target: ActionTargets['drop-expired-session-denies']): Promise<ActionOutcome> {
  return changeRolePolicy(s, account, target.roleName, (statements) => statements.filter((st) => !target.sids.includes(sidOf(st))));
}

