import type { TrailCursor, TrailCursorStore } from '../../ports/trail';
import { migrate, type SqliteDatabase } from './sqlite-database';

/** Polling cursors in memory (tests, the demo). */
export class MemoryTrailCursorStore implements TrailCursorStore {
  private readonly cursors = new Map<string, TrailCursor>();

  async get(account: string): Promise<TrailCursor | undefined> {
    return this.cursors.get(account);
  }

  async put(account: string, cursor: TrailCursor): Promise<void> {
    this.cursors.set(account, { through: cursor.through, seen: [...cursor.seen] });
  }
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE trail_cursors (
     account TEXT PRIMARY KEY,
     through_ms INTEGER NOT NULL,
     seen_json TEXT NOT NULL
   );`,
];

/** Polling cursors in Warden's SQLite file (`warden serve`), so a restart carries on where the last poll ended. */
export class SqliteTrailCursorStore implements TrailCursorStore {
  constructor(private readonly db: SqliteDatabase) {
    migrate(db, 'trail-cursors', MIGRATIONS);
  }

  async get(account: string): Promise<TrailCursor | undefined> {
    const row = this.db.prepare('SELECT through_ms, seen_json FROM trail_cursors WHERE account = ?').get(account) as { through_ms: number; seen_json: string } | undefined;
    if (row === undefined) return undefined;
    let seen: unknown;
    try {
      seen = JSON.parse(row.seen_json);
    } catch {
      seen = [];
    }
    return { through: new Date(row.through_ms), seen: Array.isArray(seen) ? seen.filter((s): s is string => typeof s === 'string') : [] };
  }

  async put(account: string, cursor: TrailCursor): Promise<void> {
    this.db
      .prepare('INSERT INTO trail_cursors (account, through_ms, seen_json) VALUES (?, ?, ?) ON CONFLICT (account) DO UPDATE SET through_ms = excluded.through_ms, seen_json = excluded.seen_json')
      .run(account, cursor.through.getTime(), JSON.stringify(cursor.seen));
  }
}
