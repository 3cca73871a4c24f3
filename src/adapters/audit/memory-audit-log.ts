import { GENESIS_HASH, verifyChain } from '../../domain/audit-chain';
import type { ChainAnchor, VerifyOptions } from '../../domain/audit-chain';
import { systemClock } from '../../ports';
import type { AuditEntry, AuditFilter, ChainVerification, Clock, NewAuditEntry } from '../../ports';
import { checkedQuery, effectiveLimit, matchesFilter, sealEntry } from './audit-entry';
import type { AnchoredAuditLog, StoredRow } from './audit-entry';

/** Optional collaborators of an in-memory audit log. */
export interface MemoryAuditLogOptions {
  readonly clock?: Clock;
  /** Backing array, shared with other instances or with a test that tampers with it. */
  readonly entries?: AuditEntry[];
}

/** In-memory audit log for tests, the demo and planner-only paths; same chain as the durable stores. */
export class MemoryAuditLog implements AnchoredAuditLog {
  private readonly clock: Clock;
  private readonly entries: AuditEntry[];

  constructor(options: MemoryAuditLogOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.entries = options.entries ?? [];
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const last = this.entries.at(-1);
    const sealed = sealEntry(entry, (last?.seq ?? 0) + 1, this.clock.now().toISOString(), last?.hash ?? GENESIS_HASH);
    this.entries.push(sealed);
    return sealed;
  }

  async query(filter: AuditFilter): Promise<readonly AuditEntry[]> {
    const matches = this.entries.filter((entry) => matchesFilter(entry, filter)).sort((a, b) => a.seq - b.seq);
    const limit = effectiveLimit(filter);
    const found = limit === undefined ? matches : matches.slice(Math.max(0, matches.length - limit));
    // Same read-time check as the durable stores, so tests that tamper with the array see what production would.
    const row = (entry: AuditEntry): StoredRow => ({ entry, index: {}, kept: [] });
    return checkedQuery(found.map(row), (seq) => this.entries.filter((e) => e.seq >= seq).map(row), filter);
  }

  async verify(options?: VerifyOptions): Promise<ChainVerification> {
    const from = options?.fromAnchor === true ? (options.expectedHead?.seq ?? 0) : (options?.fromSeq ?? 0);
    return verifyChain(from > 0 ? this.entries.filter((e) => e.seq >= from) : this.entries, options);
  }

  async head(): Promise<ChainAnchor | undefined> {
    const last = this.entries.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : undefined;
  }
}
