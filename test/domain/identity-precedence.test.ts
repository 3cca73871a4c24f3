import { MATCH_RULES, createIdentityMatcher, describeRule, type IdentityMatch } from '../../src/domain/identity';
import type { Person, RowIdentity } from '../../src/domain/roster';
import { createDummyPerson, createDummyUser } from '../fixtures/builders';

/*
 * SPEC "Matching an IAM user to a person": the first rule that matches wins, in the order
 * employee_id tag, email tag, aws_usernames, user name = email or its local part.
 * These tests pin that order where only one rule (or one person) is involved, and where the two
 * tags disagree they only insist the user is not silently given to the lower-precedence person.
 */

const options = { employeeIdTag: 'employee_id', emailTag: 'email' };

const ann = createDummyPerson({ employeeId: 'E100', email: 'ann@example.com', awsUsernames: ['ann-ops'] });
const ben = createDummyPerson({ employeeId: 'E200', email: 'ben@example.com', awsUsernames: ['ben-ops'] });

const match = (
  people: readonly Person[],
  user: Parameters<typeof createDummyUser>[0],
  invalid: readonly RowIdentity[] = [],
): IdentityMatch => createIdentityMatcher(people, invalid, options).match(createDummyUser(user));

const matchedPerson = (result: IdentityMatch): Person | undefined => (result.kind === 'matched' ? result.person : undefined);
const involved = (result: IdentityMatch): readonly Person[] =>
  result.kind === 'matched' ? [result.person] : result.kind === 'unmatched' ? [] : result.people;

describe('identity rule precedence', () => {
  it('the employee_id tag alone matches, by rule 1', () => {
    // Nothing else about the user points at anyone: its name, no email tag.
    expect(match([ann, ben], { userName: 'svc-x1', tags: { employee_id: 'E100' } })).toEqual({
      kind: 'matched',
      person: ann,
      rule: 'employee-id-tag',
    });
  });

  it('when both tags name the same person, the match is credited to rule 1 (employee_id tag), not rule 2', () => {
    expect(match([ann, ben], { userName: 'svc-x1', tags: { employee_id: 'E100', email: 'ANN@example.com' } })).toEqual({
      kind: 'matched',
      person: ann,
      rule: 'employee-id-tag',
    });
  });

  it('the email tag alone matches, by rule 2', () => {
    expect(match([ann, ben], { userName: 'svc-x1', tags: { email: 'ben@example.com' } })).toEqual({
      kind: 'matched',
      person: ben,
      rule: 'email-tag',
    });
  });

  it('the email tag (rule 2) wins over aws_usernames (rule 3) and the user name (rule 4) for the same person', () => {
    expect(match([ann, ben], { userName: 'ben-ops', tags: { email: 'ben@example.com' } })).toEqual({
      kind: 'matched',
      person: ben,
      rule: 'email-tag',
    });
    expect(match([ann, ben], { userName: 'ben', tags: { email: 'ben@example.com' } })).toMatchObject({ rule: 'email-tag' });
  });

  it('aws_usernames (rule 3) is credited before the user name (rule 4) for the same person', () => {
    const annLocal = createDummyPerson({ employeeId: 'E100', email: 'ann@example.com', awsUsernames: ['ann'] });
    expect(match([annLocal, ben], { userName: 'ann' })).toEqual({ kind: 'matched', person: annLocal, rule: 'aws-username' });
  });

  it('an employee_id tag naming A and an email tag naming B never silently assigns the user to B', () => {
    // SPEC: different rules pointing to different people. Whatever the outcome (rule 1 wins, or the user is
    // ambiguous), the lower-precedence email tag must not decide it on its own.
    const result = match([ann, ben], { userName: 'svc-x1', tags: { employee_id: 'E100', email: 'ben@example.com' } });
    expect(matchedPerson(result)).not.toBe(ben);
    expect(involved(result)).toContain(ann);
  });

  it('the same disagreement the other way round: employee_id names B, email tag names A', () => {
    const result = match([ann, ben], { userName: 'svc-x1', tags: { employee_id: 'E200', email: 'ann@example.com' } });
    expect(matchedPerson(result)).not.toBe(ann);
    expect(involved(result)).toContain(ben);
  });

  it('an email tag naming B is not overruled by a lower rule (aws_usernames) naming A', () => {
    const result = match([ann, ben], { userName: 'ann-ops', tags: { email: 'ben@example.com' } });
    expect(matchedPerson(result)).not.toBe(ann);
    expect(involved(result)).toContain(ben);
  });
});

describe('invalid roster rows hold a user back', () => {
  const carolInvalid: RowIdentity = { employeeId: 'E300', email: 'ann@acquired.example', awsUsernames: ['shared-ops'] };

  it('even when a valid person matches at the same rule', () => {
    // ann matches user "ann" by local part (rule 4); so does the invalid row ann@acquired.example.
    // Had that row been valid the user would be ambiguous: no automatic action either way.
    const result = match([ann, ben], { userName: 'ann' }, [carolInvalid]);
    expect(result).toMatchObject({ kind: 'held-back', rule: 'email-username' });
    expect(result.kind === 'held-back' ? result.people : []).toEqual([ann]);
  });

  it('at rule 3 too, when a valid person lists the same aws_username', () => {
    const annShared = createDummyPerson({ employeeId: 'E100', email: 'ann@example.com', awsUsernames: ['shared-ops'] });
    expect(match([annShared, ben], { userName: 'shared-ops' }, [carolInvalid])).toMatchObject({ kind: 'held-back', rule: 'aws-username' });
  });

  it('but not when a valid person matches at an earlier rule than the invalid row', () => {
    expect(match([ann, ben], { userName: 'ann', tags: { employee_id: 'E100' } }, [carolInvalid])).toEqual({
      kind: 'matched',
      person: ann,
      rule: 'employee-id-tag',
    });
  });
});

describe('identity keys: tags, indexes and wording', () => {
  const withOptions = (opts: { employeeIdTag: string; emailTag: string }, people: readonly Person[], user: Parameters<typeof createDummyUser>[0]) =>
    createIdentityMatcher(people, [], opts).match(createDummyUser(user));

  it('trims tag values, and treats a blank tag as absent', () => {
    expect(match([ann, ben], { userName: 'svc-x1', tags: { employee_id: '  E100 ' } })).toMatchObject({ person: ann, rule: 'employee-id-tag' });
    expect(match([ann, ben], { userName: 'svc-x1', tags: { Employee_ID: ' E200 ' } })).toMatchObject({ person: ben, rule: 'employee-id-tag' });
    expect(match([ann, ben], { userName: 'ben', tags: { employee_id: '   ' } })).toMatchObject({ person: ben, rule: 'email-username' });
    expect(match([ann, ben], { userName: 'ben', tags: { EMPLOYEE_ID: '' } })).toMatchObject({ person: ben, rule: 'email-username' });
    expect(match([ann, ben], { userName: 'svc-x1', tags: { email: ' ben@example.com ' } })).toMatchObject({ person: ben, rule: 'email-tag' });
  });

  it('reads only the configured tag keys, whatever other tags hold', () => {
    expect(match([ann, ben], { userName: 'svc-x1', tags: { team: 'E100', owner: 'ann@example.com' } })).toEqual({ kind: 'unmatched' });
  });

  it('compares a configured email tag key case-insensitively', () => {
    expect(withOptions({ employeeIdTag: 'employee_id', emailTag: 'Email' }, [ann, ben], { userName: 'svc-x1', tags: { EMAIL: 'ann@example.com' } })).toMatchObject({
      person: ann,
      rule: 'email-tag',
    });
  });

  it('trims employee ids on the roster side too', () => {
    const padded = createDummyPerson({ employeeId: ' E300 ', email: 'cy@example.com' });
    expect(match([padded], { userName: 'svc-x1', tags: { employee_id: 'E300' } })).toMatchObject({ person: padded, rule: 'employee-id-tag' });
  });

  it('lists every person sharing a key once, three or more included', () => {
    const people = ['example.com', 'acquired.example', 'other.example'].map((domain, i) =>
      createDummyPerson({ employeeId: `E5${i}`, email: `sam@${domain}` }),
    );
    const result = match(people, { userName: 'sam' });
    expect(result.kind === 'ambiguous' ? result.people : []).toEqual(people);
  });

  it('a person listing the same aws_username twice is still one match', () => {
    const twice = createDummyPerson({ employeeId: 'E400', email: 'dee@example.com', awsUsernames: ['dee-admin', 'DEE-admin'] });
    expect(match([twice, ann], { userName: 'dee-admin' })).toEqual({ kind: 'matched', person: twice, rule: 'aws-username' });
  });
});

describe('describeRule', () => {
  it('words each rule for finding details', () => {
    const opts = { employeeIdTag: 'EmployeeNumber', emailTag: 'Mail' };
    expect(MATCH_RULES.map((rule) => describeRule(rule, opts))).toEqual([
      'tag EmployeeNumber',
      'tag Mail',
      'aws_usernames on the roster',
      'user name equal to the email or its local part',
    ]);
  });
});
