import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSeenStore, SEEN_PARTITION, SEEN_TTL_ATTRIBUTE } from '../../src/adapters/slack/dynamodb-seen-store';
import { MemorySeenStore } from '../../src/adapters/slack/request-hygiene';
import { runStateTableDefinition } from '../../src/adapters/state/dynamodb-tables';
import { seenStoreContract } from './seen-store.contract';
import { useDynalite } from '../fixtures/dynalite';

const { newClient } = useDynalite();
let tableCounter = 0;

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
