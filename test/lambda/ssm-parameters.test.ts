import { GetParameterHistoryCommand, PutParameterCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { ParameterStore } from '../../src/adapters/aws/parameters';
import { SsmAnchorStore } from '../../src/adapters/evidence/ssm-anchor-store';
import { forwardOnlyAnchor } from '../../src/runtime/evidence';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { SimulatedFleet } from '../../src/sandbox/hosts';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { createSsmSandbox } from '../../src/sandbox/ssm';
import { ModelHostRunner } from '../../src/sandbox/ssm-model-hosts';
import { ParameterStoreSandbox, withParameterStore } from '../../src/sandbox/ssm-parameters';

const ACCOUNT = '111111111111';
let sandbox: RunningSandbox;
let client: SSMClient;
let store: ParameterStoreSandbox;

beforeAll(async () => {
  store = new ParameterStoreSandbox({ '/warden/test/slack/bot-token': { value: 'xoxb-1-2-secret', type: 'SecureString' } });
  const runCommand = createSsmSandbox({ fleet: new SimulatedFleet([{ instanceId: 'i-0abc', tags: {}, state: 'online' }]), runner: new ModelHostRunner(new Map()) });
  sandbox = await startSandbox({
    state: IamSandboxState.fromSeed({ accounts: [{ id: ACCOUNT, accessKeyIds: ['AKIAPARAMS0000000001'], users: [] }] }),
    extraServices: [withParameterStore(runCommand.service, store)],
  });
  client = new SSMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPARAMS0000000001', secretAccessKey: 'x' }, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await sandbox.close();
});

describe('the Parameter Store sandbox', () => {
  it('keeps each version, refuses to overwrite unless asked, and decrypts SecureStrings only on request', async () => {
    await client.send(new PutParameterCommand({ Name: '/warden/test/config', Value: 'roster: { path: a.csv }', Type: 'String' }));
    await expect(client.send(new PutParameterCommand({ Name: '/warden/test/config', Value: 'x', Type: 'String' }))).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await client.send(new PutParameterCommand({ Name: '/warden/test/config', Value: 'roster: { path: b.csv }', Overwrite: true }));
    const history = await client.send(new GetParameterHistoryCommand({ Name: '/warden/test/config' }));
    expect(history.Parameters?.map((p) => [p.Version, p.Value])).toEqual([
      [1, 'roster: { path: a.csv }'],
      [2, 'roster: { path: b.csv }'],
    ]);

    const parameters = new ParameterStore({ client });
    expect(await parameters.get('/warden/test/config')).toBe('roster: { path: b.csv }');
    expect(await parameters.get('/warden/test/slack/bot-token')).toBe('xoxb-1-2-secret');
    expect(store.get('/warden/test/slack/bot-token')?.type).toBe('SecureString');
  });

  it('serves the audit anchor, and the Lambda wrapper never moves it backwards', async () => {
    const ssm = new SsmAnchorStore({ client, name: '/warden/test/audit-head' });
    const anchor = forwardOnlyAnchor(ssm);
    expect(await anchor.latest()).toBeUndefined();
    await anchor.publish({ seq: 7, hash: 'a'.repeat(64), at: '2026-11-26T12:00:00.000Z', runId: 'run-b' });
    // A worker that read the head before the other one appended finishes last: its older head is not published.
    await anchor.publish({ seq: 5, hash: 'b'.repeat(64), at: '2026-11-26T12:00:01.000Z', runId: 'run-a' });
    expect(await ssm.latest()).toMatchObject({ seq: 7, runId: 'run-b' });
    await anchor.publish({ seq: 9, hash: 'c'.repeat(64), at: '2026-11-26T12:00:02.000Z' });
    expect(store.versions('/warden/test/audit-head').map((v) => JSON.parse(v.value).seq)).toEqual([7, 9]);
  });

  it('leaves every other SSM action to the Run Command sandbox it is served with', async () => {
    const sent = await client.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0abc'], Parameters: { commands: ['echo not a warden script'] } }),
    );
    expect(sent.Command?.CommandId).toEqual(expect.any(String));
    // Config: two writes and one refused; anchor: two writes (the backwards one never reached Parameter Store).
    expect(sandbox.calls.byAction()).toMatchObject({ SendCommand: 1, PutParameter: 5 });
  });
});
