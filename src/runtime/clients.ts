import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { AwsCredentialIdentity } from '@smithy/types';
import { assumeRoleCredentials } from '../adapters/aws/accounts';
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
  /**
   * IAM Identity Center's two APIs in the instance's region (config `identityCenter.region`; the SDK's region when
   * absent), signed as `role` when given (config `identityCenter.roleArn`), else with the process's own credentials.
   */
  readonly identityCenter?: IdentityCenterClientsFor;
}

/** The role Warden assumes for Identity Center (config `identityCenter.roleArn`, `externalId`). */
export interface IdentityCenterRole {
  readonly roleArn: string;
  readonly externalId?: string;
}

export type IdentityCenterClients = { readonly identityStore: IdentitystoreClient; readonly ssoAdmin: SSOAdminClient };
export type IdentityCenterClientsFor = (region: string | undefined, role?: IdentityCenterRole) => IdentityCenterClients;

/** The CloudTrail session name of Warden's Identity Center session in the management / delegated-admin account. */
export const IDENTITY_CENTER_SESSION_NAME = 'warden-identity-center';

/**
 * Identity Center's two clients in `region`. With `role`, both sign with that role's credentials, assumed through `sts`
 * on first use and renewed before they expire (an AssumeRole that fails is an error, never a fall-back to the
 * process's own credentials). `base` is for tests and the demo (endpoint, static credentials).
 */
export function identityCenterClientPair(options: {
  readonly sts: () => STSClient;
  readonly region?: string | undefined;
  readonly role?: IdentityCenterRole;
  readonly base?: { readonly endpoint?: string; readonly region?: string; readonly credentials?: AwsCredentialIdentity };
}): IdentityCenterClients {
  const config = {
    ...options.base,
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.role !== undefined
      ? {
          credentials: (() => {
            let provider: ReturnType<typeof assumeRoleCredentials> | undefined;
            const role = options.role;
            // Built on first signing, so a process that never calls Identity Center never builds STS.
            return () =>
              (provider ??= assumeRoleCredentials(options.sts(), {
                roleArn: role.roleArn,
                ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
                sessionName: IDENTITY_CENTER_SESSION_NAME,
              }))();
          })(),
        }
      : {}),
  };
  return { identityStore: new (identityStoreSdk().IdentitystoreClient)(config), ssoAdmin: new (ssoAdminSdk().SSOAdminClient)(config) };
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
  const identityCenterClients = new Map<string, IdentityCenterClients>();
  const identityCenter: IdentityCenterClientsFor = (region, role) => {
    const key = JSON.stringify([region ?? '', role?.roleArn ?? '', role?.externalId ?? '']);
    let found = identityCenterClients.get(key);
    if (found === undefined) {
      found = identityCenterClientPair({ sts, region, ...(role !== undefined ? { role } : {}) });
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
