/**
 * The Slack app on Lambda: the real Bolt app (AwsLambdaReceiver) over the shared offboarding use cases, with DynamoDB
 * departures, DynamoDB retry dedupe and the worker as its work queue. Built once per container and secret/config
 * version: by the Slack function to acknowledge requests, and by the worker to run the jobs they handed off.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { resolveAccounts } from '../adapters/aws/accounts';
import { createSlackApp } from '../adapters/slack/app';
import { boltLevelOf, boltLoggerOver } from '../adapters/slack/bolt-logger';
import type { WardenSlackApp } from '../adapters/slack/app';
import { DynamoDbSeenStore } from '../adapters/slack/dynamodb-seen-store';
import { SlackNotifier } from '../adapters/slack/notifier';
import type { AwsEvent } from '../adapters/slack/request-hygiene';
import { WebClientSlackWeb } from '../adapters/slack/web';
import type { SlackJob, WorkQueue } from '../adapters/slack/work-queue';
import type { LoadedConfig } from '../config/load';
import { ConfigError } from '../config/load';
import type { Logger } from '../lib/logger';
import type { AccountDirectory } from '../ports';
import type { LambdaContainer, SlackSecrets } from './container';
import { accountOfFunctionArn } from './events';
import type { HttpApiEvent, HttpApiResult, LambdaContextLike } from './events';
import type { SlackAppFactory, SlackHttpHandler, SlackTaskRunner } from './slack-types';
import { LAMBDA_SLACK_CLIENT_OPTIONS } from './slack-notifier';
import { LambdaWorkQueue, noWorkerQueue } from './slack-work-queue';

export interface LambdaSlackAppOptions {
  readonly container: LambdaContainer;
  readonly loaded: LoadedConfig;
  readonly secrets: SlackSecrets;
  readonly logger: Logger;
  /** The accounts previews and revocations read and change (the Slack function needs none: it only acknowledges). */
  readonly directories: readonly AccountDirectory[];
  readonly queue: WorkQueue;
}

/** The Warden Slack app in Lambda mode over the container's stores; the config must have a `slack` section. */
export async function buildLambdaSlackApp(options: LambdaSlackAppOptions): Promise<WardenSlackApp> {
  const { container, loaded, secrets, logger } = options;
  const slackConfig = loaded.config.slack;
  if (slackConfig === undefined) throw new ConfigError('the config has no `slack` section (channel, hr, auditors): the Slack function has nothing to serve');
  const settings = container.settings;
  const apiUrl = settings.slackApiUrl;
  const web = WebClientSlackWeb.create({ token: secrets.botToken, clientOptions: LAMBDA_SLACK_CLIENT_OPTIONS, ...(apiUrl !== undefined ? { apiUrl } : {}) });
  const notifier = new SlackNotifier({ web, channel: slackConfig.channel, clock: container.clock, slaHours: loaded.config.slaHours });
  const reconcile = { ...container.reconcileDeps(loaded, options.directories, logger), notifier };
  const offboarding = container.offboardingDeps(reconcile, loaded, logger);
  if (offboarding === undefined) throw new ConfigError('WARDEN_DEPARTURES_TABLE is not set: the Slack app records departures in that DynamoDB table');
  const reviews = container.reviewDeps(reconcile, loaded, logger);
  return createSlackApp({
    mode: { kind: 'lambda', signingSecret: secrets.signingSecret },
    queue: options.queue,
    botToken: secrets.botToken,
    ...(apiUrl !== undefined ? { slackApiUrl: apiUrl } : {}),
    config: slackConfig,
    timezone: loaded.config.timezone,
    offboarding: { ...offboarding, announcer: notifier },
    ...(reviews !== undefined ? { reviews } : {}),
    web,
    seen: new DynamoDbSeenStore({ client: container.clients.dynamodb, table: container.tables.state }),
    logger: boltLoggerOver(logger, settings.logLevel),
    logLevel: boltLevelOf(settings.logLevel),
    clientOptions: LAMBDA_SLACK_CLIENT_OPTIONS,
  });
}

/** The container's work queue for Slack: the worker, asynchronously. */
export const slackQueueOf = (container: LambdaContainer): WorkQueue =>
  container.invoker !== undefined ? new LambdaWorkQueue(container.invoker) : noWorkerQueue;

/**
 * The Slack function's app factory (`createSlackHandler({ app: createSlackLambdaApp })`): acknowledges in the request
 * and hands every slow job to the worker, so it reads no AWS account itself.
 */
export const createSlackLambdaApp: SlackAppFactory = async (input) => {
  const slack = await buildLambdaSlackApp({
    container: input.container,
    loaded: input.loaded,
    secrets: input.secrets,
    logger: input.logger,
    directories: [],
    queue: slackQueueOf(input.container),
  });
  const handler = slack.lambdaHandler();
  const serve: SlackHttpHandler = async (event: HttpApiEvent, context: LambdaContextLike): Promise<HttpApiResult> =>
    handler(event as unknown as AwsEvent, context);
  return serve;
};

const replyTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('response-url'), url: z.url() }),
  z.object({ kind: z.literal('home'), userId: z.string().min(1) }),
  z.object({ kind: z.literal('none') }),
]);

const draft = z.object({ id: z.string().min(1) }).loose();

const slackJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('preview'), viewId: z.string().min(1), draft }),
  z.object({ kind: z.literal('confirm'), viewId: z.string().min(1), draft }),
  z.object({ kind: z.literal('approve'), departureId: z.string().min(1), actor: z.string().min(1), reply: replyTarget }),
  z.object({ kind: z.literal('cancel'), departureId: z.string().min(1), actor: z.string().min(1), reply: replyTarget }),
  z.object({ kind: z.literal('history'), query: z.string(), page: z.number().int().min(0), actor: z.string().min(1), responseUrl: z.url(), replace: z.boolean() }),
  z.object({ kind: z.literal('status'), actor: z.string().min(1), responseUrl: z.url() }),
  z.object({ kind: z.literal('home'), userId: z.string().min(1) }),
  z.object({ kind: z.literal('review-tick') }),
  z.object({
    kind: z.literal('review'),
    campaignId: z.string().min(1),
    packetId: z.string().min(1),
    request: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('item'), itemId: z.string().min(1), verdict: z.enum(['keep', 'revoke']) }),
      z.object({ kind: z.literal('keep-all') }),
    ]),
    actor: z.string().min(1),
    reply: replyTarget,
  }),
]);

// A new job kind the schema does not know fails to compile here, rather than being dropped by every worker.
type UnparsedKinds = Exclude<SlackJob['kind'], z.infer<typeof slackJobSchema>['kind']>;
const everyKindParsed: [UnparsedKinds] extends [never] ? true : UnparsedKinds = true;
void everyKindParsed;

/** A Slack job as the Slack function queued it, or why not (the job runner checks drafts in full itself). */
export function parseSlackJob(task: unknown): { readonly ok: true; readonly job: SlackJob } | { readonly ok: false; readonly error: string } {
  const parsed = slackJobSchema.safeParse(task);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(task)'}: ${i.message}`).join('; ') };
  // The schema checks the shape the runner relies on; the draft's own fields are checked by draftFromJson when it runs.
  return { ok: true, job: task as SlackJob };
}

/**
 * The worker's Slack task runner: builds the same app as the Slack function, over every account Warden manages (found
 * per job, so a new account counts at once), and runs the job with `slack.runJob`. The app is reused while secrets,
 * config and accounts stay the same. A malformed task is logged and dropped (a retry could not help).
 */
export function createSlackTaskRunner(): SlackTaskRunner {
  const built = new WeakMap<LambdaContainer, { readonly key: string; readonly app: Promise<WardenSlackApp> }>();
  return async (task, { container, loaded, logger, context }) => {
    const parsed = parseSlackJob(task);
    if (!parsed.ok) {
      logger.error('malformed Slack task; dropped', { error: parsed.error });
      return;
    }
    const self = context !== undefined ? accountOfFunctionArn(context.invokedFunctionArn) : undefined;
    const [secrets, resolution] = await Promise.all([
      container.slackSecrets(),
      resolveAccounts(loaded.config, { organizations: () => container.clients.organizations, ...(self !== undefined ? { selfAccountId: self } : {}) }),
    ]);
    for (const problem of resolution.problems) logger.error(problem);
    const key = createHash('sha256')
      .update(JSON.stringify([secrets.botToken, secrets.signingSecret, loaded.file, loaded.config, resolution.targets]))
      .digest('hex');
    let entry = built.get(container);
    if (entry?.key !== key) {
      const appLogger = container.logger('slack-worker-app', { fn: 'worker' });
      const directories = resolution.targets.map((target) => container.directoryFor(loaded, target, appLogger.child({ account: target.id ?? 'ambient' })));
      entry = { key, app: buildLambdaSlackApp({ container, loaded, secrets, logger: appLogger, directories, queue: slackQueueOf(container) }) };
      built.set(container, entry);
      const current = entry;
      current.app.catch(() => {
        if (built.get(container) === current) built.delete(container);
      });
    }
    const slack = await entry.app;
    logger.info('running Slack job', { job: parsed.job.kind });
    await slack.runJob(parsed.job);
  };
}
