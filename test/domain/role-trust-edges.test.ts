/**
 * Role trust read the way IAM reads it, at the edges a hostile leaver (who writes their own inline policies) or an
 * odd trust policy can reach (issue 10: src/domain/role-trust.ts). Every doubt must land on "assumable" and "unpinned":
 * a role wrongly left out, or a source identity wrongly taken as pinned, is a live session nobody ends.
 */
import { assumableRoles, identityPolicyAllows, trustGrant, trustsIamPrincipals, wildcardMatch, type TrustingUser } from '../../src/domain/role-trust';

const alice: TrustingUser = { account: '111111111111', userName: 'alice', userId: 'AIDAALICE', arn: 'arn:aws:iam::111111111111:user/alice', identities: ['Alice@Example.com'] };
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const trust = (principal: unknown, extra: object = {}) => doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
const pinnedBy = (Condition: unknown) => trustGrant(trust({ AWS: alice.arn }, { Condition }), alice)?.sourceIdentity;
const ROLE = 'arn:aws:iam::111111111111:role/deploy';

describe('wildcardMatch at its edges', () => {
  it.each([
    ['', '', true],
    ['*', '', true],
    ['**', 'x', true],
    ['?', '', false],
    ['', 'a', false],
    ['a*', 'a', true],
    ['a*b', 'acccb', true],
    ['a*b', 'acccbx', false],
    ['a*b*c', 'abXbYc', true],
    ['*ab', 'aab', true],
    ['*ab', 'abab', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['abc', 'ab', false],
    ['ab', 'abc', false],
    ['ABC*', 'abcdef', true],
    ['role/dep*', 'role/other', false],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
});

describe('identityPolicyAllows at its edges', () => {
  it('a statement naming neither Action nor NotAction allows nothing; one naming neither Resource nor NotResource covers every resource', () => {
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'sts:AssumeRole', ROLE)).toBe(true);
  });

  it('NotResource other than the role covers it; a Deny or an Effect in another case is no Allow', () => {
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:*', NotResource: 'arn:aws:iam::*:role/other' }), 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(doc({ Effect: 'Deny', Action: 'sts:*', Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(doc({ Effect: 'Deny', Action: 'sts:*', Resource: '*' }, { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE }), 'sts:AssumeRole', ROLE)).toBe(true);
  });

  it('a single statement object is read like a list of one', () => {
    expect(identityPolicyAllows({ Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE } }, 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows({ Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } }, 'sts:AssumeRole', ROLE)).toBe(false);
  });

  it('a readable document with no statements allows nothing; one whose Statement is not a list or object is unknown, and allows', () => {
    expect(identityPolicyAllows({ Statement: [] }, 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows({ Statement: 'everything' }, 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows({ Statement: null }, 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows({ Version: '2012-10-17' }, 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(['not', 'a', 'policy'], 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(JSON.stringify({ Statement: [] }), 'sts:AssumeRole', ROLE)).toBe(false);
  });

  it('an Action list with a non-string among strings still reads the strings', () => {
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: [42, 'sts:AssumeRole'], Resource: [null, ROLE] }), 'sts:AssumeRole', ROLE)).toBe(true);
  });
});

describe('trustGrant: who the trust names', () => {
  it('matches the user ARN or unique id whatever their case and surrounding spaces', () => {
    expect(trustGrant(trust({ AWS: ` ${alice.arn.toUpperCase()} ` }), alice)?.via).toBe('user');
    expect(trustGrant(trust({ AWS: 'aidaalice' }), alice)?.via).toBe('user');
  });

  it('an empty unique id names nobody, even against an empty principal', () => {
    const noId = { ...alice, userId: '' };
    expect(trustGrant(trust({ AWS: '' }), noId)).toBeUndefined();
    expect(trustGrant(trust({ AWS: alice.arn }), noId)?.via).toBe('user');
  });

  it('the account root is read in the user\'s own partition', () => {
    const china = { ...alice, arn: 'arn:aws-cn:iam::111111111111:user/alice' };
    expect(trustGrant(trust({ AWS: 'arn:aws-cn:iam::111111111111:root' }), china)?.via).toBe('account');
    expect(trustGrant(trust({ AWS: 'arn:aws:iam::111111111111:root' }), china)).toBeUndefined();
    expect(trustGrant(trust({ AWS: 'ARN:AWS:IAM::111111111111:ROOT' }), alice)?.via).toBe('account');
  });

  it('a NotPrincipal statement lets the account in; a principal of neither string nor object names nobody', () => {
    expect(trustGrant(doc({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:user/bob' }, Action: 'sts:AssumeRole' }), alice)?.via).toBe('account');
    expect(trustGrant(doc({ Effect: 'Allow', Principal: ['*'], Action: 'sts:AssumeRole' }), alice)).toBeUndefined();
    expect(trustGrant(doc({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::222222222222:root', '*'] }, Action: 'sts:AssumeRole' }), alice)?.via).toBe('account');
  });

  it('naming the user anywhere wins over naming the account, in either order', () => {
    const byAccount = { Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' };
    const byUser = { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' };
    expect(trustGrant(doc(byAccount, byUser), alice)?.via).toBe('user');
    expect(trustGrant(doc(byUser, byAccount), alice)?.via).toBe('user');
    expect(trustGrant(doc(byAccount, byAccount), alice)?.via).toBe('account');
  });

  it('a statement for another action or another user does not unpin the ones that let the user in', () => {
    const pinned = { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': 'alice' } } };
    const other = doc(pinned, { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:user/bob' }, Action: 'sts:AssumeRole' }, { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:TagSession' });
    expect(trustGrant(other, alice)).toEqual({ via: 'user', sourceIdentity: { pinned: true, values: ['alice'] } });
  });
});

describe('trustGrant: a pinned source identity', () => {
  it('reads operators and the condition key in any case, and the user\'s other names case-insensitively', () => {
    expect(pinnedBy({ stringequalsignorecase: { 'STS:SourceIdentity': 'ALICE' } })).toEqual({ pinned: true, values: ['ALICE'] });
    expect(pinnedBy({ StringEquals: { 'sts:SourceIdentity': 'alice@example.com' } })).toEqual({ pinned: true, values: ['alice@example.com'] });
  });

  it('collects every pinning value across blocks and statements, once each, sorted', () => {
    expect(pinnedBy({ StringEquals: { 'sts:SourceIdentity': ['alice', '${aws:username}'] }, StringLike: { 'sts:SourceIdentity': 'Alice@Example.com' } })).toEqual({
      pinned: true,
      values: ['Alice@Example.com', 'alice'],
    });
    const two = doc(
      { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': 'alice@example.com' } } },
      { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': 'alice' } } },
    );
    expect(trustGrant(two, alice)?.sourceIdentity).toEqual({ pinned: true, values: ['alice', 'alice@example.com'] });
  });

  it('ignores other condition keys and blocks that are not objects, but something must pin', () => {
    expect(pinnedBy({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringEquals: { 'sts:SourceIdentity': 'alice' } })).toEqual({ pinned: true, values: ['alice'] });
    expect(pinnedBy({ Bool: 'true', StringEquals: { 'sts:SourceIdentity': 'alice' } })).toEqual({ pinned: true, values: ['alice'] });
    expect(pinnedBy({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } })).toEqual({ pinned: false });
    expect(pinnedBy('StringEquals')).toEqual({ pinned: false });
  });

  it('is unpinned by any operator that does not compare for equality, any wildcard or variable, or no value at all', () => {
    for (const Condition of [
      { 'ForAnyValue:StringEquals': { 'sts:SourceIdentity': 'alice' } },
      { StringEquals: { 'sts:SourceIdentity': [] } },
      { StringEquals: { 'sts:SourceIdentity': 42 } },
      { StringEquals: { 'sts:SourceIdentity': 'ali?e' } },
      { StringEquals: { 'sts:SourceIdentity': '${aws:userid}' } },
      { StringEquals: { 'sts:SourceIdentity': '$alice' } },
      { StringEquals: { 'sts:SourceIdentity': 'alice' }, StringLike: { 'sts:SourceIdentity': 'bob' } },
    ]) {
      expect(pinnedBy(Condition)).toEqual({ pinned: false });
    }
  });
});

describe('assumableRoles and trustsIamPrincipals at their edges', () => {
  const role = (name: string, trustPolicy: unknown) => ({ arn: `arn:aws:iam::111111111111:role/${name}`, trustPolicy });

  it('a role trusting the user by name needs no policy of theirs; one trusting nobody is never assumable', () => {
    const roles = [role('named', trust({ AWS: alice.arn })), role('nobody', doc())];
    expect(assumableRoles(alice, [], roles).map((r) => [r.role.arn, r.grant.via])).toEqual([[roles[0]?.arn, 'user']]);
  });

  it('for a role trusting the account, any one of the user\'s policies allowing it is enough, in any position', () => {
    const roles = [role('account', trust({ AWS: '111111111111' }))];
    const allow = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });
    const other = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    expect(assumableRoles(alice, [other, allow], roles)).toHaveLength(1);
    expect(assumableRoles(alice, [allow, other], roles)).toHaveLength(1);
    expect(assumableRoles(alice, [other, other], roles)).toHaveLength(0);
  });

  it('trustsIamPrincipals: NotPrincipal and named principals count; Deny, other actions, empty and service principals do not', () => {
    expect(trustsIamPrincipals(doc({ Effect: 'Allow', NotPrincipal: { AWS: 'x' }, Action: 'sts:AssumeRole' }))).toBe(true);
    expect(trustsIamPrincipals(trust({ AWS: 'arn:aws:iam::222222222222:user/bob' }))).toBe(true);
    expect(trustsIamPrincipals(trust({ AWS: [] }))).toBe(false);
    expect(trustsIamPrincipals(doc({ Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' }))).toBe(false);
    expect(trustsIamPrincipals(doc({ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRoleWithWebIdentity' }))).toBe(false);
    expect(trustsIamPrincipals(doc({ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRole' }))).toBe(false);
    expect(trustsIamPrincipals(undefined)).toBe(false);
  });
});

describe('what the second run let through', () => {
  const OTHER_ROLE = 'arn:aws:iam::111111111111:role/other';

  it('a list of actions or resources covers when any one of them does; a NotAction or NotResource list excludes when any one does', () => {
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: ['s3:*', 'sts:AssumeRole'], Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', NotAction: ['s3:*', 'sts:*'], Resource: '*' }), 'sts:AssumeRole', ROLE)).toBe(false);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [OTHER_ROLE, ROLE] }), 'sts:AssumeRole', ROLE)).toBe(true);
    expect(identityPolicyAllows(doc({ Effect: 'Allow', Action: 'sts:AssumeRole', NotResource: [OTHER_ROLE, ROLE] }), 'sts:AssumeRole', ROLE)).toBe(false);
  });

  it('a trust whose principal is a bare string other than "*" trusts no IAM principal', () => {
    expect(trustsIamPrincipals(trust('ec2.amazonaws.com'))).toBe(false);
  });

  it('a user ARN without a partition is read as the aws partition', () => {
    expect(trustGrant(trust({ AWS: 'arn:aws:iam::111111111111:root' }), { ...alice, arn: 'alice' })?.via).toBe('account');
  });

  it('a block that names the source identity with no value unpins, even beside one that pins', () => {
    expect(pinnedBy({ StringEquals: { 'sts:SourceIdentity': 'alice' }, StringLike: { 'sts:SourceIdentity': [] } })).toEqual({ pinned: false });
  });
});
