import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { MemoryRunStateStore } from '../../src/adapters/state/memory-run-state';
import type { AuditEntry } from '../../src/ports';
import { runAuditLogContract } from '../contract/audit-log.contract';
import { runRunStateContract } from '../contract/run-state.contract';

runAuditLogContract('memory', async ({ clock }) => {
  const entries: AuditEntry[] = [];
  const indexOf = (seq: number): number => {
    const index = entries.findIndex((entry) => entry.seq === seq);
    if (index < 0) throw new Error(`no entry ${seq}`);
    return index;
  };
  return {
    log: new MemoryAuditLog({ clock, entries }),
    tamper: {
      overwrite: async (entry) => {
        entries[indexOf(entry.seq)] = entry;
      },
      remove: async (seq) => {
        entries.splice(indexOf(seq), 1);
      },
    },
    openSecond: async () => new MemoryAuditLog({ clock, entries }),
    cleanup: async () => undefined,
  };
});

runRunStateContract('memory', async () => {
  const store = new MemoryRunStateStore();
  // One process, one map: the "second handle" is the same store.
  return { store, openSecond: async () => store, cleanup: async () => undefined };
});
