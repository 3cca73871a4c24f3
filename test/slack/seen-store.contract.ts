/* eslint-disable jest/no-export -- a contract suite exports its cases so every SeenStore implementation runs the same ones (like test/contract/). */
import type { SeenStore } from '../../src/adapters/slack/request-hygiene';

/** What a seen-store implementation gives the contract suite. */
export interface SeenStoreFixture {
  readonly store: SeenStore;
  /** A second handle on the same storage (another Lambda container). */
  openSecond(): Promise<SeenStore>;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);
let counter = 0;
const newKey = (): string => `trigger:${++counter}.${Math.random().toString(36).slice(2, 8)}`;

/** The behaviour every SeenStore (Slack retry dedupe) must have: one suite, run against each implementation. */
export function seenStoreContract(name: string, factory: () => Promise<SeenStoreFixture>): void {
  describe(`SeenStore contract: ${name}`, () => {
    let fixture: SeenStoreFixture;

    beforeEach(async () => {
      fixture = await factory();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('says first only once per key while the key is remembered, and again once it has expired', async () => {
      const key = newKey();
      expect(await fixture.store.firstSeen(key, 1000, at(0))).toBe(true);
      expect(await fixture.store.firstSeen(key, 1000, at(999))).toBe(false);
      expect(await fixture.store.firstSeen(key, 1000, at(1000))).toBe(true);
      expect(await fixture.store.firstSeen(key, 1000, at(1500))).toBe(false);
    });

    it('keeps keys apart', async () => {
      const [a, b] = [newKey(), newKey()];
      expect(await fixture.store.firstSeen(a, 60_000, at(0))).toBe(true);
      expect(await fixture.store.firstSeen(b, 60_000, at(0))).toBe(true);
      expect(await fixture.store.firstSeen(a, 60_000, at(1))).toBe(false);
    });

    it('lets exactly one of two racing deliveries through, also across handles', async () => {
      const key = newKey();
      const second = await fixture.openSecond();
      const results = await Promise.all([fixture.store.firstSeen(key, 60_000, at(0)), second.firstSeen(key, 60_000, at(0)), second.firstSeen(key, 60_000, at(0))]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
