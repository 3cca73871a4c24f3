/**
 * Wiring for issue 15 shared by `warden serve` and the Lambda worker: who Warden itself is in CloudTrail, so its own
 * revocations never re-trigger it.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { LoadedConfig } from '../config/load';
import type { AccountTarget } from '../adapters/aws/accounts';
import { stsSdk } from '../adapters/aws/sdk';
import { wardenActors, type TrailPolicy } from '../domain/trail';

/** The session name Warden's member-role sessions carry (AccountClients' default). */
export const WARDEN_SESSION_NAME = 'warden';

const ASSUMED_ROLE = /^(arn:aws[\w-]*:sts::\d{12}:assumed-role\/[^/]+\/)[^/]+$/;
const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * Warden's principals as CloudTrail names them: its own identity (for an assumed role, any session of that role), each
 * member role's `warden` session, and the config's `trail.wardenPrincipals`.
 */
export async function wardenPrincipals(sts: STSClient, targets: readonly AccountTarget[], extra: readonly string[] = []): Promise<string[]> {
  const out = await sts.send(new (stsSdk().GetCallerIdentityCommand)({}));
  const own = out.Arn;
  const principals = [...extra];
  if (own !== undefined) {
    const session = ASSUMED_ROLE.exec(own);
    principals.push(session !== null ? `${session[1] as string}*` : own);
  }
  for (const target of targets) {
    if (target.kind !== 'assume-role') continue;
    const role = ROLE_ARN.exec(target.roleArn);
    if (role !== null) principals.push(`arn:${role[1] as string}:sts::${role[2] as string}:assumed-role/${role[3] as string}/${WARDEN_SESSION_NAME}`);
  }
  return [...new Set(principals)];
}

/** Classification's view of Warden: its deny-all policy's name and its principals. */
export const trailPolicyOf = (loaded: LoadedConfig, principals: readonly string[]): TrailPolicy => ({
  denyAllPolicyName: loaded.config.denyAllPolicyName,
  isWarden: wardenActors(principals),
});
