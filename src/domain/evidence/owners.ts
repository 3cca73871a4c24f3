import { createIdentityMatcher, type IdentityOptions } from '../identity';
import { createIcMatcher } from '../identity-center';
import type { Person, PersonRef, Roster } from '../roster';
import type { Owners } from './access-records';

const refOf = (person: Person): PersonRef => ({ employeeId: person.employeeId, email: person.email });

/**
 * Attributes principals to roster people for snapshots: IAM users by the SPEC matching rules
 * (only an unambiguous match counts), Identity Center users by its rules (likewise), host accounts by `hosts.userMap`, then by an `aws_usernames`
 * entry or the email's local part equal to the OS user name.
 */
export function ownersFromRoster(
  roster: Roster,
  identity: IdentityOptions,
  hostUserMap: Readonly<Record<string, string>> = {},
): Owners {
  const matcher = createIdentityMatcher(roster.people, roster.invalidRowIdentities, identity);
  const icMatcher = createIcMatcher(roster.people);
  const byEmail = new Map(roster.people.map((p) => [p.email.toLowerCase(), p]));
  const byLogin = new Map<string, Person | null>();
  const addLogin = (name: string, person: Person): void => {
    const key = name.toLowerCase();
    const current = byLogin.get(key);
    // Two people claiming one login name: attribute it to neither.
    byLogin.set(key, current === undefined || current === person ? person : null);
  };
  for (const person of roster.people) {
    for (const name of person.awsUsernames) addLogin(name, person);
    const at = person.email.lastIndexOf('@');
    if (at > 0) addLogin(person.email.slice(0, at), person);
  }
  return {
    iamUser(user) {
      const match = matcher.match(user);
      return match.kind === 'matched' ? refOf(match.person) : undefined;
    },
    icUser(user) {
      const match = icMatcher(user);
      return match.kind === 'matched' ? refOf(match.person) : undefined;
    },
    hostUser(_host, osUser) {
      const mapped = hostUserMap[osUser];
      if (mapped !== undefined) {
        const person = byEmail.get(mapped.toLowerCase());
        return person === undefined ? undefined : refOf(person);
      }
      const person = byLogin.get(osUser.toLowerCase());
      return person === undefined || person === null ? undefined : refOf(person);
    },
  };
}
