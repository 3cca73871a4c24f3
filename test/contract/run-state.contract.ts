 
import type { RunLock } from '../../src/adapters/state/run-lock';
import type { RunRecord, RunStateStore } from '../../src/ports';

export type RunStateAndLock = RunStateStore & RunLock;

export interface RunStateFixture {
  readonly store: RunStateAndLock;
  /** A second, independent handle on the same storage. */
  openSecond(): Promise<RunStateAndLock>;
  cleanup(): Promise<void>;
}

export const createDummyRun = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId: 'run-1',
  startedAt: '2026-11-26T12:00:00.000Z',
  finishedAt: '2026-11-26T12:01:00.000Z',
  activeHeadcount: 120,
  mode: 'apply',
  outcome: 'ok',
  summary: { actions: 3, findings: 1 },
  ...overrides,
});

const at = (iso: string): Date => new Date(iso);

/** The behaviour every RunStateStore (and its lock) must have, run against each implementation. */
export function runRunStateContract(name: string, factory: () => Promise<RunStateFixture>): void {
  describe(`RunStateStore contract: ${name}`, () => {
    let fixture: RunStateFixture;
    let store: RunStateAndLock;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('runs', () => {
      it('has no last run before the first one', async () => {
        expect(await store.lastCompleted()).toBeUndefined();
      });

      it('returns a finished run as recorded, summary included', async () => {
        const run = createDummyRun({ summary: { actions: 2, nested: { people: ['E1', 'E2'] } } });
        await store.record(run);
        expect(await store.lastCompleted()).toEqual(run);
      });

      it('ignores a run until it finishes, then returns its final record', async () => {
        const started = createDummyRun({ outcome: 'partial' });
        const { finishedAt: _finishedAt, summary: _summary, ...unfinished } = started;
        await store.record(unfinished);
        expect(await store.lastCompleted()).toBeUndefined();
        await store.record(started);
        expect(await store.lastCompleted()).toEqual(started);
      });

      it('never takes a guard-tripped or failed run as the baseline', async () => {
        const good = createDummyRun({ runId: 'good', activeHeadcount: 120 });
        await store.record(good);
        await store.record(createDummyRun({ runId: 'tripped', outcome: 'guard-tripped', activeHeadcount: 12, finishedAt: '2026-11-26T13:01:00.000Z' }));
        await store.record(createDummyRun({ runId: 'failed', outcome: 'failed', activeHeadcount: 11, finishedAt: '2026-11-26T14:01:00.000Z' }));
        expect(await store.lastCompleted()).toEqual(good);
      });

      it('returns the latest finish whatever the recording order or timestamp offset', async () => {
        // Sorts last as text, yet 14:10+03:00 is 11:10Z, the earliest of the three.
        await store.record(createDummyRun({ runId: 'offset', finishedAt: '2026-11-26T14:10:00+03:00', activeHeadcount: 119 }));
        const newest = createDummyRun({ runId: 'newest', finishedAt: '2026-11-26T12:20:00.000Z', mode: 'plan', activeHeadcount: 118 });
        await store.record(newest);
        await store.record(createDummyRun({ runId: 'older', finishedAt: '2026-11-26T12:10:00.000Z', activeHeadcount: 100 }));
        expect(await store.lastCompleted()).toEqual(newest);
      });

      it('is shared by every handle on the same storage', async () => {
        const run = createDummyRun();
        await store.record(run);
        const other = await fixture.openSecond();
        expect(await other.lastCompleted()).toEqual(run);
      });
    });

    describe('lock', () => {
      const now = at('2026-11-26T12:00:00.000Z');

      it('lets one owner in and tells the other who holds it until when', async () => {
        expect(await store.acquireLock('reconcile', 'lambda-a', 60_000, now)).toEqual({ acquired: true, expiresAt: at('2026-11-26T12:01:00.000Z') });
        const other = await fixture.openSecond();
        expect(await other.acquireLock('reconcile', 'lambda-b', 60_000, at('2026-11-26T12:00:30.000Z'))).toEqual({
          acquired: false,
          heldBy: 'lambda-a',
          expiresAt: at('2026-11-26T12:01:00.000Z'),
        });
      });

      it('keeps locks with different names apart', async () => {
        await store.acquireLock('reconcile', 'a', 60_000, now);
        expect((await store.acquireLock('offboard:E2', 'b', 60_000, now)).acquired).toBe(true);
      });

      it('renews for the same owner', async () => {
        await store.acquireLock('reconcile', 'a', 60_000, now);
        const renewed = await store.acquireLock('reconcile', 'a', 60_000, at('2026-11-26T12:00:50.000Z'));
        expect(renewed).toEqual({ acquired: true, expiresAt: at('2026-11-26T12:01:50.000Z') });
        expect((await store.acquireLock('reconcile', 'b', 60_000, at('2026-11-26T12:01:10.000Z'))).acquired).toBe(false);
      });

      it('hands an expired lock to the next owner (its holder crashed)', async () => {
        await store.acquireLock('reconcile', 'crashed', 60_000, now);
        const taken = await store.acquireLock('reconcile', 'next', 60_000, at('2026-11-26T12:01:00.000Z'));
        expect(taken).toEqual({ acquired: true, expiresAt: at('2026-11-26T12:02:00.000Z') });
        expect(await store.releaseLock('reconcile', 'crashed')).toBe(false);
        expect(await store.acquireLock('reconcile', 'third', 1_000, at('2026-11-26T12:01:30.000Z'))).toMatchObject({ acquired: false, heldBy: 'next' });
      });

      it('releases only for its owner', async () => {
        await store.acquireLock('reconcile', 'a', 60_000, now);
        expect(await store.releaseLock('reconcile', 'b')).toBe(false);
        expect((await store.acquireLock('reconcile', 'b', 60_000, now)).acquired).toBe(false);
        expect(await store.releaseLock('reconcile', 'a')).toBe(true);
        expect(await store.releaseLock('reconcile', 'a')).toBe(false);
        expect((await store.acquireLock('reconcile', 'b', 60_000, now)).acquired).toBe(true);
      });

      it('admits exactly one of many owners racing for a free lock', async () => {
        const other = await fixture.openSecond();
        const attempts = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : other).acquireLock('reconcile', `owner-${i}`, 60_000, now)),
        );
        expect(attempts.filter((attempt) => attempt.acquired)).toHaveLength(1);
      });
    });
  });
}
