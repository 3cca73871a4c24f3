import type { Account, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { WardenConfig } from '../../config/schema';
import { AssumeRoleError, errorText, namedErrorText } from '../../errors';
import { mapLimit } from '../../lib/concurrency';
import { systemClock } from '../../ports';
import type { Clock } from '../../ports';
import { createIamClient } from './iam/client';
import { organizationsSdk, stsSdk } from './sdk';
import type { IamClientOptions } from './iam/client';

/**
 * One AWS account Warden reconciles, and how it gets in: with the process's own credentials
 * (`ambient`, the account Warden runs in), or by assuming a role in the account.
 */
export type AccountTarget =
  | { readonly kind: 'ambient'; readonly id?: string; readonly name?: string }
  | {
      readonly kind: 'assume-role';
      readonly id: string;
      readonly name?: string;
      readonly roleArn: string;
      readonly externalId?: string;
      readonly source: 'config' | 'organizations';
    };

/** The accounts to reconcile, and what went wrong finding them (reported, never fatal on its own). */
export interface AccountResolution {
  readonly targets: readonly AccountTarget[];
  readonly problems: readonly string[];
}

export interface ResolveAccountsOptions {
  /** Needed only when `organizations.discover` is on; a function is only called then (the client is built on first use). */
  readonly organizations?: OrganizationsClient | (() => OrganizationsClient);
  /** The account Warden itself runs in: reached with its own credentials, never through a role. */
  readonly selfAccountId?: string;
}

/** An account as AWS Organizations lists it. */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
  readonly arn?: string;
  readonly state: string;
}

/** AWS's largest ListAccounts page. */
export const LIST_ACCOUNTS_PAGE_SIZE = 20;

const ACCOUNT_ID = /^\d{12}$/;

/** `State` replaced `Status` in 2025; old responses (and old SDK paths) only carry `Status`. */
const stateOf = (account: Account): string => account.State ?? account.Status ?? 'UNKNOWN';

/** Every account of the organization, 20 a page (Organizations' own maximum), in the order AWS lists them. */
export async function listOrganizationAccounts(client: OrganizationsClient): Promise<OrganizationAccount[]> {
  const accounts: OrganizationAccount[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new (organizationsSdk().ListAccountsCommand)({ MaxResults: LIST_ACCOUNTS_PAGE_SIZE, ...(token !== undefined ? { NextToken: token } : {}) }));
    for (const account of page.Accounts ?? []) {
      if (account.Id === undefined || !ACCOUNT_ID.test(account.Id)) continue;
      accounts.push({
        id: account.Id,
        state: stateOf(account),
        ...(account.Name !== undefined ? { name: account.Name } : {}),
        ...(account.Arn !== undefined ? { arn: account.Arn } : {}),
      });
    }
    token = page.NextToken;
  } while (token !== undefined && token !== '');
  return accounts;
}

/** The role ARN for `roleName` in `accountId`, in the partition of `partitionOf` (an ARN) or `aws`. */
export function roleArnFor(accountId: string, roleName: string, partitionOf?: string): string {
  const partition = partitionOf?.split(':')[1] ?? 'aws';
  const name = roleName.replace(/^\/+/, '');
  return `arn:${partition === '' ? 'aws' : partition}:iam::${accountId}:role/${name}`;
}

/**
 * The accounts a run covers. Accounts listed in the config come first and win over discovered ones
 * with the same id (so one account can be given a different role, or ambient access). With
 * `organizations.discover`, every ACTIVE account of the organization is added, reached through
 * `organizations.roleName` (and `externalId`), except Warden's own account, which it reaches with its
 * own credentials. Neither set: the one account of the ambient credentials. A failed discovery is a
 * problem in the result, not an exception: the configured accounts still run.
 */
export async function resolveAccounts(
  config: Pick<WardenConfig, 'accounts' | 'organizations'>,
  options: ResolveAccountsOptions = {},
): Promise<AccountResolution> {
  const targets: AccountTarget[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const account of config.accounts) {
    if (seen.has(account.id)) continue;
    seen.add(account.id);
    const name = account.name !== undefined ? { name: account.name } : {};
    targets.push(
      account.roleArn === undefined
        ? { kind: 'ambient', id: account.id, ...name }
        : {
            kind: 'assume-role',
            id: account.id,
            ...name,
            roleArn: account.roleArn,
            ...(account.externalId !== undefined ? { externalId: account.externalId } : {}),
            source: 'config',
          },
    );
  }

  const discovery = config.organizations;
  if (discovery?.discover === true) {
    if (options.organizations === undefined) {
      problems.push('organizations.discover is on but no Organizations client was given');
    } else {
      try {
        const listed = await listOrganizationAccounts(typeof options.organizations === 'function' ? options.organizations() : options.organizations);
        for (const account of listed) {
          if (seen.has(account.id)) continue;
          if (account.state !== 'ACTIVE') continue;
          seen.add(account.id);
          const name = account.name !== undefined ? { name: account.name } : {};
          targets.push(
            account.id === options.selfAccountId
              ? { kind: 'ambient', id: account.id, ...name }
              : {
                  kind: 'assume-role',
                  id: account.id,
                  ...name,
                  roleArn: roleArnFor(account.id, discovery.roleName, account.arn),
                  ...(discovery.externalId !== undefined ? { externalId: discovery.externalId } : {}),
                  source: 'organizations',
                },
          );
        }
      } catch (error) {
        problems.push(`organizations: listing accounts failed (${namedErrorText(error)}); only accounts listed in the config are reconciled`);
      }
    }
  }

  if (targets.length === 0 && discovery?.discover === true && problems.length === 0) {
    problems.push('organizations: no ACTIVE account was found to reconcile');
  }
  if (targets.length === 0 && discovery?.discover !== true) {
    targets.push(options.selfAccountId !== undefined ? { kind: 'ambient', id: options.selfAccountId } : { kind: 'ambient' });
  }
  return { targets, problems };
}

/** A label for logs and reports: `123456789012 (prod)`. */
export const describeTarget = (target: AccountTarget): string =>
  `${target.id ?? 'ambient account'}${target.name !== undefined ? ` (${target.name})` : ''}`;


export interface AssumeRoleOptions {
  readonly roleArn: string;
  readonly externalId?: string;
  /** Shown in the member account's CloudTrail as the session name. */
  readonly sessionName: string;
  /** 900-43200; default 3600. */
  readonly durationSeconds?: number;
  readonly clock?: Clock;
}

/** Credentials are renewed this long before they expire, so a long run never signs with expiring ones. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Credentials for a role in another account: assumed on first use, reused until five minutes before
 * they expire, and one AssumeRole at a time however many calls need them.
 */
export function assumeRoleCredentials(sts: STSClient, options: AssumeRoleOptions): AwsCredentialIdentityProvider {
  const clock = options.clock ?? systemClock;
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    let out;
    try {
      out = await sts.send(
        new (stsSdk().AssumeRoleCommand)({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName,
          DurationSeconds: options.durationSeconds ?? 3600,
          ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
        }),
      );
    } catch (cause) {
      throw new AssumeRoleError(options.roleArn, { cause });
    }
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
      throw new AssumeRoleError(options.roleArn, { cause: new Error('STS returned no credentials') });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration !== undefined ? { expiration: c.Expiration } : {}),
    };
  };
  return async () => {
    const valid = current !== undefined && (current.expiration === undefined || current.expiration.getTime() - REFRESH_BEFORE_MS > clock.now().getTime());
    if (valid && current !== undefined) return current;
    pending ??= assume().then(
      (fresh) => {
        current = fresh;
        pending = undefined;
        return fresh;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

export interface AccountClientsOptions {
  /** Used for every AssumeRole; built once by the composition root. */
  readonly sts: STSClient;
  /** CloudTrail session name in member accounts (default `warden`). */
  readonly sessionName?: string;
  /**
   * Region, endpoint, retries or a request handler for every IAM client (tests, special networks).
   * `credentials` here apply to the ambient account only; assumed roles bring their own.
   */
  readonly iam?: IamClientOptions;
  readonly clock?: Clock;
}

/**
 * One IAM client per account, made on first use and kept: a warm Lambda or a long-running
 * `warden serve` reuses clients, connections and assumed-role credentials across runs.
 */
export class AccountClients {
  private readonly clients = new Map<string, IAMClient>();

  constructor(private readonly options: AccountClientsOptions) {}

  /** The IAM client for one account (the ambient one, or through its role). */
  iamFor(target: AccountTarget): IAMClient {
    const key = target.kind === 'ambient' ? 'ambient' : `${target.roleArn}\u0000${target.externalId ?? ''}`;
    const existing = this.clients.get(key);
    if (existing !== undefined) return existing;
    const client = createIamClient({
      ...(this.options.iam ?? {}),
      ...(target.kind === 'assume-role'
        ? {
            credentials: assumeRoleCredentials(this.options.sts, {
              roleArn: target.roleArn,
              ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
              sessionName: this.options.sessionName ?? 'warden',
              ...(this.options.clock !== undefined ? { clock: this.options.clock } : {}),
            }),
          }
        : {}),
    });
    this.clients.set(key, client);
    return client;
  }

  /** Closes every client's connections (end of a CLI run, daemon shutdown). */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

/** One account's outcome in a many-account operation: a failure is a value, reported next to the others. */
export type AccountOutcome<T> =
  | { readonly ok: true; readonly target: AccountTarget; readonly value: T }
  | { readonly ok: false; readonly target: AccountTarget; readonly error: string };

/** Runs `fn` for every account, at most `limit` at once; one account failing never stops the others. */
export async function forEachAccount<T>(
  targets: readonly AccountTarget[],
  limit: number,
  fn: (target: AccountTarget) => Promise<T>,
): Promise<AccountOutcome<T>[]> {
  return mapLimit(targets, limit, async (target): Promise<AccountOutcome<T>> => {
    try {
      return { ok: true, target, value: await fn(target) };
    } catch (error) {
      return { ok: false, target, error: errorText(error) };
    }
  });
}
