import { GENESIS_HASH } from '../../src/domain/audit-chain';
import {
  checkedQuery,
  indexKeys,
  indexMismatch,
  isWholeLog,
  sealEntry,
  verifyStoredRows,
  type StoredIndexKeys,
  type StoredRow,
} from '../../src/adapters/audit/audit-entry';
import { AuditTamperedError } from '../../src/errors';
import type { AuditEntry, AuditFilter } from '../../src/ports';
import { createDummyEntry } from '../contract/audit-log.contract';

/** A chain of `count` entries sealed exactly as every store seals them, a second apart. */
function chain(count: number, at = (i: number): string => new Date(Date.UTC(2026, 10, 26, 12, 0, i)).toISOString()): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < count; i += 1) {
    const entry = sealEntry(createDummyEntry({ action: `step-${i + 1}`, person: i % 2 === 0 ? 'bob@example.com (E1)' : 'ann@example.com (E2)' }), i + 1, at(i), prev);
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}

/** The row a store would read back, with the copies it keeps exactly as the hashed content derives them. */
function honestRow(entry: AuditEntry, kept: readonly (keyof StoredIndexKeys)[] = ['personEmail', 'personId', 'targetKey', 'runKey', 'atMs']): StoredRow {
  const keys = indexKeys(entry);
  return {
    entry,
    index: { personEmail: keys.personEmail, personId: keys.personId, targetKey: keys.targetKey, runKey: entry.runId === '' ? undefined : entry.runId, atMs: keys.atMs },
    kept,
  };
}

const withIndex = (row: StoredRow, index: StoredIndexKeys): StoredRow => ({ ...row, index: { ...row.index, ...index } });

describe('indexKeys', () => {
  it('carries no key for a part the person text lacks (absent, not undefined)', () => {
    const [entry] = chain(1);
    expect(indexKeys({ ...entry!, person: 'E7' })).toStrictEqual({ personId: 'e7', targetKey: 'bob', atMs: Date.parse(entry!.at) });
    expect(indexKeys({ ...entry!, person: 'Ann@Example.com' })).toStrictEqual({ personEmail: 'ann@example.com', targetKey: 'bob', atMs: Date.parse(entry!.at) });
  });
});

describe('isWholeLog', () => {
  it('is a whole-log read only when every member is absent or undefined', () => {
    expect(isWholeLog({})).toBe(true);
    // Types forbid an explicit undefined member, but a filter parsed at run time (JSON, CLI flags) can carry one.
    const parsed = (filter: Record<string, unknown>): AuditFilter => filter as AuditFilter;
    expect(isWholeLog(parsed({ person: undefined, limit: undefined }))).toBe(true);
    expect(isWholeLog(parsed({ person: undefined, limit: 5 }))).toBe(false);
    expect(isWholeLog({ runId: '' })).toBe(false);
  });
});

describe('indexMismatch: every index copy against what the hashed content derives', () => {
  const [entry] = chain(1);
  const row = honestRow(entry!);
  const atMs = Date.parse(entry!.at);

  const cases: readonly { name: string; index: StoredIndexKeys; wrong?: string }[] = [
    { name: 'honest copies', index: {} },
    { name: 'an email moved to another person', index: { personEmail: 'eve@example.com' }, wrong: 'personEmail ("eve@example.com") differs from its hashed content ("bob@example.com")' },
    { name: 'an email copy removed', index: { personEmail: undefined }, wrong: 'personEmail (null) differs from its hashed content ("bob@example.com")' },
    { name: 'an employee id changed', index: { personId: 'e9' }, wrong: 'personId ("e9") differs from its hashed content ("e1")' },
    { name: 'a target copy in another case', index: { targetKey: 'Bob' }, wrong: 'targetKey ("Bob") differs from its hashed content ("bob")' },
    { name: 'a run moved', index: { runKey: 'run-2' }, wrong: 'runKey ("run-2") differs from its hashed content ("run-1")' },
    { name: 'a time moved a millisecond', index: { atMs: atMs + 1 }, wrong: `atMs (${atMs + 1}) differs from its hashed content (${atMs})` },
    { name: 'a time copy that is not a number', index: { atMs: Number.NaN }, wrong: `atMs (null) differs from its hashed content (${atMs})` },
    { name: 'a time copy missing', index: { atMs: undefined }, wrong: `atMs (null) differs from its hashed content (${atMs})` },
  ];
  it.each(cases)('$name', ({ index, wrong }) => {
    const expected = wrong === undefined ? undefined : `seq 1: its index copy ${wrong}: the entry was re-indexed to move it out of or into a history`;
    expect(indexMismatch(withIndex(row, index))).toBe(expected);
  });

  it('reads a row whose time is unreadable on both sides as matching (NaN equals NaN here), and only then', () => {
    const odd: AuditEntry = { ...entry!, at: 'not a time' };
    expect(indexMismatch(withIndex(honestRow(odd), { atMs: Number.NaN }))).toBeUndefined();
    expect(indexMismatch(withIndex(honestRow(odd), { atMs: 5 }))).toBe(
      'seq 1: its index copy atMs (5) differs from its hashed content (null): the entry was re-indexed to move it out of or into a history',
    );
    expect(indexMismatch(withIndex(honestRow(odd), { atMs: undefined }))).toMatch(/^seq 1: its index copy atMs \(null\) differs/);
  });

  it('checks only the copies the store keeps', () => {
    expect(indexMismatch(withIndex(honestRow(entry!, ['personId']), { personEmail: 'eve@example.com' }))).toBeUndefined();
    expect(indexMismatch(withIndex(honestRow(entry!, ['personId', 'personEmail']), { personEmail: 'eve@example.com' }))).toMatch(/index copy personEmail/);
  });

  it('checks the row key when the store derives it from seq', () => {
    const keyed: StoredRow = { ...row, index: { ...row.index, sortKey: 'seq-1' }, kept: [...row.kept, 'sortKey'] };
    expect(indexMismatch(keyed, (seq) => `seq-${seq}`)).toBeUndefined();
    expect(indexMismatch(keyed, (seq) => `seq-${seq + 1}`)).toBe(
      'seq 1: its index copy sortKey ("seq-1") differs from its hashed content ("seq-2"): the entry was re-indexed to move it out of or into a history',
    );
  });
});

describe('verifyStoredRows', () => {
  it('counts the rows verified before a re-indexed one', async () => {
    const rows = chain(3).map((e) => honestRow(e));
    rows[1] = withIndex(rows[1]!, { personEmail: 'eve@example.com' });
    await expect(verifyStoredRows(rows)).resolves.toStrictEqual({
      ok: false,
      entries: 1,
      firstBadSeq: 2,
      problem: 'seq 2: its index copy personEmail ("eve@example.com") differs from its hashed content ("ann@example.com"): the entry was re-indexed to move it out of or into a history',
    });
  });

  it('accepts honest rows', async () => {
    const entries = chain(3);
    await expect(verifyStoredRows(entries.map((e) => honestRow(e)))).resolves.toStrictEqual({ ok: true, entries: 3, head: entries[2]!.hash });
  });
});

describe('checkedQuery', () => {
  const entries = chain(4);
  const rows = entries.map((e) => honestRow(e));
  const from = (seq: number): StoredRow[] => rows.filter((r) => r.entry.seq >= seq);

  it('reads nothing when the index found nothing or the limit is 0', async () => {
    const chainFrom = jest.fn(from);
    await expect(checkedQuery([], chainFrom, { person: 'bob@example.com' })).resolves.toStrictEqual([]);
    // A limit of 0 asks for nothing: even a tampered candidate is never read.
    const tampered = withIndex(rows[1]!, { personEmail: 'bob@example.com' });
    await expect(checkedQuery([tampered], chainFrom, { person: 'bob@example.com', limit: 0 })).resolves.toStrictEqual([]);
    expect(chainFrom).not.toHaveBeenCalled();
  });

  it('answers from the chain, from the earliest candidate on', async () => {
    const chainFrom = jest.fn(from);
    const found = await checkedQuery([rows[2]!, rows[0]!], chainFrom, { person: 'bob@example.com' });
    expect(found.map((e) => e.seq)).toStrictEqual([1, 3]);
    expect(chainFrom).toHaveBeenCalledWith(1);
  });

  it('refuses a candidate whose content was edited though its hash and link were kept', async () => {
    const edited: StoredRow = { ...rows[2]!, entry: { ...rows[2]!.entry, result: 'failed' } };
    const query = checkedQuery([edited], from, { person: 'bob@example.com' });
    await expect(query).rejects.toThrow(AuditTamperedError);
    await expect(checkedQuery([edited], from, { person: 'bob@example.com' })).rejects.toThrow(
      "audit log tampered with: seq 3: the row the index returned differs from the chain's (found while answering a query; run `warden audit verify`)",
    );
  });

  it('names the seq an index still holds after the chain lost it', async () => {
    const gone = (seq: number): StoredRow[] => from(seq).filter((r) => r.entry.seq !== 4);
    await expect(checkedQuery([rows[2]!, rows[3]!], gone, { person: 'bob@example.com' })).rejects.toMatchObject({
      firstBadSeq: 4,
      message: 'audit log tampered with: seq 4 is in an index but no longer in the chain: entries deleted (found while answering a query; run `warden audit verify`)',
    });
  });
});

describe('sealEntry', () => {
  it('keeps every field it was given and carries no key for an absent one', () => {
    const full = sealEntry(createDummyEntry({ error: 'AccessDenied' }), 1, '2026-11-26T12:00:00.000Z', GENESIS_HASH);
    expect(Object.keys(full)).toStrictEqual(['seq', 'at', 'runId', 'actor', 'action', 'account', 'target', 'person', 'reason', 'before', 'after', 'result', 'error', 'prevHash', 'hash']);
    expect(full).toMatchObject({ account: '123456789012', target: 'bob', person: 'bob@example.com', reason: 'departed', error: 'AccessDenied' });
    const { account: _a, target: _t, person: _p, reason: _r, before: _b, after: _f, ...bare } = createDummyEntry();
    expect(Object.keys(sealEntry(bare, 1, '2026-11-26T12:00:00.000Z', GENESIS_HASH))).toStrictEqual(['seq', 'at', 'runId', 'actor', 'action', 'result', 'prevHash', 'hash']);
  });
});

describe('checkedQuery against a tampered index', () => {
  const entries = chain(4);
  const rows = entries.map((e) => honestRow(e));
  const from = (seq: number): StoredRow[] => rows.filter((r) => r.entry.seq >= seq);

  it('refuses a candidate edited and re-hashed on its own, though its link is kept', () => {
    const original = rows[2]!.entry;
    const rehashed: StoredRow = { ...rows[2]!, entry: sealEntry(createDummyEntry({ action: 'step-3', person: 'bob@example.com (E1)', result: 'failed' }), 3, original.at, original.prevHash) };
    expect(rehashed.entry.hash).not.toBe(original.hash);
    expect(rehashed.entry.prevHash).toBe(rows[2]!.entry.prevHash);
    return expect(checkedQuery([rehashed], from, { person: 'bob@example.com' })).rejects.toThrow("seq 3: the row the index returned differs from the chain's");
  });

  it('refuses a candidate whose index copies were rewritten even when the chain row is honest', async () => {
    const moved = withIndex(rows[1]!, { personEmail: 'bob@example.com' });
    await expect(checkedQuery([moved], from, { person: 'bob@example.com' })).rejects.toMatchObject({ firstBadSeq: 2 });
  });

  it('keeps only the newest matches under a limit, also when the chain holds matches the index has not caught up with', async () => {
    const found = await checkedQuery([rows[0]!], from, { person: 'bob@example.com', limit: 1 });
    expect(found.map((e) => e.seq)).toStrictEqual([3]);
  });
});
