import { actionList, type Json, type Statement } from './sdk-calls';
import { sendCommandProblems } from './send-command-policy';

/**
 * Calls that would let whoever holds Warden's role give someone access (or take a restriction's place): writing or
 * attaching a policy of its choosing, minting credentials, joining groups, swapping a policy's content, handing a role
 * to a service. Warden needs none of them; a statement granting one, even through a wildcard, fails the test.
 */
export const GRANTING_ACTIONS: readonly string[] = [
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AddUserToGroup',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:PassRole',
  'iam:CreateUser',
  'iam:CreateRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:PutUserPermissionsBoundary',
  'iam:DeleteUserPermissionsBoundary',
  'iam:UploadSSHPublicKey',
  'iam:UploadSigningCertificate',
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  // IAM Identity Center: assigning, joining groups, attaching policies to permission sets, creating or editing users.
  // (sso:PutInlinePolicyToPermissionSet is granted: Warden merges its one Deny Sid; see README "Threat model".)
  'sso:CreateAccountAssignment',
  'sso:AttachManagedPolicyToPermissionSet',
  'sso:AttachCustomerManagedPolicyReferenceToPermissionSet',
  'sso:PutPermissionsBoundaryToPermissionSet',
  'sso:CreatePermissionSet',
  'sso:UpdatePermissionSet',
  'identitystore:CreateGroupMembership',
  'identitystore:CreateUser',
  'identitystore:UpdateUser',
];

/**
 * The one granting call Warden holds, by design (issue 14): PutRolePolicy, to put its session-ending Denies on roles.
 * IAM cannot limit it to a policy name or to Deny statements, so the code is the guard (role-sessions.ts writes only
 * `warden-end-sessions`, only its own Deny Sids); here it is accepted only in its own statement, spelled out exactly.
 */
const ROLE_SESSION_DENY_ACTIONS = ['iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:PutRolePolicy'];
function isRoleSessionDenies(statement: Statement): boolean {
  const actions = [...actionList(statement)].sort();
  return statement.Sid === 'IamRoleSessionDenies' && JSON.stringify(actions) === JSON.stringify(ROLE_SESSION_DENY_ACTIONS) && statement.Condition === undefined;
}

/** Whether an action pattern of a statement (`iam:Put*`, `iam:*`, `*`) covers an action. */
export const covers = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);

export interface GrantContext {
  /** What `iam:PolicyARN` must equal for iam:AttachUserPolicy: Warden's own deny-all (a `Ref` to the policy resource). */
  readonly denyAllPolicy: Json;
  /** The value of the Warden tag instances must carry for ssm:SendCommand. */
  readonly hostTag: Json;
}

/**
 * Why these statements would let the role grant access. Empty when they cannot. iam:AttachUserPolicy is allowed only
 * with a condition pinning `iam:PolicyARN` to Warden's deny-all (exact match, one value); ssm:SendCommand only as the
 * SendCommand rules say (Warden's documents, tagged instances, under a condition).
 */
export function grantProblems(statements: readonly Statement[], context: GrantContext): string[] {
  const problems: string[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const sid = statement.Sid ?? '?';
    const raw = statement as unknown as Record<string, Json>;
    if ('NotAction' in raw) {
      problems.push(`${sid}: NotAction in an Allow grants everything it does not name`);
      continue;
    }
    const actions = actionList(statement);
    for (const granting of GRANTING_ACTIONS) {
      if (granting === 'iam:PutRolePolicy' && isRoleSessionDenies(statement)) continue;
      const by = actions.find((a) => covers(a, granting));
      if (by !== undefined) problems.push(`${sid}: ${by === granting ? granting : `${by} covers ${granting}`}`);
    }
    if (actions.some((a) => covers(a, 'iam:AttachUserPolicy'))) {
      const expected = JSON.stringify({ ArnEquals: { 'iam:PolicyARN': context.denyAllPolicy } });
      const actual = JSON.stringify(statement.Condition ?? null);
      if (actual !== expected) problems.push(`${sid}: iam:AttachUserPolicy without iam:PolicyARN pinned to Warden's deny-all (${actual})`);
      const others = actions.filter((a) => a !== 'iam:AttachUserPolicy');
      if (others.length > 0) problems.push(`${sid}: iam:AttachUserPolicy shares its condition with ${others.join(', ')}`);
    }
  }
  return [...problems, ...sendCommandProblems(statements, context.hostTag)];
}
