import type { Action } from '../../../domain/plan';
import { mapLimit } from '../../../lib/concurrency';
import type { ActionOutcome } from '../../../ports';
import { errorText, HostScriptInputError } from '../../../errors';
import { parseRevokeOutput, revokeCommand, type RevokeRequest } from '../../hosts/host-script-protocol';
import { MAX_DOCUMENT_BYTES, argumentsOf } from './documents';
import { chunk, describeInvocationFailure, type FleetCommands } from './fleet-commands';
import { revokeOutcomes } from './outcomes';
import { MAX_INSTANCE_IDS_PER_COMMAND, isTerminalInvocation, splitPreview, type InvocationReport } from './run-command';

/** Bytes kept free below SSM's 64 KB besides the Arguments value (parameter names, executionTimeout, SSM's own counting). */
const PARAMETER_MARGIN_BYTES = 1_024;

/** One revoke command's worth of work on one host: the request, the actions it settles, and its document arguments. */
interface RevokeUnit {
  readonly instanceId: string;
  readonly request: RevokeRequest;
  readonly actions: readonly Action[];
  readonly args: string;
  /** 0 for the first (or only) command on its host; a host whose request is too large for one command gets several, in order. */
  readonly round: number;
}

/** Host revocation over SSM: hosts with the same request share a command of up to 50 instances; outcomes per action id. */
export class SsmHostRevoker {
  constructor(private readonly ctx: FleetCommands) {}

  /** Applies the host actions of many instances; a host whose request is too large for one command gets several, in order. */
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
      await mapLimit(batches, this.ctx.options.commandConcurrency ?? 4, async (batch) => {
        for (const [id, outcome] of await this.revokeBatch(batch)) outcomes.set(id, outcome);
      });
    }
    return outcomes;
  }

  /**
   * The revoke request(s) for one host. One request normally; when its arguments would not fit beside the document in
   * SSM's 64 KB, the keys are split over several requests (locks go with the first) run one after the other.
   */
  private revokeUnits(instanceId: string, actions: readonly Action[]): { kind: 'units'; units: RevokeUnit[] } | { kind: 'refused'; error: string } {
    const scripts = this.ctx.scripts();
    // SSM counts the parameters against the document's 64 KB; 1 KB is kept back for how it counts them.
    const room = MAX_DOCUMENT_BYTES - Buffer.byteLength(this.ctx.documents().revoke.content, 'utf8') - PARAMETER_MARGIN_BYTES;
    const byBody = new Map<string, Action[]>();
    for (const a of actions) if (a.kind === 'remove-host-key') byBody.set(a.target.keyBody, [...(byBody.get(a.target.keyBody) ?? []), a]);
    const locks = actions.filter((a) => a.kind === 'lock-host-user');
    const others = actions.filter((a) => a.kind !== 'remove-host-key' && a.kind !== 'lock-host-user');
    const build = (bodies: readonly string[], withLocks: boolean): { request: RevokeRequest; args: string } => {
      const request: RevokeRequest = {
        keyBodies: bodies,
        lockUsers: withLocks ? locks.flatMap((a) => (a.kind === 'lock-host-user' ? [a.target.osUser] : [])) : [],
        killSessions: this.ctx.options.killSessions ?? true,
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
    const sent = await this.ctx.run.send({
      scope: { kind: 'instances', instanceIds: batch.map((u) => u.instanceId) },
      document: this.ctx.documents().revoke,
      arguments: first.args,
      comment: "warden revoke: remove leavers' SSH keys, lock their accounts",
      maxConcurrency: this.ctx.options.maxConcurrency ?? '10',
      // One host failing must not stop the others: each host's outcome is read from its own invocation.
      maxErrors: '100%',
      deliveryTimeoutSeconds: this.ctx.deliveryTimeoutSeconds,
      executionTimeoutSeconds: this.ctx.executionTimeoutSeconds,
    });
    if (!sent.ok) {
      for (const unit of batch) failUnit(unit, `SendCommand: ${sent.error.text}`, sent.error.retryable || sent.error.code === 'InvalidInstanceId');
      return outcomes;
    }
    let invocations: InvocationReport[];
    try {
      invocations = await this.ctx.run.finish(sent.commandId, this.ctx.deadline());
    } catch (error) {
      for (const unit of batch) failUnit(unit, `reading command ${sent.commandId} failed: ${errorText(error)}`, true);
      return outcomes;
    }
    const byInstance = new Map(invocations.map((i) => [i.instanceId, i]));
    const settled = await mapLimit(batch, this.ctx.options.readConcurrency ?? 8, async (unit) => {
      const invocation = byInstance.get(unit.instanceId);
      if (invocation === undefined) return { unit, error: `SSM listed no invocation for command ${sent.commandId}` } as const;
      const preview = splitPreview(invocation.preview);
      // revoke.sh exits 1 when something could not be done: its report still says what was.
      let report = parseRevokeOutput(preview.stdout);
      let stderr = preview.stderr;
      if (!report.complete && isTerminalInvocation(invocation.status)) {
        const full = await this.ctx.run.fullStdout(sent.commandId, unit.instanceId, invocation.stdoutUrl, 'revoke', preview.stdout);
        if (full !== undefined) report = parseRevokeOutput(full);
        if (!report.complete) {
          const out = await this.ctx.run.output(sent.commandId, unit.instanceId, this.ctx.deadline(), false).catch(() => undefined);
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
}
