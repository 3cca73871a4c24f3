import { AdaptiveRetryStrategy } from '@smithy/core/retry';

/**
 * The sending side of an SDK client's retry strategy (`@smithy/core/retry`'s `RateLimiter`): asked for a turn before
 * each attempt, told of each attempt's answer.
 */
export interface SendPacer {
  getSendToken(): Promise<void>;
  updateClientSendingRate(response: unknown): void;
}

export interface AccountPacerOptions {
  /** Milliseconds; tests drive a virtual clock. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How far back the accepted rate is measured once the account is throttling. */
const WINDOW_MS = 3_000;
/** Below this much saturated time the measure is too short to trust; the rate from the first throttle stands. */
const MIN_MEASURE_MS = 500;
/**
 * Sends this much above the measured limit, so the account's bucket never fills unused while calls wait: at the cost of
 * about this share of answers being throttles (each one measures the limit again).
 */
const MARGIN = 0.03;
/**
 * Between throttles the rate rises, to find out whether the limit went up (or was measured low): by this share of
 * itself per second at first, then faster, cubically as in TCP CUBIC, so that a limit measured five times too low is
 * caught up with in about fifteen seconds while steady pacing, throttled every second or two, barely rises.
 */
const RISE_PER_SECOND = 0.03;
const CUBIC_SECONDS = 10;
/** One throttle never cuts the rate by more than this (a measure taken after an idle spell reads low). */
const MAX_CUT = 0.3;
/** How far behind its schedule the pacer may catch up (turns missed while the event loop was busy). */
const CATCH_UP_MS = 500;
/** Never slower than this, whatever was measured. */
const MIN_RATE = 0.5;

/**
 * Paces one account's calls to the rate AWS accepts them at, learned from its throttling answers.
 *
 * AWS throttles IAM (and SSM) per account with a token bucket whose rate it does not publish. Once an answer says
 * "throttled" the bucket is empty, and while calls keep coming faster than it refills, the rate of accepted answers is
 * its refill rate. The pacer sends a little above that measured rate (so the bucket never fills unused), measures it
 * again on each throttle, and rises slowly while none comes. The SDK's own adaptive limiter
 * (CUBIC) instead cuts to 0.7x of a smoothed send rate on every throttle; at the start of a run that smoothed rate is
 * still near zero, so it paused every account for about three seconds after its first burst and then ran ~8 % under the
 * limit (bench/RESULTS.md, "whole organization").
 *
 * Until the first throttle nothing is paced, as with the SDK's limiter. A call is paced, never refused: the retry
 * strategy's attempt limit and retry quota still bound how often a throttled call is tried again.
 */
export class AccountPacer implements SendPacer {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The account's limit (requests per second) as last measured; undefined until it first throttles. */
  private limit: number | undefined;
  private lastThrottleAt = 0;
  private saturatedSince = 0;
  /** When the next request may go (ms). */
  private nextAt = 0;
  /** When recent answers that were not throttles came (ms), oldest first. */
  private readonly accepted: number[] = [];

  constructor(options: AccountPacerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** How many accepted answers the pacer keeps (those of the last WINDOW_MS): bounded however long a client lives. */
  get rememberedAnswers(): number {
    return this.accepted.length;
  }

  /** Requests per second the pacer sends at now; Infinity until the first throttle. */
  get rate(): number {
    if (this.limit === undefined) return Infinity;
    const seconds = (this.now() - this.lastThrottleAt) / 1000;
    return this.limit * (1 + MARGIN) * (1 + RISE_PER_SECOND * seconds + (seconds / CUBIC_SECONDS) ** 3);
  }

  async getSendToken(): Promise<void> {
    const rate = this.rate; // Infinity before the first throttle: no turn is ever due later than now
    const now = this.now();
    // A turn missed while this process was busy elsewhere is made up, up to CATCH_UP_MS: the account's bucket refilled
    // meanwhile, and without it every late timer would lower the rate for good.
    const at = Math.max(now, this.nextAt);
    this.nextAt = Math.max(this.nextAt, now - CATCH_UP_MS) + 1000 / rate;
    if (at > now) await this.sleep(at - now);
  }

  updateClientSendingRate(response: unknown): void {
    const now = this.now();
    if (!isThrottle(response)) {
      this.accepted.push(now);
      while (this.accepted.length > 0 && (this.accepted[0] as number) <= now - WINDOW_MS) this.accepted.shift();
      return;
    }
    if (this.limit === undefined) {
      // The first throttle: the burst the account allows is spent. Until the refill rate is measured, send at the rate
      // the last second's answers came in (the burst makes that an overestimate, which the next throttles correct).
      this.limit = Math.max(MIN_RATE, this.acceptedSince(now - 1_000));
      this.saturatedSince = now;
    } else {
      const span = Math.min(WINDOW_MS, now - this.saturatedSince);
      // Answers to one burst throttle together: each measures the same refill rate, so none compounds the cut.
      if (span >= MIN_MEASURE_MS) {
        const measured = (this.acceptedSince(now - span) * 1000) / span;
        this.limit = Math.max(MIN_RATE, measured, this.limit * (1 - MAX_CUT));
      }
    }
    this.lastThrottleAt = now;
    // The bucket is empty: no turns are owed from before this answer.
    this.nextAt = Math.max(this.nextAt, now);
  }

  private acceptedSince(from: number): number {
    let count = 0;
    for (let i = this.accepted.length - 1; i >= 0 && (this.accepted[i] as number) > from; i -= 1) count += 1;
    return count;
  }
}

/** The SDK's retry classification of an answer: errorType THROTTLING (the pacer sees only what the strategy passes). */
const isThrottle = (response: unknown): boolean => (response as { errorType?: unknown } | null | undefined)?.errorType === 'THROTTLING';

/**
 * The SDK's adaptive retry strategy (attempt limit, retry quota, jittered backoff) with an {@link AccountPacer} in place
 * of its CUBIC rate limiter. One per client, as AWS throttles per account.
 */
export function pacedRetryStrategy(maxAttempts: number, pacer: SendPacer = new AccountPacer()): AdaptiveRetryStrategy {
  return new AdaptiveRetryStrategy(maxAttempts, { rateLimiter: pacer });
}
