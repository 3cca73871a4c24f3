import type { Clock } from '../../ports';

/** Who may do something, as configured (`slack.hr`, `slack.auditors`). */
export interface SlackPrincipals {
  readonly userGroups: readonly string[];
  readonly users: readonly string[];
}

export type SlackRole = 'hr' | 'auditor';

/** Reads user-group membership (usergroups.users.list). */
export interface UserGroupDirectory {
  userGroupMembers(userGroupId: string): Promise<readonly string[]>;
}

function withDeadline<T>(promise: Promise<T>, ms: number, group: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reading user group ${group} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Whether `userId` is named directly or is a member of one of the groups whose members are given. Pure. */
export function isPrincipal(userId: string, principals: SlackPrincipals, membersOf: ReadonlyMap<string, readonly string[]>): boolean {
  if (principals.users.includes(userId)) return true;
  return principals.userGroups.some((group) => membersOf.get(group)?.includes(userId) === true);
}

export interface SlackAuthorizerOptions {
  readonly directory: UserGroupDirectory;
  readonly hr: SlackPrincipals;
  readonly auditors: SlackPrincipals;
  readonly clock: Clock;
  /** How long a group's membership is trusted (default 5 minutes). */
  readonly cacheTtlMs?: number;
  /** A group lookup slower than this grants nothing this time, so the 3-second ack holds (default 1000 ms). */
  readonly lookupTimeoutMs?: number;
  readonly onLookupError?: (userGroupId: string, error: unknown) => void;
}

/**
 * Checks roles for every command, button and view submission. Group membership is cached for a few minutes; a group
 * that cannot be read grants nothing (fail closed) and is not cached.
 */
export class SlackAuthorizer {
  private readonly cache = new Map<string, { members: readonly string[]; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<readonly string[] | undefined>>();
  private readonly ttlMs: number;

  constructor(private readonly options: SlackAuthorizerOptions) {
    this.ttlMs = options.cacheTtlMs ?? 5 * 60_000;
  }

  /** Whether the user holds the role. */
  async allows(userId: string, role: SlackRole): Promise<boolean> {
    const principals = role === 'hr' ? this.options.hr : this.options.auditors;
    if (principals.users.includes(userId)) return true;
    const members = new Map<string, readonly string[]>();
    for (const group of principals.userGroups) {
      const list = await this.members(group);
      if (list !== undefined) members.set(group, list);
      if (isPrincipal(userId, principals, members)) return true;
    }
    return false;
  }

  /** Both roles at once (App Home shows what the viewer may see). */
  async rolesOf(userId: string): Promise<{ readonly hr: boolean; readonly auditor: boolean }> {
    const [hr, auditor] = await Promise.all([this.allows(userId, 'hr'), this.allows(userId, 'auditor')]);
    return { hr, auditor };
  }

  private async members(group: string): Promise<readonly string[] | undefined> {
    const now = this.options.clock.now().getTime();
    const cached = this.cache.get(group);
    if (cached !== undefined && cached.expiresAt > now) return cached.members;
    const pending = this.inFlight.get(group);
    if (pending !== undefined) return pending;
    const lookup = withDeadline(this.options.directory.userGroupMembers(group), this.options.lookupTimeoutMs ?? 1000, group)
      .then((members) => {
        this.cache.set(group, { members, expiresAt: this.options.clock.now().getTime() + this.ttlMs });
        return members;
      })
      .catch((error: unknown) => {
        this.options.onLookupError?.(group, error);
        return undefined;
      })
      .finally(() => this.inFlight.delete(group));
    this.inFlight.set(group, lookup);
    return lookup;
  }
}
