import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type SSMClient,
  type Target,
} from '@aws-sdk/client-ssm';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from '../sdk';
import { describeAwsError, type AwsErrorInfo } from '../../../errors';
import type { CommandDocument } from './documents';

/** SendCommand takes at most this many instance ids. */
export const MAX_INSTANCE_IDS_PER_COMMAND = 50;

/** How long to wait between status checks: from `firstDelayMs`, times `factor`, up to `maxDelayMs`. */
export interface PollOptions {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

/**
 * First look after 2 s (a small command is done by then), then doubling to one look every 30 s: a fleet command that
 * runs for 5 minutes costs 10 ListCommands calls, one that runs 10 s costs 3.
 */
export const DEFAULT_POLL: PollOptions = { firstDelayMs: 2_000, maxDelayMs: 30_000, factor: 2 };

/** Reads full command output that SSM wrote to S3 (`OutputS3BucketName`). */
export interface OutputStore {
  read(bucket: string, key: string): Promise<string>;
}

/** An OutputStore over S3 GetObject. */
export function s3OutputStore(client: S3Client): OutputStore {
  return {
    read: async (bucket, key) => {
      const out = await client.send(new (s3Sdk().GetObjectCommand)({ Bucket: bucket, Key: key }));
      if (out.Body === undefined) return '';
      return out.Body.transformToString('utf8');
    },
  };
}

/** Where SendCommand sends a command: explicit instances (at most 50) or SSM targets (tags). */
export type CommandScope =
  | { readonly kind: 'instances'; readonly instanceIds: readonly string[] }
  | { readonly kind: 'targets'; readonly targets: readonly Target[] };

export interface CommandSpec {
  readonly scope: CommandScope;
  /** Warden's own document, named with the hash of the content Warden ships: SSM refuses the command if they differ. */
  readonly document: Pick<CommandDocument, 'name' | 'hash'>;
  /** The document's `Arguments` parameter (quoted base64 words; see documents.ts). */
  readonly arguments: string;
  readonly comment: string;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  /** Delivery timeout (SendCommand TimeoutSeconds): how long SSM tries to reach an offline instance. */
  readonly deliveryTimeoutSeconds: number;
  /** The document's executionTimeout parameter. */
  readonly executionTimeoutSeconds: number;
}

/** One instance's invocation of a command, as ListCommandInvocations (with Details) reports it. */
export interface InvocationReport {
  readonly instanceId: string;
  readonly status: string;
  readonly statusDetails: string;
  readonly responseCode?: number;
  /** The plugin's Output: the first 2,500 characters of stdout, then stderr after SSM's `----------ERROR-------` line. */
  readonly preview: string;
  readonly stdoutUrl?: string;
}

/** A command's stdout and stderr as GetCommandInvocation reports them (24,000 and 8,000 characters at most). */
export interface InvocationOutput {
  readonly status: string;
  readonly statusDetails: string;
  readonly responseCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutUrl?: string;
}

export type Sent = { readonly ok: true; readonly commandId: string } | { readonly ok: false; readonly error: AwsErrorInfo };

const TERMINAL_INVOCATION: ReadonlySet<string> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);
const TERMINAL_COMMAND: ReadonlySet<string> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);
const ERROR_MARKER = '\n----------ERROR-------\n';

/** Whether an invocation status is final (Success, Cancelled, TimedOut, Failed). */
export const isTerminalInvocation = (status: string): boolean => TERMINAL_INVOCATION.has(status);

/** What SSM appends to a plugin Output it cut at 2,500 characters. */
export const TRUNCATION_MARKER = '\n---Output truncated---';

/** Whether a full output read elsewhere (S3) begins with the stdout part of SSM's own preview. */
export function agreesWithPreview(full: string, previewStdout: string): boolean {
  const known = previewStdout.endsWith(TRUNCATION_MARKER) ? previewStdout.slice(0, -TRUNCATION_MARKER.length) : previewStdout;
  return full.startsWith(known);
}

/** Splits a plugin Output preview into its stdout and stderr parts. */
export function splitPreview(preview: string): { readonly stdout: string; readonly stderr: string } {
  const at = preview.indexOf(ERROR_MARKER);
  return at < 0 ? { stdout: preview, stderr: '' } : { stdout: preview.slice(0, at), stderr: preview.slice(at + ERROR_MARKER.length) };
}

/** The S3 key of an output URL (`https://s3.REGION.amazonaws.com/BUCKET/KEY` or `https://BUCKET.s3…/KEY`). */
export function s3KeyOf(url: string, bucket: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const pathname = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
  if (parsed.hostname.startsWith(`${bucket}.`)) return pathname === '' ? undefined : pathname;
  return pathname.startsWith(`${bucket}/`) ? pathname.slice(bucket.length + 1) : undefined;
}

/** What RunCommand needs: the client, output settings and a clock it can wait on (tests pass instant ones). */
export interface RunCommandDeps {
  readonly client: SSMClient;
  readonly poll: PollOptions;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly output?: { readonly bucket: string; readonly keyPrefix?: string; readonly store: OutputStore };
}

/** The SSM Run Command calls Warden makes: send, wait with backoff, list invocations, read output without loss. */
export class RunCommand {
  constructor(private readonly deps: RunCommandDeps) {}

  async send(spec: CommandSpec): Promise<Sent> {
    const { scope } = spec;
    const output = this.deps.output;
    try {
      const out = await this.deps.client.send(
        new SendCommandCommand({
          DocumentName: spec.document.name,
          DocumentHash: spec.document.hash,
          DocumentHashType: 'Sha256',
          ...(scope.kind === 'instances' ? { InstanceIds: [...scope.instanceIds] } : { Targets: [...scope.targets] }),
          Parameters: { Arguments: [spec.arguments], executionTimeout: [String(spec.executionTimeoutSeconds)] },
          Comment: spec.comment,
          MaxConcurrency: spec.maxConcurrency,
          MaxErrors: spec.maxErrors,
          TimeoutSeconds: spec.deliveryTimeoutSeconds,
          ...(output !== undefined
            ? { OutputS3BucketName: output.bucket, ...(output.keyPrefix !== undefined ? { OutputS3KeyPrefix: output.keyPrefix } : {}) }
            : {}),
        }),
      );
      const commandId = out.Command?.CommandId;
      if (commandId === undefined) return { ok: false, error: describeAwsError(new Error('SendCommand returned no CommandId')) };
      return { ok: true, commandId };
    } catch (error) {
      return { ok: false, error: describeAwsError(error) };
    }
  }

  /**
   * Waits until the command is final (ListCommands, with backoff) or `deadline` passes, then lists every invocation
   * with its plugin output. Invocations still running at the deadline come back with their current status.
   */
  async finish(commandId: string, deadline: number): Promise<InvocationReport[]> {
    let delay = this.deps.poll.firstDelayMs;
    for (;;) {
      await this.deps.sleep(delay);
      const status = await this.commandStatus(commandId);
      if (status !== undefined && TERMINAL_COMMAND.has(status)) break;
      if (this.deps.now() + delay > deadline) break;
      delay = Math.min(this.deps.poll.maxDelayMs, delay * this.deps.poll.factor);
    }
    return this.invocations(commandId);
  }

  /** The command's status; undefined while SSM does not list it yet (right after SendCommand), which is "not final", not an error. */
  private async commandStatus(commandId: string): Promise<string | undefined> {
    try {
      return (await this.deps.client.send(new ListCommandsCommand({ CommandId: commandId }))).Commands?.[0]?.Status;
    } catch (error) {
      if (describeAwsError(error).code === 'InvalidCommandId') return undefined;
      throw error;
    }
  }

  /** Every invocation of a command, with Details (50 a page). */
  async invocations(commandId: string): Promise<InvocationReport[]> {
    const reports: InvocationReport[] = [];
    let token: string | undefined;
    do {
      const out = await this.deps.client.send(
        new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, MaxResults: 50, ...(token !== undefined ? { NextToken: token } : {}) }),
      );
      for (const invocation of out.CommandInvocations ?? []) {
        if (invocation.InstanceId === undefined) continue;
        const plugin = invocation.CommandPlugins?.[0];
        const stdoutUrl = plugin?.StandardOutputUrl ?? invocation.StandardOutputUrl;
        reports.push({
          instanceId: invocation.InstanceId,
          status: invocation.Status ?? 'Pending',
          statusDetails: invocation.StatusDetails ?? invocation.Status ?? 'Pending',
          ...(plugin?.ResponseCode !== undefined ? { responseCode: plugin.ResponseCode } : {}),
          preview: plugin?.Output ?? '',
          ...(stdoutUrl !== undefined && stdoutUrl !== '' ? { stdoutUrl } : {}),
        });
      }
      token = out.NextToken;
    } while (token !== undefined && token !== '');
    return reports;
  }

  /**
   * Waits for one invocation with GetCommandInvocation and returns its output. InvocationDoesNotExist right after
   * SendCommand only means SSM has not registered the invocation yet: it is retried until the deadline.
   */
  async output(commandId: string, instanceId: string, deadline: number, waitFirst = true): Promise<InvocationOutput> {
    let delay = this.deps.poll.firstDelayMs;
    let first = true;
    for (;;) {
      if (waitFirst || !first) await this.deps.sleep(delay);
      first = false;
      try {
        const out = await this.deps.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        const status = out.Status ?? 'Pending';
        const result: InvocationOutput = {
          status,
          statusDetails: out.StatusDetails ?? status,
          ...(out.ResponseCode !== undefined ? { responseCode: out.ResponseCode } : {}),
          stdout: out.StandardOutputContent ?? '',
          stderr: out.StandardErrorContent ?? '',
          ...(out.StandardOutputUrl !== undefined && out.StandardOutputUrl !== '' ? { stdoutUrl: out.StandardOutputUrl } : {}),
        };
        if (isTerminalInvocation(status) || this.deps.now() + delay > deadline) return result;
      } catch (error) {
        const info = describeAwsError(error);
        if (info.code !== 'InvocationDoesNotExist') throw error;
        if (this.deps.now() + delay > deadline) return { status: 'Pending', statusDetails: 'InvocationDoesNotExist', stdout: '', stderr: '' };
      }
      delay = Math.min(this.deps.poll.maxDelayMs, delay * this.deps.poll.factor);
    }
  }

  /**
   * The whole stdout from S3 when the command wrote it there; undefined without an output bucket, on any S3 error, or
   * when it does not begin with what SSM itself reported (`previewStdout`): an object in the bucket may be written by
   * any instance allowed to write there, so SSM's own preview is the part that cannot be forged.
   */
  async fullStdout(commandId: string, instanceId: string, stdoutUrl: string | undefined, step: string, previewStdout?: string): Promise<string | undefined> {
    const output = this.deps.output;
    if (output === undefined) return undefined;
    const prefix = output.keyPrefix !== undefined && output.keyPrefix !== '' ? `${output.keyPrefix.replace(/\/+$/, '')}/` : '';
    const key =
      (stdoutUrl !== undefined ? s3KeyOf(stdoutUrl, output.bucket) : undefined) ??
      `${prefix}${commandId}/${instanceId}/awsrunShellScript/${step}/stdout`;
    try {
      const full = await output.store.read(output.bucket, key);
      return previewStdout === undefined || agreesWithPreview(full, previewStdout) ? full : undefined;
    } catch {
      // Missing or unreadable: the caller falls back to GetCommandInvocation and paging.
      return undefined;
    }
  }

  /** Which of these instances SSM manages (DescribeInstanceInformation), to tell an unmanaged one from the rest of a batch. */
  async managed(instanceIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    let token: string | undefined;
    do {
      const out = await this.deps.client.send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'InstanceIds', Values: [...instanceIds] }],
          MaxResults: 50,
          ...(token !== undefined ? { NextToken: token } : {}),
        }),
      );
      for (const info of out.InstanceInformationList ?? []) if (info.InstanceId !== undefined) found.add(info.InstanceId);
      token = out.NextToken;
    } while (token !== undefined && token !== '');
    return found;
  }
}
