import cron from 'node-cron';
import { loadConfig } from '../../config/load';
import { boltLevelOf, boltLoggerOver, createSlackApp, slackSettingsFromEnv, SlackNotifier, WebClientSlackWeb, type WardenSlackApp } from '../../adapters/slack';
import { ScheduledReconciler, type ScheduledOutcome } from '../../app/scheduled-run';
import { reviewCron } from '../../app/reviews/schedule';
import { ExitCode, InputError } from '../../errors';
import { createJsonLogger, type Logger, type LogLevel } from '../../lib/logger';
import { parseEnvironmentOf } from '../../config/env';
import { systemClock } from '../../ports';
import { openRuntime, type Runtime } from '../../runtime/compose';
import { openTrailWatch } from '../../runtime/trail-watch';
import type { CliIo } from '../io';
import { resolveConfigPath } from './config-path';
import { reviewTasks } from './serve-reviews';

export interface ServeOptions {
  readonly config?: string;
  readonly port: string;
  readonly host: string;
  /** Reconcile once at start-up, so a restarted daemon does not wait for the next slot (default on). */
  readonly initialRun: boolean;
}

const describeOutcome = (outcome: ScheduledOutcome): Record<string, unknown> => {
  switch (outcome.kind) {
    case 'ran':
      return { outcome: outcome.report.outcome, runId: outcome.report.runId };
    case 'departures':
      return { departuresApplied: outcome.applied };
    case 'skipped':
      return { skipped: outcome.why };
    case 'failed':
      return { failed: outcome.error };
  }
};

interface ShutdownRequest {
  /** Resolves with why (the signal's name) on the first SIGINT/SIGTERM, or when `until` aborts (tests). */
  readonly requested: Promise<string>;
  /** Removes the handlers when serve returns (a process may serve more than once, as tests do). */
  dispose(): void;
}

/**
 * Listens for shutdown from the very start, so a signal during start-up still stops gracefully rather than killing.
 * Each signal is caught once: sending the same one again while stopping gets Node's default (exit at once).
 */
function listenForShutdown(until: AbortSignal | undefined): ShutdownRequest {
  let resolveRequest: (why: string) => void = () => undefined;
  const requested = new Promise<string>((resolve) => {
    resolveRequest = resolve;
  });
  const onSigint = (): void => resolveRequest('SIGINT');
  const onSigterm = (): void => resolveRequest('SIGTERM');
  const onAbort = (): void => resolveRequest('stop requested');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  if (until?.aborted === true) onAbort();
  else until?.addEventListener('abort', onAbort, { once: true });
  return {
    requested,
    dispose: () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      until?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * `warden serve`: reconcile on the config's cron schedule, apply Slack departures as they fall due,
 * and serve the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on --port at POST /slack/events).
 */
export async function runServe(io: CliIo, opts: ServeOptions, until?: AbortSignal): Promise<number> {
  const configPath = resolveConfigPath(io, opts.config);
  const { config } = loadConfig(configPath);
  const port = Number(opts.port);
  if (opts.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port: "${opts.port}" is not a port number`);
  if (!cron.validate(config.schedule)) throw new InputError(`schedule: "${config.schedule}" is not a valid cron expression`);
  const reviewSchedule = config.reviews.schedule === undefined ? undefined : reviewCron(config.reviews.schedule);
  if (reviewSchedule !== undefined && !cron.validate(reviewSchedule)) throw new InputError(`reviews.schedule: "${config.reviews.schedule ?? ''}" is not quarterly, monthly, yearly or a cron expression`);
  const env = parseEnvironmentOf(io.env, ['LOG_LEVEL']);
  const level: LogLevel = env.LOG_LEVEL ?? 'info';
  const log: Logger = createJsonLogger({ runId: 'serve', sink: (line) => io.stdout.write(`${line}\n`), level });

  const slackSettings = config.slack === undefined ? undefined : slackSettingsFromEnv(io.env);
  if (slackSettings !== undefined && 'error' in slackSettings) throw new InputError(slackSettings.error);
  const web = slackSettings === undefined ? undefined : WebClientSlackWeb.create({ token: slackSettings.botToken, ...(slackSettings.apiUrl !== undefined ? { apiUrl: slackSettings.apiUrl } : {}) });
  const notifier =
    web === undefined || config.slack === undefined ? undefined : new SlackNotifier({ web, channel: config.slack.channel, clock: systemClock, slaHours: config.slaHours });

  const shutdown = listenForShutdown(until);
  let slack: WardenSlackApp | undefined;
  let tasks: { stop(): void | Promise<void> }[] = [];
  let reconciler: ScheduledReconciler | undefined;
  let runtime: Runtime | undefined;
  // Idempotent, so the error path (finally) and the graceful path share it: Slack first (no new work), then the
  // schedule, then the run under way finishes its current action, then the stores close.
  const stopAll = async (): Promise<void> => {
    for (const task of tasks) await task.stop();
    tasks = [];
    const app = slack;
    slack = undefined;
    await app?.stop();
    await reconciler?.stop();
    const open = runtime;
    runtime = undefined;
    await open?.close();
  };
  try {
    runtime = await openRuntime(configPath, {
      env: io.env,
      actor: 'system',
      ...(notifier !== undefined ? { notifier, announcer: notifier } : {}),
      // A `kind: slack` audit anchor posts with the same client.
      ...(web !== undefined ? { slackWeb: web } : {}),
    });
    for (const problem of runtime.accountProblems) log.warn(problem);
    const offboarding = runtime.composition.offboardingDeps(runtime.deps, runtime.loaded, { log: { warn: (message) => log.warn(message) } });
    const reviews = runtime.composition.reviewDeps(runtime.deps, runtime.loaded, { log: { warn: (message) => log.warn(message) } });
    const scheduled = new ScheduledReconciler({
      reconcile: runtime.deps,
      lock: runtime.lock,
      clock: systemClock,
      log,
      ...(offboarding !== undefined ? { offboarding } : {}),
    });
    reconciler = scheduled;
    const report = (outcome: ScheduledOutcome, trigger: string): void => {
      if (outcome.kind === 'departures' && outcome.applied === 0) return;
      log.info(`${trigger} run`, describeOutcome(outcome));
    };

    if (config.slack !== undefined && slackSettings !== undefined && web !== undefined) {
      if (offboarding === undefined) throw new InputError('audit.departuresTable is not set: the Slack app records departures in that DynamoDB table');
      const mode =
        slackSettings.appToken !== undefined
          ? ({ kind: 'socket', appToken: slackSettings.appToken } as const)
          : ({ kind: 'http', signingSecret: slackSettings.signingSecret ?? '' } as const);
      slack = await createSlackApp({
        mode,
        botToken: slackSettings.botToken,
        ...(slackSettings.apiUrl !== undefined ? { slackApiUrl: slackSettings.apiUrl } : {}),
        config: config.slack,
        timezone: config.timezone,
        offboarding,
        ...(reviews !== undefined ? { reviews } : {}),
        web,
        logger: boltLoggerOver(log.child({ component: 'slack' }), level),
        logLevel: boltLevelOf(level),
      });
      const started = await slack.start({ port, host: opts.host });
      if (mode.kind === 'http') {
        // With --port 0 the system picks the port: this line is the only place it can be read.
        const actual = started.port ?? port;
        log.info('slack app ready', { mode: 'http', port: actual, url: `http://${urlHost(opts.host)}:${actual}/slack/events` });
      } else {
        log.info('slack app ready', { mode: 'socket' });
      }
    } else {
      log.info('slack not configured: scheduled reconciliation only');
    }

    const reconcileTask = cron.schedule(config.schedule, async () => report(await scheduled.run('schedule'), 'scheduled'), {
      timezone: config.timezone,
      name: 'reconcile',
      noOverlap: true,
    });
    const dueTask = cron.schedule('* * * * *', async () => report(await scheduled.applyDue(), 'due-departures'), {
      timezone: config.timezone,
      name: 'due-departures',
      noOverlap: true,
    });
    tasks = [reconcileTask, dueTask, ...reviewTasks({ reviews, web, config, log })];
    // CloudTrail (config `trail`): access given back re-revoked within a minute or so, leavers' later calls found hourly.
    const watch = await openTrailWatch(runtime, log.child({ component: 'trail' }));
    if (watch !== undefined) {
      const pollTask = cron.schedule('* * * * *', async () => {
        for (const polled of await watch.poll()) if (polled.error !== undefined || polled.fresh > 0) log.info('cloudtrail polled', { ...polled });
      }, { name: 'trail-poll', noOverlap: true });
      const scanTask = cron.schedule('30 * * * *', async () => {
        const scan = await watch.scan().catch((error: unknown) => ({ leavers: 0, findings: [], errors: [String(error)] }));
        if (scan.findings.length > 0 || scan.errors.length > 0) log.warn('post-revocation scan', { findings: scan.findings.length, errors: scan.errors });
      }, { name: 'trail-scan', noOverlap: true });
      tasks.push(pollTask, scanTask, { stop: () => watch.close() });
    }
    log.info('warden serve started', { schedule: config.schedule, timezone: config.timezone, nextRun: reconcileTask.getNextRun()?.toISOString() ?? null });
    if (opts.initialRun) void scheduled.run('startup').then((outcome) => report(outcome, 'startup'));

    const why = await shutdown.requested;
    log.info('stopping: letting the current action finish', { signal: why, busy: scheduled.busy });
    await stopAll();
    log.info('stopped');
    return ExitCode.ok;
  } finally {
    shutdown.dispose();
    await stopAll();
  }
}

/** How to write the listening address in a URL (IPv6 in brackets). */
const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
