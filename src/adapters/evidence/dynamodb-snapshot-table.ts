import { BatchGetItemCommand, BatchWriteItemCommand, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type {
  AttributeValue,
  BatchGetItemCommandOutput,
  BatchWriteItemCommandOutput,
  DynamoDBClient,
  QueryCommandInput,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { AccessRecord } from '../../domain/evidence/access-records';
import { mapLimit } from '../../lib/concurrency';
import { KEY, readString } from '../state/dynamodb-tables';
import type { Item } from '../state/dynamodb-tables';
import { PK, keyOf, str, type WriteOp } from './dynamodb-snapshot-items';

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;

/** Reads and batched writes on the snapshots table: consistent queries, records by hash, unprocessed items retried. */
export class SnapshotTable {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly concurrency: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async getItem(pk: string, sk: string): Promise<Item | undefined> {
    return (await this.client.send(new GetItemCommand({ TableName: this.table, Key: keyOf(pk, sk), ConsistentRead: true }))).Item;
  }

  recordOf(records: ReadonlyMap<string, AccessRecord>, hash: string): AccessRecord {
    const record = records.get(hash);
    if (record === undefined) throw new Error(`snapshot record ${hash} is missing from ${this.table}`);
    return record;
  }

  async recordsByHash(hashes: readonly string[]): Promise<Map<string, AccessRecord>> {
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

  async *query(options: {
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
  async writeAll(ops: readonly WriteOp[]): Promise<void> {
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
