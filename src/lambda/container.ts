/**
 * The Lambda composition root: settings from the environment (./settings.ts), AWS clients built once per container (at
 * the first invocation, then reused while the container is warm), and the stores and adapters every handler shares,
 * wired by the one composition every entry point uses (src/runtime/composition.ts). Nothing here runs at import time,
 * so loading a bundle is cheap and tests can import handlers without an AWS environment.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ReconcileDeps } from '../app/reconcile';
import type { OffboardingDeps } from '../app/offboarding';
import type { ReviewDeps } from '../app/reviews/deps';
import { reviewClockDue } from '../app/reviews/scheduled';
import { ConfigError, parseConfig } from '../config/load';
import type { LoadedConfig } from '../config/load';
import type { AnchorSpec } from '../config/schema';
import { AccountClients } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import type { IamClientOptions } from '../adapters/aws/iam/client';
import type { IamAccountDirectory } from '../adapters/aws/iam/directory';
import { LambdaAsyncInvoker } from '../adapters/aws/lambda-invoker';
import type { AsyncInvoker } from '../adapters/aws/lambda-invoker';
import { ParameterStore } from '../adapters/aws/parameters';
import type { SsmHostFleetOptions } from '../adapters/aws/ssm/fleet';
import { loadHostScripts } from '../adapters/hosts/host-script-protocol';
import type { HostScripts } from '../adapters/hosts/host-script-protocol';
import type { RunBudget } from '../adapters/state/dynamodb-run-budget';
import { createJsonLogger } from '../lib/logger';
import type { LogFields, Logger } from '../lib/logger';
import { systemClock } from '../ports';
import type { AccountDirectory, Clock, HostFleet, Notifier, RosterSource } from '../ports';
import type { DynamoDbAuditLog } from '../adapters/audit/dynamodb-audit-log';
import type { DynamoDbRunStateStore } from '../adapters/state/dynamodb-run-state';
import type { DepartureNotifier, DepartureStore } from '../ports/departures';
import type { SnapshotStore } from '../ports/evidence';
import { lazyAwsClients, type AwsClients } from '../runtime/clients';
import { Composition, silentAnnouncer, silentNotifier } from '../runtime/composition';
import { openDynamoDbStores, requireDynamoDbTables, type DynamoDbTables } from '../runtime/stores';
import { emfLine } from './metrics';
import type { MetricValues } from './metrics';
import { lambdaSettingsFromEnv, type LambdaSettings } from './settings';
import { LambdaSlackNotifier } from './slack-notifier';

export { lambdaSettingsFromEnv } from './settings';
export type { ConfigLocation, LambdaSettings } from './settings';
export { progressLogger } from '../runtime/composition';

/** The AWS clients one container uses (src/runtime/clients.ts). */
export type LambdaClients = AwsClients;

/** The clients, each built on first use (src/runtime/clients.ts); the Lambda client only when there is a worker. */
export const defaultLambdaClients = (settings: LambdaSettings): LambdaClients => lazyAwsClients({ lambda: settings.workerFunction !== undefined });

/** Slack credentials, read from Parameter Store at runtime and never put in the template or the environment. */
export interface SlackSecrets {
  readonly botToken: string;
  readonly signingSecret: string;
}

/** Departures marked in Slack: the DynamoDB store (WARDEN_DEPARTURES_TABLE) and who announces them. */
export interface LambdaDepartures {
  readonly store: DepartureStore;
  readonly announcer?: DepartureNotifier;
}

export interface LambdaContainerOptions {
  readonly settings: LambdaSettings;
  readonly clients: LambdaClients;
  /** Defaults to Lambda's asynchronous Invoke of `settings.workerFunction`, when set. */
  readonly invoker?: AsyncInvoker;
  /** Options for every IAM client (tests point them at the sandbox; `credentials` apply to the ambient account only). */
  readonly iam?: IamClientOptions;
  readonly clock?: Clock;
  /** Default: Slack (`slack.channel`) when the secrets path is set and the config has a `slack` section; else silent. */
  readonly notifier?: Notifier;
  /** Default: the DynamoDB store in the departures table, announced like `notifier`; none without a table. */
  readonly departures?: LambdaDepartures;
  /** Log line sink (default stdout, which Lambda ships to CloudWatch Logs). */
  readonly logSink?: (line: string) => void;
  /** Host fleet timing (tests poll their local sandbox fast). */
  readonly hostTiming?: Pick<SsmHostFleetOptions, 'poll' | 'deliveryTimeoutSeconds' | 'executionTimeoutSeconds'>;
}

/** What a handler needs for one account's reconciliation. */
export interface AccountContext {
  readonly loaded: LoadedConfig;
  readonly target: AccountTarget;
  readonly logger: Logger;
}

/** The stores of one set of tables and the composition over them. */
interface Wired {
  readonly key: string;
  readonly tables: DynamoDbTables;
  readonly stores: ReturnType<typeof openDynamoDbStores>;
  readonly composition: Composition;
}

/** The anchors the stack sets in the environment, added to the config's `audit.anchors`. */
function environmentAnchors(settings: LambdaSettings): AnchorSpec[] {
  const bucket = settings.auditAnchorBucket;
  return [
    ...(settings.auditAnchorParameter !== undefined ? [{ kind: 'ssm' as const, name: settings.auditAnchorParameter }] : []),
    ...(bucket !== undefined ? [{ kind: 's3' as const, bucket: bucket.bucket, prefix: bucket.prefix, retentionDays: bucket.retentionDays }] : []),
  ];
}

/**
 * Everything one Lambda container shares across invocations. The stores are DynamoDB's: the tables the environment
 * names (serverless.yml), else those of the config's `audit: { store: dynamodb, … }` (known once the config is loaded).
 */
export class LambdaContainer {
  readonly settings: LambdaSettings;
  readonly clients: LambdaClients;
  readonly parameters: ParameterStore;
  readonly accounts: AccountClients;
  readonly invoker: AsyncInvoker | undefined;
  readonly clock: Clock;
  readonly notifier: Notifier;
  private readonly announcer: DepartureNotifier;
  private readonly logSink: ((line: string) => void) | undefined;
  private readonly options: LambdaContainerOptions;
  private parsed: { readonly text: string; readonly loaded: LoadedConfig } | undefined;
  private wiredStores: Wired | undefined;
  private scripts: HostScripts | undefined;

  constructor(options: LambdaContainerOptions) {
    const { settings, clients } = options;
    this.options = options;
    this.settings = settings;
    this.clients = clients;
    this.clock = options.clock ?? systemClock;
    this.parameters = new ParameterStore({ client: clients.ssm, ttlMs: settings.parameterTtlMs, clock: this.clock });
    const iam: IamClientOptions | undefined =
      options.iam ?? (settings.maxAttempts !== undefined ? { maxAttempts: settings.maxAttempts } : undefined);
    this.accounts = new AccountClients({
      // A getter: STS (and its SDK package) is only built when a role is first assumed.
      get sts() {
        return clients.sts;
      },
      sessionName: 'warden',
      ...(iam !== undefined ? { iam } : {}),
      clock: this.clock,
    });
    this.invoker =
      options.invoker ??
      (settings.workerFunction !== undefined && 'lambda' in clients
        ? new LambdaAsyncInvoker({
            // A getter: the Lambda SDK loads with the first invocation sent, not with the container.
            get client() {
              return clients.lambda as LambdaClient;
            },
            functionName: settings.workerFunction,
          })
        : undefined);
    this.logSink = options.logSink;
    const slack =
      settings.slackSecretsPath !== undefined
        ? new LambdaSlackNotifier({
            source: this,
            clock: this.clock,
            ...(settings.slackApiUrl !== undefined ? { apiUrl: settings.slackApiUrl } : {}),
            log: () => this.logger('slack-notifier', { fn: 'notifier' }),
          })
        : undefined;
    this.notifier = options.notifier ?? slack ?? silentNotifier;
    this.announcer = options.departures?.announcer ?? slack ?? silentAnnouncer;
    if (settings.auditTable !== undefined) {
      this.wiredStores = this.wire({
        audit: settings.auditTable,
        state: settings.stateTable ?? settings.auditTable,
        ...(settings.departuresTable !== undefined ? { departures: settings.departuresTable } : {}),
        ...(settings.snapshotsTable !== undefined ? { snapshots: settings.snapshotsTable } : {}),
      });
    }
  }

  private wire(tables: DynamoDbTables): Wired {
    const key = JSON.stringify(tables);
    if (this.wiredStores?.key === key) return this.wiredStores;
    // Fanned-out workers append to one chain at once: allow more retries for the next seq than one process needs.
    const opened = openDynamoDbStores(this.clients.dynamodb, tables, { clock: this.clock, auditAttempts: 50 });
    const given = this.options.departures;
    const stores = { ...opened, ...(given !== undefined ? { departures: given.store } : {}) };
    const composition = new Composition({
      clients: this.clients,
      stores,
      accounts: this.accounts,
      clock: this.clock,
      notifier: this.notifier,
      announcer: this.announcer,
      hostScripts: this.hostScripts(),
      ...(this.options.hostTiming !== undefined ? { hostTiming: this.options.hostTiming } : {}),
      hostOutputBucket: this.settings.hostOutputBucket !== undefined ? { bucket: this.settings.hostOutputBucket } : 'none',
      extraAnchors: environmentAnchors(this.settings),
      forwardOnlyAnchors: true,
    });
    this.wiredStores = { key, tables, stores, composition };
    return this.wiredStores;
  }

  /** The stores and composition of the tables in force (the environment's, else the last loaded config's). */
  private wired(loaded?: LoadedConfig): Wired {
    if (loaded !== undefined && this.settings.auditTable === undefined) {
      return this.wire(requireDynamoDbTables(loaded.config, this.settings, this.describeConfig()));
    }
    if (this.wiredStores === undefined) {
      throw new ConfigError('Lambda environment: WARDEN_AUDIT_TABLE is not set and no config naming an audit table was loaded yet');
    }
    return this.wiredStores;
  }

  private describeConfig(): string {
    const location = this.settings.config;
    return location.kind === 'parameter' ? `SSM parameter ${location.name}` : location.path;
  }

  /** The DynamoDB tables in force. */
  get tables(): DynamoDbTables {
    return this.wired().tables;
  }

  get audit(): DynamoDbAuditLog {
    return this.wired().stores.audit;
  }

  get runs(): DynamoDbRunStateStore {
    return this.wired().stores.runs;
  }

  /** Each fanned-out run's revocation budget (the guard's maxRevocations over all its accounts). */
  get budget(): RunBudget {
    return this.wired().stores.budget;
  }

  /** Every account's access snapshots (the snapshots table); each run saves through a view scoped to what it read. */
  get snapshots(): SnapshotStore | undefined {
    return this.wired().stores.snapshots;
  }

  get departures(): LambdaDepartures | undefined {
    const store = this.wired().stores.departures;
    return store !== undefined ? { store, announcer: this.announcer } : undefined;
  }

  /** A JSON logger with `runId` on every line. */
  logger(runId: string, fields?: LogFields): Logger {
    return createJsonLogger({
      runId,
      level: this.settings.logLevel,
      now: () => this.clock.now(),
      ...(this.logSink !== undefined ? { sink: this.logSink } : {}),
      ...(fields !== undefined ? { fields } : {}),
    });
  }

  /**
   * Writes metrics as one embedded-metric-format log line (CloudWatch turns it into metrics; no PutMetricData call, so
   * no IAM permission), with `runId` and the other fields as searchable properties.
   */
  metric(values: MetricValues, fields: Readonly<Record<string, string>> = {}): void {
    const line = emfLine({ ...this.settings.metrics, values, fields, at: this.clock.now() });
    if (this.logSink !== undefined) this.logSink(line);
    else process.stdout.write(`${line}\n`);
  }

  /**
   * The current config: from Parameter Store (cached for the TTL) or the packaged file; parsed again only when it
   * changed. Its `audit` tables are used when the environment names none.
   */
  async loadConfig(): Promise<LoadedConfig> {
    const location = this.settings.config;
    const text = location.kind === 'parameter' ? await this.parameters.get(location.name) : await readFile(location.path, 'utf8');
    if (this.parsed?.text === text) return this.parsed.loaded;
    // Relative paths in a config held in Parameter Store are resolved against the bundle's root.
    const file = location.kind === 'parameter' ? path.join(this.settings.taskRoot, 'warden.yaml') : location.path;
    let loaded: LoadedConfig;
    try {
      loaded = parseConfig(text, file);
    } catch (error) {
      if (location.kind === 'parameter' && error instanceof ConfigError) {
        throw new ConfigError(error.message.replace(file, `SSM parameter ${location.name}`), { cause: error });
      }
      throw error;
    }
    this.wired(loaded);
    this.parsed = { text, loaded };
    return loaded;
  }

  /** The Slack bot token and signing secret (SecureString parameters, decrypted, cached for the TTL). */
  async slackSecrets(): Promise<SlackSecrets> {
    const base = this.settings.slackSecretsPath;
    if (base === undefined) throw new ConfigError('WARDEN_SLACK_SECRETS_PATH is not set: the Slack function needs the Parameter Store path of its secrets');
    const names = { botToken: `${base}bot-token`, signingSecret: `${base}signing-secret` };
    const values = await this.parameters.getMany([names.botToken, names.signingSecret]);
    return { botToken: values.get(names.botToken) ?? '', signingSecret: values.get(names.signingSecret) ?? '' };
  }

  /** The roster: an `s3://bucket/key` object, or a file shipped in the bundle. */
  rosterSource(loaded: LoadedConfig): RosterSource {
    return this.wired(loaded).composition.rosterSource(loaded);
  }

  /** The IAM directory for one account, over that account's (cached) IAM client. */
  directoryFor(loaded: LoadedConfig, target: AccountTarget, logger: Logger): IamAccountDirectory {
    return this.wired(loaded).composition.directoryFor(loaded, target, logger);
  }

  /** The SSM host fleet for config `hosts` (undefined without it), one per config version; scripts from the bundle. */
  hostFleetFor(loaded: LoadedConfig): HostFleet | undefined {
    return this.wired(loaded).composition.hostFleetFor(loaded);
  }

  /** The reconcile use case's dependencies over the given accounts, and the hosts unless `hosts: false`. */
  reconcileDeps(loaded: LoadedConfig, directories: readonly AccountDirectory[], logger: Logger, options: { readonly hosts?: boolean; readonly identityCenter?: boolean } = {}): ReconcileDeps {
    return this.wired(loaded).composition.reconcileDeps(loaded, directories, {
      logger,
      ...(options.hosts !== undefined ? { hosts: options.hosts } : {}),
      ...(options.identityCenter !== undefined ? { identityCenter: options.identityCenter } : {}),
    });
  }

  /** The offboarding use cases' dependencies, when departures are wired. */
  offboardingDeps(reconcile: ReconcileDeps, loaded: LoadedConfig, logger?: Logger): OffboardingDeps | undefined {
    return this.wired(loaded).composition.offboardingDeps(reconcile, loaded, logger !== undefined ? { log: { warn: (message: string) => logger.warn(message) } } : {});
  }

  /** Whether the access-review clock has work now (an open campaign, or a `reviews.schedule` slot with no campaign yet). */
  async reviewClockDue(loaded: LoadedConfig): Promise<'open-campaign' | 'slot-due' | undefined> {
    const { composition, stores } = this.wired(loaded);
    if (stores.reviews === undefined) return undefined;
    return reviewClockDue(stores.reviews, composition.reviewSchedule(loaded), this.clock.now());
  }

  /** The access review use cases' dependencies (campaigns live in the state table unless a reviews table is named). */
  reviewDeps(reconcile: ReconcileDeps, loaded: LoadedConfig, logger?: Logger): ReviewDeps | undefined {
    return this.wired(loaded).composition.reviewDeps(reconcile, loaded, logger !== undefined ? { log: { warn: (message: string) => logger.warn(message) } } : {});
  }

  /** Host scripts from the unpacked bundle, read when a command is first built (the Slack function never does). */
  private hostScripts(): HostScripts {
    const load = (): HostScripts => (this.scripts ??= loadHostScripts(path.join(this.settings.taskRoot, 'scripts', 'host')));
    return {
      get inventory() {
        return load().inventory;
      },
      get revoke() {
        return load().revoke;
      },
    };
  }
}

let shared: Promise<LambdaContainer> | undefined;

/**
 * The container of this Lambda execution environment, built on first use from `process.env` and
 * reused by every later invocation. A failed build is not cached, so a fixed parameter is picked up
 * at the next invocation.
 */
export function lambdaContainer(): Promise<LambdaContainer> {
  shared ??= (async () => {
    const settings = lambdaSettingsFromEnv(process.env);
    return new LambdaContainer({ settings, clients: defaultLambdaClients(settings) });
  })().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
