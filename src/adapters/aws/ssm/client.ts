import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';

/** What a composition root may pin; everything left out comes from the SDK's own configuration chain (AWS_ENDPOINT_URL_SSM included). */
export interface SsmClientOptions {
  readonly region?: string;
  readonly credentials?: SSMClientConfig['credentials'];
  readonly endpoint?: string;
  readonly maxAttempts?: number;
}

/** SSM throttles Run Command APIs per account, so the SDK's adaptive retries (token bucket + backoff); IAM, which Warden calls hundreds of times per account, is paced by ../pacer.ts instead. */
export const DEFAULT_SSM_MAX_ATTEMPTS = 8;

/** Builds one SSM client with adaptive retries; region, credentials and endpoint are only set when given. */
export function createSsmClient(opts: SsmClientOptions = {}): SSMClient {
  return new SSMClient({
    retryMode: 'adaptive',
    maxAttempts: opts.maxAttempts ?? DEFAULT_SSM_MAX_ATTEMPTS,
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
  });
}
