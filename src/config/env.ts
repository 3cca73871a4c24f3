import { z } from 'zod';
import { ConfigError } from './load';

/**
 * Every environment variable Warden reads, in one zod schema (STYLE 6: nothing else reads `process.env`). The Lambda
 * functions (serverless.yml), `warden serve` (Slack) and the CLI (the SDK's `AWS_MAX_ATTEMPTS`) parse the same schema,
 * so one variable means one thing everywhere. Blank values count as unset. Secrets only ever come from here or from
 * Parameter Store, never from the config file.
 */
type Env = Readonly<Record<string, string | undefined>>;

const blankIsUnset = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value);

const text = () => z.preprocess(blankIsUnset, z.string().optional());

const positiveInt = (fallback: number) =>
  z.preprocess(blankIsUnset, z.string().regex(/^\d+$/, 'must be a positive integer').optional()).transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) {
      ctx.addIssue({ code: 'custom', message: 'must be a positive integer' });
      return z.NEVER;
    }
    return n;
  });

const lowerEnum = <T extends string>(values: readonly [T, ...T[]], message: string) =>
  z.preprocess((value) => {
    const trimmed = blankIsUnset(value);
    return typeof trimmed === 'string' ? trimmed.toLowerCase() : trimmed;
  }, z.enum(values, { message }).optional());

const httpUrl = z.preprocess(blankIsUnset, z.string().regex(/^https?:\/\//, 'must be an http(s) URL').optional()).transform((url) =>
  url === undefined || url.endsWith('/') ? url : `${url}/`,
);

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The whole environment Warden reads. */
export const environmentSchema = z.object({
  // Where the Lambda functions' config is (exactly one; checked in lambdaEnvironment).
  WARDEN_CONFIG_PARAMETER: text(),
  WARDEN_CONFIG_FILE: text(),
  LAMBDA_TASK_ROOT: text(),
  // Stores: on Lambda these override the config's `audit` block (documented in config/warden.example.yaml).
  WARDEN_AUDIT_TABLE: text(),
  WARDEN_STATE_TABLE: text(),
  WARDEN_DEPARTURES_TABLE: text(),
  WARDEN_SNAPSHOTS_TABLE: text(),
  WARDEN_AUDIT_ANCHOR_PARAMETER: text(),
  WARDEN_AUDIT_ANCHOR_BUCKET: text(),
  WARDEN_HOST_OUTPUT_BUCKET: text(),
  WARDEN_AUDIT_ANCHOR_PREFIX: text(),
  WARDEN_AUDIT_ANCHOR_RETENTION_DAYS: positiveInt(365),
  WARDEN_SLACK_SECRETS_PATH: z
    .preprocess(blankIsUnset, z.string().startsWith('/', 'must be a Parameter Store path starting with /').optional())
    .transform((p) => (p === undefined || p.endsWith('/') ? p : `${p}/`)),
  WARDEN_WORKER_FUNCTION: text(),
  WARDEN_ACCOUNT_CONCURRENCY: positiveInt(10),
  WARDEN_PARAMETER_TTL_SECONDS: positiveInt(300),
  WARDEN_SCHEDULED_MODE: lowerEnum(['plan', 'apply'], 'must be plan or apply'),
  WARDEN_METRICS_NAMESPACE: text(),
  WARDEN_METRICS_STACK: text(),
  LOG_LEVEL: lowerEnum(LOG_LEVELS, 'must be debug, info, warn or error'),
  // Slack: credentials for `warden serve` (the Lambda function reads them from Parameter Store instead).
  SLACK_BOT_TOKEN: text(),
  SLACK_SIGNING_SECRET: text(),
  SLACK_APP_TOKEN: z.preprocess(blankIsUnset, z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)').optional()),
  SLACK_API_URL: httpUrl,
  // The SDK's own retry setting: an explicit maxAttempts would hide it, so it is passed on (ignored when not 1-999).
  AWS_MAX_ATTEMPTS: z.preprocess(blankIsUnset, z.string().optional()).transform((v) => (v !== undefined && /^\d{1,3}$/.test(v) && Number(v) >= 1 ? Number(v) : undefined)),
});

export type WardenEnvironment = z.infer<typeof environmentSchema>;

/** Variables whose values are secrets: a problem with one names it and never repeats its value. */
const SECRET = new Set(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']);

type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

function read<T>(schema: z.ZodType<T>, env: Env): Read<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const got = env[name];
    return `${name} ${issue.message}${got !== undefined && !SECRET.has(name) ? `, got "${got}"` : ''}`;
  });
  return { ok: false, problems };
}

/** The environment's values, or the problems, each naming its variable (`NAME must be …, got "…"`), as a value. */
export const readEnvironment = (env: Env): Read<WardenEnvironment> => read(environmentSchema, env);

/** Parses the environment; throws one ConfigError naming every bad variable. */
export function parseEnvironment(env: Env, what = 'environment'): WardenEnvironment {
  const result = readEnvironment(env);
  if (!result.ok) throw new ConfigError(`${what}: ${result.problems.join('; ')}`);
  return result.value;
}

type Name = keyof WardenEnvironment;

/**
 * Parses only the variables a process uses (the CLI does not fail over a Lambda variable it never reads); throws one
 * ConfigError naming every bad one.
 */
export function parseEnvironmentOf<K extends Name>(env: Env, names: readonly K[], what = 'environment'): Pick<WardenEnvironment, K> {
  const mask = Object.fromEntries(names.map((name) => [name, true])) as Record<Name, true>;
  const result = read(environmentSchema.pick(mask), env);
  if (!result.ok) throw new ConfigError(`${what}: ${result.problems.join('; ')}`);
  return result.value as Pick<WardenEnvironment, K>;
}

/** Slack credentials and endpoint for `warden serve`, from `SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`, `SLACK_APP_TOKEN`, `SLACK_API_URL`. */
export interface SlackSettings {
  readonly botToken: string;
  readonly signingSecret?: string;
  /** Present: Socket Mode. */
  readonly appToken?: string;
  /** Web API base URL override (tests, proxies); ends with `/`. */
  readonly apiUrl?: string;
}

const slackSchema = environmentSchema.pick({ SLACK_BOT_TOKEN: true, SLACK_SIGNING_SECRET: true, SLACK_APP_TOKEN: true, SLACK_API_URL: true });

/** The Slack settings, or the first problem naming its variable (never a secret's value). */
export function slackSettingsFromEnv(env: Env): SlackSettings | { readonly error: string } {
  const result = read(slackSchema, env);
  if (!result.ok) return { error: result.problems.join('; ') };
  const { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_APP_TOKEN: appToken, SLACK_API_URL: apiUrl } = result.value;
  if (botToken === undefined) return { error: 'SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)' };
  if (appToken === undefined && signingSecret === undefined) {
    return { error: 'SLACK_SIGNING_SECRET is not set (needed to verify Slack requests over HTTP; or set SLACK_APP_TOKEN for Socket Mode)' };
  }
  return {
    botToken,
    ...(signingSecret !== undefined ? { signingSecret } : {}),
    ...(appToken !== undefined ? { appToken } : {}),
    ...(apiUrl !== undefined ? { apiUrl } : {}),
  };
}
