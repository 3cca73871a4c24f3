import { createHash } from 'node:crypto';
import { GENESIS_HASH, canonicalEntry, hashEntry, verifyChain } from '../../src/domain/audit-chain';
import type { ChainEntry } from '../../src/domain/audit-chain';

/*
 * Reference entries whose canonical text and SHA-256 were derived by hand from the documented
 * format (keys sorted at every depth, undefined omitted, hash = SHA-256(prevHash + "\n" + text))
 * and computed once outside this code base:
 *   printf '%s\n%s' "$PREV" "$CANON" | sha256sum
 * They are literals on purpose: a change to what the hash covers (a field left out, a different
 * separator, unsorted keys) must fail here, not be recomputed by the module under test.
 */

const REFERENCE_PREV = '9c1185a5c5e9fc54612808977ee8f548b2258d31a0b9f4a1f0c7e4e1c2d7b0a1';
const REFERENCE_CANONICAL =
  '{"account":"123456789012","action":"deactivate-access-key","actor":"slack:U0HR1",' +
  '"after":{"accessKeyId":"AKIAREFERENCE0000001","status":"Inactive"},"at":"2026-11-26T12:34:56.789Z",' +
  '"before":{"accessKeyId":"AKIAREFERENCE0000001","lastUsed":{"at":"2026-11-25T08:00:00Z","service":"iam"},"status":"Active"},' +
  '"error":"Throttling: Rate exceeded","person":"bob@example.com (E2)","reason":"departed","result":"failed",' +
  '"runId":"run-20261126-ref","seq":42,"target":"bob"}';
const REFERENCE_HASH = '3d31d8377654f3d81822b3edbdd9bd81038ffc7aacc443340503b34a5808e161';

/** Every field set; `before` nested and built in unsorted key order. */
const REFERENCE: ChainEntry = {
  seq: 42,
  at: '2026-11-26T12:34:56.789Z',
  runId: 'run-20261126-ref',
  actor: 'slack:U0HR1',
  action: 'deactivate-access-key',
  account: '123456789012',
  target: 'bob',
  person: 'bob@example.com (E2)',
  reason: 'departed',
  before: { status: 'Active', lastUsed: { service: 'iam', at: '2026-11-25T08:00:00Z' }, accessKeyId: 'AKIAREFERENCE0000001' },
  after: { status: 'Inactive', accessKeyId: 'AKIAREFERENCE0000001' },
  result: 'failed',
  error: 'Throttling: Rate exceeded',
  prevHash: REFERENCE_PREV,
  hash: REFERENCE_HASH,
};

/** A two-entry chain from genesis, every field set in both (hashes computed the same way as above). */
const FIRST: ChainEntry = {
  seq: 1,
  at: '2026-11-26T12:00:00.000Z',
  runId: 'run-20261126-ref',
  actor: 'system',
  action: 'attach-deny-all',
  account: '123456789012',
  target: 'bob',
  person: 'bob@example.com (E2)',
  reason: 'departed',
  before: { attached: false },
  after: { policyName: 'warden-deny-all' },
  result: 'ok',
  error: 'none',
  prevHash: GENESIS_HASH,
  hash: '3e6995c8bcebcc29d6a5e83aa01da7fbe20c5ba292216903a8b3f0ba5a1d092c',
};
const SECOND: ChainEntry = {
  seq: 2,
  at: '2026-11-26T12:05:00.000Z',
  runId: 'run-20261126-ref',
  actor: 'cli:auditor',
  action: 'verify',
  account: '123456789012',
  target: 'bob',
  person: 'bob@example.com (E2)',
  reason: 'departed',
  before: { groups: ['developers'] },
  after: { noAccessLeft: true },
  result: 'verified',
  error: '',
  prevHash: FIRST.hash,
  hash: '2470c13f0cdd536d85f3e2f1a3ddfe4ccbc9c63df931c716689132d5ee8b62af',
};

type Field = keyof ChainEntry;

/** Every field an auditor reads, with a plausible forged value (what an attacker with write access to the store would do). */
const TAMPERS: ReadonlyArray<readonly [Field, (entry: ChainEntry) => unknown]> = [
  ['seq', (e) => e.seq], // handled separately: a changed seq is caught as a gap/reorder; see below
  ['at', () => '2026-11-26T12:00:01.000Z'],
  ['runId', () => 'run-forged'],
  ['actor', () => 'slack:U0ATTACKER'],
  ['action', () => 'attach-deny-all-forged'],
  ['account', () => '999999999999'],
  ['target', () => 'mallory'],
  ['person', () => 'mallory@example.com (E9)'],
  ['reason', () => 'orphan'],
  ['before', (e) => ({ ...(e.before as object), forged: true })],
  ['after', () => ({ status: 'Active' })],
  ['result', () => 'ok-forged'],
  ['error', () => 'forged error'],
  ['prevHash', () => 'f'.repeat(64)],
];

/** Every optional field can also be dropped altogether. */
const OPTIONAL: readonly Field[] = ['account', 'target', 'person', 'reason', 'before', 'after', 'error'];

const HASHED_FIELDS = TAMPERS.map(([field]) => field).filter((f) => f !== 'prevHash' && f !== 'seq');

const tampered = (entry: ChainEntry, field: Field, value: unknown): ChainEntry => ({ ...entry, [field]: value }) as ChainEntry;
const without = (entry: ChainEntry, field: Field): ChainEntry => {
  const copy: Record<string, unknown> = { ...entry };
  delete copy[field];
  return copy as unknown as ChainEntry;
};

describe('audit hash reference (fixed literals, not recomputed by the module)', () => {
  it('the literal hash is SHA-256 over prevHash, a newline and the literal canonical text', () => {
    // Guards the literals themselves against a typo: computed here with node:crypto only, no project code.
    expect(createHash('sha256').update(`${REFERENCE_PREV}\n${REFERENCE_CANONICAL}`).digest('hex')).toBe(REFERENCE_HASH);
  });

  it('canonicalEntry produces exactly the documented text for an entry with every field set', () => {
    expect(canonicalEntry(REFERENCE)).toBe(REFERENCE_CANONICAL);
  });

  it('hashEntry produces exactly the literal hash', () => {
    expect(hashEntry(REFERENCE_PREV, REFERENCE)).toBe(REFERENCE_HASH);
    expect(hashEntry(GENESIS_HASH, FIRST)).toBe(FIRST.hash);
    expect(hashEntry(FIRST.hash, SECOND)).toBe(SECOND.hash);
  });

  it('the reference covers every field of an audit entry', () => {
    // If a field is added to ChainEntry, it must be added to the reference and the tamper table.
    const fields = Object.keys(REFERENCE).sort();
    expect(fields).toEqual([...TAMPERS.map(([f]) => f), 'hash'].sort());
  });

  it('the literal chain verifies, and so does the reference entry from its anchor', () => {
    expect(verifyChain([FIRST, SECOND])).toEqual({ ok: true, entries: 2, head: SECOND.hash });
    expect(verifyChain([REFERENCE], { expectedHead: { seq: 42, hash: REFERENCE_HASH }, fromAnchor: true })).toEqual({
      ok: true,
      entries: 1,
      head: REFERENCE_HASH,
    });
  });
});

describe('tampering with any hashed field is detected', () => {
  const cases = TAMPERS.filter(([field]) => field !== 'seq');

  it.each(cases)('%s changed in the hash input changes the hash', (field, forge) => {
    const forged = tampered(REFERENCE, field, forge(REFERENCE));
    const prev = field === 'prevHash' ? forged.prevHash : REFERENCE_PREV;
    expect(hashEntry(prev, forged)).not.toBe(REFERENCE_HASH);
  });

  it.each(cases)('%s edited in the first entry of a chain breaks verification at seq 1', (field, forge) => {
    const result = verifyChain([tampered(FIRST, field, forge(FIRST)), SECOND]);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 1, entries: 0 });
  });

  it.each(cases)('%s edited in the last entry of a chain breaks verification at seq 2', (field, forge) => {
    const result = verifyChain([FIRST, tampered(SECOND, field, forge(SECOND))]);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 2, entries: 1 });
  });

  it.each(cases)('%s edited in the anchor entry fails a check that starts at the anchor', (field, forge) => {
    // Starting at the anchor, the entry's prevHash is not compared with a predecessor, and its stored hash
    // still equals the anchor: only recomputing its content hash can notice the edit.
    const forged = tampered(REFERENCE, field, forge(REFERENCE));
    const result = verifyChain([forged], { expectedHead: { seq: 42, hash: REFERENCE_HASH }, fromAnchor: true });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 42, entries: 0 });
    expect(result.ok ? '' : result.problem).toMatch(/content does not match its hash/);
  });

  it.each(OPTIONAL)('%s removed from an entry is detected', (field) => {
    expect(verifyChain([without(FIRST, field), SECOND])).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(verifyChain([without(REFERENCE, field)], { expectedHead: { seq: 42, hash: REFERENCE_HASH }, fromAnchor: true })).toMatchObject({
      ok: false,
      firstBadSeq: 42,
    });
  });

  it.each(HASHED_FIELDS)('%s edited with the hash rewritten to match is caught by the next link or the anchor', (field) => {
    const forge = TAMPERS.find(([f]) => f === field)?.[1] ?? (() => undefined);
    const edited = tampered(FIRST, field, forge(FIRST));
    const resealed = { ...edited, hash: hashEntry(GENESIS_HASH, edited) };
    expect(verifyChain([resealed, SECOND])).toMatchObject({ ok: false, firstBadSeq: 2 });

    const anchorEdited = tampered(REFERENCE, field, forge(REFERENCE));
    const anchorResealed = { ...anchorEdited, hash: hashEntry(REFERENCE_PREV, anchorEdited) };
    const result = verifyChain([anchorResealed], { expectedHead: { seq: 42, hash: REFERENCE_HASH }, fromAnchor: true });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 42 });
  });

  it('a changed seq is detected as a gap or reordering', () => {
    expect(verifyChain([{ ...FIRST, seq: 2 }, SECOND])).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(verifyChain([FIRST, { ...SECOND, seq: 3 }])).toMatchObject({ ok: false, firstBadSeq: 2 });
    // Same seq renumbered inside a from-anchor check: the entry no longer sits at the anchor.
    expect(verifyChain([{ ...REFERENCE, seq: 43 }], { expectedHead: { seq: 42, hash: REFERENCE_HASH }, fromAnchor: true })).toMatchObject({ ok: false });
  });

  it('a stored hash edited alone is detected, at the entry and at the anchor', () => {
    expect(verifyChain([{ ...FIRST, hash: 'e'.repeat(64) }, SECOND])).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(verifyChain([REFERENCE], { expectedHead: { seq: 42, hash: 'e'.repeat(64) }, fromAnchor: true })).toMatchObject({
      ok: false,
      firstBadSeq: 42,
    });
  });
});
