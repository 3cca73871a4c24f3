import { createIdentityMatcher, type IdentityMatch } from '../../src/domain/identity';
import type { Person } from '../../src/domain/roster';
import { createDummyPerson, createDummyUser } from '../fixtures/builders';

/*
 * An IAM user name that more than two roster people claim: every claimant is named, each once,
 * so HR sees the whole conflict and nobody is picked for them. The roster is hostile input: a
 * row may list one aws_username twice, in any case.
 */

const options = { employeeIdTag: 'employee_id', emailTag: 'email' };
const claimant = (id: string, names: readonly string[]): Person =>
  createDummyPerson({ employeeId: id, email: `${id.toLowerCase()}@example.com`, awsUsernames: [...names] });

const match = (people: readonly Person[], userName: string): IdentityMatch =>
  createIdentityMatcher(people, [], options).match(createDummyUser({ userName }));

describe('an aws_username claimed by three people', () => {
  const [a, b, c] = [claimant('E1', ['shared-ops']), claimant('E2', ['shared-ops']), claimant('E3', ['Shared-Ops', 'SHARED-OPS'])];

  it('is ambiguous between all three, each named once in the people and in the rule that matched', () => {
    const result = match([a, b, c], 'shared-ops');

    expect(result).toEqual({ kind: 'ambiguous', people: [a, b, c], matches: [{ rule: 'aws-username', people: [a, b, c] }] });
  });

  it('stays ambiguous when a higher rule names one of the claimants', () => {
    const result = createIdentityMatcher([a, b, c], [], options).match(createDummyUser({ userName: 'shared-ops', tags: { employee_id: 'E1' } }));

    expect(result).toMatchObject({ kind: 'ambiguous', people: [a, b, c] });
  });

  it('does not count a person twice when their row lists the name twice after two others', () => {
    const result = match([a, b, c, claimant('E4', ['other'])], 'SHARED-ops');

    expect(result.kind === 'ambiguous' ? result.matches.map((m) => m.people.map((p) => p.employeeId)) : []).toEqual([['E1', 'E2', 'E3']]);
  });
});

describe('rules that name different people', () => {
  const ann = claimant('E100', ['ann-ops']);
  const ben = claimant('E200', ['ben-ops']);
  const matchTags = (tags: Record<string, string>, userName: string): IdentityMatch =>
    createIdentityMatcher([ann, ben], [], options).match(createDummyUser({ userName, tags }));

  it('make the user ambiguous, naming both, whichever rule ranks first (a writable tag never outranks the roster)', () => {
    expect(matchTags({ employee_id: 'E100' }, 'ben-ops')).toEqual({
      kind: 'ambiguous',
      people: [ann, ben],
      matches: [
        { rule: 'employee-id-tag', people: [ann] },
        { rule: 'aws-username', people: [ben] },
      ],
    });
    expect(matchTags({ email: 'e200@example.com' }, 'ann-ops')).toMatchObject({ kind: 'ambiguous', people: [ben, ann] });
  });

  it('agreeing rules give one match, credited to the first', () => {
    expect(matchTags({ employee_id: 'E100', email: 'e100@example.com' }, 'ann-ops')).toEqual({ kind: 'matched', person: ann, rule: 'employee-id-tag' });
  });
});
