import { localeOrder } from '../../src/domain/collate';

// Record hashes depend on this order (access paths are sorted before hashing): it must stay exactly localeCompare's.
describe('localeOrder', () => {
  const words = [
    '', ' ', 'a', 'A', 'b', 'B', 'ä', 'Ä', 'z', 'Z', '0', '9', '10', '2', '-', '_', '.', '/', ':', 'a-b', 'a_b', 'a.b', 'ab', 'aB', 'Ab',
    'developers', 'Developers', 'ops', 'admins', 'arn:aws:iam::123456789012:policy/x', 'arn:aws:iam::aws:policy/AdministratorAccess',
    'group:developers', 'group:ops', 'managed-policy:ReadOnly', 'slot-1', 'slot-2', 'slot-10', 'ssh-ed25519 AAAA', 'ß', 'ss', 'é', 'e', 'ﬁ',
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
});
