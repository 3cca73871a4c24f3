import {
  accessHistory,
  approveDeparture,
  cancelDeparture,
  confirmDeparture,
  deciderOf,
  findPerson,
  offboardingStatus,
  previewDeparture,
  snapshotsOf,
  type Decider,
  type HistoryTarget,
  type OffboardingDeps,
} from '../../app/offboarding';
import { accessAtTime, personAccessHistory, type PersonHistory } from '../../app/evidence';
import type { AccessFilter } from '../../domain/evidence/snapshot';
import { AuditTamperedError, errorText } from '../../errors';
import type { AuditEvent } from '../../domain/audit-actions';
import type { Roster } from '../../domain/roster';
import { resolveEndAt } from '../../domain/time';
import {
  accessAtMessage,
  approveReply,
  cancelReply,
  confirmOutcomeView,
  historyMessage,
  homeView,
  messageView,
  previewView,
  statusMessage,
} from './blocks';
import type { SlackAuthorizer } from './authorization';
import { runReviewJob } from './review-jobs';
import type { ReviewDeps } from '../../app/reviews/deps';
import { tickReviews } from '../../app/reviews/tick';
import { safeText } from './mrkdwn';
import type { SlackMessage, SlackWeb } from './web';
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
  /** Access reviews (absent: review buttons are answered as not set up). */
  readonly reviews?: ReviewDeps;
}

/** What an auditor's `/access` read asked about: someone's history, or who could get in at a time. */
export type HistoryQuery =
  | { readonly kind: 'slack'; readonly slackId: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'iam-user'; readonly userName: string }
  /** `at <date | date-time> [account ID] [group NAME] [host INSTANCE] [person EMAIL]`; the date is read in the config's zone. */
  | { readonly kind: 'at'; readonly at: string; readonly filter: AccessFilter; readonly filterText: string }
  | { readonly kind: 'invalid'; readonly text: string; readonly problem?: string };

const AT_FILTERS = ['account', 'group', 'host', 'person'] as const;
type AtFilterKey = (typeof AT_FILTERS)[number];

/** A Slack-wrapped argument unwrapped: `<mailto:a@b|a@b>` is `a@b`. */
const unwrap = (token: string): string => /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(token)?.[1] ?? token;

function parseAtQuery(text: string): HistoryQuery {
  const [at = '', ...rest] = text.split(/\s+/).filter((t) => t !== '');
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(at)) {
    return { kind: 'invalid', text, problem: `"${safeText(at, 60)}" is not a date (YYYY-MM-DD) or a date-time with offset.` };
  }
  const filter: Partial<Record<AtFilterKey, string>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i]?.toLowerCase();
    const value = rest[i + 1];
    if (!AT_FILTERS.includes(key as AtFilterKey) || value === undefined) {
      return { kind: 'invalid', text, problem: `After the date, narrow with \`account ID\`, \`group NAME\`, \`host INSTANCE-ID\` or \`person EMAIL\` (got "${safeText(rest.slice(i).join(' '), 100)}").` };
    }
    const unwrapped = unwrap(value);
    if (!/^[\w+=,.@:-]{1,128}$/.test(unwrapped)) return { kind: 'invalid', text, problem: `"${safeText(value, 100)}" is not a valid ${key}.` };
    filter[key as AtFilterKey] = key === 'person' ? unwrapped.toLowerCase() : unwrapped;
  }
  const filterText = AT_FILTERS.flatMap((k) => (filter[k] !== undefined ? [`${k} ${filter[k]}`] : [])).join(', ');
  return { kind: 'at', at, filter, filterText };
}

/** Parses `<@U…|name>`, `<mailto:a@b|a@b>`, `a@b`, an IAM user name, or `at DATE [filters]`. Pure. */
export function parseHistoryQuery(text: string): HistoryQuery {
  const t = text.trim();
  // IAM user names have no spaces, so "at " followed by more is never a user.
  const at = /^at\s+(.+)$/i.exec(t);
  if (at?.[1] !== undefined) return parseAtQuery(at[1]);
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(t);
  if (mention?.[1] !== undefined) return { kind: 'slack', slackId: mention[1] };
  const mailto = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(t);
  if (mailto?.[1] !== undefined) return { kind: 'email', email: mailto[1].toLowerCase() };
  if (/^[^@\s<>]+@[^@\s<>]+$/.test(t)) return { kind: 'email', email: t.toLowerCase() };
  if (/^[\w+=,.@-]{1,64}$/.test(t)) return { kind: 'iam-user', userName: t };
  return { kind: 'invalid', text: t };
}

const loadRoster = async (deps: OffboardingDeps): Promise<Roster | undefined> => deps.reconcile.roster.load().catch(() => undefined);

type PersonQuery = Extract<HistoryQuery, { kind: 'slack' | 'email' | 'iam-user' }>;

async function resolveHistory(ctx: SlackJobContext, query: PersonQuery): Promise<{ target: HistoryTarget; title: string } | { error: string }> {
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
    default: {
      const unexpected: never = query;
      throw new Error(`unknown query ${JSON.stringify(unexpected)}`);
    }
  }
}

/** An auditor's read, answered and audited: the answer, or a one-line reason it could not be. */
type ReadAnswer = { readonly message: SlackMessage; readonly audit: { readonly action: AuditEvent; readonly target: string; readonly after: Record<string, unknown> } } | { readonly error: string };

async function answerHistory(ctx: SlackJobContext, query: PersonQuery, cursor: { q: string; p: number }): Promise<ReadAnswer> {
  const resolved = await resolveHistory(ctx, query);
  if ('error' in resolved) return resolved;
  const deps = ctx.offboarding;
  const snapshots = snapshotsOf(deps);
  // Snapshots attribute access to people, not IAM user names: an IAM user query shows the audit trail only.
  const holdings: Promise<PersonHistory | undefined> =
    snapshots !== undefined && resolved.target.kind === 'person' ? personAccessHistory(snapshots, resolved.target.email) : Promise.resolve(undefined);
  const [entries, held] = await Promise.all([accessHistory(deps.reconcile.audit, resolved.target, 1000), holdings]);
  return {
    message: historyMessage(resolved.title, entries, cursor, ctx.timezone, held),
    audit: { action: 'slack.access.history', target: resolved.title, after: { entries: entries.length, ...(held !== undefined ? { holdings: held.holdings.length } : {}) } },
  };
}

async function answerAccessAt(ctx: SlackJobContext, query: Extract<HistoryQuery, { kind: 'at' }>, cursor: { q: string; p: number }): Promise<ReadAnswer> {
  const snapshots = snapshotsOf(ctx.offboarding);
  if (snapshots === undefined) return { error: 'Point-in-time access is not available here: this deployment keeps no access snapshots. Use `warden audit access --at` where the snapshots are kept.' };
  const at = resolveEndAt(query.at, ctx.timezone);
  if (!(at instanceof Date)) return { error: safeText(at.error, 500) };
  const [result, headers] = await Promise.all([accessAtTime(snapshots, at, query.filter, ctx.offboarding.reconcile.audit), snapshots.list()]);
  const first = headers[0];
  return {
    message: accessAtMessage(
      {
        at,
        // A date alone means the end of that day, as in `warden audit access --at`.
        ...(/^\d{4}-\d{2}-\d{2}$/.test(query.at) ? { label: `end of ${query.at} (${ctx.timezone})` } : {}),
        filter: query.filterText,
        ...(first !== undefined ? { firstSnapshot: first } : {}),
      },
      result,
      cursor,
      ctx.timezone,
      ctx.offboarding.reconcile.identityCenter !== undefined,
    ),
    audit: {
      action: 'slack.access.at',
      target: `${at.toISOString()}${query.filterText !== '' ? ` ${query.filterText}` : ''}`,
      after: { ...(result.snapshot !== undefined ? { snapshot: result.snapshot.seq } : {}), rows: result.rows.length, couldGetIn: result.rows.filter((r) => r.canGetIn).length },
    },
  };
}

async function answerRead(ctx: SlackJobContext, text: string, page: number): Promise<ReadAnswer> {
  const query = parseHistoryQuery(text);
  const cursor = { q: text, p: page };
  switch (query.kind) {
    case 'at':
      return answerAccessAt(ctx, query, cursor);
    case 'invalid':
      return { error: query.problem ?? `"${safeText(query.text, 100)}" is not an email, a @mention or an IAM user name.` };
    case 'slack':
    case 'email':
    case 'iam-user':
      return answerHistory(ctx, query, cursor);
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

  /** Who clicked, as Slack knows them (email included), so the use case can tell them from the person leaving. */
  const deciderFor = async (actor: string): Promise<Decider> => {
    const decider = deciderOf(actor);
    if (decider.slackUserId === undefined) return decider;
    try {
      const info = await ctx.web.userInfo(decider.slackUserId);
      return { ...decider, ...(info?.email !== undefined ? { email: info.email } : {}) };
    } catch (error) {
      return { ...decider, lookupError: errorText(error) };
    }
  };

  const updateViewQuietly = async (viewId: string, view: Parameters<SlackWeb['updateView']>[1]): Promise<void> => {
    // The modal may have been closed meanwhile; the channel thread still carries the outcome.
    await ctx.web.updateView(viewId, view).catch((error: unknown) => ctx.log.error(`views.update failed: ${errorText(error)}`));
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
          await updateViewQuietly(job.viewId, messageView('Preview failed', `:warning: Could not work out what would be revoked: ${safeText(errorText(error), 1000)}\nNothing was recorded. Try again, or ask an operator.`));
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
          await updateViewQuietly(job.viewId, messageView('Not recorded', `:warning: ${safeText(errorText(error), 1000)}\nTry again; confirming twice never revokes twice.`));
          throw error;
        }
        return;
      }
      case 'approve': {
        const result = await approveDeparture(deps, job.departureId, await deciderFor(job.actor));
        await reply(job.reply, approveReply(result));
        return;
      }
      case 'cancel': {
        const result = await cancelDeparture(deps, job.departureId, await deciderFor(job.actor));
        await reply(job.reply, cancelReply(result));
        return;
      }
      case 'history': {
        let answer: ReadAnswer;
        try {
          answer = await answerRead(ctx, job.query, job.page);
        } catch (error) {
          if (!(error instanceof AuditTamperedError)) throw error;
          // The auditor is told, not shown the rewritten lines; the operator's log says the same.
          ctx.log.error(error.message);
          await ctx.web.respond(job.responseUrl, { text: `:rotating_light: ${safeText(error.message, 1500)}` });
          return;
        }
        if ('error' in answer) {
          await ctx.web.respond(job.responseUrl, { text: answer.error });
          return;
        }
        // Paging re-reads what was already asked; only the first answer is audited.
        if (!job.replace) {
          await deps.reconcile.audit.append({ runId: `slack-history-${now().getTime()}`, actor: job.actor, result: 'ok', ...answer.audit });
        }
        await ctx.web.respond(job.responseUrl, { ...answer.message, replaceOriginal: job.replace });
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
      case 'review':
        await reply(job.reply, await runReviewJob(ctx, job));
        return;
      case 'review-tick': {
        // Each step it takes is audited by the review use cases (review.reminded, review.escalated, review.closed).
        if (ctx.reviews !== undefined) await tickReviews(ctx.reviews);
        return;
      }
      default: {
        const unexpected: never = job;
        throw new Error(`unknown job ${JSON.stringify(unexpected)}`);
      }
    }
  };
}


