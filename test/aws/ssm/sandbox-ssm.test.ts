// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { existsSync, rmSync } from 'node:fs';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { inventoryCommand, loadHostScripts, parseInventoryOutput, revokeCommand } from '../../../src/adapters/hosts/host-script-protocol';
import { folderHostRunner, parseHostScriptCommand } from '../../../src/sandbox/hosts';
import { ModelHostRunner, modelInventoryText, type ModelHost } from '../../../src/sandbox/ssm-model-hosts';
import { sdkError } from '../../sandbox/helpers';
import { createDummyAccount, createHostRoot, makeKey, type HostRoot, type TestKey } from '../../hosts/helpers';
import { createDummyInstance, startSsmHarness, type SsmHarness } from './helpers';

const PWNED = '/tmp/warden-ssm-pwned';
const A = 'i-0aaaaaaaaaaaaaaa1';
const B = 'i-0bbbbbbbbbbbbbbb2';
const BIG = 'i-0bbbbbbbbbbbbbbb3';
const OFF = 'i-0ddddddddddddddd4';
const GONE = 'i-0eeeeeeeeeeeeeee5';
const NOAGENT = 'i-0fffffffffffffff6';

let key: TestKey;

const send = (client: SSMClient, input: Partial<ConstructorParameters<typeof SendCommandCommand>[0]>) =>
  client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: [inventoryCommand()] }, ...input }));

async function waitDone(h: SsmHarness, commandId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const status = (await h.client.send(new ListCommandsCommand({ CommandId: commandId }))).Commands?.[0]?.Status;
    if (status !== undefined && !['Pending', 'InProgress', 'Cancelling'].includes(status)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`command ${commandId} never finished`);
}

beforeAll(() => {
  key = makeKey('ed25519', 'ops@laptop');
});

describe('parseHostScriptCommand', () => {
  it('reads back the scripts and arguments Warden sends, and nothing else', () => {
    expect(parseHostScriptCommand(inventoryCommand())).toEqual({ script: 'inventory', args: [] });
    expect(parseHostScriptCommand(inventoryCommand({ page: { offset: 16384, limit: 16384 } }))).toEqual({
      script: 'inventory',
      args: ['--offset', '16384', '--limit', '16384'],
    });
    const revoke = parseHostScriptCommand(revokeCommand({ keyBodies: [key.body], lockUsers: ['bob'], killSessions: false }));
    expect(revoke?.script).toBe('revoke');
    expect(revoke?.args).toEqual(['--keys-b64', expect.any(String), '--lock-b64', expect.any(String), '--no-kill']);

    const scripts = loadHostScripts();
    expect(parseHostScriptCommand('echo hello')).toBeUndefined();
    expect(parseHostScriptCommand(`# Warden inventory (scripts/host/inventory.sh)\nset --\n${scripts.inventory}touch ${PWNED}\n`)).toBeUndefined();
    expect(parseHostScriptCommand(`# Warden inventory (scripts/host/inventory.sh)\nset -- '$(touch x)'\n${scripts.inventory}`)).toBeUndefined();
    expect(parseHostScriptCommand(`# Warden inventory (scripts/host/revoke.sh)\nset --\n${scripts.revoke}`)).toBeUndefined();
  });
});

describe('the SSM sandbox', () => {
  let h: SsmHarness;
  let root: HostRoot;
  const big: ModelHost = { hostname: 'big', accounts: new Map() };

  beforeAll(async () => {
    rmSync(PWNED, { force: true });
    root = createHostRoot({ accounts: [createDummyAccount({ name: 'ops' })], hostname: 'sim-a' });
    root.write('/home/ops/.ssh/authorized_keys', `${key.line}\n`);
    big.accounts.set('deploy', { keys: Array.from({ length: 300 }, (_, i) => `${key.type} ${key.body} key ${i}`), locked: false });
    const files = folderHostRunner({ rootOf: (id) => (id === A ? root.root : id === B ? '/' : undefined) });
    const model = new ModelHostRunner(new Map([[BIG, big]]));
    h = await startSsmHarness({
      instances: [
        createDummyInstance({ instanceId: A, name: 'sim-a' }),
        createDummyInstance({ instanceId: B }),
        createDummyInstance({ instanceId: BIG }),
        createDummyInstance({ instanceId: OFF, state: 'offline' }),
        createDummyInstance({ instanceId: GONE, state: 'undeliverable' }),
        createDummyInstance({ instanceId: NOAGENT, state: 'unregistered' }),
      ],
      runner: { run: (id, run) => (id === BIG ? model.run(id, run) : files.run(id, run)) },
      ssm: { deliveryTimeoutMs: 150 },
    });
  });

  afterAll(async () => {
    await h.close();
    root.cleanup();
  });

  it('runs the inventory script on the instance folder, never on this machine', async () => {
    const { Command } = await send(h.client, { InstanceIds: [A, B] });
    await waitDone(h, Command?.CommandId ?? '');
    const a = await h.client.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: A }));
    expect(a).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, PluginName: 'aws:runShellScript' });
    const parsed = parseInventoryOutput(A, a.StandardOutputContent ?? '');
    expect(parsed).toMatchObject({ hostname: 'sim-a', complete: true });
    expect(parsed.keys.map((k) => [k.osUser, k.keyBody])).toEqual([['ops', key.body]]);
    // A folder of "/" would be this machine itself: refused.
    const b = await h.client.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: B }));
    expect(b).toMatchObject({ Status: 'Failed', ResponseCode: 70, StandardErrorContent: expect.stringContaining('has no folder') });
  });

  it('fails any command text that is not one of Warden\'s scripts, without running it', async () => {
    const { Command } = await send(h.client, { InstanceIds: [A], Parameters: { commands: [`touch ${PWNED}`] } });
    await waitDone(h, Command?.CommandId ?? '');
    const out = await h.client.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: A }));
    expect(out).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 127 });
    expect(out.StandardErrorContent).toContain("only Warden's own host scripts");
    expect(existsSync(PWNED)).toBe(false);
  });

  it('keeps 24,000 characters of stdout in GetCommandInvocation and 2,500 in the plugin output', async () => {
    const full = modelInventoryText(big);
    expect(full.length).toBeGreaterThan(24_000);
    const { Command } = await send(h.client, { Targets: [{ Key: 'InstanceIds', Values: [BIG] }] });
    await waitDone(h, Command?.CommandId ?? '');
    const out = await h.client.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: BIG }));
    expect(out.StandardOutputContent).toBe(full.slice(0, 24_000));
    const listed = await h.client.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId, Details: true }));
    const output = listed.CommandInvocations?.[0]?.CommandPlugins?.[0]?.Output ?? '';
    expect(output).toHaveLength(2_500);
    expect(output.endsWith('---Output truncated---')).toBe(true);
  });

  it('keeps an offline instance Delayed, then ends it TimedOut / DeliveryTimedOut; a gone one Failed / Undeliverable', async () => {
    const { Command } = await send(h.client, { Targets: [{ Key: 'tag:Warden', Values: ['managed'] }], MaxErrors: '100%' });
    const early = await h.client.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId, InstanceId: OFF }));
    expect(early.CommandInvocations?.[0]).toMatchObject({ Status: 'Delayed', StatusDetails: 'Delayed' });
    await waitDone(h, Command?.CommandId ?? '');
    const all = await h.client.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId }));
    const byId = new Map(all.CommandInvocations?.map((i) => [i.InstanceId, [i.Status, i.StatusDetails]]));
    expect(byId.get(OFF)).toEqual(['TimedOut', 'DeliveryTimedOut']);
    expect(byId.get(GONE)).toEqual(['Failed', 'Undeliverable']);
    expect(byId.has(NOAGENT)).toBe(false);
    const command = (await h.client.send(new ListCommandsCommand({ CommandId: Command?.CommandId }))).Commands?.[0];
    expect(command).toMatchObject({ TargetCount: 5, CompletedCount: 5, DeliveryTimedOutCount: 1, ErrorCount: 1 });
  });

  it('stops sending once MaxErrors is exceeded (later invocations Terminated)', async () => {
    const { Command } = await send(h.client, { InstanceIds: [B, A], MaxConcurrency: '1', MaxErrors: '0' });
    await waitDone(h, Command?.CommandId ?? '');
    const all = await h.client.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId }));
    expect(all.CommandInvocations?.map((i) => [i.InstanceId, i.StatusDetails])).toEqual([
      [B, 'Failed'],
      [A, 'Terminated'],
    ]);
    expect((await h.client.send(new ListCommandsCommand({ CommandId: Command?.CommandId }))).Commands?.[0]?.Status).toBe('Failed');
  });

  it('answers bad requests with SSM\'s errors', async () => {
    expect((await sdkError(send(h.client, { InstanceIds: [A, NOAGENT] }))).name).toBe('InvalidInstanceId');
    expect((await sdkError(send(h.client, { InstanceIds: Array.from({ length: 51 }, () => A) }))).name).toBe('ValidationException');
    expect((await sdkError(send(h.client, { InstanceIds: [A], DocumentName: 'AWS-RunPowerShellScript' }))).name).toBe('InvalidDocument');
    expect((await sdkError(send(h.client, { InstanceIds: [A], MaxConcurrency: '0' }))).name).toBe('ValidationException');
    expect((await sdkError(h.client.send(new GetCommandInvocationCommand({ CommandId: '00000000-0000-0000-0000-000000000000', InstanceId: A })))).name).toBe(
      'InvocationDoesNotExist',
    );
  });

  it('lists managed instances with their ping status, not those without an agent', async () => {
    const out = await h.client.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [A, OFF, NOAGENT] }] }));
    expect(out.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus])).toEqual([
      [A, 'Online'],
      [OFF, 'ConnectionLost'],
    ]);
  });
});
