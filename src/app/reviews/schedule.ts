/** `reviews.schedule` names: a preset or a cron expression (minute hour day-of-month month day-of-week). */
export { reviewCron } from '../../domain/reviews/cron';

/** How often the review clock (reminders, escalations, due dates, retried revokes) runs in `warden serve`. */
export const REVIEW_CLOCK_CRON = '*/15 * * * *';
