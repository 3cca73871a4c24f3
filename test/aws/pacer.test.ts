import { DefaultRateLimiter } from '@smithy/core/retry';
import { AccountPacer, type SendPacer } from '../../src/adapters/aws/pacer';

const THROTTLE = { errorType: 'THROTTLING' };
const ACCEPTED = {};

/**
 * Virtual time: `sleep` parks a promise until `run` advances the clock to it; nothing waits for real. As with
 * setTimeout, no sleep is shorter than 1 ms (the SDK's limiter asks for sub-nanosecond waits that would not move time).
 */
class VirtualClock {
  now = 0;
  sleeps = 0;
  private seq = 0;
  private readonly timers: { at: number; seq: number; resolve: () => void }[] = [];

  readonly sleep = (ms: number): Promise<void> => {
    this.sleeps += 1;
    return new Promise((resolve) => this.timers.push({ at: this.now + Math.max(1, ms), seq: this.seq++, resolve }));
  };

  /** Lets every pending promise settle, then moves to the next timer, until `work` ends. */
  async run<T>(work: Promise<T>): Promise<T> {
    let finished = false;
    work.then(
      () => (finished = true),
      () => (finished = true),
    );
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (finished) return work;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('nothing left to wait for, yet the work did not end');
      this.now = next.at;
      next.resolve();
    }
  }
}

/** An account's throttle as AWS keeps it: a token bucket (rate and burst changeable mid-run). */
class Bucket {
  private tokens: number;
  private at = 0;

  constructor(
    private readonly clock: VirtualClock,
    public rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((this.clock.now - this.at) / 1000) * this.rate);
    this.at = this.clock.now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Deterministic [0, 1) numbers (mulberry32), for the SDK's jittered backoff. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Simulation {
  readonly accepted: number[];
  readonly throttledAt: number[];
  throttled: number;
  endedAt: number;
}

/**
 * `calls` IAM calls, `concurrency` at a time (the adapter's describe concurrency), each retried as the SDK retries a
 * throttle: the pacer's turn before every attempt, a jittered backoff after a throttle (1 s base, doubling).
 */
async function simulate(opts: { clock: VirtualClock; pacer: SendPacer; bucket: Bucket; calls: number; concurrency: number; latencyMs: number }): Promise<Simulation> {
  const { clock, pacer, bucket } = opts;
  const random = seeded(7);
  const result: Simulation = { accepted: [], throttledAt: [], throttled: 0, endedAt: 0 };
  let next = 0;
  const call = async (): Promise<void> => {
    for (let attempt = 0; ; attempt += 1) {
      await pacer.getSendToken();
      await clock.sleep(opts.latencyMs / 2);
      const ok = bucket.take();
      await clock.sleep(opts.latencyMs / 2);
      if (ok) {
        pacer.updateClientSendingRate(ACCEPTED);
        result.accepted.push(clock.now);
        return;
      }
      result.throttled += 1;
      result.throttledAt.push(clock.now);
      pacer.updateClientSendingRate(THROTTLE);
      await clock.sleep(random() * Math.min(1000 * 2 ** attempt, 20_000));
    }
  };
  const worker = async (): Promise<void> => {
    while (next < opts.calls) {
      next += 1;
      await call();
    }
  };
  await clock.run(Promise.all(Array.from({ length: opts.concurrency }, worker)));
  result.endedAt = clock.now;
  return result;
}

function pacerOn(clock: VirtualClock): AccountPacer {
  return new AccountPacer({ now: () => clock.now, sleep: clock.sleep });
}

/** The SDK's limiter with the two members this comparison replaces (private in its typings, public at run time). */
type SdkLimiter = SendPacer & { getCurrentTimeInSeconds(): number };
const Sdk = DefaultRateLimiter as unknown as { new (): SdkLimiter; setTimeoutFn: (fn: () => void, delay: number) => unknown };
const realSetTimeoutFn = Sdk.setTimeoutFn;
afterAll(() => {
  Sdk.setTimeoutFn = realSetTimeoutFn;
});

/** The SDK's own adaptive limiter (CUBIC) on the same virtual clock, to compare against. */
function sdkLimiterOn(clock: VirtualClock): SendPacer {
  Sdk.setTimeoutFn = (fn, delay) => void clock.sleep(delay).then(fn);
  return new (class extends Sdk {
    override getCurrentTimeInSeconds(): number {
      return clock.now / 1000;
    }
  })();
}

describe('AccountPacer', () => {
  it('sends without pacing until the account first throttles', async () => {
    const clock = new VirtualClock();
    const pacer = pacerOn(clock);

    for (let i = 0; i < 100; i += 1) {
      await pacer.getSendToken();
      pacer.updateClientSendingRate(ACCEPTED);
    }

    expect(clock.sleeps).toBe(0);
    expect(pacer.rate).toBe(Infinity);
  });

  it("uses an account's whole limit: 480 calls at 10/s end within 3 % of the least time, few of them throttled", async () => {
    const clock = new VirtualClock();
    const run = await simulate({ clock, pacer: pacerOn(clock), bucket: new Bucket(clock, 10, 10), calls: 480, concurrency: 4, latencyMs: 40 });

    expect(run.accepted).toHaveLength(480);
    // The burst of 10 goes at once; the other 470 calls need 47 s at 10/s.
    expect(run.endedAt).toBeGreaterThanOrEqual(47_000);
    expect(run.endedAt).toBeLessThanOrEqual(47_000 * 1.03);
    expect(run.throttled).toBeLessThanOrEqual(480 * 0.08);
  });

  it("keeps accepting at the limit after the first burst, where the SDK's own limiter stops for a second", async () => {
    const perSecond = (run: Simulation): number[] => {
      const counts = new Array<number>(Math.ceil(run.endedAt / 1000)).fill(0);
      for (const at of run.accepted) counts[Math.floor(at / 1000)] = (counts[Math.floor(at / 1000)] ?? 0) + 1;
      return counts.slice(0, -1); // the last second is partial
    };
    const clock = new VirtualClock();
    const run = await simulate({ clock, pacer: pacerOn(clock), bucket: new Bucket(clock, 10, 10), calls: 200, concurrency: 4, latencyMs: 40 });
    const sdkClock = new VirtualClock();
    const sdk = await simulate({ clock: sdkClock, pacer: sdkLimiterOn(sdkClock), bucket: new Bucket(sdkClock, 10, 10), calls: 200, concurrency: 4, latencyMs: 40 });

    expect(Math.min(...perSecond(run))).toBeGreaterThanOrEqual(8);
    // The SDK cuts to 0.7x of a send rate it smooths from zero, so after the first burst it nearly stops (issue 12).
    expect(Math.min(...perSecond(sdk).slice(0, 3))).toBeLessThan(5);
  });

  it('follows a limit that goes up, and comes back down when it drops', async () => {
    const clock = new VirtualClock();
    const bucket = new Bucket(clock, 10, 10);
    void clock.sleep(20_000).then(() => (bucket.rate = 20));
    void clock.sleep(60_000).then(() => (bucket.rate = 5));
    const run = await simulate({ clock, pacer: pacerOn(clock), bucket, calls: 1500, concurrency: 8, latencyMs: 40 });

    const between = (list: readonly number[], from: number, to: number): number => list.filter((at) => at >= from && at < to).length;
    expect(between(run.accepted, 10_000, 20_000)).toBeGreaterThanOrEqual(95);
    // Within 15 s of the limit doubling, the pacer uses nine tenths of it.
    expect(between(run.accepted, 35_000, 60_000)).toBeGreaterThanOrEqual(0.9 * 25 * 20);
    // Once it drops to 5/s, throttles bring the rate down within a few seconds, and it keeps using the new limit.
    expect(between(run.accepted, 65_000, 75_000)).toBeGreaterThanOrEqual(45);
    expect(between(run.throttledAt, 65_000, 75_000)).toBeLessThanOrEqual(10);
  });

  describe('after throttling', () => {
    /** A pacer that has measured a limit of 10/s: accepted at 10/s for 3 s, throttled since. */
    function measured(clock: VirtualClock): AccountPacer {
      const pacer = pacerOn(clock);
      for (let i = 0; i < 10; i += 1) pacer.updateClientSendingRate(ACCEPTED);
      pacer.updateClientSendingRate(THROTTLE); // the first: a second's burst of 10
      for (let t = 100; t <= 3_000; t += 100) {
        clock.now = t;
        pacer.updateClientSendingRate(ACCEPTED);
      }
      pacer.updateClientSendingRate(THROTTLE);
      return pacer;
    }

    it('sends a little above the limit it measured', () => {
      const clock = new VirtualClock();
      const pacer = measured(clock);

      expect(pacer.rate).toBeCloseTo(10 * 1.03, 5);
    });

    it('is not cut again by throttles answering the same burst', () => {
      const clock = new VirtualClock();
      const pacer = measured(clock);
      const rate = pacer.rate;

      for (let i = 1; i <= 5; i += 1) {
        clock.now = 3_000 + i;
        pacer.updateClientSendingRate(THROTTLE);
      }

      expect(pacer.rate).toBeCloseTo(rate, 5);
    });

    it('cuts by at most 30 % when the measure comes after an idle spell', () => {
      const clock = new VirtualClock();
      const pacer = measured(clock);

      clock.now = 20_000; // nothing sent for 17 s: the window holds no accepted call
      pacer.updateClientSendingRate(THROTTLE);

      expect(pacer.rate).toBeCloseTo(10 * 0.7 * 1.03, 5);
    });

    it('rises slowly at first, then cubically, while no throttle comes', () => {
      const clock = new VirtualClock();
      const pacer = measured(clock);

      clock.now = 4_000;
      expect(pacer.rate).toBeCloseTo(10 * 1.03 * (1 + 0.03 + 0.001), 5);
      clock.now = 23_000;
      expect(pacer.rate).toBeCloseTo(10 * 1.03 * (1 + 0.6 + 8), 5);
    });

    it('spaces its sends by the rate, and makes up at most half a second of turns missed while busy', async () => {
      const clock = new VirtualClock();
      const pacer = measured(clock);
      const interval = 1000 / pacer.rate;

      // Paced: each turn one interval after the last.
      await clock.run(pacer.getSendToken());
      const paced = clock.now;
      await clock.run(pacer.getSendToken());
      expect(clock.now - paced).toBeCloseTo(interval, 5);

      // The process was busy for two seconds: half a second of turns go at once (the first of them due anyway), then
      // pacing resumes. A turn that must wait calls sleep before getSendToken's first await.
      clock.now += 2_000;
      const due = 1 + Math.floor(500 / (1000 / pacer.rate));
      const before = clock.sleeps;
      let immediate = 0;
      for (;;) {
        void pacer.getSendToken();
        if (clock.sleeps > before) break;
        immediate += 1;
      }
      expect(immediate).toBe(due);
    });

    it('measures again once half a second has passed since the first throttle, not before', () => {
      const clock = new VirtualClock();
      const pacer = pacerOn(clock);
      for (let i = 0; i < 30; i += 1) pacer.updateClientSendingRate(ACCEPTED);
      pacer.updateClientSendingRate(THROTTLE); // a burst of 30: the first guess is 30/s
      for (let t = 100; t <= 500; t += 100) {
        clock.now = t;
        pacer.updateClientSendingRate(ACCEPTED);
      }

      clock.now = 499;
      pacer.updateClientSendingRate(THROTTLE);
      expect(pacer.rate).toBeCloseTo(30 * 1.03, 5);
      clock.now = 500;
      pacer.updateClientSendingRate(THROTTLE);
      // 5 accepted in the 500 ms since the first throttle: 10/s (the cut is bounded by 30 %: 21/s).
      expect(pacer.rate).toBeCloseTo(21 * 1.03, 5);
    });

    it('never paces slower than one call every two seconds', () => {
      const clock = new VirtualClock();
      const pacer = pacerOn(clock);

      pacer.updateClientSendingRate(THROTTLE); // throttled before anything was accepted

      expect(pacer.rate).toBeCloseTo(0.5 * 1.03, 5);
    });
  });

  it("guesses the limit at the first throttle from the last second's accepted answers", () => {
    const clock = new VirtualClock();
    const pacer = pacerOn(clock);
    for (let t = 0; t <= 5_000; t += 100) {
      clock.now = t;
      pacer.updateClientSendingRate(ACCEPTED);
    }

    clock.now = 6_000; // the answers at 5,000 ms and before are more than a second old
    pacer.updateClientSendingRate(THROTTLE);
    expect(pacer.rate).toBeCloseTo(0.5 * 1.03, 5);
  });

  it('forgets accepted answers older than its window, however long the client lives', () => {
    const clock = new VirtualClock();
    const pacer = pacerOn(clock);

    for (let t = 0; t < 600_000; t += 10) {
      clock.now = t;
      pacer.updateClientSendingRate(ACCEPTED);
    }

    expect(pacer.rememberedAnswers).toBe(300); // 3 s at 100/s
  });

  it('counts only THROTTLING answers as throttles: other errors are answers IAM accepted', () => {
    const clock = new VirtualClock();
    const pacer = pacerOn(clock);

    pacer.updateClientSendingRate({ errorType: 'TRANSIENT' });
    pacer.updateClientSendingRate({ errorType: 'CLIENT_ERROR' });
    pacer.updateClientSendingRate(null);
    pacer.updateClientSendingRate(undefined);
    pacer.updateClientSendingRate('THROTTLING');

    expect(pacer.rate).toBe(Infinity);
  });
});
