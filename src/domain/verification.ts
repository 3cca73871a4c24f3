import { DETAIL_PATHS, type DetailPath, type IamUserDetail } from './inventory';
import { assertNever, type Action, type ActionKind } from './plan';
import { denyAllIn } from './policy-documents';

/**
 * Access paths still open on a user after revocation. Empty means "no access left": no active key, password, SSH key,
 * certificate or service credential, no group, and a deny-all in place (Warden's managed policy, or an inline policy
 * whose document denies all), every path read.
 */
export function remainingAccess(detail: IamUserDetail, denyAllArn: string): string[] {
  const open: string[] = unverifiedPaths(detail);
  const unread = new Set((detail.unread ?? []).map((u) => u.path));
  for (const key of detail.accessKeys) if (key.status === 'Active') open.push(`access key ${key.id} active`);
  if (detail.loginProfile !== null) open.push('console password exists');
  for (const key of detail.sshPublicKeys) if (key.status === 'Active') open.push(`SSH public key ${key.id} active`);
  for (const cert of detail.signingCertificates) if (cert.status === 'Active') open.push(`signing certificate ${cert.id} active`);
  for (const cred of detail.serviceSpecificCredentials)
    if (cred.status === 'Active') open.push(`service credential ${cred.id} (${cred.serviceName}) active`);
  for (const group of detail.groups) open.push(`member of group ${group}`);
  const denyAllUnknown = unread.has('inline-policies') || unread.has('attached-policies');
  if (!denyAllUnknown && denyAllIn(detail, denyAllArn) === undefined) open.push(`deny-all policy ${denyAllArn} missing`);
  return open;
}

/** One line per path the re-read could not see (only those some actions change, when given): never counted as closed. */
export function unverifiedPaths(detail: IamUserDetail, changedBy?: readonly Action[]): string[] {
  const relevant = (path: DetailPath): boolean =>
    changedBy === undefined || changedBy.some((a) => a.kind !== 'delete-user' && a.kind !== 'remove-host-key' && a.kind !== 'lock-host-user' && PATH_OF[a.kind] === path);
  return (detail.unread ?? []).filter((u) => relevant(u.path)).map((u) => `${DETAIL_PATHS[u.path].label} not verified (${u.api} failed: ${u.error})`);
}

/** The detail path whose list shows an IAM action's effect. */
const PATH_OF: Readonly<Record<Exclude<ActionKind, 'delete-user' | 'remove-host-key' | 'lock-host-user'>, DetailPath>> = {
  'deactivate-access-key': 'access-keys',
  'delete-login-profile': 'login-profile',
  'deactivate-ssh-key': 'ssh-public-keys',
  'deactivate-signing-certificate': 'signing-certificates',
  'deactivate-service-credential': 'service-credentials',
  'attach-deny-all': 'attached-policies',
  'remove-from-group': 'groups',
  'detach-user-policy': 'attached-policies',
  'delete-user-policy': 'inline-policies',
};

/** Whether the re-read could not see the path an action changes (its effect is then unverified, not confirmed). */
export function actionUnverifiable(action: Action, detail: IamUserDetail | undefined): boolean {
  if (detail?.unread === undefined || action.kind === 'delete-user' || action.kind === 'remove-host-key' || action.kind === 'lock-host-user') return false;
  const path = PATH_OF[action.kind];
  return detail.unread.some((u) => u.path === path);
}

/** Whether an IAM action's effect shows in the user's live state (undefined detail: the user is gone). */
export function actionHolds(action: Action, detail: IamUserDetail | undefined): boolean {
  if (detail === undefined) return true;
  switch (action.kind) {
    case 'deactivate-access-key':
      return !detail.accessKeys.some((k) => k.id === action.target.accessKeyId && k.status === 'Active');
    case 'delete-login-profile':
      return detail.loginProfile === null;
    case 'deactivate-ssh-key':
      return !detail.sshPublicKeys.some((k) => k.id === action.target.sshPublicKeyId && k.status === 'Active');
    case 'deactivate-signing-certificate':
      return !detail.signingCertificates.some((c) => c.id === action.target.certificateId && c.status === 'Active');
    case 'deactivate-service-credential':
      return !detail.serviceSpecificCredentials.some(
        (c) => c.id === action.target.serviceSpecificCredentialId && c.status === 'Active',
      );
    case 'attach-deny-all':
      return denyAllIn(detail, action.target.policyArn) !== undefined;
    case 'remove-from-group':
      return !detail.groups.includes(action.target.groupName);
    case 'detach-user-policy':
      return !detail.attachedPolicies.some((p) => p.arn === action.target.policyArn);
    case 'delete-user-policy':
      return !detail.inlinePolicies.includes(action.target.policyName);
    case 'delete-user':
      return false;
    case 'remove-host-key':
    case 'lock-host-user':
      return true;
    default:
      return assertNever(action);
  }
}
