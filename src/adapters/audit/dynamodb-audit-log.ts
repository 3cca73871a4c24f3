import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { GENESIS_HASH, canonicalJson, parseStoredJson, personFilterKey, targetKey } from '../../domain/audit-chain';
import type { ChainAnchor, VerifyOptions } from '../../domain/audit-chain';
import { systemClock } from '../../ports';
import type { AuditEntry, AuditFilter, AuditResult, ChainVerification, Clock, NewAuditEntry } from '../../ports';
import { AUDIT_INDEX, KEY, isConditionFailure, readNumber, readString } from '../state/dynamodb-tables';
import type { AuditIndexedAttribute, Item } from '../state/dynamodb-tables';
import { checkedQuery, effectiveLimit, isWholeLog, indexKeys, sealEntry, verifyStoredRows } from './audit-entry';
import type { AnchoredAuditLog, StoredRow } from './audit-entry';
import { jitteredBackoff, sleep } from '../../lib/concurrency';

/** Partition holding the chain; entries are sorted by their zero-padded seq. */
export const AUDIT_CHAIN_PARTITION = 'audit-chain';
const SEQ_DIGITS = 16;

/** Sort key of entry `seq`: zero-padded so text order is numeric order. */
export const seqSortKey = (seq: number): string => String(seq).padStart(SEQ_DIGITS, '0');

/** What a DynamoDB audit log needs; the client is injected, never built here. */
export interface DynamoDbAuditLogOptions {
  /** Constructed once by the composition root, with the SDK's own region/credentials/endpoint chain. */
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly clock?: Clock;
  /** Attempts per append when other writers keep taking the next seq (default 10). */
  readonly maxAttempts?: number;
  /** Injected for tests; defaults to setTimeout with full jitter. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Audit log in DynamoDB. The entry's own key is the lock: an append reads the last entry and puts
 * seq+1 with `attribute_not_exists`, so exactly one writer wins each seq and the chain stays
 * linear across Lambdas. One conditional PutItem is atomic on its own, so no HEAD item and no
 * TransactWriteItems are needed (and none can drift out of step after a crash).
 *
 * Queries by person, IAM user or run use sparse GSIs: they cost one extra write per index an entry
 * appears in and are eventually consistent (an entry written a moment ago may be missing), but an
 * auditor's query reads only matching entries instead of the whole chain. Time-only queries read
 * the chain partition with a filter; `verify` always reads the chain with strongly consistent reads.
 */
export class DynamoDbAuditLog implements AnchoredAuditLog {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Last head this process wrote or read; a stale one just costs one failed conditional put. */
  private knownHead: ChainAnchor | undefined;
  /** Appends from one process go one at a time, so they never race each other for the same seq. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: DynamoDbAuditLogOptions) {
    this.client = options.client;
    this.table = options.table;
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.sleep = options.sleep ?? sleep;
  }

  append(entry: NewAuditEntry): Promise<AuditEntry> {
    const appended = this.queue.then(() => this.appendNow(entry));
    this.queue = appended.catch(() => undefined);
    return appended;
  }

  private async appendNow(entry: NewAuditEntry): Promise<AuditEntry> {
    for (let attempt = 1; ; attempt += 1) {
      const head = this.knownHead ?? (await this.readHead()) ?? { seq: 0, hash: GENESIS_HASH };
      const sealed = sealEntry(entry, head.seq + 1, this.clock.now().toISOString(), head.hash);
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem(sealed),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': KEY.partition },
          }),
        );
        this.knownHead = { seq: sealed.seq, hash: sealed.hash };
        return sealed;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const wasCached = this.knownHead !== undefined;
        this.knownHead = undefined;
        if (attempt >= this.maxAttempts) {
          throw new Error(`audit append gave up after ${attempt} attempts: other writers kept taking seq ${sealed.seq} and later`, {
            cause: error,
          });
        }
        // A stale cached head is expected (another process appended); retry at once with a fresh read.
        if (!wasCached) await this.sleep(jitteredBackoff(attempt, 10, 1_000));
      }
    }
  }

  private async readHead(): Promise<ChainAnchor | undefined> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: '#pk = :chain',
        ExpressionAttributeNames: { '#pk': KEY.partition, '#seq': 'seq', '#hash': 'hash' },
        ExpressionAttributeValues: { ':chain': { S: AUDIT_CHAIN_PARTITION } },
        ProjectionExpression: '#seq, #hash',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const last = Items?.[0];
    return last ? { seq: readNumber(last, 'seq'), hash: readString(last, 'hash') ?? '' } : undefined;
  }

  async query(filter: AuditFilter): Promise<readonly AuditEntry[]> {
    const conditions: { attribute: string; op: '=' | '>=' | '<='; value: AttributeValue }[] = [];
    if (filter.userName !== undefined) {
      const key = targetKey(filter.userName);
      if (key === undefined) return [];
      conditions.push({ attribute: 'targetKey', op: '=', value: { S: key } });
    }
    if (filter.person !== undefined) {
      const wanted = personFilterKey(filter.person);
      if (wanted.value === '') return [];
      conditions.push({ attribute: wanted.field === 'email' ? 'personEmail' : 'personId', op: '=', value: { S: wanted.value } });
    }
    if (filter.runId !== undefined) {
      if (filter.runId === '') return [];
      conditions.push({ attribute: 'runKey', op: '=', value: { S: filter.runId } });
    }
    if (filter.since !== undefined) conditions.push({ attribute: 'atMs', op: '>=', value: { N: String(filter.since.getTime()) } });
    if (filter.until !== undefined) conditions.push({ attribute: 'atMs', op: '<=', value: { N: String(filter.until.getTime()) } });

    // The most selective equality picks the index; everything else filters what it returns.
    const keyIndex = conditions.findIndex((condition) => condition.op === '=');
    const key = conditions[keyIndex];
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const filters = conditions
      .filter((_, index) => index !== keyIndex)
      .map((condition, index) => {
        names[`#f${index}`] = condition.attribute;
        values[`:f${index}`] = condition.value;
        return `#f${index} ${condition.op} :f${index}`;
      });
    const limit = effectiveLimit(filter);
    if (limit === 0) return [];
    const input: QueryCommandInput = {
      TableName: this.table,
      ...(key
        ? {
            IndexName: AUDIT_INDEX[key.attribute as AuditIndexedAttribute],
            KeyConditionExpression: '#k = :k',
            ExpressionAttributeNames: { ...names, '#k': key.attribute },
            ExpressionAttributeValues: { ...values, ':k': key.value },
          }
        : {
            KeyConditionExpression: '#k = :k',
            ExpressionAttributeNames: { ...names, '#k': KEY.partition },
            ExpressionAttributeValues: { ...values, ':k': { S: AUDIT_CHAIN_PARTITION } },
            ConsistentRead: true,
          }),
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
      // With a limit, read newest first and stop once enough matched.
      ScanIndexForward: limit === undefined,
    };
    const found: StoredRow[] = [];
    for await (const item of this.items(input)) {
      found.push(storedRow(item));
      if (limit !== undefined && found.length >= limit) break;
    }
    // Anyone holding PutItem can overwrite a row (IAM cannot force a condition): the answer comes from the chain,
    // read strongly consistent from the earliest match on and checked link by link, not from the index as found.
    const chain = isWholeLog(filter) ? () => found : (seq: number) => mapAsync(this.chainFrom(seq), storedRow);
    return checkedQuery(found, chain, filter, seqSortKey);
  }

  private chainFrom(from: number): AsyncGenerator<Item> {
    return this.items({
      TableName: this.table,
      KeyConditionExpression: from > 1 ? '#pk = :chain AND #sk >= :from' : '#pk = :chain',
      ExpressionAttributeNames: { '#pk': KEY.partition, ...(from > 1 ? { '#sk': KEY.sort } : {}) },
      ExpressionAttributeValues: { ':chain': { S: AUDIT_CHAIN_PARTITION }, ...(from > 1 ? { ':from': { S: seqSortKey(from) } } : {}) },
      ConsistentRead: true,
    });
  }

  async verify(options?: VerifyOptions): Promise<ChainVerification> {
    const from = options?.fromAnchor === true ? (options.expectedHead?.seq ?? 0) : (options?.fromSeq ?? 0);
    return verifyStoredRows(mapAsync(this.chainFrom(from), storedRow), options, seqSortKey);
  }

  async head(): Promise<ChainAnchor | undefined> {
    return this.readHead();
  }

  private async *items(input: QueryCommandInput): AsyncGenerator<Item> {
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

const optionalString = (name: string, value: string | undefined): Item => (value === undefined ? {} : { [name]: { S: value } });

function toItem(entry: AuditEntry): Item {
  const keys = indexKeys(entry);
  return {
    [KEY.partition]: { S: AUDIT_CHAIN_PARTITION },
    [KEY.sort]: { S: seqSortKey(entry.seq) },
    seq: { N: String(entry.seq) },
    at: { S: entry.at },
    atMs: { N: String(keys.atMs) },
    runId: { S: entry.runId },
    actor: { S: entry.actor },
    action: { S: entry.action },
    ...optionalString('account', entry.account),
    ...optionalString('target', entry.target),
    ...optionalString('person', entry.person),
    ...optionalString('reason', entry.reason),
    ...optionalString('before', entry.before === undefined ? undefined : canonicalJson(entry.before)),
    ...optionalString('after', entry.after === undefined ? undefined : canonicalJson(entry.after)),
    result: { S: entry.result },
    ...optionalString('error', entry.error),
    prevHash: { S: entry.prevHash },
    hash: { S: entry.hash },
    // GSI keys may not be empty strings, so they are derived copies present only when non-empty.
    ...optionalString('personEmail', keys.personEmail),
    ...optionalString('personId', keys.personId),
    ...optionalString('targetKey', keys.targetKey),
    ...optionalString('runKey', entry.runId === '' ? undefined : entry.runId),
  };
}

const KEPT_COPIES = ['personEmail', 'personId', 'targetKey', 'runKey', 'atMs', 'sortKey'] as const;

/** The item as the hashed entry plus the unhashed copies its key and indexes are built on (checked on every read). */
function storedRow(item: Item): StoredRow {
  const atMs = item['atMs']?.N;
  return {
    entry: fromItem(item),
    index: {
      personEmail: readString(item, 'personEmail'),
      personId: readString(item, 'personId'),
      targetKey: readString(item, 'targetKey'),
      runKey: readString(item, 'runKey'),
      atMs: atMs === undefined ? undefined : Number(atMs),
      sortKey: readString(item, KEY.sort),
    },
    kept: KEPT_COPIES,
  };
}

async function* mapAsync<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}

function fromItem(item: Item): AuditEntry {
  const optional = (name: string): string | undefined => readString(item, name);
  const account = optional('account');
  const target = optional('target');
  const person = optional('person');
  const reason = optional('reason');
  const before = optional('before');
  const after = optional('after');
  const error = optional('error');
  return {
    seq: readNumber(item, 'seq'),
    at: optional('at') ?? '',
    runId: optional('runId') ?? '',
    actor: optional('actor') ?? '',
    action: optional('action') ?? '',
    ...(account !== undefined ? { account } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(person !== undefined ? { person } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(before !== undefined ? { before: parseStoredJson(before) } : {}),
    ...(after !== undefined ? { after: parseStoredJson(after) } : {}),
    result: (optional('result') ?? '') as AuditResult,
    ...(error !== undefined ? { error } : {}),
    prevHash: optional('prevHash') ?? '',
    hash: optional('hash') ?? '',
  };
}
