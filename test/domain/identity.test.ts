import { createIdentityMatcher, type IdentityMatch } from '../../src/domain/identity';
import type { Person, RowIdentity } from '../../src/domain/roster';
import { createDummyPerson, createDummyUser } from '../fixtures/builders';

const options = { employeeIdTag: 'employee_id', emailTag: 'email' };

const alice = createDummyPerson({ employeeId: 'E1', email: 'alice@example.com', awsUsernames: ['al'] });
const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', awsUsernames: ['bobby'] });

const match = (
  people: readonly Person[],
  user: Parameters<typeof createDummyUser>[0],
  invalid: readonly RowIdentity[] = [],
  opts = options,
): IdentityMatch => createIdentityMatcher(people, invalid, opts).match(createDummyUser(user));

describe('identity matching', () => {
  it('matches by the employee_id tag first', () => {
    const result = match([alice, bob], { userName: 'svc-reporting', tags: { employee_id: 'E1' } });
    expect(result).toEqual({ kind: 'matched', person: alice, rule: 'employee-id-tag' });
  });

  it('uses a configurable tag key, compared case-insensitively like IAM tag keys', () => {
    const result = match([alice, bob], { userName: 'x', tags: { EmployeeNumber: 'E2' } }, [], {
      employeeIdTag: 'employeenumber',
      emailTag: 'email',
    });
    expect(result).toMatchObject({ kind: 'matched', person: bob, rule: 'employee-id-tag' });
  });

  it('falls through to the email tag, case-insensitively', () => {
    expect(match([alice, bob], { userName: 'x', tags: { email: 'BOB@Example.com' } })).toMatchObject({
      kind: 'matched',
      person: bob,
      rule: 'email-tag',
    });
  });

  it('an employee_id tag naming nobody falls through to later rules', () => {
    expect(match([alice, bob], { userName: 'bob', tags: { employee_id: 'E999' } })).toMatchObject({
      kind: 'matched',
      person: bob,
      rule: 'email-username',
    });
  });

  it('matches by aws_usernames when no other rule names anyone', () => {
    expect(match([alice, bob], { userName: 'AL' })).toMatchObject({ kind: 'matched', person: alice, rule: 'aws-username' });
  });

  it('is ambiguous when aws_usernames and the email local part name different people (rules disagree)', () => {
    // "al" is alice's aws_username and also the local part of another person's email.
    const al = createDummyPerson({ employeeId: 'E3', email: 'al@other.example' });
    const result = match([alice, al], { userName: 'AL' });
    expect(result).toMatchObject({ kind: 'ambiguous', people: [alice, al] });
  });

  it('matches a user name equal to the whole email or its local part', () => {
    expect(match([alice, bob], { userName: 'Bob@Example.com' })).toMatchObject({ person: bob, rule: 'email-username' });
    expect(match([alice, bob], { userName: 'alice' })).toMatchObject({ person: alice, rule: 'email-username' });
  });

  it('reports two people at the winning rule as ambiguous', () => {
    const otherBob = createDummyPerson({ employeeId: 'E9', email: 'bob@acquired.example' });
    const result = match([alice, bob, otherBob], { userName: 'bob' });
    expect(result.kind).toBe('ambiguous');
    expect(result.kind === 'ambiguous' ? result.people : []).toEqual([bob, otherBob]);
  });

  it('a tag does not outrank the roster: an employee_id tag naming one person and a user name naming another is ambiguous', () => {
    // A leaver who can tag their own user with an active colleague's employee id must not be taken for the colleague.
    const colleague = createDummyPerson({ employeeId: 'E9', email: 'carol@example.com' });
    const result = match([bob, colleague], { userName: 'bob', tags: { employee_id: 'E9' } });
    expect(result.kind).toBe('ambiguous');
    if (result.kind !== 'ambiguous') return;
    expect(result.people).toEqual([colleague, bob]);
    expect(result.matches).toEqual([
      { rule: 'employee-id-tag', people: [colleague] },
      { rule: 'email-username', people: [bob] },
    ]);
  });

  it('is ambiguous when the employee_id tag and the email tag name different people', () => {
    const result = match([alice, bob], { userName: 'x', tags: { employee_id: 'E1', email: 'bob@example.com' } });
    expect(result).toMatchObject({ kind: 'ambiguous', people: [alice, bob] });
  });

  it('rules that agree on one person are a match by the first of them', () => {
    expect(match([alice, bob], { userName: 'alice', tags: { employee_id: 'E1', email: 'ALICE@example.com' } })).toEqual({
      kind: 'matched',
      person: alice,
      rule: 'employee-id-tag',
    });
  });

  it('holds back a user an invalid row matches at or before the winning rule', () => {
    const invalid: RowIdentity = { employeeId: 'E7', email: 'carol@example.com', awsUsernames: [] };
    expect(match([alice], { userName: 'carol' }, [invalid])).toMatchObject({ kind: 'held-back', rule: 'email-username' });
    // The invalid row matches by tag (rule 1) although alice matches by user name (rule 4): it could have won.
    expect(match([alice], { userName: 'alice', tags: { employee_id: 'E7' } }, [invalid])).toMatchObject({
      kind: 'held-back',
      rule: 'employee-id-tag',
    });
  });

  it('ignores an invalid row that only matches after the winning rule', () => {
    const invalid: RowIdentity = { email: 'alice@elsewhere.example', awsUsernames: [] };
    expect(match([alice], { userName: 'alice', tags: { employee_id: 'E1' } }, [invalid])).toMatchObject({
      kind: 'matched',
      person: alice,
    });
  });

  it('returns unmatched when nothing matches', () => {
    expect(match([alice, bob], { userName: 'dave', tags: { email: 'dave@example.com' } })).toEqual({ kind: 'unmatched' });
  });

  it('builds its indexes once and matches many users quickly enough for 100k', () => {
    const people = Array.from({ length: 20_000 }, (_, i) => createDummyPerson({ employeeId: `E${i}`, email: `p${i}@example.com` }));
    const matcher = createIdentityMatcher(people, [], options);
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      if (matcher.match(createDummyUser({ userName: `p${i}` })).kind === 'matched') matched++;
    }
    expect(matched).toBe(20_000);
  });
});
