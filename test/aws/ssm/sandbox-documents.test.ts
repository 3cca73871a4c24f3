// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { existsSync, rmSync } from 'node:fs';
import {
  CreateDocumentCommand,
  DescribeDocumentCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import { DOCUMENT_NAMES, argumentsOf, wardenDocuments } from '../../../src/adapters/aws/ssm/documents';
import { loadHostScripts, parseInventoryOutput, parseRevokeOutput, revokeCommand } from '../../../src/adapters/hosts/host-script-protocol';
import { sdkError } from '../../sandbox/helpers';
import { createDummyAccount, createHostRoot, makeKey, type HostRoot, type TestKey } from '../../hosts/helpers';
import { createDummyInstance, startSsmHarness, type SsmHarness } from './helpers';

const A = 'i-0aaaaaaaaaaaaaaa1';
const PWNED = '/tmp/warden-ssm-doc-pwned';
const scripts = loadHostScripts();
const docs = wardenDocuments(scripts);

async function waitDone(client: SSMClient, commandId: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const status = (await client.send(new ListCommandsCommand({ CommandId: commandId }))).Commands?.[0]?.Status;
    if (status !== undefined && !['Pending', 'InProgress', 'Cancelling'].includes(status)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`command ${commandId} never finished`);
}

describe('the SSM sandbox: Command documents', () => {
  let h: SsmHarness;
  let root: HostRoot;
  let key: TestKey;

  beforeAll(async () => {
    rmSync(PWNED, { force: true });
    key = makeKey('ed25519', 'leaver@laptop');
    root = createHostRoot({ accounts: [createDummyAccount({ name: 'leaver' })], hostname: 'sim-doc' });
    root.write('/home/leaver/.ssh/authorized_keys', `${key.line}\n`);
    h = await startSsmHarness({ instances: [createDummyInstance({ instanceId: A })], roots: { [A]: root } });
  });

  afterAll(async () => {
    await h.close();
    root.cleanup();
  });

  it("starts each account with Warden's documents as the stack creates them, their Hash the SHA-256 of the content", async () => {
    for (const document of Object.values(docs)) {
      const out = await h.client.send(new DescribeDocumentCommand({ Name: document.name }));
      expect(out.Document).toMatchObject({ Name: document.name, Hash: document.hash, HashType: 'Sha256', DocumentType: 'Command', Status: 'Active', DefaultVersion: '1' });
      expect(document.hash).toBe(createHash('sha256').update(document.content).digest('hex'));
    }
  });

  it('runs a document with its hash and parameters: the script inside, only the arguments from the request', async () => {
    const request = { keyBodies: [key.body], lockUsers: [], killSessions: false };
    const { Command } = await h.client.send(
      new SendCommandCommand({
        DocumentName: DOCUMENT_NAMES.revoke,
        DocumentHash: docs.revoke.hash,
        DocumentHashType: 'Sha256',
        InstanceIds: [A],
        Parameters: { Arguments: [argumentsOf('revoke', revokeCommand(request, scripts), scripts)] },
      }),
    );
    expect(Command).toMatchObject({ DocumentName: 'WardenRevoke', DocumentVersion: '1' });
    await waitDone(h.client, Command?.CommandId ?? '');
    const out = await h.client.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: A }));
    expect(out).toMatchObject({ Status: 'Success', PluginName: 'revoke' });
    const report = parseRevokeOutput(out.StandardOutputContent ?? '');
    expect(report.complete).toBe(true);
    expect(report.events.map((e) => e.kind)).toContain('removed');
    expect(root.read('/home/leaver/.ssh/authorized_keys').toString('utf8')).not.toContain(key.body);
  });

  it('refuses a request whose DocumentHash is not the document’s (a swapped document never runs)', async () => {
    const edited = docs.inventory.content.replace('"Warden (access-warden): lists', `"touch ${PWNED}; Warden lists`);
    await h.client.send(new UpdateDocumentCommand({ Name: DOCUMENT_NAMES.inventory, Content: edited, DocumentVersion: '$LATEST' }));
    await h.client.send(new UpdateDocumentDefaultVersionCommand({ Name: DOCUMENT_NAMES.inventory, DocumentVersion: '2' }));
    const refused = await sdkError(
      h.client.send(new SendCommandCommand({ DocumentName: DOCUMENT_NAMES.inventory, DocumentHash: docs.inventory.hash, DocumentHashType: 'Sha256', InstanceIds: [A] })),
    );
    expect(refused.name).toBe('InvalidDocument');
    expect(refused.message).toMatch(/hash/);
    // Pinned to the version whose hash it is, the original still runs.
    const { Command } = await h.client.send(
      new SendCommandCommand({ DocumentName: DOCUMENT_NAMES.inventory, DocumentVersion: '1', DocumentHash: docs.inventory.hash, DocumentHashType: 'Sha256', InstanceIds: [A] }),
    );
    await waitDone(h.client, Command?.CommandId ?? '');
    const out = await h.client.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId, InstanceId: A }));
    expect(parseInventoryOutput(A, out.StandardOutputContent ?? '').complete).toBe(true);
    await h.client.send(new UpdateDocumentDefaultVersionCommand({ Name: DOCUMENT_NAMES.inventory, DocumentVersion: '1' }));
    expect(existsSync(PWNED)).toBe(false);
  });

  it('refuses arguments outside the allowed pattern, unknown parameters, and content plus parameters over 64 KB', async () => {
    const send = (Parameters: Record<string, string[]>) =>
      sdkError(h.client.send(new SendCommandCommand({ DocumentName: DOCUMENT_NAMES.revoke, DocumentHash: docs.revoke.hash, InstanceIds: [A], Parameters })));
    for (const hostile of [" '$(touch /tmp/x)'", " 'a'; touch /tmp/x", " 'a'\ntouch /tmp/x"]) {
      const error = await send({ Arguments: [hostile] });
      expect({ hostile, name: error.name }).toEqual({ hostile, name: 'InvalidParameters' });
    }
    expect((await send({ commands: ['id'] })).name).toBe('InvalidParameters');
    expect((await send({ Arguments: [" 'a'", " 'b'"] })).name).toBe('InvalidParameters');
    const room = 65_536 - Buffer.byteLength(docs.revoke.content) - 'Arguments'.length;
    expect((await send({ Arguments: [` '${'A'.repeat(room)}'`] })).name).toBe('MaxDocumentSizeExceeded');
    expect((await sdkError(h.client.send(new SendCommandCommand({ DocumentName: 'WardenNope', InstanceIds: [A] })))).name).toBe('InvalidDocument');
    const longComment = sdkError(h.client.send(new SendCommandCommand({ DocumentName: DOCUMENT_NAMES.inventory, InstanceIds: [A], Comment: 'x'.repeat(101) })));
    expect((await longComment).name).toBe('ValidationException');
  });

  it('validates documents it is given: declared parameters, size, reserved names', async () => {
    const content = JSON.stringify({
      schemaVersion: '2.2',
      description: 'x',
      parameters: {},
      mainSteps: [{ action: 'aws:runShellScript', name: 's', inputs: { runCommand: ['echo {{ Undeclared }}'] } }],
    });
    expect((await sdkError(h.client.send(new CreateDocumentCommand({ Name: 'WardenTest', Content: content, DocumentType: 'Command' })))).name).toBe('InvalidDocumentContent');
    expect((await sdkError(h.client.send(new CreateDocumentCommand({ Name: 'AWS-Mine', Content: docs.inventory.content })))).name).toBe('ValidationException');
    expect((await sdkError(h.client.send(new CreateDocumentCommand({ Name: DOCUMENT_NAMES.revoke, Content: docs.revoke.content })))).name).toBe('DocumentAlreadyExists');
    const big = docs.inventory.content.replace('"Warden (access-warden)', `"${'x'.repeat(65_536)}`);
    expect((await sdkError(h.client.send(new CreateDocumentCommand({ Name: 'WardenBig', Content: big })))).name).toBe('MaxDocumentSizeExceeded');
  });
});

describe('the SSM sandbox: ListCommandInvocations with details, 50 a page', () => {
  it('pages invocations with NextToken and refuses more than 50 a page, as SSM does', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    const h = await startSsmHarness({
      instances: ids.map((instanceId) => createDummyInstance({ instanceId })),
      runner: { run: () => Promise.resolve({ exitCode: 0, stdout: 'WARDEN-INVENTORY v1 x\nEND 0\n', stderr: '' }) },
      ssm: { runOnSend: true },
    });
    try {
      const { Command } = await h.client.send(
        new SendCommandCommand({ DocumentName: DOCUMENT_NAMES.inventory, DocumentHash: docs.inventory.hash, DocumentHashType: 'Sha256', Targets: [{ Key: 'tag:Warden', Values: ['managed'] }] }),
      );
      const pages: number[] = [];
      let token: string | undefined;
      do {
        const out = await h.client.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId, Details: true, MaxResults: 50, ...(token !== undefined ? { NextToken: token } : {}) }));
        pages.push(out.CommandInvocations?.length ?? 0);
        expect(out.CommandInvocations?.every((i) => i.CommandPlugins?.[0]?.Name === 'inventory' && i.CommandPlugins[0].Output === 'WARDEN-INVENTORY v1 x\nEND 0\n')).toBe(true);
        token = out.NextToken;
      } while (token !== undefined);
      expect(pages).toEqual([50, 50, 20]);
      expect((await sdkError(h.client.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId, MaxResults: 51 })))).name).toBe('ValidationException');
    } finally {
      await h.close();
    }
  });
});
