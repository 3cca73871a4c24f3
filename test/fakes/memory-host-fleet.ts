import { parseAuthorizedKeyLine } from '../../src/adapters/hosts/host-script-protocol';
import type { HostInventory, HostKey } from '../../src/domain/inventory';
import type { Action } from '../../src/domain/plan';
import type { ActionOutcome, HostFleet } from '../../src/ports';

/** One local account of a memory host: its authorized_keys lines and whether it is locked. */
export interface MemoryHostAccount {
  readonly name: string;
  readonly keyLines: readonly string[];
  readonly locked?: boolean;
}

export interface MemoryHost {
  readonly instanceId: string;
  /** An offline host answers nothing: it is reported unreachable and its actions fail, retryably. */
  readonly online: boolean;
  readonly accounts: readonly MemoryHostAccount[];
}

/**
 * A HostFleet over plain objects, behaving as the SSM fleet running the host scripts does: a key is removed from every
 * account of the host that holds it, locking is idempotent, a missing account is skipped, and a host that does not
 * answer is reported (never dropped) and fails its actions retryably.
 */
export class MemoryHostFleet implements HostFleet {
  private readonly hosts = new Map<string, { online: boolean; accounts: Map<string, { keyLines: string[]; locked: boolean }> }>();

  constructor(
    readonly account: string,
    hosts: readonly MemoryHost[],
  ) {
    for (const h of hosts) {
      this.hosts.set(h.instanceId, { online: h.online, accounts: new Map(h.accounts.map((a) => [a.name, { keyLines: [...a.keyLines], locked: a.locked === true }])) });
    }
  }

  async inventory(): Promise<readonly HostInventory[]> {
    return this.read([...this.hosts.keys()]);
  }

  async inventoryInstances(instanceIds: readonly string[]): Promise<readonly HostInventory[]> {
    return this.read([...new Set(instanceIds)]);
  }

  async executeOnHost(instanceId: string, actions: readonly Action[]): Promise<ReadonlyMap<string, ActionOutcome>> {
    return this.executeOnHosts(new Map([[instanceId, actions]]));
  }

  async executeOnHosts(actionsByHost: ReadonlyMap<string, readonly Action[]>): Promise<ReadonlyMap<string, ActionOutcome>> {
    const outcomes = new Map<string, ActionOutcome>();
    for (const [instanceId, actions] of actionsByHost) {
      const host = this.hosts.get(instanceId);
      for (const action of actions) outcomes.set(action.id, host === undefined || !host.online ? { result: 'failed', error: `${instanceId} did not answer`, retryable: true } : this.apply(instanceId, host.accounts, action));
    }
    return outcomes;
  }

  private apply(instanceId: string, accounts: Map<string, { keyLines: string[]; locked: boolean }>, action: Action): ActionOutcome {
    switch (action.kind) {
      case 'remove-host-key': {
        const removedFrom: string[] = [];
        for (const [name, account] of accounts) {
          const kept = account.keyLines.filter((line) => parseAuthorizedKeyLine(line)?.keyBody !== action.target.keyBody);
          if (kept.length !== account.keyLines.length) removedFrom.push(keysFile(name));
          account.keyLines = kept;
        }
        return { result: 'ok', after: removedFrom.length > 0 ? { removedFrom } : { alreadyAbsent: true } };
      }
      case 'lock-host-user': {
        const account = accounts.get(action.target.osUser);
        if (account === undefined) return { result: 'skipped', note: `no account ${action.target.osUser} on ${instanceId}` };
        const already = account.locked;
        account.locked = true;
        return { result: 'ok', after: { locked: true, ...(already ? { already: true } : {}) } };
      }
      default:
        return { result: 'failed', error: `${action.kind} is not a host action`, retryable: false };
    }
  }

  private read(instanceIds: readonly string[]): HostInventory[] {
    return [...instanceIds].sort().map((instanceId): HostInventory => {
      const host = this.hosts.get(instanceId);
      if (host === undefined || !host.online) {
        return { instanceId, account: this.account, status: 'unreachable', error: host === undefined ? 'not managed by SSM' : 'did not answer', keys: [], lockedUsers: [] };
      }
      const keys: HostKey[] = [];
      for (const [osUser, account] of host.accounts) {
        account.keyLines.forEach((line, index) => {
          const key = parseAuthorizedKeyLine(line);
          if (key !== undefined) keys.push({ instanceId, osUser, file: keysFile(osUser), line: index + 1, keyType: key.keyType, keyBody: key.keyBody, comment: key.comment });
        });
      }
      const lockedUsers = [...host.accounts].flatMap(([name, account]) => (account.locked ? [name] : []));
      return { instanceId, account: this.account, status: 'ok', keys, lockedUsers };
    });
  }
}

const keysFile = (osUser: string): string => `/home/${osUser}/.ssh/authorized_keys`;
