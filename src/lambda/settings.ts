import path from 'node:path';
import { parseEnvironment } from '../config/env';
import { ConfigError } from '../config/load';
import type { LogLevel } from '../lib/logger';
import type { ScheduledMode } from './events';

/** Where the config comes from: an SSM parameter (the deployment) or a file in the package (local runs, tests). */
export type ConfigLocation = { readonly kind: 'parameter'; readonly name: string } | { readonly kind: 'file'; readonly path: string };

/** Everything the Lambda functions read from their environment (set by serverless.yml; no secrets among them). */
export interface LambdaSettings {
  readonly config: ConfigLocation;
  /**
   * `WARDEN_AUDIT_TABLE` (and `WARDEN_STATE_TABLE`): the DynamoDB tables, overriding the config's `audit: { store: dynamodb,
   * table, stateTable }`; without the variable the config's tables are used.
   */
  readonly auditTable?: string;
  readonly stateTable?: string;
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
  /**
   * `WARDEN_HOST_OUTPUT_BUCKET`: the stack's bucket SSM writes host command output to (under `warden/`), read back instead
   * of paging large output through SSM. Instances write it with their own roles; a copy is used only when the seal SSM
   * itself reported matches it.
   */
  readonly hostOutputBucket?: string;
  /** `AWS_MAX_ATTEMPTS`, passed to the IAM clients (whose own default would otherwise hide it). */
  readonly maxAttempts?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the functions' settings through the one environment schema; throws one ConfigError naming every missing or bad variable. */
export function lambdaSettingsFromEnv(env: Env): LambdaSettings {
  let parsed: ReturnType<typeof parseEnvironment> | undefined;
  const problems: string[] = [];
  try {
    parsed = parseEnvironment(env, 'Lambda environment');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message.replace(/^Lambda environment: /, ''));
  }
  const parameter = parsed?.WARDEN_CONFIG_PARAMETER ?? env['WARDEN_CONFIG_PARAMETER']?.trim();
  const file = parsed?.WARDEN_CONFIG_FILE ?? env['WARDEN_CONFIG_FILE']?.trim();
  const taskRoot = parsed?.LAMBDA_TASK_ROOT ?? process.cwd();
  let config: ConfigLocation = { kind: 'file', path: '' };
  if (parameter && file) problems.push('set only one of WARDEN_CONFIG_PARAMETER and WARDEN_CONFIG_FILE');
  else if (parameter) config = { kind: 'parameter', name: parameter };
  else if (file) config = { kind: 'file', path: path.resolve(taskRoot, file) };
  else problems.push('WARDEN_CONFIG_PARAMETER (an SSM parameter holding the config YAML) is not set');
  if (problems.length > 0 || parsed === undefined) throw new ConfigError(`Lambda environment: ${problems.join('; ')}`);
  const e = parsed;
  return {
    config,
    ...(e.WARDEN_AUDIT_TABLE !== undefined ? { auditTable: e.WARDEN_AUDIT_TABLE, stateTable: e.WARDEN_STATE_TABLE ?? e.WARDEN_AUDIT_TABLE } : {}),
    ...(e.WARDEN_AUDIT_TABLE === undefined && e.WARDEN_STATE_TABLE !== undefined ? { stateTable: e.WARDEN_STATE_TABLE } : {}),
    ...(e.WARDEN_DEPARTURES_TABLE !== undefined ? { departuresTable: e.WARDEN_DEPARTURES_TABLE } : {}),
    ...(e.WARDEN_SNAPSHOTS_TABLE !== undefined ? { snapshotsTable: e.WARDEN_SNAPSHOTS_TABLE } : {}),
    ...(e.WARDEN_AUDIT_ANCHOR_PARAMETER !== undefined ? { auditAnchorParameter: e.WARDEN_AUDIT_ANCHOR_PARAMETER } : {}),
    ...(e.WARDEN_SLACK_SECRETS_PATH !== undefined ? { slackSecretsPath: e.WARDEN_SLACK_SECRETS_PATH } : {}),
    ...(e.WARDEN_WORKER_FUNCTION !== undefined ? { workerFunction: e.WARDEN_WORKER_FUNCTION } : {}),
    ...(e.SLACK_API_URL !== undefined ? { slackApiUrl: e.SLACK_API_URL } : {}),
    accountConcurrency: e.WARDEN_ACCOUNT_CONCURRENCY,
    logLevel: e.LOG_LEVEL ?? 'info',
    parameterTtlMs: e.WARDEN_PARAMETER_TTL_SECONDS * 1000,
    taskRoot,
    scheduledMode: e.WARDEN_SCHEDULED_MODE === 'apply' ? 'apply' : 'plan',
    metrics: { namespace: e.WARDEN_METRICS_NAMESPACE ?? 'Warden', stack: e.WARDEN_METRICS_STACK ?? 'warden' },
    ...(e.WARDEN_AUDIT_ANCHOR_BUCKET !== undefined
      ? {
          auditAnchorBucket: {
            bucket: e.WARDEN_AUDIT_ANCHOR_BUCKET,
            prefix: e.WARDEN_AUDIT_ANCHOR_PREFIX ?? 'audit-head/',
            retentionDays: e.WARDEN_AUDIT_ANCHOR_RETENTION_DAYS,
          },
        }
      : {}),
    ...(e.WARDEN_HOST_OUTPUT_BUCKET !== undefined ? { hostOutputBucket: e.WARDEN_HOST_OUTPUT_BUCKET } : {}),
    ...(e.AWS_MAX_ATTEMPTS !== undefined ? { maxAttempts: e.AWS_MAX_ATTEMPTS } : {}),
  };
}
