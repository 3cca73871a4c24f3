import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ExitCode, WardenError } from '../../errors';

/** A better-sqlite3 connection (the audit log and run state share one file). */
export type SqliteDatabase = Database.Database;

/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

export interface OpenDatabaseOptions {
  /** How long to wait for another process's write lock (default 10 s). */
  readonly busyTimeoutMs?: number;
}

/** Opens (creating parent folders) Warden's SQLite file in WAL mode, so readers never block the writer. */
export function openWardenDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    if (!inMemory) switchToWal(db, path, busyTimeoutMs);
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Switches the file to WAL, waiting as long as any write would for another process's lock. SQLite does not call the busy
 * handler here: while another process writes a new file's first header (still in rollback mode), the switch fails at
 * once with SQLITE_BUSY, which is what two `warden apply` started together on a new state folder meet.
 */
function switchToWal(db: SqliteDatabase, path: string, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new WardenError(`${path} is locked by another process (waited ${busyTimeoutMs / 1000} s); nothing was changed, try again`, ExitCode.runtime, {
          cause: error,
        });
      }
      Atomics.wait(pauseCell, 0, 0, Math.min(pauseMs, left));
    }
  }
}

/** A cell nobody notifies: `Atomics.wait` on it is a synchronous sleep (opening is synchronous, as better-sqlite3 is). */
const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * SQLITE_BUSY or one of its extended codes, told by the code alone: better-sqlite3 throws instances of the SqliteError
 * class of whichever copy of the module loaded last (the native addon keeps one, and a test runner's sandboxes each
 * load their own), so neither `instanceof SqliteError` nor `instanceof Error` can be relied on.
 */
function isBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^SQLITE_BUSY(_|$)/.test(code);
}

/**
 * Brings one component's tables up to date: `migrations[i]` takes it from version i to i+1.
 * Runs in an IMMEDIATE transaction so two processes opening a fresh file never migrate twice.
 */
export function migrate(db: SqliteDatabase, component: string, migrations: readonly string[]): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version WHERE component = ?').get(component) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`${component} schema is version ${current}, newer than this Warden understands (${migrations.length}); upgrade Warden`);
    }
    for (const sql of migrations.slice(current)) db.exec(sql);
    db.prepare('INSERT INTO schema_version (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version').run(
      component,
      migrations.length,
    );
  }).immediate();
}

/** A database given as a path (opened, and closed by its owner) or as a shared connection (left open). */
export function resolveDatabase(source: string | SqliteDatabase): { db: SqliteDatabase; owned: boolean } {
  return typeof source === 'string' ? { db: openWardenDatabase(source), owned: true } : { db: source, owned: false };
}
