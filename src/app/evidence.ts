/** Evidence use cases: snapshots of access per run, chain anchors, leaver SLA reports and point-in-time queries. */
import { sessionEvidenceOf, sessionEvidenceWords, type SessionEvidence } from '../domain/evidence/sessions';
import type { ChainAnchor } from '../domain/audit-chain';
import { accessRecordsOf, carryForward, noOwners, scopeOf } from '../domain/evidence/access-records';
import type { Owners, RecordScope } from '../domain/evidence/access-records';
import { buildLeaverReport } from '../domain/evidence/leavers';
import type { LeaverReport } from '../domain/evidence/leavers';
import { accessAt, holdingsOverTime, identityCenterRecorded } from '../domain/evidence/snapshot';
import type { AccessFilter, AccessRow, AccessSnapshot, HoldingSpan, SnapshotHeader, SnapshotSaveResult } from '../domain/evidence/snapshot';
import type { Inventory } from '../domain/inventory';
import { AuditTamperedError, errorText } from '../errors';
import type { AuditEntry, AuditFilter, AuditLog, ChainVerification } from '../ports';
import type { AnchorableAuditLog, AnchorSink, AnchorStore, PublishedAnchor, SnapshotStore } from '../ports/evidence';

const DEFAULT_DENY_ALL = 'warden-deny-all';

export interface RecordSnapshotInput {
  readonly runId: string;
  /** When the inventory was read (the run's start). */
  readonly at: Date;
  readonly inventory: Inventory;
  /** Attributes principals to people (see `ownersFromRoster`); without it records carry no person. */
  readonly owners?: Owners;
  /** Config `denyAllPolicyName`. */
  readonly denyAllPolicyName?: string;
  /**
   * Whether `inventory.hosts` lists every host in scope (default: when it lists any). When false,
   * host records of the previous snapshot are kept rather than read as "keys removed".
   */
  readonly hostsRead?: boolean;
  /**
   * Whether this run read Identity Center or was meant to (default: when the inventory has it or an error reading it).
   * When false, the previous snapshot's Identity Center records are kept.
   */
  readonly identityCenterRead?: boolean;
  /** The store's newest snapshot, when the caller read it ahead (a run reads it while it reads AWS); default: read here. */
  readonly previous?: Promise<AccessSnapshot | undefined>;
}

/** Saves the access this run saw; unreadable accounts and hosts keep their last known state. */
export async function recordSnapshot(store: SnapshotStore, input: RecordSnapshotInput): Promise<SnapshotSaveResult> {
  const { records, unread } = accessRecordsOf(input.inventory, {
    owners: input.owners ?? noOwners,
    denyAllPolicyName: input.denyAllPolicyName ?? DEFAULT_DENY_ALL,
  });
  const previous = await (input.previous ?? store.latest());
  const hostsRead = input.hostsRead ?? input.inventory.hosts.length > 0;
  const previousRecords = previous?.records ?? [];
  const unreadHosts: RecordScope[] = hostsRead ? [] : previousRecords.filter((r) => r.kind === 'host-user').map(scopeOf);
  const icRead = input.identityCenterRead ?? (input.inventory.identityCenter !== undefined || input.inventory.identityCenterError !== undefined);
  const unreadIc: RecordScope[] = icRead ? [] : [{ kind: 'identity-center' }];
  const complete = carryForward(previousRecords, records, [...unread, ...unreadHosts, ...unreadIc]);
  return store.save({ runId: input.runId, at: input.at.toISOString(), records: complete });
}

/** Where one anchor went. */
export interface AnchorDelivery {
  readonly description: string;
  readonly ok: boolean;
  readonly error?: string;
}

export type AnchorOutcome =
  | { readonly kind: 'anchored'; readonly anchor: PublishedAnchor; readonly deliveries: readonly AnchorDelivery[] }
  /** The log no longer reaches an earlier anchor: publishing would hide that, so nothing was published. */
  | { readonly kind: 'refused'; readonly problem: string; readonly firstBadSeq: number; readonly against: string }
  | { readonly kind: 'empty' };

export interface AnchorHeadOptions {
  readonly now: Date;
  readonly runId?: string;
}

const isStore = (sink: AnchorSink): sink is AnchorStore => typeof (sink as Partial<AnchorStore>).latest === 'function';

/**
 * Publishes the chain head to every sink after a run. Each readable anchor is first checked
 * against the log (fail closed): if the log no longer reaches it, nothing is published anywhere;
 * a store whose previous anchor cannot be read is not overwritten.
 */
export async function anchorHead(audit: AnchorableAuditLog, sinks: readonly AnchorSink[], options: AnchorHeadOptions): Promise<AnchorOutcome> {
  const head = await audit.head();
  if (head === undefined) return { kind: 'empty' };
  const unreadable = new Map<AnchorSink, string>();
  const empty: AnchorStore[] = [];
  let anchoredBefore = false;
  for (const sink of sinks) {
    if (!isStore(sink)) continue;
    let previous: PublishedAnchor | undefined;
    try {
      previous = await sink.latest();
    } catch (error) {
      unreadable.set(sink, `previous anchor unreadable, not overwritten: ${errorText(error)}`);
      continue;
    }
    if (previous === undefined) {
      empty.push(sink);
      continue;
    }
    anchoredBefore = true;
    // Only what came after the previous anchor: the whole history is `warden audit verify`'s job.
    const check = await audit.verify({ expectedHead: previous, fromAnchor: true });
    if (!check.ok) return { kind: 'refused', problem: check.problem, firstBadSeq: check.firstBadSeq, against: sink.description };
  }
  const [firstEmpty] = empty;
  if (!anchoredBefore && unreadable.size === 0 && firstEmpty !== undefined) {
    // Every anchor gone although an earlier run finished (and was anchored): anchoring now would bless a cut tail.
    const earlier = await lastFinishedRun(audit, options.runId);
    if (earlier !== undefined) {
      return {
        kind: 'refused',
        problem: `every anchor is missing although the log holds an earlier finished run (seq ${earlier.seq} ${earlier.action}, run ${earlier.runId}): anchors were deleted, so a truncated tail cannot be ruled out; not re-anchored`,
        firstBadSeq: earlier.seq,
        against: firstEmpty.description,
      };
    }
  }
  const anchor: PublishedAnchor = {
    seq: head.seq,
    hash: head.hash,
    at: options.now.toISOString(),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
  };
  const deliveries: AnchorDelivery[] = [];
  for (const sink of sinks) {
    const problem = unreadable.get(sink);
    if (problem !== undefined) {
      deliveries.push({ description: sink.description, ok: false, error: problem });
      continue;
    }
    try {
      await sink.publish(anchor);
      deliveries.push({ description: sink.description, ok: true });
    } catch (error) {
      deliveries.push({ description: sink.description, ok: false, error: errorText(error) });
    }
  }
  return { kind: 'anchored', anchor, deliveries };
}

/** One anchor `verifyAgainstAnchors` looked at. */
export interface AnchorCheck {
  readonly description: string;
  readonly anchor?: PublishedAnchor;
  /** The anchor could not be read (so a truncated tail cannot be ruled out against it). */
  readonly error?: string;
}

export interface AnchoredVerification {
  /** The chain, checked against every anchor that could be read (the first failure, if any). */
  readonly chain: ChainVerification;
  /** Which anchor the failure was found against, when it was an anchor check. */
  readonly failedAgainst?: string;
  readonly anchors: readonly AnchorCheck[];
}

const sameAnchor = (a: ChainAnchor, b: ChainAnchor): boolean => a.seq === b.seq && a.hash === b.hash;

/** Verifies the hash chain, and against each readable anchor, so edited, deleted, reordered and truncated entries are all detected. */
export async function verifyAgainstAnchors(audit: AnchorableAuditLog, stores: readonly AnchorStore[]): Promise<AnchoredVerification> {
  const anchors: AnchorCheck[] = [];
  for (const store of stores) {
    try {
      const anchor = await store.latest();
      anchors.push({ description: store.description, ...(anchor !== undefined ? { anchor } : {}) });
    } catch (error) {
      anchors.push({ description: store.description, error: errorText(error) });
    }
  }
  const distinct: { anchor: PublishedAnchor; description: string }[] = [];
  for (const check of anchors) {
    if (check.anchor !== undefined && !distinct.some((d) => sameAnchor(d.anchor, check.anchor as PublishedAnchor))) {
      distinct.push({ anchor: check.anchor, description: check.description });
    }
  }
  // Highest seq first: the strictest anchor finds a truncation soonest.
  distinct.sort((a, b) => b.anchor.seq - a.anchor.seq);
  let chain: ChainVerification | undefined;
  for (const { anchor, description } of distinct) {
    chain = await audit.verify({ expectedHead: { seq: anchor.seq, hash: anchor.hash } });
    if (!chain.ok) return { chain, failedAgainst: description, anchors };
  }
  chain ??= await audit.verify();
  if (!chain.ok) return { chain, anchors };
  const missing = anchors.filter((a) => a.anchor === undefined && a.error === undefined);
  if (missing.length > 0) {
    // Every finished run is anchored: an anchor that is absent although one finished was deleted, the other half of a cut tail.
    const finished = await lastFinishedRun(audit);
    const [first] = missing;
    if (finished !== undefined && first !== undefined) {
      return {
        chain: {
          ok: false,
          entries: chain.entries,
          firstBadSeq: finished.seq,
          problem: `the anchor is missing although the log holds a finished run (seq ${finished.seq} ${finished.action}, run ${finished.runId}): the anchor was deleted, so a truncated tail cannot be ruled out against it`,
        },
        failedAgainst: first.description,
        anchors,
      };
    }
  }
  return { chain, anchors };
}

/** The audit actions that close a run (apply, plan); every run is anchored after them. */
const FINISHED_RUN: ReadonlySet<string> = new Set(['run.finish', 'run.plan']);

/** The latest entry closing a run (other than `exceptRun`, the one being anchored now). */
async function lastFinishedRun(audit: AuditLog, exceptRun?: string): Promise<AuditEntry | undefined> {
  return (await audit.query({})).filter((e) => FINISHED_RUN.has(e.action) && (exceptRun === undefined || e.runId !== exceptRun)).at(-1);
}

/**
 * An audit query whose answer is also checked against every readable anchor at or after its earliest entry: the
 * store already checks each returned entry against its content and its neighbours up to the head; the anchor closes
 * the last gap (a tail rewritten and re-hashed from some entry on). Throws `AuditTamperedError` (exit 4).
 */
export async function anchoredQuery(audit: AnchorableAuditLog, stores: readonly AnchorStore[], filter: AuditFilter): Promise<readonly AuditEntry[]> {
  const entries = await audit.query(filter);
  const [first] = entries;
  if (first === undefined) return entries;
  for (const store of stores) {
    const anchor = await store.latest().catch(() => undefined);
    if (anchor === undefined || anchor.seq < first.seq) continue;
    const check = await audit.verify({ fromSeq: first.seq, expectedHead: { seq: anchor.seq, hash: anchor.hash } });
    if (!check.ok) {
      throw new AuditTamperedError(`audit log tampered with: ${check.problem} (checked against the anchor in ${store.description}; run \`warden audit verify\`)`, check.firstBadSeq);
    }
  }
  return entries;
}

export interface LeaverReportRequest {
  readonly from: Date;
  readonly to: Date;
  readonly slaHours: number;
  readonly now: Date;
}

/** The leaver SLA report for leavers whose effective time falls in [from, to], from the whole audit log. */
export async function leaverReport(audit: AuditLog, request: LeaverReportRequest): Promise<LeaverReport> {
  // The whole log: a leaver's entries can precede `from` (revoked early) and follow `to` (revoked late).
  const entries = await audit.query({});
  return buildLeaverReport(entries, request);
}

export interface AccessAtResult {
  /** The snapshot in force, or undefined when none had been taken by then. */
  readonly snapshot?: SnapshotHeader;
  readonly rows: readonly AccessRow[];
  /** Leavers' live role sessions as last recorded by then (when the audit log was given), in words at `at`. */
  readonly sessions?: readonly string[];
  /** Whether the snapshot in force holds Identity Center records (absent when there is no snapshot). */
  readonly identityCenter?: 'recorded' | 'not-recorded';
}

/** "Who could get in then": the snapshot in force at `at`, narrowed by account, group, host or person. */
export async function accessAtTime(store: SnapshotStore, at: Date, filter: AccessFilter = {}, audit?: AuditLog): Promise<AccessAtResult> {
  const [snapshot, sessions] = await Promise.all([store.inForceAt(at), audit === undefined ? Promise.resolve(undefined) : sessionsAt(audit, at, filter)]);
  const withSessions = sessions !== undefined && sessions.length > 0 ? { sessions } : {};
  if (snapshot === undefined) return { rows: [], ...withSessions };
  return { snapshot: snapshot.header, rows: accessAt(snapshot.records, filter), ...withSessions, identityCenter: identityCenterRecorded(snapshot.records) };
}

/**
 * Each leaver's live role sessions as the last `leaver.sessions` entry at or before `at` recorded them (per account and
 * IAM user), narrowed by account and person, worded at `at`: a "may live until" that had passed by then had expired.
 */
export async function sessionsAt(audit: AuditLog, at: Date, filter: AccessFilter = {}): Promise<string[]> {
  const latest = new Map<string, SessionEvidence>();
  const wanted = filter.person?.trim().toLowerCase();
  for (const entry of await audit.query({ until: at })) {
    if (entry.action !== 'leaver.sessions' || Date.parse(entry.at) > at.getTime()) continue;
    if (filter.account !== undefined && entry.account !== filter.account) continue;
    if (wanted !== undefined && !(entry.person ?? '').toLowerCase().split(/[\s()]+/).includes(wanted)) continue;
    const evidence = sessionEvidenceOf(entry);
    if (evidence !== undefined) latest.set(`${entry.account ?? ''}/${evidence.userName.toLowerCase()}`, evidence);
  }
  return [...latest.values()].map((e) => sessionEvidenceWords(e, at));
}

export interface PersonHistory {
  readonly person: string;
  readonly holdings: readonly HoldingSpan[];
  /** The first and last snapshots taken, so "seen from" is read against when Warden started looking. */
  readonly firstSnapshot?: SnapshotHeader;
  readonly lastSnapshot?: SnapshotHeader;
}

/** Everything a person held over time, per principal and path (`warden audit access --person`, Slack `/access history`). */
export async function personAccessHistory(store: SnapshotStore, person: string): Promise<PersonHistory> {
  const [spans, headers] = await Promise.all([store.personHistory(person), store.list()]);
  const first = headers[0];
  const last = headers.at(-1);
  return {
    person,
    holdings: holdingsOverTime(spans),
    ...(first !== undefined ? { firstSnapshot: first } : {}),
    ...(last !== undefined ? { lastSnapshot: last } : {}),
  };
}
