import cron from 'node-cron';
import { SlackReviewMessenger } from '../../adapters/slack/review-messenger';
import type { SlackWeb } from '../../adapters/slack/web';
import type { ReviewDeps } from '../../app/reviews/deps';
import { REVIEW_CLOCK_CRON } from '../../app/reviews/schedule';
import { tickReviews } from '../../app/reviews/tick';
import type { WardenConfig } from '../../config/schema';
import { errorText } from '../../errors';
import type { Logger } from '../../lib/logger';

export interface ReviewTaskOptions {
  readonly reviews: ReviewDeps | undefined;
  readonly web: SlackWeb | undefined;
  readonly config: WardenConfig;
  readonly log: Logger;
}

/**
 * `warden serve`'s review task: the review clock every 15 minutes (a new campaign when a `reviews.schedule` slot comes,
 * over `reviews.scope`; reminders, escalations, due dates, retried revokes). Slack messages go through the app's own client.
 */
export function reviewTasks(options: ReviewTaskOptions): { stop(): void | Promise<void> }[] {
  const { config, log, web } = options;
  if (options.reviews === undefined) return [];
  const deps: ReviewDeps =
    web !== undefined && config.slack !== undefined
      ? { ...options.reviews, messenger: new SlackReviewMessenger({ web, hrChannel: config.slack.channel, timezone: config.timezone }) }
      : options.reviews;
  return [
    cron.schedule(
      REVIEW_CLOCK_CRON,
      async () => {
        try {
          const tick = await tickReviews(deps);
          if (tick.started.length + tick.reminded.length + tick.escalated.length + tick.closed.length > 0) log.info('review clock', { ...tick });
        } catch (error) {
          log.error('review clock failed', { error: errorText(error) });
        }
      },
      { timezone: config.timezone, name: 'review-clock', noOverlap: true },
    ),
  ];
}
