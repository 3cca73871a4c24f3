/**
 * Warden's own SSM Command documents: the host scripts live inside the document (created by the stack, never by
 * Warden's role) and each run passes only its arguments as a document parameter. SendCommand names the document and
 * its SHA-256 hash, so SSM refuses to run a document that differs from the one this Warden ships.
 *
 * The content is generated from the same script text the host-script protocol module sends and the tests run
 * (`loadHostScripts`); `npm run ssm:documents` writes it into serverless.yml and deploy/member-account-role.yaml,
 * and test/aws/ssm/documents.test.ts fails when the committed copies drift from it.
 */
import { createHash } from 'node:crypto';
import { inventoryCommand, revokeCommand, type HostScripts } from '../../hosts/host-script-protocol';
import { DocumentShapeError } from '../../../errors';

export type DocumentKind = 'inventory' | 'revoke';

/** Document names, the same in every account (the stack and the member template create them under these names). */
export const DOCUMENT_NAMES: Readonly<Record<DocumentKind, string>> = { inventory: 'WardenInventory', revoke: 'WardenRevoke' };

/**
 * SSM's limit on a Command document: 64 KB of content, and "this quota also includes the content specified for input
 * parameters at runtime" (CreateDocument `Content`); beyond it SendCommand answers MaxDocumentSizeExceeded.
 */
export const MAX_DOCUMENT_BYTES = 65_536;
/** Room kept for parameters: a document whose content leaves less than this is refused by the generator. */
export const MIN_PARAMETER_ROOM_BYTES = 16_384;

/**
 * What the `Arguments` parameter may hold: single-quoted words of base64, digits and `-` (the protocol's arguments),
 * each after one space. SSM checks it on every SendCommand: no quote can be closed and no shell character reaches
 * the host, whoever calls SendCommand.
 */
export const ARGUMENTS_PATTERN = "^( '[A-Za-z0-9+/=-]*')*$";
/** executionTimeout, as AWS-RunShellScript bounds it (1 to 172800 seconds). */
export const EXECUTION_TIMEOUT_PATTERN = '^([1-9][0-9]{0,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800)$';

/** A generated document: its name, exact content (what the stack uploads) and the SHA-256 SSM reports as its Hash. */
export interface CommandDocument {
  readonly kind: DocumentKind;
  readonly name: string;
  readonly content: string;
  readonly hash: string;
}


const FRAME = /^(# Warden [^\n]*)\nset --((?: '[A-Za-z0-9+/=-]*')*)\n$/;

/** Splits the protocol's command text for `script` into its header line and the `set --` arguments (with their leading spaces). */
export function splitCommand(commandText: string, script: string): { readonly header: string; readonly args: string } {
  if (!commandText.endsWith(script)) throw new DocumentShapeError('command text does not end with the host script');
  const frame = FRAME.exec(commandText.slice(0, commandText.length - script.length));
  if (frame === null) throw new DocumentShapeError('command text does not start with "# Warden …" and "set -- \'arg\' …" lines');
  return { header: frame[1] ?? '', args: frame[2] ?? '' };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const DESCRIPTIONS: Readonly<Record<DocumentKind, string>> = {
  inventory: "Warden (access-warden): lists SSH authorized keys and locked accounts (scripts/host/inventory.sh). Read-only.",
  revoke: "Warden (access-warden): removes leavers' SSH keys and locks their accounts (scripts/host/revoke.sh).",
};

/** The header line the protocol puts before the arguments (read from a sample command, so the protocol stays its owner). */
const headerOf = (kind: DocumentKind, scripts: HostScripts): string =>
  splitCommand(kind === 'inventory' ? inventoryCommand({ scripts }) : revokeCommand({ keyBodies: [], lockUsers: ['nobody'], killSessions: true }, scripts), scripts[kind]).header;

/**
 * The Command document for one script (schema 2.2, one aws:runShellScript step). Its runCommand lines join to exactly
 * the text the protocol module builds, with `{{ Arguments }}` where the per-run arguments go.
 */
export function commandDocument(kind: DocumentKind, scripts: HostScripts): CommandDocument {
  const script = scripts[kind];
  if (script.includes('{{')) throw new DocumentShapeError(`${kind} script contains "{{", which SSM would read as a parameter reference`);
  const document = {
    schemaVersion: '2.2',
    description: DESCRIPTIONS[kind],
    parameters: {
      Arguments: {
        type: 'String',
        description: "The script's arguments, each single-quoted after a space; built by Warden.",
        default: '',
        allowedPattern: ARGUMENTS_PATTERN,
      },
      executionTimeout: {
        type: 'String',
        description: 'Seconds the script may run before SSM stops it.',
        default: '300',
        allowedPattern: EXECUTION_TIMEOUT_PATTERN,
      },
    },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: kind,
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: {
          timeoutSeconds: '{{ executionTimeout }}',
          runCommand: [headerOf(kind, scripts), 'set --{{ Arguments }}', script],
        },
      },
    ],
  };
  const content = `${JSON.stringify(document, null, 2)}\n`;
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES - MIN_PARAMETER_ROOM_BYTES) {
    throw new DocumentShapeError(`${kind} document is ${bytes} bytes: SSM allows ${MAX_DOCUMENT_BYTES} for content and parameters together, ${MIN_PARAMETER_ROOM_BYTES} are kept for parameters`);
  }
  return { kind, name: DOCUMENT_NAMES[kind], content, hash: sha256(content) };
}

/** Both documents for these scripts. */
export function wardenDocuments(scripts: HostScripts): Readonly<Record<DocumentKind, CommandDocument>> {
  return { inventory: commandDocument('inventory', scripts), revoke: commandDocument('revoke', scripts) };
}

/** The `Arguments` value of a protocol command text built for `kind`. */
export function argumentsOf(kind: DocumentKind, commandText: string, scripts: HostScripts): string {
  return splitCommand(commandText, scripts[kind]).args;
}

/** Bytes a SendCommand's parameters add to the document's size (SSM counts them against the same 64 KB). */
export function parameterBytes(parameters: Readonly<Record<string, readonly string[]>>): number {
  let total = 0;
  for (const [name, values] of Object.entries(parameters)) total += Buffer.byteLength(name, 'utf8') + values.reduce((n, v) => n + Buffer.byteLength(v, 'utf8'), 0);
  return total;
}
