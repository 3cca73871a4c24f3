import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  AwsLambdaReceiver,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type BlockAction,
  type ButtonAction,
  type Logger,
  type Receiver,
  type webApi,
} from '@slack/bolt';
import { checkDepartureForm, newDepartureId, type FormField, type OffboardingDeps, type PersonQuery } from '../../app/offboarding';
import type { Roster } from '../../domain/roster';
import { systemClock, type Clock } from '../../ports';
import { SlackAuthorizer, type SlackPrincipals, type SlackRole } from './authorization';
import { IDS, deniedText, messageView, offboardModal, previewLoadingView, readOffboardForm, type HistoryCursor } from './blocks';
import { createJobRunner } from './jobs';
import { dropRepeatedDeliveries, guardHttpListener, guardLambdaHandler, MemorySeenStore, type AwsHandler, type SeenStore } from './request-hygiene';
import { WebClientSlackWeb, type SlackUserInfo, type SlackWeb } from './web';
import { InProcessWorkQueue, draftFromJson, draftToJson, type JobRunner, type ReplyTarget, type WorkQueue } from './work-queue';
import { errorText } from '../../errors';
import { registerReviewActions, reviewsOver, type SlackReviewDeps } from './review-jobs';

/** The `slack` section of the config. */
export interface SlackConfig {
  readonly channel: string;
  readonly hr: SlackPrincipals;
  readonly auditors: SlackPrincipals;
  readonly secondApproverFor: 'none' | 'admins' | 'all';
}

/** How Slack reaches us: HTTP (`warden serve`), Lambda (API Gateway / function URL), or Socket Mode (`SLACK_APP_TOKEN`). */
export type SlackReceiverMode =
  | { readonly kind: 'http'; readonly signingSecret: string }
  | { readonly kind: 'lambda'; readonly signingSecret: string }
  | { readonly kind: 'socket'; readonly appToken: string };

export interface CreateSlackAppOptions {
  readonly mode: SlackReceiverMode;
  readonly botToken: string;
  /** `SLACK_API_URL`: Web API base URL override. */
  readonly slackApiUrl?: string;
  readonly config: SlackConfig;
  /** The config's `timezone`: the modal's default and how times are shown. */
  readonly timezone: string;
  readonly offboarding: OffboardingDeps;
  /** Where slow work goes after the ack. Default in-process; Lambda must pass one that outlives the invocation. */
  readonly queue?: WorkQueue;
  /** Delivery ids already handled (default in memory, one hour). */
  readonly seen?: SeenStore;
  readonly logger?: Logger;
  readonly logLevel?: LogLevel;
  /** Extra WebClient options (retries, timeouts). */
  readonly clientOptions?: webApi.WebClientOptions;
  /** The Slack API the jobs use; default: Bolt's own client. */
  readonly web?: SlackWeb;
  /** How long the form submission may wait for the roster before leaving person checks to the preview (ms). */
  readonly rosterBudgetMs?: number;
  readonly maxClockSkewSeconds?: number;
  /** Wall clock for request timestamps (default the system clock; business time comes from the offboarding deps). */
  readonly requestClock?: Clock;
  /** Access reviews decided with Keep / Revoke buttons (their messenger is this app's Slack). */
  readonly reviews?: SlackReviewDeps;
}

/** A running Warden Slack app. */
export interface WardenSlackApp {
  readonly app: App;
  readonly web: SlackWeb;
  readonly queue: WorkQueue;
  /** Runs one job (the Lambda worker calls this with what `queue` sent). */
  readonly runJob: JobRunner;
  /** HTTP: listens (port 0 picks one); Socket Mode: connects; Lambda: nothing to start. */
  start(options?: { readonly port?: number; readonly host?: string }): Promise<{ readonly port?: number }>;
  /** Stops listening and waits for in-process jobs to finish. */
  stop(): Promise<void>;
  /** Resolves when no in-process job is running (graceful shutdown, tests). */
  idle(): Promise<void>;
  /** The API Gateway / function URL handler (Lambda mode only). */
  lambdaHandler(): AwsHandler;
}

const withTimeout = async <T>(promise: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/** `/offboard @user` or `/offboard someone@example.com` pre-fills the modal. Pure. */
export function parsePersonArgument(text: string): { slackId: string } | { email: string } | undefined {
  const t = text.trim();
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(t);
  if (mention?.[1] !== undefined) return { slackId: mention[1] };
  const mailto = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(t);
  if (mailto?.[1] !== undefined) return { email: mailto[1] };
  if (/^[^@\s<>]+@[^@\s<>]+$/.test(t)) return { email: t };
  return undefined;
}

const FIELD_BLOCK: Readonly<Record<Exclude<FormField, 'person'>, string>> = {
  date: IDS.block.date,
  time: IDS.block.time,
  timezone: IDS.block.timezone,
  reason: IDS.block.reason,
  notes: IDS.block.notes,
};

const ACCESS_USAGE =
  'Usage: `/access history <email | @user | iam-user>`, `/access at <YYYY-MM-DD> [account <id>] [group <name>] [host <instance-id>] [person <email>]` or `/access status`.';

function receiverFor(mode: SlackReceiverMode, logger: Logger | undefined, logLevel: LogLevel): Receiver {
  const common = { ...(logger !== undefined ? { logger } : {}), logLevel };
  switch (mode.kind) {
    case 'http':
      return new HTTPReceiver({ signingSecret: mode.signingSecret, endpoints: '/slack/events', ...common });
    case 'lambda':
      return new AwsLambdaReceiver({ signingSecret: mode.signingSecret, ...common });
    case 'socket':
      return new SocketModeReceiver({ appToken: mode.appToken, ...common });
    default: {
      const unexpected: never = mode;
      throw new Error(`unknown Slack receiver ${JSON.stringify(unexpected)}`);
    }
  }
}

/**
 * Builds the Warden Slack app over the shared offboarding use cases: `/offboard`, `/access`, the preview/confirm modal,
 * Approve/Cancel buttons, history paging and App Home. Every entry point checks the role first; slow work goes to the
 * queue after the ack. Calls `auth.test` once (a wrong token fails here, not on the first click).
 */
export async function createSlackApp(options: CreateSlackAppOptions): Promise<WardenSlackApp> {
  const { mode, config, offboarding } = options;
  const clock: Clock = offboarding.reconcile.clock;
  const logLevel = options.logLevel ?? LogLevel.INFO;
  if (mode.kind === 'lambda' && options.queue === undefined) {
    throw new Error('Lambda mode needs a WorkQueue that outlives the invocation (the in-process queue would be frozen with the function)');
  }
  const receiver = receiverFor(mode, options.logger, logLevel);
  const app = new App({
    receiver,
    token: options.botToken,
    deferInitialization: true,
    convoStore: false,
    logLevel,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    clientOptions: { ...options.clientOptions, ...(options.slackApiUrl !== undefined ? { slackApiUrl: options.slackApiUrl } : {}) },
  });
  await app.init();
  const log = app.logger;
  const web = options.web ?? new WebClientSlackWeb(app.client);
  const authorizer = new SlackAuthorizer({
    directory: web,
    hr: config.hr,
    auditors: config.auditors,
    clock,
    onLookupError: (group, error) => log.warn(`Could not read Slack user group ${group}: ${errorText(error)}`),
  });
  const reviews = reviewsOver(options.reviews, web, config.channel, options.timezone);
  const runJob = createJobRunner({ offboarding, web, authorizer, channel: config.channel, timezone: options.timezone, log, ...reviews });
  let inProcess: InProcessWorkQueue | undefined;
  let queue: WorkQueue;
  if (options.queue !== undefined) {
    queue = options.queue;
  } else {
    inProcess = new InProcessWorkQueue((job, error) => log.error(`Slack job ${job.kind} failed: ${errorText(error)}`));
    inProcess.attach(runJob);
    queue = inProcess;
  }
  const seen = options.seen ?? new MemorySeenStore();
  const audit = offboarding.reconcile.audit;

  const denied = async (role: SlackRole, userId: string, what: string): Promise<void> => {
    log.info(`Refused ${what} for ${userId}: not ${role}`);
    await audit
      .append({
        runId: `slack-${clock.now().getTime()}-${randomBytes(3).toString('hex')}`,
        actor: `slack:${userId}`,
        action: 'slack.denied',
        target: what,
        result: 'skipped',
        error: `not in slack.${role === 'hr' ? 'hr' : 'auditors'}`,
      })
      .catch((error: unknown) => log.error(`Could not audit a refusal: ${errorText(error)}`));
  };

  const replyTargetOf = (body: BlockAction): ReplyTarget =>
    body.response_url !== undefined && body.response_url !== ''
      ? { kind: 'response-url', url: body.response_url }
      : body.view?.type === 'home'
        ? { kind: 'home', userId: body.user.id }
        : { kind: 'none' };

  const replyDenied = async (body: BlockAction, role: SlackRole): Promise<void> => {
    if (body.response_url !== undefined && body.response_url !== '') {
      await web.respond(body.response_url, { text: deniedText(role) }).catch(() => undefined);
    }
  };

  // Listeners keep running after the ack (HTTP answers at ack time); tracked so stop() and idle() can wait for them.
  const listening = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    const running = next();
    listening.add(running);
    try {
      await running;
    } finally {
      listening.delete(running);
    }
  });
  app.use(dropRepeatedDeliveries(seen, clock));

  app.error(async (error) => {
    log.error(`Slack listener failed: ${error.message}`);
  });

  app.command('/offboard', async ({ command, ack }) => {
    if (!(await authorizer.allows(command.user_id, 'hr'))) {
      await ack({ response_type: 'ephemeral', text: deniedText('hr') });
      await denied('hr', command.user_id, 'command:/offboard');
      return;
    }
    await ack();
    const prefill = parsePersonArgument(command.text);
    await web.openView(command.trigger_id, offboardModal({ timezone: options.timezone, ...(prefill !== undefined ? { prefill } : {}) }));
  });

  app.view(IDS.offboardView, async ({ ack, body, view }) => {
    const userId = body.user.id;
    if (!(await authorizer.allows(userId, 'hr'))) {
      await ack({ response_action: 'errors', errors: { [IDS.block.personUser]: deniedText('hr') } });
      await denied('hr', userId, `view:${IDS.offboardView}`);
      return;
    }
    const form = readOffboardForm(view.state.values, options.timezone);
    // Both lookups run at once and are bounded, so authorization + validation stay well inside Slack's 3 seconds.
    const budget = options.rosterBudgetMs ?? 1200;
    const [roster, slackUser]: [Roster | undefined, SlackUserInfo | undefined] = await Promise.all([
      withTimeout(offboarding.reconcile.roster.load(), budget),
      form.slackUser !== undefined ? withTimeout(web.userInfo(form.slackUser), budget) : Promise.resolve(undefined),
    ]);
    let person: PersonQuery | undefined;
    if (form.slackUser !== undefined) {
      const email = slackUser?.email;
      person = { kind: 'slack', slackId: form.slackUser, ...(email !== undefined ? { email } : {}) };
    } else if (form.email !== undefined) {
      person = { kind: 'email', email: form.email };
    }
    const now = clock.now();
    const check = checkDepartureForm(
      {
        person,
        timezone: form.timezone,
        ...(form.date !== undefined ? { date: form.date } : {}),
        ...(form.time !== undefined ? { time: form.time } : {}),
        ...(form.reason !== undefined ? { reason: form.reason } : {}),
        ...(form.notes !== undefined ? { notes: form.notes } : {}),
      },
      {
        id: (offboarding.newId ?? (() => newDepartureId(now)))(),
        requestedBy: `slack:${userId}`,
        now,
        policy: offboarding.reconcile.policy,
        roster,
        ...(offboarding.maxBackdateDays !== undefined ? { maxBackdateDays: offboarding.maxBackdateDays } : {}),
        ...(offboarding.maxAheadDays !== undefined ? { maxAheadDays: offboarding.maxAheadDays } : {}),
      },
    );
    if (!check.ok) {
      const errors: Record<string, string> = {};
      for (const e of check.errors) {
        const block = e.field === 'person' ? (form.slackUser !== undefined ? IDS.block.personUser : IDS.block.personEmail) : FIELD_BLOCK[e.field];
        errors[block] = errors[block] === undefined ? e.message : `${errors[block]} ${e.message}`;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack({ response_action: 'update', view: previewLoadingView(check.draft.person.email) });
    await queue.enqueue({ kind: 'preview', viewId: view.id, draft: draftToJson(check.draft) });
  });

  app.view(IDS.confirmView, async ({ ack, body, view }) => {
    const userId = body.user.id;
    if (!(await authorizer.allows(userId, 'hr'))) {
      await ack({ response_action: 'update', view: messageView('Not allowed', deniedText('hr')) });
      await denied('hr', userId, `view:${IDS.confirmView}`);
      return;
    }
    let metadata: unknown;
    try {
      metadata = JSON.parse(view.private_metadata);
    } catch {
      metadata = undefined;
    }
    const draft = draftFromJson(metadata);
    if (draft === undefined) {
      await ack({ response_action: 'update', view: messageView('Form expired', 'This form is out of date; run `/offboard` again.') });
      return;
    }
    await ack({ response_action: 'update', view: messageView('Offboard someone', ':hourglass_flowing_sand: Recording the departure…') });
    await queue.enqueue({ kind: 'confirm', viewId: view.id, draft: draftToJson({ ...draft, requestedBy: `slack:${userId}` }) });
  });

  const departureButton = (kind: 'approve' | 'cancel', actionId: string): void => {
    app.action<BlockAction<ButtonAction>>({ action_id: actionId }, async ({ ack, body, action }) => {
      const userId = body.user.id;
      await ack();
      if (!(await authorizer.allows(userId, 'hr'))) {
        await replyDenied(body, 'hr');
        await denied('hr', userId, `action:${actionId}`);
        return;
      }
      await queue.enqueue({ kind, departureId: action.value ?? '', actor: `slack:${userId}`, reply: replyTargetOf(body) });
    });
  };
  departureButton('approve', IDS.approve);
  departureButton('cancel', IDS.cancel);
  registerReviewActions(app, queue, replyTargetOf);

  app.action<BlockAction<ButtonAction>>({ action_id: new RegExp(`^${IDS.historyPage}`) }, async ({ ack, body, action }) => {
    const userId = body.user.id;
    await ack();
    if (!(await authorizer.allows(userId, 'auditor'))) {
      await replyDenied(body, 'auditor');
      await denied('auditor', userId, `action:${action.action_id}`);
      return;
    }
    let cursor: HistoryCursor | undefined;
    try {
      const parsed = JSON.parse(action.value ?? '') as Partial<HistoryCursor>;
      if (typeof parsed.q === 'string' && typeof parsed.p === 'number') cursor = { q: parsed.q, p: parsed.p };
    } catch {
      cursor = undefined;
    }
    if (cursor === undefined || body.response_url === undefined) return;
    await queue.enqueue({ kind: 'history', query: cursor.q, page: cursor.p, actor: `slack:${userId}`, responseUrl: body.response_url, replace: true });
  });

  app.command('/access', async ({ command, ack }) => {
    if (!(await authorizer.allows(command.user_id, 'auditor'))) {
      await ack({ response_type: 'ephemeral', text: deniedText('auditor') });
      await denied('auditor', command.user_id, 'command:/access');
      return;
    }
    const [sub = '', ...rest] = command.text.trim().split(/\s+/);
    const actor = `slack:${command.user_id}`;
    switch (sub.toLowerCase()) {
      case 'history': {
        const query = rest.join(' ');
        if (query === '') {
          await ack({ response_type: 'ephemeral', text: ACCESS_USAGE });
          return;
        }
        await ack();
        await queue.enqueue({ kind: 'history', query, page: 0, actor, responseUrl: command.response_url, replace: false });
        return;
      }
      case 'at': {
        if (rest.length === 0) {
          await ack({ response_type: 'ephemeral', text: ACCESS_USAGE });
          return;
        }
        await ack();
        // A history job whose query starts with "at ": the same paging and the same job shape on every queue.
        await queue.enqueue({ kind: 'history', query: `at ${rest.join(' ')}`, page: 0, actor, responseUrl: command.response_url, replace: false });
        return;
      }
      case 'status':
        await ack();
        await queue.enqueue({ kind: 'status', actor, responseUrl: command.response_url });
        return;
      default:
        await ack({ response_type: 'ephemeral', text: ACCESS_USAGE });
    }
  });

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await queue.enqueue({ kind: 'home', userId: event.user });
  });

  const idle = async (): Promise<void> => {
    while (listening.size > 0 || inProcess?.busy === true) {
      await Promise.allSettled([...listening]);
      await inProcess?.drain();
    }
  };

  let server: Server | undefined;
  const hygiene = {
    clock: options.requestClock ?? systemClock,
    ...(options.maxClockSkewSeconds !== undefined ? { maxSkewSeconds: options.maxClockSkewSeconds } : {}),
    onRejected: (reason: string) => log.warn(`Refused a Slack request: ${reason}`),
  };

  return {
    app,
    web,
    queue,
    runJob,
    async start(startOptions = {}) {
      switch (mode.kind) {
        case 'http': {
          const listener = guardHttpListener((receiver as HTTPReceiver).requestListener, hygiene);
          const started = createServer(listener);
          server = started;
          await new Promise<void>((resolve, reject) => {
            started.once('error', reject);
            started.listen(startOptions.port ?? 3000, startOptions.host ?? '0.0.0.0', () => resolve());
          });
          return { port: (started.address() as AddressInfo).port };
        }
        case 'socket':
          await app.start();
          return {};
        case 'lambda':
          return {};
        default: {
          const unexpected: never = mode;
          throw new Error(`unknown Slack receiver ${JSON.stringify(unexpected)}`);
        }
      }
    },
    async stop() {
      if (server !== undefined) {
        const closing = server;
        server = undefined;
        closing.closeAllConnections();
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      if (mode.kind === 'socket') await app.stop();
      await idle();
    },
    idle,
    lambdaHandler() {
      if (mode.kind !== 'lambda') throw new Error('lambdaHandler() needs the Slack app in lambda mode');
      return guardLambdaHandler((receiver as AwsLambdaReceiver).toHandler(), hygiene);
    },
  };
}
