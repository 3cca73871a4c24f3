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
  | { readonly kind: 'manual'; readonly time: Date };

const manualSchema = z.strictObject({ kind: z.literal('manual') });

/** Reads the reconcile function's event; `now` dates a manual run. */
export function parseReconcileTrigger(event: unknown, now: Date): Parsed<ReconcileTrigger> {
  const manual = manualSchema.safeParse(event);
  if (manual.success) return { ok: true, value: { kind: 'manual', time: now } };
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

const workerEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reconcile-account'),
    runId: z.string().min(1),
    account: accountTargetSchema,
    scheduledAt: z.iso.datetime({ offset: true }),
    hosts: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('apply-due-departures'),
    runId: z.string().min(1),
    ids: z.array(z.string().min(1)).optional(),
    actor: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('slack-task'), runId: z.string().min(1), task: z.unknown() }),
]);

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
    }
  | { readonly kind: 'apply-due-departures'; readonly runId: string; readonly ids?: readonly string[]; readonly actor?: string }
  | { readonly kind: 'slack-task'; readonly runId: string; readonly task: unknown };

/** Checks a worker payload; a malformed one is refused before anything runs (nobody but Warden may invoke the worker). */
export function parseWorkerEvent(event: unknown): Parsed<WorkerEvent> {
  const parsed = workerEventSchema.safeParse(event);
  if (!parsed.success) return { ok: false, error: `not a Warden worker event: ${describe(parsed.error)}` };
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
        value: { kind: 'reconcile-account', runId: data.runId, account, scheduledAt: data.scheduledAt, ...(data.hosts === true ? { hosts: true } : {}) },
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
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Context

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
