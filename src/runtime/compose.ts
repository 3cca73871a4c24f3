import { existsSync } from 'node:fs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ProgressEvent, ReconcileDeps } from '../app/reconcile';
import { accessPolicyOf, guardPolicyOf, loadConfig, type LoadedConfig } from '../config/load';
import type { WardenConfig } from '../config/schema';
import { createIamClient } from '../adapters/aws/iam/client';
import { IamAccountDirectory } from '../adapters/aws/iam/directory';
import { SqliteAuditLog } from '../adapters/audit/sqlite-audit-log';
import { SqliteRunStateStore } from '../adapters/state/sqlite-run-state';
import { openWardenDatabase } from '../adapters/state/sqlite-database';
import { FileRosterSource } from '../adapters/roster/file-roster';
import { InputError, WardenError } from '../errors';
import { systemClock, type AuditLog, type Clock, type Notifier, type RunStateStore } from '../ports';

/** An account Warden works in: from config, or the ambient credentials' own account. */
export interface AccountRef {
  readonly id?: string;
  readonly name?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
}

export interface RuntimeOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Audit actor for changes this process makes. */
  readonly actor: string;
  readonly progress?: (event: ProgressEvent) => void;
  /** Builds the IAM client for an account; the default follows the SDK's configuration chain. */
  readonly iamClientFor?: (account: AccountRef) => IAMClient;
  readonly notifier?: Notifier;
  readonly clock?: Clock;
}

/** Everything one process needs for reconciliation, opened once and closed at the end. */
export interface Runtime {
  readonly loaded: LoadedConfig;
  readonly deps: ReconcileDeps;
  readonly actor: string;
  readonly audit: AuditLog;
  readonly runs: RunStateStore;
  close(): Promise<void>;
}

const silentNotifier: Notifier = { notify: async () => undefined };

interface Stores {
  readonly audit: AuditLog;
  readonly runs: RunStateStore;
  close(): Promise<void>;
}

function openStores(loaded: LoadedConfig, clock: Clock): Stores {
  const audit = loaded.config.audit;
  switch (audit.store) {
    case 'sqlite': {
      const db = openWardenDatabase(loaded.sqlitePath ?? audit.path);
      return {
        audit: SqliteAuditLog.open(db, { clock }),
        runs: new SqliteRunStateStore(db),
        close: async () => {
          db.close();
        },
      };
    }
    case 'dynamodb':
      throw new WardenError('the DynamoDB audit store is served by the Lambda deployment; use audit.store: sqlite for the command line');
  }
}

/** Temporary credentials for a role in another account, refreshed by the SDK when they expire. */
function assumeRoleCredentials(roleArn: string, externalId: string | undefined, sessionName: string): AwsCredentialIdentityProvider {
  const sts = new STSClient({});
  return async (): Promise<AwsCredentialIdentity> => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, ...(externalId !== undefined ? { ExternalId: externalId } : {}) }),
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) throw new WardenError(`AssumeRole ${roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration !== undefined ? { expiration: c.Expiration } : {}),
    };
  };
}

const defaultIamClient = (account: AccountRef): IAMClient =>
  createIamClient(
    account.roleArn !== undefined ? { credentials: assumeRoleCredentials(account.roleArn, account.externalId, 'warden') } : {},
  );

function accountsOf(config: WardenConfig): AccountRef[] {
  if (config.accounts.length === 0) return [{}];
  return config.accounts.map((a) => ({
    id: a.id,
    ...(a.name !== undefined ? { name: a.name } : {}),
    ...(a.roleArn !== undefined ? { roleArn: a.roleArn } : {}),
    ...(a.externalId !== undefined ? { externalId: a.externalId } : {}),
  }));
}

/** Loads the config and wires roster, IAM directories, stores and notifier (the CLI's composition root). */
export async function openRuntime(configPath: string, options: RuntimeOptions): Promise<Runtime> {
  const loaded = loadConfig(configPath);
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const policy = accessPolicyOf(config);
  const stores = openStores(loaded, clock);
  const iamClientFor = options.iamClientFor ?? defaultIamClient;
  const clients: IAMClient[] = [];
  const directories = accountsOf(config).map((account) => {
    const client = iamClientFor(account);
    clients.push(client);
    return new IamAccountDirectory({
      client,
      ...(account.id !== undefined ? { account: account.id } : {}),
      policy: { denyAllPolicyName: policy.denyAllPolicyName, identity: policy.identity },
      clock,
    });
  });
  const deps: ReconcileDeps = {
    roster: new FileRosterSource({ path: loaded.rosterPath, timezone: config.timezone }),
    directories,
    audit: stores.audit,
    runs: stores.runs,
    notifier: options.notifier ?? silentNotifier,
    clock,
    policy,
    guard: guardPolicyOf(config),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
  };
  return {
    loaded,
    deps,
    actor: options.actor,
    audit: stores.audit,
    runs: stores.runs,
    close: async () => {
      for (const client of clients) client.destroy();
      await stores.close();
    },
  };
}

/** Opens just the audit log named by a config (for `warden audit` and `warden report`). */
export async function openAuditOnly(
  configPath: string,
  _env: Readonly<Record<string, string | undefined>>,
): Promise<{ audit: AuditLog; timezone: string; loaded: LoadedConfig; close(): Promise<void> }> {
  const loaded = loadConfig(configPath);
  if (loaded.sqlitePath !== undefined && !existsSync(loaded.sqlitePath)) {
    throw new InputError(`no audit log at ${loaded.sqlitePath} yet: run \`warden plan\` or \`warden apply\` with this config first`);
  }
  const stores = openStores(loaded, systemClock);
  return { audit: stores.audit, timezone: loaded.config.timezone, loaded, close: stores.close };
}
