import type { Target } from '@aws-sdk/client-ssm';
import type { HostInventory } from '../../../domain/inventory';
import type { Action } from '../../../domain/plan';
import type { ActionOutcome, HostFleet } from '../../../ports';
import { fleetCommands, type HostTarget, type SsmHostFleetOptions } from './fleet-commands';
import { SsmInventoryReader } from './fleet-inventory';
import { SsmHostRevoker } from './fleet-revoke';

export { describeInvocationFailure, type HostTarget, type SsmHostFleetOptions } from './fleet-commands';

/**
 * HostFleet over SSM Run Command with Warden's own documents (WardenInventory, WardenRevoke; sent with their SHA-256
 * DocumentHash): inventory by tag targets (one command for the fleet) or instance ids (50 a command, MaxErrors 100%),
 * output read in full (plugin preview, then S3 or GetCommandInvocation, then byte-window pages); revocation groups
 * hosts with the same request into commands of up to 50 instances, results read with ListCommandInvocations.
 * Hosts that do not answer come back `unreachable` (or their actions failed) with SSM's reason, never dropped.
 */
export class SsmHostFleet implements HostFleet {
  private readonly reader: SsmInventoryReader;
  private readonly revoker: SsmHostRevoker;
  private accountId: string | undefined;

  constructor(private readonly options: SsmHostFleetOptions) {
    const commands = fleetCommands(options);
    this.reader = new SsmInventoryReader(commands, () => this.account());
    this.revoker = new SsmHostRevoker(commands);
    if (typeof options.account === 'string') this.accountId = options.account;
  }

  async inventory(): Promise<readonly HostInventory[]> {
    const targets = this.options.targets ?? [];
    return this.reader.read(targets.length > 0 ? targets.map(toSsmTarget) : [], this.options.instanceIds ?? []);
  }

  async inventoryInstances(instanceIds: readonly string[]): Promise<readonly HostInventory[]> {
    return this.reader.read([], instanceIds);
  }

  async executeOnHost(instanceId: string, actions: readonly Action[]): Promise<ReadonlyMap<string, ActionOutcome>> {
    return this.executeOnHosts(new Map([[instanceId, actions]]));
  }

  async executeOnHosts(actionsByHost: ReadonlyMap<string, readonly Action[]>): Promise<ReadonlyMap<string, ActionOutcome>> {
    return this.revoker.executeOnHosts(actionsByHost);
  }

  private async account(): Promise<string> {
    if (this.accountId === undefined) {
      const source = this.options.account;
      this.accountId = typeof source === 'string' ? source : await source();
    }
    return this.accountId;
  }
}

/** Config target to SSM Target: a key without a prefix is a tag name. */
export function toSsmTarget(target: HostTarget): Target {
  const key = target.key.includes(':') || target.key === 'tag-key' || target.key === 'InstanceIds' ? target.key : `tag:${target.key}`;
  return { Key: key, Values: [...target.values] };
}
