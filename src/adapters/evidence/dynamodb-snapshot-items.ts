import type { AttributeValue, CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/audit-chain';
import type { AccessRecord } from '../../domain/evidence/access-records';
import type { SnapshotHeader } from '../../domain/evidence/snapshot';
import { KEY, readNumber, readString, runStateTableDefinition } from '../state/dynamodb-tables';
import type { Item } from '../state/dynamodb-tables';
import { personIndex } from './snapshot-common';

/** The DynamoDB snapshot store's table layout: partitions, sort keys, scopes, and items to and from domain values. Pure. */

/**
 * Partitions of the snapshots table (Warden's generic `pk`/`sk` string key). Spans live in three places, each
 * answering one question cheaply: `open` per scope (what the newest snapshot holds of one account, or of the hosts),
 * `closed` by the snapshot that ended them (what an older snapshot held), and one partition per record key (a
 * person's history). A save reads and writes only the scopes its run read, so its cost follows one account, not all.
 */
export const PK = {
  /** Headers by seq; the put of a header is the commit point of a save. */
  run: 'snapshot-run',
  /** Headers again, by time, for "the snapshot in force at T". */
  runAt: 'snapshot-run-at',
  runId: 'snapshot-run-id',
  open: (scope: string): string => `snapshot-open#${scope}`,
  closed: 'snapshot-closed',
  /** Content-addressed records: a record seen in many snapshots, or gone and back, is stored once. */
  record: 'snapshot-record',
  lock: 'snapshot-lock',
  /** The scopes a save in progress is writing, so the next save can find and undo what a dead writer left. */
  pending: 'snapshot-pending',
  span: (key: string): string => `snapshot-span#${key}`,
  personEmail: (email: string): string => `snapshot-person-email#${email}`,
  personId: (id: string): string => `snapshot-person-id#${id}`,
} as const;

export const SEQ_DIGITS = 10;
export const seqKey = (seq: number): string => String(seq).padStart(SEQ_DIGITS, '0');

/** The snapshots table: the generic `pk`/`sk` key like the run-state table (serverless.yml's SnapshotsTable). */
export function snapshotsTableDefinition(name: string): CreateTableCommandInput {
  return runStateTableDefinition(name);
}

/**
 * The part of the inventory one run read: its records of these replace the stored ones, and everything else is
 * carried over from the newest snapshot. Lets per-account runs (Lambda's fan-out) keep one complete snapshot series.
 */
export interface SnapshotScope {
  /** IAM accounts the run read (including those it failed to read: the run carried their last known state). */
  readonly accounts: readonly string[];
  /** Whether the run read the hosts. */
  readonly hosts: boolean;
  /** Whether the run read Identity Center (one fanned-out run does). */
  readonly identityCenter?: boolean;
}

/** The storage scope of a record key (`iam/<account>/<user>` -> `iam/<account>`, `host/<instance>/<os user>` -> `host`, `ic/…` -> `ic`). */
export function scopeKeyOf(key: string): string {
  const [kind, owner] = key.split('/', 2);
  return kind === 'iam' ? `iam/${owner ?? ''}` : (kind ?? '');
}

export const scopeKeys = (scope: SnapshotScope): Set<string> =>
  new Set([...scope.accounts.map((a) => `iam/${a}`), ...(scope.hosts ? ['host'] : []), ...(scope.identityCenter === true ? ['ic'] : [])]);

/** Whether a record key falls in a scope. */
export function keyInScope(key: string, scope: SnapshotScope): boolean {
  return scopeKeys(scope).has(scopeKeyOf(key));
}

export interface Span {
  readonly key: string;
  readonly hash: string;
  readonly fromSeq: number;
}

export interface ClosedSpan extends Span {
  readonly toSeq: number;
}

export type WriteOp = { readonly kind: 'put'; readonly item: Item } | { readonly kind: 'delete'; readonly key: Item };

/** Per scope: the domain's digest of its records, and how many. */
export type ScopeDigests = ReadonlyMap<string, { readonly digest: string; readonly count: number }>;

/** A header as stored: with its scopes, so a save of one scope carries the others' digests and counts. */
export interface StoredHeader extends SnapshotHeader {
  readonly scopes: ScopeDigests;
}

export const keyOf = (pk: string, sk: string): Item => ({ [KEY.partition]: { S: pk }, [KEY.sort]: { S: sk } });
export const put = (pk: string, sk: string, attributes: Item): WriteOp => ({ kind: 'put', item: { ...attributes, ...keyOf(pk, sk) } });
export const del = (pk: string, sk: string): WriteOp => ({ kind: 'delete', key: keyOf(pk, sk) });
export const str = (value: string): AttributeValue => ({ S: value });
export const num = (value: number): AttributeValue => ({ N: String(value) });

export const closedSort = (toSeq: number, key: string): string => `${seqKey(toSeq)}#${key}`;
/** Sort key of a header by time: normalized ISO text sorts chronologically, seq breaks ties. */
export const atSort = (atMs: number, seq: number): string => `${new Date(atMs).toISOString()}#${seqKey(seq)}`;

export const headerItem = (header: StoredHeader): Item => ({
  seq: num(header.seq),
  runId: str(header.runId),
  at: str(header.at),
  atMs: num(Date.parse(header.at)),
  digest: str(header.digest),
  recordCount: num(header.recordCount),
  scopes: str(JSON.stringify(Object.fromEntries([...header.scopes].sort(([a], [b]) => compareText(a, b)).map(([scope, d]) => [scope, [d.digest, d.count]])))),
});

export const toStoredHeader = (item: Item): StoredHeader => {
  const scopes = JSON.parse(readString(item, 'scopes') ?? '{}') as Record<string, [string, number]>;
  return {
    seq: readNumber(item, 'seq'),
    runId: readString(item, 'runId') ?? '',
    at: readString(item, 'at') ?? '',
    digest: readString(item, 'digest') ?? '',
    recordCount: readNumber(item, 'recordCount'),
    scopes: new Map(Object.entries(scopes).map(([scope, [digest, count]]) => [scope, { digest, count }])),
  };
};

export const toHeader = (item: Item): SnapshotHeader => {
  const { scopes: _scopes, ...header } = toStoredHeader(item);
  return header;
};

export const publicHeader = ({ scopes: _scopes, ...header }: StoredHeader): SnapshotHeader => header;

/**
 * SHA-256 over the scopes' digests: equal access, equal digest, and a save of one scope needs no other scope's records.
 * (The SQLite and memory stores hash every record line at once; digests compare within one store.)
 */
export const combinedDigest = (scopes: ScopeDigests): string =>
  createHash('sha256')
    .update([...scopes].map(([scope, d]) => `${scope} ${d.digest}`).sort().join('\n'))
    .digest('hex');

export const toSpan = (item: Item): Span => ({ key: readString(item, 'key') ?? '', hash: readString(item, 'hash') ?? '', fromSeq: readNumber(item, 'fromSeq') });
export const toClosed = (item: Item): ClosedSpan => ({ ...toSpan(item), toSeq: readNumber(item, 'toSeq') });
export const spanAttributes = (span: Span): Item => ({ key: str(span.key), hash: str(span.hash), fromSeq: num(span.fromSeq) });

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The content-addressed record and the person index entries that find it. */
export function recordWrites(key: string, hash: string, record: AccessRecord): WriteOp[] {
  const person = personIndex(record);
  const pointer = { key: str(key), hash: str(hash) };
  return [
    put(PK.record, hash, { key: str(key), body: str(canonicalJson(record)) }),
    ...(person.email !== undefined ? [put(PK.personEmail(person.email), hash, pointer)] : []),
    ...(person.employeeId !== undefined ? [put(PK.personId(person.employeeId), hash, pointer)] : []),
  ];
}
