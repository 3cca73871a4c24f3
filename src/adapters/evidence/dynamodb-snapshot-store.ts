import { BatchGetItemCommand, BatchWriteItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type {
  AttributeValue,
  BatchGetItemCommandOutput,
  BatchWriteItemCommandOutput,
  CreateTableCommandInput,
  DynamoDBClient,
  QueryCommandInput,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../../domain/audit-chain';
import type { AccessRecord } from '../../domain/evidence/access-records';
import { diffSnapshot, indexRecords, snapshotDigest } from '../../domain/evidence/snapshot';
import type { AccessSnapshot, NewSnapshot, RecordSpan, SnapshotHeader, SnapshotSaveResult } from '../../domain/evidence/snapshot';
import { WardenError } from '../../errors';
import { mapLimit, sleep as realSleep } from '../../lib/concurrency';
import type { SnapshotStore } from '../../ports/evidence';
import { KEY, isConditionFailure, readNumber, readString, runStateTableDefinition } from '../state/dynamodb-tables';
import type { Item } from '../state/dynamodb-tables';
import { SnapshotOrderError, assertInOrder, personIndex, toRecordSpan } from './snapshot-common';

/**
 * Partitions of the snapshots table (Warden's generic `pk`/`sk` string key). Spans live in three places, each
 * answering one question cheaply: `open` per scope (what the newest snapshot holds of one account, or of the hosts),
 * `closed` by the snapshot that ended them (what an older snapshot held), and one partition per record key (a
 * person's history). A save reads and writes only the scopes its run read, so its cost follows one account, not all.
 */
const PK = {
  /** Headers by seq; the put of a header is the commit point of a save. */
  run: 'snapshot-run',
  /** Headers again, by time, for "the snapshot in force at T". */
  runAt: 'snapshot-run-at',
  runId: 'snapshot-run-id',
  open: (scope: string): string => `snapshot-open#${scope}`,
  closed: 'snapshot-closed',
  /** Content-addressed records: a record seen in many snapshots, or gone and back, is stored once. */
  record: 'snapshot-record',
  lock: 'snapshot-lock',
  /** The scopes a save in progress is writing, so the next save can find and undo what a dead writer left. */
  pending: 'snapshot-pending',
  span: (key: string): string => `snapshot-span#${key}`,
  personEmail: (email: string): string => `snapshot-person-email#${email}`,
  personId: (id: string): string => `snapshot-person-id#${id}`,
} as const;

const SEQ_DIGITS = 10;
const seqKey = (seq: number): string => String(seq).padStart(SEQ_DIGITS, '0');
const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;

/** The snapshots table: the generic `pk`/`sk` key like the run-state table (serverless.yml's SnapshotsTable). */
export function snapshotsTableDefinition(name: string): CreateTableCommandInput {
  return runStateTableDefinition(name);
}

/**
 * The part of the inventory one run read: its records of these replace the stored ones, and everything else is
 * carried over from the newest snapshot. Lets per-account runs (Lambda's fan-out) keep one complete snapshot series.
 */
export interface SnapshotScope {
  /** IAM accounts the run read (including those it failed to read: the run carried their last known state). */
  readonly accounts: readonly string[];
  /** Whether the run read the hosts. */
  readonly hosts: boolean;
}

/** The storage scope of a record key (`iam/<account>/<user>` -> `iam/<account>`, `host/<instance>/<os user>` -> `host`). */
export function scopeKeyOf(key: string): string {
  const [kind, owner] = key.split('/', 2);
  return kind === 'iam' ? `iam/${owner ?? ''}` : (kind ?? '');
}

const scopeKeys = (scope: SnapshotScope): Set<string> => new Set([...scope.accounts.map((a) => `iam/${a}`), ...(scope.hosts ? ['host'] : [])]);

/** Whether a record key falls in a scope. */
export function keyInScope(key: string, scope: SnapshotScope): boolean {
  return scopeKeys(scope).has(scopeKeyOf(key));
}

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

interface Span {
  readonly key: string;
  readonly hash: string;
  readonly fromSeq: number;
}

interface ClosedSpan extends Span {
  readonly toSeq: number;
}

type WriteOp = { readonly kind: 'put'; readonly item: Item } | { readonly kind: 'delete'; readonly key: Item };

/** Per scope: the domain's digest of its records, and how many. */
type ScopeDigests = ReadonlyMap<string, { readonly digest: string; readonly count: number }>;

/** A header as stored: with its scopes, so a save of one scope carries the others' digests and counts. */
interface StoredHeader extends SnapshotHeader {
  readonly scopes: ScopeDigests;
}

const keyOf = (pk: string, sk: string): Item => ({ [KEY.partition]: { S: pk }, [KEY.sort]: { S: sk } });
const put = (pk: string, sk: string, attributes: Item): WriteOp => ({ kind: 'put', item: { ...attributes, ...keyOf(pk, sk) } });
const del = (pk: string, sk: string): WriteOp => ({ kind: 'delete', key: keyOf(pk, sk) });
const str = (value: string): AttributeValue => ({ S: value });
const num = (value: number): AttributeValue => ({ N: String(value) });

const closedSort = (toSeq: number, key: string): string => `${seqKey(toSeq)}#${key}`;
/** Sort key of a header by time: normalized ISO text sorts chronologically, seq breaks ties. */
const atSort = (atMs: number, seq: number): string => `${new Date(atMs).toISOString()}#${seqKey(seq)}`;

const headerItem = (header: StoredHeader): Item => ({
  seq: num(header.seq),
  runId: str(header.runId),
  at: str(header.at),
  atMs: num(Date.parse(header.at)),
  digest: str(header.digest),
  recordCount: num(header.recordCount),
  scopes: str(JSON.stringify(Object.fromEntries([...header.scopes].sort(([a], [b]) => compareText(a, b)).map(([scope, d]) => [scope, [d.digest, d.count]])))),
});

const toStoredHeader = (item: Item): StoredHeader => {
  const scopes = JSON.parse(readString(item, 'scopes') ?? '{}') as Record<string, [string, number]>;
  return {
    seq: readNumber(item, 'seq'),
    runId: readString(item, 'runId') ?? '',
    at: readString(item, 'at') ?? '',
    digest: readString(item, 'digest') ?? '',
    recordCount: readNumber(item, 'recordCount'),
    scopes: new Map(Object.entries(scopes).map(([scope, [digest, count]]) => [scope, { digest, count }])),
  };
};

const toHeader = (item: Item): SnapshotHeader => {
  const { scopes: _scopes, ...header } = toStoredHeader(item);
  return header;
};

const publicHeader = ({ scopes: _scopes, ...header }: StoredHeader): SnapshotHeader => header;

/**
 * SHA-256 over the scopes' digests: equal access, equal digest, and a save of one scope needs no other scope's records.
 * (The SQLite and memory stores hash every record line at once; digests compare within one store.)
 */
const combinedDigest = (scopes: ScopeDigests): string =>
  createHash('sha256')
    .update([...scopes].map(([scope, d]) => `${scope} ${d.digest}`).sort().join('\n'))
    .digest('hex');

const toSpan = (item: Item): Span => ({ key: readString(item, 'key') ?? '', hash: readString(item, 'hash') ?? '', fromSeq: readNumber(item, 'fromSeq') });
const toClosed = (item: Item): ClosedSpan => ({ ...toSpan(item), toSeq: readNumber(item, 'toSeq') });
const spanAttributes = (span: Span): Item => ({ key: str(span.key), hash: str(span.hash), fromSeq: num(span.fromSeq) });

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A save's lock was not had in time: another writer is still saving (or died holding it, and it has not expired yet). */
export class SnapshotLockTimeout extends WardenError {
  override readonly name = 'SnapshotLockTimeout';
}

/**
 * Snapshots in DynamoDB, with the spans-and-records model of the SQLite store. Saves are serialized by a lock item
 * (conditional put with an expiry) and written in phases whose order lets the next save roll back whatever a writer
 * that died mid-save left: the header put is the commit point, and readers only ever see committed snapshots.
 */
export class DynamoDbSnapshotStore implements SnapshotStore {
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
    for await (const item of this.query({ pk })) {
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
      for await (const item of this.query({ pk: PK.span(key) })) {
        const span = toSpan(item);
        // Spans of a save still in progress (or abandoned) are not history yet; nor is an end it has not committed.
        if (!hashes.has(span.hash) || span.fromSeq > last.seq) continue;
        const toSeq = item['toSeq'] === undefined ? undefined : readNumber(item, 'toSeq');
        spans.push(toSeq !== undefined && toSeq <= last.seq ? { ...span, toSeq } : span);
      }
      return spans;
    });
    const spans = perKey.flat();
    const records = await this.recordsByHash(spans.map((s) => s.hash));
    const seqs = new Set<number>();
    for (const span of spans) {
      seqs.add(span.fromSeq);
      if (span.toSeq !== undefined) seqs.add(span.toSeq).add(span.toSeq - 1);
    }
    seqs.add(last.seq);
    const headers = await mapLimit([...seqs], this.concurrency, (seq) => this.headerBySeq(seq));
    const at = new Map(headers.flatMap((h) => (h === undefined ? [] : [[h.seq, h.at] as const])));
    return spans
      .map((span) => toRecordSpan(span, this.recordOf(records, span.hash), (seq) => at.get(seq) ?? '', last.seq))
      .sort((a, b) => a.fromSeq - b.fromSeq || compareText(a.key, b.key));
  }

  async list(): Promise<readonly SnapshotHeader[]> {
    const headers: SnapshotHeader[] = [];
    for await (const item of this.query({ pk: PK.run })) headers.push(toHeader(item));
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
    const [latest, pending, existing] = await Promise.all([this.latestHeader(), this.getItem(PK.pending, 'save'), this.headerOfRun(snapshot.runId)]);
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
    await this.writeAll([
      put(PK.pending, 'save', { seq: num(seq), scopes: str(JSON.stringify([...touched])) }),
      ...(latest !== undefined ? this.indexWrites(latest) : []),
      ...closing.map((span) => put(PK.closed, closedSort(seq, span.key), { ...spanAttributes(span), toSeq: num(seq) })),
      ...diff.open.flatMap(({ key, hash, record }) => recordWrites(key, hash, record)),
    ]);
    // B: the open set moves to the new snapshot (old values are safe in the closed markers), spans get their end.
    await this.writeAll([
      ...diff.open.map(({ key, hash }) => put(PK.open(scopeKeyOf(key)), key, spanAttributes({ key, hash, fromSeq: seq }))),
      ...closing.filter((span) => !reopened.has(span.key)).map((span) => del(PK.open(scopeKeyOf(span.key)), span.key)),
      ...closing.map((span) => put(PK.span(span.key), seqKey(span.fromSeq), { ...spanAttributes(span), toSeq: num(seq) })),
    ]);
    // C: the new spans, only once the open markers that point at them exist.
    await this.writeAll(diff.open.map(({ key, hash }) => put(PK.span(key), seqKey(seq), spanAttributes({ key, hash, fromSeq: seq }))));
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
    await this.writeAll([...this.indexWrites(header), del(PK.pending, 'save')]);
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
      for await (const item of this.query({ pk: PK.open(scope) })) {
        const span = toSpan(item);
        if (span.fromSeq <= seq) spans.set(span.key, span);
      }
    });
    return spans;
  }

  /** What a save that died before its commit left after snapshot `seq`: spans it started (in the scopes it named) and ended. */
  private async leftovers(seq: number, pending: Item | undefined): Promise<{ open: Span[]; closed: ClosedSpan[] }> {
    const closed: ClosedSpan[] = [];
    for await (const item of this.query({ pk: PK.closed, skFrom: `${seqKey(seq + 1)}#` })) closed.push(toClosed(item));
    const scopes = pending !== undefined && readNumber(pending, 'seq') > seq ? (JSON.parse(readString(pending, 'scopes') ?? '[]') as string[]) : [];
    const open: Span[] = [];
    await mapLimit(scopes, this.concurrency, async (scope) => {
      for await (const item of this.query({ pk: PK.open(scope), filter: '#from > :seq', names: { '#from': 'fromSeq' }, values: { ':seq': num(seq) } })) {
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
    await this.writeAll([
      ...left.open.map((span) => del(PK.span(span.key), seqKey(span.fromSeq))),
      ...left.closed.map((span) => put(PK.span(span.key), seqKey(span.fromSeq), spanAttributes(span))),
    ]);
    const touched = new Set([...left.open, ...left.closed].map((span) => span.key));
    await this.writeAll(
      [...touched].map((key) => {
        const span = held.get(key);
        return span !== undefined ? put(PK.open(scopeKeyOf(key)), key, spanAttributes(span)) : del(PK.open(scopeKeyOf(key)), key);
      }),
    );
    await this.writeAll(left.closed.map((span) => del(PK.closed, closedSort(span.toSeq, span.key))));
  }

  private async getItem(pk: string, sk: string): Promise<Item | undefined> {
    return (await this.client.send(new GetItemCommand({ TableName: this.table, Key: keyOf(pk, sk), ConsistentRead: true }))).Item;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Reading

  private async latestHeader(): Promise<StoredHeader | undefined> {
    for await (const item of this.query({ pk: PK.run, newestFirst: true, limit: 1 })) return toStoredHeader(item);
    return undefined;
  }

  private async headerBySeq(seq: number): Promise<StoredHeader | undefined> {
    const item = await this.getItem(PK.run, seqKey(seq));
    return item === undefined ? undefined : toStoredHeader(item);
  }

  private async headerOfRun(runId: string): Promise<StoredHeader | undefined> {
    const item = await this.getItem(PK.runId, runId);
    if (item === undefined) return undefined;
    const header = await this.headerBySeq(readNumber(item, 'seq'));
    return header?.runId === runId ? header : undefined;
  }

  private async headerInForceAt(at: Date): Promise<StoredHeader | undefined> {
    if (Number.isNaN(at.getTime())) return undefined;
    const latest = await this.latestHeader();
    if (latest === undefined || Date.parse(latest.at) <= at.getTime()) return latest;
    for await (const item of this.query({ pk: PK.runAt, skTo: atSort(at.getTime(), 10 ** SEQ_DIGITS - 1), newestFirst: true, limit: 1 })) return toStoredHeader(item);
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
    for await (const item of this.query({ pk: PK.closed, skFrom: `${seqKey(seq + 1)}#`, filter: '#from <= :seq', names: { '#from': 'fromSeq' }, values: { ':seq': num(seq) } })) {
      const span = toSpan(item);
      if (inScopes.has(scopeKeyOf(span.key))) spans.set(span.key, span);
    }
    const sorted = [...spans.values()].sort((a, b) => compareText(a.key, b.key));
    const records = await this.recordsByHash(sorted.map((span) => span.hash));
    return { header: publicHeader(header), records: sorted.map((span) => this.recordOf(records, span.hash)) };
  }

  private recordOf(records: ReadonlyMap<string, AccessRecord>, hash: string): AccessRecord {
    const record = records.get(hash);
    if (record === undefined) throw new Error(`snapshot record ${hash} is missing from ${this.table}`);
    return record;
  }

  private async recordsByHash(hashes: readonly string[]): Promise<Map<string, AccessRecord>> {
    const distinct = [...new Set(hashes)];
    const out = new Map<string, AccessRecord>();
    const chunks: string[][] = [];
    for (let i = 0; i < distinct.length; i += BATCH_GET_MAX) chunks.push(distinct.slice(i, i + BATCH_GET_MAX));
    await mapLimit(chunks, this.concurrency, async (chunk) => {
      let keys: Item[] | undefined = chunk.map((hash) => keyOf(PK.record, hash));
      for (let attempt = 0; keys !== undefined && keys.length > 0; attempt += 1) {
        if (attempt > 0) await this.backoff(attempt);
        const page: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of page.Responses?.[this.table] ?? []) {
          const body = readString(item, 'body');
          if (body !== undefined) out.set(readString(item, KEY.sort) ?? '', JSON.parse(body) as AccessRecord);
        }
        keys = page.UnprocessedKeys?.[this.table]?.Keys;
      }
    });
    return out;
  }

  private async *query(options: {
    readonly pk: string;
    readonly skFrom?: string;
    readonly skTo?: string;
    readonly newestFirst?: boolean;
    readonly limit?: number;
    readonly filter?: string;
    readonly names?: Record<string, string>;
    readonly values?: Record<string, AttributeValue>;
  }): AsyncGenerator<Item> {
    let condition = '#pk = :pk';
    const names: Record<string, string> = { '#pk': KEY.partition, ...options.names };
    const values: Record<string, AttributeValue> = { ':pk': str(options.pk), ...options.values };
    if (options.skFrom !== undefined) {
      condition += ' AND #sk >= :from';
      names['#sk'] = KEY.sort;
      values[':from'] = str(options.skFrom);
    } else if (options.skTo !== undefined) {
      condition += ' AND #sk <= :to';
      names['#sk'] = KEY.sort;
      values[':to'] = str(options.skTo);
    }
    const input: QueryCommandInput = {
      TableName: this.table,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ConsistentRead: true,
      ...(options.filter !== undefined ? { FilterExpression: options.filter } : {}),
      ...(options.newestFirst === true ? { ScanIndexForward: false } : {}),
      ...(options.limit !== undefined ? { Limit: options.limit } : {}),
    };
    let startKey: Item | undefined;
    let yielded = 0;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}) }));
      for (const item of page.Items ?? []) {
        yield item;
        yielded += 1;
        if (options.limit !== undefined && yielded >= options.limit) return;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Writes in batches of 25, retrying what DynamoDB leaves unprocessed; one item is written once per call (last wins). */
  private async writeAll(ops: readonly WriteOp[]): Promise<void> {
    const byItem = new Map<string, WriteOp>();
    for (const op of ops) {
      const key = op.kind === 'put' ? op.item : op.key;
      byItem.set(`${readString(key, KEY.partition) ?? ''}\u0000${readString(key, KEY.sort) ?? ''}`, op);
    }
    const requests: WriteRequest[] = [...byItem.values()].map((op) =>
      op.kind === 'put' ? { PutRequest: { Item: op.item } } : { DeleteRequest: { Key: op.key } },
    );
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) chunks.push(requests.slice(i, i + BATCH_WRITE_MAX));
    await mapLimit(chunks, this.concurrency, async (chunk) => {
      let pending: WriteRequest[] | undefined = chunk;
      for (let attempt = 0; pending !== undefined && pending.length > 0; attempt += 1) {
        if (attempt > 0) await this.backoff(attempt);
        const out: BatchWriteItemCommandOutput = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } }));
        pending = out.UnprocessedItems?.[this.table];
      }
    });
  }

  private async backoff(attempt: number): Promise<void> {
    if (attempt > 10) throw new Error(`snapshot store ${this.table}: DynamoDB kept items unprocessed after ${attempt} attempts`);
    await this.sleep(Math.min(2_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
  }
}

/** The content-addressed record and the person index entries that find it. */
function recordWrites(key: string, hash: string, record: AccessRecord): WriteOp[] {
  const person = personIndex(record);
  const pointer = { key: str(key), hash: str(hash) };
  return [
    put(PK.record, hash, { key: str(key), body: str(canonicalJson(record)) }),
    ...(person.email !== undefined ? [put(PK.personEmail(person.email), hash, pointer)] : []),
    ...(person.employeeId !== undefined ? [put(PK.personId(person.employeeId), hash, pointer)] : []),
  ];
}
