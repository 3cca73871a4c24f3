import {
  deniesSourceIdentities,
  expiredStatements,
  parseWardenRolePolicy,
  renderWardenRolePolicy,
  sidOf,
  withRevokeOlder,
  withSourceIdentityDeny,
  type WardenRoleStatement,
} from '../../src/domain/role-session-policy';

const at = (iso: string): Date => new Date(iso);

describe('Warden\'s role policy', () => {
  it('round-trips its statements, rounding the instant up to the second (never before the deny-all went in)', () => {
    const statements = withRevokeOlder(withSourceIdentityDeny([], ['alice', 'alice@example.com'], at('2026-12-01T10:00:00.001Z')), at('2026-12-01T10:00:05Z'));
    const text = renderWardenRolePolicy(statements);
    expect(JSON.parse(text ?? '{}')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'WardenEndSessionsRO20261201100005', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T10:00:05Z' } } },
        { Sid: 'WardenEndSessionsSI20261201100001', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': ['alice', 'alice@example.com'] } } },
      ],
    });
    const back = parseWardenRolePolicy(text).statements;
    expect(back).toHaveLength(statements.length);
    expect(back).toEqual(expect.arrayContaining(statements));
  });

  it('merges identities denied in the same second, and adds nothing for identities already denied', () => {
    const one = withSourceIdentityDeny([], ['alice'], at('2026-12-01T10:00:00.200Z'));
    const two = withSourceIdentityDeny(one, ['bob'], at('2026-12-01T10:00:00.700Z'));
    expect(two).toEqual([{ kind: 'source-identity', since: at('2026-12-01T10:00:01Z'), identities: ['alice', 'bob'] }]);
    expect(withSourceIdentityDeny(two, ['ALICE'], at('2026-12-02T00:00:00Z'))).toEqual(two);
    expect(deniesSourceIdentities(two, ['alice', 'carol'])).toBeUndefined();
  });

  it('keeps the latest revoke-older instant', () => {
    const later = withRevokeOlder([], at('2026-12-01T12:00:00Z'));
    expect(withRevokeOlder(later, at('2026-12-01T11:00:00Z'))).toEqual(later);
    expect(withRevokeOlder(later, at('2026-12-01T13:00:00Z'))).toEqual([{ kind: 'revoke-older', since: at('2026-12-01T13:00:00Z') }]);
  });

  it('a statement expires exactly when MaxSessionDuration has passed since it went in', () => {
    const s: WardenRoleStatement = { kind: 'source-identity', since: at('2026-12-01T10:00:00Z'), identities: ['alice'] };
    expect(expiredStatements([s], 3600, at('2026-12-01T10:59:59.999Z'))).toEqual([]);
    expect(expiredStatements([s], 3600, at('2026-12-01T11:00:00Z'))).toEqual([s]);
    expect(sidOf(s)).toBe('WardenEndSessionsSI20261201100000');
  });

  it('keeps what is not its own: other Sids, an Allow under its Sid, a Sid without identities', () => {
    const foreign = [
      { Sid: 'TeamDeny', Effect: 'Deny', Action: 's3:*', Resource: '*' },
      { Sid: 'WardenEndSessionsSI20261201100000', Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'WardenEndSessionsSI20261201100000', Effect: 'Deny', Action: '*', Resource: '*' },
      { Sid: 'WardenEndSessionsSI20261399999999', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualsIgnoreCase: { 'aws:SourceIdentity': 'x' } } },
    ];
    const parsed = parseWardenRolePolicy({ Version: '2012-10-17', Statement: foreign });
    expect(parsed.statements).toEqual([]);
    expect(parsed.foreign).toEqual(foreign);
    expect(renderWardenRolePolicy([], parsed.foreign)).toBe(JSON.stringify({ Version: '2012-10-17', Statement: foreign }));
    expect(renderWardenRolePolicy([], [])).toBeNull();
    expect(parseWardenRolePolicy('not json')).toEqual({ statements: [], foreign: [] });
  });
});
