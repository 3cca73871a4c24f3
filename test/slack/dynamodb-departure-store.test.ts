import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbDepartureStore, departuresTableDefinition } from '../../src/adapters/departures/dynamodb-departure-store';
import { createDummyDeparture, departureStoreContract } from '../contract/departure-store.contract';
import { useDynalite } from '../fixtures/dynalite';

const { newClient } = useDynalite();
let tableCounter = 0;

async function freshTable(): Promise<{ table: string; clients: DynamoDBClient[] }> {
  const client = newClient();
  const table = `warden-departures-${++tableCounter}`;
  await client.send(new CreateTableCommand(departuresTableDefinition(table)));
  return { table, clients: [client] };
}

departureStoreContract('dynamodb (dynalite)', async () => {
  const { table, clients } = await freshTable();
  return {
    store: new DynamoDbDepartureStore({ client: clients[0] as DynamoDBClient, table }),
    openSecond: async () => {
      const client = newClient();
      clients.push(client);
      return new DynamoDbDepartureStore({ client, table });
    },
    cleanup: async () => {
      for (const client of clients) client.destroy();
    },
  };
});

describe('DynamoDbDepartureStore compare-and-set', () => {
  it('re-judges a change that lost the race instead of overwriting it: every concurrent attempt is counted once', async () => {
    const { table, clients } = await freshTable();
    const stores = Array.from({ length: 5 }, () => {
      const client = newClient();
      clients.push(client);
      return new DynamoDbDepartureStore({ client, table, maxAttempts: 20 });
    });
    const departure = createDummyDeparture({ effectiveAt: new Date('2026-11-26T11:00:00Z') });
    await stores[0]?.add(departure);

    const results = await Promise.all(
      stores.map((store, i) =>
        store.recordAttempt(departure.id, { at: new Date(Date.UTC(2026, 10, 26, 12, i)), runId: `run-${i}`, outcome: 'partial', remaining: ['key'] }, departure.paths),
      ),
    );

    expect(results.every((r) => r.ok)).toBe(true);
    expect((await stores[1]?.get(departure.id))?.attempts).toBe(5);
    for (const client of clients) client.destroy();
  });

  it('lets exactly one of several racing approvers schedule a two-approver departure', async () => {
    const { table, clients } = await freshTable();
    const stores = ['U0HR2', 'U0HR3', 'U0HR4'].map(() => {
      const client = newClient();
      clients.push(client);
      return new DynamoDbDepartureStore({ client, table, maxAttempts: 20 });
    });
    const departure = createDummyDeparture({ status: 'awaiting-approval', requiredApprovals: 2 });
    await stores[0]?.add(departure);

    const results = await Promise.all(stores.map((store, i) => store.approve(departure.id, { by: `slack:U0HR${i + 2}`, at: new Date() })));

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason))).toEqual(['wrong-status', 'wrong-status']);
    const stored = await stores[2]?.get(departure.id);
    expect(stored?.status).toBe('scheduled');
    expect(stored?.approvals).toHaveLength(2);
    for (const client of clients) client.destroy();
  });
});
