import type { Target } from '@aws-sdk/client-ssm';
import type { HostInventory } from '../../../domain/inventory';
import { mapLimit } from '../../../lib/concurrency';
import {
  INVENTORY_PAGE_BYTES,
  assembleInventoryPages,
  inventoryCommand,
  inventoryExtras,
  parseInventoryOutput,
  parseInventoryPage,
  type InventoryPage,
  type ParsedInventory,
} from '../../hosts/host-script-protocol';
import { argumentsOf } from './documents';
import { chunk, describeInvocationFailure, type FleetCommands } from './fleet-commands';
import { MAX_INSTANCE_IDS_PER_COMMAND, splitPreview, type CommandScope, type InvocationReport } from './run-command';
import { errorText } from '../../../errors';

/** Inventory output of one host, or why there is none. */
type HostRead = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'page-me' } | { readonly kind: 'unreachable'; readonly reason: string };

const PAGE_RESTARTS = 3;

/**
 * Host inventory over SSM: by tag targets (one command for the fleet) or instance ids (50 a command), output read in
 * full (plugin preview, then S3 or GetCommandInvocation, then byte-window pages). Hosts that do not answer come back
 * `unreachable` with SSM's reason, never dropped.
 */
export class SsmInventoryReader {
  constructor(
    private readonly ctx: FleetCommands,
    private readonly account: () => Promise<string>,
  ) {}

  /** Reads the hosts the targets reach and the named instances (each once), sorted by instance id. */
  async read(targets: readonly Target[], instanceIds: readonly string[]): Promise<HostInventory[]> {
    let account: string;
    try {
      account = await this.account();
    } catch (error) {
      // Without the account no host can be reported properly; say so per scope instead of failing the whole run.
      const reason = `cannot tell which AWS account the hosts are in: ${errorText(error)}`;
      const scopes = [...(targets.length > 0 ? [`targets ${targets.map(describeTarget).join(' and ')}`] : []), ...new Set(instanceIds)];
      return scopes.map((scope) => unreachable(scope, '', reason));
    }
    const reads = new Map<string, HostRead>();
    if (targets.length > 0) await this.readScope({ kind: 'targets', targets }, reads, `targets ${targets.map(describeTarget).join(' and ')}`);
    const rest = [...new Set(instanceIds)].filter((id) => !reads.has(id));
    await mapLimit(chunk(rest, MAX_INSTANCE_IDS_PER_COMMAND), this.ctx.options.commandConcurrency ?? 4, (batch) => this.readBatch(batch, reads));
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
            ...inventoryExtras(parsed),
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
      managed = await this.ctx.run.managed(batch);
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
    const sent = await this.ctx.run.send({
      scope,
      document: this.ctx.documents().inventory,
      arguments: this.inventoryArguments(),
      comment: 'warden inventory: SSH authorized keys and locked accounts',
      maxConcurrency: this.ctx.options.maxConcurrency ?? '10',
      maxErrors: '100%',
      deliveryTimeoutSeconds: this.ctx.deliveryTimeoutSeconds,
      executionTimeoutSeconds: this.ctx.executionTimeoutSeconds,
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
      invocations = await this.ctx.run.finish(sent.commandId, this.ctx.deadline());
    } catch (error) {
      const reason = `reading command ${sent.commandId} failed: ${errorText(error)}`;
      if (scope.kind === 'targets') reads.set(label, { kind: 'unreachable', reason });
      for (const id of ids) reads.set(id, { kind: 'unreachable', reason });
      return undefined;
    }
    const answered = new Set(invocations.map((i) => i.instanceId));
    for (const id of ids) if (!answered.has(id)) reads.set(id, { kind: 'unreachable', reason: `SSM listed no invocation for command ${sent.commandId}` });
    const outcomes = await mapLimit(invocations, this.ctx.options.readConcurrency ?? 8, async (invocation) => [invocation.instanceId, await this.readOutput(sent.commandId, invocation)] as const);
    for (const [id, read] of outcomes) reads.set(id, read);
    return undefined;
  }

  /** The whole inventory text of one invocation: the preview when it is complete, else S3, else GetCommandInvocation; else paging. */
  private async readOutput(commandId: string, invocation: InvocationReport): Promise<HostRead> {
    const preview = splitPreview(invocation.preview);
    if (invocation.status !== 'Success') return { kind: 'unreachable', reason: describeInvocationFailure(invocation, preview.stderr, 'inventory') };
    if (parseInventoryOutput(invocation.instanceId, preview.stdout).complete) return { kind: 'text', text: preview.stdout };
    const full = await this.ctx.run.fullStdout(commandId, invocation.instanceId, invocation.stdoutUrl, 'inventory', preview.stdout);
    // The bucket is written by instances, so a copy there is used only when the seal SSM itself reported vouches for it.
    if (full !== undefined && trustedFromBucket(parseInventoryOutput(invocation.instanceId, full))) return { kind: 'text', text: full };
    try {
      const out = await this.ctx.run.output(commandId, invocation.instanceId, this.ctx.deadline(), false);
      if (parseInventoryOutput(invocation.instanceId, out.stdout).complete) return { kind: 'text', text: out.stdout };
    } catch (error) {
      return { kind: 'unreachable', reason: `GetCommandInvocation failed: ${errorText(error)}` };
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

  /** The inventory document's arguments: none for the whole output, `--offset N --limit M` for one page. */
  private inventoryArguments(page?: { offset: number; limit: number }): string {
    const scripts = this.ctx.scripts();
    return argumentsOf('inventory', inventoryCommand({ scripts, ...(page !== undefined ? { page } : {}) }), scripts);
  }

  private async readPage(
    batch: readonly string[],
    offset: number,
  ): Promise<Map<string, { kind: 'page'; page: InventoryPage } | { kind: 'invalid'; reason: string } | { kind: 'unreachable'; reason: string }>> {
    const results = new Map<string, { kind: 'page'; page: InventoryPage } | { kind: 'invalid'; reason: string } | { kind: 'unreachable'; reason: string }>();
    const sent = await this.ctx.run.send({
      scope: { kind: 'instances', instanceIds: batch },
      document: this.ctx.documents().inventory,
      arguments: this.inventoryArguments({ offset, limit: INVENTORY_PAGE_BYTES }),
      comment: `warden inventory page at byte ${offset}`,
      maxConcurrency: this.ctx.options.maxConcurrency ?? '10',
      maxErrors: '100%',
      deliveryTimeoutSeconds: this.ctx.deliveryTimeoutSeconds,
      executionTimeoutSeconds: this.ctx.executionTimeoutSeconds,
    });
    if (!sent.ok) {
      for (const id of batch) results.set(id, { kind: 'unreachable', reason: `paged inventory: SendCommand refused (${sent.error.text})` });
      return results;
    }
    let invocations: InvocationReport[];
    try {
      invocations = await this.ctx.run.finish(sent.commandId, this.ctx.deadline());
    } catch (error) {
      for (const id of batch) results.set(id, { kind: 'unreachable', reason: `paged inventory: ${errorText(error)}` });
      return results;
    }
    const read = await mapLimit(invocations, this.ctx.options.readConcurrency ?? 8, async (invocation) => {
      const preview = splitPreview(invocation.preview);
      if (invocation.status !== 'Success') return [invocation.instanceId, { kind: 'unreachable' as const, reason: describeInvocationFailure(invocation, preview.stderr, 'inventory') }] as const;
      const fromPreview = parseInventoryPage(preview.stdout);
      if (fromPreview.kind === 'page') return [invocation.instanceId, fromPreview] as const;
      try {
        const full = await this.ctx.run.fullStdout(sent.commandId, invocation.instanceId, invocation.stdoutUrl, 'inventory', preview.stdout);
        // A page from the bucket needs the SHA-256 in its header (reported by SSM): joining the pages checks it.
        const fromBucket = full !== undefined ? parseInventoryPage(full) : undefined;
        if (fromBucket?.kind === 'page' && fromBucket.page.sha256 !== undefined) return [invocation.instanceId, fromBucket] as const;
        const text = (await this.ctx.run.output(sent.commandId, invocation.instanceId, this.ctx.deadline(), false)).stdout;
        return [invocation.instanceId, parseInventoryPage(text)] as const;
      } catch (error) {
        return [invocation.instanceId, { kind: 'unreachable' as const, reason: `paged inventory: ${errorText(error)}` }] as const;
      }
    });
    for (const [id, result] of read) results.set(id, result);
    return results;
  }
}

function unreachable(instanceId: string, account: string, reason: string): HostInventory {
  return { instanceId, account, status: 'unreachable', error: reason, keys: [], lockedUsers: [] };
}

const describeTarget = (target: Target): string => `${target.Key ?? ''}=${(target.Values ?? []).join(',')}`;

/** Whole output read from the S3 output bucket: complete, and sealed by the host with a seal that matches. */
const trustedFromBucket = (parsed: ParsedInventory): boolean => parsed.complete && parsed.seal === 'verified';
