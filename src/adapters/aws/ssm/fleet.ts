import type { SSMClient, Target } from '@aws-sdk/client-ssm';
import type { HostInventory } from '../../../domain/inventory';
import type { Action } from '../../../domain/plan';
import { mapLimit, sleep as realSleep } from '../../../lib/concurrency';
import type { ActionOutcome, HostFleet } from '../../../ports';
import {
  HostScriptInputError,
  INVENTORY_PAGE_BYTES,
  assembleInventoryPages,
  inventoryCommand,
  loadHostScripts,
  parseInventoryOutput,
  parseInventoryPage,
  parseRevokeOutput,
  revokeCommand,
  type HostScripts,
  type InventoryPage,
  type RevokeRequest,
} from '../../hosts/host-script-protocol';
import { MAX_DOCUMENT_BYTES, argumentsOf, wardenDocuments, type CommandDocument, type DocumentKind } from './documents';
import { revokeOutcomes } from './outcomes';
import {
  DEFAULT_POLL,
  MAX_INSTANCE_IDS_PER_COMMAND,
  RunCommand,
  isTerminalInvocation,
  splitPreview,
  type CommandScope,
  type InvocationReport,
  type OutputStore,
  type PollOptions,
} from './run-command';

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

/** Inventory output of one host, or why there is none. */
type HostRead = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'page-me' } | { readonly kind: 'unreachable'; readonly reason: string };

const PAGE_RESTARTS = 3;
/** Bytes kept free below SSM's 64 KB besides the Arguments value (parameter names, executionTimeout, SSM's own counting). */
const PARAMETER_MARGIN_BYTES = 1_024;

const chunk = <T>(items: readonly T[], size: number): T[][] => {
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

/** One revoke command's worth of work on one host: the request, the actions it settles, and its document arguments. */
interface RevokeUnit {
  readonly instanceId: string;
  readonly request: RevokeRequest;
  readonly actions: readonly Action[];
  readonly args: string;
  /** 0 for the first (or only) command on its host; a host whose request is too large for one command gets several, in order. */
  readonly round: number;
}

/**
 * HostFleet over SSM Run Command with Warden's own documents (WardenInventory, WardenRevoke; sent with their SHA-256
 * DocumentHash): inventory by tag targets (one command for the fleet) or instance ids (50 a command, MaxErrors 100%),
 * output read in full (plugin preview, then S3 or GetCommandInvocation, then byte-window pages); revocation groups
 * hosts with the same request into commands of up to 50 instances, results read with ListCommandInvocations.
 * Hosts that do not answer come back `unreachable` (or their actions failed) with SSM's reason, never dropped.
 */
export class SsmHostFleet implements HostFleet {
  private readonly run: RunCommand;
  private readonly scripts: HostScripts | undefined;
  private readonly now: () => number;
  private readonly deliveryTimeoutSeconds: number;
  private readonly executionTimeoutSeconds: number;
  private accountId: string | undefined;
  private documentCache: Readonly<Record<DocumentKind, CommandDocument>> | undefined;

  constructor(private readonly options: SsmHostFleetOptions) {
    this.now = options.now ?? Date.now;
    this.run = new RunCommand({
      client: options.client,
      poll: { ...DEFAULT_POLL, ...options.poll },
      sleep: options.sleep ?? realSleep,
      now: this.now,
      ...(options.output !== undefined ? { output: options.output } : {}),
    });
    this.scripts = options.scripts;
    this.deliveryTimeoutSeconds = Math.max(30, options.deliveryTimeoutSeconds ?? 120);
    this.executionTimeoutSeconds = options.executionTimeoutSeconds ?? 300;
    if (typeof options.account === 'string') this.accountId = options.account;
  }

  async inventory(): Promise<readonly HostInventory[]> {
    const targets = this.options.targets ?? [];
    return this.read(targets.length > 0 ? targets.map(toSsmTarget) : [], this.options.instanceIds ?? []);
  }

  async inventoryInstances(instanceIds: readonly string[]): Promise<readonly HostInventory[]> {
    return this.read([], instanceIds);
  }

  async executeOnHost(instanceId: string, actions: readonly Action[]): Promise<ReadonlyMap<string, ActionOutcome>> {
    return this.executeOnHosts(new Map([[instanceId, actions]]));
  }

  async executeOnHosts(actionsByHost: ReadonlyMap<string, readonly Action[]>): Promise<ReadonlyMap<string, ActionOutcome>> {
    const outcomes = new Map<string, ActionOutcome>();
    const units: RevokeUnit[] = [];
    for (const [instanceId, actions] of actionsByHost) {
      const planned = this.revokeUnits(instanceId, actions);
      if (planned.kind === 'refused') for (const a of actions) outcomes.set(a.id, { result: 'failed', error: planned.error, retryable: false });
      else units.push(...planned.units);
    }
    // Hosts asked the very same thing share a command (50 at most); a host's later rounds wait for its earlier ones.
    const rounds = [...new Set(units.map((u) => u.round))].sort((a, b) => a - b);
    for (const round of rounds) {
      const groups = new Map<string, RevokeUnit[]>();
      for (const unit of units) if (unit.round === round) groups.set(unit.args, [...(groups.get(unit.args) ?? []), unit]);
      const batches = [...groups.values()].flatMap((group) => chunk(group, MAX_INSTANCE_IDS_PER_COMMAND));
      await mapLimit(batches, this.options.commandConcurrency ?? 4, async (batch) => {
        for (const [id, outcome] of await this.revokeBatch(batch)) outcomes.set(id, outcome);
      });
    }
    return outcomes;
  }

  private documents(): Readonly<Record<DocumentKind, CommandDocument>> {
    this.documentCache ??= wardenDocuments(this.scripts ?? loadHostScripts());
    return this.documentCache;
  }

  /**
   * The revoke request(s) for one host. One request normally; when its arguments would not fit beside the document in
   * SSM's 64 KB, the keys are split over several requests (locks go with the first) run one after the other.
   */
  private revokeUnits(instanceId: string, actions: readonly Action[]): { kind: 'units'; units: RevokeUnit[] } | { kind: 'refused'; error: string } {
    const scripts = this.scripts ?? loadHostScripts();
    // SSM counts the parameters against the document's 64 KB; 1 KB is kept back for how it counts them.
    const room = MAX_DOCUMENT_BYTES - Buffer.byteLength(this.documents().revoke.content, 'utf8') - PARAMETER_MARGIN_BYTES;
    const byBody = new Map<string, Action[]>();
    for (const a of actions) if (a.kind === 'remove-host-key') byBody.set(a.target.keyBody, [...(byBody.get(a.target.keyBody) ?? []), a]);
    const locks = actions.filter((a) => a.kind === 'lock-host-user');
    const others = actions.filter((a) => a.kind !== 'remove-host-key' && a.kind !== 'lock-host-user');
    const build = (bodies: readonly string[], withLocks: boolean): { request: RevokeRequest; args: string } => {
      const request: RevokeRequest = {
        keyBodies: bodies,
        lockUsers: withLocks ? locks.flatMap((a) => (a.kind === 'lock-host-user' ? [a.target.osUser] : [])) : [],
        killSessions: this.options.killSessions ?? true,
      };
      return { request, args: argumentsOf('revoke', revokeCommand(request, scripts), scripts) };
    };
    try {
      // Keys are packed greedily; the locks (and anything else) ride with the first command, so one key always stays with its twins.
      const units: RevokeUnit[] = [];
      let bodies: string[] = [];
      const flush = (): void => {
        const first = units.length === 0;
        units.push({
          instanceId,
          ...build(bodies, first),
          actions: [...bodies.flatMap((b) => byBody.get(b) ?? []), ...(first ? [...locks, ...others] : [])],
          round: units.length,
        });
        bodies = [];
      };
      for (const body of byBody.keys()) {
        if (bodies.length > 0 && Buffer.byteLength(build([...bodies, body], units.length === 0).args) > room) flush();
        bodies.push(body);
        if (Buffer.byteLength(build(bodies, units.length === 0).args) > room) {
          return { kind: 'refused', error: `revoke request for ${instanceId} does not fit in SSM's ${MAX_DOCUMENT_BYTES} bytes for document and parameters` };
        }
      }
      if (bodies.length > 0 || units.length === 0) flush();
      return { kind: 'units', units };
    } catch (error) {
      if (error instanceof HostScriptInputError) return { kind: 'refused', error: error.message };
      throw error;
    }
  }

  /** One revoke command on up to 50 hosts with the same request; each host's actions settled from its own output. */
  private async revokeBatch(batch: readonly RevokeUnit[]): Promise<Map<string, ActionOutcome>> {
    const outcomes = new Map<string, ActionOutcome>();
    const failUnit = (unit: RevokeUnit, error: string, retryable: boolean): void => {
      for (const a of unit.actions) outcomes.set(a.id, { result: 'failed', error, retryable });
    };
    const first = batch[0];
    if (first === undefined) return outcomes;
    const sent = await this.run.send({
      scope: { kind: 'instances', instanceIds: batch.map((u) => u.instanceId) },
      document: this.documents().revoke,
      arguments: first.args,
      comment: "warden revoke: remove leavers' SSH keys, lock their accounts",
      maxConcurrency: this.options.maxConcurrency ?? '10',
      // One host failing must not stop the others: each host's outcome is read from its own invocation.
      maxErrors: '100%',
      deliveryTimeoutSeconds: this.deliveryTimeoutSeconds,
      executionTimeoutSeconds: this.executionTimeoutSeconds,
    });
    if (!sent.ok) {
      for (const unit of batch) failUnit(unit, `SendCommand: ${sent.error.text}`, sent.error.retryable || sent.error.code === 'InvalidInstanceId');
      return outcomes;
    }
    let invocations: InvocationReport[];
    try {
      invocations = await this.run.finish(sent.commandId, this.deadline());
    } catch (error) {
      for (const unit of batch) failUnit(unit, `reading command ${sent.commandId} failed: ${error instanceof Error ? error.message : String(error)}`, true);
      return outcomes;
    }
    const byInstance = new Map(invocations.map((i) => [i.instanceId, i]));
    const settled = await mapLimit(batch, this.options.readConcurrency ?? 8, async (unit) => {
      const invocation = byInstance.get(unit.instanceId);
      if (invocation === undefined) return { unit, error: `SSM listed no invocation for command ${sent.commandId}` } as const;
      const preview = splitPreview(invocation.preview);
      // revoke.sh exits 1 when something could not be done: its report still says what was.
      let report = parseRevokeOutput(preview.stdout);
      let stderr = preview.stderr;
      if (!report.complete && isTerminalInvocation(invocation.status)) {
        const full = await this.run.fullStdout(sent.commandId, unit.instanceId, invocation.stdoutUrl, 'revoke', preview.stdout);
        if (full !== undefined) report = parseRevokeOutput(full);
        if (!report.complete) {
          const out = await this.run.output(sent.commandId, unit.instanceId, this.deadline(), false).catch(() => undefined);
          if (out !== undefined) {
            const again = parseRevokeOutput(out.stdout);
            if (again.complete || again.events.length > report.events.length) report = again;
            stderr = out.stderr;
          }
        }
      }
      if (report.events.length === 0 && !report.complete) return { unit, error: describeInvocationFailure(invocation, stderr, 'revoke') } as const;
      return { unit, report } as const;
    });
    for (const result of settled) {
      if ('error' in result) failUnit(result.unit, result.error, true);
      else for (const [id, outcome] of revokeOutcomes(result.report, result.unit.request, result.unit.actions)) outcomes.set(id, outcome);
    }
    return outcomes;
  }

  /** The inventory document's arguments: none for the whole output, `--offset N --limit M` for one page. */
  private inventoryArguments(page?: { offset: number; limit: number }): string {
    const scripts = this.scripts ?? loadHostScripts();
    return argumentsOf('inventory', inventoryCommand({ scripts, ...(page !== undefined ? { page } : {}) }), scripts);
  }

  private deadline(): number {
    return this.now() + (this.deliveryTimeoutSeconds + this.executionTimeoutSeconds + 60) * 1000;
  }

  private async account(): Promise<string> {
    if (this.accountId === undefined) {
      const source = this.options.account;
      this.accountId = typeof source === 'string' ? source : await source();
    }
    return this.accountId;
  }

  private async read(targets: readonly Target[], instanceIds: readonly string[]): Promise<HostInventory[]> {
    let account: string;
    try {
      account = await this.account();
    } catch (error) {
      // Without the account no host can be reported properly; say so per scope instead of failing the whole run.
      const reason = `cannot tell which AWS account the hosts are in: ${error instanceof Error ? error.message : String(error)}`;
      const scopes = [...(targets.length > 0 ? [`targets ${targets.map(describeTarget).join(' and ')}`] : []), ...new Set(instanceIds)];
      return scopes.map((scope) => unreachable(scope, '', reason));
    }
    const reads = new Map<string, HostRead>();
    if (targets.length > 0) await this.readScope({ kind: 'targets', targets }, reads, `targets ${targets.map(describeTarget).join(' and ')}`);
    const rest = [...new Set(instanceIds)].filter((id) => !reads.has(id));
    await mapLimit(chunk(rest, MAX_INSTANCE_IDS_PER_COMMAND), this.options.commandConcurrency ?? 4, (batch) => this.readBatch(batch, reads));
    await this.pageLargeOutputs(reads);

    const hosts: HostInventory[] = [];
    for (const [instanceId, read] of [...reads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (read.kind === 'text') {
        const parsed = parseInventoryOutput(instanceId, read.text);
        if (parsed.complete) {
          hosts.push({
            instanceId,
            account,
            status: 'ok',
            ...(parsed.errors.length > 0 ? { error: parsed.errors.join('; ') } : {}),
            keys: parsed.keys,
            lockedUsers: parsed.lockedUsers,
          });
          continue;
        }
        hosts.push(unreachable(instanceId, account, `inventory output incomplete: ${parsed.errors.join('; ')}`));
      } else {
        hosts.push(unreachable(instanceId, account, read.kind === 'unreachable' ? read.reason : 'inventory output could not be read in full'));
      }
    }
    return hosts;
  }

  /** Sends one batch of explicit instances; an instance SSM does not manage makes SendCommand refuse the batch, so it is found and left out. */
  private async readBatch(batch: readonly string[], reads: Map<string, HostRead>): Promise<void> {
    const label = batch.length === 1 ? `instance ${batch[0] ?? ''}` : `${batch.length} instances`;
    const rejected = await this.readScope({ kind: 'instances', instanceIds: batch }, reads, label);
    if (rejected?.code !== 'InvalidInstanceId') return;
    let managed: Set<string>;
    try {
      managed = await this.run.managed(batch);
    } catch {
      return;
    }
    const usable = batch.filter((id) => managed.has(id));
    for (const id of batch) {
      if (!managed.has(id)) reads.set(id, { kind: 'unreachable', reason: 'not managed by SSM (no SSM agent, not registered, or terminated)' });
    }
    if (usable.length > 0) await this.readScope({ kind: 'instances', instanceIds: usable }, reads, `${usable.length} instances`);
  }

  /** Runs the unpaged inventory on a scope and records each instance's output or failure; returns SendCommand's refusal. */
  private async readScope(scope: CommandScope, reads: Map<string, HostRead>, label: string): Promise<{ code: string } | undefined> {
    const sent = await this.run.send({
      scope,
      document: this.documents().inventory,
      arguments: this.inventoryArguments(),
      comment: 'warden inventory: SSH authorized keys and locked accounts',
      maxConcurrency: this.options.maxConcurrency ?? '10',
      maxErrors: '100%',
      deliveryTimeoutSeconds: this.deliveryTimeoutSeconds,
      executionTimeoutSeconds: this.executionTimeoutSeconds,
    });
    const ids = scope.kind === 'instances' ? scope.instanceIds : [];
    if (!sent.ok) {
      const reason = `SendCommand refused (${sent.error.text})`;
      if (scope.kind === 'targets') reads.set(label, { kind: 'unreachable', reason });
      for (const id of ids) reads.set(id, { kind: 'unreachable', reason });
      return { code: sent.error.code };
    }
    let invocations: InvocationReport[];
    try {
      invocations = await this.run.finish(sent.commandId, this.deadline());
    } catch (error) {
      const reason = `reading command ${sent.commandId} failed: ${error instanceof Error ? error.message : String(error)}`;
      if (scope.kind === 'targets') reads.set(label, { kind: 'unreachable', reason });
      for (const id of ids) reads.set(id, { kind: 'unreachable', reason });
      return undefined;
    }
    const answered = new Set(invocations.map((i) => i.instanceId));
    for (const id of ids) if (!answered.has(id)) reads.set(id, { kind: 'unreachable', reason: `SSM listed no invocation for command ${sent.commandId}` });
    const outcomes = await mapLimit(invocations, this.options.readConcurrency ?? 8, async (invocation) => [invocation.instanceId, await this.readOutput(sent.commandId, invocation)] as const);
    for (const [id, read] of outcomes) reads.set(id, read);
    return undefined;
  }

  /** The whole inventory text of one invocation: the preview when it is complete, else S3, else GetCommandInvocation; else paging. */
  private async readOutput(commandId: string, invocation: InvocationReport): Promise<HostRead> {
    const preview = splitPreview(invocation.preview);
    if (invocation.status !== 'Success') return { kind: 'unreachable', reason: describeInvocationFailure(invocation, preview.stderr, 'inventory') };
    if (parseInventoryOutput(invocation.instanceId, preview.stdout).complete) return { kind: 'text', text: preview.stdout };
    const full = await this.run.fullStdout(commandId, invocation.instanceId, invocation.stdoutUrl, 'inventory', preview.stdout);
    if (full !== undefined && parseInventoryOutput(invocation.instanceId, full).complete) return { kind: 'text', text: full };
    try {
      const out = await this.run.output(commandId, invocation.instanceId, this.deadline(), false);
      if (parseInventoryOutput(invocation.instanceId, out.stdout).complete) return { kind: 'text', text: out.stdout };
    } catch (error) {
      return { kind: 'unreachable', reason: `GetCommandInvocation failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    return { kind: 'page-me' };
  }

  /** Reads outputs too large for SSM's 24,000 characters in byte windows, all hosts at the same offset in one command. */
  private async pageLargeOutputs(reads: Map<string, HostRead>): Promise<void> {
    const state = new Map<string, { pages: InventoryPage[]; next: number; restarts: number }>();
    for (const [id, read] of reads) if (read.kind === 'page-me') state.set(id, { pages: [], next: 0, restarts: 0 });
    while (state.size > 0) {
      const byOffset = new Map<number, string[]>();
      for (const [id, s] of state) byOffset.set(s.next, [...(byOffset.get(s.next) ?? []), id]);
      for (const [offset, ids] of byOffset) {
        for (const batch of chunk(ids, MAX_INSTANCE_IDS_PER_COMMAND)) {
          const results = await this.readPage(batch, offset);
          for (const id of batch) {
            const s = state.get(id);
            if (s === undefined) continue;
            const result = results.get(id) ?? { kind: 'unreachable' as const, reason: 'no answer to a paged inventory command' };
            if (result.kind === 'unreachable') {
              reads.set(id, result);
              state.delete(id);
              continue;
            }
            const assembled = result.kind === 'page' ? assembleInventoryPages([...s.pages, result.page]) : ({ kind: 'inconsistent', reason: result.reason } as const);
            if (result.kind === 'page') s.pages.push(result.page);
            if (assembled.kind === 'complete') {
              reads.set(id, { kind: 'text', text: assembled.text });
              state.delete(id);
            } else if (assembled.kind === 'incomplete') {
              s.next = assembled.nextOffset;
            } else if (s.restarts < PAGE_RESTARTS) {
              // The host changed between pages (or a page was damaged): read it again from the start.
              s.restarts++;
              s.pages = [];
              s.next = 0;
            } else {
              reads.set(id, { kind: 'unreachable', reason: `inventory kept changing while being read in pages (${assembled.reason})` });
              state.delete(id);
            }
          }
        }
      }
    }
  }

  private async readPage(
    batch: readonly string[],
    offset: number,
  ): Promise<Map<string, { kind: 'page'; page: InventoryPage } | { kind: 'invalid'; reason: string } | { kind: 'unreachable'; reason: string }>> {
    const results = new Map<string, { kind: 'page'; page: InventoryPage } | { kind: 'invalid'; reason: string } | { kind: 'unreachable'; reason: string }>();
    const sent = await this.run.send({
      scope: { kind: 'instances', instanceIds: batch },
      document: this.documents().inventory,
      arguments: this.inventoryArguments({ offset, limit: INVENTORY_PAGE_BYTES }),
      comment: `warden inventory page at byte ${offset}`,
      maxConcurrency: this.options.maxConcurrency ?? '10',
      maxErrors: '100%',
      deliveryTimeoutSeconds: this.deliveryTimeoutSeconds,
      executionTimeoutSeconds: this.executionTimeoutSeconds,
    });
    if (!sent.ok) {
      for (const id of batch) results.set(id, { kind: 'unreachable', reason: `paged inventory: SendCommand refused (${sent.error.text})` });
      return results;
    }
    let invocations: InvocationReport[];
    try {
      invocations = await this.run.finish(sent.commandId, this.deadline());
    } catch (error) {
      for (const id of batch) results.set(id, { kind: 'unreachable', reason: `paged inventory: ${error instanceof Error ? error.message : String(error)}` });
      return results;
    }
    const read = await mapLimit(invocations, this.options.readConcurrency ?? 8, async (invocation) => {
      const preview = splitPreview(invocation.preview);
      if (invocation.status !== 'Success') return [invocation.instanceId, { kind: 'unreachable' as const, reason: describeInvocationFailure(invocation, preview.stderr, 'inventory') }] as const;
      const fromPreview = parseInventoryPage(preview.stdout);
      if (fromPreview.kind === 'page') return [invocation.instanceId, fromPreview] as const;
      try {
        const full = await this.run.fullStdout(sent.commandId, invocation.instanceId, invocation.stdoutUrl, 'inventory', preview.stdout);
        const text = full ?? (await this.run.output(sent.commandId, invocation.instanceId, this.deadline(), false)).stdout;
        return [invocation.instanceId, parseInventoryPage(text)] as const;
      } catch (error) {
        return [invocation.instanceId, { kind: 'unreachable' as const, reason: `paged inventory: ${error instanceof Error ? error.message : String(error)}` }] as const;
      }
    });
    for (const [id, result] of read) results.set(id, result);
    return results;
  }
}

function unreachable(instanceId: string, account: string, reason: string): HostInventory {
  return { instanceId, account, status: 'unreachable', error: reason, keys: [], lockedUsers: [] };
}

/** Config target to SSM Target: a key without a prefix is a tag name. */
export function toSsmTarget(target: HostTarget): Target {
  const key = target.key.includes(':') || target.key === 'tag-key' || target.key === 'InstanceIds' ? target.key : `tag:${target.key}`;
  return { Key: key, Values: [...target.values] };
}

const describeTarget = (target: Target): string => `${target.Key ?? ''}=${(target.Values ?? []).join(',')}`;
