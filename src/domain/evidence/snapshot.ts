/**
 * Point-in-time access: each run's records are stored as spans ("this record held from snapshot A
 * until snapshot B"), so an unchanged principal costs nothing per run, "who could get in at T" is
 * the spans open at the snapshot in force at T, and a person's history is their spans in order.
 */
import { createHash } from 'node:crypto';
import { canGetIn, describePath, isCredential, pathId, recordHash, recordKey } from './access-records';
import type { AccessPath, AccessRecord } from './access-records';
import { icRecordInAccount } from './identity-center-records';
import { localeOrder } from '../collate';

/** One saved snapshot, without its records. `seq` counts snapshots 1, 2, 3… with no gaps. */
export interface SnapshotHeader {
  readonly seq: number;
  readonly runId: string;
  /** When the run read the inventory (ISO 8601). */
  readonly at: string;
  /** SHA-256 over every record's key and hash: equal digests, equal access. */
  readonly digest: string;
  readonly recordCount: number;
}

export interface NewSnapshot {
  readonly runId: string;
  readonly at: string;
  readonly records: readonly AccessRecord[];
}

export interface AccessSnapshot {
  readonly header: SnapshotHeader;
  readonly records: readonly AccessRecord[];
}

/** A record held unchanged over consecutive snapshots. */
export interface RecordSpan {
  readonly key: string;
  readonly hash: string;
  readonly record: AccessRecord;
  readonly fromSeq: number;
  /** The first snapshot that no longer had it; absent while it is still held. */
  readonly toSeq?: number;
  /** When the first snapshot with it was taken (it may have been held earlier, before Warden looked). */
  readonly firstSeen: string;
  /** When the last snapshot with it was taken. */
  readonly lastSeen: string;
  /** When the first snapshot without it was taken: it ended between `lastSeen` and this. */
  readonly goneBy?: string;
}

export interface SnapshotSaveResult {
  readonly header: SnapshotHeader;
  /** Records new or changed since the previous snapshot (the only ones stored). */
  readonly opened: number;
  /** Principals that were gone or changed. */
  readonly closed: number;
  readonly unchanged: number;
  /** The run had saved this snapshot already; nothing was written. */
  readonly alreadySaved: boolean;
}

/** The records keyed and hashed, last one winning when a principal repeats. */
export function indexRecords(records: readonly AccessRecord[]): Map<string, { readonly hash: string; readonly record: AccessRecord }> {
  const out = new Map<string, { hash: string; record: AccessRecord }>();
  for (const record of records) out.set(recordKey(record), { hash: recordHash(record), record });
  return out;
}

/** SHA-256 over the sorted `key hash` lines of a snapshot. */
export function snapshotDigest(indexed: ReadonlyMap<string, { readonly hash: string }>): string {
  const lines = [...indexed].map(([key, { hash }]) => `${key} ${hash}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** What a store must write to move from its open spans (key -> hash) to the next snapshot. */
export interface SnapshotDiff {
  readonly open: readonly { readonly key: string; readonly hash: string; readonly record: AccessRecord }[];
  /** Keys whose open span ends at the new snapshot (gone, or changed and reopened in `open`). */
  readonly close: readonly string[];
  readonly unchanged: number;
}

export function diffSnapshot(openSpans: ReadonlyMap<string, string>, next: ReadonlyMap<string, { readonly hash: string; readonly record: AccessRecord }>): SnapshotDiff {
  const open: { key: string; hash: string; record: AccessRecord }[] = [];
  const close: string[] = [];
  let unchanged = 0;
  for (const [key, { hash, record }] of next) {
    const current = openSpans.get(key);
    if (current === hash) {
      unchanged += 1;
      continue;
    }
    if (current !== undefined) close.push(key);
    open.push({ key, hash, record });
  }
  for (const key of openSpans.keys()) if (!next.has(key)) close.push(key);
  return { open, close, unchanged };
}

/** What `warden audit access --at` can narrow to. */
export interface AccessFilter {
  readonly account?: string;
  readonly group?: string;
  /** Instance id: that host's accounts. */
  readonly host?: string;
  /** Email or employee id. */
  readonly person?: string;
}

/** One principal as the snapshot in force saw it. */
export interface AccessRow {
  readonly key: string;
  readonly record: AccessRecord;
  readonly canGetIn: boolean;
  readonly credentials: readonly AccessPath[];
  readonly grants: readonly AccessPath[];
}

const samePerson = (record: AccessRecord, person: string): boolean => {
  const wanted = person.trim().toLowerCase();
  return record.person !== undefined && (record.person.email.toLowerCase() === wanted || record.person.employeeId.toLowerCase() === wanted);
};

/**
 * Whether a snapshot holds Identity Center records: one taken before Warden kept them (or without Identity Center
 * configured) says nothing about it, which is "not recorded", not "nobody held anything".
 */
export const identityCenterRecorded = (records: readonly AccessRecord[]): 'recorded' | 'not-recorded' =>
  records.some((r) => r.kind === 'ic-instance') ? 'recorded' : 'not-recorded';

/** "Who could get in then": the snapshot's principals matching the filter, those who could get in first. */
export function accessAt(records: readonly AccessRecord[], filter: AccessFilter = {}): AccessRow[] {
  const group = filter.group?.toLowerCase();
  return records
    .filter((r) => r.kind !== 'ic-instance')
    .filter((r) => filter.account === undefined || (r.kind === 'ic-user' ? icRecordInAccount(r, filter.account) : r.account === filter.account))
    .filter((r) => filter.host === undefined || (r.kind === 'host-user' && r.instanceId === filter.host))
    .filter((r) => group === undefined || r.paths.some((p) => (p.kind === 'group' || p.kind === 'ic-group') && p.name.toLowerCase() === group))
    .filter((r) => filter.person === undefined || samePerson(r, filter.person))
    .map((record) => ({
      key: recordKey(record),
      record,
      canGetIn: canGetIn(record),
      credentials: record.paths.filter(isCredential),
      grants: record.paths.filter((p) => !isCredential(p)),
    }))
    .sort((a, b) => Number(b.canGetIn) - Number(a.canGetIn) || localeOrder(a.key, b.key));
}

/** One access path (or "could get in") held over consecutive snapshots. */
export interface HoldingSpan {
  readonly key: string;
  readonly record: AccessRecord;
  /** What was held: a path, or `could-get-in` for spans where a live credential was not blocked. */
  readonly held: AccessPath | { readonly kind: 'could-get-in' };
  readonly description: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly goneBy?: string;
}

/**
 * Turns record spans into what a person held over time: per principal and path, consecutive spans
 * merged, plus the spans during which they could get in. Ordered by principal, then first seen.
 */
export function holdingsOverTime(spans: readonly RecordSpan[]): HoldingSpan[] {
  const byKey = new Map<string, RecordSpan[]>();
  for (const span of spans) byKey.set(span.key, [...(byKey.get(span.key) ?? []), span]);
  const out: HoldingSpan[] = [];
  for (const [key, list] of [...byKey].sort(([a], [b]) => localeOrder(a, b))) {
    list.sort((a, b) => a.fromSeq - b.fromSeq);
    const running = new Map<string, { held: HoldingSpan['held']; first: RecordSpan; last: RecordSpan }>();
    const flush = (id: string): void => {
      const run = running.get(id);
      if (run === undefined) return;
      running.delete(id);
      out.push({
        key,
        record: run.last.record,
        held: run.held,
        description: run.held.kind === 'could-get-in' ? 'could get in (a live credential, not blocked)' : describePath(run.held),
        firstSeen: run.first.firstSeen,
        lastSeen: run.last.lastSeen,
        ...(run.last.goneBy !== undefined ? { goneBy: run.last.goneBy } : {}),
      });
    };
    let previous: RecordSpan | undefined;
    for (const span of list) {
      const contiguous = previous !== undefined && previous.toSeq === span.fromSeq;
      const items: HoldingSpan['held'][] = [...span.record.paths, ...(canGetIn(span.record) ? [{ kind: 'could-get-in' as const }] : [])];
      const ids = new Set(items.map((item) => pathId(item)));
      for (const id of [...running.keys()]) if (!contiguous || !ids.has(id)) flush(id);
      for (const item of items) {
        const id = pathId(item);
        const run = running.get(id);
        if (run !== undefined) run.last = span;
        else running.set(id, { held: item, first: span, last: span });
      }
      previous = span;
    }
    for (const id of [...running.keys()]) flush(id);
  }
  return out.sort((a, b) => localeOrder(a.key, b.key) || Date.parse(a.firstSeen) - Date.parse(b.firstSeen) || localeOrder(a.description, b.description));
}
