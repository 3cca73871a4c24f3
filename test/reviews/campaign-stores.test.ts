import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDummyCampaign, createDummyPacket } from './builders';
import { DynamoDbCampaignStore } from '../../src/adapters/reviews/dynamodb-campaign-store';
import { MemoryCampaignStore } from '../../src/adapters/reviews/memory-campaign-store';
import { SqliteCampaignStore } from '../../src/adapters/reviews/sqlite-campaign-store';
import { runStateTableDefinition } from '../../src/adapters/state/dynamodb-tables';
import { campaignStoreContract } from '../contract/campaign-store.contract';
import { useDynalite } from '../fixtures/dynalite';

campaignStoreContract('memory', async () => {
  const store = new MemoryCampaignStore();
  return { store, openSecond: async () => store, cleanup: async () => undefined };
});

campaignStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-reviews-'));
  const path = join(dir, 'warden.db');
  const opened: SqliteCampaignStore[] = [SqliteCampaignStore.open(path)];
  return {
    store: opened[0] as SqliteCampaignStore,
    openSecond: async () => {
      const second = SqliteCampaignStore.open(path);
      opened.push(second);
      return second;
    },
    cleanup: async () => {
      for (const store of opened) store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const { newClient } = useDynalite();
let tables = 0;

campaignStoreContract('dynamodb (dynalite)', async () => {
  const clients: DynamoDBClient[] = [newClient()];
  const table = `warden-state-${++tables}`;
  await clients[0]?.send(new CreateTableCommand(runStateTableDefinition(table)));
  return {
    store: new DynamoDbCampaignStore({ client: clients[0] as DynamoDBClient, table }),
    openSecond: async () => {
      const client = newClient();
      clients.push(client);
      return new DynamoDbCampaignStore({ client, table, maxAttempts: 20 });
    },
    cleanup: async () => {
      for (const client of clients) client.destroy();
    },
  };
});

describe('DynamoDB campaign creation after a creator died half-way', () => {
  it('refuses while the dead creator\'s claim is young, and takes over once it has lapsed', async () => {
    const client = newClient();
    const table = `warden-state-${++tables}`;
    await client.send(new CreateTableCommand(runStateTableDefinition(table)));
    const store = new DynamoDbCampaignStore({ client, table });
    // The first creator claimed the id, wrote a packet, and died before the campaign item (its commit).
    const crashed = createDummyCampaign({ id: 'rev-sched-20270701T0900Z', startedAt: new Date('2027-07-01T09:00:00Z') });
    await client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'review-claim' }, sk: { S: crashed.id }, claimedBy: { S: 'system' }, leaseEndsMs: { N: String(crashed.startedAt.getTime() + 900_000) } } }),
    );
    expect(await store.create({ ...crashed, startedAt: new Date('2027-07-01T09:10:00Z') }, [createDummyPacket(crashed)])).toBe(false);
    expect(await store.getCampaign(crashed.id)).toBeUndefined();
    expect(await store.create({ ...crashed, startedAt: new Date('2027-07-01T10:00:00Z') }, [createDummyPacket(crashed)])).toBe(true);
    expect((await store.getCampaign(crashed.id))?.startedAt).toEqual(new Date('2027-07-01T10:00:00Z'));
    client.destroy();
  });
});
