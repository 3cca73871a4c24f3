import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sleep } from '../../lib/concurrency';

/** A DynamoDB item as the low-level client reads and writes it. */
export type Item = Record<string, AttributeValue>;

/**
 * Key attribute names. Every Warden table uses the same generic string key (`pk`, `sk`), so the
 * run state can live in the audit table when no separate state table is configured.
 */
export const KEY = { partition: 'pk', sort: 'sk' } as const;

/** Audit GSIs: each is sparse (only entries carrying the attribute) and sorted by `seq`. */
export const AUDIT_INDEX = {
  personEmail: 'byPersonEmail',
  personId: 'byPersonId',
  targetKey: 'byTarget',
  runKey: 'byRun',
} as const;

/** An attribute some audit GSI is keyed by. */
export type AuditIndexedAttribute = keyof typeof AUDIT_INDEX;

const baseTable = (name: string): CreateTableCommandInput => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: [
    { AttributeName: KEY.partition, KeyType: 'HASH' },
    { AttributeName: KEY.sort, KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: KEY.partition, AttributeType: 'S' },
    { AttributeName: KEY.sort, AttributeType: 'S' },
  ],
});

/** The audit table: the chain under one partition in seq order, plus GSIs for person, IAM user and run queries. */
export function auditTableDefinition(name: string): CreateTableCommandInput {
  const base = baseTable(name);
  const indexed = Object.keys(AUDIT_INDEX) as AuditIndexedAttribute[];
  return {
    ...base,
    AttributeDefinitions: [
      ...(base.AttributeDefinitions ?? []),
      { AttributeName: 'seq', AttributeType: 'N' },
      ...indexed.map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' as const })),
    ],
    GlobalSecondaryIndexes: indexed.map((attribute) => ({
      IndexName: AUDIT_INDEX[attribute],
      KeySchema: [
        { AttributeName: attribute, KeyType: 'HASH' as const },
        { AttributeName: 'seq', KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

/** The run-state table (runs, baselines, locks); the audit table's definition works for it too. */
export function runStateTableDefinition(name: string): CreateTableCommandInput {
  return baseTable(name);
}

/** Creates the audit table and, when named and different, the run-state table, then waits until they are active (tests, dev). */
export async function createTables(client: DynamoDBClient, names: { readonly audit: string; readonly state?: string }): Promise<void> {
  const definitions = [auditTableDefinition(names.audit)];
  if (names.state !== undefined && names.state !== names.audit) definitions.push(runStateTableDefinition(names.state));
  for (const definition of definitions) {
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  for (const definition of definitions) await waitUntilActive(client, definition.TableName ?? '');
}

async function waitUntilActive(client: DynamoDBClient, table: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 2_000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesReady) return;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${table} is not active after ${timeoutMs / 1000}s`);
    await sleep(delay);
  }
}

/** True for a failed write condition (someone else wrote first). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException');
}

/** Reads a string attribute, or undefined when absent or of another type. */
export function readString(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

/** Reads a number attribute, or NaN when absent or of another type. */
export function readNumber(item: Item, name: string): number {
  const text = item[name]?.N;
  return text === undefined ? Number.NaN : Number(text);
}
