import { randomBytes } from 'node:crypto';
import type { ReviewSettings } from '../../domain/reviews/campaign';
import { errorText } from '../../errors';
import type { NewAuditEntry } from '../../ports';
import type { CampaignStore, ReviewMessenger } from '../../ports/reviews';
import type { ReconcileDeps } from '../reconcile';
import type { ReviewSchedule } from './scheduled';

/** What the access review use cases need: the reconcile deps (roster, accounts, hosts, audit, clock), the store, Slack. */
export interface ReviewDeps {
  readonly reconcile: ReconcileDeps;
  readonly campaigns: CampaignStore;
  readonly settings: ReviewSettings & { readonly dueAfterDays: number };
  /** Slack (absent: campaigns are recorded and decided from the store alone, e.g. `warden review start` without Slack). */
  readonly messenger?: ReviewMessenger;
  readonly newId?: () => string;
  /** `reviews.schedule`: the review clock starts a campaign when a slot comes. */
  readonly schedule?: ReviewSchedule;
  /** Where failures to message Slack are reported; messaging never blocks a decision or a revocation. */
  readonly log?: { warn(message: string): void };
}

export const newReviewRunId = (kind: string, now: Date): string => `review-${kind}-${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;

export const newCampaignId = (now: Date): string => `rev-${now.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;

/** Appends an audit entry for a review event. */
export const auditReview = (deps: ReviewDeps, entry: NewAuditEntry): Promise<unknown> => deps.reconcile.audit.append(entry);

/** Runs a Slack call, logging (never throwing) a failure: Slack being down never blocks a decision or a revocation. */
export async function quietly<T>(deps: ReviewDeps, what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    deps.log?.warn(`Could not ${what}: ${errorText(error)}`);
    return undefined;
  }
}
