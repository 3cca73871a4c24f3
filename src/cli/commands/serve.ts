import cron from 'node-cron';
import { loadConfig } from '../../config/load';
import { createSlackApp, slackSettingsFromEnv, SlackNotifier, WebClientSlackWeb, type WardenSlackApp } from '../../adapters/slack';
import type { OffboardingDeps } from '../../app/offboarding';
import { ScheduledReconciler, type ScheduledOutcome } from '../../app/scheduled-run';
import { ExitCode, InputError } from '../../errors';
import { createJsonLogger, isLogLevel, type Logger } from '../../lib/logger';
import { systemClock } from '../../ports';
import type { DepartureNotifier } from '../../ports/departures';
import { openRuntime } from '../../runtime/compose';
import type { CliIo } from '../io';
import { resolveConfigPath } from './config-path';

export interface ServeOptions {
  readonly config?: string;
  readonly port: string;
  readonly host: string;
  /** Reconcile once at start-up, so a restarted daemon does not wait for the next slot (default on). */
  readonly initialRun: boolean;
}

const quietAnnouncer: DepartureNotifier = { opened: async () => undefined, changed: async () => undefined };

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

/** Resolves on SIGINT/SIGTERM (or when `until` aborts, for tests). */
function shutdownRequested(until: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => () => resolve(why);
    process.once('SIGINT', done('SIGINT'));
    process.once('SIGTERM', done('SIGTERM'));
    until?.addEventListener('abort', done('stop requested'), { once: true });
  });
}

/**
 * `warden serve`: reconcile on the config's cron schedule, apply Slack departures as they fall due,
 * and serve the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on --port at POST /slack/events).
 */
export async function runServe(io: CliIo, opts: ServeOptions, until?: AbortSignal): Promise<number> {
  const configPath = resolveConfigPath(io, opts.config);
  const { config } = loadConfig(configPath);
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port: "${opts.port}" is not a port number`);
  if (!cron.validate(config.schedule)) throw new InputError(`schedule: "${config.schedule}" is not a valid cron expression`);
  const level = io.env['LOG_LEVEL'];
  const log: Logger = createJsonLogger({
    runId: 'serve',
    sink: (line) => io.stdout.write(`${line}\n`),
    ...(isLogLevel(level) ? { level } : {}),
  });

  const slackSettings = config.slack === undefined ? undefined : slackSettingsFromEnv(io.env);
  if (slackSettings !== undefined && 'error' in slackSettings) throw new InputError(slackSettings.error);
  const web = slackSettings === undefined ? undefined : WebClientSlackWeb.create({ token: slackSettings.botToken, ...(slackSettings.apiUrl !== undefined ? { apiUrl: slackSettings.apiUrl } : {}) });
  const notifier =
    web === undefined || config.slack === undefined ? undefined : new SlackNotifier({ web, channel: config.slack.channel, clock: systemClock, slaHours: config.slaHours });

  const runtime = await openRuntime(configPath, { env: io.env, actor: 'system', ...(notifier !== undefined ? { notifier } : {}) });
  let slack: WardenSlackApp | undefined;
  let tasks: { stop(): void | Promise<void> }[] = [];
  try {
    const offboarding: OffboardingDeps = {
      reconcile: runtime.deps,
      departures: runtime.departures,
      announcer: notifier ?? quietAnnouncer,
      secondApproverFor: config.slack?.secondApproverFor ?? 'admins',
      log: { warn: (message) => log.warn(message) },
    };
    const reconciler = new ScheduledReconciler({ reconcile: runtime.deps, lock: runtime.lock, clock: systemClock, log, offboarding });
    const report = (outcome: ScheduledOutcome, trigger: string): void => {
      if (outcome.kind === 'departures' && outcome.applied === 0) return;
      log.info(`${trigger} run`, describeOutcome(outcome));
    };

    if (config.slack !== undefined && slackSettings !== undefined && web !== undefined) {
      const mode =
        slackSettings.appToken !== undefined
          ? ({ kind: 'socket', appToken: slackSettings.appToken } as const)
          : ({ kind: 'http', signingSecret: slackSettings.signingSecret ?? '' } as const);
      if (mode.kind === 'http' && mode.signingSecret === '') throw new InputError('SLACK_SIGNING_SECRET is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)');
      slack = await createSlackApp({
        mode,
        botToken: slackSettings.botToken,
        ...(slackSettings.apiUrl !== undefined ? { slackApiUrl: slackSettings.apiUrl } : {}),
        config: config.slack,
        timezone: config.timezone,
        offboarding,
        web,
      });
      const started = await slack.start({ port, host: opts.host });
      log.info('slack app ready', mode.kind === 'http' ? { mode: 'http', url: `http://${opts.host}:${started.port ?? port}/slack/events` } : { mode: 'socket' });
    } else {
      log.info('slack not configured: scheduled reconciliation only');
    }

    const reconcileTask = cron.schedule(config.schedule, async () => report(await reconciler.run('schedule'), 'scheduled'), {
      timezone: config.timezone,
      name: 'reconcile',
      noOverlap: true,
    });
    const dueTask = cron.schedule('* * * * *', async () => report(await reconciler.applyDue(), 'due-departures'), {
      timezone: config.timezone,
      name: 'due-departures',
      noOverlap: true,
    });
    tasks = [reconcileTask, dueTask];
    log.info('warden serve started', { schedule: config.schedule, timezone: config.timezone, nextRun: reconcileTask.getNextRun()?.toISOString() ?? null });
    if (opts.initialRun) void reconciler.run('startup').then((outcome) => report(outcome, 'startup'));

    const why = await shutdownRequested(until);
    log.info('stopping: letting the current action finish', { signal: why, busy: reconciler.busy });
    for (const task of tasks) await task.stop();
    await reconciler.stop();
    log.info('stopped');
    return ExitCode.ok;
  } finally {
    for (const task of tasks) await task.stop();
    await slack?.stop();
    await runtime.close();
  }
}
