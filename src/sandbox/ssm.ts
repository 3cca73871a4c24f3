/**
 * A simulated AWS Systems Manager Run Command (awsJson1_1, `AmazonSSM.*`): SendCommand, ListCommands,
 * ListCommandInvocations, GetCommandInvocation and DescribeInstanceInformation, answered by running Warden's host
 * scripts on simulated instances (see hosts.ts); CreateDocument, UpdateDocument, UpdateDocumentDefaultVersion and
 * DescribeDocument for Command documents (schema 2.2, aws:runShellScript). Each account starts with Warden's two
 * documents as its stack creates them (deploy/ssm). SendCommand checks DocumentHash (SHA-256 of the content),
 * parameters against the document's allowedPattern, and the 64 KB limit on content plus parameters. Statuses, output limits and errors follow the SSM API reference:
 * invocation Status Pending | InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling, with
 * StatusDetails such as `DeliveryTimedOut`, `Undeliverable` and `Terminated`; GetCommandInvocation keeps the first
 * 24,000 characters of stdout and 8,000 of stderr, ListCommandInvocations' plugin Output the first 2,500.
 */
import { createHash, randomUUID } from 'node:crypto';
import { wardenDocuments } from '../adapters/aws/ssm/documents';
import { loadHostScripts } from '../adapters/hosts/host-script-protocol';
import { mapLimit, sleep } from '../lib/concurrency';
import { parseHostScriptCommand, type HostRunner, type SimulatedFleet } from './hosts';
import { errorReply, jsonReply, jsonService, type ServiceCall, type ServiceHandler, type ServiceReply } from './service';

/** The plugin AWS-RunShellScript runs. */
export const RUN_SHELL_SCRIPT_PLUGIN = 'aws:runShellScript';
const DOCUMENT = 'AWS-RunShellScript';
const STDOUT_LIMIT = 24_000;
const STDERR_LIMIT = 8_000;
const PLUGIN_OUTPUT_LIMIT = 2_500;
const TRUNCATED = '\n---Output truncated---';
const MAX_INSTANCE_IDS = 50;
const MAX_RESULTS = 50;

type InvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';
type CommandStatus = 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut' | 'Cancelling';

interface SimInvocation {
  readonly instanceId: string;
  status: InvocationStatus;
  statusDetails: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  startedAt?: Date;
  finishedAt?: Date;
  /** GetCommandInvocation calls still to answer InvocationDoesNotExist. */
  hiddenLookups: number;
}

interface Target {
  readonly Key: string;
  readonly Values: readonly string[];
}

/** A Command document as CreateDocument stored it, parsed once. */
interface SimDocumentVersion {
  readonly version: string;
  readonly content: string;
  readonly hash: string;
  readonly createdAt: Date;
  readonly parameters: ReadonlyMap<string, { readonly defaultValue?: string; readonly allowedPattern?: RegExp; readonly description?: string }>;
  /** The aws:runShellScript step: its name and runCommand lines (with `{{ name }}` references). */
  readonly step: { readonly name: string; readonly runCommand: readonly string[] };
  readonly description: string;
}

interface SimDocument {
  readonly name: string;
  readonly owner: string;
  readonly versions: SimDocumentVersion[];
  defaultVersion: string;
}

/** SSM's limit on a document's content plus the parameters given at runtime. */
const MAX_DOCUMENT_BYTES = 65_536;
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
const RESERVED_PREFIX = /^(aws|amazon|amzn)/i;
const PARAMETER_REFERENCE = /\{\{ *([A-Za-z0-9_.:/-]+) *\}\}/g;

interface SimCommand {
  readonly commandId: string;
  readonly documentName: string;
  readonly documentVersion: string;
  /** The script text the agent runs (runCommand joined, parameters put in). */
  readonly commandText: string;
  /** Plugin (step) name and the S3 folder SSM writes its output to. */
  readonly plugin: { readonly name: string; readonly s3Folder: string };
  readonly account: string;
  readonly region: string;
  readonly comment?: string;
  readonly requestedAt: Date;
  readonly instanceIds: readonly string[];
  readonly targets: readonly Target[];
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly timeoutSeconds: number;
  readonly outputS3BucketName?: string;
  readonly outputS3KeyPrefix?: string;
  readonly invocations: Map<string, SimInvocation>;
  status: CommandStatus;
  statusDetails: string;
}

export interface SsmSandboxOptions {
  readonly fleet: SimulatedFleet;
  readonly runner: HostRunner;
  /** How long an offline instance's invocation stays Delayed before it ends DeliveryTimedOut (ms; default 200). */
  readonly deliveryTimeoutMs?: number;
  /** Runs every invocation before SendCommand answers, so call counts do not depend on timing (the bench). */
  readonly runOnSend?: boolean;
  /** GetCommandInvocation answers InvocationDoesNotExist this many times per new invocation, as SSM may right after SendCommand. */
  readonly invocationLag?: number;
  /** Command documents each account starts with (default: Warden's two, as its stack creates them); `false` for none. */
  readonly documents?: readonly { readonly name: string; readonly content: string }[] | false;
  readonly now?: () => Date;
}

/** A command as tests see it. */
export interface CommandSnapshot {
  readonly commandId: string;
  readonly status: string;
  readonly instanceIds: readonly string[];
  readonly targets: readonly Target[];
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly documentName: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly script?: string;
  readonly invocations: readonly { readonly instanceId: string; readonly status: string; readonly statusDetails: string }[];
}

/** The SSM sandbox: register `service` with the sandbox server; S3 output lands in `s3Objects` (`bucket/key` -> text). */
export interface SsmSandbox {
  readonly service: ServiceHandler;
  readonly s3Objects: Map<string, string>;
  commands(): readonly CommandSnapshot[];
  /** Resolves when every command sent so far has finished (call before removing host folders). */
  settle(): Promise<void>;
}

const epochSeconds = (date: Date | undefined): number | undefined => (date === undefined ? undefined : date.getTime() / 1000);

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const textList = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined);

const validation = (message: string): ServiceReply => errorReply('ValidationException', message);

const CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** "10" or "10%" of `total`, as SSM reads MaxConcurrency and MaxErrors (a percentage rounds up, at least 1 when above 0). */
function countOf(spec: string, total: number): number {
  if (!spec.endsWith('%')) return Number(spec);
  const percent = Number(spec.slice(0, -1));
  return percent === 0 ? 0 : Math.max(1, Math.ceil((total * percent) / 100));
}

function page<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } | ServiceReply {
  const max = input['MaxResults'] === undefined ? MAX_RESULTS : Number(input['MaxResults']);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) return validation(`1 validation error detected: Value '${String(input['MaxResults'])}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`);
  const token = text(input['NextToken']);
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) return errorReply('InvalidNextToken', 'The specified token isn\'t valid.');
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end), 'utf8').toString('base64') } : {}) };
}

const isReply = (value: unknown): value is ServiceReply => typeof value === 'object' && value !== null && 'kind' in value;

/** Builds the SSM sandbox over a fleet of simulated instances. */
export function createSsmSandbox(options: SsmSandboxOptions): SsmSandbox {
  const now = options.now ?? (() => new Date());
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 200;
  const commands = new Map<string, SimCommand>();
  const running = new Set<Promise<void>>();
  const s3Objects = new Map<string, string>();

  const s3Key = (command: SimCommand, instanceId: string, stream: 'stdout' | 'stderr'): string =>
    `${command.outputS3KeyPrefix !== undefined && command.outputS3KeyPrefix !== '' ? `${command.outputS3KeyPrefix.replace(/\/+$/, '')}/` : ''}` +
    `${command.commandId}/${instanceId}/${command.plugin.s3Folder}/${stream}`;
  const s3Url = (command: SimCommand, instanceId: string, stream: 'stdout' | 'stderr'): string =>
    command.outputS3BucketName === undefined ? '' : `https://s3.${command.region}.amazonaws.com/${command.outputS3BucketName}/${s3Key(command, instanceId, stream)}`;

  async function runInvocation(command: SimCommand, invocation: SimInvocation): Promise<void> {
    const instance = options.fleet.get(invocation.instanceId);
    const state = instance?.state ?? 'undeliverable';
    if (state === 'offline') {
      invocation.status = 'Delayed';
      invocation.statusDetails = 'Delayed';
      if (deliveryTimeoutMs > 0) await sleep(deliveryTimeoutMs);
      invocation.status = 'TimedOut';
      invocation.statusDetails = 'DeliveryTimedOut';
      return;
    }
    if (state !== 'online') {
      invocation.status = 'Failed';
      invocation.statusDetails = 'Undeliverable';
      return;
    }
    invocation.status = 'InProgress';
    invocation.statusDetails = 'InProgress';
    invocation.startedAt = now();
    const run = parseHostScriptCommand(command.commandText);
    const result =
      run === undefined
        ? { exitCode: 127, stdout: '', stderr: "sandbox: simulated hosts run only Warden's own host scripts\n" }
        : await options.runner.run(invocation.instanceId, run).catch((error: unknown) => ({ exitCode: 1, stdout: '', stderr: `${String(error)}\n` }));
    invocation.finishedAt = now();
    invocation.responseCode = result.exitCode;
    invocation.stdout = result.stdout;
    invocation.stderr = result.stderr;
    invocation.status = result.exitCode === 0 ? 'Success' : 'Failed';
    invocation.statusDetails = invocation.status;
    if (command.outputS3BucketName !== undefined) {
      s3Objects.set(`${command.outputS3BucketName}/${s3Key(command, invocation.instanceId, 'stdout')}`, result.stdout);
      if (result.stderr !== '') s3Objects.set(`${command.outputS3BucketName}/${s3Key(command, invocation.instanceId, 'stderr')}`, result.stderr);
    }
  }

  async function execute(command: SimCommand): Promise<void> {
    const invocations = [...command.invocations.values()];
    const total = invocations.length;
    const maxErrors = countOf(command.maxErrors, total);
    let errors = 0;
    command.status = 'InProgress';
    command.statusDetails = 'InProgress';
    await mapLimit(invocations, Math.max(1, countOf(command.maxConcurrency, total)), async (invocation) => {
      if (errors > maxErrors) {
        invocation.status = 'Cancelled';
        invocation.statusDetails = 'Terminated';
        return;
      }
      await runInvocation(command, invocation);
      if (invocation.statusDetails === 'Failed' || invocation.statusDetails === 'ExecutionTimedOut') errors++;
    });
    const allSucceeded = invocations.every((i) => i.status === 'Success');
    command.status = errors > maxErrors ? 'Failed' : 'Success';
    command.statusDetails = errors > maxErrors ? 'Failed' : allSucceeded ? 'Success' : 'Incomplete';
  }

  function resolveTargets(targets: readonly Target[]): string[] | ServiceReply {
    let selected = options.fleet.list().filter((i) => i.state !== 'unregistered');
    for (const target of targets) {
      const values = new Set(target.Values);
      if (target.Key === 'InstanceIds') selected = selected.filter((i) => values.has(i.instanceId));
      else if (target.Key === 'tag-key') selected = selected.filter((i) => Object.keys(i.tags).some((k) => values.has(k)));
      else if (target.Key.startsWith('tag:')) {
        const tag = target.Key.slice('tag:'.length);
        selected = selected.filter((i) => i.tags[tag] !== undefined && values.has(i.tags[tag] ?? ''));
      } else return validation(`Target key ${target.Key} is not supported by the sandbox (use tag:NAME, tag-key or InstanceIds)`);
    }
    return selected.map((i) => i.instanceId).sort();
  }


  // ----- Command documents, per account. -----
  const documents = new Map<string, Map<string, SimDocument>>();
  const seed = options.documents === false ? [] : (options.documents ?? Object.values(wardenDocuments(loadHostScripts())));
  const sha256 = (content: string): string => createHash('sha256').update(content, 'utf8').digest('hex');

  /** Parses Command document content (JSON, schema 2.2, one aws:runShellScript step), as CreateDocument validates it. */
  function parseDocument(content: string, version: string): SimDocumentVersion | ServiceReply {
    if (Buffer.byteLength(content, 'utf8') > MAX_DOCUMENT_BYTES) return errorReply('MaxDocumentSizeExceeded', 'The size limit of a document is 64 KB.');
    const invalid = (why: string): ServiceReply => errorReply('InvalidDocumentContent', `Document content is not valid: ${why}`);
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch {
      return invalid('content is not JSON (the sandbox reads DocumentFormat JSON only)');
    }
    const doc = record(json);
    if (doc['schemaVersion'] !== '2.2') return errorReply('InvalidDocumentSchemaVersion', 'The sandbox supports Command documents of schemaVersion 2.2 only.');
    const parameters = new Map<string, { defaultValue?: string; allowedPattern?: RegExp; description?: string }>();
    for (const [name, spec] of Object.entries(record(doc['parameters']))) {
      const p = record(spec);
      if (p['type'] !== 'String') return invalid(`parameter ${name}: the sandbox supports type String only`);
      const pattern = text(p['allowedPattern']);
      let allowedPattern: RegExp | undefined;
      try {
        allowedPattern = pattern === undefined ? undefined : new RegExp(pattern);
      } catch {
        return invalid(`parameter ${name}: allowedPattern is not a regular expression`);
      }
      const defaultValue = text(p['default']);
      if (defaultValue !== undefined && allowedPattern !== undefined && !allowedPattern.test(defaultValue)) return invalid(`parameter ${name}: default does not match allowedPattern`);
      const description = text(p['description']);
      parameters.set(name, { ...(defaultValue !== undefined ? { defaultValue } : {}), ...(allowedPattern !== undefined ? { allowedPattern } : {}), ...(description !== undefined ? { description } : {}) });
    }
    const steps = Array.isArray(doc['mainSteps']) ? doc['mainSteps'].map(record) : [];
    const step = steps[0];
    if (steps.length !== 1 || step === undefined || step['action'] !== RUN_SHELL_SCRIPT_PLUGIN) return invalid('the sandbox runs documents of one aws:runShellScript step');
    const name = text(step['name']);
    const inputs = record(step['inputs']);
    const runCommand = textList(inputs['runCommand']);
    if (name === undefined || !/^[A-Za-z0-9_.-]+$/.test(name) || runCommand === undefined) return invalid('the step needs a name and inputs.runCommand (strings)');
    for (const used of [...runCommand, text(inputs['timeoutSeconds']) ?? ''].join('\n').matchAll(PARAMETER_REFERENCE)) {
      const ref = used[1] ?? '';
      if (!ref.startsWith('ssm:') && !parameters.has(ref)) return invalid(`{{ ${ref} }} is not a declared parameter`);
    }
    return { version, content, hash: sha256(content), createdAt: now(), parameters, step: { name, runCommand }, description: text(doc['description']) ?? '' };
  }

  function documentsOf(account: string): Map<string, SimDocument> {
    let own = documents.get(account);
    if (own === undefined) {
      own = new Map();
      for (const d of seed) {
        const parsed = parseDocument(d.content, '1');
        if (isReply(parsed)) throw new Error(`sandbox seed document ${d.name} is not valid`);
        own.set(d.name, { name: d.name, owner: account, versions: [parsed], defaultVersion: '1' });
      }
      documents.set(account, own);
    }
    return own;
  }

  const noDocument = (name: string): ServiceReply => errorReply('InvalidDocument', `Document with name ${name} does not exist.`);

  function versionOf(document: SimDocument, requested: string | undefined): SimDocumentVersion | ServiceReply {
    const wanted = requested === undefined || requested === '$DEFAULT' ? document.defaultVersion : requested === '$LATEST' ? String(document.versions.length) : requested;
    const found = /^[1-9][0-9]*$/.test(wanted) ? document.versions[Number(wanted) - 1] : undefined;
    return found ?? errorReply('InvalidDocumentVersion', `The document version ${requested ?? ''} is not valid or does not exist.`);
  }

  function documentDescription(document: SimDocument, version: SimDocumentVersion): Record<string, unknown> {
    return {
      Name: document.name,
      Owner: document.owner,
      Hash: version.hash,
      HashType: 'Sha256',
      CreatedDate: epochSeconds(version.createdAt),
      Status: 'Active',
      DocumentVersion: version.version,
      Description: version.description,
      Parameters: [...version.parameters].map(([name, p]) => ({
        Name: name,
        Type: 'String',
        ...(p.description !== undefined ? { Description: p.description } : {}),
        ...(p.defaultValue !== undefined ? { DefaultValue: p.defaultValue } : {}),
      })),
      PlatformTypes: ['Linux', 'MacOS'],
      DocumentType: 'Command',
      SchemaVersion: '2.2',
      LatestVersion: String(document.versions.length),
      DefaultVersion: document.defaultVersion,
      DocumentFormat: 'JSON',
    };
  }

  function createDocument(call: ServiceCall): ServiceReply {
    const input = record(call.input);
    const name = text(input['Name']);
    const content = text(input['Content']);
    if (name === undefined || content === undefined) return validation('Name and Content are required.');
    if (!DOCUMENT_NAME.test(name) || RESERVED_PREFIX.test(name)) return validation(`Document name ${name} is not valid (3 to 128 of a-z A-Z 0-9 _ - ., not starting with aws, amazon or amzn).`);
    if ((text(input['DocumentType']) ?? 'Command') !== 'Command') return errorReply('InvalidDocumentType', 'The sandbox supports Command documents only.');
    if ((text(input['DocumentFormat']) ?? 'JSON') !== 'JSON') return errorReply('InvalidDocumentContent', 'The sandbox reads DocumentFormat JSON only.');
    const own = documentsOf(call.account);
    if (own.has(name)) return errorReply('DocumentAlreadyExists', 'The specified document already exists.');
    const parsed = parseDocument(content, '1');
    if (isReply(parsed)) return parsed;
    const document: SimDocument = { name, owner: call.account, versions: [parsed], defaultVersion: '1' };
    own.set(name, document);
    return jsonReply({ DocumentDescription: documentDescription(document, parsed) });
  }

  function updateDocument(call: ServiceCall): ServiceReply {
    const input = record(call.input);
    const name = text(input['Name']) ?? '';
    const content = text(input['Content']);
    const document = documentsOf(call.account).get(name);
    if (document === undefined) return noDocument(name);
    if (content === undefined) return validation('Content is required.');
    if (document.versions.some((v) => v.content === content)) return errorReply('DuplicateDocumentContent', 'The content of the association document matches another document. Change the content of the document and try again.');
    const parsed = parseDocument(content, String(document.versions.length + 1));
    if (isReply(parsed)) return parsed;
    document.versions.push(parsed);
    return jsonReply({ DocumentDescription: documentDescription(document, parsed) });
  }

  /** The document and version a call's `Name` and `DocumentVersion` name, or SSM's error reply. */
  function namedVersion(call: ServiceCall) {
    const input = record(call.input);
    const name = text(input['Name']) ?? '';
    const document = documentsOf(call.account).get(name);
    if (document === undefined) return noDocument(name);
    const version = versionOf(document, text(input['DocumentVersion']));
    if (isReply(version)) return version;
    return { name, document, version };
  }

  function updateDocumentDefaultVersion(call: ServiceCall): ServiceReply {
    const named = namedVersion(call);
    if (isReply(named)) return named;
    named.document.defaultVersion = named.version.version;
    return jsonReply({ Description: { Name: named.name, DefaultVersion: named.version.version } });
  }

  function describeDocument(call: ServiceCall): ServiceReply {
    const named = namedVersion(call);
    if (isReply(named)) return named;
    return jsonReply({ Document: documentDescription(named.document, named.version) });
  }

  /** What SendCommand's document, version, hash and parameters resolve to: the text the agent would run. */
  function resolveCommand(
    call: ServiceCall,
    input: Record<string, unknown>,
    documentName: string,
  ): { documentVersion: string; commandText: string; plugin: { name: string; s3Folder: string }; parameters: Record<string, string[]> } | ServiceReply {
    const given: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(record(input['Parameters']))) {
      const list = textList(value);
      if (list === undefined) return errorReply('InvalidParameters', `Parameter "${name}" must be a list of strings.`);
      given[name] = list;
    }
    if (documentName === DOCUMENT) {
      for (const name of Object.keys(given)) {
        if (!['commands', 'workingDirectory', 'executionTimeout'].includes(name)) return errorReply('InvalidParameters', `Parameter "${name}" is not valid for document ${DOCUMENT}.`);
      }
      if ((given['commands'] ?? []).length === 0) return errorReply('InvalidParameters', 'Parameter "commands" is required.');
      return { documentVersion: '1', commandText: (given['commands'] ?? []).join('\n'), plugin: { name: RUN_SHELL_SCRIPT_PLUGIN, s3Folder: 'awsrunShellScript/0.awsrunshellscript' }, parameters: given };
    }
    const document = documentsOf(call.account).get(documentName);
    if (document === undefined) return noDocument(documentName);
    const version = versionOf(document, text(input['DocumentVersion']));
    if (isReply(version)) return version;
    const hash = text(input['DocumentHash']);
    if (hash !== undefined) {
      const hashType = text(input['DocumentHashType']) ?? 'Sha256';
      if (hashType !== 'Sha256' || hash !== version.hash) {
        return errorReply('InvalidDocument', `The document hash for ${documentName} (version ${version.version}) does not match the DocumentHash in the request.`);
      }
    }
    const values = new Map<string, string>();
    for (const [name, list] of Object.entries(given)) {
      const spec = version.parameters.get(name);
      if (spec === undefined) return errorReply('InvalidParameters', `Parameter "${name}" is not defined in document ${documentName}.`);
      if (list.length !== 1) return errorReply('InvalidParameters', `Parameter "${name}" is of type String: give exactly one value.`);
      const value = list[0] ?? '';
      if (spec.allowedPattern !== undefined && !spec.allowedPattern.test(value)) {
        return errorReply('InvalidParameters', `Parameter "${name}" has a value that does not match the allowed pattern ${spec.allowedPattern.source}.`);
      }
      values.set(name, value);
    }
    for (const [name, spec] of version.parameters) {
      if (values.has(name)) continue;
      if (spec.defaultValue === undefined) return errorReply('InvalidParameters', `Parameter "${name}" is required by document ${documentName}.`);
      values.set(name, spec.defaultValue);
    }
    const parameterBytes = [...Object.entries(given)].reduce((n, [name, list]) => n + Buffer.byteLength(name) + list.reduce((m, v) => m + Buffer.byteLength(v), 0), 0);
    if (Buffer.byteLength(version.content) + parameterBytes > MAX_DOCUMENT_BYTES) {
      return errorReply('MaxDocumentSizeExceeded', 'The content of the document must not exceed 64KB, including the content specified for input parameters at runtime.');
    }
    const commandText = version.step.runCommand.join('\n').replace(PARAMETER_REFERENCE, (whole, ref: string) => values.get(ref) ?? whole);
    return {
      documentVersion: version.version,
      commandText,
      plugin: { name: version.step.name, s3Folder: `awsrunShellScript/${version.step.name}` },
      parameters: given,
    };
  }

  function sendCommand(call: ServiceCall): ServiceReply | Promise<ServiceReply> {
    const input = record(call.input);
    const documentName = text(input['DocumentName']);
    if (documentName === undefined) return validation("1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null");
    const instanceIds = input['InstanceIds'] === undefined ? undefined : textList(input['InstanceIds']);
    const targets = input['Targets'] === undefined ? undefined : (Array.isArray(input['Targets']) ? input['Targets'] : []).map(record);
    if ((instanceIds === undefined || instanceIds.length === 0) === (targets === undefined || targets.length === 0)) {
      return validation('Specify either InstanceIds or Targets, not both and not neither.');
    }
    if (instanceIds !== undefined && instanceIds.length > MAX_INSTANCE_IDS) {
      return validation(`1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INSTANCE_IDS}`);
    }
    const parsedTargets: Target[] = [];
    for (const t of targets ?? []) {
      const key = text(t['Key']);
      const values = textList(t['Values']);
      if (key === undefined || values === undefined || values.length === 0) return validation('Each target needs a Key and at least one value.');
      parsedTargets.push({ Key: key, Values: values });
    }
    if (parsedTargets.length > 5) return validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 5");
    const resolvedDocument = resolveCommand(call, input, documentName);
    if (isReply(resolvedDocument)) return resolvedDocument;
    const { parameters } = resolvedDocument;
    const maxConcurrency = text(input['MaxConcurrency']) ?? '50';
    const maxErrors = text(input['MaxErrors']) ?? '0';
    if (!CONCURRENCY.test(maxConcurrency)) return validation(`Value '${maxConcurrency}' at 'maxConcurrency' failed to satisfy constraint: Member must satisfy regular expression pattern`);
    if (!ERRORS.test(maxErrors)) return validation(`Value '${maxErrors}' at 'maxErrors' failed to satisfy constraint: Member must satisfy regular expression pattern`);
    const timeoutSeconds = input['TimeoutSeconds'] === undefined ? 3600 : Number(input['TimeoutSeconds']);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30 || timeoutSeconds > 2_592_000) return validation('TimeoutSeconds must be between 30 and 2592000.');

    let resolved: string[];
    if (instanceIds !== undefined && instanceIds.length > 0) {
      const invalid = instanceIds.filter((id) => {
        const instance = options.fleet.get(id);
        return instance === undefined || instance.state === 'unregistered';
      });
      if (invalid.length > 0) return errorReply('InvalidInstanceId', `Instances [[${invalid.join(', ')}]] not in a valid state for account ${call.account}`);
      resolved = [...new Set(instanceIds)];
    } else {
      const selected = resolveTargets(parsedTargets);
      if (isReply(selected)) return selected;
      resolved = selected;
    }

    const bucket = text(input['OutputS3BucketName']);
    const prefix = text(input['OutputS3KeyPrefix']);
    const comment = text(input['Comment']);
    if (comment !== undefined && comment.length > 100) return validation("1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100");
    const command: SimCommand = {
      commandId: randomUUID(),
      documentName,
      documentVersion: resolvedDocument.documentVersion,
      commandText: resolvedDocument.commandText,
      plugin: resolvedDocument.plugin,
      account: call.account,
      region: call.region,
      ...(comment !== undefined ? { comment } : {}),
      requestedAt: now(),
      instanceIds: instanceIds ?? [],
      targets: parsedTargets,
      parameters,
      maxConcurrency,
      maxErrors,
      timeoutSeconds,
      ...(bucket !== undefined ? { outputS3BucketName: bucket } : {}),
      ...(prefix !== undefined ? { outputS3KeyPrefix: prefix } : {}),
      invocations: new Map(
        resolved.map((instanceId) => [
          instanceId,
          { instanceId, status: 'Pending', statusDetails: 'Pending', responseCode: -1, stdout: '', stderr: '', hiddenLookups: options.invocationLag ?? 0 },
        ]),
      ),
      status: 'Pending',
      statusDetails: 'Pending',
    };
    commands.set(command.commandId, command);
    const done = execute(command).finally(() => running.delete(done));
    running.add(done);
    const answer = (): ServiceReply => jsonReply({ Command: commandJson(command) });
    return options.runOnSend === true ? done.then(answer) : answer();
  }

  function commandJson(command: SimCommand): Record<string, unknown> {
    const invocations = [...command.invocations.values()];
    const terminal = invocations.filter((i) => !['Pending', 'InProgress', 'Delayed', 'Cancelling'].includes(i.status));
    return {
      CommandId: command.commandId,
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      ...(command.comment !== undefined ? { Comment: command.comment } : {}),
      RequestedDateTime: epochSeconds(command.requestedAt),
      Status: command.status,
      StatusDetails: command.statusDetails,
      InstanceIds: command.instanceIds,
      Targets: command.targets,
      Parameters: command.parameters,
      MaxConcurrency: command.maxConcurrency,
      MaxErrors: command.maxErrors,
      TimeoutSeconds: command.timeoutSeconds,
      TargetCount: invocations.length,
      CompletedCount: terminal.length,
      ErrorCount: invocations.filter((i) => i.statusDetails === 'Failed' || i.statusDetails === 'ExecutionTimedOut').length,
      DeliveryTimedOutCount: invocations.filter((i) => i.statusDetails === 'DeliveryTimedOut').length,
      ...(command.outputS3BucketName !== undefined ? { OutputS3BucketName: command.outputS3BucketName } : {}),
      ...(command.outputS3KeyPrefix !== undefined ? { OutputS3KeyPrefix: command.outputS3KeyPrefix } : {}),
    };
  }

  const truncate = (value: string, limit: number): string => (value.length <= limit ? value : value.slice(0, limit));

  function invocationJson(command: SimCommand, invocation: SimInvocation, details: boolean): Record<string, unknown> {
    const finished = invocation.finishedAt !== undefined;
    const pluginOutput = `${invocation.stdout}${invocation.stderr !== '' ? `\n----------ERROR-------\n${invocation.stderr}` : ''}`;
    return {
      CommandId: command.commandId,
      InstanceId: invocation.instanceId,
      InstanceName: options.fleet.get(invocation.instanceId)?.name ?? '',
      ...(command.comment !== undefined ? { Comment: command.comment } : {}),
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      RequestedDateTime: epochSeconds(command.requestedAt),
      Status: invocation.status,
      StatusDetails: invocation.statusDetails,
      TraceOutput: '',
      StandardOutputUrl: s3Url(command, invocation.instanceId, 'stdout'),
      StandardErrorUrl: s3Url(command, invocation.instanceId, 'stderr'),
      ...(details
        ? {
            CommandPlugins: [
              {
                Name: command.plugin.name,
                Status: invocation.status === 'Delayed' ? 'Pending' : invocation.status === 'Cancelling' ? 'InProgress' : invocation.status,
                StatusDetails: invocation.statusDetails,
                ResponseCode: invocation.responseCode,
                ...(invocation.startedAt !== undefined ? { ResponseStartDateTime: epochSeconds(invocation.startedAt) } : {}),
                ...(finished ? { ResponseFinishDateTime: epochSeconds(invocation.finishedAt) } : {}),
                Output: finished ? (pluginOutput.length <= PLUGIN_OUTPUT_LIMIT ? pluginOutput : `${pluginOutput.slice(0, PLUGIN_OUTPUT_LIMIT - TRUNCATED.length)}${TRUNCATED}`) : '',
                StandardOutputUrl: s3Url(command, invocation.instanceId, 'stdout'),
                StandardErrorUrl: s3Url(command, invocation.instanceId, 'stderr'),
                ...(command.outputS3BucketName !== undefined ? { OutputS3BucketName: command.outputS3BucketName, OutputS3KeyPrefix: command.outputS3KeyPrefix ?? '' } : {}),
              },
            ],
          }
        : {}),
    };
  }

  function listCommands(call: ServiceCall): ServiceReply {
    const input = record(call.input);
    const commandId = text(input['CommandId']);
    const instanceId = text(input['InstanceId']);
    if (commandId !== undefined && !commands.has(commandId)) return errorReply('InvalidCommandId', `Command ${commandId} doesn't exist.`);
    const matching = [...commands.values()].filter(
      (c) => c.account === call.account && (commandId === undefined || c.commandId === commandId) && (instanceId === undefined || c.invocations.has(instanceId)),
    );
    const result = page(matching, input);
    if (isReply(result)) return result;
    return jsonReply({ Commands: result.items.map(commandJson), ...(result.nextToken !== undefined ? { NextToken: result.nextToken } : {}) });
  }

  function listCommandInvocations(call: ServiceCall): ServiceReply {
    const input = record(call.input);
    const commandId = text(input['CommandId']);
    const instanceId = text(input['InstanceId']);
    const details = input['Details'] === true;
    const matching = [...commands.values()]
      .filter((c) => c.account === call.account && (commandId === undefined || c.commandId === commandId))
      .flatMap((c) => [...c.invocations.values()].filter((i) => instanceId === undefined || i.instanceId === instanceId).map((i) => ({ c, i })));
    const result = page(matching, input);
    if (isReply(result)) return result;
    return jsonReply({
      CommandInvocations: result.items.map(({ c, i }) => invocationJson(c, i, details)),
      ...(result.nextToken !== undefined ? { NextToken: result.nextToken } : {}),
    });
  }

  function getCommandInvocation(call: ServiceCall): ServiceReply {
    const input = record(call.input);
    const commandId = text(input['CommandId']);
    const instanceId = text(input['InstanceId']);
    if (commandId === undefined || instanceId === undefined) return validation('CommandId and InstanceId are required.');
    const pluginName = text(input['PluginName']);
    const command = commands.get(commandId);
    const invocation = command?.account === call.account ? command.invocations.get(instanceId) : undefined;
    if (command === undefined || invocation === undefined || (pluginName !== undefined && pluginName !== command.plugin.name && !(command.plugin.name === RUN_SHELL_SCRIPT_PLUGIN && pluginName === 'runShellScript'))) {
      return errorReply('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation');
    }
    if (invocation.hiddenLookups > 0) {
      invocation.hiddenLookups--;
      return errorReply('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation');
    }
    const finished = invocation.finishedAt !== undefined;
    return jsonReply({
      CommandId: command.commandId,
      InstanceId: instanceId,
      ...(command.comment !== undefined ? { Comment: command.comment } : {}),
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      PluginName: command.plugin.name,
      ResponseCode: invocation.responseCode,
      ExecutionStartDateTime: invocation.startedAt?.toISOString() ?? '',
      ExecutionEndDateTime: invocation.finishedAt?.toISOString() ?? '',
      Status: invocation.status,
      StatusDetails: invocation.statusDetails,
      StandardOutputContent: finished ? truncate(invocation.stdout, STDOUT_LIMIT) : '',
      StandardOutputUrl: s3Url(command, instanceId, 'stdout'),
      StandardErrorContent: finished ? truncate(invocation.stderr, STDERR_LIMIT) : '',
      StandardErrorUrl: s3Url(command, instanceId, 'stderr'),
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    });
  }

  function describeInstanceInformation(call: ServiceCall): ServiceReply {
    const input = record(call.input);
    const wanted = new Set<string>();
    for (const filter of Array.isArray(input['Filters']) ? input['Filters'].map(record) : []) {
      if (text(filter['Key']) === 'InstanceIds') for (const id of textList(filter['Values']) ?? []) wanted.add(id);
    }
    for (const filter of Array.isArray(input['InstanceInformationFilterList']) ? input['InstanceInformationFilterList'].map(record) : []) {
      if (text(filter['key']) === 'InstanceIds') for (const id of textList(filter['valueSet']) ?? []) wanted.add(id);
    }
    const instances = options.fleet
      .list()
      .filter((i) => i.state !== 'unregistered' && (wanted.size === 0 || wanted.has(i.instanceId)))
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
    const result = page(instances, input);
    if (isReply(result)) return result;
    return jsonReply({
      InstanceInformationList: result.items.map((i) => ({
        InstanceId: i.instanceId,
        PingStatus: i.state === 'online' ? 'Online' : i.state === 'offline' ? 'ConnectionLost' : 'Inactive',
        PlatformType: 'Linux',
        PlatformName: 'Simulated Linux',
        ResourceType: 'EC2Instance',
        ...(i.name !== undefined ? { ComputerName: i.name } : {}),
        AgentVersion: '3.3.0.0',
      })),
      ...(result.nextToken !== undefined ? { NextToken: result.nextToken } : {}),
    });
  }

  const service = jsonService({
    name: 'ssm',
    targetPrefix: 'AmazonSSM',
    actions: {
      SendCommand: sendCommand,
      CreateDocument: createDocument,
      UpdateDocument: updateDocument,
      UpdateDocumentDefaultVersion: updateDocumentDefaultVersion,
      DescribeDocument: describeDocument,
      ListCommands: listCommands,
      ListCommandInvocations: listCommandInvocations,
      GetCommandInvocation: getCommandInvocation,
      DescribeInstanceInformation: describeInstanceInformation,
    },
  });

  return {
    service,
    s3Objects,
    commands: () =>
      [...commands.values()].map((c) => {
        const run = parseHostScriptCommand(c.commandText);
        return {
          commandId: c.commandId,
          documentName: c.documentName,
          parameters: c.parameters,
          status: c.status,
          instanceIds: c.instanceIds,
          targets: c.targets,
          maxConcurrency: c.maxConcurrency,
          maxErrors: c.maxErrors,
          ...(run !== undefined ? { script: run.script } : {}),
          invocations: [...c.invocations.values()].map((i) => ({ instanceId: i.instanceId, status: i.status, statusDetails: i.statusDetails })),
        };
      }),
    settle: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
