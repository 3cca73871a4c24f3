import path from 'node:path';
import { existsSync } from 'node:fs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ProgressEvent, ReconcileDeps } from '../app/reconcile';
import { accessPolicyOf, guardPolicyOf, loadConfig, type LoadedConfig } from '../config/load';
import type { WardenConfig } from '../config/schema';
import { AccountClients, resolveAccounts, type AccountTarget } from '../adapters/aws/accounts';
import { IamAccountDirectory } from '../adapters/aws/iam/directory';
import { maxAttemptsFromEnv } from '../adapters/aws/iam/client';
import { createSsmClient } from '../adapters/aws/ssm/client';
import { SsmHostFleet, type SsmHostFleetOptions } from '../adapters/aws/ssm/fleet';
import { s3OutputStore } from '../adapters/aws/ssm/run-command';
import { SqliteAuditLog } from '../adapters/audit/sqlite-audit-log';
import { SqliteRunStateStore } from '../adapters/state/sqlite-run-state';
import { openWardenDatabase } from '../adapters/state/sqlite-database';
import { SqliteDepartureStore } from '../adapters/departures/sqlite-departure-store';
import { SqliteSnapshotStore } from '../adapters/evidence/sqlite-snapshot-store';
import { createAnchors, defaultFileAnchorPath, type AnchorSpec } from '../adapters/evidence/anchor-config';
import { FileRosterSource } from '../adapters/roster/file-roster';
import { departureOverlay } from '../app/offboarding';
import { InputError, WardenError } from '../errors';
import { systemClock, type AuditLog, type Clock, type HostFleet, type Notifier, type RunLock, type RunStateStore } from '../ports';
import type { DepartureStore } from '../ports/departures';
import type { SnapshotStore } from '../ports/evidence';
import type { SlackWeb } from '../adapters/slack/web';

export interface RuntimeOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Audit actor for changes this process makes. */
  readonly actor: string;
  readonly progress?: (event: ProgressEvent) => void;
  /** Builds the IAM client for an account; the default follows the SDK's configuration chain (AssumeRole for role targets). */
  readonly iamClientFor?: (account: AccountTarget) => IAMClient;
  /** Slack client for a Slack anchor (config `audit.anchors`), when the process has one. */
  readonly slackWeb?: Pick<SlackWeb, 'postMessage'>;
  readonly notifier?: Notifier;
  readonly clock?: Clock;
  /** The SSM client for hosts (config `hosts`); the default follows the SDK's configuration chain. */
  readonly ssmClient?: SSMClient;
  /** Host fleet timing (the demo polls its local sandbox fast). */
  readonly hostTiming?: Pick<SsmHostFleetOptions, 'poll' | 'deliveryTimeoutSeconds' | 'executionTimeoutSeconds'>;
}

/** Everything one process needs for reconciliation, opened once and closed at the end. */
export interface Runtime {
  readonly loaded: LoadedConfig;
  readonly deps: ReconcileDeps;
  readonly actor: string;
  readonly audit: AuditLog;
  readonly runs: RunStateStore;
  readonly lock: RunLock;
  /** Departures marked in Slack; the CLI's plans include them too (the roster overlay). */
  readonly departures: DepartureStore;
  /** What could not be resolved about the accounts (e.g. Organizations listing failed); the others still run. */
  readonly accountProblems: readonly string[];
  close(): Promise<void>;
}

const silentNotifier: Notifier = { notify: async () => undefined };

interface Stores {
  readonly audit: AuditLog;
  readonly runs: RunStateStore & RunLock;
  readonly departures: DepartureStore;
  readonly snapshots: SnapshotStore;
  close(): Promise<void>;
}

/** Audit log, run state and lock, departures and snapshots: one SQLite file, one connection. */
function openStores(loaded: LoadedConfig, clock: Clock): Stores {
  const audit = loaded.config.audit;
  switch (audit.store) {
    case 'sqlite': {
      const db = openWardenDatabase(loaded.sqlitePath ?? audit.path);
      return {
        audit: SqliteAuditLog.open(db, { clock }),
        runs: new SqliteRunStateStore(db),
        departures: SqliteDepartureStore.open(db),
        snapshots: new SqliteSnapshotStore(db),
        close: async () => {
          db.close();
        },
      };
    }
    case 'dynamodb':
      throw new WardenError('the DynamoDB audit store is served by the Lambda deployment; use audit.store: sqlite for the command line');
  }
}

/** The anchor specs a config asks for: `audit.anchors`, else a file beside a SQLite audit log (so a truncated tail is caught out of the box). */
export function anchorSpecsOf(loaded: LoadedConfig): AnchorSpec[] {
  const configured = loaded.config.audit.anchors;
  if (configured !== undefined) return configured;
  return loaded.sqlitePath !== undefined ? [{ kind: 'file', path: defaultFileAnchorPath(loaded.sqlitePath) }] : [];
}

/** The account the ambient credentials are in, asked of STS once. */
async function ambientAccount(): Promise<string> {
  const sts = new STSClient({});
  try {
    const account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
    if (account === undefined) throw new WardenError('STS GetCallerIdentity returned no account for the hosts');
    return account;
  } finally {
    sts.destroy();
  }
}

/**
 * The SSM host fleet for config `hosts`, with the ambient credentials (SSM runs where they are): its account is the first
 * configured account reached without a role, else whatever STS says the credentials are in.
 */
function openHostFleet(config: WardenConfig, options: RuntimeOptions): { fleet: HostFleet; close(): void } | undefined {
  const hosts = config.hosts;
  if (hosts === undefined) return undefined;
  if (hosts.targets.length === 0 && hosts.instanceIds.length === 0) {
    throw new InputError('hosts: give targets or instanceIds (or leave the hosts block out to skip hosts)');
  }
  const ownClient = options.ssmClient === undefined;
  const client = options.ssmClient ?? createSsmClient();
  const s3 = hosts.outputBucket !== undefined ? new S3Client({}) : undefined;
  const fleet = new SsmHostFleet({
    client,
    account: config.accounts.find((a) => a.roleArn === undefined)?.id ?? ambientAccount,
    targets: hosts.targets,
    instanceIds: hosts.instanceIds,
    maxConcurrency: hosts.maxConcurrency,
    killSessions: hosts.killSessions,
    ...(hosts.outputBucket !== undefined && s3 !== undefined ? { output: { bucket: hosts.outputBucket, keyPrefix: 'warden', store: s3OutputStore(s3) } } : {}),
    ...options.hostTiming,
  });
  return {
    fleet,
    close: () => {
      if (ownClient) client.destroy();
      s3?.destroy();
    },
  };
}

/** Loads the config and wires roster, IAM directories, host fleet, stores and notifier (the CLI's composition root). */
export async function openRuntime(configPath: string, options: RuntimeOptions): Promise<Runtime> {
  const loaded = loadConfig(configPath);
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const policy = accessPolicyOf(config);
  const hosts = openHostFleet(config, options);
  const stores = openStores(loaded, clock);
  const closers: (() => void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers) close();
    hosts?.close();
    await stores.close();
  };
  try {
    const organizations = config.organizations?.discover === true ? new OrganizationsClient({}) : undefined;
    if (organizations !== undefined) closers.push(() => organizations.destroy());
    const { targets, problems } = await resolveAccounts(config, organizations !== undefined ? { organizations } : {});
    let iamClientFor = options.iamClientFor;
    if (iamClientFor === undefined) {
      const sts = new STSClient({});
      const maxAttempts = maxAttemptsFromEnv(options.env);
      const clients = new AccountClients({ sts, clock, ...(maxAttempts !== undefined ? { iam: { maxAttempts } } : {}) });
      closers.push(
        () => clients.destroy(),
        () => sts.destroy(),
      );
      iamClientFor = (target) => clients.iamFor(target);
    }
    const makeClient = iamClientFor;
    const directories = targets.map((target) => {
      const client = makeClient(target);
      if (options.iamClientFor !== undefined) closers.push(() => client.destroy());
      return new IamAccountDirectory({
        client,
        ...(target.id !== undefined ? { account: target.id } : {}),
        policy: { denyAllPolicyName: policy.denyAllPolicyName, identity: policy.identity },
        clock,
      });
    });
    let ssm: SSMClient | undefined;
    let s3: S3Client | undefined;
    const anchors = createAnchors(anchorSpecsOf(loaded), {
      baseDir: path.dirname(loaded.file),
      ssm: () => (ssm ??= createSsmClient()),
      s3: () => (s3 ??= new S3Client({})),
      ...(options.slackWeb !== undefined
        ? { slack: { web: options.slackWeb, ...(config.slack !== undefined ? { defaultChannel: config.slack.channel } : {}) } }
        : {}),
    });
    closers.push(() => ssm?.destroy());
    closers.push(() => s3?.destroy());
    const deps: ReconcileDeps = {
      roster: new FileRosterSource({ path: loaded.rosterPath, timezone: config.timezone }),
      overlayRoster: departureOverlay(stores.departures),
      directories,
      ...(hosts !== undefined ? { hosts: hosts.fleet } : {}),
      audit: stores.audit,
      runs: stores.runs,
      notifier: options.notifier ?? silentNotifier,
      clock,
      policy,
      guard: guardPolicyOf(config),
      evidence: {
        snapshots: stores.snapshots,
        anchors: anchors.sinks,
        ...(config.hosts !== undefined ? { hostUserMap: config.hosts.userMap } : {}),
      },
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
    };
    return {
      loaded,
      deps,
      actor: options.actor,
      audit: stores.audit,
      runs: stores.runs,
      lock: stores.runs,
      departures: stores.departures,
      accountProblems: [...problems, ...anchors.skipped.map((what) => `audit anchor not written here: ${what}`)],
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
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
