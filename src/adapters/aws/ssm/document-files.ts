/**
 * Writes Warden's SSM Command documents where the deployments read them: deploy/ssm/*.json (serverless.yml loads
 * them as strings through deploy/ssm/documents.js) and the generated block of deploy/member-account-role.yaml.
 * `npm run ssm:documents` rewrites them from scripts/host; test/aws/ssm/documents.test.ts fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadHostScripts, type HostScripts } from '../../hosts/host-script-protocol';
import { wardenDocuments, type CommandDocument } from './documents';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const MEMBER_TEMPLATE = 'deploy/member-account-role.yaml';
export const BLOCK_BEGIN = '  # BEGIN generated SSM documents (npm run ssm:documents from scripts/host): do not edit by hand';
export const BLOCK_END = '  # END generated SSM documents';

const RESOURCE_ID: Readonly<Record<CommandDocument['kind'], string>> = { inventory: 'WardenInventoryDocument', revoke: 'WardenRevokeDocument' };

/** The CloudFormation resources (two-space indented YAML, as under `Resources:`) holding both documents verbatim. */
export function memberTemplateBlock(scripts: HostScripts): string {
  const lines = [BLOCK_BEGIN];
  for (const document of Object.values(wardenDocuments(scripts))) {
    lines.push(
      `  ${RESOURCE_ID[document.kind]}:`,
      '    Type: AWS::SSM::Document',
      // cfn-lint 1.51's E3051 cannot read any string Content ("a string or stream input is required"); the
      // content is checked by test/aws/ssm/documents.test.ts and the SSM sandbox instead.
      '    Metadata:',
      '      cfn-lint:',
      '        config:',
      '          ignore_checks: [E3051]',
      '    Properties:',
      `      Name: ${document.name}`,
      '      DocumentType: Command',
      '      DocumentFormat: JSON',
      '      UpdateMethod: NewVersion',
      // A literal block keeps the bytes (one final newline, as the content has), so the hash Warden sends matches.
      '      Content: |',
      ...document.content.replace(/\n$/, '').split('\n').map((line) => `        ${line}`),
    );
  }
  lines.push(BLOCK_END);
  return `${lines.join('\n')}\n`;
}

/** The member template with its generated block replaced (the block must be there once). */
export function withMemberBlock(template: string, scripts: HostScripts): string {
  const begin = template.indexOf(`${BLOCK_BEGIN}\n`);
  const endAt = template.indexOf(`${BLOCK_END}\n`);
  if (begin < 0 || endAt < begin || template.indexOf(`${BLOCK_BEGIN}\n`, begin + 1) >= 0) {
    throw new Error(`${MEMBER_TEMPLATE}: expected one generated block between "${BLOCK_BEGIN.trim()}" and "${BLOCK_END.trim()}"`);
  }
  return `${template.slice(0, begin)}${memberTemplateBlock(scripts)}${template.slice(endAt + BLOCK_END.length + 1)}`;
}

/** Every generated file: repository-relative path -> text. */
export function documentFiles(scripts: HostScripts, memberTemplate: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const document of Object.values(wardenDocuments(scripts))) files.set(`deploy/ssm/${document.name}.json`, document.content);
  files.set(MEMBER_TEMPLATE, withMemberBlock(memberTemplate, scripts));
  return files;
}

// Run directly (`npm run ssm:documents`): rewrite the files from the repository's scripts/host.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === __filename) {
  const files = documentFiles(loadHostScripts(), readFileSync(path.join(REPO_ROOT, MEMBER_TEMPLATE), 'utf8'));
  for (const [file, text] of files) {
    writeFileSync(path.join(REPO_ROOT, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
