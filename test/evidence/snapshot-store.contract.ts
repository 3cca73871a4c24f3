/* eslint-disable jest/no-export -- the one contract suite every SnapshotStore runs (hono's common.case style) */
import type { AccessRecord } from '../../src/domain/evidence/access-records';
import type { NewSnapshot } from '../../src/domain/evidence/snapshot';
import type { SnapshotStore } from '../../src/ports/evidence';
import { SnapshotOrderError } from '../../src/errors';

export interface SnapshotStoreFixture {
  readonly store: SnapshotStore;
  /** How many distinct records the storage holds (to prove unchanged records are stored once). */
  storedRecords(): Promise<number>;
  /** A second, independent handle on the same storage. */
  openSecond(): Promise<SnapshotStore>;
  cleanup(): Promise<void>;
}

export type SnapshotStoreFactory = () => Promise<SnapshotStoreFixture>;

export const createDummyIamRecord = (overrides: Partial<Extract<AccessRecord, { kind: 'iam-user' }>> = {}): AccessRecord => ({
  kind: 'iam-user',
  account: '111122223333',
  userName: 'bob',
  person: { employeeId: 'E002', email: 'bob@example.com' },
  denyAll: false,
  detailKnown: true,
  credentialsKnown: true,
  paths: [{ kind: 'console' }, { kind: 'access-key', id: 'AKIA1' }, { kind: 'group', name: 'developers' }],
  ...overrides,
});

const alice = createDummyIamRecord({ userName: 'alice', person: { employeeId: 'E001', email: 'alice@example.com' } });
const bob = createDummyIamRecord();
const bobRevoked = createDummyIamRecord({ denyAll: true, paths: [{ kind: 'inline-policy', name: 'warden-deny-all' }] });
const host = (locked: boolean): AccessRecord => ({
  kind: 'host-user',
  account: '111122223333',
  instanceId: 'i-0abc',
  osUser: 'bob',
  person: { employeeId: 'E002', email: 'bob@example.com' },
  locked,
  paths: [{ kind: 'host-key', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', comment: 'bob@laptop' }],
});

/** Identity Center: the instance marker and one user with a membership, a direct assignment and Warden's Deny. */
export const icInstance: AccessRecord = { kind: 'ic-instance', account: 'd-1234567890', instanceArn: 'arn:aws:sso:::instance/ssoins-1', paths: [] };
export const icBob = (denied: boolean): AccessRecord => ({
  kind: 'ic-user',
  account: 'd-1234567890',
  userId: 'u-bob',
  userName: 'bob@example.com',
  person: { employeeId: 'E002', email: 'bob@example.com' },
  paths: denied
    ? [{ kind: 'ic-session-deny', permissionSet: 'Admin', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-a', inForce: true }]
    : [
        { kind: 'ic-group', groupId: 'g-1', name: 'Engineers' },
        { kind: 'ic-assignment', accountId: '111122223333', permissionSet: 'Admin', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-a' },
        { kind: 'ic-permission-set', name: 'Admin', arn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-a', accounts: ['111122223333'] },
      ],
});

const snap = (n: number, records: readonly AccessRecord[]): NewSnapshot => ({ runId: `run-${n}`, at: `2026-11-2${n}T10:00:00.000Z`, records });

const keysOf = (records: readonly AccessRecord[]): string[] =>
  records.map((r) => (r.kind === 'iam-user' || r.kind === 'ic-user' ? `${r.userName}` : r.kind === 'host-user' ? `${r.instanceId}:${r.osUser}` : r.account)).sort();

/** The behaviour every SnapshotStore must have, run against each implementation. */
export function runSnapshotStoreContract(name: string, factory: SnapshotStoreFactory): void {
  describe(`SnapshotStore contract: ${name}`, () => {
    let fixture: SnapshotStoreFixture;
    let store: SnapshotStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('has nothing before the first snapshot', async () => {
      expect(await store.latest()).toBeUndefined();
      expect(await store.inForceAt(new Date('2030-01-01T00:00:00Z'))).toBeUndefined();
      expect(await store.list()).toEqual([]);
      expect(await store.personHistory('bob@example.com')).toEqual([]);
    });

    it('answers with the snapshot in force at a time: the newest taken at or before it', async () => {
      await store.save(snap(1, [alice, bob]));
      await store.save(snap(3, [alice, bobRevoked]));

      expect(await store.inForceAt(new Date('2026-11-21T09:59:59.999Z'))).toBeUndefined();
      const first = await store.inForceAt(new Date('2026-11-21T10:00:00.000Z'));
      const between = await store.inForceAt(new Date('2026-11-22T12:00:00.000Z'));
      const after = await store.inForceAt(new Date('2027-01-01T00:00:00.000Z'));

      expect(first?.header).toMatchObject({ seq: 1, runId: 'run-1', recordCount: 2 });
      expect(between?.records).toEqual(expect.arrayContaining([alice, bob]));
      expect(between?.records).toHaveLength(2);
      expect(after?.header.runId).toBe('run-3');
      expect(after?.records).toEqual(expect.arrayContaining([alice, bobRevoked]));
      expect((await store.latest())?.header.runId).toBe('run-3');
    });

    it('stores an unchanged record once however many runs see it', async () => {
      const r1 = await store.save(snap(1, [alice, bob]));
      const r2 = await store.save(snap(2, [bob, alice]));
      const r3 = await store.save(snap(3, [alice, bobRevoked]));
      const r4 = await store.save(snap(4, [alice, bob]));

      expect([r1, r2, r3, r4].map((r) => [r.opened, r.closed, r.unchanged])).toEqual([
        [2, 0, 0],
        [0, 0, 2],
        [1, 1, 1],
        [1, 1, 1],
      ]);
      expect(r2.header.digest).toBe(r1.header.digest);
      expect(r3.header.digest).not.toBe(r1.header.digest);
      expect(r4.header.digest).toBe(r1.header.digest);
      // alice, bob and bob revoked: bob's first record came back in run 4 without being stored again.
      expect(await fixture.storedRecords()).toBe(3);
      expect((await store.list()).map((h) => h.seq)).toEqual([1, 2, 3, 4]);
    });

    it('keeps Identity Center records as they were: in force at a time, and in the person\'s history', async () => {
      await store.save(snap(1, [bob, icInstance, icBob(false)]));
      await store.save(snap(2, [bob, icInstance, icBob(true)]));

      expect((await store.inForceAt(new Date('2026-11-21T12:00:00Z')))?.records).toEqual(expect.arrayContaining([icInstance, icBob(false)]));
      expect((await store.latest())?.records).toEqual(expect.arrayContaining([icInstance, icBob(true)]));
      const history = await store.personHistory('bob@example.com');
      expect(history.filter((s) => s.record.kind === 'ic-user').map((s) => [s.record, s.fromSeq, s.toSeq])).toEqual([
        [icBob(false), 1, 2],
        [icBob(true), 2, undefined],
      ]);
    });

    it('drops principals that are gone from the next snapshot', async () => {
      await store.save(snap(1, [alice, bob, host(false)]));
      await store.save(snap(2, [alice]));

      expect(keysOf((await store.latest())?.records ?? [])).toEqual(['alice']);
      expect(keysOf((await store.inForceAt(new Date('2026-11-21T12:00:00Z')))?.records ?? [])).toEqual(['alice', 'bob', 'i-0abc:bob']);
    });

    it('saves a run once: the same runId again changes nothing', async () => {
      const first = await store.save(snap(1, [alice]));
      const again = await store.save({ ...snap(1, [bob]), at: '2026-11-25T00:00:00.000Z' });

      expect(again.alreadySaved).toBe(true);
      expect(again.header).toEqual(first.header);
      expect((await store.latest())?.records).toEqual([alice]);
    });

    it('refuses a snapshot older than the latest', async () => {
      await store.save(snap(3, [alice]));
      await expect(store.save(snap(2, [alice]))).rejects.toThrow(SnapshotOrderError);
      expect(await store.list()).toHaveLength(1);
    });

    it("gives a person's spans with when each was first seen, last seen and gone by", async () => {
      await store.save(snap(1, [alice, bob, host(false)]));
      await store.save(snap(2, [alice, bob, host(false)]));
      await store.save(snap(3, [alice, bobRevoked, host(true)]));
      await store.save(snap(4, [alice, bobRevoked]));

      const spans = await store.personHistory('Bob@Example.com');
      const byId = await store.personHistory('e002');

      expect(spans.map((s) => [s.record.kind, s.fromSeq, s.toSeq, s.firstSeen, s.lastSeen, s.goneBy])).toEqual(
        expect.arrayContaining([
          ['iam-user', 1, 3, '2026-11-21T10:00:00.000Z', '2026-11-22T10:00:00.000Z', '2026-11-23T10:00:00.000Z'],
          ['host-user', 1, 3, '2026-11-21T10:00:00.000Z', '2026-11-22T10:00:00.000Z', '2026-11-23T10:00:00.000Z'],
          ['iam-user', 3, undefined, '2026-11-23T10:00:00.000Z', '2026-11-24T10:00:00.000Z', undefined],
          ['host-user', 3, 4, '2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00.000Z', '2026-11-24T10:00:00.000Z'],
        ]),
      );
      expect(spans).toHaveLength(4);
      expect(byId).toEqual(spans);
      expect(spans.map((s) => s.fromSeq)).toEqual([...spans.map((s) => s.fromSeq)].sort((a, b) => a - b));
      expect(await store.personHistory('nobody@example.com')).toEqual([]);
    });

    it('is shared by a second handle on the same storage', async () => {
      await store.save(snap(1, [alice, bob]));
      const second = await fixture.openSecond();
      await second.save(snap(2, [alice]));

      expect((await store.latest())?.header).toMatchObject({ seq: 2, runId: 'run-2' });
      expect(keysOf((await second.inForceAt(new Date('2026-11-21T10:00:00Z')))?.records ?? [])).toEqual(['alice', 'bob']);
    });
  });
}
