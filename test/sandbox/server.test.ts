import { DeleteAccessKeyCommand, GetUserCommand, ListUsersCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { FaultPlan } from '../../src/sandbox/faults';
import type { RunningSandbox } from '../../src/sandbox/server';
import { errorReply, jsonReply, jsonService } from '../../src/sandbox/service';
import { DEV, DEV_KEY, iamClient, PROD, PROD_KEY, sdkError, startExampleSandbox, stsClient } from './helpers';

const SIGNED = (service: string, key = PROD_KEY) =>
  `AWS4-HMAC-SHA256 Credential=${key}/20261126/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;

async function post(sandbox: RunningSandbox, body: string, headers: Record<string, string>) {
  const response = await fetch(sandbox.url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('sandbox server', () => {
  let sandbox: RunningSandbox;

  afterEach(async () => {
    await sandbox.close();
  });

  describe('wire format', () => {
    beforeEach(async () => {
      sandbox = await startExampleSandbox();
    });

    it('answers awsQuery with <XResponse><XResult> in the IAM namespace and a RequestId', async () => {
      const { status, text, headers } = await post(sandbox, 'Action=GetUser&Version=2010-05-08&UserName=carol', { authorization: SIGNED('iam', DEV_KEY) });
      expect(status).toBe(200);
      expect(text).toMatch(/^<GetUserResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><GetUserResult><User>/);
      expect(text).toContain('<UserName>carol</UserName>');
      expect(text).toContain('<CreateDate>2023-03-03T03:03:03Z</CreateDate>');
      expect(text).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetUserResponse>$/);
      expect(headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('writes AWS XML error bodies with the right HTTP status', async () => {
      const missing = await post(sandbox, 'Action=GetUser&Version=2010-05-08&UserName=nobody', { authorization: SIGNED('iam') });
      expect(missing.status).toBe(404);
      expect(missing.text).toMatch(
        /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The user with name nobody cannot be found\.<\/Message><\/Error><RequestId>/,
      );
      const unknown = await post(sandbox, 'Action=CreateUser&Version=2010-05-08&UserName=x', { authorization: SIGNED('iam') });
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain('<Code>InvalidAction</Code>');
      const invalid = await post(sandbox, 'Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIABOB0000000000001&Status=Disabled', { authorization: SIGNED('iam') });
      expect(invalid.status).toBe(400);
      expect(invalid.text).toContain('<Code>ValidationError</Code>');
    });

    it('rejects a request without an Authorization header', async () => {
      const { status, text } = await post(sandbox, 'Action=ListUsers&Version=2010-05-08', {});
      expect(status).toBe(403);
      expect(text).toContain('<Code>MissingAuthenticationToken</Code>');
      expect(sandbox.calls.count()).toBe(0);
    });

    it('counts calls by action and service, and resets', async () => {
      const iam = iamClient(sandbox);
      await iam.send(new ListUsersCommand({}));
      await iam.send(new GetUserCommand({ UserName: 'alice' }));
      await sdkError(iam.send(new GetUserCommand({ UserName: 'nobody' })));
      await stsClient(sandbox).send(new GetCallerIdentityCommand({}));
      expect(sandbox.calls.byAction()).toEqual({ ListUsers: 1, GetUser: 2, GetCallerIdentity: 1 });
      expect(sandbox.calls.byService()).toEqual({ iam: 3, sts: 1 });
      expect(sandbox.calls.count('iam:GetUser')).toBe(2);
      expect(sandbox.calls.failures('GetUser', 'NoSuchEntity')).toBe(1);
      sandbox.calls.reset();
      expect(sandbox.calls.count()).toBe(0);
      iam.destroy();
    });
  });

  describe('accounts, callers and STS', () => {
    beforeEach(async () => {
      sandbox = await startExampleSandbox();
    });

    it('routes each request to the account of its access key, and unknown keys to the first account', async () => {
      const names = async (key: string) => {
        const client = iamClient(sandbox, key);
        const users = (await client.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName);
        client.destroy();
        return users;
      };
      expect(await names(DEV_KEY)).toEqual(['alice', 'carol']);
      expect(await names(PROD_KEY)).toEqual(['alice', 'bob', 'ci-deployer']);
      expect(await names('AKIAANYDUMMYKEY00000')).toEqual(['alice', 'bob', 'ci-deployer']);
      expect(sandbox.calls.entries().map((c) => c.account)).toEqual([DEV, PROD, PROD]);
    });

    it('GetCallerIdentity names the account and principal of the key', async () => {
      expect(await stsClient(sandbox, DEV_KEY).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: DEV, Arn: `arn:aws:iam::${DEV}:root` });
      const alice = await stsClient(sandbox, 'AKIAALICE00000000001').send(new GetCallerIdentityCommand({}));
      expect(alice).toMatchObject({ Account: PROD, Arn: `arn:aws:iam::${PROD}:user/alice`, UserId: sandbox.state.user(PROD, 'alice')?.userId });
    });

    it('AssumeRole returns credentials that act in the role account', async () => {
      const assumed = await stsClient(sandbox).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/warden-auditor`, RoleSessionName: 'warden-run' }));
      const creds = assumed.Credentials;
      expect(creds?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(creds?.Expiration?.getTime()).toBe(sandbox.state.now().getTime() + 3600_000);
      expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${DEV}:assumed-role/warden-auditor/warden-run`);

      const asRole = iamClient(sandbox, creds?.AccessKeyId ?? '', { sessionToken: creds?.SessionToken ?? '' });
      expect((await asRole.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toEqual(['alice', 'carol']);
      asRole.destroy();
      const who = await stsClient(sandbox, creds?.AccessKeyId ?? '', creds?.SessionToken ?? '').send(new GetCallerIdentityCommand({}));
      expect(who).toMatchObject({ Account: DEV, Arn: `arn:aws:sts::${DEV}:assumed-role/warden-auditor/warden-run` });
    });

    it('AssumeRole into an account outside the sandbox is AccessDenied', async () => {
      const denied = await sdkError(stsClient(sandbox).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/x', RoleSessionName: 'warden' })));
      expect(denied.name).toBe('AccessDenied');
      expect(denied.$metadata.httpStatusCode).toBe(403);
      expect(denied.message).toContain('sts:AssumeRole on resource: arn:aws:iam::999999999999:role/x');
    });

    it('a deactivated user key no longer authenticates', async () => {
      await iamClient(sandbox).send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive' }));
      const rejected = await sdkError(stsClient(sandbox, 'AKIAALICE00000000001').send(new GetCallerIdentityCommand({})));
      expect(rejected.name).toBe('InvalidClientTokenId');
    });
  });

  describe('throttling and faults', () => {
    it('throttles over the rate with HTTP 400 Throttling; the SDK backs off, retries and succeeds', async () => {
      sandbox = await startExampleSandbox({ throttle: { ratePerSecond: 20, burst: 2 } });
      const iam = iamClient(sandbox, PROD_KEY, { maxAttempts: 10 });
      const results = await Promise.all(Array.from({ length: 8 }, () => iam.send(new ListUsersCommand({}))));
      expect(results.every((r) => r.Users?.length === 3)).toBe(true);
      const throttled = sandbox.calls.failures('ListUsers', 'Throttling');
      expect(throttled).toBeGreaterThan(0);
      expect(sandbox.calls.count('ListUsers')).toBe(8 + throttled);
      expect(results.some((r) => (r.$metadata.attempts ?? 1) > 1)).toBe(true);
      expect(sandbox.calls.entries().find((c) => c.errorCode === 'Throttling')?.status).toBe(400);
      iam.destroy();
    });

    it('surfaces Throttling "Rate exceeded" when retries run out', async () => {
      sandbox = await startExampleSandbox({ throttle: { ratePerSecond: 0.01, burst: 1 } });
      const iam = iamClient(sandbox, PROD_KEY, { maxAttempts: 2 });
      await iam.send(new ListUsersCommand({}));
      const error = await sdkError(iam.send(new ListUsersCommand({})));
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata.attempts).toBe(2);
      iam.destroy();
    });

    it('injects the next N failures of an action: ServiceFailure is retried by the SDK, 409s are not', async () => {
      const faults = new FaultPlan().fail('DeleteAccessKey', 'ServiceFailure', { times: 2 }).fail('UpdateAccessKey', 'ConcurrentModification');
      sandbox = await startExampleSandbox({ faults });
      const iam = iamClient(sandbox);
      const deleted = await iam.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002' }));
      expect(deleted.$metadata.attempts).toBe(3);
      expect(sandbox.calls.count('DeleteAccessKey')).toBe(3);
      expect(sandbox.state.user(PROD, 'bob')?.accessKeys.map((k) => k.id)).toEqual(['AKIABOB0000000000001']);

      const conflict = await sdkError(iam.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000001', Status: 'Inactive' })));
      expect(conflict.name).toBe('ConcurrentModificationException');
      expect(conflict.$metadata.httpStatusCode).toBe(409);
      expect(sandbox.state.user(PROD, 'bob')?.accessKeys[0]?.status).toBe('Active');

      sandbox.faults.fail('UpdateAccessKey', 'EntityTemporarilyUnmodifiable', { account: DEV });
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000001', Status: 'Inactive' }));
      expect(sandbox.faults.pending()).toBe(1);
      const dev = iamClient(sandbox, DEV_KEY);
      const unmodifiable = await sdkError(dev.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'x'.repeat(16), Status: 'Inactive' })));
      expect(unmodifiable.name).toBe('EntityTemporarilyUnmodifiableException');
      expect(sandbox.faults.pending()).toBe(0);
      iam.destroy();
      dev.destroy();
    });
  });

  describe('extra services', () => {
    it('serves a registered JSON 1.1 service routed by signing name and X-Amz-Target, with its own throttling and errors', async () => {
      sandbox = await startExampleSandbox();
      sandbox.registerService(
        jsonService({
          name: 'ssm',
          targetPrefix: 'AmazonSSM',
          actions: {
            DescribeInstanceInformation: (call) =>
              call.account === PROD ? jsonReply({ InstanceInformationList: [{ InstanceId: 'i-0123456789abcdef0', PingStatus: 'Online' }] }) : errorReply('InvalidInstanceId', 'none here'),
          },
        }),
      );
      const ssm = new SSMClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials: { accessKeyId: PROD_KEY, secretAccessKey: 'x' } });
      const info = await ssm.send(new DescribeInstanceInformationCommand({}));
      expect(info.InstanceInformationList).toEqual([{ InstanceId: 'i-0123456789abcdef0', PingStatus: 'Online' }]);

      sandbox.faults.fail('DescribeInstanceInformation', 'InternalServerError', { service: 'ssm', status: 500 });
      const retried = await ssm.send(new DescribeInstanceInformationCommand({}));
      expect(retried.$metadata.attempts).toBe(2);

      const dev = new SSMClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials: { accessKeyId: DEV_KEY, secretAccessKey: 'x' } });
      const error = await sdkError(dev.send(new DescribeInstanceInformationCommand({})));
      expect(error.name).toBe('InvalidInstanceId');
      expect(sandbox.calls.byService()).toEqual({ ssm: 4 });
      ssm.destroy();
      dev.destroy();
    });
  });
});
