import type * as collate from '../../src/domain/collate';
import { localeOrder } from '../../src/domain/collate';

// Record hashes depend on this order (access paths are sorted before hashing): it must stay exactly localeCompare's.
describe('localeOrder', () => {
  const words = [
    '', ' ', 'a', 'A', 'b', 'B', 'ä', 'Ä', 'z', 'Z', '0', '9', '10', '2', '-', '_', '.', '/', ':', 'a-b', 'a_b', 'a.b', 'ab', 'aB', 'Ab',
    'developers', 'Developers', 'ops', 'admins', 'arn:aws:iam::123456789012:policy/x', 'arn:aws:iam::aws:policy/AdministratorAccess',
    'group:developers', 'group:ops', 'managed-policy:ReadOnly', 'slot-1', 'slot-2', 'slot-10', 'ssh-ed25519 AAAA', 'ß', 'ss', 'é', 'e', 'ﬁ',
    // Either side of the ASCII fast path's edge: DEL (not printable) and the first code past ASCII.
    '\u007f', 'a\u007f', '\u0080', 'a\u0080',
  ];

  it('orders every pair as String.prototype.localeCompare does', () => {
    for (const a of words) for (const b of words) expect([a, b, Math.sign(localeOrder(a, b))]).toEqual([a, b, Math.sign(a.localeCompare(b))]);
  });

  it('sorts a list into the same order', () => {
    expect([...words].sort(localeOrder)).toEqual([...words].sort((a, b) => a.localeCompare(b)));
    expect(localeOrder('a', 'b')).toBeLessThan(0);
    expect(localeOrder('b', 'a')).toBeGreaterThan(0);
    expect(localeOrder('slot-2', 'slot-2')).toBe(0);
  });

  it('orders random printable ASCII text exactly as localeCompare does, case pairs and punctuation included', () => {
    // A seeded generator: the same 60,000 pairs every run, biased to the characters identifiers are made of.
    let seed = 0x5eed;
    const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    const alphabets = [printable, ' -_./:@aAbByYzZ019!~', 'aAbB'];
    const text = (alphabet: string): string => Array.from({ length: Math.floor(next() * 7) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const wrong: string[] = [];
    for (let i = 0; i < 60_000; i += 1) {
      const alphabet = alphabets[i % alphabets.length] as string;
      const a = text(alphabet);
      const b = next() < 0.2 ? a.slice(0, Math.floor(next() * (a.length + 1))) + text(alphabet) : text(alphabet);
      if (Math.sign(localeOrder(a, b)) !== Math.sign(a.localeCompare(b))) wrong.push(JSON.stringify([a, b]));
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('orders printable ASCII without building an ICU collator (about 6 ms of a cold start), and other text with one', async () => {
    await jest.isolateModulesAsync(async () => {
      const made = jest.spyOn(Intl, 'Collator');
      try {
        const fresh: typeof collate = await import('../../src/domain/collate');
        expect(['group:ops', 'Group:dev', 'slot-10', 'slot-2', 'arn:aws:iam::aws:policy/X'].sort(fresh.localeOrder)).toEqual([
          'arn:aws:iam::aws:policy/X',
          'Group:dev',
          'group:ops',
          'slot-10',
          'slot-2',
        ]);
        const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
        expect(printable.sort(fresh.localeOrder)).toHaveLength(95);
        expect(made).not.toHaveBeenCalled();
        expect(Math.sign(fresh.localeOrder('é', 'f'))).toBe(-1);
        expect(made).toHaveBeenCalledTimes(1);
      } finally {
        made.mockRestore();
      }
    });
  });
});
