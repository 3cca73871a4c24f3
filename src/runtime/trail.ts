/**
 * Wiring for issue 15 shared by `warden serve` and the Lambda trail function: who Warden itself is in CloudTrail (so its
 * own revocations never re-trigger it), and one CloudTrail client per account for LookupEvents.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { STSClient } from '@aws-sdk/client-sts';
import type { LoadedConfig } from '../config/load';
import { assumeRoleCredentials, type AccountTarget } from '../adapters/aws/accounts';
import { CloudTrailSource } from '../adapters/aws/cloudtrail';
import { cloudTrailSdk, stsSdk } from '../adapters/aws/sdk';
import { wardenActors, type TrailPolicy } from '../domain/trail';
import type { Clock } from '../ports';
import type { TrailSource } from '../ports/trail';

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

/** CloudTrail clients per account (the ambient one, or through the member role), built once and destroyed together. */
export class TrailClients {
  private readonly clients = new Map<string, CloudTrailClient>();

  constructor(
    private readonly options: { readonly sts: STSClient; readonly region: string; readonly clock?: Clock; readonly endpoint?: string; readonly credentials?: { accessKeyId: string; secretAccessKey: string } },
  ) {}

  /** LookupEvents in one account; `account` is the ambient account's id when the target has none. */
  sourceFor(target: AccountTarget, account: string): TrailSource {
    const key = target.kind === 'ambient' ? 'ambient' : target.roleArn;
    let client = this.clients.get(key);
    if (client === undefined) {
      const { CloudTrailClient: Client } = cloudTrailSdk();
      client = new Client({
        region: this.options.region,
        ...(this.options.endpoint !== undefined ? { endpoint: this.options.endpoint } : {}),
        ...(target.kind === 'assume-role'
          ? {
              credentials: assumeRoleCredentials(this.options.sts, {
                roleArn: target.roleArn,
                sessionName: WARDEN_SESSION_NAME,
                ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
                ...(this.options.clock !== undefined ? { clock: this.options.clock } : {}),
              }),
            }
          : this.options.credentials !== undefined
            ? { credentials: this.options.credentials }
            : {}),
      });
      this.clients.set(key, client);
    }
    return new CloudTrailSource({ client, account });
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
