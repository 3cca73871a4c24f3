import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { STSClient } from '@aws-sdk/client-sts';
import { assumeRoleCredentials, type AccountTarget } from '../adapters/aws/accounts';
import { CloudTrailSource } from '../adapters/aws/cloudtrail';
import { cloudTrailSdk } from '../adapters/aws/sdk';
import type { Clock } from '../ports';
import type { TrailSource } from '../ports/trail';
import { WARDEN_SESSION_NAME } from './trail';

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
