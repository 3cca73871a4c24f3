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

  it('does not count a person twice when their row lists the name twice after two others', () => {
    const result = match([a, b, c, claimant('E4', ['other'])], 'SHARED-ops');

    expect(result.kind === 'ambiguous' ? result.matches.map((m) => m.people.map((p) => p.employeeId)) : []).toEqual([['E1', 'E2', 'E3']]);
  });
});
