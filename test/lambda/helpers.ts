import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { errorReply, jsonReply, jsonService, type ServiceCall, type ServiceHandler } from '../../src/sandbox/service';
import type { RunningSandbox } from '../../src/sandbox/server';
import type { LambdaClients } from '../../src/lambda/container';
import { snapshotsTableDefinition } from '../../src/adapters/evidence/dynamodb-snapshot-store';
import type { HttpApiEvent, LambdaContextLike, ScheduledEvent } from '../../src/lambda/events';

/** A Parameter Store parameter in the fake. */
export interface FakeParameter {
  readonly value: string;
  readonly type?: 'String' | 'SecureString';
}

/**
 * SSM Parameter Store (GetParameter, GetParameters) over the sandbox's JSON wire protocol, so the real
 * SSMClient is exercised. A SecureString read without decryption returns ciphertext, like AWS.
 */
export function parameterStoreService(parameters: Map<string, FakeParameter>): ServiceHandler {
  const render = (name: string, p: FakeParameter, decrypt: boolean) => ({
    Name: name,
    Type: p.type ?? 'String',
    Value: p.type === 'SecureString' && !decrypt ? `AQICAHencrypted${Buffer.from(p.value).toString('base64')}` : p.value,
    Version: 1,
    DataType: 'text',
    ARN: `arn:aws:ssm:us-east-1:111111111111:parameter${name}`,
  });
  const input = (call: ServiceCall) => (call.input ?? {}) as { Name?: string; Names?: string[]; WithDecryption?: boolean };
  return jsonService({
    name: 'ssm',
    targetPrefix: 'AmazonSSM',
    actions: {
      GetParameter: (call) => {
        const { Name, WithDecryption } = input(call);
        const p = Name === undefined ? undefined : parameters.get(Name);
        if (Name === undefined || p === undefined) return errorReply('ParameterNotFound', '', 400);
        return jsonReply({ Parameter: render(Name, p, WithDecryption === true) });
      },
      GetParameters: (call) => {
        const { Names = [], WithDecryption } = input(call);
        if (Names.length > 10) return errorReply('ValidationException', 'Member must have length less than or equal to 10', 400);
        const found = Names.flatMap((n) => {
          const p = parameters.get(n);
          return p === undefined ? [] : [render(n, p, WithDecryption === true)];
        });
        return jsonReply({ Parameters: found, InvalidParameters: Names.filter((n) => !parameters.has(n)) });
      },
    },
  });
}

// dynalite has no type declarations; this is the part of its API the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, number>) => Server;

/** A local DynamoDB (dynalite) on a free loopback port. */
export async function startDynalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Creates the snapshots table (as serverless.yml's SnapshotsTable) and waits until it is active. */
export async function createSnapshotsTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand(snapshotsTableDefinition(name)));
  for (let i = 0; i < 200; i += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`table ${name} did not become active`);
}

const local = { region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' }, maxAttempts: 1 } as const;

/** The container's clients, pointed at the sandbox (SSM, STS, Organizations, S3) and dynalite. */
export function sandboxClients(sandbox: RunningSandbox, dynamoEndpoint: string): LambdaClients {
  return {
    dynamodb: new DynamoDBClient({ ...local, endpoint: dynamoEndpoint }),
    ssm: new SSMClient({ ...local, endpoint: sandbox.url }),
    sts: new STSClient({ ...local, endpoint: sandbox.url }),
    organizations: new OrganizationsClient({ ...local, endpoint: sandbox.url }),
    s3: new S3Client({ ...local, endpoint: sandbox.url, forcePathStyle: true }),
  };
}

export function destroyClients(clients: LambdaClients): void {
  clients.dynamodb.destroy();
  clients.ssm.destroy();
  clients.sts.destroy();
  clients.organizations.destroy();
  clients.s3.destroy();
  clients.hostSsm?.destroy();
}

/** The event an EventBridge schedule rule sends its Lambda target (as documented by AWS). */
export function createDummyScheduledEvent(overrides: Partial<ScheduledEvent> = {}): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '111111111111',
    time: '2026-11-26T12:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:111111111111:rule/access-warden-prod-ReconcileEventsRuleSchedule1-ABC123'],
    detail: {},
    ...overrides,
  };
}

/** An API Gateway HTTP API (payload 2.0) event for a Slack slash command, as API Gateway delivers it. */
export function createDummyHttpEvent(overrides: Partial<HttpApiEvent> = {}): HttpApiEvent {
  const body = 'token=x&team_id=T0001&command=%2Foffboard&text=&user_id=U0HR1&trigger_id=1337.42.abcd';
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: {
      accept: 'application/json,*/*',
      'content-length': String(body.length),
      'content-type': 'application/x-www-form-urlencoded',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': '1795694400',
      'x-slack-signature': 'v0=0000000000000000000000000000000000000000000000000000000000000000',
      'x-forwarded-for': '54.209.0.1',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '111111111111',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '54.209.0.1', userAgent: 'Slackbot 1.0' },
      requestId: 'Jx1qKgTZoAMEVOw=',
      routeKey: 'POST /slack/events',
      stage: '$default',
      time: '26/Nov/2026:12:00:00 +0000',
      timeEpoch: 1795694400000,
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    ...overrides,
  };
}

/** A Lambda context for an invocation of `functionName` in `account`. */
export function createDummyContext(overrides: Partial<LambdaContextLike> & { account?: string; functionName?: string } = {}): LambdaContextLike {
  const account = overrides.account ?? '111111111111';
  const functionName = overrides.functionName ?? 'access-warden-prod-reconcile';
  return {
    awsRequestId: overrides.awsRequestId ?? 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    invokedFunctionArn: overrides.invokedFunctionArn ?? `arn:aws:lambda:us-east-1:${account}:function:${functionName}`,
    functionName,
    getRemainingTimeInMillis: overrides.getRemainingTimeInMillis ?? (() => 900_000),
  };
}
