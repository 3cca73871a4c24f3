/** Request-rate limit: `ratePerSecond` sustained, `burst` at once (defaults to the rate, at least 1). */
export interface ThrottleOptions {
  readonly ratePerSecond: number;
  readonly burst?: number;
}

/** One token bucket per key (service and account, as AWS throttles per account), refilled continuously. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly capacity: number;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(options.ratePerSecond > 0)) throw new Error('throttle.ratePerSecond must be positive');
    this.capacity = Math.max(1, options.burst ?? options.ratePerSecond);
  }

  /** Takes one token for `key`; false means "over the rate: throttle this call". */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
