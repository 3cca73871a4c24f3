import type { AccessRecord } from '../../domain/evidence/access-records';
import type { NewSnapshot, RecordSpan, SnapshotHeader } from '../../domain/evidence/snapshot';
import { SnapshotOrderError } from '../../errors';


/** Rejects a snapshot taken before the latest saved one (which would make spans run backwards). */
export function assertInOrder(latest: SnapshotHeader | undefined, snapshot: NewSnapshot): void {
  const at = Date.parse(snapshot.at);
  if (Number.isNaN(at)) throw new SnapshotOrderError(`snapshot of ${snapshot.runId}: "${snapshot.at}" is not a date-time`);
  if (latest !== undefined && at < Date.parse(latest.at)) {
    throw new SnapshotOrderError(`snapshot of ${snapshot.runId} at ${snapshot.at} is older than the latest one (${latest.runId} at ${latest.at})`);
  }
}

/** The lower-cased person keys a record is indexed by. */
export function personIndex(record: AccessRecord): { email?: string; employeeId?: string } {
  return record.person === undefined ? {} : { email: record.person.email.toLowerCase(), employeeId: record.person.employeeId.toLowerCase() };
}

/** Whether a person filter (email or employee id) names this record's person. */
export function matchesPerson(record: AccessRecord, person: string): boolean {
  const wanted = person.trim().toLowerCase();
  const keys = personIndex(record);
  return wanted.includes('@') ? keys.email === wanted : keys.employeeId === wanted;
}

/** A stored span with the snapshot times that bound it; `runAt(seq)` gives snapshot seq's time, `lastSeq` the newest seq. */
export function toRecordSpan(
  span: { readonly key: string; readonly hash: string; readonly fromSeq: number; readonly toSeq?: number },
  record: AccessRecord,
  runAt: (seq: number) => string,
  lastSeq: number,
): RecordSpan {
  const lastHeld = span.toSeq === undefined ? lastSeq : span.toSeq - 1;
  return {
    key: span.key,
    hash: span.hash,
    record,
    fromSeq: span.fromSeq,
    ...(span.toSeq !== undefined ? { toSeq: span.toSeq, goneBy: runAt(span.toSeq) } : {}),
    firstSeen: runAt(span.fromSeq),
    lastSeen: runAt(lastHeld),
  };
}
