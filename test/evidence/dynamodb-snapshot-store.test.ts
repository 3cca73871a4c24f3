import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSnapshotStore, keyInScope } from '../../src/adapters/evidence/dynamodb-snapshot-store';
import { SnapshotLockTimeout } from '../../src/errors';
import { MemorySnapshotStore } from '../../src/adapters/evidence/memory-snapshot-store';
import { recordKey } from '../../src/domain/evidence/access-records';
import type { AccessRecord } from '../../src/domain/evidence/access-records';
import type { NewSnapshot } from '../../src/domain/evidence/snapshot';
import type { SnapshotStore } from '../../src/ports/evidence';
import { createSnapshotsTable, startDynalite } from '../lambda/helpers';
import { createDummyIamRecord, icBob, icInstance, runSnapshotStoreContract } from './snapshot-store.contract';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let tableCounter = 0;
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await dynamo.close();
});

/** One client per "process", like a second Lambda container. */
const newClient = (): DynamoDBClient => {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};

async function freshTable(): Promise<{ client: DynamoDBClient; table: string }> {
  const client = newClient();
  const table = `warden-snapshots-${++tableCounter}`;
  await createSnapshotsTable(client, table);
  return { client, table };
}

const countRecords = async (client: DynamoDBClient, table: string): Promise<number> => {
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'snapshot-record' } },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  return out.Count ?? 0;
};

runSnapshotStoreContract('dynamodb (dynalite)', async () => {
  const { client, table } = await freshTable();
  return {
    store: new DynamoDbSnapshotStore({ client, table }),
    storedRecords: () => countRecords(client, table),
    openSecond: async () => new DynamoDbSnapshotStore({ client: newClient(), table }),
    cleanup: async () => undefined,
  };
});

const PROD = '111111111111';
const DEV = '222222222222';
const user = (account: string, name: string, overrides: Partial<Extract<AccessRecord, { kind: 'iam-user' }>> = {}): AccessRecord =>
  createDummyIamRecord({ account, userName: name, person: { employeeId: `E-${name}`, email: `${name}@example.com` }, ...overrides });
const revoked = (account: string, name: string): AccessRecord => user(account, name, { denyAll: true, paths: [{ kind: 'inline-policy', name: 'warden-deny-all' }] });
const host = (locked: boolean): AccessRecord => ({
  kind: 'host-user',
  account: PROD,
  instanceId: 'i-0abc',
  osUser: 'bob',
  person: { employeeId: 'E-bob', email: 'bob@example.com' },
  locked,
  paths: [{ kind: 'host-key', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', comment: 'bob@laptop' }],
});
const snap = (n: number, records: readonly AccessRecord[], at = `2026-11-2${n}T10:00:00.000Z`): NewSnapshot => ({ runId: `run-${n}`, at, records });
const keys = (records: readonly AccessRecord[] | undefined): string[] => (records ?? []).map(recordKey).sort();

/** Everything a reader can see, for comparing two stores that should hold the same history. */
async function observe(store: SnapshotStore): Promise<unknown> {
  const latest = await store.latest();
  const times = ['2026-11-21T12:00:00Z', '2026-11-22T12:00:00Z', '2026-11-23T12:00:00Z'];
  return {
    latest: latest === undefined ? undefined : { runId: latest.header.runId, keys: keys(latest.records), records: latest.records },
    at: await Promise.all(times.map(async (t) => keys((await store.inForceAt(new Date(t)))?.records))),
    list: (await store.list()).map((h) => [h.seq, h.runId, h.recordCount]),
    bob: (await store.personHistory('bob@example.com')).map((s) => [s.key, s.fromSeq, s.toSeq, s.firstSeen, s.lastSeen, s.goneBy, s.record]),
  };
}

describe('DynamoDbSnapshotStore', () => {
  it('maps record keys to scopes the way the domain writes them', () => {
    const scope = { accounts: [PROD], hosts: false };
    expect(keyInScope(recordKey(user(PROD, 'alice')), scope)).toBe(true);
    expect(keyInScope(recordKey(user(DEV, 'alice')), scope)).toBe(false);
    expect(keyInScope(recordKey(host(false)), scope)).toBe(false);
    expect(keyInScope(recordKey(host(false)), { accounts: [], hosts: true })).toBe(true);
  });

  const diesAtBatch =
    (allowed: number) =>
    (command: unknown, batches: number): boolean =>
      command instanceof BatchWriteItemCommand && batches > allowed;
  const diesAtCommit = (command: unknown): boolean => command instanceof PutItemCommand && command.input.Item?.['pk']?.S === 'snapshot-run';

  it.each([
    ['before its closed markers', diesAtBatch(0)],
    ['after its closed markers', diesAtBatch(1)],
    ['after moving the open set', diesAtBatch(2)],
    ['after writing its new spans, at the commit', diesAtCommit],
  ])('rolls back a save that died %s, and the next save ends as if it never ran', async (_, dies) => {
    const { client, table } = await freshTable();
    const store = new DynamoDbSnapshotStore({ client, table });
    const reference = new MemorySnapshotStore();
    const first = snap(1, [user(PROD, 'alice'), user(PROD, 'bob'), host(false)]);
    await store.save(first);
    await reference.save(first);
    const before = await observe(store);

    // A second container that dies mid-save, its first `allowed` batch writes done.
    const dying = newClient();
    const send = dying.send.bind(dying);
    let batches = 0;
    jest.spyOn(dying, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof BatchWriteItemCommand) batches += 1;
      if (dies(command, batches)) return Promise.reject(new Error('container froze'));
      return send(command as never);
    }) as never);
    await expect(new DynamoDbSnapshotStore({ client: dying, table }).save(snap(2, [user(PROD, 'alice'), revoked(PROD, 'bob'), user(PROD, 'carol')]))).rejects.toThrow(
      'container froze',
    );
    expect(await observe(store)).toEqual(before);

    const third = snap(3, [user(PROD, 'alice'), revoked(PROD, 'bob'), host(true)]);
    const saved = await store.save(third);
    await reference.save(third);
    expect(saved.header.seq).toBe(2);
    expect(await observe(store)).toEqual(await observe(reference));
  });

  it('finds a snapshot committed by a writer that died before indexing it, and indexes it at the next save', async () => {
    const { client, table } = await freshTable();
    const store = new DynamoDbSnapshotStore({ client, table });
    await store.save(snap(1, [user(PROD, 'alice')]));
    const dying = newClient();
    const send = dying.send.bind(dying);
    let batches = 0;
    jest.spyOn(dying, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof BatchWriteItemCommand && ++batches > 3) return Promise.reject(new Error('container froze'));
      return send(command as never);
    }) as never);
    await expect(new DynamoDbSnapshotStore({ client: dying, table }).save(snap(2, [user(PROD, 'bob')]))).rejects.toThrow('container froze');

    expect((await store.latest())?.header.runId).toBe('run-2');
    expect(keys((await store.inForceAt(new Date('2026-11-22T12:00:00Z')))?.records)).toEqual(['iam/111111111111/bob']);
    await store.save(snap(3, [user(PROD, 'bob')]));
    // Saving run-2 again is recognised (its run id was indexed by the save after it).
    expect((await store.save(snap(2, [user(PROD, 'carol')]))).alreadySaved).toBe(true);
    expect(keys((await store.inForceAt(new Date('2026-11-22T12:00:00Z')))?.records)).toEqual(['iam/111111111111/bob']);
  });

  it('lets a run that read one account replace only that account, carrying the rest over', async () => {
    const { client, table } = await freshTable();
    const store = new DynamoDbSnapshotStore({ client, table });
    await store.save(snap(1, [user(PROD, 'alice'), user(PROD, 'bob'), user(DEV, 'bob'), host(false)]));

    // A stale DEV record (carried from an older read) and a host record in PROD's run are not PROD's to change.
    const prod = await store.saveScoped(snap(2, [user(PROD, 'alice'), revoked(PROD, 'bob'), revoked(DEV, 'bob'), host(true)]), { accounts: [PROD], hosts: false });
    expect([prod.opened, prod.closed, prod.unchanged]).toEqual([1, 1, 3]);
    const latest = await store.latest();
    expect(latest?.records).toEqual(expect.arrayContaining([user(PROD, 'alice'), revoked(PROD, 'bob'), user(DEV, 'bob'), host(false)]));
    expect(latest?.records).toHaveLength(4);

    // DEV's run read its inventory before PROD's was saved: dated at the newest snapshot instead of refused.
    const dev = await store.saveScoped(snap(3, [revoked(DEV, 'bob')], '2026-11-22T09:00:00.000Z'), { accounts: [DEV], hosts: false });
    expect(dev.header.at).toBe('2026-11-22T10:00:00.000Z');
    expect(keys((await store.latest())?.records)).toEqual(['host/i-0abc/bob', 'iam/111111111111/alice', 'iam/111111111111/bob', 'iam/222222222222/bob']);
    await expect(store.save(snap(4, [], '2026-11-21T00:00:00.000Z'))).rejects.toThrow(/older than the latest/);

    const view = store.scopedTo(() => ({ accounts: [DEV], hosts: false }));
    expect((await view.latest())?.records).toEqual([revoked(DEV, 'bob')]);
    expect((await view.inForceAt(new Date('2026-11-21T12:00:00Z')))?.records).toEqual([user(DEV, 'bob')]);
    expect((await view.list()).map((h) => h.seq)).toEqual([1, 2, 3]);
  });

  it('replaces Identity Center records only in a run that read Identity Center (the fanned-out run that does)', async () => {
    const { client, table } = await freshTable();
    const store = new DynamoDbSnapshotStore({ client, table });
    await store.save(snap(1, [user(PROD, 'bob'), icInstance, icBob(false)]));
    // An account's run knows nothing of Identity Center: it carries the records over.
    await store.saveScoped(snap(2, [revoked(PROD, 'bob')]), { accounts: [PROD], hosts: false });
    expect((await store.latest())?.records).toEqual(expect.arrayContaining([revoked(PROD, 'bob'), icInstance, icBob(false)]));
    await store.saveScoped(snap(3, [icInstance, icBob(true)]), { accounts: [], hosts: true, identityCenter: true });
    const latest = await store.latest();
    expect(latest?.records).toEqual(expect.arrayContaining([revoked(PROD, 'bob'), icInstance, icBob(true)]));
    expect(latest?.records).toHaveLength(3);
  });

  it("reads only the saved scope's open spans, so a save costs one account, not the whole organization", async () => {
    const { client, table } = await freshTable();
    const store = new DynamoDbSnapshotStore({ client, table });
    await store.save(snap(1, [user(PROD, 'alice'), user(DEV, 'alice'), host(false)]));
    const partitions: string[] = [];
    const send = client.send.bind(client);
    jest.spyOn(client, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof QueryCommand) partitions.push(String(command.input.ExpressionAttributeValues?.[':pk']?.S));
      return send(command as never);
    }) as never);
    await store.scopedTo(() => ({ accounts: [DEV], hosts: false })).save(snap(2, [revoked(DEV, 'alice')]));
    jest.restoreAllMocks();
    expect(partitions.filter((pk) => pk.startsWith('snapshot-open'))).toEqual(['snapshot-open#iam/222222222222']);
    expect(keys((await store.latest())?.records)).toEqual(['host/i-0abc/bob', 'iam/111111111111/alice', 'iam/222222222222/alice']);
  });

  it('serializes saves from many containers at once into one gapless series holding every account', async () => {
    const { table } = await freshTable();
    const accounts = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555', '666666666666'];
    const stores = [0, 1, 2].map(() => new DynamoDbSnapshotStore({ client: newClient(), table, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))) }));
    await Promise.all(
      accounts.map((account, i) =>
        (stores[i % stores.length] as DynamoDbSnapshotStore).saveScoped(
          { runId: `run-${account}`, at: '2026-11-26T12:00:00.000Z', records: [user(account, 'alice'), user(account, 'bob')] },
          { accounts: [account], hosts: false },
        ),
      ),
    );
    const reader = new DynamoDbSnapshotStore({ client: newClient(), table });
    expect((await reader.list()).map((h) => h.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await reader.list()).map((h) => h.recordCount)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(new Set((await reader.latest())?.records.map((r) => r.account))).toEqual(new Set(accounts));
  });

  it('waits for a dead writer’s lock to expire, and gives up when it outlasts the wait', async () => {
    const { client, table } = await freshTable();
    let now = 1_000_000;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'snapshot-lock' }, sk: { S: 'save' }, owner: { S: 'dead' }, expiresMs: { N: String(now + 30_000) } } }));

    const impatient = new DynamoDbSnapshotStore({ client, table, lockWaitMs: 10_000, ...clock });
    await expect(impatient.save(snap(1, [user(PROD, 'alice')]))).rejects.toThrow(SnapshotLockTimeout);
    const patient = new DynamoDbSnapshotStore({ client, table, lockWaitMs: 60_000, ...clock });
    await expect(patient.save(snap(1, [user(PROD, 'alice')]))).resolves.toMatchObject({ header: { seq: 1 } });
    expect(now).toBeGreaterThanOrEqual(1_030_000);
    // Released after the save: the next one does not wait.
    const at = now;
    await patient.save(snap(2, [user(PROD, 'alice')]));
    expect(now).toBe(at);
  });
});
