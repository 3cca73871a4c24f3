import { assumableRoles, identityPolicyAllows, trustGrant, trustsIamPrincipals, wildcardMatch, type TrustingUser } from '../../src/domain/role-trust';

const alice: TrustingUser = {
  account: '111111111111',
  userName: 'alice',
  userId: 'AIDAALICE',
  arn: 'arn:aws:iam::111111111111:user/alice',
  identities: ['alice@example.com'],
};
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const trust = (principal: unknown, extra: object = {}) => doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
const ROLE = 'arn:aws:iam::111111111111:role/deploy';

describe('wildcardMatch', () => {
  it('matches * and ? as IAM does, case-insensitively', () => {
    expect(wildcardMatch('sts:*', 'sts:AssumeRole')).toBe(true);
    expect(wildcardMatch('sts:Assume*', 'sts:AssumeRole')).toBe(true);
    expect(wildcardMatch('sts:assumerol?', 'sts:AssumeRole')).toBe(true);
    expect(wildcardMatch('sts:AssumeRol', 'sts:AssumeRole')).toBe(false);
    expect(wildcardMatch('sts:AssumeRoleWith*', 'sts:AssumeRole')).toBe(false);
    expect(wildcardMatch('arn:aws:iam::*:role/dep*', ROLE)).toBe(true);
    expect(wildcardMatch('arn:aws:iam::*:role/ops*', ROLE)).toBe(false);
  });

  it('stays fast on hostile patterns', () => {
    const started = Date.now();
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('identityPolicyAllows', () => {
  it('reads Action/NotAction and Resource/NotResource', () => {
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE }), 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/other' }), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', NotAction: 'sts:*', Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: '*', NotResource: ROLE }), 'sts:AssumeRole', ROLE)).toBe(false);
  });

  it('is conservative: conditions are met, denies are not subtracted, unreadable or unread documents allow', () => {
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(undefined, 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows('{not json', 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(doc(), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(encodeURIComponent(JSON.stringify(doc({ Effect: 'Allow', Action: 'sts:*', Resource: '*' }))), 'sts:AssumeRole', ROLE)).toBe(true);
  });
});

describe('trustGrant', () => {
  it('names the user by ARN or unique id, or the account by root ARN, bare id or "*"', () => {
    expect(trustGrant(trust({ AWS: alice.arn }), alice)?.via).toBe('user');
    expect(trustGrant(trust({ AWS: ['arn:aws:iam::111111111111:user/bob', 'AIDAALICE'] }), alice)?.via).toBe('user');
    expect(trustGrant(trust({ AWS: 'arn:aws:iam::111111111111:root' }), alice)?.via).toBe('account');
    expect(trustGrant(trust({ AWS: '111111111111' }), alice)?.via).toBe('account');
    expect(trustGrant(trust('*'), alice)?.via).toBe('account');
    expect(trustGrant(trust({ AWS: '*' }), alice)?.via).toBe('account');
  });

  it('ignores other users, other accounts, services, denies and other actions', () => {
    expect(trustGrant(trust({ AWS: 'arn:aws:iam::111111111111:user/bob' }), alice)).toBeUndefined();
    expect(trustGrant(trust({ AWS: 'arn:aws:iam::222222222222:root' }), alice)).toBeUndefined();
    expect(trustGrant(trust({ Service: 'ec2.amazonaws.com' }), alice)).toBeUndefined();
    expect(trustGrant(doc({ Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }), alice)).toBeUndefined();
    expect(trustGrant(doc({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRoleWithSAML' }), alice)).toBeUndefined();
    expect(trustGrant('garbage', alice)).toBeUndefined();
  });

  it('sees a source identity pinned to the user by ${aws:username} or their own name', () => {
    const byVariable = trustGrant(trust({ AWS: alice.arn }, { Condition: { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } } }), alice);
    expect(byVariable?.sourceIdentity).toEqual({ pinned: true, values: ['alice'] });
    const byEmail = trustGrant(trust({ AWS: alice.arn }, { Condition: { StringLike: { 'sts:SourceIdentity': ['alice@example.com'] } } }), alice);
    expect(byEmail?.sourceIdentity).toEqual({ pinned: true, values: ['alice@example.com'] });
  });

  it('does not count a condition the leaver could satisfy with someone else\'s name as pinned', () => {
    const anyIdentity = [
      { Null: { 'sts:SourceIdentity': 'false' } },
      { StringLike: { 'sts:SourceIdentity': '*' } },
      { StringLike: { 'sts:SourceIdentity': 'ali*' } },
      { StringEquals: { 'sts:SourceIdentity': ['alice', 'bob'] } },
      { StringNotEquals: { 'sts:SourceIdentity': 'mallory' } },
    ];
    for (const Condition of anyIdentity) expect(trustGrant(trust({ AWS: alice.arn }, { Condition }), alice)?.sourceIdentity).toEqual({ pinned: false });
    expect(trustGrant(trust({ AWS: alice.arn }), alice)?.sourceIdentity).toEqual({ pinned: false });
  });

  it('is unpinned when a second statement lets the user in without a source identity', () => {
    const policy = doc(
      { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } } },
      { Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' },
    );
    expect(trustGrant(policy, alice)).toEqual({ via: 'user', sourceIdentity: { pinned: false } });
  });
});

describe('assumableRoles', () => {
  const role = (name: string, trustPolicy: unknown) => ({ arn: `arn:aws:iam::111111111111:role/${name}`, trustPolicy });
  const roles = [role('named', trust({ AWS: alice.arn })), role('account', trust({ AWS: '111111111111' })), role('other', trust({ AWS: '222222222222' }))];

  it('a role trusting the account needs the user\'s own Allow on it', () => {
    expect(assumableRoles(alice, [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], roles).map((r) => r.role.arn)).toEqual([roles[0]?.arn]);
    expect(assumableRoles(alice, [doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/acc*' })], roles).map((r) => r.role.arn)).toEqual([roles[0]?.arn, roles[1]?.arn]);
  });

  it('an unreadable policy of the user counts as allowing (when unsure, assumable)', () => {
    expect(assumableRoles(alice, [undefined], roles)).toHaveLength(2);
    expect(assumableRoles(alice, [], roles)).toHaveLength(1);
  });
});

describe('trustsIamPrincipals', () => {
  it('is true for trust naming users or accounts, false for services only', () => {
    expect(trustsIamPrincipals(trust({ AWS: '111111111111' }))).toBe(true);
    expect(trustsIamPrincipals(trust('*'))).toBe(true);
    expect(trustsIamPrincipals(trust({ Service: 'lambda.amazonaws.com' }))).toBe(false);
  });
});
