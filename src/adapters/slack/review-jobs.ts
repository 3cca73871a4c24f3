import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decideReview } from '../../app/reviews/decide';
import { errorText } from '../../errors';
import { REVIEW_IDS, readReviewButton, reviewReplyText } from './blocks/review';
import type { SlackAuthorizer } from './authorization';
import type { ReplyTarget, SlackJob, WorkQueue } from './work-queue';
import type { ReviewDeps } from '../../app/reviews/deps';
import { SlackReviewMessenger } from './review-messenger';
import type { SlackWeb } from './web';

/**
 * A review click, after the ack: who clicked as Slack knows them (email, HR membership), then the use case decides
 * whether they may (the assigned reviewer or HR, never the person) and audits a refusal. Returns the reply text.
 */
export async function runReviewJob(
  ctx: { readonly reviews?: ReviewDeps; readonly web: Pick<SlackWeb, 'userInfo'>; readonly authorizer: Pick<SlackAuthorizer, 'allows'>; readonly log: { error(message: string): void } },
  job: Extract<SlackJob, { kind: 'review' }>): Promise<string> {
  if (ctx.reviews === undefined) return 'Access reviews are not set up in this Warden.';
  const slackId = /^slack:([UW][A-Z0-9]+)$/.exec(job.actor)?.[1];
  if (slackId === undefined) return reviewReplyText({ kind: 'refused', reason: 'identity-unknown' });
  const [info, isHr] = await Promise.all([
    ctx.web.userInfo(slackId).catch((error: unknown) => {
      ctx.log.error(`users.info failed for a review click: ${errorText(error)}`);
      return undefined;
    }),
    ctx.authorizer.allows(slackId, 'hr'),
  ]);
  const outcome = await decideReview(ctx.reviews, {
    campaignId: job.campaignId,
    packetId: job.packetId,
    request: job.request,
    clicker: { slackId, isHr, ...(info?.email !== undefined ? { email: info.email } : {}) },
  });
  return reviewReplyText(outcome);
}

/** Keep, Revoke and Keep all: acknowledged at once, decided in a job (so Lambda hands it on like every other click). */
export function registerReviewActions(app: App, queue: WorkQueue, replyTargetOf: (body: BlockAction) => ReplyTarget): void {
  for (const actionId of Object.values(REVIEW_IDS)) {
    app.action<BlockAction<ButtonAction>>({ action_id: actionId }, async ({ ack, body, action }) => {
      await ack();
      const read = readReviewButton(action.action_id, action.value);
      if (read === undefined) return;
      await queue.enqueue({ kind: 'review', ...read, actor: `slack:${body.user.id}`, reply: replyTargetOf(body) });
    });
  }
}

/** What the Slack app needs for reviews: everything but the messenger, which is the app's own Slack. */
export type SlackReviewDeps = Omit<ReviewDeps, 'messenger'>;

/** The job context's reviews, with this app's Slack as their messenger (none when reviews are not wired). */
export function reviewsOver(reviews: SlackReviewDeps | undefined, web: SlackWeb, hrChannel: string, timezone: string): { reviews?: ReviewDeps } {
  return reviews === undefined ? {} : { reviews: { ...reviews, messenger: new SlackReviewMessenger({ web, hrChannel, timezone }) } };
}
