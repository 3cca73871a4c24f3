/**
 * A simulated AWS Systems Manager Run Command (awsJson1_1, `AmazonSSM.*`): SendCommand, ListCommands,
 * ListCommandInvocations, GetCommandInvocation and DescribeInstanceInformation, answered by running Warden's host
 * scripts on simulated instances (see hosts.ts). Statuses, output limits and errors follow the SSM API reference:
 * invocation Status Pending | InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling, with
 * StatusDetails such as `DeliveryTimedOut`, `Undeliverable` and `Terminated`; GetCommandInvocation keeps the first
 * 24,000 characters of stdout and 8,000 of stderr, ListCommandInvocations' plugin Output the first 2,500.
 */
import { randomUUID } from 'node:crypto';
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

interface SimCommand {
  readonly commandId: string;
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
    `${command.commandId}/${instanceId}/awsrunShellScript/0.awsrunshellscript/${stream}`;
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
    const commandText = (command.parameters['commands'] ?? []).join('\n');
    const run = parseHostScriptCommand(commandText);
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

  function sendCommand(call: ServiceCall): ServiceReply | Promise<ServiceReply> {
    const input = record(call.input);
    const documentName = text(input['DocumentName']);
    if (documentName === undefined) return validation("1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null");
    if (documentName !== DOCUMENT) return errorReply('InvalidDocument', `Document with name ${documentName} does not exist.`);
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
    const parameters: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(record(input['Parameters']))) {
      const list = textList(value);
      if (list === undefined || !['commands', 'workingDirectory', 'executionTimeout'].includes(name)) return errorReply('InvalidParameters', `Parameter "${name}" is not valid for document ${DOCUMENT}.`);
      parameters[name] = list;
    }
    if ((parameters['commands'] ?? []).length === 0) return errorReply('InvalidParameters', 'Parameter "commands" is required.');
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
    const command: SimCommand = {
      commandId: randomUUID(),
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
      DocumentName: DOCUMENT,
      DocumentVersion: '$DEFAULT',
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
      DocumentName: DOCUMENT,
      DocumentVersion: '$DEFAULT',
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
                Name: RUN_SHELL_SCRIPT_PLUGIN,
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
    if (command === undefined || invocation === undefined || (pluginName !== undefined && !['aws:runShellScript', 'runShellScript'].includes(pluginName))) {
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
      DocumentName: DOCUMENT,
      DocumentVersion: '$DEFAULT',
      PluginName: RUN_SHELL_SCRIPT_PLUGIN,
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
        const run = parseHostScriptCommand((c.parameters['commands'] ?? []).join('\n'));
        return {
          commandId: c.commandId,
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
