import type { Statement } from 'better-sqlite3';
import type {
  AddResult,
  Approval,
  Departure,
  DepartureAttempt,
  DepartureChange,
  DepartureStore,
  PathStatus,
  SlackThreadRef,
} from '../../ports/departures';
import { migrate, resolveDatabase } from '../state/sqlite-database';
import type { SqliteDatabase } from '../state/sqlite-database';
import { decodeDeparture, encodeDeparture } from './codec';
import { approveTransition, attemptTransition, cancelTransition, threadTransition } from '../../domain/departure-lifecycle';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE departures (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     email TEXT NOT NULL,
     effective_ms INTEGER NOT NULL,
     created_ms INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX departures_status ON departures (status, effective_ms);
   CREATE INDEX departures_email ON departures (email);`,
];

interface Row {
  doc: string;
}

/** Departures in SQLite (better-sqlite3); can share the audit log's file and connection. */
export class SqliteDepartureStore implements DepartureStore {
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly byId: Statement<[string], Row>;
  private readonly byStatuses: Statement<[string, string], Row>;
  private readonly due: Statement<[number], Row>;
  private readonly changeTx: (id: string, transition: (d: Departure) => DepartureChange) => DepartureChange;

  /** Uses an open connection (e.g. the audit log's); `close()` then leaves it open. */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly owned = false,
  ) {
    migrate(db, 'departures', MIGRATIONS);
    this.insert = db.prepare(
      `INSERT INTO departures (id, status, email, effective_ms, created_ms, doc) VALUES (@id, @status, @email, @effective_ms, @created_ms, @doc)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.update = db.prepare('UPDATE departures SET status = @status, doc = @doc WHERE id = @id');
    this.byId = db.prepare<[string], Row>('SELECT doc FROM departures WHERE id = ?');
    this.byStatuses = db.prepare<[string, string], Row>(
      'SELECT doc FROM departures WHERE status IN (?, ?) ORDER BY effective_ms, id',
    );
    this.due = db.prepare<[number], Row>(`SELECT doc FROM departures WHERE status = 'scheduled' AND effective_ms <= ? ORDER BY effective_ms, id`);
    const change = db.transaction((id: string, transition: (d: Departure) => DepartureChange): DepartureChange => {
      const row = this.byId.get(id);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      const result = transition(decodeDeparture(row.doc));
      if (result.ok) this.update.run({ id, status: result.departure.status, doc: encodeDeparture(result.departure) });
      return result;
    });
    // IMMEDIATE: two processes racing on one departure serialise on the write lock before reading.
    this.changeTx = (id, transition) => change.immediate(id, transition);
  }

  /** Opens the store at `path` (creating folders and tables), or wraps a shared connection. */
  static open(source: string | SqliteDatabase): SqliteDepartureStore {
    const { db, owned } = resolveDatabase(source);
    try {
      return new SqliteDepartureStore(db, owned);
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  }

  async add(departure: Departure): Promise<AddResult> {
    const inserted = this.insert.run({
      id: departure.id,
      status: departure.status,
      email: departure.person.email.toLowerCase(),
      effective_ms: departure.effectiveAt.getTime(),
      created_ms: departure.createdAt.getTime(),
      doc: encodeDeparture(departure),
    });
    if (inserted.changes > 0) return { added: true, departure };
    const existing = await this.get(departure.id);
    if (existing === undefined) throw new Error(`departure ${departure.id} vanished while being added`);
    return { added: false, existing };
  }

  async get(id: string): Promise<Departure | undefined> {
    const row = this.byId.get(id);
    return row === undefined ? undefined : decodeDeparture(row.doc);
  }

  async listPending(): Promise<readonly Departure[]> {
    return this.byStatuses.all('awaiting-approval', 'scheduled').map((r) => decodeDeparture(r.doc));
  }

  async listDue(now: Date): Promise<readonly Departure[]> {
    return this.due.all(now.getTime()).map((r) => decodeDeparture(r.doc));
  }

  async listEffective(): Promise<readonly Departure[]> {
    return this.byStatuses.all('scheduled', 'applied').map((r) => decodeDeparture(r.doc));
  }

  async approve(id: string, approval: Approval): Promise<DepartureChange> {
    return this.changeTx(id, (d) => approveTransition(d, approval));
  }

  async cancel(id: string, cancelled: Approval): Promise<DepartureChange> {
    return this.changeTx(id, (d) => cancelTransition(d, cancelled));
  }

  async recordAttempt(id: string, attempt: DepartureAttempt, paths: readonly PathStatus[]): Promise<DepartureChange> {
    return this.changeTx(id, (d) => attemptTransition(d, attempt, paths));
  }

  async attachThread(id: string, thread: SlackThreadRef): Promise<DepartureChange> {
    return this.changeTx(id, (d) => threadTransition(d, thread));
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.owned) this.db.close();
  }
}
