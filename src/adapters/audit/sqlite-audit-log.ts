import type { Statement } from 'better-sqlite3';
import { GENESIS_HASH, canonicalJson, parseStoredJson, personFilterKey, targetKey } from '../../domain/audit-chain';
import type { ChainAnchor, VerifyOptions } from '../../domain/audit-chain';
import { systemClock } from '../../ports';
import type { AuditEntry, AuditFilter, AuditResult, ChainVerification, Clock, NewAuditEntry } from '../../ports';
import { migrate, resolveDatabase } from '../state/sqlite-database';
import type { SqliteDatabase } from '../state/sqlite-database';
import { checkedQuery, effectiveLimit, isWholeLog, indexKeys, sealEntry, verifyStoredRows } from './audit-entry';
import type { AnchoredAuditLog, StoredRow } from './audit-entry';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE audit_entries (
     seq INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     run_id TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     account TEXT,
     target TEXT,
     person TEXT,
     reason TEXT,
     before_json TEXT,
     after_json TEXT,
     result TEXT NOT NULL,
     error TEXT,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL,
     person_email TEXT,
     person_id TEXT,
     target_key TEXT,
     at_ms INTEGER NOT NULL
   );
   CREATE INDEX audit_by_person_email ON audit_entries (person_email, seq);
   CREATE INDEX audit_by_person_id ON audit_entries (person_id, seq);
   CREATE INDEX audit_by_target ON audit_entries (target_key, seq);
   CREATE INDEX audit_by_run ON audit_entries (run_id, seq);
   CREATE INDEX audit_by_time ON audit_entries (at_ms);
   -- Append-only for anyone using SQL casually; someone with the file can drop these, which is why verify() exists.
   CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
     BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE is not allowed'); END;
   CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
     BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE is not allowed'); END;`,
];

interface EntryRow {
  seq: number;
  at: string;
  run_id: string;
  actor: string;
  action: string;
  account: string | null;
  target: string | null;
  person: string | null;
  reason: string | null;
  before_json: string | null;
  after_json: string | null;
  result: string;
  error: string | null;
  prev_hash: string;
  hash: string;
  person_email: string | null;
  person_id: string | null;
  target_key: string | null;
  at_ms: number | null;
}

// The index copies are read too: each is checked against the hashed content on every read.
const ENTRY_COLUMNS =
  'seq, at, run_id, actor, action, account, target, person, reason, before_json, after_json, result, error, prev_hash, hash, person_email, person_id, target_key, at_ms';
const INSERT_COLUMNS = 'seq, at, run_id, actor, action, account, target, person, reason, before_json, after_json, result, error, prev_hash, hash';

/** Optional collaborators of a SQLite audit log. */
export interface SqliteAuditLogOptions {
  readonly clock?: Clock;
}

/**
 * Audit log in a local SQLite file. Appends take the write lock before reading the head, so any
 * number of processes appending to one file still build a single linear chain.
 */
export class SqliteAuditLog implements AnchoredAuditLog {
  private readonly clock: Clock;
  private readonly insert: Statement;
  private readonly last: Statement<[], { seq: number; hash: string }>;
  private readonly all: Statement<[], EntryRow>;
  private readonly fromSeq: Statement<[number], EntryRow>;
  private readonly appendTx: (entry: NewAuditEntry) => AuditEntry;

  /** Uses an open connection (e.g. shared with `SqliteRunStateStore`); `close()` then leaves it open. */
  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteAuditLogOptions = {},
    private readonly owned = false,
  ) {
    this.clock = options.clock ?? systemClock;
    migrate(db, 'audit', MIGRATIONS);
    this.insert = db.prepare(
      `INSERT INTO audit_entries (${INSERT_COLUMNS}, person_email, person_id, target_key, at_ms)
       VALUES (@seq, @at, @run_id, @actor, @action, @account, @target, @person, @reason, @before_json, @after_json, @result, @error,
               @prev_hash, @hash, @person_email, @person_id, @target_key, @at_ms)`,
    );
    this.last = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1');
    this.all = db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_entries ORDER BY seq`);
    this.fromSeq = db.prepare<[number], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE seq >= ? ORDER BY seq`);
    const transaction = db.transaction((entry: NewAuditEntry) => {
      const head = this.last.get();
      const sealed = sealEntry(entry, (head?.seq ?? 0) + 1, this.clock.now().toISOString(), head?.hash ?? GENESIS_HASH);
      this.insert.run(toRow(sealed));
      return sealed;
    });
    this.appendTx = (entry) => transaction.immediate(entry);
  }

  /** Opens (creating folders and tables as needed) the log at `path`, or wraps a shared connection. */
  static open(source: string | SqliteDatabase, options: SqliteAuditLogOptions = {}): SqliteAuditLog {
    const { db, owned } = resolveDatabase(source);
    try {
      return new SqliteAuditLog(db, options, owned);
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.appendTx(entry);
  }

  async query(filter: AuditFilter): Promise<readonly AuditEntry[]> {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.person !== undefined) {
      const wanted = personFilterKey(filter.person);
      where.push(wanted.field === 'email' ? 'person_email = @person' : 'person_id = @person');
      params['person'] = wanted.value;
    }
    if (filter.userName !== undefined) {
      where.push('target_key = @target');
      params['target'] = targetKey(filter.userName) ?? '';
    }
    if (filter.runId !== undefined) {
      where.push('run_id = @runId');
      params['runId'] = filter.runId;
    }
    if (filter.since !== undefined) {
      where.push('at_ms >= @since');
      params['since'] = filter.since.getTime();
    }
    if (filter.until !== undefined) {
      where.push('at_ms <= @until');
      params['until'] = filter.until.getTime();
    }
    const limit = effectiveLimit(filter);
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    // The latest `limit` matches, handed back oldest first.
    const sql =
      limit === undefined
        ? `SELECT ${ENTRY_COLUMNS} FROM audit_entries ${whereSql} ORDER BY seq`
        : `SELECT * FROM (SELECT ${ENTRY_COLUMNS} FROM audit_entries ${whereSql} ORDER BY seq DESC LIMIT @limit) ORDER BY seq`;
    if (limit !== undefined) params['limit'] = limit;
    const rows = this.db.prepare<Record<string, string | number>, EntryRow>(sql).all(params);
    // Whoever holds the file can drop the triggers: what the query found is checked against the chain before it is used.
    const found = rows.map(storedRow);
    // The whole log was just read in order: it is its own chain, no second read needed.
    return checkedQuery(found, isWholeLog(filter) ? () => found : (seq) => mapIterable(this.fromSeq.iterate(seq), storedRow), filter);
  }

  async verify(options?: VerifyOptions): Promise<ChainVerification> {
    const from = options?.fromAnchor === true ? (options.expectedHead?.seq ?? 0) : (options?.fromSeq ?? 0);
    const rows = from > 0 ? this.fromSeq.iterate(from) : this.all.iterate();
    return verifyStoredRows(mapIterable(rows, storedRow), options);
  }

  async head(): Promise<ChainAnchor | undefined> {
    return this.last.get();
  }

  /** Closes the connection if this log opened it. */
  close(): void {
    if (this.owned) this.db.close();
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

function toRow(entry: AuditEntry): Record<string, string | number | null> {
  const keys = indexKeys(entry);
  return {
    seq: entry.seq,
    at: entry.at,
    run_id: entry.runId,
    actor: entry.actor,
    action: entry.action,
    account: entry.account ?? null,
    target: entry.target ?? null,
    person: entry.person ?? null,
    reason: entry.reason ?? null,
    before_json: entry.before === undefined ? null : canonicalJson(entry.before),
    after_json: entry.after === undefined ? null : canonicalJson(entry.after),
    result: entry.result,
    error: entry.error ?? null,
    prev_hash: entry.prevHash,
    hash: entry.hash,
    person_email: keys.personEmail ?? null,
    person_id: keys.personId ?? null,
    target_key: keys.targetKey ?? null,
    at_ms: keys.atMs,
  };
}

const KEPT_COPIES = ['personEmail', 'personId', 'targetKey', 'atMs'] as const;

function storedRow(row: EntryRow): StoredRow {
  return {
    entry: fromRow(row),
    index: { personEmail: row.person_email ?? undefined, personId: row.person_id ?? undefined, targetKey: row.target_key ?? undefined, atMs: row.at_ms ?? undefined },
    kept: KEPT_COPIES,
  };
}

function fromRow(row: EntryRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    runId: row.run_id,
    actor: row.actor,
    action: row.action,
    ...(row.account !== null ? { account: row.account } : {}),
    ...(row.target !== null ? { target: row.target } : {}),
    ...(row.person !== null ? { person: row.person } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.before_json !== null ? { before: parseStoredJson(row.before_json) } : {}),
    ...(row.after_json !== null ? { after: parseStoredJson(row.after_json) } : {}),
    result: row.result as AuditResult,
    ...(row.error !== null ? { error: row.error } : {}),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
