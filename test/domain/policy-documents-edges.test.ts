/**
 * The edges of reading policy documents (src/domain/policy-documents.ts): which patterns count as "every action" and
 * "every resource", which statement shapes are read, and documents a leaver could have written to look like something
 * they are not. Each case here was a mutant no test noticed (docs/mutation.md, session 5).
 */
import { allowsEverything, denyAllIn, denyAllInlineNames, denyAllPolicyArn, isDenyAllDocument, own, restricts, statementsOf } from '../../src/domain/policy-documents';
import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';

const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (extra: object): string => doc({ Effect: 'Allow', ...extra });
const deny = (extra: object): string => doc({ Effect: 'Deny', ...extra });

describe('which action patterns mean every action', () => {
  it.each([
    ['*', true],
    ['**', true],
    ['*:*', true],
    ['*:**', true],
    [' * ', true],
    ['s3:*', false],
    ['*:s3', false],
    ['iam:*', false],
    ['x*', false],
    ['*x', false],
    ['*:', false],
    [':*', false],
    ['', false],
  ])('Action %j on every resource: admin rights %s', (action, expected) => {
    expect(allowsEverything(allow({ Action: action, Resource: '*' }))).toBe(expected);
    expect(isDenyAllDocument(deny({ Action: action, Resource: '*' }))).toBe(expected);
  });
});

describe('which resource patterns mean every resource', () => {
  it.each([
    ['*', true],
    ['**', true],
    [' * ', true],
    ['arn:*:*:*:*:*', true],
    ['arn:**:*:*:*:*', true],
    ['arn:*:*:::*', true],
    ['arn:*:*:*:*:*:*', true],
    [' arn:*:*:*:*:* ', true],
    ['arn:aws:s3:::*', false],
    ['arn:*:*:*:*:x', false],
    ['arn:*:*:*:*:*x', false],
    ['arn:*:*:*:*:x*', false],
    ['arn:x*:*:*:*:*', false],
    ['arn:*:*:*:*', false],
    ['arn:::::', false],
    ['xarn:*:*:*:*:*', false],
    ['arnx:*:*:*:*:*', false],
    ['*x', false],
    ['x*', false],
    ['', false],
  ])('Resource %j with every action: admin rights %s', (resource, expected) => {
    expect(allowsEverything(allow({ Action: '*', Resource: resource }))).toBe(expected);
    expect(isDenyAllDocument(deny({ Action: '*', Resource: resource }))).toBe(expected);
  });
});

describe('allowsEverything', () => {
  it('counts an Allow with NotAction or NotResource (all but a few), and a condition does not narrow it', () => {
    expect(allowsEverything(allow({ NotAction: 'iam:*', Resource: '*' }))).toBe(true);
    expect(allowsEverything(allow({ Action: '*', NotResource: 'arn:aws:s3:::audit/*' }))).toBe(true);
    expect(allowsEverything(allow({ NotAction: 'iam:*', NotResource: 'arn:aws:s3:::x' }))).toBe(true);
    expect(allowsEverything(allow({ Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }))).toBe(true);
  });

  it('needs both every action and every resource, and an Allow', () => {
    expect(allowsEverything(allow({ NotAction: 'iam:*', Resource: 'arn:aws:s3:::x' }))).toBe(false);
    expect(allowsEverything(allow({ Action: 's3:*', NotResource: 'arn:aws:s3:::x' }))).toBe(false);
    expect(allowsEverything(deny({ Action: '*', Resource: '*' }))).toBe(false);
    expect(allowsEverything(doc({ Action: '*', Resource: '*' }))).toBe(false);
    expect(allowsEverything(doc({ Effect: 'allow', Action: '*', Resource: '*' }))).toBe(false);
    expect(allowsEverything(allow({ Action: [], Resource: '*' }))).toBe(false);
  });

  it('reads lists of patterns, skipping entries that are not strings, and a statement among others', () => {
    expect(allowsEverything(allow({ Action: ['s3:GetObject', 7, null, '*'], Resource: [{ x: 1 }, '*'] }))).toBe(true);
    expect(allowsEverything(allow({ Action: [7, { a: '*' }], Resource: '*' }))).toBe(false);
    expect(allowsEverything(allow({ Action: ['s3:*', '*'], Resource: ['arn:aws:s3:::x', '*'] }))).toBe(true);
    expect(allowsEverything(allow({ Action: 7, Resource: '*' }))).toBe(false);
    expect(allowsEverything(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Allow', Action: '*', Resource: '*' }))).toBe(true);
  });

  it('reads a document given as an object, a single statement, or URL-encoded text', () => {
    expect(allowsEverything({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })).toBe(true);
    expect(allowsEverything({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })).toBe(true);
    expect(allowsEverything(encodeURIComponent(allow({ Action: '*', Resource: '*' })))).toBe(true);
  });

  it('grants nothing for what does not parse or is not a document', () => {
    for (const text of ['null', '[]', '"*"', '42', 'not json', '%E0%A4%A', '{"Statement":null}', '{"Statement":[null,"x",["y"]]}', '']) {
      expect([text, allowsEverything(text)]).toEqual([text, false]);
    }
    for (const value of [null, undefined, 42, [{ Effect: 'Allow', Action: '*', Resource: '*' }]]) expect(allowsEverything(value)).toBe(false);
  });
});

describe('documents at the size limit', () => {
  const padded = (length: number): string => {
    const body = allow({ Action: '*', Resource: '*' });
    return body.slice(0, -1) + ' '.repeat(length - body.length) + body.slice(-1);
  };

  it('reads a document of exactly 131,072 characters and refuses one character more', () => {
    expect(padded(131_072)).toHaveLength(131_072);
    expect(allowsEverything(padded(131_072))).toBe(true);
    expect(allowsEverything(padded(131_073))).toBe(false);
    expect(statementsOf(padded(131_073))).toEqual([]);
  });
});

describe('statementsOf', () => {
  it('gives the statement objects only, in order, for a list or a single statement', () => {
    expect(statementsOf(doc({ Sid: 'a' }, { Sid: 'b' }))).toEqual([{ Sid: 'a' }, { Sid: 'b' }]);
    expect(statementsOf(JSON.stringify({ Statement: { Sid: 'only' } }))).toEqual([{ Sid: 'only' }]);
    expect(statementsOf(JSON.stringify({ Statement: [{ Sid: 'a' }, ['nested'], null, 'text', 3] }))).toEqual([{ Sid: 'a' }]);
    expect(statementsOf('[{"Sid":"a"}]')).toEqual([]);
    expect(statementsOf('null')).toEqual([]);
  });
});

describe('isDenyAllDocument refuses every qualifier that narrows the deny', () => {
  it.each([
    ['NotResource', { NotResource: 'arn:aws:s3:::x' }],
    ['Principal', { Principal: { AWS: 'arn:aws:iam::111111111111:root' } }],
    ['NotPrincipal', { NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } }],
    ['Condition', { Condition: {} }],
    ['NotAction', { NotAction: 'iam:*' }],
  ])('a Deny * on * with %s is not a deny-all', (_name, extra) => {
    expect(isDenyAllDocument(deny({ Action: '*', Resource: '*', ...extra }))).toBe(false);
    expect(isDenyAllDocument(deny({ Action: '*', Resource: '*' }))).toBe(true);
  });

  it('reads lists of patterns: one every-action and one every-resource pattern among narrower ones is enough', () => {
    expect(isDenyAllDocument(deny({ Action: ['s3:*', '*'], Resource: ['arn:aws:s3:::x', '*'] }))).toBe(true);
    expect(isDenyAllDocument(deny({ Action: ['s3:*', 7], Resource: ['*'] }))).toBe(false);
    expect(isDenyAllDocument(deny({ Action: ['*'], Resource: ['arn:aws:s3:::x', null] }))).toBe(false);
  });

  it('needs Effect Deny exactly', () => {
    expect(isDenyAllDocument(doc({ Action: '*', Resource: '*' }))).toBe(false);
    expect(isDenyAllDocument(doc({ Effect: 'deny', Action: '*', Resource: '*' }))).toBe(false);
  });
});

describe('restricts', () => {
  it('counts a document without statements, or that is not an object, as restricting (never removed on a guess)', () => {
    expect(restricts('{"Version":"2012-10-17"}')).toBe(true);
    expect(restricts('[]')).toBe(true);
    expect(restricts('null')).toBe(true);
    expect(restricts('"Deny"')).toBe(true);
    expect(restricts(null)).toBe(true);
  });

  it('reads object documents and a Deny among Allows; a list of Allows restricts nothing', () => {
    expect(restricts({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }] })).toBe(true);
    expect(restricts({ Statement: { Effect: 'Deny', Action: 's3:*', Resource: '*' } })).toBe(true);
    expect(restricts({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] })).toBe(false);
    expect(restricts({ Statement: [] })).toBe(false);
  });
});

describe('denyAllPolicyArn', () => {
  it('takes the partition from the principal, and falls back to aws when there is none', () => {
    expect(denyAllPolicyArn('arn:aws-cn:iam::111111111111:user/bob', '222222222222', 'deny')).toBe('arn:aws-cn:iam::222222222222:policy/deny');
    expect(denyAllPolicyArn('arn::iam::111111111111:user/bob', '111111111111', 'deny')).toBe('arn:aws:iam::111111111111:policy/deny');
    expect(denyAllPolicyArn('bob', '111111111111', 'deny')).toBe('arn:aws:iam::111111111111:policy/deny');
    expect(denyAllPolicyArn('', '111111111111', 'deny')).toBe('arn:aws:iam::111111111111:policy/deny');
  });
});

describe('denyAllIn and denyAllInlineNames', () => {
  const arn = 'arn:aws:iam::111111111111:policy/warden-deny-all';
  const allowAll = allow({ Action: '*', Resource: '*' });

  it('finds the managed policy only by its ARN, and believes its document only when it denies all', () => {
    expect(denyAllIn({ attachedPolicies: [{ name: 'warden-deny-all', arn }], inlinePolicies: [] }, arn, DENY_ALL_POLICY_DOCUMENT)).toBe('managed');
    const lookalike = { attachedPolicies: [{ name: 'warden-deny-all', arn: 'arn:aws:iam::111111111111:policy/team/warden-deny-all' }], inlinePolicies: [] };
    expect(denyAllIn(lookalike, arn)).toBeUndefined();
    expect(denyAllIn(lookalike, arn, DENY_ALL_POLICY_DOCUMENT)).toBeUndefined();
  });

  it('falls back to an inline deny-all when the managed policy is attached but no longer denies all', () => {
    const holder = {
      attachedPolicies: [{ name: 'warden-deny-all', arn }],
      inlinePolicies: ['old-quarantine'],
      inlinePolicyDocuments: { 'old-quarantine': DENY_ALL_POLICY_DOCUMENT },
    };
    expect(denyAllIn(holder, arn, allowAll)).toBe('inline');
  });

  it('reads only the documents of inline policies the user has, and only their own members', () => {
    const stale = { attachedPolicies: [], inlinePolicies: ['current'], inlinePolicyDocuments: { current: allowAll, removed: DENY_ALL_POLICY_DOCUMENT } };
    expect(denyAllIn(stale, arn)).toBeUndefined();
    expect(denyAllInlineNames(stale)).toEqual([]);

    const inherited = Object.create({ sneaky: DENY_ALL_POLICY_DOCUMENT }) as Record<string, unknown>;
    const prototypeOnly = { attachedPolicies: [], inlinePolicies: ['sneaky'], inlinePolicyDocuments: inherited };
    expect(denyAllIn(prototypeOnly, arn)).toBeUndefined();
    expect(denyAllInlineNames(prototypeOnly)).toEqual([]);
    expect(own(inherited, 'sneaky')).toBeUndefined();
    expect(own({ sneaky: 1 }, 'sneaky')).toBe(1);
    expect(own({}, '__proto__')).toBeUndefined();
  });

  it('names every inline deny-all, in the order the user holds them, and none without documents', () => {
    const holder = {
      attachedPolicies: [],
      inlinePolicies: ['b-deny', 'allow', 'a-deny'],
      inlinePolicyDocuments: { 'a-deny': DENY_ALL_POLICY_DOCUMENT, allow: allowAll, 'b-deny': encodeURIComponent(DENY_ALL_POLICY_DOCUMENT) },
    };
    expect(denyAllInlineNames(holder)).toEqual(['b-deny', 'a-deny']);
    expect(denyAllIn(holder, arn)).toBe('inline');
    expect(denyAllInlineNames({ attachedPolicies: [], inlinePolicies: ['b-deny'] })).toEqual([]);
    expect(denyAllIn({ attachedPolicies: [], inlinePolicies: ['b-deny'] }, arn)).toBeUndefined();
  });
});
