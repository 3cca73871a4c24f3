import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWardenDatabase } from '../../src/adapters/state/sqlite-database';
import { WardenError } from '../../src/errors';

// Two `warden apply` started at once on a new state folder both create the SQLite file and switch it to WAL. While one
// writes the first header (still in rollback mode, under a write lock), SQLite fails the other's switch at once with
// SQLITE_BUSY, without the busy handler: opening must wait for that lock as any other write does.

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'warden-sqlite-open-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Another process that creates `path` in rollback mode and holds its write lock for `holdMs`. */
async function holdWriteLock(path: string, holdMs: number): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE'); db.exec('CREATE TABLE other (a)');
    process.stdout.write('held\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${holdMs});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) before holding the lock`)));
  });
  return child;
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));

describe('openWardenDatabase while another process writes a new file', () => {
  it('waits for the write lock, then opens the file in WAL mode with the other process commit kept', async () => {
    const file = join(root, 'warden.db');
    const holder = await holdWriteLock(file, 300);
    const db = openWardenDatabase(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['other']);
    } finally {
      db.close();
      await exited(holder);
    }
  });

  it('gives up after its busy timeout with an error that names the file and says it is locked', async () => {
    const file = join(root, 'warden.db');
    const holder = await holdWriteLock(file, 3_000);
    try {
      let caught: unknown;
      try {
        openWardenDatabase(file, { busyTimeoutMs: 200 }).close();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WardenError);
      expect((caught as Error).message).toBe(`${file} is locked by another process (waited 0.2 s); nothing was changed, try again`);
    } finally {
      holder.kill();
      await exited(holder);
    }
  });
});
