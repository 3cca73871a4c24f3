/**
 * `reviews.schedule` wherever the review clock runs (`warden serve` every 15 minutes, Lambda's hourly tick, `warden
 * review tick`): a slot that has come, and whose campaign does not exist yet, starts one. The campaign is named after its
 * slot, so every tick, retry or concurrent invocation names the same one and the store's conditional create lets one win.
 */
import { latestSlot, parseCron } from '../../domain/reviews/cron';
import type { CampaignScope } from '../../domain/reviews/holdings';
import { InputError } from '../../errors';
import type { CampaignStore } from '../../ports/reviews';

/** The schedule as the clock reads it: a cron expression in the config's time zone, over `reviews.scope`. */
export interface ReviewSchedule {
  readonly cron: string;
  readonly timezone: string;
  readonly scope: CampaignScope;
}

/** How long after its slot a campaign may still start (a tick that failed or did not run catches up within a day). */
export const SCHEDULE_GRACE_MS = 24 * 3_600_000;

/** The latest slot in `(now - SCHEDULE_GRACE_MS, now]`, or undefined; throws `InputError` for an expression that is not cron. */
export function dueSlot(schedule: ReviewSchedule, now: Date): Date | undefined {
  const spec = parseCron(schedule.cron);
  if ('error' in spec) throw new InputError(`reviews.schedule: ${spec.error}`);
  return latestSlot(spec, schedule.timezone, now, SCHEDULE_GRACE_MS);
}

/** `rev-sched-YYYYMMDDTHHMMZ`: the one campaign a slot starts. */
export const scheduledCampaignId = (slot: Date): string => `rev-sched-${slot.toISOString().slice(0, 16).replace(/[-:]/g, '')}Z`;

/** The slot due now whose campaign has not been started yet. */
export async function pendingSlot(store: CampaignStore, schedule: ReviewSchedule, now: Date): Promise<Date | undefined> {
  const slot = dueSlot(schedule, now);
  if (slot === undefined) return undefined;
  return (await store.getCampaign(scheduledCampaignId(slot))) === undefined ? slot : undefined;
}

/**
 * Whether the review clock has work: an open campaign (reminders, escalations, the due date, retried revokes) or a slot
 * with no campaign yet. Lambda's dispatcher asks this before waking the worker for the clock.
 */
export async function reviewClockDue(store: CampaignStore, schedule: ReviewSchedule | undefined, now: Date): Promise<'open-campaign' | 'slot-due' | undefined> {
  if ((await store.listCampaigns()).some((c) => c.status === 'open')) return 'open-campaign';
  if (schedule !== undefined && (await pendingSlot(store, schedule, now)) !== undefined) return 'slot-due';
  return undefined;
}
