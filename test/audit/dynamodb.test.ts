import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue , DynamoDBClient} from '@aws-sdk/client-dynamodb';
import { canonicalJson } from '../../src/domain/audit-chain';
import { indexKeys } from '../../src/adapters/audit/audit-entry';
import { AUDIT_CHAIN_PARTITION, DynamoDbAuditLog, seqSortKey } from '../../src/adapters/audit/dynamodb-audit-log';
import { DynamoDbRunStateStore } from '../../src/adapters/state/dynamodb-run-state';
import { auditTableDefinition, createTables, runStateTableDefinition } from '../../src/adapters/state/dynamodb-tables';
import type { AuditEntry } from '../../src/ports';
import { createDummyEntry, runAuditLogContract } from '../contract/audit-log.contract';
import { createDummyRun, runRunStateContract } from '../contract/run-state.contract';
import { useDynalite } from '../fixtures/dynalite';

const { newClient } = useDynalite();
let tableCounter = 0;

async function freshTable(): Promise<{ client: DynamoDBClient; table: string }> {
  const client = newClient();
  const table = `warden-audit-${++tableCounter}`;
  await createTables(client, { audit: table });
  return { client, table };
}

/** An attacker's raw item, written straight to the table in the store's own format. */
function rawItem(entry: AuditEntry): Record<string, AttributeValue> {
  const keys = indexKeys(entry);
  const text = (value: string | undefined): AttributeValue | undefined => (value === undefined ? undefined : { S: value });
  const attributes: Record<string, AttributeValue | undefined> = {
    pk: { S: AUDIT_CHAIN_PARTITION },
    sk: { S: seqSortKey(entry.seq) },
    seq: { N: String(entry.seq) },
    at: { S: entry.at },
    atMs: { N: String(Date.parse(entry.at)) },
    runId: { S: entry.runId },
    actor: { S: entry.actor },
    action: { S: entry.action },
    account: text(entry.account),
    target: text(entry.target),
    person: text(entry.person),
    reason: text(entry.reason),
    before: text(entry.before === undefined ? undefined : canonicalJson(entry.before)),
    after: text(entry.after === undefined ? undefined : canonicalJson(entry.after)),
    result: { S: entry.result },
    error: text(entry.error),
    prevHash: { S: entry.prevHash },
    hash: { S: entry.hash },
    // A careful attacker keeps the row in the indexes it was in, so only the chain can tell.
    personEmail: text(keys.personEmail),
    personId: text(keys.personId),
    targetKey: text(keys.targetKey),
    runKey: text(entry.runId === '' ? undefined : entry.runId),
  };
  return Object.fromEntries(Object.entries(attributes).filter((pair): pair is [string, AttributeValue] => pair[1] !== undefined));
}

runAuditLogContract('dynamodb (dynalite)', async ({ clock }) => {
  const { client, table } = await freshTable();
  const key = (seq: number): Record<string, AttributeValue> => ({ pk: { S: AUDIT_CHAIN_PARTITION }, sk: { S: seqSortKey(seq) } });
  const clients = [client];
  return {
    log: new DynamoDbAuditLog({ client, table, clock }),
    tamper: {
      overwrite: async (entry) => {
        const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: key(entry.seq) }));
        if (!Item) throw new Error(`no entry ${entry.seq}`);
        await client.send(new PutItemCommand({ TableName: table, Item: rawItem(entry) }));
      },
      remove: async (seq) => {
        await client.send(new DeleteItemCommand({ TableName: table, Key: key(seq) }));
      },
      reindex: async (seq, keys) => {
        const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: key(seq) }));
        if (!Item) throw new Error(`no entry ${seq}`);
        await client.send(new PutItemCommand({ TableName: table, Item: { ...Item, personEmail: { S: keys.personEmail } } }));
      },
    },
    openSecond: async () => {
      const other = newClient();
      clients.push(other);
      return new DynamoDbAuditLog({ client: other, table, clock });
    },
    cleanup: async () => {
      for (const each of clients) each.destroy();
    },
  };
}, { indexCopies: true });

runRunStateContract('dynamodb (dynalite)', async () => {
  const client = newClient();
  const table = `warden-state-${++tableCounter}`;
  await createTables(client, { audit: `warden-audit-${++tableCounter}`, state: table });
  const clients = [client];
  return {
    store: new DynamoDbRunStateStore({ client, table }),
    openSecond: async () => {
      const other = newClient();
      clients.push(other);
      return new DynamoDbRunStateStore({ client: other, table });
    },
    cleanup: async () => {
      for (const each of clients) each.destroy();
    },
  };
});

describe('DynamoDB specifics', () => {
  it('defines tables whose GSIs are all sorted by seq and share the generic key', () => {
    const audit = auditTableDefinition('audit');
    expect(audit.KeySchema).toEqual(runStateTableDefinition('state').KeySchema);
    expect(audit.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(['byPersonEmail', 'byPersonId', 'byRun', 'byTarget']);
    for (const index of audit.GlobalSecondaryIndexes ?? []) expect(index.KeySchema?.[1]).toEqual({ AttributeName: 'seq', KeyType: 'RANGE' });
  });

  it('keeps run state in the audit table when no state table is configured', async () => {
    const { client, table } = await freshTable();
    const log = new DynamoDbAuditLog({ client, table });
    const runs = new DynamoDbRunStateStore({ client, table });
    await log.append(createDummyEntry({ runId: 'run-1' }));
    await runs.record(createDummyRun({ runId: 'run-1' }));
    expect((await runs.acquireLock('reconcile', 'a', 1_000, new Date())).acquired).toBe(true);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
    expect(await log.query({ runId: 'run-1' })).toHaveLength(1);
    expect(await runs.lastCompleted()).toEqual(createDummyRun({ runId: 'run-1' }));
    client.destroy();
  });

  it('retries with backoff when another writer takes the next seq, and gives up after the bound', async () => {
    const { client, table } = await freshTable();
    const sleeps: number[] = [];
    const log = new DynamoDbAuditLog({ client, table, maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms) });
    await log.append(createDummyEntry());
    // Every put from here on finds its seq taken, as if a faster writer always won.
    const send = client.send.bind(client);
    jest.spyOn(client, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof PutItemCommand) {
        const error = new Error('The conditional request failed');
        error.name = 'ConditionalCheckFailedException';
        return Promise.reject(error);
      }
      return send(command as never);
    }) as never);
    await expect(log.append(createDummyEntry())).rejects.toThrow(/gave up after 3 attempts/);
    // The first failure came from a cached head and retried at once; the fresh reads backed off.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(40);
    jest.restoreAllMocks();
    expect((await log.append(createDummyEntry())).seq).toBe(2);
    client.destroy();
  });
});
