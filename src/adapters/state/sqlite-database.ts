import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** A better-sqlite3 connection (the audit log and run state share one file). */
export type SqliteDatabase = Database.Database;

/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/** Opens (creating parent folders) Warden's SQLite file in WAL mode, so readers never block the writer. */
export function openWardenDatabase(path: string): SqliteDatabase {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  if (!inMemory) db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  return db;
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
