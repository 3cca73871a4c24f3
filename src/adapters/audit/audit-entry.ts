import { hashEntry, normaliseJson, personFilterKey, personKeys, redactSecrets, targetKey } from '../../domain/audit-chain';
import type { ChainAnchor, VerifyOptions } from '../../domain/audit-chain';
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

/** `limit` keeps the most recent matches (history views want the latest); results are always in seq order. */
export function effectiveLimit(filter: AuditFilter): number | undefined {
  return filter.limit === undefined ? undefined : Math.max(0, Math.floor(filter.limit));
}
