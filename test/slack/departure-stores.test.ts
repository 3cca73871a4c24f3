import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDepartureStore } from '../../src/adapters/departures/memory-departure-store';
import { SqliteDepartureStore } from '../../src/adapters/departures/sqlite-departure-store';
import { departureStoreContract } from '../contract/departure-store.contract';

departureStoreContract('memory', async () => {
  const store = new MemoryDepartureStore();
  return { store, openSecond: async () => store, cleanup: async () => undefined };
});

departureStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-departures-'));
  const path = join(dir, 'warden.db');
  const opened: SqliteDepartureStore[] = [SqliteDepartureStore.open(path)];
  return {
    store: opened[0] as SqliteDepartureStore,
    openSecond: async () => {
      const second = SqliteDepartureStore.open(path);
      opened.push(second);
      return second;
    },
    cleanup: async () => {
      for (const store of opened) store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
