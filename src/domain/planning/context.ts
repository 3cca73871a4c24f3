import { createIdentityMatcher, type IdentityMatch } from '../identity';
import type { AccountInventory, IamUser, Inventory } from '../inventory';
import type { Action, Finding } from '../plan';
import type { AccessPolicy, RoleGrant, ServiceAccount } from '../policy';
import type { Person, Roster } from '../roster';
import type { LeaverSessions } from '../sessions';
import type { ReviewedRevocation } from '../reviews/types';

const DAY_MS = 86_400_000;

/** Everything the planner reads. `now` is passed in: the planner never reads the clock. */
export interface PlanInput {
  readonly roster: Roster;
  readonly inventory: Inventory;
  readonly policy: AccessPolicy;
  readonly now: Date;
  /**
   * IAM users (`account/userName`) whose Warden deny-all the audit log shows Warden attached as a joiner quarantine:
   * only these may have it lifted. Absent: nothing is lifted.
   */
  readonly quarantined?: ReadonlySet<string>;
  /** Entitlements access reviews revoked (taken away again if held; a role-granted one is not reported missing). */
  readonly reviews?: readonly ReviewedRevocation[];
}

/** What one planning step contributes; `plan()` concatenates the parts and sorts them. */
export interface PlanPart {
  readonly actions: readonly Action[];
  readonly findings: readonly Finding[];
  /** Leavers' session status (planning/sessions.ts). */
  readonly sessions?: readonly LeaverSessions[];
}

/**
 * Where a person stands at `now`. A departed person without end_date is past their end (access should already be
 * gone) but is never deleted: deletion counts from a known end.
 */
export type PersonPhase =
  | { readonly kind: 'working' }
  | { readonly kind: 'on-leave' }
  | { readonly kind: 'scheduled'; readonly endAt: Date }
  | { readonly kind: 'stop-access'; readonly endAt?: Date }
  | { readonly kind: 'delete'; readonly endAt: Date };

export function phaseOf(person: Person, policy: AccessPolicy, now: Date): PersonPhase {
  switch (person.status) {
    case 'active':
      return WORKING;
    case 'on_leave':
      return { kind: 'on-leave' };
    case 'departed': {
      const endAt = person.endAt;
      if (endAt === undefined) return { kind: 'stop-access' };
      if (endAt.getTime() > now.getTime()) return { kind: 'scheduled', endAt };
      if (now.getTime() >= endAt.getTime() + policy.deleteAfterDays * DAY_MS) return { kind: 'delete', endAt };
      return { kind: 'stop-access', endAt };
    }
  }
}

/** Whether the person's access must be cut at `now` (departed and past the end). */
export const mustBeRevoked = (phase: PersonPhase): boolean => phase.kind === 'stop-access' || phase.kind === 'delete';

/** How Warden treats one IAM user: exempt by config, or matched against the roster. */
export type UserClass =
  | { readonly kind: 'break-glass' }
  | { readonly kind: 'service-account'; readonly serviceAccount: ServiceAccount }
  | IdentityMatch;

export interface ClassifiedUser {
  readonly account: AccountInventory;
  readonly user: IamUser;
  readonly class: UserClass;
}

/** The planner's working set, built once per plan in O(people + users). */
export interface PlanContext {
  readonly input: PlanInput;
  readonly users: readonly ClassifiedUser[];
  /** Phases of the people not simply working (most people are, and need no entry). */
  readonly phases: ReadonlyMap<Person, PersonPhase>;
  /** Built on first use: only service-account owners and host account mappings look people up by email. */
  readonly peopleByEmail: ReadonlyMap<string, Person>;
  readonly invalidEmails: ReadonlySet<string>;
  /** Whether an IAM user matched, or might belong to (ambiguous, held back), a person who is not simply working. */
  readonly peopleWithUsers: { has(person: Person): boolean };
  /**
   * Users matched to each person whose findings list them: leavers, people on leave, and anyone with
   * an end date. Staff in post are left out, which spares a map entry for nearly every person.
   */
  readonly usersByPerson: ReadonlyMap<Person, readonly ClassifiedUser[]>;
  roleOf(person: Person): RoleGrant | undefined;
}

/** Shorthand used in details: `123456789012/bob`. */
export const userLabel = (user: IamUser): string => `${user.account}/${user.userName}`;

export function buildContext(input: PlanInput): PlanContext {
  const { roster, inventory, policy, now } = input;
  const matcher = createIdentityMatcher(roster.people, roster.invalidRowIdentities, policy.identity);
  const breakGlass = new Set(policy.breakGlass.map((name) => name.toLowerCase()));
  const serviceAccounts = new Map<string, ServiceAccount[]>();
  for (const sa of policy.serviceAccounts) {
    const key = sa.userName.toLowerCase();
    serviceAccounts.set(key, [...(serviceAccounts.get(key) ?? []), sa]);
  }
  const serviceAccountFor = (user: IamUser): ServiceAccount | undefined =>
    serviceAccounts.get(user.userName.toLowerCase())?.find((sa) => sa.account === undefined || sa.account === user.account);

  // Per-person maps cost real time at 100k people; keep only what is not the common case.
  const phases = new Map<Person, PersonPhase>();
  for (const person of roster.people) if (person.status !== 'active') phases.set(person, phaseOf(person, policy, now));
  let peopleByEmail: Map<string, Person> | undefined;
  const emailIndex = (): Map<string, Person> => {
    if (peopleByEmail === undefined) {
      peopleByEmail = new Map();
      for (const person of roster.people) peopleByEmail.set(person.email.toLowerCase(), person);
    }
    return peopleByEmail;
  };
  const invalidEmails = new Set<string>();
  for (const identity of roster.invalidRowIdentities) if (identity.email !== undefined) invalidEmails.add(identity.email.toLowerCase());

  const users: ClassifiedUser[] = [];
  // People only possibly behind a user (ambiguous or held back); matched ones are in usersByPerson.
  const possiblyWithUsers = new Set<Person>();
  const usersByPerson = new Map<Person, ClassifiedUser[]>();
  for (const account of inventory.accounts) {
    for (const user of account.users) {
      const lowerName = user.userName.toLowerCase();
      const serviceAccount = serviceAccounts.size === 0 ? undefined : serviceAccountFor(user);
      const userClass: UserClass = breakGlass.has(lowerName)
        ? { kind: 'break-glass' }
        : serviceAccount !== undefined
          ? { kind: 'service-account', serviceAccount }
          : matcher.match(user);
      const classified: ClassifiedUser = { account, user, class: userClass };
      users.push(classified);
      if (userClass.kind === 'matched' && (userClass.person.status !== 'active' || userClass.person.endAt !== undefined)) {
        const list = usersByPerson.get(userClass.person);
        if (list === undefined) usersByPerson.set(userClass.person, [classified]);
        else list.push(classified);
      } else if (userClass.kind === 'ambiguous' || userClass.kind === 'held-back') {
        for (const person of userClass.people) possiblyWithUsers.add(person);
      }
    }
  }

  const roles = new Map<string, RoleGrant>();
  for (const [name, grant] of Object.entries(policy.roles)) roles.set(name.trim().toLowerCase(), grant);
  return {
    input,
    users,
    phases,
    get peopleByEmail() {
      return emailIndex();
    },
    invalidEmails,
    peopleWithUsers: { has: (person: Person) => usersByPerson.has(person) || possiblyWithUsers.has(person) },
    usersByPerson,
    roleOf: (person) => (person.role === undefined ? undefined : roles.get(person.role.trim().toLowerCase())),
  };
}

/** The phase of a roster person (every person has one once the context is built). */
export function phaseIn(context: PlanContext, person: Person): PersonPhase {
  return person.status === 'active' ? WORKING : (context.phases.get(person) ?? phaseOf(person, context.input.policy, context.input.now));
}

const WORKING: PersonPhase = { kind: 'working' };
