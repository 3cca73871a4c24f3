import {
  accessHistory,
  approveDeparture,
  cancelDeparture,
  confirmDeparture,
  findPerson,
  offboardingStatus,
  previewDeparture,
  type HistoryTarget,
  type OffboardingDeps,
} from '../../app/offboarding';
import type { Roster } from '../../domain/roster';
import { approveReply, cancelReply, confirmOutcomeView, historyMessage, homeView, messageView, previewView, statusMessage } from './blocks';
import type { SlackAuthorizer } from './authorization';
import { safeText } from './mrkdwn';
import type { SlackWeb } from './web';
import { draftFromJson, draftToJson, type JobRunner, type ReplyTarget, type SlackJob } from './work-queue';

/** What the slow half of every Slack interaction needs. */
export interface SlackJobContext {
  readonly offboarding: OffboardingDeps;
  readonly web: SlackWeb;
  readonly authorizer: SlackAuthorizer;
  readonly channel: string;
  /** `timezone` from the config: how times are shown to auditors. */
  readonly timezone: string;
  readonly log: { error(message: string): void };
}

/** What `/access history` was asked about. */
export type HistoryQuery =
  | { readonly kind: 'slack'; readonly slackId: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'iam-user'; readonly userName: string }
  | { readonly kind: 'invalid'; readonly text: string };

/** Parses `<@U…|name>`, `<mailto:a@b|a@b>`, `a@b` or an IAM user name. Pure. */
export function parseHistoryQuery(text: string): HistoryQuery {
  const t = text.trim();
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(t);
  if (mention?.[1] !== undefined) return { kind: 'slack', slackId: mention[1] };
  const mailto = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(t);
  if (mailto?.[1] !== undefined) return { kind: 'email', email: mailto[1].toLowerCase() };
  if (/^[^@\s<>]+@[^@\s<>]+$/.test(t)) return { kind: 'email', email: t.toLowerCase() };
  if (/^[\w+=,.@-]{1,64}$/.test(t)) return { kind: 'iam-user', userName: t };
  return { kind: 'invalid', text: t };
}

const loadRoster = async (deps: OffboardingDeps): Promise<Roster | undefined> => deps.reconcile.roster.load().catch(() => undefined);

async function resolveHistory(ctx: SlackJobContext, query: HistoryQuery): Promise<{ target: HistoryTarget; title: string } | { error: string }> {
  switch (query.kind) {
    case 'email':
      return { target: { kind: 'person', email: query.email }, title: query.email };
    case 'iam-user':
      return { target: { kind: 'iam-user', userName: query.userName }, title: `IAM user ${query.userName}` };
    case 'slack': {
      const roster = await loadRoster(ctx.offboarding);
      const email = (roster !== undefined ? findPerson(roster, { kind: 'slack', slackId: query.slackId })?.email : undefined) ?? (await ctx.web.userInfo(query.slackId))?.email;
      if (email === undefined) return { error: `Could not find an email for <@${query.slackId}> on the roster or in Slack; try their email.` };
      return { target: { kind: 'person', email: email.toLowerCase() }, title: email.toLowerCase() };
    }
    case 'invalid':
      return { error: `"${safeText(query.text, 100)}" is not an email, a @mention or an IAM user name.` };
    default: {
      const unexpected: never = query;
      throw new Error(`unknown query ${JSON.stringify(unexpected)}`);
    }
  }
}

/** Runs the slow half of Slack interactions (the listener has already acknowledged). Also the Lambda worker's entry point. */
export function createJobRunner(ctx: SlackJobContext): JobRunner {
  const deps = ctx.offboarding;
  const now = (): Date => deps.reconcile.clock.now();

  const reply = async (target: ReplyTarget, text: string): Promise<void> => {
    switch (target.kind) {
      case 'response-url':
        await ctx.web.respond(target.url, { text });
        return;
      case 'home':
        await publishHome(target.userId);
        return;
      case 'none':
        return;
      default: {
        const unexpected: never = target;
        throw new Error(`unknown reply target ${JSON.stringify(unexpected)}`);
      }
    }
  };

  const publishHome = async (userId: string): Promise<void> => {
    const roles = await ctx.authorizer.rolesOf(userId);
    const status = roles.hr || roles.auditor ? await offboardingStatus(deps) : undefined;
    await ctx.web.publishHome(userId, homeView(status, roles, now(), ctx.timezone));
  };

  const updateViewQuietly = async (viewId: string, view: Parameters<SlackWeb['updateView']>[1]): Promise<void> => {
    // The modal may have been closed meanwhile; the channel thread still carries the outcome.
    await ctx.web.updateView(viewId, view).catch((error: unknown) => ctx.log.error(`views.update failed: ${describe(error)}`));
  };

  return async (job: SlackJob): Promise<void> => {
    switch (job.kind) {
      case 'preview': {
        const draft = draftFromJson(job.draft);
        if (draft === undefined) throw new Error('preview job carries no valid draft');
        try {
          const preview = await previewDeparture(deps, draft);
          await updateViewQuietly(job.viewId, previewView(preview, JSON.stringify(draftToJson(draft)), now()));
        } catch (error) {
          await updateViewQuietly(job.viewId, messageView('Preview failed', `:warning: Could not work out what would be revoked: ${safeText(describe(error), 1000)}\nNothing was recorded. Try again, or ask an operator.`));
        }
        return;
      }
      case 'confirm': {
        const draft = draftFromJson(job.draft);
        if (draft === undefined) throw new Error('confirm job carries no valid draft');
        try {
          const result = await confirmDeparture(deps, draft);
          await updateViewQuietly(job.viewId, confirmOutcomeView(result, ctx.channel));
        } catch (error) {
          await updateViewQuietly(job.viewId, messageView('Not recorded', `:warning: ${safeText(describe(error), 1000)}\nTry again; confirming twice never revokes twice.`));
          throw error;
        }
        return;
      }
      case 'approve': {
        const result = await approveDeparture(deps, job.departureId, job.actor);
        await reply(job.reply, approveReply(result));
        return;
      }
      case 'cancel': {
        const result = await cancelDeparture(deps, job.departureId, job.actor);
        await reply(job.reply, cancelReply(result));
        return;
      }
      case 'history': {
        const resolved = await resolveHistory(ctx, parseHistoryQuery(job.query));
        if ('error' in resolved) {
          await ctx.web.respond(job.responseUrl, { text: resolved.error });
          return;
        }
        const entries = await accessHistory(deps.reconcile.audit, resolved.target, 1000);
        if (!job.replace) {
          await deps.reconcile.audit.append({
            runId: `slack-history-${now().getTime()}`,
            actor: job.actor,
            action: 'slack.access.history',
            target: resolved.title,
            result: 'ok',
            after: { entries: entries.length },
          });
        }
        await ctx.web.respond(job.responseUrl, { ...historyMessage(resolved.title, entries, { q: job.query, p: job.page }, ctx.timezone), replaceOriginal: job.replace });
        return;
      }
      case 'status': {
        const status = await offboardingStatus(deps, { withFindings: true });
        await ctx.web.respond(job.responseUrl, statusMessage(status, now(), ctx.timezone));
        return;
      }
      case 'home':
        await publishHome(job.userId);
        return;
      default: {
        const unexpected: never = job;
        throw new Error(`unknown job ${JSON.stringify(unexpected)}`);
      }
    }
  };
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

