import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ARGUMENTS_PATTERN,
  DOCUMENT_NAMES,
  MAX_DOCUMENT_BYTES,
  argumentsOf,
  commandDocument,
  wardenDocuments,
} from '../../../src/adapters/aws/ssm/documents';
import { DocumentShapeError } from '../../../src/errors';
import { MEMBER_TEMPLATE, REPO_ROOT, documentFiles } from '../../../src/adapters/aws/ssm/document-files';
import { inventoryCommand, loadHostScripts, revokeCommand } from '../../../src/adapters/hosts/host-script-protocol';
import { parseHostScriptCommand } from '../../../src/sandbox/hosts';
import { readCloudFormationYaml, type Statement } from '../../deploy/sdk-calls';
import { sendCommandProblems } from '../../deploy/send-command-policy';

const scripts = loadHostScripts();
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIGp1c3QgYSB0ZXN0IGtleSBmb3Igd2FyZGVuIHNzbQ';

/** The text the SSM agent runs: runCommand lines joined by newlines, `{{ name }}` replaced by the parameter value. */
function agentText(content: string, parameters: Record<string, string>): string {
  const document = JSON.parse(content) as { mainSteps: { inputs: { runCommand: string[] } }[] };
  const lines = document.mainSteps[0]?.inputs.runCommand ?? [];
  return lines.join('\n').replace(/\{\{ *([A-Za-z0-9]+) *\}\}/g, (_, name: string) => parameters[name] ?? '');
}

describe('Warden SSM Command documents', () => {
  it('are committed exactly as generated from scripts/host (re-run `npm run ssm:documents` when this fails)', () => {
    const member = readFileSync(path.join(REPO_ROOT, MEMBER_TEMPLATE), 'utf8');
    for (const [file, text] of documentFiles(scripts, member)) {
      expect({ file, same: readFileSync(path.join(REPO_ROOT, file), 'utf8') === text }).toEqual({ file, same: true });
    }
  });

  it('reach CloudFormation byte for byte from the member template, so the hash Warden sends is the one SSM computes', () => {
    const template = readCloudFormationYaml(path.join(REPO_ROOT, MEMBER_TEMPLATE)) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const documents = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSM::Document');
    const generated = wardenDocuments(scripts);
    expect(documents.map((d) => [d.Properties['Name'], d.Properties['Content']])).toEqual([
      [DOCUMENT_NAMES.inventory, generated.inventory.content],
      [DOCUMENT_NAMES.revoke, generated.revoke.content],
    ]);
    expect(documents.every((d) => d.Properties['DocumentType'] === 'Command' && d.Properties['UpdateMethod'] === 'NewVersion')).toBe(true);
  });

  it('run the same text the protocol module builds, with only the arguments passed per run', () => {
    const { inventory, revoke } = wardenDocuments(scripts);
    const page = inventoryCommand({ page: { offset: 16384, limit: 16384 }, scripts });
    expect(agentText(inventory.content, { Arguments: argumentsOf('inventory', page, scripts) })).toBe(page);
    expect(agentText(inventory.content, { Arguments: '' })).toBe(inventoryCommand({ scripts }));
    const request = { keyBodies: [KEY], lockUsers: ['bob', 'carol'], killSessions: false };
    const text = revokeCommand(request, scripts);
    const args = argumentsOf('revoke', text, scripts);
    expect(args).not.toContain(KEY); // base64 of the key list, not the key itself
    expect(agentText(revoke.content, { Arguments: args })).toBe(text);
    expect(parseHostScriptCommand(agentText(revoke.content, { Arguments: args }))?.args).toEqual(['--keys-b64', expect.any(String), '--lock-b64', expect.any(String), '--no-kill']);
  });

  it('accept only quoted base64 words as arguments: nothing a shell would interpret', () => {
    const pattern = new RegExp(ARGUMENTS_PATTERN);
    expect(pattern.test('')).toBe(true);
    expect(pattern.test(" '--keys-b64' 'QUFBQQo=' '--no-kill'")).toBe(true);
    for (const hostile of [" '$(id)'", " ''; reboot; ''", " 'a'\ntouch /tmp/x", " 'a' `id`", "'a'", " 'a", " 'a'; 'b'", " '{{ssm:/secret}}'"]) {
      expect({ hostile, accepted: pattern.test(hostile) }).toEqual({ hostile, accepted: false });
    }
  });

  it('leave room under SSM’s 64 KB for the parameters, and refuse a script SSM would read as a parameter reference', () => {
    for (const document of Object.values(wardenDocuments(scripts))) expect(Buffer.byteLength(document.content)).toBeLessThan(MAX_DOCUMENT_BYTES - 16_384);
    expect(() => commandDocument('inventory', { ...scripts, inventory: `${scripts.inventory}echo {{ Arguments }}\n` })).toThrow(DocumentShapeError);
    expect(() => commandDocument('revoke', { ...scripts, revoke: scripts.revoke.repeat(3) })).toThrow(/64|65536/);
  });
});

describe('the SendCommand policy check', () => {
  it('fails the policy Warden had before: AWS-RunShellScript on every instance', () => {
    const before: Statement = {
      Sid: 'HostCommands',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*' },
      ],
    };
    expect(sendCommandProblems([before], 'managed')).toEqual([
      'HostCommands: SendCommand on arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript',
      'HostCommands: SendCommand on instances without the Warden tag condition (null)',
    ]);
    expect(sendCommandProblems([{ Sid: 'Wild', Effect: 'Allow', Action: 'ssm:*', Resource: '*' }], 'managed')).toEqual([
      'Wild: SendCommand shares a statement with ssm:*',
      'Wild: SendCommand on *',
    ]);
    const tagged: Statement = { ...before, Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*' }], Condition: { StringEquals: { 'ssm:resourceTag/Warden': 'managed' } } };
    expect(sendCommandProblems([tagged], 'managed')).toEqual([]);
    expect(sendCommandProblems([{ ...tagged, Condition: { StringLike: { 'ssm:resourceTag/Warden': '*' } } }], 'managed')).toHaveLength(1);
  });
});
