/**
 * The Lambda composition root: settings from the environment, AWS clients built once per container
 * (at the first invocation, then reused while the container is warm), and the stores and adapters
 * every handler shares. Nothing here runs at import time, so loading a bundle is cheap and tests can
 * import handlers without an AWS environment.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ProgressEvent, ReconcileDeps } from '../app/reconcile';
import { departureOverlay } from '../app/offboarding';
import type { OffboardingDeps } from '../app/offboarding';
import { ConfigError, accessPolicyOf, guardPolicyOf, parseConfig } from '../config/load';
import type { LoadedConfig } from '../config/load';
import { AccountClients } from '../adapters/aws/accounts';
import type { AccountTarget } from '../adapters/aws/accounts';
import type { IamClientOptions } from '../adapters/aws/iam/client';
import { IamAccountDirectory } from '../adapters/aws/iam/directory';
import { LambdaAsyncInvoker } from '../adapters/aws/lambda-invoker';
import type { AsyncInvoker } from '../adapters/aws/lambda-invoker';
import { ParameterStore } from '../adapters/aws/parameters';
import { lambdaSdk, organizationsSdk, s3Sdk, stsSdk } from '../adapters/aws/sdk';
import { lazy } from '../lib/lazy';
import { S3RosterSource, parseS3Url } from '../adapters/aws/s3-roster';
import { DynamoDbAuditLog } from '../adapters/audit/dynamodb-audit-log';
import { DynamoDbRunStateStore } from '../adapters/state/dynamodb-run-state';
import { DynamoDbDepartureStore } from '../adapters/departures/dynamodb-departure-store';
import { DynamoDbSnapshotStore } from '../adapters/evidence/dynamodb-snapshot-store';
import { SsmAnchorStore } from '../adapters/evidence/ssm-anchor-store';
import { createSsmClient } from '../adapters/aws/ssm/client';
import { SsmHostFleet } from '../adapters/aws/ssm/fleet';
import type { SsmHostFleetOptions } from '../adapters/aws/ssm/fleet';
import { loadHostScripts } from '../adapters/hosts/host-script-protocol';
import type { HostScripts } from '../adapters/hosts/host-script-protocol';
import { FileRosterSource } from '../adapters/roster/file-roster';
import { createJsonLogger, isLogLevel } from '../lib/logger';
import type { LogFields, LogLevel, Logger } from '../lib/logger';
import { systemClock } from '../ports';
import type { AccountDirectory, Clock, HostFleet, Notifier, RosterSource } from '../ports';
import type { DepartureNotifier, DepartureStore } from '../ports/departures';
import type { AnchorStore } from '../ports/evidence';
import { forwardOnlyAnchor, runScope } from './evidence';
import type { ScheduledMode } from './events';
import { DynamoDbRunBudget } from '../adapters/state/dynamodb-run-budget';
import type { RunBudget } from '../adapters/state/dynamodb-run-budget';
import { S3AnchorStore } from '../adapters/evidence/s3-anchor-store';
import { emfLine } from './metrics';
import type { MetricValues } from './metrics';
import { LambdaSlackNotifier } from './slack-notifier';

/** Where the config comes from: an SSM parameter (the deployment) or a file in the package (local runs, tests). */
export type ConfigLocation = { readonly kind: 'parameter'; readonly name: string } | { readonly kind: 'file'; readonly path: string };

/** Everything the Lambda functions read from their environment (set by serverless.yml; no secrets among them). */
export interface LambdaSettings {
  readonly config: ConfigLocation;
  readonly auditTable: string;
  readonly stateTable: string;
  readonly departuresTable?: string;
  /** `WARDEN_SNAPSHOTS_TABLE`: where each run's access snapshot goes; none without it. */
  readonly snapshotsTable?: string;
  /** `WARDEN_AUDIT_ANCHOR_PARAMETER`: the SSM parameter the audit chain head is published to after each run. */
  readonly auditAnchorParameter?: string;
  /** Parameter Store path holding `bot-token` and `signing-secret` (SecureString), ending in `/`. */
  readonly slackSecretsPath?: string;
  /** The worker function, for fan-out and deferred Slack work; absent means everything runs in-process. */
  readonly workerFunction?: string;
  /** `SLACK_API_URL`: Slack Web API base URL override (tests, proxies); ends with `/`. */
  readonly slackApiUrl?: string;
  /** Accounts dispatched (or, without a worker, reconciled) at once. */
  readonly accountConcurrency: number;
  readonly logLevel: LogLevel;
  /** How long parameters (config, secrets) are reused before Parameter Store is asked again. */
  readonly parameterTtlMs: number;
  /** Relative roster paths are resolved against this (the unpacked bundle). */
  readonly taskRoot: string;
  /**
   * `WARDEN_SCHEDULED_MODE`: whether scheduled and manual reconciliations apply their plans or only record them.
   * Anything but `apply` (including unset) is plan-only, so a deployment never applies before someone chose so.
   */
  readonly scheduledMode: ScheduledMode;
  /** `WARDEN_METRICS_NAMESPACE` / `WARDEN_METRICS_STACK`: where the heartbeat and run metrics go (embedded metric format). */
  readonly metrics: { readonly namespace: string; readonly stack: string };
  /** `WARDEN_AUDIT_ANCHOR_BUCKET` (+ `_PREFIX`, `WARDEN_AUDIT_ANCHOR_RETENTION_DAYS`): the Object Lock bucket the chain head also goes to. */
  readonly auditAnchorBucket?: { readonly bucket: string; readonly prefix: string; readonly retentionDays: number };
}

type Env = Readonly<Record<string, string | undefined>>;

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

function positiveInt(env: Env, name: string, fallback: number, problems: string[]): number {
  const text = value(env, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    problems.push(`${name} must be a positive integer, got "${text}"`);
    return fallback;
  }
  return n;
}

/** Reads the functions' settings; throws one ConfigError naming every missing or bad variable. */
export function lambdaSettingsFromEnv(env: Env): LambdaSettings {
  const problems: string[] = [];
  const parameter = value(env, 'WARDEN_CONFIG_PARAMETER');
  const file = value(env, 'WARDEN_CONFIG_FILE');
  const taskRoot = value(env, 'LAMBDA_TASK_ROOT') ?? process.cwd();
  let config: ConfigLocation = { kind: 'file', path: '' };
  if (parameter !== undefined && file !== undefined) problems.push('set only one of WARDEN_CONFIG_PARAMETER and WARDEN_CONFIG_FILE');
  else if (parameter !== undefined) config = { kind: 'parameter', name: parameter };
  else if (file !== undefined) config = { kind: 'file', path: path.resolve(taskRoot, file) };
  else problems.push('WARDEN_CONFIG_PARAMETER (an SSM parameter holding the config YAML) is not set');
  const auditTable = value(env, 'WARDEN_AUDIT_TABLE');
  if (auditTable === undefined) problems.push('WARDEN_AUDIT_TABLE is not set');
  const level = value(env, 'LOG_LEVEL')?.toLowerCase();
  if (level !== undefined && !isLogLevel(level)) problems.push(`LOG_LEVEL must be debug, info, warn or error, got "${level}"`);
  let secretsPath = value(env, 'WARDEN_SLACK_SECRETS_PATH');
  if (secretsPath !== undefined && !secretsPath.startsWith('/')) problems.push('WARDEN_SLACK_SECRETS_PATH must be a Parameter Store path starting with /');
  if (secretsPath !== undefined && !secretsPath.endsWith('/')) secretsPath = `${secretsPath}/`;
  let slackApiUrl = value(env, 'SLACK_API_URL');
  if (slackApiUrl !== undefined && !/^https?:\/\//.test(slackApiUrl)) problems.push(`SLACK_API_URL must be an http(s) URL, got "${slackApiUrl}"`);
  if (slackApiUrl !== undefined && !slackApiUrl.endsWith('/')) slackApiUrl = `${slackApiUrl}/`;
  const accountConcurrency = positiveInt(env, 'WARDEN_ACCOUNT_CONCURRENCY', 10, problems);
  const ttlSeconds = positiveInt(env, 'WARDEN_PARAMETER_TTL_SECONDS', 300, problems);
  const mode = value(env, 'WARDEN_SCHEDULED_MODE')?.toLowerCase();
  if (mode !== undefined && mode !== 'plan' && mode !== 'apply') problems.push(`WARDEN_SCHEDULED_MODE must be plan or apply, got "${mode}"`);
  const anchorBucket = value(env, 'WARDEN_AUDIT_ANCHOR_BUCKET');
  const retentionDays = positiveInt(env, 'WARDEN_AUDIT_ANCHOR_RETENTION_DAYS', 365, problems);
  if (problems.length > 0) throw new ConfigError(`Lambda environment: ${problems.join('; ')}`);
  const departuresTable = value(env, 'WARDEN_DEPARTURES_TABLE');
  const snapshotsTable = value(env, 'WARDEN_SNAPSHOTS_TABLE');
  const auditAnchorParameter = value(env, 'WARDEN_AUDIT_ANCHOR_PARAMETER');
  const workerFunction = value(env, 'WARDEN_WORKER_FUNCTION');
  return {
    config,
    auditTable: auditTable as string,
    stateTable: value(env, 'WARDEN_STATE_TABLE') ?? (auditTable as string),
    ...(departuresTable !== undefined ? { departuresTable } : {}),
    ...(snapshotsTable !== undefined ? { snapshotsTable } : {}),
    ...(auditAnchorParameter !== undefined ? { auditAnchorParameter } : {}),
    ...(secretsPath !== undefined ? { slackSecretsPath: secretsPath } : {}),
    ...(workerFunction !== undefined ? { workerFunction } : {}),
    ...(slackApiUrl !== undefined ? { slackApiUrl } : {}),
    accountConcurrency,
    logLevel: isLogLevel(level) ? level : 'info',
    parameterTtlMs: ttlSeconds * 1000,
    taskRoot,
    scheduledMode: mode === 'apply' ? 'apply' : 'plan',
    metrics: { namespace: value(env, 'WARDEN_METRICS_NAMESPACE') ?? 'Warden', stack: value(env, 'WARDEN_METRICS_STACK') ?? 'warden' },
    ...(anchorBucket !== undefined
      ? { auditAnchorBucket: { bucket: anchorBucket, prefix: value(env, 'WARDEN_AUDIT_ANCHOR_PREFIX') ?? 'audit-head/', retentionDays } }
      : {}),
  };
}

/** The AWS clients one container uses; each follows the SDK's own configuration chain. */
export interface LambdaClients {
  readonly dynamodb: DynamoDBClient;
  readonly ssm: SSMClient;
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  readonly s3: S3Client;
  /** Only when there is a worker to invoke. */
  readonly lambda?: LambdaClient;
  /** Run Command on hosts (adaptive retries: SSM throttles it per account); `ssm` when absent. */
  readonly hostSsm?: SSMClient;
}

/**
 * The clients, each built (and its SDK package loaded) on first use, then reused while the container is warm; region,
 * credentials and endpoints come from the Lambda environment. A function pays at cold start only for the clients its
 * invocation needs: the Slack function never loads IAM, STS, Organizations or S3.
 */
export function defaultLambdaClients(settings: LambdaSettings): LambdaClients {
  const dynamodb = lazy(() => new DynamoDBClient({}));
  const ssm = lazy(() => new SSMClient({}));
  const sts = lazy(() => new (stsSdk().STSClient)({}));
  const organizations = lazy(() => new (organizationsSdk().OrganizationsClient)({}));
  const s3 = lazy(() => new (s3Sdk().S3Client)({}));
  const hostSsm = lazy(() => createSsmClient());
  const lambda = lazy(() => new (lambdaSdk().LambdaClient)({}));
  const clients: LambdaClients = {
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
  };
  // Defined, not spread: spreading an object literal would read (and so build) the client at once.
  return settings.workerFunction !== undefined ? Object.defineProperty(clients, 'lambda', { get: lambda, enumerable: true }) : clients;
}

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
  /** Default: the DynamoDB store in `settings.departuresTable`, announced like `notifier`; none without a table. */
  readonly departures?: LambdaDepartures;
  /** Log line sink (default stdout, which Lambda ships to CloudWatch Logs). */
  readonly logSink?: (line: string) => void;
  /** Host fleet timing (tests poll their local sandbox fast). */
  readonly hostTiming?: Pick<SsmHostFleetOptions, 'poll' | 'deliveryTimeoutSeconds' | 'executionTimeoutSeconds'>;
}

const silentNotifier: Notifier = { notify: async () => undefined };
const silentAnnouncer: DepartureNotifier = { opened: async () => undefined, changed: async () => undefined };

/** What a handler needs for one account's reconciliation. */
export interface AccountContext {
  readonly loaded: LoadedConfig;
  readonly target: AccountTarget;
  readonly logger: Logger;
}

/** Everything one Lambda container shares across invocations. */
export class LambdaContainer {
  readonly settings: LambdaSettings;
  readonly clients: LambdaClients;
  readonly parameters: ParameterStore;
  readonly audit: DynamoDbAuditLog;
  readonly runs: DynamoDbRunStateStore;
  /** Each fanned-out run's revocation budget (the guard's maxRevocations over all its accounts). */
  readonly budget: RunBudget;
  readonly accounts: AccountClients;
  readonly invoker: AsyncInvoker | undefined;
  readonly clock: Clock;
  readonly notifier: Notifier;
  readonly departures: LambdaDepartures | undefined;
  /** Access snapshots (WARDEN_SNAPSHOTS_TABLE); each run saves through a view scoped to what it read. */
  readonly snapshots: DynamoDbSnapshotStore | undefined;
  /**
   * Where the audit chain head goes after each run, never moved backwards: the SSM parameter
   * (WARDEN_AUDIT_ANCHOR_PARAMETER) and the Object Lock bucket (WARDEN_AUDIT_ANCHOR_BUCKET), each when set.
   */
  readonly anchors: readonly AnchorStore[];
  private readonly logSink: ((line: string) => void) | undefined;
  private readonly hostTiming: LambdaContainerOptions['hostTiming'];
  private parsed: { readonly text: string; readonly loaded: LoadedConfig } | undefined;
  private readonly fleets = new WeakMap<LoadedConfig, HostFleet>();
  private scripts: HostScripts | undefined;
  private callerAccount: Promise<string> | undefined;

  constructor(options: LambdaContainerOptions) {
    const { settings, clients } = options;
    this.settings = settings;
    this.clients = clients;
    this.clock = options.clock ?? systemClock;
    this.parameters = new ParameterStore({ client: clients.ssm, ttlMs: settings.parameterTtlMs, clock: this.clock });
    // Fanned-out workers append to one chain at once: allow more retries for the next seq than one process needs.
    this.audit = new DynamoDbAuditLog({ client: clients.dynamodb, table: settings.auditTable, clock: this.clock, maxAttempts: 50 });
    this.runs = new DynamoDbRunStateStore({ client: clients.dynamodb, table: settings.stateTable });
    this.budget = new DynamoDbRunBudget({ client: clients.dynamodb, table: settings.stateTable });
    this.accounts = new AccountClients({
      // A getter: STS (and its SDK package) is only built when a role is first assumed.
      get sts() {
        return clients.sts;
      },
      sessionName: 'warden',
      ...(options.iam !== undefined ? { iam: options.iam } : {}),
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
    this.hostTiming = options.hostTiming;
    this.snapshots = settings.snapshotsTable !== undefined ? new DynamoDbSnapshotStore({ client: clients.dynamodb, table: settings.snapshotsTable }) : undefined;
    const bucket = settings.auditAnchorBucket;
    this.anchors = [
      ...(settings.auditAnchorParameter !== undefined ? [forwardOnlyAnchor(new SsmAnchorStore({ client: clients.ssm, name: settings.auditAnchorParameter }))] : []),
      ...(bucket !== undefined
        ? [forwardOnlyAnchor(new S3AnchorStore({
              get client() {
                return clients.s3;
              },
              bucket: bucket.bucket, prefix: bucket.prefix, retentionDays: bucket.retentionDays, clock: this.clock }))]
        : []),
    ];
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
    const table = settings.departuresTable;
    this.departures =
      options.departures ??
      (table !== undefined ? { store: new DynamoDbDepartureStore({ client: clients.dynamodb, table }), announcer: slack ?? silentAnnouncer } : undefined);
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

  /** The current config: from Parameter Store (cached for the TTL) or the packaged file; parsed again only when it changed. */
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
    const timezone = loaded.config.timezone;
    const location = parseS3Url(loaded.config.roster.path);
    return location !== undefined
      ? new S3RosterSource({ client: this.clients.s3, location, timezone })
      : new FileRosterSource({ path: loaded.rosterPath, timezone });
  }

  /** The IAM directory for one account, over that account's (cached) IAM client. */
  directoryFor(loaded: LoadedConfig, target: AccountTarget, logger: Logger): IamAccountDirectory {
    const policy = accessPolicyOf(loaded.config);
    return new IamAccountDirectory({
      client: this.accounts.iamFor(target),
      ...(target.id !== undefined ? { account: target.id } : {}),
      policy: { denyAllPolicyName: policy.denyAllPolicyName, identity: policy.identity },
      clock: this.clock,
      log: logger,
    });
  }

  /**
   * The SSM host fleet for config `hosts` (undefined without it), one per config version. The hosts are in the account
   * of the function's own credentials: the configured account without a role, else whatever STS says. The host
   * scripts ship in the bundle (serverless.yml package patterns) and are read on first use.
   */
  hostFleetFor(loaded: LoadedConfig): HostFleet | undefined {
    const hosts = loaded.config.hosts;
    if (hosts === undefined) return undefined;
    const cached = this.fleets.get(loaded);
    if (cached !== undefined) return cached;
    if (hosts.targets.length === 0 && hosts.instanceIds.length === 0) {
      throw new ConfigError('hosts: give targets or instanceIds (or leave the hosts block out to skip hosts)');
    }
    const fleet = new SsmHostFleet({
      client: this.clients.hostSsm ?? this.clients.ssm,
      account: loaded.config.accounts.find((a) => a.roleArn === undefined)?.id ?? (() => this.ownAccount()),
      targets: hosts.targets,
      instanceIds: hosts.instanceIds,
      maxConcurrency: hosts.maxConcurrency,
      killSessions: hosts.killSessions,
      scripts: this.hostScripts(),
      ...this.hostTiming,
    });
    this.fleets.set(loaded, fleet);
    return fleet;
  }

  /** The reconcile use case's dependencies over the given accounts, and the hosts unless `hosts: false`. */
  reconcileDeps(loaded: LoadedConfig, directories: readonly AccountDirectory[], logger: Logger, options: { readonly hosts?: boolean } = {}): ReconcileDeps {
    const departures = this.departures;
    const hosts = options.hosts === false ? undefined : this.hostFleetFor(loaded);
    if (hosts !== undefined && loaded.config.hosts?.outputBucket !== undefined) {
      logger.warn('hosts.outputBucket is not used on Lambda (the function role reads no other bucket): host output is read in pages');
    }
    const snapshots = this.snapshots?.scopedTo(runScope(directories, hosts !== undefined));
    const hostUserMap = loaded.config.hosts?.userMap;
    return {
      roster: this.rosterSource(loaded),
      ...(departures !== undefined ? { overlayRoster: departureOverlay(departures.store) } : {}),
      directories,
      ...(hosts !== undefined ? { hosts } : {}),
      ...(snapshots !== undefined || this.anchors.length > 0
        ? {
            evidence: {
              ...(snapshots !== undefined ? { snapshots } : {}),
              ...(this.anchors.length > 0 ? { anchors: this.anchors } : {}),
              ...(hostUserMap !== undefined ? { hostUserMap } : {}),
            },
          }
        : {}),
      audit: this.audit,
      runs: this.runs,
      notifier: this.notifier,
      clock: this.clock,
      policy: accessPolicyOf(loaded.config),
      guard: guardPolicyOf(loaded.config),
      progress: progressLogger(logger),
    };
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

  /** The account of the function's own credentials, asked of STS once per container. */
  private ownAccount(): Promise<string> {
    this.callerAccount ??= this.clients.sts.send(new (stsSdk().GetCallerIdentityCommand)({})).then(
      (out) => {
        if (out.Account === undefined) throw new Error('STS GetCallerIdentity returned no account');
        return out.Account;
      },
      (error: unknown) => {
        this.callerAccount = undefined;
        throw error;
      },
    );
    return this.callerAccount;
  }

  /** The offboarding use cases' dependencies, when departures are wired. */
  offboardingDeps(reconcile: ReconcileDeps, loaded: LoadedConfig, logger?: Logger): OffboardingDeps | undefined {
    const departures = this.departures;
    if (departures === undefined) return undefined;
    return {
      reconcile,
      departures: departures.store,
      announcer: departures.announcer ?? silentAnnouncer,
      secondApproverFor: loaded.config.slack?.secondApproverFor ?? 'admins',
      // Auditors' questions read every account's snapshots, not the scoped view one run saves through.
      ...(this.snapshots !== undefined ? { snapshots: this.snapshots } : {}),
      ...(logger !== undefined ? { log: { warn: (message: string) => logger.warn(message) } } : {}),
    };
  }
}

/** Reconcile progress as log lines (phases and per-account reads at info; each action at debug, the audit log has them all). */
export function progressLogger(logger: Logger): (event: ProgressEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'phase':
        logger.info(`phase ${event.phase}`, { phase: event.phase });
        return;
      case 'account-read':
        logger.info('account read', { account: event.account, users: event.users });
        return;
      case 'action-done':
        logger.debug('action done', {
          done: event.done,
          total: event.total,
          action: event.action.kind,
          account: event.action.account,
          result: event.outcome.result,
        });
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  };
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
