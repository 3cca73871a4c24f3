/** `reviews.schedule` names: a preset or a cron expression (minute hour day-of-month month day-of-week). */
const PRESETS: Readonly<Record<string, string>> = {
  quarterly: '0 9 1 1,4,7,10 *',
  monthly: '0 9 1 * *',
  yearly: '0 9 2 1 *',
};

/** The cron expression a `reviews.schedule` value stands for. */
export const reviewCron = (schedule: string): string => PRESETS[schedule.trim().toLowerCase()] ?? schedule.trim();

/** How often the review clock (reminders, escalations, due dates, retried revokes) runs in `warden serve`. */
export const REVIEW_CLOCK_CRON = '*/15 * * * *';
