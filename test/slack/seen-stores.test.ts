import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSeenStore, SEEN_PARTITION, SEEN_TTL_ATTRIBUTE } from '../../src/adapters/slack/dynamodb-seen-store';
import { MemorySeenStore } from '../../src/adapters/slack/request-hygiene';
import { runStateTableDefinition } from '../../src/adapters/state/dynamodb-tables';
import { seenStoreContract } from './seen-store.contract';

// dynalite has no type declarations; this is the part of its API the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, number>) => Server;

let server: Server;
let endpoint: string;
let tableCounter = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

const newClient = (): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 });

seenStoreContract('memory', async () => {
  const store = new MemorySeenStore();
  return { store, openSecond: async () => store, cleanup: async () => undefined };
});

seenStoreContract('dynamodb (dynalite)', async () => {
  const client = newClient();
  const table = `warden-state-${++tableCounter}`;
  await client.send(new CreateTableCommand(runStateTableDefinition(table)));
  const clients = [client];
  return {
    store: new DynamoDbSeenStore({ client, table }),
    openSecond: async () => {
      const second = newClient();
      clients.push(second);
      return new DynamoDbSeenStore({ client: second, table });
    },
    cleanup: async () => {
      for (const c of clients) c.destroy();
    },
  };
});

describe('DynamoDbSeenStore', () => {
  it('stamps each delivery id with the epoch-seconds TTL attribute DynamoDB expires it by', async () => {
    const client = newClient();
    const table = `warden-state-${++tableCounter}`;
    await client.send(new CreateTableCommand(runStateTableDefinition(table)));
    const now = new Date('2026-11-26T12:00:00.500Z');

    await new DynamoDbSeenStore({ client, table }).firstSeen('event:Ev42', 3_600_000, now);

    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: SEEN_PARTITION }, sk: { S: 'event:Ev42' } } }));
    expect(Number(Item?.[SEEN_TTL_ATTRIBUTE]?.N)).toBe(Math.ceil((now.getTime() + 3_600_000) / 1000));
    client.destroy();
  });
});
