import type { AccountInventory } from '../../../domain/inventory';
import type { AccountPosture, PasswordPolicy, PasswordRequirement, SessionLimit, UnreadPosture } from '../../../domain/policy-checks/posture';
import { describeAwsError, errorText, IamCallError } from '../../../errors';
import type { ActionOutcome } from '../../../ports';
import { iamSdk } from '../sdk';
import type { IamSession } from './session';

/** Service-linked roles are AWS's own (their sessions are AWS's business, one hour at most). */
const SERVICE_LINKED_ARN = /:role\/aws-service-role\//;

const unreadOf = (what: UnreadPosture['what'], err: unknown): UnreadPosture => ({
  what,
  error: err instanceof IamCallError ? `${err.api}: ${describeAwsError(err).text}` : errorText(err),
});

/** The account password policy; null when none is set (IAM answers NoSuchEntity). */
export async function readPasswordPolicy(s: IamSession): Promise<PasswordPolicy | null> {
  try {
    const got = await s.call('GetAccountPasswordPolicy', () => s.client.send(new (iamSdk().GetAccountPasswordPolicyCommand)({})));
    const p = got.PasswordPolicy;
    if (p === undefined) return null;
    return {
      minimumLength: p.MinimumPasswordLength ?? 8,
      requireSymbols: p.RequireSymbols === true,
      requireNumbers: p.RequireNumbers === true,
      requireUppercase: p.RequireUppercaseCharacters === true,
      requireLowercase: p.RequireLowercaseCharacters === true,
      ...(p.PasswordReusePrevention !== undefined && p.PasswordReusePrevention > 0 ? { reusePrevention: p.PasswordReusePrevention } : {}),
      ...(p.ExpirePasswords === true && p.MaxPasswordAge !== undefined && p.MaxPasswordAge > 0 ? { maxAgeDays: p.MaxPasswordAge } : {}),
    };
  } catch (err) {
    if (err instanceof IamCallError && err.code === 'NoSuchEntity') return null;
    throw err;
  }
}

/** The roles' session limits, from the roles the inventory read once for the session plane (one ListRoles per account). */
async function sessionLimits(rolesRead: Promise<Pick<AccountInventory, 'roles' | 'rolesError'>>, account: string): Promise<SessionLimit[]> {
  const { roles, rolesError } = await rolesRead;
  if (roles === undefined) throw new Error(rolesError ?? 'roles not read');
  return roles
    .filter((r) => !SERVICE_LINKED_ARN.test(r.arn))
    .map((r) => ({ kind: 'iam-role' as const, account, name: r.roleName, arn: r.arn, maxSessionSeconds: r.maxSessionSeconds }));
}

/**
 * The password policy and the roles' session limits, each read on its own: a failure (an SCP's AccessDenied) is
 * recorded as unread, so the checks needing it say "not checked" and the rest of the run goes on.
 */
export async function readPosture(
  s: IamSession,
  account: string,
  rolesRead: Promise<Pick<AccountInventory, 'roles' | 'rolesError'>>,
): Promise<Omit<AccountPosture, 'root'>> {
  const [policy, roles] = await Promise.allSettled([readPasswordPolicy(s), sessionLimits(rolesRead, account)]);
  const unread: UnreadPosture[] = [];
  if (policy.status === 'rejected') unread.push(unreadOf('password-policy', policy.reason));
  if (roles.status === 'rejected') unread.push(unreadOf('roles', roles.reason));
  // Roles that could not be read were already reported by the inventory (the session plane reads them).
  for (const u of unread.filter((x) => x.what !== 'roles')) s.log.warn('account posture could not be read; the policy checks needing it are skipped', { account, what: u.what, error: u.error });
  return {
    ...(policy.status === 'fulfilled' ? { passwordPolicy: policy.value } : {}),
    ...(roles.status === 'fulfilled' ? { roles: roles.value } : {}),
    ...(unread.length > 0 ? { unread } : {}),
  };
}

/**
 * Sets the account password policy to at least the configured minimum (config `passwordPolicy.enforce`). What the
 * current policy already does better is kept (a longer minimum, more reuse prevention, a shorter maximum age), so
 * enforcing can only tighten it.
 */
export async function enforcePasswordPolicy(s: IamSession, required: PasswordRequirement): Promise<ActionOutcome> {
  const before = await readPasswordPolicy(s);
  const next = {
    MinimumPasswordLength: Math.max(required.minimumLength, before?.minimumLength ?? 0),
    RequireSymbols: required.requireSymbols || before?.requireSymbols === true,
    RequireNumbers: required.requireNumbers || before?.requireNumbers === true,
    RequireUppercaseCharacters: required.requireUppercase || before?.requireUppercase === true,
    RequireLowercaseCharacters: required.requireLowercase || before?.requireLowercase === true,
    AllowUsersToChangePassword: true,
    ...(Math.max(required.reusePrevention, before?.reusePrevention ?? 0) > 0 ? { PasswordReusePrevention: Math.max(required.reusePrevention, before?.reusePrevention ?? 0) } : {}),
    ...(tightestAge(required.maxAgeDays, before?.maxAgeDays) !== undefined ? { MaxPasswordAge: tightestAge(required.maxAgeDays, before?.maxAgeDays) } : {}),
  };
  await s.call('UpdateAccountPasswordPolicy', () => s.client.send(new (iamSdk().UpdateAccountPasswordPolicyCommand)(next)));
  return { result: 'ok', before: { passwordPolicy: before }, after: { passwordPolicy: await readPasswordPolicy(s) } };
}

/** The shorter of two maximum ages, 0 or absent meaning none. */
function tightestAge(required: number, current: number | undefined): number | undefined {
  const ages = [required, current ?? 0].filter((a) => a > 0);
  return ages.length === 0 ? undefined : Math.min(...ages);
}
