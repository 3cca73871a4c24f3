import type { IamUserDetail } from './inventory';
import { assertNever, type Action } from './plan';

/**
 * Access paths still open on a user after revocation. Empty means "no access left":
 * no active key, password, SSH key, certificate or service credential, no group, and the deny-all in place.
 */
export function remainingAccess(detail: IamUserDetail, denyAllPolicyName: string): string[] {
  const open: string[] = [];
  for (const key of detail.accessKeys) if (key.status === 'Active') open.push(`access key ${key.id} active`);
  if (detail.loginProfile !== null) open.push('console password exists');
  for (const key of detail.sshPublicKeys) if (key.status === 'Active') open.push(`SSH public key ${key.id} active`);
  for (const cert of detail.signingCertificates) if (cert.status === 'Active') open.push(`signing certificate ${cert.id} active`);
  for (const cred of detail.serviceSpecificCredentials)
    if (cred.status === 'Active') open.push(`service credential ${cred.id} (${cred.serviceName}) active`);
  for (const group of detail.groups) open.push(`member of group ${group}`);
  if (!detail.inlinePolicies.includes(denyAllPolicyName)) open.push(`deny-all policy ${denyAllPolicyName} missing`);
  return open;
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
      return detail.inlinePolicies.includes(action.target.policyName);
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
