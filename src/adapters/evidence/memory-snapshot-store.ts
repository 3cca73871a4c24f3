import { diffSnapshot, indexRecords, snapshotDigest } from '../../domain/evidence/snapshot';
import type { AccessSnapshot, NewSnapshot, RecordSpan, SnapshotHeader, SnapshotSaveResult } from '../../domain/evidence/snapshot';
import type { AccessRecord } from '../../domain/evidence/access-records';
import type { SnapshotStore } from '../../ports/evidence';
import { assertInOrder, matchesPerson, toRecordSpan } from './snapshot-common';
import { localeOrder } from '../../domain/collate';

interface Span {
  readonly key: string;
  readonly hash: string;
  readonly fromSeq: number;
  toSeq?: number;
}

/** Snapshots in memory (tests, the demo); the same spans-and-records model as the durable stores. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly headers: SnapshotHeader[] = [];
  private readonly records = new Map<string, AccessRecord>();
  private readonly spans: Span[] = [];

  async save(snapshot: NewSnapshot): Promise<SnapshotSaveResult> {
    const existing = this.headers.find((h) => h.runId === snapshot.runId);
    if (existing !== undefined) return { header: existing, opened: 0, closed: 0, unchanged: existing.recordCount, alreadySaved: true };
    assertInOrder(this.headers.at(-1), snapshot);
    const next = indexRecords(snapshot.records);
    const openSpans = this.spans.filter((s) => s.toSeq === undefined);
    const diff = diffSnapshot(new Map(openSpans.map((s) => [s.key, s.hash])), next);
    const seq = this.headers.length + 1;
    const header: SnapshotHeader = { seq, runId: snapshot.runId, at: snapshot.at, digest: snapshotDigest(next), recordCount: next.size };
    const closing = new Set(diff.close);
    for (const span of openSpans) if (closing.has(span.key)) span.toSeq = seq;
    for (const { key, hash, record } of diff.open) {
      if (!this.records.has(hash)) this.records.set(hash, record);
      this.spans.push({ key, hash, fromSeq: seq });
    }
    this.headers.push(header);
    return { header, opened: diff.open.length, closed: diff.close.length, unchanged: diff.unchanged, alreadySaved: false };
  }

  async latest(): Promise<AccessSnapshot | undefined> {
    const header = this.headers.at(-1);
    return header === undefined ? undefined : this.snapshotAt(header);
  }

  async inForceAt(at: Date): Promise<AccessSnapshot | undefined> {
    const header = this.headers.filter((h) => Date.parse(h.at) <= at.getTime()).at(-1);
    return header === undefined ? undefined : this.snapshotAt(header);
  }

  async personHistory(person: string): Promise<readonly RecordSpan[]> {
    const lastSeq = this.headers.length;
    const runAt = (seq: number): string => this.headers[seq - 1]?.at ?? '';
    return this.spans
      .filter((span) => matchesPerson(this.recordOf(span.hash), person))
      .map((span) => toRecordSpan({ key: span.key, hash: span.hash, fromSeq: span.fromSeq, ...(span.toSeq !== undefined ? { toSeq: span.toSeq } : {}) }, this.recordOf(span.hash), runAt, lastSeq))
      .sort((a, b) => a.fromSeq - b.fromSeq || localeOrder(a.key, b.key));
  }

  async list(): Promise<readonly SnapshotHeader[]> {
    return [...this.headers];
  }

  private snapshotAt(header: SnapshotHeader): AccessSnapshot {
    const records = this.spans
      .filter((s) => s.fromSeq <= header.seq && (s.toSeq === undefined || s.toSeq > header.seq))
      .sort((a, b) => localeOrder(a.key, b.key))
      .map((s) => this.recordOf(s.hash));
    return { header, records };
  }

  private recordOf(hash: string): AccessRecord {
    const record = this.records.get(hash);
    if (record === undefined) throw new Error(`snapshot record ${hash} is missing`);
    return record;
  }
}
