import type { InputError, Person, Roster } from './roster';

/** What the roster overlay needs of a departure HR recorded outside the roster file (the full record: `departure-lifecycle.ts`). */
export interface DepartureMark {
  readonly employeeId?: string;
  readonly email: string;
  readonly effectiveAt: Date;
  /** Who recorded it, e.g. `slack:U123`. */
  readonly markedBy: string;
  readonly reason?: string;
}

export const DEPARTURES_SOURCE = 'departures';

/**
 * Overlays recorded departures on the roster: the person becomes departed, ending at the earliest known instant
 * (a roster end_date or a departure, whichever is first). A departure naming no roster person is an input error.
 */
export function applyDepartures(roster: Roster, departures: readonly DepartureMark[]): Roster {
  if (departures.length === 0) return roster;
  const byEmail = new Map<string, number>();
  const byEmployeeId = new Map<string, number>();
  roster.people.forEach((person, index) => {
    byEmail.set(person.email.toLowerCase(), index);
    byEmployeeId.set(person.employeeId, index);
  });
  const invalidEmails = new Set(roster.invalidRowIdentities.flatMap((r) => (r.email !== undefined ? [r.email.toLowerCase()] : [])));
  const people: Person[] = [...roster.people];
  const errors: InputError[] = [];
  const fail = (message: string): void => {
    errors.push({ source: DEPARTURES_SOURCE, message });
  };

  for (const departure of departures) {
    const email = departure.email.trim().toLowerCase();
    const label = `departure of ${email} marked by ${departure.markedBy}`;
    if (Number.isNaN(departure.effectiveAt.getTime())) {
      fail(`${label}: the effective time is not a valid date`);
      continue;
    }
    const employeeId = departure.employeeId?.trim();
    const index = employeeId !== undefined && employeeId !== '' ? byEmployeeId.get(employeeId) : byEmail.get(email);
    const person = index === undefined ? undefined : people[index];
    if (index === undefined || person === undefined) {
      const why = invalidEmails.has(email)
        ? 'is on an invalid roster row; fix the row first'
        : employeeId !== undefined && employeeId !== ''
          ? `names employee_id ${employeeId}, which is not on the roster`
          : 'is not on the roster';
      fail(`${label}: ${email} ${why}`);
      continue;
    }
    if (person.email.toLowerCase() !== email) {
      fail(`${label}: employee_id ${person.employeeId} belongs to ${person.email} on the roster, not ${email}`);
      continue;
    }
    people[index] = depart(person, departure);
  }
  return { ...roster, people, errors: [...roster.errors, ...errors] };
}

function depart(person: Person, departure: DepartureMark): Person {
  const effective = departure.effectiveAt.getTime();
  // A departed row without end_date means "already gone", the earliest end there is.
  if (person.status === 'departed' && (person.endAt === undefined || person.endAt.getTime() <= effective)) return person;
  const rosterEndsFirst = person.endAt !== undefined && person.endAt.getTime() <= effective;
  return {
    ...person,
    status: 'departed',
    ...(rosterEndsFirst ? {} : { endAt: departure.effectiveAt }),
    departureMarkedBy: departure.markedBy,
  };
}
