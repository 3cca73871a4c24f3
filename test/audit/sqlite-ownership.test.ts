import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';

/*
 * Who closes the SQLite connection. A log opened from a path owns its connection and closes it (the WAL file is
 * checkpointed away, later calls fail); a log wrapping a connection shared with the run-state store leaves it open
 * for its owner. A file Warden cannot use (a newer schema) is refused without leaving the connection open.
 */

describe('SQLite audit log: connection ownership', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-sqlite-owner-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a log opened from a path closes its own connection: the WAL file goes and later writes fail', async () => {
    const file = path.join(dir, 'audit.db');
    const log = SqliteAuditLog.open(file);
    await log.append({ runId: 'r1', actor: 'system', action: 'run.start', result: 'ok' });
    expect(existsSync(`${file}-wal`)).toBe(true);

    log.close();

    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(log.append({ runId: 'r1', actor: 'system', action: 'run.finish', result: 'ok' })).rejects.toThrow(/not open/);
  });

  it('a log on a shared connection leaves it open for its owner', async () => {
    const db = new Database(':memory:');
    const log = SqliteAuditLog.open(db);
    await log.append({ runId: 'r1', actor: 'system', action: 'run.start', result: 'ok' });

    log.close();

    expect(db.open).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_entries').get()).toEqual({ n: 1 });
    db.close();
  });

  it('a file with a newer audit schema is refused and the connection it opened is closed', () => {
    const file = path.join(dir, 'audit.db');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.exec("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL); INSERT INTO schema_version VALUES ('audit', 999)");
    raw.close();

    expect(() => SqliteAuditLog.open(file)).toThrow(/newer than this Warden understands/);
    // Nothing holds the file: an exclusive lock can be taken at once.
    const check = new Database(file, { timeout: 0 });
    expect(() => check.exec('BEGIN EXCLUSIVE; COMMIT')).not.toThrow();
    check.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('a refused shared connection stays open for its owner', () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL); INSERT INTO schema_version VALUES ('audit', 999)");
    expect(() => SqliteAuditLog.open(db)).toThrow(/newer/);
    expect(db.open).toBe(true);
    db.close();
  });
});
