import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { defaultFileAnchorPath } from '../../src/adapters/evidence/anchor-config';
import { FileAnchorStore } from '../../src/adapters/evidence/file-anchor-store';
import { anchorHead } from '../../src/app/evidence';
import { main } from '../../src/cli/main';
import { createDummyEntry } from '../contract/audit-log.contract';
import { createCapturingIo } from '../evidence/demo-flow';

/** A Warden folder with a SQLite audit log holding two finished runs, anchored in the file beside the database. */
async function createWardenDir(actions: readonly string[]): Promise<{ dir: string; config: string; db: string; anchor: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-verify-'));
  const db = path.join(dir, 'warden.db');
  writeFileSync(path.join(dir, 'roster.csv'), 'employee_id,email,status\nE1,a@example.com,active\n');
  writeFileSync(path.join(dir, 'warden.yaml'), 'timezone: UTC\nroster: { path: ./roster.csv }\naudit: { store: sqlite, path: ./warden.db }\n');
  const log = SqliteAuditLog.open(db);
  for (const action of actions) await log.append(createDummyEntry({ action }));
  const anchor = defaultFileAnchorPath(db);
  await anchorHead(log, [new FileAnchorStore(anchor)], { now: new Date() });
  log.close();
  return { dir, config: path.join(dir, 'warden.yaml'), db, anchor };
}

const verify = async (dir: string, config: string) => {
  const io = createCapturingIo(dir);
  const code = await main(['node', 'warden', 'audit', 'verify', '--config', config], io);
  return { code, out: io.out(), err: io.err() };
};

describe('warden audit verify when the tail is cut and the anchor deleted', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('exits 4 and names the missing anchor (it exited 0 before)', async () => {
    const w = await createWardenDir(['run.start', 'step', 'run.finish', 'run.start', 'step', 'run.finish']);
    dirs.push(w.dir);
    expect((await verify(w.dir, w.config)).code).toBe(0);

    const raw = new Database(w.db);
    raw.exec('DROP TRIGGER audit_entries_no_delete;');
    raw.prepare('DELETE FROM audit_entries WHERE seq > 3').run();
    raw.close();
    rmSync(w.anchor);
    const result = await verify(w.dir, w.config);

    expect(result.code).toBe(4);
    expect(result.out).toContain('BROKEN');
    expect(result.out).toContain('anchor is missing');
    expect(result.out).toContain('seq 3 run.finish');
  });

  it('exits 4 when only the anchor is deleted', async () => {
    const w = await createWardenDir(['run.start', 'run.finish']);
    dirs.push(w.dir);
    rmSync(w.anchor);

    const result = await verify(w.dir, w.config);
    expect(result.code).toBe(4);
    expect(result.out).toContain('anchor is missing');
  });

  it('exits 0 for a log with no finished run and no anchor yet', async () => {
    const w = await createWardenDir(['slack.departure.confirmed']);
    dirs.push(w.dir);
    rmSync(w.anchor);

    const result = await verify(w.dir, w.config);
    expect(result.code).toBe(0);
    expect(result.out).toContain('none published yet');
  });
});
