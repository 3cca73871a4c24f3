import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuditLog } from '../../src/adapters/audit/dynamodb-audit-log';
import { createTables } from '../../src/adapters/state/dynamodb-tables';
import { createDummyEntry } from '../contract/audit-log.contract';
import { useDynalite } from '../fixtures/dynalite';

const { newClient } = useDynalite();
let tableCounter = 0;

async function freshLog(options: { maxAttempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<{ client: DynamoDBClient; log: DynamoDbAuditLog }> {
  const client = newClient();
  const table = `warden-audit-edges-${++tableCounter}`;
  await createTables(client, { audit: table });
  return { client, log: new DynamoDbAuditLog({ client, table, ...options }) };
}

const conditionFailure = (): Error => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

describe('DynamoDB audit log edges', () => {
  afterEach(() => jest.restoreAllMocks());

  it('throws an error that is not a lost race at once, without retrying or sleeping', async () => {
    const sleeps: number[] = [];
    const { client, log } = await freshLog({ sleep: async (ms) => void sleeps.push(ms) });
    const puts = jest.spyOn(client, 'send');
    // Over DynamoDB's 400 KB item limit: the put is refused for what it is, not for a taken seq.
    await expect(log.append(createDummyEntry({ after: { blob: 'x'.repeat(420_000) } }))).rejects.toThrow(/size/i);
    expect(puts.mock.calls.filter(([command]) => command instanceof PutItemCommand)).toHaveLength(1);
    expect(sleeps).toStrictEqual([]);
    // The failed append took no seq.
    expect((await log.append(createDummyEntry())).seq).toBe(1);
    client.destroy();
  });

  it('backs off after every fresh read but not after a stale cached head, and keeps the last refusal as the cause', async () => {
    const sleeps: number[] = [];
    const { client, log } = await freshLog({ maxAttempts: 4, sleep: async (ms) => void sleeps.push(ms) });
    await log.append(createDummyEntry());
    const send = client.send.bind(client);
    const refusals: Error[] = [];
    jest.spyOn(client, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof PutItemCommand) {
        const error = conditionFailure();
        refusals.push(error);
        return Promise.reject(error);
      }
      return send(command as never);
    }) as never);
    const failure = await log.append(createDummyEntry()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('audit append gave up after 4 attempts: other writers kept taking seq 2 and later');
    expect((failure as Error).cause).toBe(refusals[3]);
    // Attempt 1 used the cached head (no sleep); attempts 2 and 3 read the head fresh and backed off; attempt 4 gave up.
    expect(sleeps).toHaveLength(2);
    client.destroy();
  });

  it('answers a blank person, a blank run or a blank user name with nothing, without querying an index by an empty key', async () => {
    const { client, log } = await freshLog();
    await log.append(createDummyEntry({ runId: '', person: 'bob@example.com (E1)', target: 'bob' }));
    await log.append(createDummyEntry({ runId: 'run-1', person: 'ann@example.com', target: 'ann' }));
    const queries = jest.spyOn(client, 'send');
    expect(await log.query({ person: '   ' })).toStrictEqual([]);
    expect(await log.query({ runId: '' })).toStrictEqual([]);
    expect(await log.query({ userName: '' })).toStrictEqual([]);
    expect(queries).not.toHaveBeenCalled();
    client.destroy();
  });

  it('stores an entry with an empty run id (GSI keys may not be empty) and still finds it by person and verifies it', async () => {
    const { client, log } = await freshLog();
    const entry = await log.append(createDummyEntry({ runId: '', person: 'bob@example.com (E1)' }));
    expect(entry.runId).toBe('');
    expect((await log.query({ person: 'bob@example.com' })).map((e) => e.seq)).toStrictEqual([1]);
    expect(await log.query({ runId: 'run-1' })).toStrictEqual([]);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 1 });
    client.destroy();
  });

  it('reads a chain larger than one DynamoDB page (1 MB) to the end, for verify and for queries', async () => {
    const { client, log } = await freshLog();
    const big = 'x'.repeat(150_000);
    for (let i = 0; i < 9; i += 1) await log.append(createDummyEntry({ action: `step-${i + 1}`, reason: big }));
    const pages = jest.spyOn(client, 'send');
    expect(await log.verify()).toMatchObject({ ok: true, entries: 9 });
    expect(pages.mock.calls.filter(([command]) => command instanceof QueryCommand).length).toBeGreaterThan(1);
    expect((await log.query({ since: new Date(0) })).map((e) => e.action)).toStrictEqual(Array.from({ length: 9 }, (_, i) => `step-${i + 1}`));
    client.destroy();
  }, 30_000);
});
