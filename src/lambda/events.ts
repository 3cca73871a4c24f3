import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AccountTarget } from '../adapters/aws/accounts';

/** A parsed event, or why it is not one (an unexpected event is a value the handler reports). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const describe = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(event)'}: ${issue.message}`).join('; ');

// ---------------------------------------------------------------------------------------------------------------------
// EventBridge schedule

const scheduledEventSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  account: z.string(),
  time: z.iso.datetime({ offset: true }),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

/** What EventBridge Scheduler / a schedule rule sends to a Lambda target. */
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** What starts a reconciliation: the schedule, or an operator's `serverless invoke -f reconcile --data '{"kind":"manual"}'`. */
export type ReconcileTrigger =
  | { readonly kind: 'schedule'; readonly eventId: string; readonly time: Date; readonly rule?: string }
  | { readonly kind: 'manual'; readonly time: Date; readonly mode?: 'plan' };

/** `{"kind":"manual"}` runs in the deployment's mode; `"mode":"plan"` only plans even where apply is on (never the reverse). */
const manualSchema = z.strictObject({ kind: z.literal('manual'), mode: z.literal('plan').optional() });

/** The mode a run goes in: the deployment's, or plan when the trigger asks for it. */
export const modeOf = (trigger: ReconcileTrigger, deployed: ScheduledMode): ScheduledMode =>
  trigger.kind === 'manual' && trigger.mode === 'plan' ? 'plan' : deployed;

/** Reads the reconcile function's event; `now` dates a manual run. */
export function parseReconcileTrigger(event: unknown, now: Date): Parsed<ReconcileTrigger> {
  const manual = manualSchema.safeParse(event);
  if (manual.success) return { ok: true, value: { kind: 'manual', time: now, ...(manual.data.mode !== undefined ? { mode: manual.data.mode } : {}) } };
  const scheduled = scheduledEventSchema.safeParse(event);
  if (!scheduled.success) return { ok: false, error: `not an EventBridge scheduled event nor {"kind":"manual"}: ${describe(scheduled.error)}` };
  const rule = scheduled.data.resources[0];
  return {
    ok: true,
    value: { kind: 'schedule', eventId: scheduled.data.id, time: new Date(scheduled.data.time), ...(rule !== undefined ? { rule } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// API Gateway HTTP API (payload format 2.0)

const httpApiEventSchema = z.object({
  version: z.literal('2.0'),
  routeKey: z.string(),
  rawPath: z.string(),
  rawQueryString: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  cookies: z.array(z.string()).optional(),
  queryStringParameters: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean(),
  requestContext: z
    .object({
      requestId: z.string(),
      timeEpoch: z.number().optional(),
      http: z.object({ method: z.string(), path: z.string(), sourceIp: z.string().optional() }).loose(),
    })
    .loose(),
});

/** The API Gateway HTTP API event (payload format 2.0), as Bolt's AwsLambdaReceiver also reads it. */
export type HttpApiEvent = z.infer<typeof httpApiEventSchema>;

/** The HTTP API's response: status, headers and a text body. */
export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

/** Checks an HTTP API event's shape (header names are kept as API Gateway sends them: lower case). */
export function parseHttpApiEvent(event: unknown): Parsed<HttpApiEvent> {
  const parsed = httpApiEventSchema.safeParse(event);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: `not an HTTP API (payload 2.0) event: ${describe(parsed.error)}` };
}

/** The request body as text (API Gateway base64-encodes bodies it considers binary, e.g. form posts without a charset). */
export function httpApiBody(event: HttpApiEvent): string {
  if (event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** A case-insensitive header read (API Gateway lower-cases names, test tools may not). */
export function headerOf(event: Pick<HttpApiEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Worker payloads

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

const accountTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ambient'), id: z.string().regex(/^\d{12}$/).optional(), name: z.string().optional() }),
  z
    .strictObject({
      kind: z.literal('assume-role'),
      id: z.string().regex(/^\d{12}$/),
      name: z.string().optional(),
      roleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN'),
      externalId: z.string().min(2).max(1224).optional(),
      source: z.enum(['config', 'organizations']),
    })
    .refine((t) => ROLE_ARN.exec(t.roleArn)?.[1] === t.id, { message: 'roleArn must be in the account it names', path: ['roleArn'] }),
]);

/** What the scheduled run does with a plan: apply it, or only record and log it (the first runs of a new deployment). */
export type ScheduledMode = 'plan' | 'apply';

const runId = z.string().min(1);

/**
 * Job shape 1 (no `v`): what the code before job versioning sends. Kept, strict as it was, so the jobs an old
 * dispatcher or Slack function sends while a deploy overlaps are still run by the new worker (then in the mode the
 * worker's own environment sets).
 */
const workerEventV1Schema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reconcile-account'),
    runId,
    account: accountTargetSchema,
    scheduledAt: z.iso.datetime({ offset: true }),
    hosts: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('apply-due-departures'),
    runId,
    ids: z.array(z.string().min(1)).optional(),
    actor: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('slack-task'), runId, task: z.unknown() }),
  z.strictObject({ kind: z.literal('trail-event'), runId, record: z.unknown() }),
]);

/** Job shape 2: `v: 2`, and the dispatcher's mode on an account's job. */
const workerEventV2Schema = z.discriminatedUnion('kind', [
  z.strictObject({
    v: z.literal(2),
    kind: z.literal('reconcile-account'),
    runId,
    account: accountTargetSchema,
    scheduledAt: z.iso.datetime({ offset: true }),
    mode: z.enum(['plan', 'apply']),
    hosts: z.boolean().optional(),
  }),
  z.strictObject({
    v: z.literal(2),
    kind: z.literal('apply-due-departures'),
    runId,
    ids: z.array(z.string().min(1)).optional(),
    actor: z.string().min(1).optional(),
  }),
  z.strictObject({ v: z.literal(2), kind: z.literal('slack-task'), runId, task: z.unknown() }),
]);

/** The job shape this code sends; the worker also accepts the one before it (`WORKER_EVENT_VERSION - 1`). */
export const WORKER_EVENT_VERSION = 2;

/**
 * What the worker function is asked to do, always asynchronously:
 * - `reconcile-account`: one account of a scheduled run (fan-out, so the 15-minute limit is per account);
 * - `apply-due-departures`: departures marked in Slack that are due (all of them, or the named ones);
 * - `slack-task`: slow work a Slack request handed off after acknowledging within Slack's 3 seconds.
 */
export type WorkerEvent =
  | {
      readonly kind: 'reconcile-account';
      readonly runId: string;
      readonly account: AccountTarget;
      readonly scheduledAt: string;
      /** This account's run also reconciles the hosts. */
      readonly hosts?: boolean;
      /** The dispatcher's mode; absent in a version 1 job (the worker's own setting decides). */
      readonly mode?: ScheduledMode;
    }
  | { readonly kind: 'apply-due-departures'; readonly runId: string; readonly ids?: readonly string[]; readonly actor?: string }
  | { readonly kind: 'slack-task'; readonly runId: string; readonly task: unknown }
  /** A CloudTrail record that may have given access back (the trail function's, issue 15); parsed again by the worker. */
  | { readonly kind: 'trail-event'; readonly runId: string; readonly record: unknown };

/**
 * The payload to send for a job, in the oldest shape that carries its meaning: an account's job needs shape 2 (its
 * mode), the others are unchanged and go out as shape 1, so a worker not yet updated during a deploy still runs them.
 */
export function encodeWorkerEvent(job: WorkerEvent): Record<string, unknown> {
  if (job.kind === 'reconcile-account') return { v: WORKER_EVENT_VERSION, ...job, mode: job.mode ?? 'plan' };
  return { ...job };
}

const versionOf = (event: unknown): unknown => (event !== null && typeof event === 'object' && 'v' in event ? (event as { v: unknown }).v : 1);

/** Checks a worker payload; a malformed one is refused before anything runs (nobody but Warden may invoke the worker). */
export function parseWorkerEvent(event: unknown): Parsed<WorkerEvent> {
  const version = versionOf(event);
  if (version !== 1 && version !== WORKER_EVENT_VERSION) {
    return { ok: false, error: `not a Warden worker event this version understands: job version ${JSON.stringify(version)} (this worker reads 1 and ${WORKER_EVENT_VERSION})` };
  }
  const parsed = version === 1 ? workerEventV1Schema.safeParse(event) : workerEventV2Schema.safeParse(event);
  if (!parsed.success) return { ok: false, error: `not a Warden worker event (version ${String(version)}): ${describe(parsed.error)}` };
  const data = parsed.data;
  switch (data.kind) {
    case 'reconcile-account': {
      const a = data.account;
      const account: AccountTarget =
        a.kind === 'ambient'
          ? { kind: 'ambient', ...(a.id !== undefined ? { id: a.id } : {}), ...(a.name !== undefined ? { name: a.name } : {}) }
          : {
              kind: 'assume-role',
              id: a.id,
              roleArn: a.roleArn,
              source: a.source,
              ...(a.name !== undefined ? { name: a.name } : {}),
              ...(a.externalId !== undefined ? { externalId: a.externalId } : {}),
            };
      return {
        ok: true,
        value: {
          kind: 'reconcile-account',
          runId: data.runId,
          account,
          scheduledAt: data.scheduledAt,
          ...(data.hosts === true ? { hosts: true } : {}),
          ...('mode' in data && (data.mode === 'plan' || data.mode === 'apply') ? { mode: data.mode } : {}),
        },
      };
    }
    case 'apply-due-departures':
      return {
        ok: true,
        value: {
          kind: 'apply-due-departures',
          runId: data.runId,
          ...(data.ids !== undefined ? { ids: data.ids } : {}),
          ...(data.actor !== undefined ? { actor: data.actor } : {}),
        },
      };
    case 'slack-task':
      return { ok: true, value: { kind: 'slack-task', runId: data.runId, task: data.task } };
    case 'trail-event':
      return { ok: true, value: { kind: 'trail-event', runId: data.runId, record: data.record } };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Context

/** A fresh value per invocation, part of every lock owner: Lambda retries an asynchronous invocation with the same request id. */
export const invocationNonce = (): string => randomBytes(6).toString('hex');

/** The part of the Lambda context Warden reads. */
export interface LambdaContextLike {
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly functionName?: string;
  getRemainingTimeInMillis(): number;
}

/** The account id in the invoked function's ARN: the account Warden runs in, known without an STS call. */
export function accountOfFunctionArn(arn: string): string | undefined {
  const id = arn.split(':')[4];
  return id !== undefined && /^\d{12}$/.test(id) ? id : undefined;
}
