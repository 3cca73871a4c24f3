import { SSMClient } from '@aws-sdk/client-ssm';
import { ParameterStore } from '../../src/adapters/aws/parameters';
import { ParameterMissingError } from '../../src/errors';
import type { RunningSandbox } from '../../src/sandbox/server';
import { createTestClock, startExampleSandbox } from '../sandbox/helpers';
import { parameterStoreService, type FakeParameter } from '../lambda/helpers';

const parameters = new Map<string, FakeParameter>();
let sandbox: RunningSandbox;
let client: SSMClient;

beforeAll(async () => {
  sandbox = await startExampleSandbox({ extraServices: [parameterStoreService(parameters)] });
  client = new SSMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await sandbox.close();
});

beforeEach(() => {
  parameters.clear();
  parameters.set('/warden/test/slack/bot-token', { value: 'xoxb-1-2-abc', type: 'SecureString' });
  parameters.set('/warden/test/slack/signing-secret', { value: 'f00dfeed', type: 'SecureString' });
  parameters.set('/warden/test/config', { value: 'timezone: UTC\n' });
});

const calls = (action: string): number => sandbox.calls.count(`ssm:${action}`);

describe('ParameterStore', () => {
  it('reads a SecureString decrypted', async () => {
    const store = new ParameterStore({ client });
    await expect(store.get('/warden/test/slack/bot-token')).resolves.toBe('xoxb-1-2-abc');
  });

  it('asks Parameter Store once per TTL, and again once it has passed', async () => {
    const clock = createTestClock();
    const store = new ParameterStore({ client, clock, ttlMs: 60_000 });
    const before = calls('GetParameter');
    await store.get('/warden/test/config');
    parameters.set('/warden/test/config', { value: 'timezone: Europe/Berlin\n' });
    clock.advance(59_000);
    await expect(store.get('/warden/test/config')).resolves.toBe('timezone: UTC\n');
    expect(calls('GetParameter') - before).toBe(1);
    clock.advance(2_000);
    await expect(store.get('/warden/test/config')).resolves.toBe('timezone: Europe/Berlin\n');
    expect(calls('GetParameter') - before).toBe(2);
  });

  it('shares one call between concurrent reads of one name', async () => {
    const store = new ParameterStore({ client });
    const before = calls('GetParameter');
    const values = await Promise.all(Array.from({ length: 5 }, () => store.get('/warden/test/slack/signing-secret')));
    expect(new Set(values)).toEqual(new Set(['f00dfeed']));
    expect(calls('GetParameter') - before).toBe(1);
  });

  it('reads many names ten a call and serves cached ones from memory', async () => {
    for (let i = 0; i < 12; i++) parameters.set(`/warden/test/p${i}`, { value: `v${i}` });
    const store = new ParameterStore({ client });
    await store.get('/warden/test/p0');
    const before = calls('GetParameters');
    const names = Array.from({ length: 12 }, (_, i) => `/warden/test/p${i}`);
    const values = await store.getMany(names);
    expect([...values.keys()].sort()).toEqual([...names].sort());
    expect(values.get('/warden/test/p11')).toBe('v11');
    expect(calls('GetParameters') - before).toBe(2);
  });

  it('names every missing parameter, and never the values', async () => {
    const store = new ParameterStore({ client });
    const error = await store.getMany(['/warden/test/slack/bot-token', '/warden/test/nope', '/warden/test/gone']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParameterMissingError);
    expect((error as ParameterMissingError).names).toEqual(['/warden/test/nope', '/warden/test/gone']);
    expect((error as Error).message).not.toContain('xoxb');
    await expect(store.get('/warden/test/missing')).rejects.toThrow('SSM parameter not found: /warden/test/missing');
  });
});
