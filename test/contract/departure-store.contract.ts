import type { Departure, DepartureStore, PathStatus } from '../../src/ports/departures';

/** What a departure store implementation gives the contract suite. */
export interface DepartureStoreFixture {
  readonly store: DepartureStore;
  /** A second, independent handle on the same storage (another connection, process or Lambda). */
  openSecond(): Promise<DepartureStore>;
  cleanup(): Promise<void>;
}

export type DepartureStoreFactory = () => Promise<DepartureStoreFixture>;

const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

let counter = 0;

/** A departure with sensible defaults; override what the test is about. */
export const createDummyDeparture = (overrides: Partial<Departure> = {}): Departure => {
  counter += 1;
  return {
    id: `dep-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    person: { email: `person${counter}@example.com`, employeeId: `E${counter}`, slackId: `U0PERSON${counter}` },
    effectiveAt: at(60),
    timezone: 'Europe/Berlin',
    reason: 'resignation',
    notes: 'Last day <Friday> & keys returned',
    markedBy: 'slack:U0HR1',
    status: 'scheduled',
    approvals: [{ by: 'slack:U0HR1', at: at(0) }],
    requiredApprovals: 1,
    createdAt: at(0),
    paths: [{ path: 'access-keys', state: 'pending', planned: 2, failed: 0, errors: [] }],
    attempts: 0,
    ...overrides,
  };
};

const failedPaths: PathStatus[] = [{ path: 'access-keys', state: 'failed', planned: 2, failed: 1, errors: ['throttled'] }];
const okPaths: PathStatus[] = [{ path: 'access-keys', state: 'ok', planned: 2, failed: 0, errors: [] }];

/** The behaviour every DepartureStore must have (memory, SQLite, DynamoDB): one suite, run against each. */
export function departureStoreContract(name: string, factory: DepartureStoreFactory): void {
  describe(`DepartureStore contract: ${name}`, () => {
    let fixture: DepartureStoreFixture;
    let store: DepartureStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('reads back exactly what was added, dates as Dates', async () => {
      const departure = createDummyDeparture({ thread: { channel: 'C0WARDEN', ts: '1700000000.000100' } });

      const result = await store.add(departure);
      const read = await store.get(departure.id);

      expect(result).toEqual({ added: true, departure });
      expect(read).toEqual(departure);
      expect(read?.effectiveAt).toBeInstanceOf(Date);
      expect(await store.get('dep-missing')).toBeUndefined();
    });

    it('keeps the first departure when the same id is added again (idempotent confirm)', async () => {
      const first = createDummyDeparture();
      await store.add(first);

      const again = await store.add({ ...first, reason: 'changed', effectiveAt: at(999) });

      expect(again).toEqual({ added: false, existing: first });
      expect(await store.get(first.id)).toEqual(first);
    });

    it('lists pending, due and effective departures by effective time', async () => {
      const later = createDummyDeparture({ effectiveAt: at(120) });
      const sooner = createDummyDeparture({ effectiveAt: at(-30) });
      const awaiting = createDummyDeparture({ status: 'awaiting-approval', requiredApprovals: 2, effectiveAt: at(-60) });
      const applied = createDummyDeparture({ status: 'applied', effectiveAt: at(-90), noAccessLeftAt: at(-89) });
      const cancelled = createDummyDeparture({ status: 'cancelled', effectiveAt: at(10), cancelled: { by: 'slack:U0HR2', at: at(1) } });
      for (const d of [later, sooner, awaiting, applied, cancelled]) await store.add(d);

      const ids = (list: readonly Departure[]): string[] => list.map((d) => d.id);
      expect(ids(await store.listPending())).toEqual([awaiting.id, sooner.id, later.id]);
      expect(ids(await store.listDue(at(0)))).toEqual([sooner.id]);
      expect(ids(await store.listDue(at(120)))).toEqual([sooner.id, later.id]);
      expect(ids(await store.listEffective())).toEqual([applied.id, sooner.id, later.id]);
    });

    it('schedules a departure once its second, different approver approves', async () => {
      const departure = createDummyDeparture({ status: 'awaiting-approval', requiredApprovals: 2 });
      await store.add(departure);

      const same = await store.approve(departure.id, { by: 'slack:U0HR1', at: at(1) });
      const second = await store.approve(departure.id, { by: 'slack:U0HR2', at: at(2) });
      const third = await store.approve(departure.id, { by: 'slack:U0HR3', at: at(3) });

      expect(same).toMatchObject({ ok: false, reason: 'duplicate-approver' });
      expect(second.ok && second.departure.status).toBe('scheduled');
      expect((await store.get(departure.id))?.approvals.map((a) => a.by)).toEqual(['slack:U0HR1', 'slack:U0HR2']);
      expect(third).toMatchObject({ ok: false, reason: 'wrong-status' });
      expect(await store.approve('dep-missing', { by: 'slack:U0HR2', at: at(2) })).toEqual({ ok: false, reason: 'not-found' });
    });

    it('cancels only before the departure takes effect', async () => {
      const future = createDummyDeparture({ effectiveAt: at(60) });
      const due = createDummyDeparture({ effectiveAt: at(-1) });
      const awaitingPast = createDummyDeparture({ status: 'awaiting-approval', requiredApprovals: 2, effectiveAt: at(-5) });
      for (const d of [future, due, awaitingPast]) await store.add(d);

      const cancelled = await store.cancel(future.id, { by: 'slack:U0HR2', at: at(0) });
      const tooLate = await store.cancel(due.id, { by: 'slack:U0HR2', at: at(0) });
      const notApproved = await store.cancel(awaitingPast.id, { by: 'slack:U0HR2', at: at(0) });
      const twice = await store.cancel(future.id, { by: 'slack:U0HR3', at: at(1) });

      expect(cancelled.ok && cancelled.departure.cancelled).toEqual({ by: 'slack:U0HR2', at: at(0) });
      expect((await store.get(future.id))?.status).toBe('cancelled');
      expect(tooLate).toMatchObject({ ok: false, reason: 'in-effect' });
      expect((await store.get(due.id))?.status).toBe('scheduled');
      expect(notApproved.ok).toBe(true);
      expect(twice).toMatchObject({ ok: false, reason: 'wrong-status' });
    });

    it('cancels a departure that needed two approvers only when two different people ask', async () => {
      const departure = createDummyDeparture({ requiredApprovals: 2, effectiveAt: at(60) });
      await store.add(departure);

      const first = await store.cancel(departure.id, { by: 'slack:U0HR1', at: at(0) });
      const same = await store.cancel(departure.id, { by: 'slack:U0HR1', at: at(1) });
      const stored = await store.get(departure.id);
      const second = await store.cancel(departure.id, { by: 'slack:U0HR2', at: at(2) });

      expect(first.ok && first.departure.status).toBe('scheduled');
      expect(stored?.status).toBe('scheduled');
      expect(stored?.cancelRequests).toEqual([{ by: 'slack:U0HR1', at: at(0) }]);
      expect(same).toMatchObject({ ok: false, reason: 'duplicate-approver' });
      expect(second.ok && second.departure.status).toBe('cancelled');
      expect((await store.get(departure.id))?.cancelled).toEqual({ by: 'slack:U0HR2', at: at(2) });
    });

    it('keeps a partly applied departure due and marks it applied once no access is left', async () => {
      const departure = createDummyDeparture({ effectiveAt: at(-10) });
      await store.add(departure);

      const partial = await store.recordAttempt(
        departure.id,
        { at: at(0), runId: 'run-1', outcome: 'partial', remaining: ['access key AKIA1 active'], error: 'throttled' },
        failedPaths,
      );
      const stillDue = await store.listDue(at(1));
      const done = await store.recordAttempt(departure.id, { at: at(5), runId: 'run-2', outcome: 'no-access-left', remaining: [] }, okPaths);
      const after = await store.recordAttempt(departure.id, { at: at(6), runId: 'run-3', outcome: 'no-access-left', remaining: [] }, okPaths);

      expect(partial.ok && partial.departure.status).toBe('scheduled');
      expect(stillDue.map((d) => d.id)).toEqual([departure.id]);
      expect(done.ok && done.departure.status).toBe('applied');
      const read = await store.get(departure.id);
      expect(read).toMatchObject({ status: 'applied', attempts: 2, noAccessLeftAt: at(5), paths: okPaths });
      expect(read?.lastAttempt).toEqual({ at: at(5), runId: 'run-2', outcome: 'no-access-left', remaining: [] });
      expect(after).toMatchObject({ ok: false, reason: 'wrong-status' });
      expect(await store.listDue(at(10))).toEqual([]);
    });

    it('attaches the Slack thread the departure is announced in', async () => {
      const departure = createDummyDeparture();
      await store.add(departure);

      const result = await store.attachThread(departure.id, { channel: 'C0WARDEN', ts: '1700000000.000200' });

      expect(result.ok).toBe(true);
      expect((await store.get(departure.id))?.thread).toEqual({ channel: 'C0WARDEN', ts: '1700000000.000200' });
    });

    it('lets exactly one of two racing cancels win, also across handles', async () => {
      const departure = createDummyDeparture();
      await store.add(departure);
      const second = await fixture.openSecond();

      const results = await Promise.all([
        store.cancel(departure.id, { by: 'slack:U0HR1', at: at(0) }),
        second.cancel(departure.id, { by: 'slack:U0HR2', at: at(0) }),
      ]);

      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect((await second.get(departure.id))?.status).toBe('cancelled');
    });
  });
}
