import { ChainVerifier, hashEntry, normaliseJson, personFilterKey, personKeys, redactSecrets, targetKey } from '../../domain/audit-chain';
import type { ChainAnchor, ChainCheck, VerifyOptions } from '../../domain/audit-chain';
import { AuditTamperedError } from '../../errors';
import type { AuditEntry, AuditFilter, AuditLog, ChainVerification, NewAuditEntry } from '../../ports';

/** An audit log that can also report its head (to keep as an anchor elsewhere) and verify against one. */
export interface AnchoredAuditLog extends AuditLog {
  /** seq and hash of the last entry, or undefined for an empty log. */
  head(): Promise<ChainAnchor | undefined>;
  verify(options?: VerifyOptions): Promise<ChainVerification>;
}

/**
 * The entry as stored: secrets redacted, `before`/`after` in their canonical JSON form (what a
 * store reads back), undefined members absent, and linked to `prev` by its hash.
 */
export function sealEntry(entry: NewAuditEntry, seq: number, at: string, prevHash: string): AuditEntry {
  const clean = redactSecrets(entry);
  const before = normaliseJson(clean.before);
  const after = normaliseJson(clean.after);
  const unhashed = {
    seq,
    at,
    runId: clean.runId,
    actor: clean.actor,
    action: clean.action,
    ...(clean.account !== undefined ? { account: clean.account } : {}),
    ...(clean.target !== undefined ? { target: clean.target } : {}),
    ...(clean.person !== undefined ? { person: clean.person } : {}),
    ...(clean.reason !== undefined ? { reason: clean.reason } : {}),
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    result: clean.result,
    ...(clean.error !== undefined ? { error: clean.error } : {}),
  };
  return { ...unhashed, prevHash, hash: hashEntry(prevHash, unhashed) };
}

/** The derived, lower-cased keys stores index an entry by. */
export function indexKeys(entry: AuditEntry): { personEmail?: string; personId?: string; targetKey?: string; atMs: number } {
  const person = personKeys(entry.person);
  const target = targetKey(entry.target);
  return {
    ...(person.email !== undefined ? { personEmail: person.email } : {}),
    ...(person.employeeId !== undefined ? { personId: person.employeeId } : {}),
    ...(target !== undefined ? { targetKey: target } : {}),
    atMs: Date.parse(entry.at),
  };
}

/** Whether an entry passes a filter (the reference semantics every store implements natively). */
export function matchesFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  const keys = indexKeys(entry);
  if (filter.person !== undefined) {
    const wanted = personFilterKey(filter.person);
    if ((wanted.field === 'email' ? keys.personEmail : keys.personId) !== wanted.value) return false;
  }
  if (filter.userName !== undefined && (keys.targetKey === undefined || keys.targetKey !== targetKey(filter.userName))) return false;
  if (filter.runId !== undefined && entry.runId !== filter.runId) return false;
  if (filter.since !== undefined && keys.atMs < filter.since.getTime()) return false;
  if (filter.until !== undefined && keys.atMs > filter.until.getTime()) return false;
  return true;
}

/** A filter that reads the whole log in seq order (no index, no bound, no limit). */
export const isWholeLog = (filter: AuditFilter): boolean => Object.values(filter).every((value) => value === undefined);

/** `limit` keeps the most recent matches (history views want the latest); results are always in seq order. */
export function effectiveLimit(filter: AuditFilter): number | undefined {
  return filter.limit === undefined ? undefined : Math.max(0, Math.floor(filter.limit));
}

/** The copies a store keeps beside an entry for its indexes, as read back (absent: the store keeps no such copy). */
export interface StoredIndexKeys {
  readonly personEmail?: string | undefined;
  readonly personId?: string | undefined;
  readonly targetKey?: string | undefined;
  readonly runKey?: string | undefined;
  readonly atMs?: number | undefined;
  /** The row's own key, where the store keys rows by something derived from seq. */
  readonly sortKey?: string | undefined;
}

/** One row as a store read it: the hashed entry, and the unhashed copies its indexes are built on. */
export interface StoredRow {
  readonly entry: AuditEntry;
  /** Which copies this store keeps: each is checked equal to what the hashed content derives. */
  readonly index: StoredIndexKeys;
  readonly kept: readonly (keyof StoredIndexKeys)[];
}

/**
 * What is wrong with a row's index copies, or undefined: each must equal what the entry's hashed content derives, or a
 * rewrite of a copy alone (PutItem, UPDATE) would move the entry out of, or into, someone's history unseen.
 */
export function indexMismatch(row: StoredRow, sortKeyOf?: (seq: number) => string): string | undefined {
  const derived = indexKeys(row.entry);
  const expected: StoredIndexKeys = {
    personEmail: derived.personEmail,
    personId: derived.personId,
    targetKey: derived.targetKey,
    runKey: row.entry.runId === '' ? undefined : row.entry.runId,
    atMs: derived.atMs,
    ...(sortKeyOf !== undefined ? { sortKey: sortKeyOf(row.entry.seq) } : {}),
  };
  for (const key of row.kept) {
    const stored = row.index[key];
    const wanted = expected[key];
    if (stored !== wanted && !(typeof stored === 'number' && typeof wanted === 'number' && Number.isNaN(stored) && Number.isNaN(wanted))) {
      return `seq ${row.entry.seq}: its index copy ${key} (${JSON.stringify(stored ?? null)}) differs from its hashed content (${JSON.stringify(wanted ?? null)}): the entry was re-indexed to move it out of or into a history`;
    }
  }
  return undefined;
}

/** Verifies rows read in seq order: the hash chain, and every index copy against the hashed content. */
export async function verifyStoredRows(rows: Iterable<StoredRow> | AsyncIterable<StoredRow>, options?: VerifyOptions, sortKeyOf?: (seq: number) => string): Promise<ChainCheck> {
  const verifier = new ChainVerifier(options);
  let verified = 0;
  for await (const row of rows) {
    if (!verifier.push(row.entry)) break;
    const problem = indexMismatch(row, sortKeyOf);
    if (problem !== undefined) return { ok: false, entries: verified, firstBadSeq: row.entry.seq, problem };
    verified += 1;
  }
  return verifier.result();
}

const sameStored = (a: AuditEntry, b: AuditEntry): boolean => a.hash === b.hash && a.prevHash === b.prevHash && hashEntry(a.prevHash, a) === a.hash;

/**
 * A query's answer, checked against the chain: `candidates` are what the store's index found; `chainFrom` reads the
 * chain (strongly consistent) from a seq to the head. Every row from the earliest candidate on is verified (content
 * against its hash, each link, each index copy), each candidate must be the chain's own row, and the answer is taken
 * from the chain itself, so an index that lags or was tampered with can neither add nor hide an entry there.
 * Throws `AuditTamperedError` (exit 4) on any mismatch.
 */
export async function checkedQuery(
  candidates: readonly StoredRow[],
  chainFrom: (seq: number) => Iterable<StoredRow> | AsyncIterable<StoredRow>,
  filter: AuditFilter,
  sortKeyOf?: (seq: number) => string,
): Promise<AuditEntry[]> {
  const limit = effectiveLimit(filter);
  if (candidates.length === 0 || limit === 0) return [];
  const fromSeq = Math.min(...candidates.map((c) => c.entry.seq));
  const wanted = new Map(candidates.map((c) => [c.entry.seq, c]));
  const fail = (seq: number, problem: string): never => {
    throw new AuditTamperedError(`audit log tampered with: ${problem} (found while answering a query; run \`warden audit verify\`)`, seq);
  };
  for (const candidate of candidates) {
    const problem = indexMismatch(candidate, sortKeyOf);
    if (problem !== undefined) fail(candidate.entry.seq, problem);
  }
  const verifier = new ChainVerifier({ fromSeq });
  const matches: AuditEntry[] = [];
  for await (const row of chainFrom(fromSeq)) {
    if (!verifier.push(row.entry)) break;
    const problem = indexMismatch(row, sortKeyOf);
    if (problem !== undefined) fail(row.entry.seq, problem);
    const candidate = wanted.get(row.entry.seq);
    if (candidate !== undefined) {
      if (!sameStored(candidate.entry, row.entry)) fail(row.entry.seq, `seq ${row.entry.seq}: the row the index returned differs from the chain's`);
      wanted.delete(row.entry.seq);
    }
    if (matchesFilter(row.entry, filter)) matches.push(row.entry);
  }
  const verdict = verifier.result();
  if (!verdict.ok) fail(verdict.firstBadSeq, verdict.problem);
  const [missing] = wanted.keys();
  if (missing !== undefined) fail(missing, `seq ${missing} is in an index but no longer in the chain: entries deleted`);
  return limit === undefined ? matches : matches.slice(Math.max(0, matches.length - limit));
}
