import { createHash } from 'node:crypto';
import {
  GENESIS_HASH,
  REDACTED,
  canonicalEntry,
  canonicalJson,
  formatAuditPerson,
  hashEntry,
  personKeys,
  redactSecrets,
  verifyChain,
} from '../../src/domain/audit-chain';
import type { ChainEntry, UnhashedEntry } from '../../src/domain/audit-chain';

const unhashed = (seq: number, overrides: Partial<UnhashedEntry> = {}): UnhashedEntry => ({
  seq,
  at: `2026-11-26T12:00:0${seq % 10}.000Z`,
  runId: 'run-1',
  actor: 'system',
  action: `step-${seq}`,
  result: 'ok',
  ...overrides,
});

/** A valid chain of `count` entries built with the production hash. */
function chain(count: number): ChainEntry[] {
  const out: ChainEntry[] = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const prevHash = out.at(-1)?.hash ?? GENESIS_HASH;
    const entry = unhashed(seq);
    out.push({ ...entry, prevHash, hash: hashEntry(prevHash, entry) });
  }
  return out;
}

describe('canonical serialisation', () => {
  it('sorts keys at every depth and omits undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [3, undefined, { y: 1, x: 2 }] } })).toBe('{"a":{"c":[3,null,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson({ when: new Date('2026-11-26T12:00:00Z') })).toBe('{"when":"2026-11-26T12:00:00.000Z"}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('is independent of the order the entry was built in', () => {
    const entry = unhashed(1, { before: { z: 1, a: 2 }, account: '123456789012' });
    const shuffled = { result: entry.result, before: { a: 2, z: 1 }, account: '123456789012', action: entry.action, actor: entry.actor, runId: entry.runId, at: entry.at, seq: 1 };
    expect(canonicalEntry(shuffled)).toBe(canonicalEntry(entry));
    expect(hashEntry(GENESIS_HASH, shuffled)).toBe(hashEntry(GENESIS_HASH, entry));
  });

  it('hashes prevHash, a newline and the canonical entry with SHA-256', () => {
    const entry = unhashed(1);
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonicalEntry(entry)}`).digest('hex');
    expect(hashEntry(GENESIS_HASH, entry)).toBe(expected);
    expect(hashEntry('f'.repeat(64), entry)).not.toBe(expected);
    expect(canonicalEntry({ ...entry, ...{ hash: 'x', prevHash: 'y' } })).toBe(canonicalEntry(entry));
  });
});

describe('verifyChain', () => {
  it('accepts a valid chain and an empty one', () => {
    const entries = chain(4);
    expect(verifyChain(entries)).toEqual({ ok: true, entries: 4, head: entries[3]!.hash });
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it('reports out-of-order seqs at the first anomaly', () => {
    const [a, b, c, d] = chain(4);
    const verdict = verifyChain([a!, c!, b!, d!]);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 2 });
    const again = verifyChain([a!, b!, b!]);
    expect(again).toMatchObject({ ok: false, firstBadSeq: 2, entries: 2 });
    expect(again.ok ? '' : again.problem).toMatch(/seq 2 appears where seq 3 was expected.*reordered/);
  });

  it('names a range of missing seqs', () => {
    const [a, , , d] = chain(4);
    const verdict = verifyChain([a!, d!]);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 2 });
    expect(verdict.ok ? '' : verdict.problem).toMatch(/seqs 2\.\.3 are missing/);
  });

  it('rejects a first entry that does not start from genesis', () => {
    const [first] = chain(1);
    const forged = { ...first!, prevHash: 'a'.repeat(64) };
    expect(verifyChain([{ ...forged, hash: hashEntry(forged.prevHash, forged) }])).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('checks the anchor on an emptied log', () => {
    const entries = chain(2);
    const verdict = verifyChain([], { expectedHead: { seq: 2, hash: entries[1]!.hash } });
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(verdict.ok ? '' : verdict.problem).toMatch(/empty.*seq 2/);
    expect(verifyChain([], { expectedHead: { seq: 0, hash: GENESIS_HASH } })).toMatchObject({ ok: true });
  });

  it('stops reading at the first problem', () => {
    const entries = chain(3);
    let read = 0;
    function* counted(): Generator<ChainEntry> {
      for (const entry of [entries[0]!, { ...entries[1]!, action: 'edited' }, entries[2]!]) {
        read += 1;
        yield entry;
      }
    }
    expect(verifyChain(counted())).toMatchObject({ ok: false, firstBadSeq: 2 });
    expect(read).toBe(2);
  });
});

describe('redactSecrets', () => {
  it('masks secrets and keeps identifiers and metadata about them', () => {
    const input = {
      AccessKeyId: 'AKIAEXAMPLE',
      SecretAccessKey: 'secret-value',
      SessionToken: 'token-value',
      ServicePassword: 'pw',
      ServiceSpecificCredentialId: 'ACCA123',
      PasswordLastUsed: '2026-01-01T00:00:00Z',
      PasswordResetRequired: true,
      hasPassword: true,
      clientSecret: 42,
      credentials: { accessKeyId: 'ASIA1', secretAccessKey: 's', expiration: '2026-11-27' },
      publicKey: 'ssh-ed25519 AAAAC3Nza bob@laptop',
    };
    expect(redactSecrets(input)).toEqual({
      AccessKeyId: 'AKIAEXAMPLE',
      SecretAccessKey: REDACTED,
      SessionToken: REDACTED,
      ServicePassword: REDACTED,
      ServiceSpecificCredentialId: 'ACCA123',
      PasswordLastUsed: '2026-01-01T00:00:00Z',
      PasswordResetRequired: true,
      hasPassword: true,
      clientSecret: REDACTED,
      credentials: { accessKeyId: 'ASIA1', secretAccessKey: REDACTED, expiration: REDACTED },
      publicKey: 'ssh-ed25519 AAAAC3Nza bob@laptop',
    });
    expect(input.SecretAccessKey).toBe('secret-value');
  });

  it('masks private keys and Slack tokens inside free text', () => {
    const text = 'key -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- and xapp-1-A0-abc';
    expect(redactSecrets(text)).toBe(`key ${REDACTED} and ${REDACTED}`);
  });

  it('handles shared and circular references', () => {
    const shared = { name: 'developers' };
    const looped: Record<string, unknown> = { groups: [shared, shared] };
    looped['self'] = looped;
    expect(redactSecrets(looped)).toEqual({ groups: [shared, shared], self: '[Circular]' });
  });
});

describe('person keys', () => {
  it('reads the email and employee id back from the audit format', () => {
    const text = formatAuditPerson({ employeeId: 'E2', email: 'Bob@Example.com' });
    expect(personKeys(text)).toEqual({ email: 'bob@example.com', employeeId: 'e2' });
    expect(personKeys('bob@example.com')).toEqual({ email: 'bob@example.com' });
    expect(personKeys('E7')).toEqual({ employeeId: 'e7' });
    expect(personKeys('Bob Smith <bob@example.com>')).toEqual({ email: 'bob@example.com' });
    expect(personKeys(undefined)).toEqual({});
  });
});
