import { createIamClient, DEFAULT_IAM_MAX_ATTEMPTS } from '../../../src/adapters/aws/iam/client';

describe('createIamClient', () => {
  it('uses adaptive retries with a bounded number of attempts', async () => {
    const client = createIamClient({ region: 'eu-west-1' });

    expect(client.config.retryMode).toBe('adaptive');
    await expect(client.config.maxAttempts()).resolves.toBe(DEFAULT_IAM_MAX_ATTEMPTS);
    await expect(client.config.region()).resolves.toBe('eu-west-1');
    client.destroy();
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
