import { denyAllIn, denyAllPolicyArn, isDenyAllDocument, restricts } from '../../src/domain/policy-documents';
import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';

const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

describe('policy documents, read as IAM evaluates them', () => {
  it('recognises a deny-all by what it says: Deny * on *, unconditioned, whatever else the document holds', () => {
    expect(isDenyAllDocument(DENY_ALL_POLICY_DOCUMENT)).toBe(true);
    expect(isDenyAllDocument(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: ['*'], Resource: ['*'] }))).toBe(true);
    expect(isDenyAllDocument(encodeURIComponent(DENY_ALL_POLICY_DOCUMENT))).toBe(true);
    expect(isDenyAllDocument(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }))).toBe(true);
  });

  it('does not take an allow, a partial deny or a conditional deny for a deny-all', () => {
    expect(isDenyAllDocument(doc({ Effect: 'Allow', Action: '*', Resource: '*' }))).toBe(false);
    expect(isDenyAllDocument(doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }))).toBe(false);
    expect(isDenyAllDocument(doc({ Effect: 'Deny', Action: '*', Resource: 'arn:aws:s3:::x' }))).toBe(false);
    expect(isDenyAllDocument(doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }))).toBe(false);
    expect(isDenyAllDocument(doc({ Effect: 'Deny', NotAction: 'iam:*', Action: '*', Resource: '*' }))).toBe(false);
    expect(isDenyAllDocument('not json')).toBe(false);
    expect(isDenyAllDocument(`{"Statement":[${'{"Effect":"Allow"},'.repeat(20_000)}{"Effect":"Deny","Action":"*","Resource":"*"}]}`)).toBe(false);
  });

  it('counts any Deny as a restriction, and an unreadable document too (never removed on a guess)', () => {
    expect(restricts(doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }))).toBe(true);
    expect(restricts(doc({ Effect: 'Allow', Action: '*', Resource: '*' }))).toBe(false);
    expect(restricts('{')).toBe(true);
    expect(restricts(undefined)).toBe(false);
  });

  it('a user-made inline policy named like Warden\'s deny-all that allows things is not a deny-all', () => {
    const arn = denyAllPolicyArn('arn:aws:iam::111111111111:user/bob', '111111111111', 'warden-deny-all');
    expect(arn).toBe('arn:aws:iam::111111111111:policy/warden-deny-all');
    const fake = { attachedPolicies: [], inlinePolicies: ['warden-deny-all'], inlinePolicyDocuments: { 'warden-deny-all': doc({ Effect: 'Allow', Action: '*', Resource: '*' }) } };
    expect(denyAllIn(fake, arn)).toBeUndefined();
    const real = { attachedPolicies: [], inlinePolicies: ['anything'], inlinePolicyDocuments: { anything: DENY_ALL_POLICY_DOCUMENT } };
    expect(denyAllIn(real, arn)).toBe('inline');
    const named = { attachedPolicies: [], inlinePolicies: ['warden-deny-all'] };
    expect(denyAllIn(named, arn)).toBeUndefined();
    expect(denyAllIn({ attachedPolicies: [{ name: 'warden-deny-all', arn }], inlinePolicies: [] }, arn)).toBe('managed');
    expect(denyAllIn({ attachedPolicies: [{ name: 'warden-deny-all', arn }], inlinePolicies: [] }, arn, doc({ Effect: 'Allow', Action: '*', Resource: '*' }))).toBeUndefined();
    expect(denyAllPolicyArn('arn:aws-us-gov:iam::111111111111:user/bob', '111111111111', 'x')).toBe('arn:aws-us-gov:iam::111111111111:policy/x');
  });
});
