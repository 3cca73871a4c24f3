import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { canonicalJson } from '../../domain/audit-chain';
import type { RunRecord, RunStateStore } from '../../ports';
import { KEY, isConditionFailure, readNumber, readString } from './dynamodb-tables';
import type { Item } from './dynamodb-tables';
import { finishedMs, isBaselineRun } from './run-lock';
import type { LockResult, RunLock } from './run-lock';
import { allAttempted } from '../../lib/concurrency';

const RUN_PARTITION = 'run';
/** Baseline runs again, sorted by finish time, so the latest is one Query away. */
const BASELINE_PARTITION = 'run-baseline';
const LOCK_PARTITION = 'lock';

/** What a DynamoDB run-state store needs; the client is injected, never built here. */
export interface DynamoDbRunStateStoreOptions {
  readonly client: DynamoDBClient;
  /** The run-state table, or the audit table itself (the key schema is shared). */
  readonly table: string;
}

/** Run history and the reconciliation lock in DynamoDB, with conditional writes for the lock. */
export class DynamoDbRunStateStore implements RunStateStore, RunLock {
  private readonly client: DynamoDBClient;
  private readonly table: string;

  constructor(options: DynamoDbRunStateStoreOptions) {
    this.client = options.client;
    this.table = options.table;
  }

  async lastCompleted(): Promise<RunRecord | undefined> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: '#pk = :baseline',
        ExpressionAttributeNames: { '#pk': KEY.partition },
        ExpressionAttributeValues: { ':baseline': { S: BASELINE_PARTITION } },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const text = Items?.[0] ? readString(Items[0], 'record') : undefined;
    return text === undefined ? undefined : (JSON.parse(text) as RunRecord);
  }

  async record(run: RunRecord): Promise<void> {
    const record = { S: canonicalJson(run) };
    const puts = [this.put({ [KEY.partition]: { S: RUN_PARTITION }, [KEY.sort]: { S: run.runId }, record })];
    if (isBaselineRun(run)) {
      // ISO text of the epoch millis sorts chronologically whatever offset the caller wrote.
      const sortKey = `${new Date(finishedMs(run)).toISOString()}#${run.runId}`;
      puts.push(this.put({ [KEY.partition]: { S: BASELINE_PARTITION }, [KEY.sort]: { S: sortKey }, record }));
    }
    // The two items are written at once (each holds the whole record); both are attempted before a failure is thrown.
    await allAttempted(puts);
  }

  async acquireLock(name: string, owner: string, ttlMs: number, now: Date): Promise<LockResult> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    // A lock released between our failed put and the read that explains it: try again, a few times.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { ...lockKey(name), owner: { S: owner }, expiresMs: { N: String(expiresAt.getTime()) } },
            ConditionExpression: 'attribute_not_exists(#pk) OR #owner = :owner OR #expires <= :now',
            ExpressionAttributeNames: { '#pk': KEY.partition, '#owner': 'owner', '#expires': 'expiresMs' },
            ExpressionAttributeValues: { ':owner': { S: owner }, ':now': { N: String(now.getTime()) } },
          }),
        );
        return { acquired: true, expiresAt };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item: held } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: lockKey(name), ConsistentRead: true }));
      if (held) return { acquired: false, heldBy: readString(held, 'owner') ?? 'unknown', expiresAt: new Date(readNumber(held, 'expiresMs')) };
    }
    throw new Error(`lock ${name}: could not acquire or read it after 3 attempts`);
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: lockKey(name),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async put(item: Item): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
  }
}

const lockKey = (name: string): Item => ({ [KEY.partition]: { S: LOCK_PARTITION }, [KEY.sort]: { S: name } });
