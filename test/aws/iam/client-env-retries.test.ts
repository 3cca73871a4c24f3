import { AccountClients } from '../../../src/adapters/aws/accounts';
import { maxAttemptsFromEnv } from '../../../src/adapters/aws/iam/client';
import { STSClient } from '@aws-sdk/client-sts';

/** SPEC "AWS access": the SDK's standard configuration chain is honoured, AWS_MAX_ATTEMPTS included. */
describe('AWS_MAX_ATTEMPTS for IAM clients', () => {
  it('reads a whole number of attempts', () => {
    expect(maxAttemptsFromEnv({ AWS_MAX_ATTEMPTS: '1' })).toBe(1);
    expect(maxAttemptsFromEnv({ AWS_MAX_ATTEMPTS: ' 12 ' })).toBe(12);
  });

  it('ignores what is unset or not a usable number, leaving the default', () => {
    for (const value of [undefined, '', '0', '-1', '1.5', 'three', '1e3', '10000']) {
      expect(maxAttemptsFromEnv({ AWS_MAX_ATTEMPTS: value })).toBeUndefined();
    }
    expect(maxAttemptsFromEnv({})).toBeUndefined();
  });

  it('reaches the IAM clients the composition root builds', async () => {
    const sts = new STSClient({ region: 'eu-west-1' });
    const clients = new AccountClients({ sts, iam: { region: 'eu-west-1', maxAttempts: maxAttemptsFromEnv({ AWS_MAX_ATTEMPTS: '1' }) ?? 99 } });
    await expect(clients.iamFor({ kind: 'ambient' }).config.maxAttempts()).resolves.toBe(1);
    clients.destroy();
    sts.destroy();
  });
});
