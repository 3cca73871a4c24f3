import type { Statement } from 'better-sqlite3';
import { canonicalJson, parseStoredJson } from '../../domain/audit-chain';
import type { RunRecord, RunStateStore } from '../../ports';
import { finishedMs, isBaselineRun } from './run-lock';
import type { LockResult, RunLock } from './run-lock';
import { migrate, resolveDatabase } from './sqlite-database';
import type { SqliteDatabase } from './sqlite-database';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     run_id TEXT PRIMARY KEY,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     active_headcount INTEGER NOT NULL,
     mode TEXT NOT NULL,
     outcome TEXT NOT NULL,
     summary_json TEXT,
     baseline INTEGER NOT NULL,
     finished_ms INTEGER
   );
   CREATE INDEX runs_baseline ON runs (baseline, finished_ms);
   CREATE TABLE locks (
     name TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     expires_ms INTEGER NOT NULL
   );`,
];

interface RunRow {
  run_id: string;
  started_at: string;
  finished_at: string | null;
  active_headcount: number;
  mode: string;
  outcome: string;
  summary_json: string | null;
}

interface LockRow {
  owner: string;
  expires_ms: number;
}

/** Run history and the reconciliation lock in SQLite; can share the audit log's file and connection. */
export class SqliteRunStateStore implements RunStateStore, RunLock {
  private readonly upsert: Statement;
  private readonly latestBaseline: Statement<[], RunRow>;
  private readonly acquireTx: (name: string, owner: string, ttlMs: number, now: Date) => LockResult;
  private readonly release: Statement<[string, string]>;

  /** Uses an open connection (e.g. the audit log's); `close()` then leaves it open. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly owned = false,
  ) {
    migrate(db, 'run-state', MIGRATIONS);
    this.upsert = db.prepare(
      `INSERT INTO runs (run_id, started_at, finished_at, active_headcount, mode, outcome, summary_json, baseline, finished_ms)
       VALUES (@run_id, @started_at, @finished_at, @active_headcount, @mode, @outcome, @summary_json, @baseline, @finished_ms)
       ON CONFLICT (run_id) DO UPDATE SET
         started_at = excluded.started_at, finished_at = excluded.finished_at, active_headcount = excluded.active_headcount,
         mode = excluded.mode, outcome = excluded.outcome, summary_json = excluded.summary_json,
         baseline = excluded.baseline, finished_ms = excluded.finished_ms`,
    );
    this.latestBaseline = db.prepare<[], RunRow>(
      `SELECT run_id, started_at, finished_at, active_headcount, mode, outcome, summary_json
       FROM runs WHERE baseline = 1 ORDER BY finished_ms DESC, rowid DESC LIMIT 1`,
    );
    const getLock = db.prepare<[string], LockRow>('SELECT owner, expires_ms FROM locks WHERE name = ?');
    const putLock = db.prepare<[string, string, number]>(
      'INSERT INTO locks (name, owner, expires_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_ms = excluded.expires_ms',
    );
    const acquire = db.transaction((name: string, owner: string, ttlMs: number, now: Date): LockResult => {
      const held = getLock.get(name);
      if (held && held.owner !== owner && held.expires_ms > now.getTime()) {
        return { acquired: false, heldBy: held.owner, expiresAt: new Date(held.expires_ms) };
      }
      const expiresAt = new Date(now.getTime() + ttlMs);
      putLock.run(name, owner, expiresAt.getTime());
      return { acquired: true, expiresAt };
    });
    this.acquireTx = (name, owner, ttlMs, now) => acquire.immediate(name, owner, ttlMs, now);
    this.release = db.prepare<[string, string]>('DELETE FROM locks WHERE name = ? AND owner = ?');
  }

  /** Opens the store at `path` (creating folders and tables), or wraps a shared connection. */
  static open(source: string | SqliteDatabase): SqliteRunStateStore {
    const { db, owned } = resolveDatabase(source);
    try {
      return new SqliteRunStateStore(db, owned);
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  }

  async lastCompleted(): Promise<RunRecord | undefined> {
    const row = this.latestBaseline.get();
    return row === undefined ? undefined : fromRow(row);
  }

  async record(run: RunRecord): Promise<void> {
    this.upsert.run({
      run_id: run.runId,
      started_at: run.startedAt,
      finished_at: run.finishedAt ?? null,
      active_headcount: run.activeHeadcount,
      mode: run.mode,
      outcome: run.outcome,
      summary_json: run.summary === undefined ? null : canonicalJson(run.summary),
      baseline: isBaselineRun(run) ? 1 : 0,
      finished_ms: run.finishedAt === undefined ? null : finishedMs(run),
    });
  }

  async acquireLock(name: string, owner: string, ttlMs: number, now: Date): Promise<LockResult> {
    return this.acquireTx(name, owner, ttlMs, now);
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    return this.release.run(name, owner).changes > 0;
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.owned) this.db.close();
  }
}

function fromRow(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    startedAt: row.started_at,
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    activeHeadcount: row.active_headcount,
    mode: row.mode as RunRecord['mode'],
    outcome: row.outcome as RunRecord['outcome'],
    ...(row.summary_json !== null ? { summary: parseStoredJson(row.summary_json) } : {}),
  };
}
