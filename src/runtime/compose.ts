/**
 * The composition root of the `warden` command and `warden serve`: the config's stores (SQLite, or the DynamoDB tables
 * of `audit: { store: dynamodb }`) and the SDK's clients, wired by the same composition the Lambda handlers use.
 */
import { existsSync } from 'node:fs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { ProgressEvent, ReconcileDeps } from '../app/reconcile';
import { loadConfig, type LoadedConfig } from '../config/load';
import { parseEnvironmentOf } from '../config/env';
import { AccountClients, resolveAccounts, type AccountTarget } from '../adapters/aws/accounts';
import type { SsmHostFleetOptions } from '../adapters/aws/ssm/fleet';
import { SqliteAuditLog } from '../adapters/audit/sqlite-audit-log';
import { SqliteRunStateStore } from '../adapters/state/sqlite-run-state';
import { openWardenDatabase } from '../adapters/state/sqlite-database';
import { SqliteDepartureStore } from '../adapters/departures/sqlite-departure-store';
import { SqliteSnapshotStore } from '../adapters/evidence/sqlite-snapshot-store';
import { SqliteTrailCursorStore } from '../adapters/state/trail-cursors';
import { SqliteCampaignStore } from '../adapters/reviews/sqlite-campaign-store';
import { defaultFileAnchorPath, type AnchorSpec } from '../adapters/evidence/anchor-config';
import { InputError } from '../errors';
import { systemClock, type AuditLog, type Clock, type Notifier, type RunLock, type RunStateStore } from '../ports';
import type { DepartureNotifier, DepartureStore } from '../ports/departures';
import type { SlackWeb } from '../adapters/slack/web';
import { lazyAwsClients, type OwnedAwsClients } from './clients';
import { Composition } from './composition';
import { dynamoDbTablesOf, openDynamoDbStores, type Stores } from './stores';

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
  /** Departure threads (serve's Slack notifier). */
  readonly announcer?: DepartureNotifier;
  readonly clock?: Clock;
  /** The SSM client for hosts (config `hosts`); the default follows the SDK's configuration chain. */
  readonly ssmClient?: SSMClient;
  /** Identity Center clients (the demo's sandbox; given ones are left to their owner to destroy), and how fast to poll. */
  readonly identityCenter?: { readonly clients: NonNullable<OwnedAwsClients['identityCenter']>; readonly pollMs?: number };
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
  /** Departures marked in Slack (absent with a DynamoDB store naming no departures table); plans include them too. */
  readonly departures?: DepartureStore;
  /** The object graph, for the use cases beyond reconciliation (offboarding in `serve`). */
  readonly composition: Composition;
  /** What could not be resolved about the accounts (e.g. Organizations listing failed); the others still run. */
  readonly accountProblems: readonly string[];
  close(): Promise<void>;
}

/** The config's stores: one SQLite file and connection, or the DynamoDB tables of `audit: { store: dynamodb }`. */
function openStores(loaded: LoadedConfig, clients: OwnedAwsClients, clock: Clock): Stores {
  const tables = dynamoDbTablesOf(loaded.config);
  if (tables !== undefined) return openDynamoDbStores(clients.dynamodb, tables, { clock });
  const db = openWardenDatabase(loaded.sqlitePath ?? '.warden/warden.db');
  return {
    audit: SqliteAuditLog.open(db, { clock }),
    runs: new SqliteRunStateStore(db),
    departures: SqliteDepartureStore.open(db),
    snapshots: new SqliteSnapshotStore(db),
    trailCursors: new SqliteTrailCursorStore(db),
    reviews: SqliteCampaignStore.open(db),
    close: async () => {
      db.close();
    },
  };
}

/** The anchor specs a config asks for: `audit.anchors`, else a file beside a SQLite audit log (so a truncated tail is caught out of the box). */
export function anchorSpecsOf(loaded: LoadedConfig): AnchorSpec[] {
  const configured = loaded.config.audit.anchors;
  if (configured !== undefined) return configured;
  return defaultAnchorsOf(loaded);
}

const defaultAnchorsOf = (loaded: LoadedConfig): AnchorSpec[] =>
  loaded.sqlitePath !== undefined ? [{ kind: 'file', path: defaultFileAnchorPath(loaded.sqlitePath) }] : [];

/** Loads the config and wires roster, IAM directories, host fleet, stores and notifier (the CLI's composition root). */
export async function openRuntime(configPath: string, options: RuntimeOptions): Promise<Runtime> {
  const loaded = loadConfig(configPath);
  const env = parseEnvironmentOf(options.env, ['AWS_MAX_ATTEMPTS']);
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const clients = lazyAwsClients({
    ...(options.ssmClient !== undefined ? { hostSsm: options.ssmClient } : {}),
    ...(options.identityCenter !== undefined ? { identityCenter: options.identityCenter.clients } : {}),
  });
  const accounts = new AccountClients({
    get sts() {
      return clients.sts;
    },
    clock,
    ...(env.AWS_MAX_ATTEMPTS !== undefined ? { iam: { maxAttempts: env.AWS_MAX_ATTEMPTS } } : {}),
  });
  let stores: Stores | undefined;
  let composition: Composition | undefined;
  const closeAll = async (): Promise<void> => {
    composition?.destroy();
    accounts.destroy();
    clients.destroy();
    await stores?.close();
  };
  try {
    stores = openStores(loaded, clients, clock);
    const wired = new Composition({
      clients,
      stores,
      accounts,
      ...(options.iamClientFor !== undefined ? { iamClientFor: options.iamClientFor } : {}),
      clock,
      ...(options.notifier !== undefined ? { notifier: options.notifier } : {}),
      ...(options.announcer !== undefined ? { announcer: options.announcer } : {}),
      ...(options.hostTiming !== undefined ? { hostTiming: options.hostTiming } : {}),
      ...(options.identityCenter?.pollMs !== undefined ? { identityCenterPollMs: options.identityCenter.pollMs } : {}),
      hostOutputBucket: 'config',
      defaultAnchors: defaultAnchorsOf(loaded),
      ...(options.slackWeb !== undefined ? { slackWeb: options.slackWeb } : {}),
    });
    composition = wired;
    // Fail on a bad hosts block before reading any account.
    wired.hostFleetFor(loaded);
    const { targets, problems } = await resolveAccounts(config, config.organizations?.discover === true ? { organizations: () => clients.organizations } : {});
    const directories = targets.map((target) => wired.directoryFor(loaded, target));
    const deps = wired.reconcileDeps(loaded, directories, options.progress !== undefined ? { progress: options.progress } : {});
    return {
      loaded,
      deps,
      actor: options.actor,
      audit: stores.audit,
      runs: stores.runs,
      lock: stores.runs,
      ...(stores.departures !== undefined ? { departures: stores.departures } : {}),
      composition: wired,
      accountProblems: [...problems, ...wired.anchorsFor(loaded).skipped],
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
  if (loaded.config.audit.store === 'sqlite' && loaded.sqlitePath !== undefined && !existsSync(loaded.sqlitePath)) {
    throw new InputError(`no audit log at ${loaded.sqlitePath} yet: run \`warden plan\` or \`warden apply\` with this config first`);
  }
  const clients = lazyAwsClients();
  const stores = openStores(loaded, clients, systemClock);
  const close = async (): Promise<void> => {
    await stores.close();
    clients.destroy();
  };
  return { audit: stores.audit, timezone: loaded.config.timezone, loaded, close };
}
