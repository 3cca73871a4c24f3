import { canonicalJson } from '../../domain/audit-chain';
import type { AccessRecord } from '../../domain/evidence/access-records';
import { diffSnapshot, indexRecords, snapshotDigest } from '../../domain/evidence/snapshot';
import type { AccessSnapshot, NewSnapshot, RecordSpan, SnapshotHeader, SnapshotSaveResult } from '../../domain/evidence/snapshot';
import type { SnapshotStore } from '../../ports/evidence';
import { migrate, resolveDatabase } from '../state/sqlite-database';
import type { SqliteDatabase } from '../state/sqlite-database';
import { assertInOrder, personIndex, toRecordSpan } from './snapshot-common';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE snapshot_runs (
     seq INTEGER PRIMARY KEY,
     run_id TEXT NOT NULL UNIQUE,
     at TEXT NOT NULL,
     at_ms INTEGER NOT NULL,
     digest TEXT NOT NULL,
     record_count INTEGER NOT NULL
   );
   CREATE INDEX snapshot_runs_by_time ON snapshot_runs (at_ms, seq);
   -- Content-addressed: a record seen in many snapshots, or gone and back, is stored once.
   CREATE TABLE snapshot_records (
     hash TEXT PRIMARY KEY,
     record_key TEXT NOT NULL,
     person_email TEXT,
     person_id TEXT,
     body TEXT NOT NULL
   );
   CREATE INDEX snapshot_records_by_email ON snapshot_records (person_email);
   CREATE INDEX snapshot_records_by_person_id ON snapshot_records (person_id);
   CREATE TABLE snapshot_spans (
     record_key TEXT NOT NULL,
     hash TEXT NOT NULL,
     from_seq INTEGER NOT NULL,
     to_seq INTEGER,
     PRIMARY KEY (record_key, from_seq)
   );
   CREATE INDEX snapshot_spans_open ON snapshot_spans (to_seq);
   CREATE INDEX snapshot_spans_by_hash ON snapshot_spans (hash);
   CREATE INDEX snapshot_spans_by_from ON snapshot_spans (from_seq);`,
];

interface HeaderRow {
  seq: number;
  run_id: string;
  at: string;
  digest: string;
  record_count: number;
}

interface SpanRow {
  record_key: string;
  hash: string;
  from_seq: number;
  to_seq: number | null;
  body: string;
}

const toHeader = (row: HeaderRow): SnapshotHeader => ({
  seq: row.seq,
  runId: row.run_id,
  at: row.at,
  digest: row.digest,
  recordCount: row.record_count,
});

const parseRecord = (body: string): AccessRecord => JSON.parse(body) as AccessRecord;

const HEADER_COLUMNS = 'seq, run_id, at, digest, record_count';

/** Snapshots in Warden's SQLite file (beside the audit log and run state), as spans over content-addressed records. */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly saveTx: (snapshot: NewSnapshot) => SnapshotSaveResult;

  /** Uses an open connection (shared with the audit log); `close()` then leaves it open. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly owned = false,
  ) {
    migrate(db, 'snapshots', MIGRATIONS);
    const byRun = db.prepare<[string], HeaderRow>(`SELECT ${HEADER_COLUMNS} FROM snapshot_runs WHERE run_id = ?`);
    const last = db.prepare<[], HeaderRow>(`SELECT ${HEADER_COLUMNS} FROM snapshot_runs ORDER BY seq DESC LIMIT 1`);
    const openSpans = db.prepare<[], { record_key: string; hash: string }>('SELECT record_key, hash FROM snapshot_spans WHERE to_seq IS NULL');
    const insertRun = db.prepare(
      'INSERT INTO snapshot_runs (seq, run_id, at, at_ms, digest, record_count) VALUES (@seq, @runId, @at, @atMs, @digest, @recordCount)',
    );
    const closeSpan = db.prepare('UPDATE snapshot_spans SET to_seq = @seq WHERE record_key = @key AND to_seq IS NULL');
    const insertRecord = db.prepare(
      'INSERT OR IGNORE INTO snapshot_records (hash, record_key, person_email, person_id, body) VALUES (@hash, @key, @email, @employeeId, @body)',
    );
    const insertSpan = db.prepare('INSERT INTO snapshot_spans (record_key, hash, from_seq) VALUES (@key, @hash, @seq)');
    const transaction = db.transaction((snapshot: NewSnapshot): SnapshotSaveResult => {
      const existing = byRun.get(snapshot.runId);
      if (existing !== undefined) {
        return { header: toHeader(existing), opened: 0, closed: 0, unchanged: existing.record_count, alreadySaved: true };
      }
      const latest = last.get();
      assertInOrder(latest === undefined ? undefined : toHeader(latest), snapshot);
      const next = indexRecords(snapshot.records);
      const diff = diffSnapshot(new Map(openSpans.all().map((row) => [row.record_key, row.hash])), next);
      const seq = (latest?.seq ?? 0) + 1;
      const header: SnapshotHeader = { seq, runId: snapshot.runId, at: snapshot.at, digest: snapshotDigest(next), recordCount: next.size };
      insertRun.run({ seq, runId: header.runId, at: header.at, atMs: Date.parse(header.at), digest: header.digest, recordCount: header.recordCount });
      for (const key of diff.close) closeSpan.run({ seq, key });
      for (const { key, hash, record } of diff.open) {
        const person = personIndex(record);
        insertRecord.run({ hash, key, email: person.email ?? null, employeeId: person.employeeId ?? null, body: canonicalJson(record) });
        insertSpan.run({ key, hash, seq });
      }
      return { header, opened: diff.open.length, closed: diff.close.length, unchanged: diff.unchanged, alreadySaved: false };
    });
    this.saveTx = (snapshot) => transaction.immediate(snapshot);
  }

  /** Opens (creating folders and tables as needed) the store at `path`, or wraps a shared connection. */
  static open(source: string | SqliteDatabase): SqliteSnapshotStore {
    const { db, owned } = resolveDatabase(source);
    try {
      return new SqliteSnapshotStore(db, owned);
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  }

  async save(snapshot: NewSnapshot): Promise<SnapshotSaveResult> {
    return this.saveTx(snapshot);
  }

  async latest(): Promise<AccessSnapshot | undefined> {
    const row = this.db.prepare<[], HeaderRow>(`SELECT ${HEADER_COLUMNS} FROM snapshot_runs ORDER BY seq DESC LIMIT 1`).get();
    return row === undefined ? undefined : this.snapshotAt(toHeader(row));
  }

  async inForceAt(at: Date): Promise<AccessSnapshot | undefined> {
    const row = this.db
      .prepare<[number], HeaderRow>(`SELECT ${HEADER_COLUMNS} FROM snapshot_runs WHERE at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT 1`)
      .get(at.getTime());
    return row === undefined ? undefined : this.snapshotAt(toHeader(row));
  }

  async personHistory(person: string): Promise<readonly RecordSpan[]> {
    const wanted = person.trim().toLowerCase();
    const column = wanted.includes('@') ? 'person_email' : 'person_id';
    const rows = this.db
      .prepare<[string], SpanRow>(
        `SELECT s.record_key, s.hash, s.from_seq, s.to_seq, r.body
           FROM snapshot_records r JOIN snapshot_spans s ON s.hash = r.hash
          WHERE r.${column} = ?
          ORDER BY s.from_seq, s.record_key`,
      )
      .all(wanted);
    if (rows.length === 0) return [];
    const headers = this.db.prepare<[], { seq: number; at: string }>('SELECT seq, at FROM snapshot_runs ORDER BY seq').all();
    const at = new Map(headers.map((h) => [h.seq, h.at]));
    const lastSeq = headers.at(-1)?.seq ?? 0;
    return rows.map((row) =>
      toRecordSpan(
        { key: row.record_key, hash: row.hash, fromSeq: row.from_seq, ...(row.to_seq !== null ? { toSeq: row.to_seq } : {}) },
        parseRecord(row.body),
        (seq) => at.get(seq) ?? '',
        lastSeq,
      ),
    );
  }

  async list(): Promise<readonly SnapshotHeader[]> {
    return this.db.prepare<[], HeaderRow>(`SELECT ${HEADER_COLUMNS} FROM snapshot_runs ORDER BY seq`).all().map(toHeader);
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.owned) this.db.close();
  }

  private snapshotAt(header: SnapshotHeader): AccessSnapshot {
    const rows = this.db
      .prepare<[number, number], { body: string }>(
        `SELECT r.body FROM snapshot_spans s JOIN snapshot_records r ON r.hash = s.hash
          WHERE s.from_seq <= ? AND (s.to_seq IS NULL OR s.to_seq > ?)
          ORDER BY s.record_key`,
      )
      .all(header.seq, header.seq);
    return { header, records: rows.map((row) => parseRecord(row.body)) };
  }
}
