import { ListUsersCommand } from '@aws-sdk/client-iam';
import { createIamClient, DEFAULT_IAM_MAX_ATTEMPTS } from '../../../src/adapters/aws/iam/client';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox } from '../../../src/sandbox/server';

describe('createIamClient', () => {
  it('retries adaptively with a bounded number of attempts', async () => {
    const client = createIamClient({ region: 'eu-west-1' });

    const strategy = (await client.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
    await expect(client.config.maxAttempts()).resolves.toBe(DEFAULT_IAM_MAX_ATTEMPTS);
    await expect(client.config.region()).resolves.toBe('eu-west-1');
    client.destroy();
  });

  it("paces every attempt and tells the pacer of IAM's throttles", async () => {
    const state = IamSandboxState.fromSeed({ accounts: [{ id: '111111111111' }] });
    const sandbox = await startSandbox({ state, throttle: { ratePerSecond: 1, burst: 2 } });
    const told: unknown[] = [];
    let turns = 0;
    const pacer = {
      getSendToken: async () => {
        turns += 1;
      },
      updateClientSendingRate: (response: unknown) => told.push(response),
    };
    const client = createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPACER', secretAccessKey: 's' }, maxAttempts: 1, pacer });
    try {
      const answers = await Promise.allSettled([1, 2, 3].map(() => client.send(new ListUsersCommand({}))));

      // A bucket of 2: the third call is throttled, and with one attempt it fails.
      expect(answers.map((a) => a.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(turns).toBe(3);
      expect(told.filter((r) => (r as { errorType?: string }).errorType === 'THROTTLING')).toHaveLength(1);
    } finally {
      client.destroy();
      await sandbox.close();
    }
  });

  it('passes through the endpoint, credentials and attempts it is given', async () => {
    const client = createIamClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 3,
    });

    await expect(client.config.maxAttempts()).resolves.toBe(3);
    expect(client.config.isCustomEndpoint).toBe(true);
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4566);
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIAEXAMPLE' });
    client.destroy();
  });

  it('leaves the endpoint to the SDK configuration chain when none is given', () => {
    const client = createIamClient({ region: 'us-east-1' });

    expect(client.config.endpoint).toBeUndefined();
    expect(client.config.isCustomEndpoint).toBe(false);
    client.destroy();
  });
});
