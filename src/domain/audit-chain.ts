import { createHash } from 'node:crypto';

/** prevHash of the first entry: the chain starts from 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The fields of an audit entry the chain covers. The ports' `NewAuditEntry` and `AuditEntry` are built from it, so a
 * field added here is written, stored and hashed everywhere.
 */
export interface ChainEntry {
  readonly seq: number;
  readonly at: string;
  readonly runId: string;
  readonly actor: string;
  readonly action: string;
  readonly account?: string;
  readonly target?: string;
  readonly person?: string;
  readonly reason?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly result: string;
  readonly error?: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** An entry before it is hashed (prevHash is passed to `hashEntry` separately). */
export type UnhashedEntry = Omit<ChainEntry, 'hash' | 'prevHash'>;

/** The last entry's seq and hash, kept outside the store so a truncated tail can be detected. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** Same shape as the ports' `ChainVerification`; on failure `entries` counts those verified before the first problem. */
export type ChainCheck =
  | { readonly ok: true; readonly entries: number; readonly head: string }
  | { readonly ok: false; readonly entries: number; readonly firstBadSeq: number; readonly problem: string };

/** What `verifyChain` checks beyond the chain itself. */
export interface VerifyOptions {
  /** An anchor recorded earlier (e.g. printed by a previous run, kept in a ticket): the log must still reach it. */
  readonly expectedHead?: ChainAnchor;
  /**
   * Check only from `expectedHead` on: the entry at the anchor must still hash to it, and every
   * later entry must chain from it. What re-anchoring after each run needs, at a cost that follows
   * the run's entries instead of the whole history (`warden audit verify` still reads it all).
   */
  readonly fromAnchor?: boolean;
  /**
   * Check only from this seq on, taking that entry's prevHash as read: the links after it (and `expectedHead`, when it
   * lies at or after this seq) commit to its content. What checking a query's results against the chain needs.
   */
  readonly fromSeq?: number;
}

/**
 * JSON with object keys sorted at every depth; `undefined` members are omitted and other values
 * follow `JSON.stringify` (toJSON, non-finite numbers as null), so equal data always hashes equal.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return sortKeys(withJson.toJSON());
  if (Array.isArray(value)) return value.map((item) => (item === undefined || typeof item === 'function' ? null : sortKeys(item)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined && typeof member !== 'function') out[key] = sortKeys(member);
  }
  return out;
}

/** The value as it reads back from storage (canonical JSON round trip), so returned and stored entries hash alike. */
export function normaliseJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(canonicalJson(value)) as unknown);
}

/** Parses JSON text read from a store; text that is not JSON (tampered) comes back as the raw string, so its hash fails to verify. */
export function parseStoredJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The exact text an entry's hash covers: its fields (undefined omitted) as canonical JSON. */
export function canonicalEntry(entry: UnhashedEntry): string {
  return canonicalJson({
    seq: entry.seq,
    at: entry.at,
    runId: entry.runId,
    actor: entry.actor,
    action: entry.action,
    account: entry.account,
    target: entry.target,
    person: entry.person,
    reason: entry.reason,
    before: entry.before,
    after: entry.after,
    result: entry.result,
    error: entry.error,
  });
}

/** SHA-256 (hex) over `prevHash + '\n' + canonicalEntry(entry)`. */
export function hashEntry(prevHash: string, entry: UnhashedEntry): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalEntry(entry)}`).digest('hex');
}

/**
 * Checks entries one at a time, in the order a store reads them (by seq), so stores can stream
 * their log through it page by page; `push` returns false once a problem is found.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private verified = 0;
  private anchorSeen = false;
  private failure: Extract<ChainCheck, { ok: false }> | undefined;

  private readonly startSeq: number;

  constructor(private readonly options: VerifyOptions = {}) {
    const anchor = options.expectedHead;
    if (options.fromAnchor === true && anchor !== undefined && anchor.seq > 0) this.startSeq = anchor.seq;
    else this.startSeq = Math.max(1, Math.floor(options.fromSeq ?? 1));
    this.expectedSeq = this.startSeq;
    // An anchor before where this check starts says nothing about the entries it reads.
    if (anchor !== undefined && anchor.seq < this.startSeq) this.anchorSeen = true;
  }

  /**
   * Whether this check starts part-way (at an anchor or a given seq) rather than at the genesis entry. A check that
   * starts at seq 1 (from an anchor at seq 0 or 1) knows seq 1's predecessor: the genesis hash, so it checks that link.
   */
  private get startsAtAnchor(): boolean {
    return this.verified === 0 && this.startSeq > 1;
  }

  /** Feeds the next entry; false means the chain is already broken and further entries are ignored. */
  push(entry: ChainEntry): boolean {
    if (this.failure) return false;
    const problem = this.check(entry);
    if (problem) {
      this.failure = { ok: false, entries: this.verified, firstBadSeq: problem.seq, problem: problem.message };
      return false;
    }
    this.verified += 1;
    this.expectedSeq = entry.seq + 1;
    this.prevHash = entry.hash;
    return true;
  }

  /** The verdict once every entry has been pushed (or the first problem). */
  result(): ChainCheck {
    if (this.failure) return this.failure;
    const anchor = this.options.expectedHead;
    const lastSeq = this.expectedSeq - 1;
    if (anchor && !this.anchorSeen && anchor.seq > 0) {
      return {
        ok: false,
        entries: this.verified,
        firstBadSeq: lastSeq + 1,
        problem:
          lastSeq === 0
            ? `the log is empty but the anchor says it reached seq ${anchor.seq}: every entry was removed`
            : `the log ends at seq ${lastSeq} but the anchor says it reached seq ${anchor.seq}: entries after seq ${lastSeq} were removed (truncated tail)`,
      };
    }
    return { ok: true, entries: this.verified, head: this.prevHash };
  }

  private check(entry: ChainEntry): { seq: number; message: string } | undefined {
    const expected = this.expectedSeq;
    if (!Number.isSafeInteger(entry.seq) || entry.seq < expected) {
      return {
        seq: entry.seq,
        message: `seq ${entry.seq} appears where seq ${expected} was expected: entries are out of order or duplicated (reordered)`,
      };
    }
    if (entry.seq > expected) {
      const missing = entry.seq === expected + 1 ? `seq ${expected} is missing` : `seqs ${expected}..${entry.seq - 1} are missing`;
      return { seq: expected, message: `${missing} (the chain jumps from seq ${expected - 1} to seq ${entry.seq}): entries deleted or reordered` };
    }
    // Starting at the anchor, the first entry's predecessor is not read: its link is the anchor's own hash, checked below.
    if (!this.startsAtAnchor && entry.prevHash !== this.prevHash) {
      const previous = expected === 1 ? 'the genesis hash' : `the hash of seq ${expected - 1}`;
      return {
        seq: entry.seq,
        message: `seq ${entry.seq}: prevHash does not match ${previous}: an entry before it was edited, deleted or reordered`,
      };
    }
    if (hashEntry(entry.prevHash, entry) !== entry.hash) {
      return { seq: entry.seq, message: `seq ${entry.seq}: content does not match its hash: the entry was edited` };
    }
    const anchor = this.options.expectedHead;
    if (anchor && entry.seq === anchor.seq) {
      if (entry.hash !== anchor.hash) {
        return { seq: entry.seq, message: `seq ${entry.seq}: hash differs from the anchor: the log was rewritten from this entry on` };
      }
      this.anchorSeen = true;
    }
    return undefined;
  }
}

/** Verifies a whole chain read in seq order; detects edited, deleted and reordered entries, and with `expectedHead` a truncated tail. */
export function verifyChain(entries: Iterable<ChainEntry>, options: VerifyOptions = {}): ChainCheck {
  const verifier = new ChainVerifier(options);
  for (const entry of entries) {
    if (!verifier.push(entry)) break;
  }
  return verifier.result();
}

/** What replaces a secret in the log. */
export const REDACTED = '[REDACTED]';

// Identifiers and metadata (AccessKeyId, serviceSpecificCredentialId, PasswordLastUsed) describe a secret without revealing it.
const SECRET_KEY = /secret|password|passwd|passphrase|token|private_?key|credential|api_?key|session_?key|authorization|cookie/i;
const METADATA_KEY = /(id|ids|name|names|type|arn|status|date|time|lastused|createdat|updatedat|expiresat|required|enabled|count|age|length)$/i;
const SECRET_VALUE: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bxox[abposr]-[A-Za-z0-9-]+/g,
  /\bxapp-[A-Za-z0-9-]+/g,
];

/** True when a member with this key holds a secret (password, token, SecretAccessKey, privateKey…) rather than an identifier. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !METADATA_KEY.test(key);
}

/**
 * A deep copy with secrets masked: strings and numbers under secret-looking keys (and everything
 * but identifiers nested inside them), PEM private keys and Slack tokens inside any string.
 * Access key ids and other identifiers are kept: auditors need them.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, false, new Set()) as T;
}

function redact(value: unknown, secret: boolean, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return secret ? REDACTED : SECRET_VALUE.reduce((text, pattern) => text.replace(pattern, REDACTED), value);
  if (typeof value === 'number' || typeof value === 'bigint') return secret ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[Circular]';
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return redact(withJson.toJSON(), secret, ancestors);
  ancestors.add(value);
  const out = Array.isArray(value)
    ? value.map((item) => redact(item, secret, ancestors))
    : Object.fromEntries(
        Object.entries(value).map(([key, member]) => [
          key,
          redact(member, isSecretKey(key) || (secret && !METADATA_KEY.test(key)), ancestors),
        ]),
      );
  ancestors.delete(value);
  return out;
}

/** How an entry names a person: `email (employeeId)`, which `personKeys` reads back for queries. */
export function formatAuditPerson(person: { readonly employeeId: string; readonly email: string }): string {
  return `${person.email} (${person.employeeId})`;
}

/** The lower-cased email and employee id found in an entry's `person` text, for indexing. */
export function personKeys(person: string | undefined): { readonly email?: string; readonly employeeId?: string } {
  if (person === undefined) return {};
  const tokens = person.split(/[\s<>()[\],;]+/).filter((token) => token !== '');
  const email = tokens.find((token) => token.includes('@'));
  const others = tokens.filter((token) => token !== email);
  const employeeId = others.length === 1 ? others[0] : undefined;
  return {
    ...(email !== undefined ? { email: email.toLowerCase() } : {}),
    ...(employeeId !== undefined ? { employeeId: employeeId.toLowerCase() } : {}),
  };
}

/** Which indexed key a person filter means: an email when it has an `@`, else an employee id. */
export function personFilterKey(filter: string): { readonly field: 'email' | 'employeeId'; readonly value: string } {
  const value = filter.trim().toLowerCase();
  return { field: value.includes('@') ? 'email' : 'employeeId', value };
}

/** The indexed form of an entry's target (IAM user names are case-insensitive). */
export function targetKey(target: string | undefined): string | undefined {
  return target === undefined || target === '' ? undefined : target.toLowerCase();
}
