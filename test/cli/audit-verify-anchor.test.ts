import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { defaultFileAnchorPath } from '../../src/adapters/evidence/anchor-config';
import { FileAnchorStore } from '../../src/adapters/evidence/file-anchor-store';
import { anchorHead } from '../../src/app/evidence';
import { hashEntry } from '../../src/domain/audit-chain';
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
  await anchorHead(log, [new FileAnchorStore(anchor)], { now: new Date(), runId: 'run-1' });
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

describe('warden audit query checks what it prints against the chain', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const query = async (dir: string, config: string, ...args: string[]) => {
    const io = createCapturingIo(dir);
    const code = await main(['node', 'warden', 'audit', 'query', '--config', config, ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('exits 4 with one clear line when a history row was rewritten with a raw UPDATE', async () => {
    const w = await createWardenDir(['run.start', 'deactivate-access-key', 'run.finish', 'run.start', 'run.finish']);
    dirs.push(w.dir);
    expect((await query(w.dir, w.config, '--person', 'bob@example.com')).code).toBe(0);

    const raw = new Database(w.db);
    raw.exec('DROP TRIGGER audit_entries_no_update;');
    raw.prepare("UPDATE audit_entries SET result = 'skipped', error = 'never happened' WHERE seq = 2").run();
    raw.close();
    const result = await query(w.dir, w.config, '--person', 'bob@example.com');

    expect(result.code).toBe(4);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^warden: audit log tampered with: seq 2: content does not match its hash/);
  });

  it('exits 4 when the tail was rewritten and re-hashed from the queried entry on (only the anchor can tell)', async () => {
    const w = await createWardenDir(['run.start', 'deactivate-access-key', 'run.finish']);
    dirs.push(w.dir);
    const raw = new Database(w.db);
    raw.exec('DROP TRIGGER audit_entries_no_update;');
    // Seq 2 rewritten and every later entry re-hashed, as someone holding the file would: the chain itself is consistent.
    let prev = (raw.prepare('SELECT hash FROM audit_entries WHERE seq = 1').get() as { hash: string }).hash;
    for (const seq of [2, 3]) {
      const row = raw.prepare('SELECT * FROM audit_entries WHERE seq = ?').get(seq) as Record<string, string | number | null>;
      const entry = {
        seq,
        at: String(row['at']),
        runId: String(row['run_id']),
        actor: String(row['actor']),
        action: String(row['action']),
        ...(row['account'] !== null ? { account: String(row['account']) } : {}),
        ...(row['target'] !== null ? { target: String(row['target']) } : {}),
        ...(row['person'] !== null ? { person: String(row['person']) } : {}),
        ...(row['reason'] !== null ? { reason: String(row['reason']) } : {}),
        ...(row['before_json'] !== null ? { before: JSON.parse(String(row['before_json'])) as unknown } : {}),
        ...(row['after_json'] !== null ? { after: JSON.parse(String(row['after_json'])) as unknown } : {}),
        result: seq === 2 ? 'skipped' : String(row['result']),
      };
      const hash = hashEntry(prev, entry);
      raw.prepare('UPDATE audit_entries SET result = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(entry.result, prev, hash, seq);
      prev = hash;
    }
    raw.close();
    const log = SqliteAuditLog.open(w.db);
    expect(await log.verify()).toMatchObject({ ok: true });
    log.close();

    const result = await query(w.dir, w.config, '--person', 'bob@example.com');

    expect(result.code).toBe(4);
    expect(result.err).toContain('anchor');
  });
});
