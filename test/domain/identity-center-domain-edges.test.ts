/**
 * The pure Identity Center rules (issue 10: src/domain/identity-center.ts) at their edges: who an Identity Center user
 * is (its attributes may come from an IdP or the user's own profile, so a look-alike must never be taken for someone),
 * reading and writing Warden's Deny inside a permission set's inline policy (a hostile or hand-edited document), the
 * session durations AWS reports, and what a re-read still shows after revocation (what verification tells an auditor).
 */
import {
  createIcMatcher,
  describeIcRule,
  durationSeconds,
  IC_DENY_SID,
  parseInlinePolicy,
  remainingInIdentityCenter,
  renderInlinePolicy,
  type IcRereadPermissionSet,
  type IcUser,
  type IcVerifiable,
} from '../../src/domain/identity-center';
import { createDummyPerson } from '../fixtures/builders';

const icUser = (overrides: Partial<IcUser> = {}): IcUser => ({ userId: 'u-1', userName: 'nobody', emails: [], externalIds: [], ...overrides });
const alice = createDummyPerson({ employeeId: 'E1', email: 'Alice@Example.com' });
const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com' });
const bobOther = createDummyPerson({ employeeId: 'E3', email: 'bob@other.example' });

describe('createIcMatcher: who an Identity Center user is', () => {
  const match = createIcMatcher([alice, bob, bobOther]);

  it('matches by external id, trimmed on both sides, and names the rule', () => {
    expect(match(icUser({ externalIds: [' E1 '] }))).toEqual({ kind: 'matched', person: alice, rule: 'external-id' });
    expect(createIcMatcher([createDummyPerson({ employeeId: ' E9 ', email: 'x@example.com' })])(icUser({ externalIds: ['E9'] }))).toMatchObject({ kind: 'matched', rule: 'external-id' });
  });

  it('matches by any of the emails, case and blanks aside', () => {
    expect(match(icUser({ emails: ['nobody@example.com', '  ALICE@example.COM '] }))).toEqual({ kind: 'matched', person: alice, rule: 'email' });
  });

  it('matches a user name that is a whole email against emails, one without @ against local parts', () => {
    expect(match(icUser({ userName: ' Alice@EXAMPLE.com ' }))).toEqual({ kind: 'matched', person: alice, rule: 'user-name' });
    expect(match(icUser({ userName: 'ALICE' }))).toEqual({ kind: 'matched', person: alice, rule: 'user-name' });
    // A user name with @ is never read as a local part, nor a local part as an email.
    expect(match(icUser({ userName: 'alice@elsewhere.example' }))).toEqual({ kind: 'unmatched' });
    expect(match(icUser({ userName: 'example.com' }))).toEqual({ kind: 'unmatched' });
  });

  it('finds nobody through an empty external id, email or user name, even beside a roster row whose value is blank', () => {
    const blank = createDummyPerson({ employeeId: '  ', email: '@example.com' });
    const m = createIcMatcher([blank, alice]);
    expect(m(icUser({ externalIds: ['', '  '], emails: [''], userName: '' }))).toEqual({ kind: 'unmatched' });
    // '@example.com' has no local part: it is not indexed as the local part ''.
    expect(m(icUser({ userName: '   ' }))).toEqual({ kind: 'unmatched' });
    expect(m(icUser({ userName: '@example.com' }))).toEqual({ kind: 'matched', person: blank, rule: 'user-name' });
  });

  it('a local part shared by two people is ambiguous, with who matched by which rule', () => {
    const result = match(icUser({ userName: 'bob' }));
    expect(result).toEqual({ kind: 'ambiguous', people: [bob, bobOther], matches: [{ rule: 'user-name', people: [bob, bobOther] }] });
  });

  it('two rules naming two people are ambiguous; two rules naming the same person match by the first rule', () => {
    expect(match(icUser({ externalIds: ['E1'], emails: ['bob@example.com'] }))).toEqual({
      kind: 'ambiguous',
      people: [alice, bob],
      matches: [
        { rule: 'external-id', people: [alice] },
        { rule: 'email', people: [bob] },
      ],
    });
    expect(match(icUser({ externalIds: ['E2'], emails: ['BOB@example.com'], userName: 'bob@example.com' }))).toEqual({ kind: 'matched', person: bob, rule: 'external-id' });
    expect(match(icUser({ emails: ['bob@example.com'], userName: 'bob@example.com' }))).toEqual({ kind: 'matched', person: bob, rule: 'email' });
  });

  it('one person reached through several keys of one rule is one person', () => {
    expect(match(icUser({ emails: ['bob@example.com', 'BOB@EXAMPLE.COM'] }))).toEqual({ kind: 'matched', person: bob, rule: 'email' });
  });

  it('two roster rows with the same employee id are both found', () => {
    const twin = createDummyPerson({ employeeId: 'E1', email: 'twin@example.com' });
    expect(createIcMatcher([alice, twin])(icUser({ externalIds: ['E1'] }))).toMatchObject({ kind: 'ambiguous', people: [alice, twin] });
  });

  it('describes each rule in the words a finding shows', () => {
    expect(describeIcRule('external-id')).toBe('ExternalIds id equal to employee_id');
    expect(describeIcRule('email')).toBe('an email of the user');
    expect(describeIcRule('user-name')).toBe('UserName equal to the email or its local part');
  });
});

describe('parseInlinePolicy: reading Warden\'s Deny out of a permission set\'s inline policy', () => {
  it('reads no policy, an empty one and a blank one as empty, version 2012-10-17', () => {
    for (const text of [null, '', '  \n']) expect(parseInlinePolicy(text)).toEqual({ version: '2012-10-17', others: [], denied: [] });
  });

  it('refuses what is not a JSON object', () => {
    for (const text of ['{', 'null', '[]', '"text"', '12', 'true']) expect(parseInlinePolicy(text)).toBeUndefined();
  });

  it('keeps every other statement as it is, and the version the document had', () => {
    const other = { Sid: 'Other', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    expect(parseInlinePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [other, null, 'x'] }))).toEqual({ version: '2008-10-17', others: [other, null, 'x'], denied: [] });
    // A single statement object, not a list.
    expect(parseInlinePolicy(JSON.stringify({ Statement: other }))).toEqual({ version: '2012-10-17', others: [other], denied: [] });
    // No Statement, and a version that is not a string.
    expect(parseInlinePolicy(JSON.stringify({ Version: 3 }))).toEqual({ version: '2012-10-17', others: [], denied: [] });
  });

  it('a document without Statement gets no null statement when Warden adds its Deny (AWS would refuse the policy)', () => {
    const parsed = parseInlinePolicy(JSON.stringify({ Version: '2012-10-17' }));
    expect(parsed).toStrictEqual({ version: '2012-10-17', others: [], denied: [] });
    const written = JSON.parse(renderInlinePolicy(parsed ?? { version: '', others: [], denied: [] }, ['*:bob']) ?? '') as { Statement: unknown[] };
    expect(written.Statement).toStrictEqual([{ Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': ['*:bob'] } } }]);
  });

  it('collects the denied patterns from every Warden statement, strings only, once each, sorted', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': ['*:zed', '*:bob', 7, null] } } },
        { Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': '*:amy' } } },
        { Sid: IC_DENY_SID, Condition: { StringLike: { 'aws:userid': ['*:bob'] } } },
        { Sid: IC_DENY_SID, Condition: { StringLike: { 'aws:userid': { '*:eve': true } } } },
        { Sid: IC_DENY_SID },
        { Sid: 'wardenoffboardingdenysessions', Condition: { StringLike: { 'aws:userid': '*:mallory' } } },
      ],
    };
    const parsed = parseInlinePolicy(JSON.stringify(doc));
    expect(parsed?.denied).toEqual(['*:amy', '*:bob', '*:zed']);
    // Only the exact Sid is Warden's: a look-alike is somebody else's statement and stays.
    expect(parsed?.others).toEqual([doc.Statement[5]]);
  });
});

describe('renderInlinePolicy: writing the Deny back', () => {
  const other = { Sid: 'Other', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

  it('writes one Warden statement with the patterns once each, sorted, after the others, in version 2012-10-17', () => {
    const text = renderInlinePolicy({ version: '2008-10-17', others: [other], denied: [] }, ['*:b', '*:a', '*:b']);
    expect(JSON.parse(text ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [other, { Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': ['*:a', '*:b'] } } }],
    });
  });

  it('without patterns keeps the others in their own version, and writes nothing when nothing is left', () => {
    expect(JSON.parse(renderInlinePolicy({ version: '2008-10-17', others: [other], denied: ['*:a'] }, []) ?? '')).toEqual({ Version: '2008-10-17', Statement: [other] });
    expect(renderInlinePolicy({ version: '2012-10-17', others: [], denied: ['*:a'] }, [])).toBeNull();
  });
});

describe('durationSeconds: SessionDuration as AWS gives it', () => {
  it.each([
    ['PT1H', 3600],
    ['PT12H', 43_200],
    ['PT1H30M', 5400],
    ['PT90M', 5400],
    ['PT45S', 45],
    ['PT1H2M3S', 3723],
    ['PT0H', 0],
  ])('%s is %d seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each([['PT'], [''], ['P1D'], ['PT1.5H'], ['1H'], ['PT1H '], [' PT1H'], ['PT1M1H'], ['PT-1H'], ['xPT1H'], ['PT1Hx']])('%j is unreadable', (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });
});

describe('remainingInIdentityCenter: what a re-read still shows', () => {
  const PS = 'arn:aws:sso:::permissionSet/ssoins-1/ps-ro';
  const deny: IcVerifiable = { kind: 'deny-ic-sessions', target: { permissionSetArn: PS, permissionSetName: 'ReadOnly', pattern: '*:bob' } };
  const release: IcVerifiable = { kind: 'release-ic-session-deny', target: { permissionSetArn: PS, permissionSetName: 'ReadOnly', pattern: '*:bob' } };
  const membership: IcVerifiable = { kind: 'remove-ic-membership', target: { groupId: 'g-eng', groupName: 'Engineers' } };
  const assignment: IcVerifiable = { kind: 'delete-ic-assignment', target: { accountId: '111111111111', permissionSetArn: PS, permissionSetName: 'ReadOnly' } };
  const deletion: IcVerifiable = { kind: 'delete-ic-user', target: { userId: 'u-bob' } };
  const sets = (set?: IcRereadPermissionSet): Map<string, IcRereadPermissionSet> => new Map(set === undefined ? [] : [[PS, set]]);
  const gone = undefined;

  it('a Deny holds when the re-read lists the pattern, and is missing when it does not', () => {
    expect(remainingInIdentityCenter([deny], gone, sets({ denied: ['*:amy', '*:bob'], outdatedAccounts: [] }), false)).toEqual([]);
    expect(remainingInIdentityCenter([deny], gone, sets({ denied: ['*:amy'], outdatedAccounts: [] }), false)).toEqual(['Deny missing from permission set ReadOnly']);
    expect(remainingInIdentityCenter([deny], gone, sets({ denied: [], outdatedAccounts: [] }), false)).toEqual(['Deny missing from permission set ReadOnly']);
  });

  it('a permission set not re-read, or whose policy could not be read, is named as such for a Deny and a release', () => {
    for (const action of [deny, release]) {
      expect(remainingInIdentityCenter([action], gone, sets(), false)).toEqual(['permission set ReadOnly could not be re-read']);
      expect(remainingInIdentityCenter([action], gone, sets({ denied: undefined, outdatedAccounts: [] }), false)).toEqual(['permission set ReadOnly could not be re-read']);
    }
  });

  it('a release holds when the pattern is gone, and not while it is listed', () => {
    expect(remainingInIdentityCenter([release], gone, sets({ denied: ['*:amy'], outdatedAccounts: [] }), false)).toEqual([]);
    expect(remainingInIdentityCenter([release], gone, sets({ denied: ['*:bob'], outdatedAccounts: [] }), false)).toEqual(['still denied in permission set ReadOnly']);
  });

  it('a change not provisioned in every account is named with the accounts, also when the policy could not be read', () => {
    expect(remainingInIdentityCenter([deny], gone, sets({ denied: ['*:bob'], outdatedAccounts: ['111111111111', '222222222222'] }), false)).toEqual([
      'permission set ReadOnly not provisioned in 111111111111, 222222222222',
    ]);
    expect(remainingInIdentityCenter([release], gone, sets({ denied: undefined, outdatedAccounts: ['111111111111'] }), false)).toEqual([
      'permission set ReadOnly could not be re-read',
      'permission set ReadOnly not provisioned in 111111111111',
    ]);
  });

  it('a membership, an assignment and the user itself remain only while the re-read shows them', () => {
    const user = { groupIds: ['g-eng'], assignments: [{ accountId: '111111111111', permissionSetArn: PS }] };
    expect(remainingInIdentityCenter([membership, assignment, deletion], user, sets(), false)).toEqual([
      'still in Identity Center group Engineers',
      'still assigned ReadOnly in 111111111111',
      'Identity Center user still exists',
    ]);
    expect(remainingInIdentityCenter([membership, assignment, deletion], gone, sets(), false)).toEqual([]);
    expect(remainingInIdentityCenter([membership, assignment], { groupIds: ['g-ops'], assignments: [] }, sets(), false)).toEqual([]);
  });

  it('an assignment remains only for the same account and the same permission set', () => {
    const other = 'arn:aws:sso:::permissionSet/ssoins-1/ps-admin';
    expect(remainingInIdentityCenter([assignment], { groupIds: [], assignments: [{ accountId: '222222222222', permissionSetArn: PS }] }, sets(), false)).toEqual([]);
    expect(remainingInIdentityCenter([assignment], { groupIds: [], assignments: [{ accountId: '111111111111', permissionSetArn: other }] }, sets(), false)).toEqual([]);
  });

  it('when stopping access, lists every membership and assignment the plan did not remove, once each', () => {
    const user = {
      groupIds: ['g-eng', 'g-ops'],
      assignments: [
        { accountId: '111111111111', permissionSetArn: PS },
        { accountId: '222222222222', permissionSetArn: PS },
      ],
    };
    expect(remainingInIdentityCenter([membership, assignment], user, sets(), true)).toEqual([
      'still in Identity Center group Engineers',
      'still assigned ReadOnly in 111111111111',
      `member of Identity Center group g-ops`,
      `assigned ${PS} in 222222222222`,
    ]);
    // Not stopping (a release, a deletion), what else the user holds is no failure.
    expect(remainingInIdentityCenter([membership, assignment], user, sets(), false)).toEqual(['still in Identity Center group Engineers', 'still assigned ReadOnly in 111111111111']);
    // Stopping for a user that no longer exists: nothing is held.
    expect(remainingInIdentityCenter([membership, assignment], gone, sets(), true)).toEqual([]);
  });

  it('the same problem from two actions is named once', () => {
    expect(remainingInIdentityCenter([deny, deny], gone, sets(), false)).toEqual(['permission set ReadOnly could not be re-read']);
  });
});
