import type { ChainAnchor, VerifyOptions } from '../domain/audit-chain';
import type { AccessSnapshot, NewSnapshot, RecordSpan, SnapshotHeader, SnapshotSaveResult } from '../domain/evidence/snapshot';
import type { AuditLog, ChainVerification } from './index';

/**
 * What each run saw of everyone's access, kept compactly: a principal unchanged since the previous
 * snapshot costs nothing new, so "who could get in at T" and a person's history are cheap to answer.
 */
export interface SnapshotStore {
  /** Saves one run's records (already completed with `carryForward`); saving the same runId again changes nothing. */
  save(snapshot: NewSnapshot): Promise<SnapshotSaveResult>;
  /** The newest snapshot with its records, or undefined before the first run. */
  latest(): Promise<AccessSnapshot | undefined>;
  /** The snapshot in force at `at` (the newest taken at or before it), or undefined if none was taken by then. */
  inForceAt(at: Date): Promise<AccessSnapshot | undefined>;
  /** Every span of a record attributed to this person (email or employee id, case-insensitive), oldest first. */
  personHistory(person: string): Promise<readonly RecordSpan[]>;
  /** Snapshot headers, oldest first. */
  list(): Promise<readonly SnapshotHeader[]>;
}

/** The audit chain head as published outside the database after a run. */
export interface PublishedAnchor extends ChainAnchor {
  /** When it was published (ISO 8601). */
  readonly at: string;
  readonly runId?: string;
}

/** Somewhere the chain head is sent after each run (a Slack message, a parameter, a file). */
export interface AnchorSink {
  /** Where, for messages: `SSM parameter /warden/audit-head`. */
  readonly description: string;
  publish(anchor: PublishedAnchor): Promise<void>;
}

/** An anchor location that can also be read back, so `warden audit verify` can detect a truncated tail. */
export interface AnchorStore extends AnchorSink {
  /** The last anchor published, or undefined if none was. */
  latest(): Promise<PublishedAnchor | undefined>;
}

/** An audit log that reports its head and verifies against an anchor (every Warden store does). */
export interface AnchorableAuditLog extends AuditLog {
  head(): Promise<ChainAnchor | undefined>;
  verify(options?: VerifyOptions): Promise<ChainVerification>;
}

/** Whether an audit log can report its head and verify against an anchor. */
export function isAnchorable(log: AuditLog): log is AnchorableAuditLog {
  return typeof (log as Partial<AnchorableAuditLog>).head === 'function';
}
