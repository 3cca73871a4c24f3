import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
