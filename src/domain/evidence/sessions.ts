/**
 * A leaver's live role sessions as the audit log recorded them (`leaver.sessions`, one per IAM user and run): read
 * back as hostile input (a stored row may have been edited), and worded for reports at the time they are read.
 */
export interface SessionEvidence {
  readonly account?: string;
  readonly userName: string;
  readonly status: 'ended' | 'may-live-until';
  /** `ended`: when the last session ended. `may-live-until`: until when one may live. ISO 8601. */
  readonly time: string;
  /** A re-read confirmed the denies behind "ended" (false: planned, not confirmed). */
  readonly verified: boolean;
  readonly recordedAt: string;
}

const isoTime = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;

/** The session evidence in one audit entry's fields, or undefined when they do not read as one. */
export function sessionEvidenceOf(entry: { readonly at: string; readonly account?: string; readonly target?: string; readonly after?: unknown }): SessionEvidence | undefined {
  const after = entry.after;
  if (after === null || typeof after !== 'object' || Array.isArray(after) || entry.target === undefined) return undefined;
  const fields = after as Record<string, unknown>;
  const status = fields['status'];
  const time = status === 'ended' ? isoTime(fields['at']) : status === 'may-live-until' ? isoTime(fields['until']) : undefined;
  if (time === undefined || (status !== 'ended' && status !== 'may-live-until')) return undefined;
  return {
    ...(entry.account !== undefined ? { account: entry.account } : {}),
    userName: entry.target,
    status,
    time,
    verified: fields['verified'] === true,
    recordedAt: entry.at,
  };
}

/**
 * The evidence in words at `now`: a "may live until" whose time has passed has ended by then (sessions expire), which
 * is what an auditor reading the report later needs to know.
 */
export function sessionEvidenceWords(e: SessionEvidence, now: Date): string {
  const who = `${e.account !== undefined ? `${e.account}/` : ''}${e.userName}`;
  const unverified = e.verified ? '' : ' (not verified)';
  if (e.status === 'ended') return `${who}: sessions ended at ${e.time}${unverified}`;
  return Date.parse(e.time) <= now.getTime() ? `${who}: sessions expired by ${e.time} (no deny ended them)` : `${who}: sessions may live until ${e.time}`;
}
