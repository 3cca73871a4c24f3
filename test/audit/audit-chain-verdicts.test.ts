import {
  GENESIS_HASH,
  canonicalJson,
  hashEntry,
  REDACTED,
  personFilterKey,
  redactSecrets,
  targetKey,
  verifyChain,
  type ChainEntry,
  type UnhashedEntry,
} from '../../src/domain/audit-chain';

/*
 * What `warden audit verify` tells an auditor, word for word where the words are the finding
 * (which seq, what is missing, what it was compared with), and where a check starts: from the
 * genesis entry, from an anchor, or part-way. Plus the corners of the hashed text that decide
 * whether equal data hashes equal.
 */

const unhashed = (seq: number): UnhashedEntry => ({ seq, at: `2026-11-26T12:00:0${seq}.000Z`, runId: 'run-1', actor: 'system', action: `step-${seq}`, result: 'ok' });

function chain(count: number): ChainEntry[] {
  const out: ChainEntry[] = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const prevHash = out.at(-1)?.hash ?? GENESIS_HASH;
    out.push({ ...unhashed(seq), prevHash, hash: hashEntry(prevHash, unhashed(seq)) });
  }
  return out;
}

/** An entry whose prevHash was rewritten and whose own hash was recomputed to match: only the link can tell. */
const relinked = (entry: ChainEntry, prevHash: string): ChainEntry => ({ ...entry, prevHash, hash: hashEntry(prevHash, entry) });

const problem = (verdict: ReturnType<typeof verifyChain>): string => (verdict.ok ? 'ok' : verdict.problem);

describe('canonical JSON corners', () => {
  it('treats functions like JSON does: dropped from objects, null inside arrays', () => {
    expect(canonicalJson({ b: 1, a: () => 1 })).toBe('{"b":1}');
    expect(canonicalJson([1, () => 1, undefined, null])).toBe('[1,null,null,null]');
  });

  it('writes a bigint as its decimal digits and follows toJSON inside arrays', () => {
    expect(canonicalJson({ n: 12345678901234567890n })).toBe('{"n":"12345678901234567890"}');
    expect(canonicalJson([new Date('2026-11-26T12:00:00Z'), { toJSON: () => ({ z: 1, a: 2 }) }])).toBe('["2026-11-26T12:00:00.000Z",{"a":2,"z":1}]');
  });
});

describe('what verifyChain reports', () => {
  it('names the one missing seq and where the chain jumps', () => {
    const [a, b, , d] = chain(4);
    const verdict = verifyChain([a!, b!, d!]);

    expect(verdict).toEqual({
      ok: false,
      entries: 2,
      firstBadSeq: 3,
      problem: 'seq 3 is missing (the chain jumps from seq 2 to seq 4): entries deleted or reordered',
    });
  });

  it('names a range of missing seqs and where the chain jumps', () => {
    const [a, , , , e] = chain(5);

    expect(problem(verifyChain([a!, e!]))).toBe('seqs 2..4 are missing (the chain jumps from seq 1 to seq 5): entries deleted or reordered');
  });

  it('says which hash a broken link was compared with: the genesis hash for seq 1, the previous entry otherwise', () => {
    const [a, b, c] = chain(3);

    expect(problem(verifyChain([relinked(a!, 'a'.repeat(64))]))).toBe(
      'seq 1: prevHash does not match the genesis hash: an entry before it was edited, deleted or reordered',
    );
    expect(problem(verifyChain([a!, b!, relinked(c!, 'b'.repeat(64))]))).toBe(
      'seq 3: prevHash does not match the hash of seq 2: an entry before it was edited, deleted or reordered',
    );
  });

  it('says an entry was edited when only its content changed, and reports the tail cut short of the anchor', () => {
    const entries = chain(3);

    expect(problem(verifyChain([entries[0]!, { ...entries[1]!, actor: 'someone-else' }, entries[2]!]))).toBe(
      'seq 2: content does not match its hash: the entry was edited',
    );
    expect(verifyChain(entries.slice(0, 2), { expectedHead: { seq: 3, hash: entries[2]!.hash } })).toEqual({
      ok: false,
      entries: 2,
      firstBadSeq: 3,
      problem: 'the log ends at seq 2 but the anchor says it reached seq 3: entries after seq 2 were removed (truncated tail)',
    });
  });
});

describe('where a check starts', () => {
  it('checks the first link against genesis when an anchor is given without fromAnchor', () => {
    const [a, b] = chain(2);
    const forgedStart = relinked(a!, 'c'.repeat(64));
    const second = relinked(b!, forgedStart.hash);

    const verdict = verifyChain([forgedStart, second], { expectedHead: { seq: 2, hash: second.hash } });

    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('checks from genesis when fromAnchor is set but the anchor is the empty log (seq 0)', () => {
    const [a, b] = chain(2);

    expect(verifyChain([a!, b!], { fromAnchor: true, expectedHead: { seq: 0, hash: GENESIS_HASH } })).toEqual({ ok: true, entries: 2, head: b!.hash });
    expect(verifyChain([relinked(a!, 'd'.repeat(64))], { fromAnchor: true, expectedHead: { seq: 0, hash: GENESIS_HASH } })).toMatchObject({
      ok: false,
      firstBadSeq: 1,
    });
  });

  it('starting at the anchor, takes the anchor entry as read and checks every later link', () => {
    const entries = chain(4);
    const anchor = { seq: 2, hash: entries[1]!.hash };

    expect(verifyChain(entries.slice(1), { fromAnchor: true, expectedHead: anchor })).toEqual({ ok: true, entries: 3, head: entries[3]!.hash });
    expect(verifyChain([entries[1]!, relinked(entries[2]!, 'e'.repeat(64))], { fromAnchor: true, expectedHead: anchor })).toMatchObject({
      ok: false,
      firstBadSeq: 3,
    });
  });

  it('a part-way check (fromSeq) is not failed by an anchor that lies before it', () => {
    const entries = chain(5);

    expect(verifyChain(entries.slice(3), { fromSeq: 4, expectedHead: { seq: 2, hash: entries[1]!.hash } })).toEqual({
      ok: true,
      entries: 2,
      head: entries[4]!.hash,
    });
  });
});

describe('index keys for queries', () => {
  it('reads a person filter as an email when it has an @, else as an employee id, trimmed and lower-cased', () => {
    expect(personFilterKey('  Alice@Example.COM ')).toEqual({ field: 'email', value: 'alice@example.com' });
    expect(personFilterKey(' E0042 ')).toEqual({ field: 'employeeId', value: 'e0042' });
  });

  it('indexes targets case-insensitively, as IAM compares user names, and a blank target not at all', () => {
    expect(targetKey('Bob.Smith')).toBe('bob.smith');
    expect(targetKey('')).toBeUndefined();
    expect(targetKey(undefined)).toBeUndefined();
  });
});

describe('redacting numbers', () => {
  it('masks a number held under a secret-looking key (a numeric PIN or OTP) and keeps other numbers', () => {
    expect(redactSecrets({ password: 123456, otpToken: 987654, keyCount: 2, port: 22 })).toEqual({ password: REDACTED, otpToken: REDACTED, keyCount: 2, port: 22 });
  });
});
