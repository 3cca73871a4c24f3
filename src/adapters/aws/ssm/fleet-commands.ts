import type { SSMClient } from '@aws-sdk/client-ssm';
import { sleep as realSleep } from '../../../lib/concurrency';
import { loadHostScripts, type HostScripts } from '../../hosts/host-script-protocol';
import { wardenDocuments, type CommandDocument, type DocumentKind } from './documents';
import { DEFAULT_POLL, RunCommand, isTerminalInvocation, type InvocationReport, type OutputStore, type PollOptions } from './run-command';

/** What the SSM host fleet's inventory reader and revoker share: options, Run Command, Warden's documents, deadlines. */

/** A config `hosts.targets` entry: `{ key: "tag:Warden", values: [managed] }`. */
export interface HostTarget {
  readonly key: string;
  readonly values: readonly string[];
}

export interface SsmHostFleetOptions {
  readonly client: SSMClient;
  /** The AWS account the instances are in (reported on every host), or how to learn it once. */
  readonly account: string | (() => Promise<string>);
  /** SSM targets; several entries must all match (SSM's AND). A bare key such as `Warden` means `tag:Warden`. */
  readonly targets?: readonly HostTarget[];
  /** Explicit instances, sent in batches of 50; those the targets already reached are not asked twice. */
  readonly instanceIds?: readonly string[];
  /** SSM MaxConcurrency for inventory and revoke commands (default "10"). */
  readonly maxConcurrency?: string;
  /** End the sessions of locked accounts (pkill), default true. */
  readonly killSessions?: boolean;
  /** Where SSM writes full output; without it, large inventories are read in pages. */
  readonly output?: { readonly bucket: string; readonly keyPrefix?: string; readonly store: OutputStore };
  readonly poll?: Partial<PollOptions>;
  /** How long SSM keeps trying to reach an offline instance (SendCommand TimeoutSeconds, default 120, at least 30). */
  readonly deliveryTimeoutSeconds?: number;
  /** How long a script may run on a host (executionTimeout, default 300). */
  readonly executionTimeoutSeconds?: number;
  /** GetCommandInvocation and S3 reads in flight at once (default 8). */
  readonly readConcurrency?: number;
  /** The host scripts whose documents the stack created (the repository's scripts/host by default): their hash is sent. */
  readonly scripts?: HostScripts;
  /** Commands (a batch of up to 50 instances each) in flight at once (default 4). */
  readonly commandConcurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** The fleet's shared command machinery, built once from its options. */
export interface FleetCommands {
  readonly options: SsmHostFleetOptions;
  readonly run: RunCommand;
  readonly deliveryTimeoutSeconds: number;
  readonly executionTimeoutSeconds: number;
  /** The host scripts, read on first use (never at construction). */
  scripts(): HostScripts;
  documents(): Readonly<Record<DocumentKind, CommandDocument>>;
  /** When a command sent now must have finished, delivery and execution included. */
  deadline(): number;
}

export function fleetCommands(options: SsmHostFleetOptions): FleetCommands {
  const now = options.now ?? Date.now;
  const run = new RunCommand({
    client: options.client,
    poll: { ...DEFAULT_POLL, ...options.poll },
    sleep: options.sleep ?? realSleep,
    now,
    ...(options.output !== undefined ? { output: options.output } : {}),
  });
  const deliveryTimeoutSeconds = Math.max(30, options.deliveryTimeoutSeconds ?? 120);
  const executionTimeoutSeconds = options.executionTimeoutSeconds ?? 300;
  const scripts = (): HostScripts => options.scripts ?? loadHostScripts();
  let documentCache: Readonly<Record<DocumentKind, CommandDocument>> | undefined;
  return {
    options,
    run,
    deliveryTimeoutSeconds,
    executionTimeoutSeconds,
    scripts,
    documents: () => (documentCache ??= wardenDocuments(scripts())),
    deadline: () => now() + (deliveryTimeoutSeconds + executionTimeoutSeconds + 60) * 1000,
  };
}

/** Items in slices of at most `size` (SSM takes 50 instance ids a command). */
export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** The line of a script's stderr that says why it failed: its own `warden:` message, else the last line. */
const failureLine = (stderr: string): string => {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => l.startsWith('warden:')) ?? lines.at(-1) ?? '';
};

/** Why an invocation that is not Success gave no inventory, in words an operator can act on. */
export function describeInvocationFailure(report: Pick<InvocationReport, 'status' | 'statusDetails' | 'responseCode'>, stderr: string, what: string): string {
  const details = report.statusDetails.replace(/\s+/g, '');
  switch (details) {
    case 'DeliveryTimedOut':
      return `SSM could not deliver the ${what} command (${report.status}/DeliveryTimedOut): instance offline or its SSM agent not connected`;
    case 'Undeliverable':
      return `SSM could not deliver the ${what} command (${report.status}/Undeliverable): instance gone or not responding`;
    case 'ExecutionTimedOut':
      return `${what} script ran out of time on the host (${report.status}/ExecutionTimedOut)`;
    case 'Terminated':
      return `SSM stopped the ${what} command after too many errors elsewhere (${report.status}/Terminated)`;
    case 'Failed': {
      const why = failureLine(stderr);
      return `${what} script failed on the host (exit ${report.responseCode ?? '?'})${why !== '' ? `: ${why}` : ''}`;
    }
    default:
      return isTerminalInvocation(report.status)
        ? `${what} command ended ${report.status}/${report.statusDetails}`
        : `no answer in time (SSM status ${report.status}/${report.statusDetails})`;
  }
}
