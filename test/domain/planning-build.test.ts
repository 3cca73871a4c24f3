/**
 * The planner's building blocks (src/domain/planning/build.ts, issue 10): action ids that do not depend on key order,
 * plan JSON that carries no empty fields, and findings sorted the same way every time (an auditor diffs two reports).
 */
import { actionId, canonicalTarget, makeAction, makeFinding, sortFindings } from '../../src/domain/planning/build';

const fields = { account: '111111111111', userName: 'bob', reason: 'departed', control: 'offboarding-24h' } as const;

describe('canonicalTarget and actionId', () => {
  it('sort keys whatever order they came in', () => {
    expect(canonicalTarget({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
    expect(canonicalTarget({ c: 3, b: 1, a: 2 })).toBe('{"a":2,"b":1,"c":3}');
    expect(canonicalTarget({ a: 2, c: 3, b: 1 })).toBe('{"a":2,"b":1,"c":3}');
    expect(actionId('remove-from-group', '1', 'bob', { groupName: 'x', extra: 1 })).toBe(actionId('remove-from-group', '1', 'bob', { extra: 1, groupName: 'x' }));
  });

  it('are the first 16 hex digits of sha256 over kind, account, user and target', () => {
    expect(actionId('attach-deny-all', '111111111111', 'bob', {})).toMatch(/^[0-9a-f]{16}$/);
    expect(actionId('attach-deny-all', '111111111111', 'bob', {})).not.toBe(actionId('attach-deny-all', '111111111111', 'bob2', {}));
  });
});

describe('makeAction', () => {
  it('leaves out person and plane when there are none (plan JSON: absent plane means iam)', () => {
    const action = makeAction('remove-from-group', fields, { groupName: 'admins' });
    expect(Object.keys(action).sort()).toEqual(['account', 'control', 'id', 'kind', 'reason', 'target', 'userName']);
  });

  it('carries the person, and the plane for actions outside IAM', () => {
    const person = { email: 'bob@example.com', employeeId: 'E2' };
    const action = makeAction('deny-ic-sessions', { ...fields, person }, { userId: 'u-1', permissionSetArn: 'arn:ps', permissionSetName: 'Admin', pattern: '*:bob' });
    expect(action).toMatchObject({ person, plane: 'identity-center', kind: 'deny-ic-sessions' });
  });
});

describe('makeFinding and sortFindings', () => {
  it('a finding carries only the fields it was given', () => {
    expect(Object.keys(makeFinding('orphan-user', 'medium', 'account-ownership', {}, 'd'))).toEqual(['kind', 'severity', 'control', 'detail']);
    expect(makeFinding('orphan-user', 'medium', 'account-ownership', { account: '1', userName: 'u', instanceId: 'i-1', person: { email: 'e@x', employeeId: 'E' } }, 'd')).toEqual({
      kind: 'orphan-user',
      severity: 'medium',
      control: 'account-ownership',
      account: '1',
      userName: 'u',
      person: { email: 'e@x', employeeId: 'E' },
      instanceId: 'i-1',
      detail: 'd',
    });
  });

  it('most severe first, whatever the kind; then kind, account, user, person and detail, absent fields first', () => {
    const f = (severity: 'high' | 'medium' | 'low' | 'info', kind: 'orphan-user' | 'ambiguous-identity', where: Parameters<typeof makeFinding>[3], detail = 'd') =>
      makeFinding(kind, severity, 'account-ownership', where, detail);
    const expected = [
      f('high', 'orphan-user', {}),
      f('medium', 'ambiguous-identity', {}),
      f('medium', 'orphan-user', {}),
      f('medium', 'orphan-user', { account: '1' }),
      f('medium', 'orphan-user', { account: '1', userName: 'Admin' }),
      f('medium', 'orphan-user', { account: '1', userName: 'Admin', person: { email: 'A@example.com', employeeId: 'E1' } }, 'a'),
      f('medium', 'orphan-user', { account: '1', userName: 'Admin', person: { email: 'A@example.com', employeeId: 'E1' } }, 'b'),
      f('low', 'ambiguous-identity', {}),
      f('info', 'ambiguous-identity', {}),
    ];
    for (const shuffled of [[...expected].reverse(), [expected[4], expected[8], expected[1], expected[6], expected[0], expected[3], expected[7], expected[2], expected[5]]]) {
      expect(sortFindings(shuffled as never)).toEqual(expected);
    }
  });
});

describe('what the first re-run let through', () => {
  it('a kind outside the table (parsed input) gets no plane field at all', () => {
    const action = makeAction('no-such-kind' as never, fields, {} as never);
    expect('plane' in action).toBe(false);
  });

  it('a finding without account or user sorts first in either input order', () => {
    const none = makeFinding('orphan-user', 'medium', 'account-ownership', {}, 'd');
    const account = makeFinding('orphan-user', 'medium', 'account-ownership', { account: '1' }, 'd');
    const user = makeFinding('orphan-user', 'medium', 'account-ownership', { account: '1', userName: 'Admin' }, 'd');
    expect(sortFindings([none, account])).toEqual([none, account]);
    expect(sortFindings([account, none])).toEqual([none, account]);
    expect(sortFindings([account, user])).toEqual([account, user]);
    expect(sortFindings([user, account])).toEqual([account, user]);
  });
});
