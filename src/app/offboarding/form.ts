import { randomBytes } from 'node:crypto';
import type { Departure, DeparturePerson } from '../../domain/departure-lifecycle';
import type { AccessPolicy } from '../../domain/policy';
import type { Person, Roster } from '../../domain/roster';
import { isValidTimeZone, zonedInstant } from '../../domain/time';
import { lower } from './deps';

/** The `/offboard` form: who is leaving and when, validated inline before any preview. Pure. */

const DAY_MS = 86_400_000;
const DEFAULT_BACKDATE_DAYS = 30;
const DEFAULT_AHEAD_DAYS = 366;
const NOTES_MAX = 1000;

/** A new departure id: sortable by day, unguessable. */
export const newDepartureId = (now: Date): string => `dep-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;

/** How HR named the person leaving. */
export type PersonQuery = { readonly kind: 'email'; readonly email: string } | { readonly kind: 'slack'; readonly slackId: string; readonly email?: string };

/** The roster person a query names (Slack id first, then email); undefined when nobody matches. */
export function findPerson(roster: Roster, query: PersonQuery): Person | undefined {
  if (query.kind === 'slack') {
    const bySlack = roster.people.find((p) => p.slackId === query.slackId);
    if (bySlack !== undefined || query.email === undefined) return bySlack;
    return findPerson(roster, { kind: 'email', email: query.email });
  }
  const email = lower(query.email);
  return roster.people.find((p) => lower(p.email) === email);
}

/** A departure as HR entered it and validation accepted it (the recorded departure's fields); `id` makes confirming it idempotent. */
export interface DepartureDraft extends Pick<Departure, 'id' | 'person' | 'effectiveAt' | 'timezone' | 'reason' | 'notes'> {
  /** `slack:U…` */
  readonly requestedBy: string;
  /** HR left date and time blank: the departure takes effect when confirmed, not when the form was filled in. */
  readonly effectiveNow?: boolean;
}

export type FormField = 'person' | 'date' | 'time' | 'timezone' | 'reason' | 'notes';

/** What HR typed: a Slack user (email resolved if Slack gave one) or an email; date and time blank mean now. */
export interface DepartureForm {
  readonly person: PersonQuery | undefined;
  readonly date?: string;
  readonly time?: string;
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
}

export interface FormContext {
  readonly id: string;
  readonly requestedBy: string;
  readonly now: Date;
  readonly policy: AccessPolicy;
  /** Undefined when the roster could not be read in time: person checks then happen in the preview. */
  readonly roster: Roster | undefined;
  readonly maxBackdateDays?: number;
  readonly maxAheadDays?: number;
}

/** The validated draft, or one message per field in error. */
export type FormCheck =
  | { readonly ok: true; readonly draft: DepartureDraft }
  | { readonly ok: false; readonly errors: readonly { readonly field: FormField; readonly message: string }[] };

/** Break-glass names a roster person would match by name or aws_usernames (tags are checked in the preview). */
export function breakGlassNamesOf(person: Person | { readonly email: string; readonly awsUsernames?: readonly string[] }, breakGlass: readonly string[]): string[] {
  const email = lower(person.email);
  const local = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : email;
  const names = new Set([email, local, ...(person.awsUsernames ?? []).map(lower)]);
  return breakGlass.filter((name) => names.has(lower(name)));
}

/** Validates the `/offboard` form inline: person known and not break-glass, a sane effective time, a real time zone. Pure. */
export function checkDepartureForm(form: DepartureForm, context: FormContext): FormCheck {
  const errors: { field: FormField; message: string }[] = [];
  const { now, policy } = context;

  let person: DeparturePerson | undefined;
  if (form.person === undefined) {
    errors.push({ field: 'person', message: 'Choose the person who is leaving, or type their email.' });
  } else if (form.person.kind === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.person.email.trim())) {
    errors.push({ field: 'person', message: `"${form.person.email}" is not an email address.` });
  } else if (context.roster !== undefined) {
    const found = findPerson(context.roster, form.person);
    if (found === undefined) {
      errors.push({ field: 'person', message: `${describeQuery(form.person)} is not on the HR roster, so Warden cannot tell which access is theirs.` });
    } else {
      const glass = breakGlassNamesOf(found, policy.breakGlass);
      if (glass.length > 0) {
        errors.push({ field: 'person', message: `${found.email} is on the break-glass list (${glass.join(', ')}): break-glass access is never revoked automatically.` });
      } else {
        person = personOf(found, form.person);
      }
    }
  } else if (form.person.kind === 'email' || form.person.email !== undefined) {
    const email = lower(form.person.kind === 'email' ? form.person.email : (form.person.email ?? ''));
    person = { email, ...(form.person.kind === 'slack' ? { slackId: form.person.slackId } : {}) };
  } else {
    errors.push({ field: 'person', message: 'Slack has no email for this user and the roster could not be read in time; type their email instead.' });
  }

  if (!isValidTimeZone(form.timezone)) errors.push({ field: 'timezone', message: `"${form.timezone}" is not a time zone (use a name such as Europe/Berlin or UTC).` });

  let effectiveAt: Date = now;
  const date = form.date?.trim() ?? '';
  const time = form.time?.trim() ?? '';
  if (date === '' && time !== '') errors.push({ field: 'date', message: 'Give the date too, or leave both blank for "now".' });
  if (date !== '' && isValidTimeZone(form.timezone)) {
    const instant = zonedInstant(date, time === '' ? '00:00' : time, form.timezone);
    if (instant instanceof Date) effectiveAt = instant;
    else errors.push({ field: time !== '' ? 'time' : 'date', message: instant.error });
  }
  const back = context.maxBackdateDays ?? DEFAULT_BACKDATE_DAYS;
  const ahead = context.maxAheadDays ?? DEFAULT_AHEAD_DAYS;
  if (effectiveAt.getTime() < now.getTime() - back * DAY_MS) {
    errors.push({ field: 'date', message: `That is more than ${back} days ago; check the date (for an old departure, fix the roster instead).` });
  } else if (effectiveAt.getTime() > now.getTime() + ahead * DAY_MS) {
    errors.push({ field: 'date', message: `That is more than ${ahead} days ahead; check the year.` });
  }
  if ((form.notes?.length ?? 0) > NOTES_MAX) errors.push({ field: 'notes', message: `Notes are limited to ${NOTES_MAX} characters.` });

  if (errors.length > 0 || person === undefined) return { ok: false, errors };
  const reason = form.reason?.trim();
  const notes = form.notes?.trim();
  return {
    ok: true,
    draft: {
      id: context.id,
      person,
      effectiveAt,
      timezone: form.timezone,
      ...(reason !== undefined && reason !== '' ? { reason } : {}),
      ...(notes !== undefined && notes !== '' ? { notes } : {}),
      requestedBy: context.requestedBy,
      ...(date === '' ? { effectiveNow: true } : {}),
    },
  };
}

const describeQuery = (query: PersonQuery): string => (query.kind === 'email' ? query.email : query.email ?? `<@${query.slackId}>`);


export function personOf(found: Person, query?: PersonQuery): DeparturePerson {
  const slackId = found.slackId ?? (query?.kind === 'slack' ? query.slackId : undefined);
  return {
    email: lower(found.email),
    employeeId: found.employeeId,
    ...(slackId !== undefined ? { slackId } : {}),
    ...(found.fullName !== undefined ? { fullName: found.fullName } : {}),
  };
}
