import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { identityStoreSdk, lambdaSdk, organizationsSdk, s3Sdk, ssoAdminSdk, stsSdk } from '../adapters/aws/sdk';
import { createSsmClient } from '../adapters/aws/ssm/client';
import { lazy } from '../lib/lazy';

/** The AWS clients one process uses; each follows the SDK's own configuration chain (AWS_REGION, AWS_ENDPOINT_URL_*, …). */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly ssm: SSMClient;
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  readonly s3: S3Client;
  /** Only when there is a worker to invoke. */
  readonly lambda?: LambdaClient;
  /** Run Command on hosts (adaptive retries: SSM throttles it per account); `ssm` when absent. */
  readonly hostSsm?: SSMClient;
  /** IAM Identity Center's two APIs in the instance's region (config `identityCenter.region`; the SDK's region when absent). */
  readonly identityCenter?: (region: string | undefined) => { readonly identityStore: IdentitystoreClient; readonly ssoAdmin: SSOAdminClient };
}

/** The clients of {@link lazyAwsClients}, and a way to destroy those that were built. */
export interface OwnedAwsClients extends AwsClients {
  destroy(): void;
}

/**
 * The clients, each built (and its SDK package loaded) on first use, then reused; region, credentials and endpoints come
 * from the environment. A process pays only for the clients it uses: the Slack function never loads IAM, STS,
 * Organizations or S3, and `warden plan` without hosts never builds an SSM client. A given `hostSsm` (the demo's
 * sandbox) is used for Run Command and left to its owner to destroy.
 */
export function lazyAwsClients(
  options: { readonly lambda?: boolean; readonly hostSsm?: SSMClient; readonly identityCenter?: AwsClients['identityCenter'] } = {},
): OwnedAwsClients {
  const built: { destroy(): void }[] = [];
  const own = <T extends { destroy(): void }>(make: () => T) =>
    lazy(() => {
      const client = make();
      built.push(client);
      return client;
    });
  const dynamodb = own(() => new DynamoDBClient({}));
  const ssm = own(() => new SSMClient({}));
  const sts = own(() => new (stsSdk().STSClient)({}));
  const organizations = own(() => new (organizationsSdk().OrganizationsClient)({}));
  const s3 = own(() => new (s3Sdk().S3Client)({}));
  const given = options.hostSsm;
  const hostSsm = given !== undefined ? () => given : own(() => createSsmClient());
  const lambda = own(() => new (lambdaSdk().LambdaClient)({}));
  const identityCenterClients = new Map<string, { identityStore: IdentitystoreClient; ssoAdmin: SSOAdminClient }>();
  const identityCenter = (region: string | undefined) => {
    const key = region ?? '';
    let found = identityCenterClients.get(key);
    if (found === undefined) {
      const options = region !== undefined ? { region } : {};
      found = { identityStore: new (identityStoreSdk().IdentitystoreClient)(options), ssoAdmin: new (ssoAdminSdk().SSOAdminClient)(options) };
      built.push(found.identityStore, found.ssoAdmin);
      identityCenterClients.set(key, found);
    }
    return found;
  };
  const clients: OwnedAwsClients = {
    get dynamodb() {
      return dynamodb();
    },
    get ssm() {
      return ssm();
    },
    get sts() {
      return sts();
    },
    get organizations() {
      return organizations();
    },
    get s3() {
      return s3();
    },
    get hostSsm() {
      return hostSsm();
    },
    identityCenter: options.identityCenter ?? identityCenter,
    destroy: () => {
      for (const client of built.splice(0)) client.destroy();
    },
  };
  // Defined, not spread: spreading an object literal would read (and so build) the client at once.
  return options.lambda === true ? Object.defineProperty(clients, 'lambda', { get: lambda, enumerable: true }) : clients;
}
