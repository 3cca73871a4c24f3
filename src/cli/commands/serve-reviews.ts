import cron from 'node-cron';
import { SlackReviewMessenger } from '../../adapters/slack/review-messenger';
import type { SlackWeb } from '../../adapters/slack/web';
import type { ReviewDeps } from '../../app/reviews/deps';
import { REVIEW_CLOCK_CRON } from '../../app/reviews/schedule';
import { startReview } from '../../app/reviews/start';
import { tickReviews } from '../../app/reviews/tick';
import type { WardenConfig } from '../../config/schema';
import { parseScope } from '../../domain/reviews/holdings';
import { errorText } from '../../errors';
import type { Logger } from '../../lib/logger';

export interface ReviewTaskOptions {
  readonly reviews: ReviewDeps | undefined;
  readonly web: SlackWeb | undefined;
  readonly config: WardenConfig;
  readonly log: Logger;
  /** `reviews.schedule` as a cron expression: starts a campaign on its own. */
  readonly schedule?: string;
}

/**
 * `warden serve`'s review tasks: the review clock every 15 minutes (reminders, escalations, due dates, retried revokes),
 * and a new campaign on `reviews.schedule` (over `reviews.scope`). Slack messages go through the app's own client.
 */
export function reviewTasks(options: ReviewTaskOptions): { stop(): void | Promise<void> }[] {
  const { config, log, web } = options;
  if (options.reviews === undefined) return [];
  const deps: ReviewDeps =
    web !== undefined && config.slack !== undefined
      ? { ...options.reviews, messenger: new SlackReviewMessenger({ web, hrChannel: config.slack.channel, timezone: config.timezone }) }
      : options.reviews;
  const tasks = [
    cron.schedule(
      REVIEW_CLOCK_CRON,
      async () => {
        try {
          const tick = await tickReviews(deps);
          if (tick.reminded.length + tick.escalated.length + tick.closed.length > 0) log.info('review clock', { ...tick });
        } catch (error) {
          log.error('review clock failed', { error: errorText(error) });
        }
      },
      { timezone: config.timezone, name: 'review-clock', noOverlap: true },
    ),
  ];
  const scope = parseScope(config.reviews.scope);
  if (options.schedule !== undefined && scope !== undefined) {
    tasks.push(
      cron.schedule(
        options.schedule,
        async () => {
          try {
            const { campaign, packets } = await startReview(deps, { scope, actor: 'system' });
            log.info('review campaign started', { campaign: campaign.id, people: packets.length });
          } catch (error) {
            log.error('scheduled review campaign failed', { error: errorText(error) });
          }
        },
        { timezone: config.timezone, name: 'review-start', noOverlap: true },
      ),
    );
  }
  return tasks;
}
