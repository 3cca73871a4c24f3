import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CloudTrailSource } from '../../src/adapters/aws/cloudtrail';
import { openWardenDatabase } from '../../src/adapters/state/sqlite-database';
import { SqliteTrailCursorStore } from '../../src/adapters/state/trail-cursors';
import { pollTrail } from '../../src/app/trail/poll';
import type { TrailEvent } from '../../src/domain/trail';
import { CloudTrailLog, cloudTrailService } from '../../src/sandbox/cloudtrail';
import type { RunningSandbox } from '../../src/sandbox/server';
import { PROD, PROD_KEY, createTestClock, iamClient, startExampleSandbox } from '../sandbox/helpers';

const ALICE_KEY = 'AKIAALICE00000000001';

describe('polling CloudTrail (warden serve)', () => {
  const clock = createTestClock('2026-12-03T10:00:00Z');
  let sandbox: RunningSandbox;
  let client: CloudTrailClient;

  beforeEach(async () => {
    clock.set('2026-12-03T10:00:00Z');
    const trail = new CloudTrailLog();
    sandbox = await startExampleSandbox({ observers: [trail.observe], extraServices: [cloudTrailService(trail)] }, clock);
    client = new CloudTrailClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: PROD_KEY, secretAccessKey: 'x' } });
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
  });

  it('hands each write event over once, across polls and a restart, within 2 requests per second', async () => {
    const db = openWardenDatabase(':memory:');
    const handled: TrailEvent[] = [];
    const deps = () => ({
      sources: [new CloudTrailSource({ client, account: PROD })],
      cursors: new SqliteTrailCursorStore(db),
      clock,
      respond: async (events: readonly TrailEvent[]) => void handled.push(...events),
    });
    const asAlice = iamClient(sandbox, ALICE_KEY);
    await asAlice.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002', Status: 'Active' }));
    expect(await pollTrail(deps())).toEqual([{ account: PROD, fresh: 1, unreadable: 0, complete: true }]);
    clock.advance(60_000);
    await asAlice.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002', Status: 'Inactive' }));
    // A restart: new sources and a new store object over the same database.
    const second = deps();
    expect(await pollTrail(second)).toEqual([{ account: PROD, fresh: 1, unreadable: 0, complete: true }]);
    clock.advance(60_000);
    expect(await pollTrail(deps())).toEqual([{ account: PROD, fresh: 0, unreadable: 0, complete: true }]);
    expect(handled.map((e) => [e.eventName, e.parameters['status']])).toEqual([
      ['UpdateAccessKey', 'Active'],
      ['UpdateAccessKey', 'Inactive'],
    ]);
    // Reads (ListUsers and the like) never reach the handler: the lookup asks for writes only.
    expect(sandbox.calls.failures('LookupEvents', 'ThrottlingException')).toBe(0);
    asAlice.destroy();
    db.close();
  });

  it('a failed response leaves the cursor, so the next poll hands the same events over again', async () => {
    const db = openWardenDatabase(':memory:');
    const cursors = new SqliteTrailCursorStore(db);
    const asAlice = iamClient(sandbox, ALICE_KEY);
    await asAlice.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002', Status: 'Active' }));
    const source = new CloudTrailSource({ client, account: PROD });
    const failed = await pollTrail({ sources: [source], cursors, clock, respond: async () => Promise.reject(new Error('lock held')) });
    expect(failed[0]).toMatchObject({ error: 'lock held' });
    const handled: string[] = [];
    await pollTrail({ sources: [source], cursors, clock, respond: async (events) => void handled.push(...events.map((e) => e.eventName)) });
    expect(handled).toEqual(['UpdateAccessKey']);
    asAlice.destroy();
    db.close();
  });

  it('keeps to 2 LookupEvents per second per account however many pages there are', async () => {
    const asAlice = iamClient(sandbox, ALICE_KEY);
    for (let i = 0; i < 120; i++) await asAlice.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002', Status: i % 2 === 0 ? 'Active' : 'Inactive' }));
    const db = openWardenDatabase(':memory:');
    const handled: TrailEvent[] = [];
    const started = performance.now();
    await pollTrail({ sources: [new CloudTrailSource({ client, account: PROD })], cursors: new SqliteTrailCursorStore(db), clock, respond: async (events) => void handled.push(...events) });
    expect(handled).toHaveLength(120);
    expect(sandbox.calls.count('LookupEvents')).toBe(3);
    expect(sandbox.calls.failures('LookupEvents', 'ThrottlingException')).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    asAlice.destroy();
    db.close();
  });
});
