import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemorySnapshotStore } from '../../src/adapters/evidence/memory-snapshot-store';
import { SqliteSnapshotStore } from '../../src/adapters/evidence/sqlite-snapshot-store';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { openWardenDatabase } from '../../src/adapters/state/sqlite-database';
import { createDummyIamRecord, runSnapshotStoreContract } from './snapshot-store.contract';

let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'warden-snapshots-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

runSnapshotStoreContract('memory', async () => {
  const store = new MemorySnapshotStore();
  return {
    store,
    storedRecords: async () => (store as unknown as { records: Map<string, unknown> }).records.size,
    // One process, one store: the second handle is the same object.
    openSecond: async () => store,
    cleanup: async () => undefined,
  };
});

runSnapshotStoreContract('sqlite', async () => {
  const path = join(root, `case-${++counter}`, 'warden.db');
  const store = SqliteSnapshotStore.open(path);
  const seconds: SqliteSnapshotStore[] = [];
  return {
    store,
    storedRecords: async () => {
      const raw = new Database(path, { readonly: true });
      try {
        return (raw.prepare('SELECT COUNT(*) AS n FROM snapshot_records').get() as { n: number }).n;
      } finally {
        raw.close();
      }
    },
    openSecond: async () => {
      const second = SqliteSnapshotStore.open(path);
      seconds.push(second);
      return second;
    },
    cleanup: async () => {
      for (const s of seconds) s.close();
      store.close();
    },
  };
});

describe('SqliteSnapshotStore', () => {
  it('shares the warden database file with the audit log and keeps its data across reopening', async () => {
    const path = join(root, 'shared', 'warden.db');
    const db = openWardenDatabase(path);
    const audit = SqliteAuditLog.open(db);
    const store = SqliteSnapshotStore.open(db);
    await audit.append({ runId: 'run-1', actor: 'system', action: 'run.start', result: 'ok' });
    await store.save({ runId: 'run-1', at: '2026-11-26T10:00:00.000Z', records: [createDummyIamRecord()] });
    store.close();
    db.close();

    const reopened = SqliteSnapshotStore.open(path);
    try {
      expect((await reopened.latest())?.records).toEqual([createDummyIamRecord()]);
      const versions = new Database(path, { readonly: true });
      const components = versions.prepare('SELECT component FROM schema_version ORDER BY component').all();
      versions.close();
      expect(components).toEqual([{ component: 'audit' }, { component: 'snapshots' }]);
    } finally {
      reopened.close();
    }
  });
});
