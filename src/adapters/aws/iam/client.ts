import type { IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import { iamSdk } from '../sdk';
import { pacedRetryStrategy, type SendPacer } from '../pacer';

/** What a composition root may pin; everything left out comes from the SDK's own configuration chain. */
export interface IamClientOptions {
  readonly region?: string;
  readonly credentials?: IAMClientConfig['credentials'];
  readonly endpoint?: string;
  /** Total attempts per call, including the first (SDK retries, paced to the account's limit: ../pacer.ts). */
  readonly maxAttempts?: number;
  /** Paces the client's calls; a new AccountPacer when absent (tests pass one that records what it is told). */
  readonly pacer?: SendPacer;
  /** For tests and special networks (e.g. a NodeHttpHandler with short timeouts). */
  readonly requestHandler?: IAMClientConfig['requestHandler'];
}

/** IAM throttles per account, so calls are paced to the limit it answers with (../pacer.ts) and throttles retried. */
export const DEFAULT_IAM_MAX_ATTEMPTS = 8;

/**
 * The SDK's standard `AWS_MAX_ATTEMPTS` setting, for composition roots to pass as `maxAttempts` (an explicit
 * `maxAttempts` would otherwise hide it). Undefined when unset or not a whole number of at least 1.
 */
export function maxAttemptsFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env['AWS_MAX_ATTEMPTS']?.trim();
  if (text === undefined || !/^\d{1,3}$/.test(text)) return undefined;
  const attempts = Number(text);
  return attempts >= 1 ? attempts : undefined;
}

/**
 * Builds one IAM client for one account, its calls paced to the account's throttling limit (one pacer per client, as IAM
 * throttles per account); region, credentials and endpoint are only set when given.
 */
export function createIamClient(opts: IamClientOptions = {}): IAMClient {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_IAM_MAX_ATTEMPTS;
  return new (iamSdk().IAMClient)({
    retryStrategy: pacedRetryStrategy(maxAttempts, opts.pacer),
    maxAttempts,
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.requestHandler !== undefined ? { requestHandler: opts.requestHandler } : {}),
  });
}
