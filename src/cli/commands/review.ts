import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SlackReviewMessenger } from '../../adapters/slack/review-messenger';
import { WebClientSlackWeb } from '../../adapters/slack/web';
import { startReview } from '../../app/reviews/start';
import { tickReviews } from '../../app/reviews/tick';
import type { ReviewDeps } from '../../app/reviews/deps';
import { parseEnvironmentOf } from '../../config/env';
import { reviewEvidence, type ReviewEvidence } from '../../domain/reviews/evidence';
import { parseScope, scopeLabel } from '../../domain/reviews/holdings';
import { formatInZone } from '../../domain/time';
import { terminalSafe } from '../../domain/terminal-text';
import { ExitCode, InputError } from '../../errors';
import { renderReviewCsv, renderReviewHtml, renderReviewJson } from '../../report/reviews';
import { openRuntime, type Runtime } from '../../runtime/compose';
import type { CliIo } from '../io';
import { resolveConfigPath } from './config-path';
import { parseBound } from './dates';
import { reportFormat, type ReportFormat } from './report';

export interface ReviewStartOptions {
  config?: string;
  scope?: string;
  due?: string;
}

export interface ReviewStatusOptions {
  config?: string;
  campaign?: string;
  json?: boolean;
}

export interface ReviewReportOptions {
  config?: string;
  campaign?: string;
  format?: ReportFormat;
  out?: string;
}

/** The runtime with its review deps; Slack (for `start`) only when SLACK_BOT_TOKEN is set and the config has a `slack` block. */
async function openReviews(io: CliIo, configFlag: string | undefined, withSlack: boolean): Promise<{ runtime: Runtime; deps: ReviewDeps; slack: boolean }> {
  const runtime = await openRuntime(resolveConfigPath(io, configFlag), { env: io.env, actor: `cli:${io.userName}` });
  try {
    const slackConfig = runtime.loaded.config.slack;
    const env = withSlack ? parseEnvironmentOf(io.env, ['SLACK_BOT_TOKEN', 'SLACK_API_URL']) : undefined;
    const token = env?.SLACK_BOT_TOKEN;
    const apiUrl = env?.SLACK_API_URL;
    const messenger =
      token === undefined || slackConfig === undefined
        ? undefined
        : new SlackReviewMessenger({
            web: WebClientSlackWeb.create({ token, ...(apiUrl !== undefined ? { apiUrl } : {}) }),
            hrChannel: slackConfig.channel,
            timezone: runtime.loaded.config.timezone,
          });
    const deps = runtime.composition.reviewDeps(runtime.deps, runtime.loaded, {
      ...(messenger !== undefined ? { messenger } : {}),
      log: { warn: (message) => io.stderr.write(`warden: ${message}\n`) },
    });
    if (deps === undefined) throw new InputError('no review store: the config\'s audit store holds campaigns (SQLite, or the DynamoDB state table)');
    return { runtime, deps, slack: messenger !== undefined };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/** `warden review start [--scope all|department:NAME|account:ID] [--due DATE]`: one packet per person to their reviewer. */
export async function runReviewStart(io: CliIo, opts: ReviewStartOptions): Promise<number> {
  const { runtime, deps, slack } = await openReviews(io, opts.config, true);
  try {
    const { config } = runtime.loaded;
    const scopeText = opts.scope ?? config.reviews.scope;
    const scope = parseScope(scopeText);
    if (scope === undefined) throw new InputError(`--scope: "${scopeText}" is not all, department:NAME or account:ID (12 digits)`);
    const dueAt = opts.due === undefined ? undefined : parseBound(opts.due, 'end', config.timezone, '--due');
    if (!slack) io.stderr.write('warden: Slack is not set up (SLACK_BOT_TOKEN and a slack block): the campaign is recorded but nobody is messaged\n');
    const { campaign, packets } = await startReview(deps, { scope, actor: runtime.actor, ...(dueAt !== undefined ? { dueAt } : {}) });
    const hr = packets.filter((p) => p.reviewer.kind === 'hr').length;
    io.stdout.write(
      `Started access review ${campaign.id} (${scopeLabel(scope)}): ${packets.length} people, ${packets.reduce((n, p) => n + p.items.length, 0)} items; ` +
        `${packets.length - hr} to managers, ${hr} to HR; due ${formatInZone(campaign.dueAt, config.timezone)}.\n`,
    );
    return ExitCode.ok;
  } finally {
    await runtime.close();
  }
}

async function evidenceOf(deps: ReviewDeps, campaignId: string | undefined): Promise<ReviewEvidence[]> {
  const campaigns = await deps.campaigns.listCampaigns();
  const chosen = campaignId === undefined ? campaigns : campaigns.filter((c) => c.id === campaignId);
  if (campaignId !== undefined && chosen.length === 0) throw new InputError(`--campaign: no review campaign ${campaignId}`);
  return Promise.all(chosen.map(async (c) => reviewEvidence(c, await deps.campaigns.packets(c.id))));
}

/** `warden review status [--campaign ID] [--json]`: each campaign's progress, newest first. */
export async function runReviewStatus(io: CliIo, opts: ReviewStatusOptions): Promise<number> {
  const { runtime, deps } = await openReviews(io, opts.config, false);
  try {
    const all = await evidenceOf(deps, opts.campaign);
    if (opts.json === true) {
      io.stdout.write(`${JSON.stringify(all.map(({ campaign, summary }) => ({ campaign, summary })), null, 2)}\n`);
      return ExitCode.ok;
    }
    if (all.length === 0) io.stdout.write('No access review campaigns yet: start one with `warden review start`.\n');
    const tz = runtime.loaded.config.timezone;
    for (const { campaign: c, summary: s } of all) {
      io.stdout.write(
        `${c.id}  ${c.status.toUpperCase()}  scope ${c.scope}  due ${formatInZone(new Date(c.dueAt), tz)}\n` +
          `  ${s.people} people, ${s.items} items: ${s.kept} kept, ${s.revoked} revoked (${s.revokesVerified} verified, ${s.revokesOpen} open), ${s.undecided} undecided` +
          `${s.defaulted > 0 ? `, ${s.defaulted} by default` : ''}; ${s.reminded} reminded, ${s.escalated} escalated\n`,
      );
    }
    return ExitCode.ok;
  } finally {
    await runtime.close();
  }
}

/** `warden review report [--campaign ID] [--format html|csv|json] [--out FILE]`: evidence of one campaign (default the newest). */
export async function runReviewReport(io: CliIo, opts: ReviewReportOptions): Promise<number> {
  const { runtime, deps } = await openReviews(io, opts.config, false);
  try {
    const [evidence] = opts.campaign === undefined ? (await evidenceOf(deps, undefined)).slice(0, 1) : await evidenceOf(deps, opts.campaign);
    if (evidence === undefined) throw new InputError('no access review campaign yet: start one with `warden review start`');
    const format = reportFormat(opts);
    const text = format === 'html' ? renderReviewHtml(evidence) : format === 'csv' ? renderReviewCsv(evidence) : renderReviewJson(evidence);
    if (opts.out === undefined) {
      io.stdout.write(text);
      return ExitCode.ok;
    }
    const file = path.resolve(io.cwd, opts.out);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, terminalSafe(text, { keepLayout: true }));
    io.stderr.write(`Wrote ${format.toUpperCase()} access review report for ${evidence.campaign.id} to ${file}: ${evidence.summary.items} items.\n`);
    return ExitCode.ok;
  } finally {
    await runtime.close();
  }
}

/** `warden review tick`: runs the review clock once (reminders, escalations, due dates, retried revokes), for deployments without `serve`. */
export async function runReviewTick(io: CliIo, opts: { config?: string }): Promise<number> {
  const { runtime, deps, slack } = await openReviews(io, opts.config, true);
  try {
    if (!slack) io.stderr.write('warden: Slack is not set up (SLACK_BOT_TOKEN and a slack block): reminders and escalations are recorded but nobody is messaged\n');
    const tick = await tickReviews(deps);
    io.stdout.write(`Review clock: ${tick.started.length > 0 ? `started ${tick.started.join(', ')}; ` : ''}${tick.reminded.length} reminded, ${tick.escalated.length} escalated, ${tick.closed.length} campaign(s) closed.\n`);
    return ExitCode.ok;
  } finally {
    await runtime.close();
  }
}
