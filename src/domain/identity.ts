import type { IamUser } from './inventory';
import type { Person, RowIdentity } from './roster';

/** The SPEC matching rules, in precedence order (the first that matches anyone wins). */
export type MatchRule = 'employee-id-tag' | 'email-tag' | 'aws-username' | 'email-username';

export const MATCH_RULES: readonly MatchRule[] = ['employee-id-tag', 'email-tag', 'aws-username', 'email-username'];

/** The people one rule points to. */
export interface RuleMatch {
  readonly rule: MatchRule;
  readonly people: readonly Person[];
}

/** How one IAM user relates to the roster. */
export type IdentityMatch =
  | { readonly kind: 'matched'; readonly person: Person; readonly rule: MatchRule }
  /**
   * Two or more people match, by one rule or by rules that disagree (a tag naming one person, the user name another):
   * no automatic grant-side action; a leaver among them still has access stopped. `people` in rule order, once each.
   */
  | { readonly kind: 'ambiguous'; readonly people: readonly Person[]; readonly matches: readonly RuleMatch[] }
  /** An invalid roster row matches at or before the winning rule: had it been valid it could have won, so hold back. */
  | { readonly kind: 'held-back'; readonly identities: readonly RowIdentity[]; readonly people: readonly Person[]; readonly rule: MatchRule }
  | { readonly kind: 'unmatched' };

export interface IdentityOptions {
  /** Tag key holding the employee id (compared case-insensitively, as IAM does for tag keys). */
  readonly employeeIdTag: string;
  readonly emailTag: string;
}

/** Matches IAM users to people in O(1) per user, after an O(people) index build. */
export interface IdentityMatcher {
  match(user: IamUser): IdentityMatch;
}

/** A multimap that keeps each value once per key; single values are stored bare (most keys have one). */
class Index<T extends object> {
  private readonly entries = new Map<string, T | T[]>();

  add(key: string | undefined, value: T): void {
    if (key === undefined || key === '') return;
    const current = this.entries.get(key);
    if (current === undefined) this.entries.set(key, value);
    else if (Array.isArray(current)) {
      if (!current.includes(value)) current.push(value);
    } else if (current !== value) this.entries.set(key, [current, value]);
  }

  get(key: string | undefined): readonly T[] {
    if (key === undefined) return [];
    const current = this.entries.get(key);
    return current === undefined ? [] : Array.isArray(current) ? current : [current];
  }
}

interface Candidate {
  readonly employeeId?: string;
  readonly email?: string;
  readonly awsUsernames: readonly string[];
}

/**
 * One index per rule, over either the valid people or the invalid rows. Each is built on first use:
 * where IAM users carry the employee-id tag, only the first is ever needed. Rule 4 (user name equal
 * to the email's local part) looks up `name@domain` for each roster domain instead of keeping a
 * fourth index: companies have a handful of domains, and this runs only for users rules 1-3 missed.
 */
class RuleIndexes<T extends Candidate & object> {
  private byEmployeeIdIndex: Index<T> | undefined;
  private byEmailIndex: Index<T> | undefined;
  private byAwsUsernameIndex: Index<T> | undefined;
  private domainList: readonly string[] | undefined;

  constructor(private readonly candidates: readonly T[]) {}

  private get byEmployeeId(): Index<T> {
    return (this.byEmployeeIdIndex ??= this.build((index, c) => index.add(c.employeeId?.trim(), c)));
  }

  private get byEmail(): Index<T> {
    return (this.byEmailIndex ??= this.build((index, c) => index.add(c.email?.toLowerCase(), c)));
  }

  private get byAwsUsername(): Index<T> {
    return (this.byAwsUsernameIndex ??= this.build((index, c) => {
      for (const name of c.awsUsernames) index.add(name.toLowerCase(), c);
    }));
  }

  private get domains(): readonly string[] {
    if (this.domainList === undefined) {
      const domains = new Set<string>();
      for (const c of this.candidates) {
        const at = c.email?.lastIndexOf('@') ?? -1;
        if (c.email !== undefined && at > 0) domains.add(c.email.slice(at + 1).toLowerCase());
      }
      this.domainList = [...domains];
    }
    return this.domainList;
  }

  private build(add: (index: Index<T>, candidate: T) => void): Index<T> {
    const index = new Index<T>();
    for (const candidate of this.candidates) add(index, candidate);
    return index;
  }

  lookup(rule: MatchRule, keys: UserKeys): readonly T[] {
    switch (rule) {
      case 'employee-id-tag':
        return keys.employeeIdTag === undefined ? NONE : this.byEmployeeId.get(keys.employeeIdTag);
      case 'email-tag':
        return keys.emailTag === undefined ? NONE : this.byEmail.get(keys.emailTag);
      case 'aws-username':
        return this.byAwsUsername.get(keys.userName);
      case 'email-username': {
        const found = new Set<T>(this.byEmail.get(keys.userName));
        if (!keys.userName.includes('@')) {
          for (const domain of this.domains) for (const c of this.byEmail.get(`${keys.userName}@${domain}`)) found.add(c);
        }
        return found.size === 0 ? NONE : [...found];
      }
    }
  }
}

interface UserKeys {
  readonly employeeIdTag: string | undefined;
  readonly emailTag: string | undefined;
  readonly userName: string;
}

const NONE: readonly never[] = [];

/** A tag's trimmed value; tag keys compare case-insensitively, the exact spelling is tried first as it is the usual case. */
function tagValue(tags: Readonly<Record<string, string>>, exactKey: string, lowerKey: string): string | undefined {
  const exact = tags[exactKey];
  if (exact !== undefined) {
    const trimmed = exact.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  for (const key in tags) {
    if (key.toLowerCase() === lowerKey) {
      const trimmed = tags[key]?.trim();
      return trimmed === '' ? undefined : trimmed;
    }
  }
  return undefined;
}

/** Builds a matcher over the roster's valid people and the identities of its invalid rows (SPEC "Matching"). */
export function createIdentityMatcher(
  people: readonly Person[],
  invalidRows: readonly RowIdentity[],
  options: IdentityOptions,
): IdentityMatcher {
  const valid = new RuleIndexes(people);
  // Most rosters have no invalid rows: skip their lookups entirely then (this runs once per IAM user).
  const invalid = invalidRows.length > 0 ? new RuleIndexes(invalidRows) : undefined;
  const employeeIdTag = options.employeeIdTag.toLowerCase();
  const emailTag = options.emailTag.toLowerCase();
  return {
    match(user) {
      const email = tagValue(user.tags, options.emailTag, emailTag);
      const keys: UserKeys = {
        userName: user.userName.toLowerCase(),
        employeeIdTag: tagValue(user.tags, options.employeeIdTag, employeeIdTag),
        emailTag: email === undefined ? undefined : email.toLowerCase(),
      };
      // Every rule is evaluated: a tag the user's holder can write must never outrank what the roster says, so rules
      // that name different people make the user ambiguous rather than letting the first one win.
      const found: RuleMatch[] = [];
      let held: { readonly identities: readonly RowIdentity[]; readonly rule: MatchRule } | undefined;
      for (const rule of MATCH_RULES) {
        const matches = valid.lookup(rule, keys);
        // An invalid row matching at or before the first valid match could have won (or disagreed), had it been valid.
        if (held === undefined && found.length === 0 && invalid !== undefined) {
          const heldBy = invalid.lookup(rule, keys);
          if (heldBy.length > 0) held = { identities: heldBy, rule };
        }
        if (matches.length > 0) found.push({ rule, people: matches });
      }
      const people = distinctPeople(found);
      if (held !== undefined) return { kind: 'held-back', identities: held.identities, people, rule: held.rule };
      const [first, second] = people;
      const firstMatch = found[0];
      if (first === undefined || firstMatch === undefined) return { kind: 'unmatched' };
      if (second !== undefined) return { kind: 'ambiguous', people, matches: found };
      return { kind: 'matched', person: first, rule: firstMatch.rule };
    },
  };
}


function distinctPeople(found: readonly RuleMatch[]): readonly Person[] {
  const [only, ...rest] = found;
  if (only === undefined) return NONE;
  if (rest.length === 0) return only.people;
  const people = new Set<Person>();
  for (const match of found) for (const person of match.people) people.add(person);
  return [...people];
}

/** Human wording of a rule, for finding details. */
export function describeRule(rule: MatchRule, options: IdentityOptions): string {
  switch (rule) {
    case 'employee-id-tag':
      return `tag ${options.employeeIdTag}`;
    case 'email-tag':
      return `tag ${options.emailTag}`;
    case 'aws-username':
      return 'aws_usernames on the roster';
    case 'email-username':
      return 'user name equal to the email or its local part';
  }
}
