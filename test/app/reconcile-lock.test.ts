import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withReconcileLock, RECONCILE_LOCK } from '../../src/app/reconcile/lock';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { DynamoDbRunStateStore } from '../../src/adapters/state/dynamodb-run-state';
import { SqliteRunStateStore } from '../../src/adapters/state/sqlite-run-state';
import { openWardenDatabase } from '../../src/adapters/state/sqlite-database';
import { systemClock, type RunLock } from '../../src/ports';
import { startDynalite } from '../lambda/helpers';

/** A body that stays under way until released, so the second attempt surely meets the first. */
function heldOpen(): { body: () => Promise<string>; started: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<void>((resolve) => (release = resolve));
  return { body: async () => (markStarted(), await done, 'applied'), started, release };
}

/** Two processes' views of one store: each case gives two independent RunLock instances over the same state. */
const cases: [string, () => Promise<{ locks: [RunLock, RunLock]; close(): Promise<void> }>][] = [
  [
    'SQLite (two connections to one file)',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-lock-'));
      const a = openWardenDatabase(path.join(dir, 'warden.db'));
      const b = openWardenDatabase(path.join(dir, 'warden.db'));
      return {
        locks: [new SqliteRunStateStore(a), new SqliteRunStateStore(b)],
        close: async () => {
          a.close();
          b.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'DynamoDB (two clients, dynalite)',
    async () => {
      const dynamo = await startDynalite();
      const client = () => new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const [a, b] = [client(), client()];
      await createTables(a, { audit: 'audit', state: 'state' });
      return {
        locks: [new DynamoDbRunStateStore({ client: a, table: 'state' }), new DynamoDbRunStateStore({ client: b, table: 'state' })],
        close: async () => {
          a.destroy();
          b.destroy();
          await dynamo.close();
        },
      };
    },
  ],
];

describe.each(cases)('the reconcile lock use case on %s', (_name, open) => {
  it('lets one of two concurrent runs act; the other is told who holds the lock and its body never starts', async () => {
    const { locks, close } = await open();
    try {
      const first = heldOpen();
      let secondStarted = false;
      const running = withReconcileLock({ lock: locks[0], clock: systemClock, owner: 'cli:alice@host-a:1/aa' }, first.body);
      await first.started;
      const second = await withReconcileLock({ lock: locks[1], clock: systemClock, owner: 'cli:bob@host-b:2/bb' }, async () => {
        secondStarted = true;
        return 'applied';
      });

      expect(second).toMatchObject({ kind: 'locked', heldBy: 'cli:alice@host-a:1/aa' });
      expect(secondStarted).toBe(false);
      first.release();
      await expect(running).resolves.toEqual({ kind: 'ran', value: 'applied' });
      // Released when the first finished: the next run takes it.
      await expect(withReconcileLock({ lock: locks[1], clock: systemClock, owner: 'cli:bob@host-b:2/bb' }, async () => 'next')).resolves.toEqual({ kind: 'ran', value: 'next' });
    } finally {
      await close();
    }
  });

  it('releases the lock when the run throws, so a failed run never blocks the next', async () => {
    const { locks, close } = await open();
    try {
      await expect(withReconcileLock({ lock: locks[0], clock: systemClock, owner: 'a' }, async () => Promise.reject(new Error('IAM unreachable')))).rejects.toThrow('IAM unreachable');
      await expect(locks[1].acquireLock(RECONCILE_LOCK, 'b', 1000, new Date())).resolves.toMatchObject({ acquired: true });
    } finally {
      await close();
    }
  });
});
