import type { AuditAction } from '../domain/audit-actions';
import type { ChainEntry } from '../domain/audit-chain';
import type { Action, Plan } from '../domain/plan';
import type { AccountInventory, HostInventory, IamUserDetail } from '../domain/inventory';
import type { Roster } from '../domain/roster';
import type { TrailNotice } from './trail';
import type { PasswordRequirement } from '../domain/policy-checks/posture';

/** Where the HR roster comes from (a CSV/JSON file, an HRIS export). */
export interface RosterSource {
  load(): Promise<Roster>;
}

/** Outcome of one change, as a value: one failing user never stops the run. */
export type ActionOutcome =
  | { readonly result: 'ok'; readonly before?: unknown; readonly after?: unknown }
  | { readonly result: 'skipped'; readonly note: string }
  | { readonly result: 'failed'; readonly error: string; readonly retryable: boolean };

/** One AWS account's IAM, read in bulk and changed one key at a time. */
export interface AccountDirectory {
  readonly account: string;
  /** Bulk inventory: a bounded number of calls whatever the number of users. */
  inventory(): Promise<AccountInventory>;
  /** Live state of the named users only (those about to be changed or verified). Users that no longer exist are absent. */
  describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>>;
  /** Applies one IAM action; "already done" (NoSuchEntity and the like) is ok. */
  execute(action: Action): Promise<ActionOutcome>;
  /** Warden's own inline policy on the named roles (null: none), to verify role actions; roles that do not exist are absent. */
  readWardenRolePolicies?(roleNames: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
  /** Sets the account password policy to at least `required` (config `passwordPolicy.enforce`); never loosens it. */
  enforcePasswordPolicy?(required: PasswordRequirement): Promise<ActionOutcome>;
}

/** SSH keys on EC2 hosts, read and changed through SSM Run Command. */
export interface HostFleet {
  inventory(): Promise<readonly HostInventory[]>;
  /** Re-reads only the named instances (to verify changes); fleets without it are re-read in full. */
  inventoryInstances?(instanceIds: readonly string[]): Promise<readonly HostInventory[]>;
  /** Applies the host actions for one instance in one command. */
  executeOnHost(instanceId: string, actions: readonly Action[]): Promise<ReadonlyMap<string, ActionOutcome>>;
  /** Applies the host actions of many instances, hosts with the same request sharing one command; outcomes by action id. */
  executeOnHosts?(actionsByHost: ReadonlyMap<string, readonly Action[]>): Promise<ReadonlyMap<string, ActionOutcome>>;
}

export type AuditResult = 'ok' | 'failed' | 'skipped' | 'intent' | 'verified';

/**
 * An audit entry as the caller writes it; the store adds seq, at, prevHash and hash. Its fields are the chain's
 * (`ChainEntry` in the domain, which the hash covers field by field), with the action and result narrowed to what
 * Warden writes. `actor` is `system`, `slack:U…` or `cli:NAME`.
 */
export interface NewAuditEntry extends Omit<ChainEntry, 'seq' | 'at' | 'prevHash' | 'hash' | 'action' | 'result'> {
  readonly action: AuditAction;
  readonly result: AuditResult;
}

/** An entry as read back: `action` is whatever the row holds (parsed, never trusted to be an `AuditAction`). */
export interface AuditEntry extends Omit<ChainEntry, 'result'> {
  readonly result: AuditResult;
}

export interface AuditFilter {
  readonly person?: string;
  readonly userName?: string;
  readonly runId?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit?: number;
}

export type ChainVerification =
  | { readonly ok: true; readonly entries: number; readonly head: string }
  | { readonly ok: false; readonly entries: number; readonly firstBadSeq: number; readonly problem: string };

/** Append-only, hash-chained record of every change, guard trip, decision and run. No update, no delete. */
export interface AuditLog {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  query(filter: AuditFilter): Promise<readonly AuditEntry[]>;
  verify(): Promise<ChainVerification>;
}

export interface RunRecord {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly activeHeadcount: number;
  readonly mode: 'plan' | 'apply';
  readonly outcome: 'ok' | 'guard-tripped' | 'failed' | 'partial';
  readonly summary?: unknown;
}

/** Remembers past runs (headcount for the guard, last run for status). */
export interface RunStateStore {
  lastCompleted(): Promise<RunRecord | undefined>;
  record(run: RunRecord): Promise<void>;
}

export type Notice =
  | { readonly kind: 'run-summary'; readonly runId: string; readonly plan: Plan; readonly applied: number; readonly failed: number }
  | { readonly kind: 'guard-tripped'; readonly runId: string; readonly reasons: readonly string[] }
  | TrailNotice;

/** Tells people what happened (Slack channel, or nothing). */
export interface Notifier {
  notify(notice: Notice): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Outcome of trying to take a named lock, as a value: being refused is expected, not an error. */
export type LockResult =
  | { readonly acquired: true; readonly expiresAt: Date }
  | { readonly acquired: false; readonly heldBy: string; readonly expiresAt: Date };

/**
 * A lease-style lock so two reconciliations never run at once. It lives in the store, so it
 * survives a crash of its holder and simply expires; an expired lock can be taken over.
 */
export interface RunLock {
  /** Takes or renews (same owner) the lock until `now + ttlMs`. */
  acquireLock(name: string, owner: string, ttlMs: number, now: Date): Promise<LockResult>;
  /** Releases the lock if `owner` holds it; false when someone else does (or nobody). */
  releaseLock(name: string, owner: string): Promise<boolean>;
}
