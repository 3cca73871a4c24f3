import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { diffSnapshot, indexRecords, snapshotDigest } from '../../domain/evidence/snapshot';
import type { AccessSnapshot, NewSnapshot, RecordSpan, SnapshotHeader, SnapshotSaveResult } from '../../domain/evidence/snapshot';
import { SnapshotLockTimeout, SnapshotOrderError } from '../../errors';
import { mapLimit, sleep as realSleep } from '../../lib/concurrency';
import type { SnapshotStore } from '../../ports/evidence';
import { KEY, isConditionFailure, readNumber, readString } from '../state/dynamodb-tables';
import type { Item } from '../state/dynamodb-tables';
import {
  PK,
  SEQ_DIGITS,
  atSort,
  closedSort,
  combinedDigest,
  compareText,
  del,
  headerItem,
  keyOf,
  num,
  publicHeader,
  put,
  recordWrites,
  scopeKeyOf,
  scopeKeys,
  seqKey,
  spanAttributes,
  str,
  toClosed,
  toHeader,
  toSpan,
  toStoredHeader,
  type ClosedSpan,
  type ScopeDigests,
  type SnapshotScope,
  type Span,
  type StoredHeader,
  type WriteOp,
} from './dynamodb-snapshot-items';
import { SnapshotTable } from './dynamodb-snapshot-table';
import { assertInOrder, toRecordSpan } from './snapshot-common';

export { keyInScope, scopeKeyOf, snapshotsTableDefinition, type SnapshotScope } from './dynamodb-snapshot-items';

/** What a DynamoDB snapshot store needs; the client is injected, never built here. */
export interface DynamoDbSnapshotStoreOptions {
  /** Constructed once by the composition root, with the SDK's own region/credentials/endpoint chain. */
  readonly client: DynamoDBClient;
  readonly table: string;
  /** How long a save waits for another writer to finish (default 300 s). */
  readonly lockWaitMs?: number;
  /** How long a save's lock lasts if its writer dies (default 120 s); the next save then repairs what it left. */
  readonly lockTtlMs?: number;
  /** Batch requests in flight at once (default 8). */
  readonly concurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}


/**
 * Snapshots in DynamoDB, with the spans-and-records model of the SQLite store. Saves are serialized by a lock item
 * (conditional put with an expiry) and written in phases whose order lets the next save roll back whatever a writer
 * that died mid-save left: the header put is the commit point, and readers only ever see committed snapshots.
 */
export class DynamoDbSnapshotStore implements SnapshotStore {
  private readonly io: SnapshotTable;
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly lockWaitMs: number;
  private readonly lockTtlMs: number;
  private readonly concurrency: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly ownerPrefix = randomBytes(6).toString('hex');
  private saves = 0;
  /** Saves from one process go one at a time (no point polling a lock this process holds). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: DynamoDbSnapshotStoreOptions) {
    this.client = options.client;
    this.table = options.table;
    this.lockWaitMs = options.lockWaitMs ?? 300_000;
    this.lockTtlMs = options.lockTtlMs ?? 120_000;
    this.concurrency = options.concurrency ?? 8;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.io = new SnapshotTable(this.client, this.table, this.concurrency, this.sleep);
  }

  async save(snapshot: NewSnapshot): Promise<SnapshotSaveResult> {
    return this.enqueue(snapshot, undefined);
  }

  /**
   * Saves a run that read only part of the inventory: records in `scope` replace the stored ones, the rest are carried
   * over from the newest snapshot as read under the lock. Runs of different accounts finish in any order, so a snapshot
   * read before the newest one was saved is dated at the newest one's time instead of being refused.
   */
  async saveScoped(snapshot: NewSnapshot, scope: SnapshotScope): Promise<SnapshotSaveResult> {
    return this.enqueue(snapshot, scope);
  }

  /** This store as one run covering `scope` sees it: `save` is `saveScoped`, and snapshots hold only the scope's records. */
  scopedTo(scope: () => SnapshotScope): SnapshotStore {
    return {
      save: (snapshot) => this.saveScoped(snapshot, scope()),
      latest: async () => {
        const header = await this.latestHeader();
        return header === undefined ? undefined : this.snapshotAt(header, scope());
      },
      inForceAt: async (at) => {
        const header = await this.headerInForceAt(at);
        return header === undefined ? undefined : this.snapshotAt(header, scope());
      },
      personHistory: (person) => this.personHistory(person),
      list: () => this.list(),
    };
  }

  async latest(): Promise<AccessSnapshot | undefined> {
    const header = await this.latestHeader();
    return header === undefined ? undefined : this.snapshotAt(header);
  }

  async inForceAt(at: Date): Promise<AccessSnapshot | undefined> {
    const header = await this.headerInForceAt(at);
    return header === undefined ? undefined : this.snapshotAt(header);
  }

  async personHistory(person: string): Promise<readonly RecordSpan[]> {
    const wanted = person.trim().toLowerCase();
    if (wanted === '') return [];
    const pk = wanted.includes('@') ? PK.personEmail(wanted) : PK.personId(wanted);
    const hashesByKey = new Map<string, Set<string>>();
    for await (const item of this.io.query({ pk })) {
      const key = readString(item, 'key');
      const hash = readString(item, 'hash');
      if (key === undefined || hash === undefined) continue;
      hashesByKey.set(key, (hashesByKey.get(key) ?? new Set()).add(hash));
    }
    if (hashesByKey.size === 0) return [];
    const last = await this.latestHeader();
    if (last === undefined) return [];
    const perKey = await mapLimit([...hashesByKey], this.concurrency, async ([key, hashes]) => {
      const spans: (Span & { toSeq?: number })[] = [];
      for await (const item of this.io.query({ pk: PK.span(key) })) {
        const span = toSpan(item);
        // Spans of a save still in progress (or abandoned) are not history yet; nor is an end it has not committed.
        if (!hashes.has(span.hash) || span.fromSeq > last.seq) continue;
        const toSeq = item['toSeq'] === undefined ? undefined : readNumber(item, 'toSeq');
        spans.push(toSeq !== undefined && toSeq <= last.seq ? { ...span, toSeq } : span);
      }
      return spans;
    });
    const spans = perKey.flat();
    const records = await this.io.recordsByHash(spans.map((s) => s.hash));
    const seqs = new Set<number>();
    for (const span of spans) {
      seqs.add(span.fromSeq);
      if (span.toSeq !== undefined) seqs.add(span.toSeq).add(span.toSeq - 1);
    }
    seqs.add(last.seq);
    const headers = await mapLimit([...seqs], this.concurrency, (seq) => this.headerBySeq(seq));
    const at = new Map(headers.flatMap((h) => (h === undefined ? [] : [[h.seq, h.at] as const])));
    return spans
      .map((span) => toRecordSpan(span, this.io.recordOf(records, span.hash), (seq) => at.get(seq) ?? '', last.seq))
      .sort((a, b) => a.fromSeq - b.fromSeq || compareText(a.key, b.key));
  }

  async list(): Promise<readonly SnapshotHeader[]> {
    const headers: SnapshotHeader[] = [];
    for await (const item of this.io.query({ pk: PK.run })) headers.push(toHeader(item));
    return headers;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Saving

  private enqueue(snapshot: NewSnapshot, scope: SnapshotScope | undefined): Promise<SnapshotSaveResult> {
    const saved = this.queue.then(() => this.withLock(() => this.saveLocked(snapshot, scope)));
    this.queue = saved.catch(() => undefined);
    return saved;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const owner = `${this.ownerPrefix}/${++this.saves}`;
    const deadline = this.now() + this.lockWaitMs;
    for (let attempt = 0; ; attempt += 1) {
      const now = this.now();
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { ...keyOf(PK.lock, 'save'), owner: str(owner), expiresMs: num(now + this.lockTtlMs) },
            ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now',
            ExpressionAttributeNames: { '#pk': KEY.partition, '#expires': 'expiresMs' },
            ExpressionAttributeValues: { ':now': num(now) },
          }),
        );
        break;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      if (this.now() >= deadline) throw new SnapshotLockTimeout(`snapshot store ${this.table}: another save held the lock for more than ${Math.round(this.lockWaitMs / 1000)} s`);
      // Saves hold the lock for a few round trips: poll often enough that a released lock is not left idle long.
      await this.sleep(Math.min(250, 20 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random() / 2));
    }
    try {
      return await fn();
    } finally {
      await this.client
        .send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: keyOf(PK.lock, 'save'),
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': str(owner) },
          }),
        )
        // A condition failure: it expired and someone else holds it now. Anything else: it expires on its own.
        .catch(() => undefined);
    }
  }

  private async saveLocked(snapshot: NewSnapshot, scope: SnapshotScope | undefined): Promise<SnapshotSaveResult> {
    // Reads go out together: the lock is held across the save, so every round trip here is every other writer's wait.
    const [latest, pending, existing] = await Promise.all([this.latestHeader(), this.io.getItem(PK.pending, 'save'), this.headerOfRun(snapshot.runId)]);
    const lastSeq = latest?.seq ?? 0;
    if (existing !== undefined) {
      return { header: publicHeader(existing), opened: 0, closed: 0, unchanged: existing.recordCount, alreadySaved: true };
    }

    let at = snapshot.at;
    if (scope !== undefined && latest !== undefined && Date.parse(at) < Date.parse(latest.at)) at = latest.at;
    assertInOrder(latest, { ...snapshot, at });
    const seq = lastSeq + 1;

    const next = indexRecords(snapshot.records);
    const previousScopes: ScopeDigests = latest?.scopes ?? new Map();
    // A whole-inventory save touches every scope it had or has now; a scoped one, only its own.
    const touched = scope !== undefined ? scopeKeys(scope) : new Set([...previousScopes.keys(), ...[...next.keys()].map(scopeKeyOf)]);
    const scopedNext = new Map([...next].filter(([key]) => touched.has(scopeKeyOf(key))));
    const [left, read] = await Promise.all([this.leftovers(lastSeq, pending), this.openSpans([...touched], lastSeq)]);
    let state = read;
    if (left.open.length > 0 || left.closed.length > 0) {
      await this.rollBack(left);
      state = await this.openSpans([...touched], lastSeq);
    }
    const diff = diffSnapshot(new Map([...state].map(([key, span]) => [key, span.hash])), scopedNext);

    const scopes = new Map([...previousScopes].filter(([key]) => !touched.has(key)));
    const carried = [...scopes.values()].reduce((sum, d) => sum + d.count, 0);
    for (const key of touched) {
      const records = new Map([...scopedNext].filter(([k]) => scopeKeyOf(k) === key));
      if (records.size > 0) scopes.set(key, { digest: snapshotDigest(records), count: records.size });
    }
    const header: StoredHeader = {
      seq,
      runId: snapshot.runId,
      at,
      digest: combinedDigest(scopes),
      recordCount: [...scopes.values()].reduce((sum, d) => sum + d.count, 0),
      scopes,
    };

    const reopened = new Set(diff.open.map((o) => o.key));
    const closing = diff.close.map((key) => state.get(key)).filter((span): span is Span => span !== undefined);
    // A: what lets the next save find and undo this one if it dies (its scopes, closed markers), content-addressed
    // records, and the indexes of the newest snapshot (a writer that died after its commit may have left them out).
    await this.io.writeAll([
      put(PK.pending, 'save', { seq: num(seq), scopes: str(JSON.stringify([...touched])) }),
      ...(latest !== undefined ? this.indexWrites(latest) : []),
      ...closing.map((span) => put(PK.closed, closedSort(seq, span.key), { ...spanAttributes(span), toSeq: num(seq) })),
      ...diff.open.flatMap(({ key, hash, record }) => recordWrites(key, hash, record)),
    ]);
    // B: the open set moves to the new snapshot (old values are safe in the closed markers), spans get their end.
    await this.io.writeAll([
      ...diff.open.map(({ key, hash }) => put(PK.open(scopeKeyOf(key)), key, spanAttributes({ key, hash, fromSeq: seq }))),
      ...closing.filter((span) => !reopened.has(span.key)).map((span) => del(PK.open(scopeKeyOf(span.key)), span.key)),
      ...closing.map((span) => put(PK.span(span.key), seqKey(span.fromSeq), { ...spanAttributes(span), toSeq: num(seq) })),
    ]);
    // C: the new spans, only once the open markers that point at them exist.
    await this.io.writeAll(diff.open.map(({ key, hash }) => put(PK.span(key), seqKey(seq), spanAttributes({ key, hash, fromSeq: seq }))));
    // D: commit. The condition stops a writer whose lock expired from committing over another's snapshot.
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...headerItem(header), ...keyOf(PK.run, seqKey(seq)) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEY.partition },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new SnapshotOrderError(`snapshot of ${snapshot.runId}: snapshot ${seq} was committed by another writer while this one held an expired lock`, undefined, { cause: error });
      throw error;
    }
    await this.io.writeAll([...this.indexWrites(header), del(PK.pending, 'save')]);
    return { header: publicHeader(header), opened: diff.open.length, closed: diff.close.length, unchanged: diff.unchanged + carried, alreadySaved: false };
  }

  /** The run-id and by-time entries that find a committed snapshot. */
  private indexWrites(header: StoredHeader): WriteOp[] {
    return [put(PK.runAt, atSort(Date.parse(header.at), header.seq), headerItem(header)), put(PK.runId, header.runId, { seq: num(header.seq) })];
  }

  /** The open spans of these scopes as of snapshot `seq` (a save in progress may have moved some past it). */
  private async openSpans(scopes: readonly string[], seq: number): Promise<Map<string, Span>> {
    const spans = new Map<string, Span>();
    await mapLimit(scopes, this.concurrency, async (scope) => {
      for await (const item of this.io.query({ pk: PK.open(scope) })) {
        const span = toSpan(item);
        if (span.fromSeq <= seq) spans.set(span.key, span);
      }
    });
    return spans;
  }

  /** What a save that died before its commit left after snapshot `seq`: spans it started (in the scopes it named) and ended. */
  private async leftovers(seq: number, pending: Item | undefined): Promise<{ open: Span[]; closed: ClosedSpan[] }> {
    const closed: ClosedSpan[] = [];
    for await (const item of this.io.query({ pk: PK.closed, skFrom: `${seqKey(seq + 1)}#` })) closed.push(toClosed(item));
    const scopes = pending !== undefined && readNumber(pending, 'seq') > seq ? (JSON.parse(readString(pending, 'scopes') ?? '[]') as string[]) : [];
    const open: Span[] = [];
    await mapLimit(scopes, this.concurrency, async (scope) => {
      for await (const item of this.io.query({ pk: PK.open(scope), filter: '#from > :seq', names: { '#from': 'fromSeq' }, values: { ':seq': num(seq) } })) {
        open.push(toSpan(item));
      }
    });
    return { open, closed };
  }

  /**
   * Undoes a save that died before its commit: spans it started are removed, spans it ended are reopened, and its closed
   * markers go last, so dying here too leaves the next save the same work. Committed snapshots are never touched.
   */
  private async rollBack(left: { readonly open: readonly Span[]; readonly closed: readonly ClosedSpan[] }): Promise<void> {
    const held = new Map(left.closed.map((span) => [span.key, span]));
    await this.io.writeAll([
      ...left.open.map((span) => del(PK.span(span.key), seqKey(span.fromSeq))),
      ...left.closed.map((span) => put(PK.span(span.key), seqKey(span.fromSeq), spanAttributes(span))),
    ]);
    const touched = new Set([...left.open, ...left.closed].map((span) => span.key));
    await this.io.writeAll(
      [...touched].map((key) => {
        const span = held.get(key);
        return span !== undefined ? put(PK.open(scopeKeyOf(key)), key, spanAttributes(span)) : del(PK.open(scopeKeyOf(key)), key);
      }),
    );
    await this.io.writeAll(left.closed.map((span) => del(PK.closed, closedSort(span.toSeq, span.key))));
  }


  // -------------------------------------------------------------------------------------------------------------------
  // Reading

  private async latestHeader(): Promise<StoredHeader | undefined> {
    for await (const item of this.io.query({ pk: PK.run, newestFirst: true, limit: 1 })) return toStoredHeader(item);
    return undefined;
  }

  private async headerBySeq(seq: number): Promise<StoredHeader | undefined> {
    const item = await this.io.getItem(PK.run, seqKey(seq));
    return item === undefined ? undefined : toStoredHeader(item);
  }

  private async headerOfRun(runId: string): Promise<StoredHeader | undefined> {
    const item = await this.io.getItem(PK.runId, runId);
    if (item === undefined) return undefined;
    const header = await this.headerBySeq(readNumber(item, 'seq'));
    return header?.runId === runId ? header : undefined;
  }

  private async headerInForceAt(at: Date): Promise<StoredHeader | undefined> {
    if (Number.isNaN(at.getTime())) return undefined;
    const latest = await this.latestHeader();
    if (latest === undefined || Date.parse(latest.at) <= at.getTime()) return latest;
    for await (const item of this.io.query({ pk: PK.runAt, skTo: atSort(at.getTime(), 10 ** SEQ_DIGITS - 1), newestFirst: true, limit: 1 })) return toStoredHeader(item);
    return undefined;
  }

  /** The records snapshot `header.seq` held (of `scope` only, when given), sorted by key. */
  private async snapshotAt(header: StoredHeader, scope?: SnapshotScope): Promise<AccessSnapshot> {
    const seq = header.seq;
    const wanted = scope === undefined ? undefined : scopeKeys(scope);
    const scopes = [...header.scopes.keys()].filter((key) => wanted === undefined || wanted.has(key));
    const spans = await this.openSpans(scopes, seq);
    // Spans that ended after this snapshot (all of them, for an old one; those a save in progress is ending, for the newest).
    const inScopes = new Set(scopes);
    for await (const item of this.io.query({ pk: PK.closed, skFrom: `${seqKey(seq + 1)}#`, filter: '#from <= :seq', names: { '#from': 'fromSeq' }, values: { ':seq': num(seq) } })) {
      const span = toSpan(item);
      if (inScopes.has(scopeKeyOf(span.key))) spans.set(span.key, span);
    }
    const sorted = [...spans.values()].sort((a, b) => compareText(a.key, b.key));
    const records = await this.io.recordsByHash(sorted.map((span) => span.hash));
    return { header: publicHeader(header), records: sorted.map((span) => this.io.recordOf(records, span.hash)) };
  }
}
