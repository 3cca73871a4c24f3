import type { DepartureDraft } from '../../app/offboarding';
import type { DeparturePerson } from '../../ports/departures';
import type { DecisionRequest } from '../../domain/reviews/campaign';

/** A draft as it travels in a job or a view's private_metadata (JSON: dates as ISO strings). */
export interface DraftJson {
  readonly id: string;
  readonly person: DeparturePerson;
  readonly effectiveAt: string;
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
  readonly requestedBy: string;
  readonly effectiveNow?: boolean;
}

/** A draft as JSON (for a job or private_metadata). */
export const draftToJson = (draft: DepartureDraft): DraftJson => ({ ...draft, effectiveAt: draft.effectiveAt.toISOString() });

/** Reads a draft back from JSON we wrote; undefined when it is not one (never trust a payload's shape blindly). */
export function draftFromJson(value: unknown): DepartureDraft | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const person = v['person'] as Record<string, unknown> | undefined;
  const effectiveAt = typeof v['effectiveAt'] === 'string' ? new Date(v['effectiveAt']) : new Date(NaN);
  if (
    typeof v['id'] !== 'string' ||
    !/^dep-[\w-]{1,80}$/.test(v['id']) ||
    typeof person?.['email'] !== 'string' ||
    Number.isNaN(effectiveAt.getTime()) ||
    typeof v['timezone'] !== 'string' ||
    typeof v['requestedBy'] !== 'string'
  ) {
    return undefined;
  }
  const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
  const employeeId = str(person['employeeId']);
  const slackId = str(person['slackId']);
  const fullName = str(person['fullName']);
  const reason = str(v['reason']);
  const notes = str(v['notes']);
  return {
    id: v['id'],
    person: {
      email: person['email'],
      ...(employeeId !== undefined ? { employeeId } : {}),
      ...(slackId !== undefined ? { slackId } : {}),
      ...(fullName !== undefined ? { fullName } : {}),
    },
    effectiveAt,
    timezone: v['timezone'],
    ...(reason !== undefined ? { reason } : {}),
    ...(notes !== undefined ? { notes } : {}),
    requestedBy: v['requestedBy'],
    ...(v['effectiveNow'] === true ? { effectiveNow: true } : {}),
  };
}

/** Where the result of a button click goes. */
export type ReplyTarget =
  | { readonly kind: 'response-url'; readonly url: string }
  | { readonly kind: 'home'; readonly userId: string }
  | { readonly kind: 'none' };

/** Slow work handed off after the 3-second ack. Plain JSON, so a Lambda can pass it to another invocation. */
export type SlackJob =
  | { readonly kind: 'preview'; readonly viewId: string; readonly draft: DraftJson }
  | { readonly kind: 'confirm'; readonly viewId: string; readonly draft: DraftJson }
  | { readonly kind: 'approve'; readonly departureId: string; readonly actor: string; readonly reply: ReplyTarget }
  | { readonly kind: 'cancel'; readonly departureId: string; readonly actor: string; readonly reply: ReplyTarget }
  | { readonly kind: 'history'; readonly query: string; readonly page: number; readonly actor: string; readonly responseUrl: string; readonly replace: boolean }
  | { readonly kind: 'status'; readonly actor: string; readonly responseUrl: string }
  | { readonly kind: 'home'; readonly userId: string }
  /** The access-review clock, from the schedule (never from a Slack request): reminders, escalation, the due date. */
  | { readonly kind: 'review-tick' }
  | { readonly kind: 'review'; readonly campaignId: string; readonly packetId: string; readonly request: DecisionRequest; readonly actor: string; readonly reply: ReplyTarget };

/** Hands slow work to something that outlives the ack (in-process for `warden serve`; an async invocation or queue on Lambda). */
export interface WorkQueue {
  enqueue(job: SlackJob): Promise<void>;
}

/** Runs one job to completion. */
export type JobRunner = (job: SlackJob) => Promise<void>;

/**
 * Runs jobs in this process after the current request returns. Each job goes through a JSON round trip, so anything
 * that works here also survives a Lambda hand-off.
 */
export class InProcessWorkQueue implements WorkQueue {
  private runner: JobRunner | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: (job: SlackJob, error: unknown) => void = () => undefined) {}

  /** Sets what runs the jobs (the Slack app's job runner). */
  attach(runner: JobRunner): void {
    this.runner = runner;
  }

  async enqueue(job: SlackJob): Promise<void> {
    const runner = this.runner;
    if (runner === undefined) throw new Error('InProcessWorkQueue has no runner attached');
    const copy = JSON.parse(JSON.stringify(job)) as SlackJob;
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => runner(copy))
      .catch((error: unknown) => this.onError(copy, error))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Whether a job is queued or running. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves once every job (including jobs queued by jobs) has finished: for shutdown and tests. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
