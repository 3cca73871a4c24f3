import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { canonicalJson } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { openWardenDatabase } from '../../src/adapters/state/sqlite-database';
import { SqliteRunStateStore } from '../../src/adapters/state/sqlite-run-state';
import { createDummyEntry, createTestClock, runAuditLogContract } from '../contract/audit-log.contract';
import { createDummyRun, runRunStateContract } from '../contract/run-state.contract';

const run = promisify(execFile);
let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'warden-sqlite-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const freshPath = (): string => join(root, `case-${++counter}`, 'nested', 'warden.db');

runAuditLogContract('sqlite', async ({ clock }) => {
  const path = freshPath();
  const log = SqliteAuditLog.open(path, { clock });
  const seconds: SqliteAuditLog[] = [];
  // The attacker: a plain connection to the same file, with the append-only triggers dropped.
  const raw = new Database(path);
  raw.exec('DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;');
  const overwrite = raw.prepare(
    `UPDATE audit_entries SET at = @at, run_id = @runId, actor = @actor, action = @action, account = @account, target = @target,
       person = @person, reason = @reason, before_json = @before, after_json = @after, result = @result, error = @error,
       prev_hash = @prevHash, hash = @hash
     WHERE seq = @seq`,
  );
  return {
    log,
    tamper: {
      overwrite: async (entry) => {
        const changed = overwrite.run({
          account: null,
          target: null,
          person: null,
          reason: null,
          error: null,
          ...entry,
          before: entry.before === undefined ? null : canonicalJson(entry.before),
          after: entry.after === undefined ? null : canonicalJson(entry.after),
        });
        if (changed.changes !== 1) throw new Error(`no entry ${entry.seq}`);
      },
      remove: async (seq) => {
        raw.prepare('DELETE FROM audit_entries WHERE seq = ?').run(seq);
      },
      reindex: async (seq, keys) => {
        raw.prepare('UPDATE audit_entries SET person_email = ? WHERE seq = ?').run(keys.personEmail, seq);
      },
    },
    openSecond: async () => {
      const second = SqliteAuditLog.open(path, { clock });
      seconds.push(second);
      return second;
    },
    cleanup: async () => {
      for (const second of seconds) second.close();
      raw.close();
      log.close();
    },
  };
}, { indexCopies: true });

runRunStateContract('sqlite', async () => {
  const path = freshPath();
  const store = SqliteRunStateStore.open(path);
  const seconds: SqliteRunStateStore[] = [];
  return {
    store,
    openSecond: async () => {
      const second = SqliteRunStateStore.open(path);
      seconds.push(second);
      return second;
    },
    cleanup: async () => {
      for (const second of seconds) second.close();
      store.close();
    },
  };
});

describe('SqliteAuditLog specifics', () => {
  it('creates parent folders, uses WAL and records schema versions', async () => {
    const path = freshPath();
    const log = SqliteAuditLog.open(path);
    const state = SqliteRunStateStore.open(path);
    await log.append(createDummyEntry());
    log.close();
    state.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT component, version FROM schema_version ORDER BY component').all()).toEqual([
      { component: 'audit', version: 1 },
      { component: 'run-state', version: 1 },
    ]);
    db.close();
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const path = freshPath();
    const log = SqliteAuditLog.open(path);
    await log.append(createDummyEntry());
    const db = new Database(path);
    expect(() => db.prepare("UPDATE audit_entries SET result = 'failed'").run()).toThrow(/append-only: UPDATE/);
    expect(() => db.prepare('DELETE FROM audit_entries').run()).toThrow(/append-only: DELETE/);
    db.close();
    expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
    log.close();
  });

  it('continues the same chain after reopening the file', async () => {
    const path = freshPath();
    const first = SqliteAuditLog.open(path);
    const one = await first.append(createDummyEntry());
    first.close();
    const reopened = SqliteAuditLog.open(path);
    const two = await reopened.append(createDummyEntry({ action: 'delete-login-profile' }));
    expect(two).toMatchObject({ seq: 2, prevHash: one.hash });
    expect(await reopened.verify()).toMatchObject({ ok: true, entries: 2 });
    reopened.close();
  });

  it('shares one connection between the audit log and run state, leaving it open for its owner', async () => {
    const db = openWardenDatabase(freshPath());
    const log = SqliteAuditLog.open(db, { clock: createTestClock() });
    const runs = new SqliteRunStateStore(db);
    await log.append(createDummyEntry());
    await runs.record(createDummyRun());
    log.close();
    runs.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM audit_entries').get()).toEqual({ n: 1 });
    expect(await runs.lastCompleted()).toEqual(createDummyRun());
    db.close();
  });

  it('refuses a file written by a newer schema', () => {
    const path = freshPath();
    SqliteAuditLog.open(path).close();
    const db = new Database(path);
    db.prepare("UPDATE schema_version SET version = 99 WHERE component = 'audit'").run();
    db.close();
    expect(() => SqliteAuditLog.open(path)).toThrow(/version 99, newer than this Warden understands/);
  });

  it('reports an entry whose JSON was mangled as edited instead of crashing', async () => {
    const path = freshPath();
    const log = SqliteAuditLog.open(path);
    await log.append(createDummyEntry());
    const db = new Database(path);
    db.exec("DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET after_json = '{not json' WHERE seq = 1");
    db.close();
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 1 });
    log.close();
  });

  it('keeps one linear chain when separate processes append to the same file', async () => {
    const path = freshPath();
    SqliteAuditLog.open(path).close();
    const worker = join(__dirname, 'fixtures', 'append-worker.ts');
    const perProcess = 40;
    await Promise.all(['p1', 'p2', 'p3'].map((tag) => run(process.execPath, ['--require', require.resolve('tsx/cjs'), worker, path, String(perProcess), tag], { cwd: root })));
    const log = SqliteAuditLog.open(path);
    const entries = await log.query({});
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 3 * perProcess }, (_, i) => i + 1));
    expect(new Set(entries.map((entry) => entry.runId))).toEqual(new Set(['p1', 'p2', 'p3']));
    expect(await log.verify()).toMatchObject({ ok: true, entries: 3 * perProcess });
    log.close();
  });
});
