/** Turning roster and Slack dates into instants, in the configured IANA time zone (no date library). */

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Whether `timeZone` is an IANA zone name this runtime knows (e.g. `UTC`, `Europe/Berlin`). Canonical names are looked
 * up in the runtime's list (about 2 ms once); only aliases (`Asia/Calcutta`) build a formatter, whose first use loads
 * the time zone data (20-60 ms, paid by every Lambda cold start that validates its config).
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  if (timeZone === 'UTC') return true;
  canonicalZones ??= new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (canonicalZones.has(timeZone)) return true;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The calendar date and time the zone's clocks show at `instant`. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  // UTC's clocks are the Date's own UTC fields: no formatter, so a UTC deployment never loads the time zone data
  // (several ms of every Lambda cold start).
  if (timeZone === 'UTC') {
    const d = new Date(instant);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields['year'] ?? NaN,
    month: fields['month'] ?? NaN,
    day: fields['day'] ?? NaN,
    hour: fields['hour'] ?? NaN,
    minute: fields['minute'] ?? NaN,
    second: fields['second'] ?? NaN,
  };
}

/** Milliseconds the zone's wall clock is ahead of UTC at `instant` (negative west of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClockAt(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

const dayKey = (w: { year: number; month: number; day: number }): number => w.year * 10_000 + w.month * 100 + w.day;

/**
 * The first instant of the calendar day `year-month-day` in `timeZone`.
 * Usually local midnight; when a DST gap swallows midnight (e.g. America/Santiago) it is the transition instant.
 */
export function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  const wallAsUtc = Date.UTC(year, month - 1, day);
  const target = dayKey({ year, month, day });
  // Every offset in force within a day either side covers any transition near this midnight.
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((delta) => offsetAt(wallAsUtc + delta, timeZone)));
  let first: number | undefined;
  for (const offset of offsets) {
    const candidate = wallAsUtc - offset;
    if (dayKey(wallClockAt(candidate, timeZone)) >= target && (first === undefined || candidate < first)) first = candidate;
  }
  // Unreachable for real zones; fall back to plain UTC midnight rather than throw.
  return new Date(first ?? wallAsUtc);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * Resolves a roster `end_date` to the instant access must end: an ISO 8601 date means the END of that day in
 * `timeZone` (the first instant of the next day there); a date-time must carry `Z` or `±hh:mm`.
 */
export function resolveEndAt(value: string, timeZone: string): Date | { error: string } {
  if (!isValidTimeZone(timeZone)) return { error: `unknown time zone "${timeZone}" (use an IANA name such as UTC or Europe/Berlin)` };
  const text = value.trim();
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly !== null) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    if (!isCalendarDate(year, month, day)) return { error: `"${text}" is not a calendar date` };
    const next = new Date(Date.UTC(year, month - 1, day + 1));
    return startOfDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
  }
  const dateTime = DATE_TIME.exec(text);
  if (dateTime === null) {
    return { error: `"${text}" is not an ISO 8601 date (YYYY-MM-DD) or date-time with offset (YYYY-MM-DDThh:mm:ssZ or ±hh:mm)` };
  }
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(dateTime[i])) as [number, number, number, number, number];
  const second = dateTime[6] === undefined ? 0 : Number(dateTime[6]);
  const millis = dateTime[7] === undefined ? 0 : Math.floor(Number(`0${dateTime[7]}`) * 1000);
  const zulu = dateTime[8];
  const sign = dateTime[9];
  if (zulu === undefined && sign === undefined) {
    return { error: `"${text}" has a time but no offset, which is ambiguous: add Z or ±hh:mm, or give just the date` };
  }
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return { error: `"${text}" is not a valid date-time` };
  }
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offsetHours = Number(dateTime[10]);
    const offsetMins = Number(dateTime[11]);
    if (offsetHours > 23 || offsetMins > 59) return { error: `"${text}" has an invalid offset` };
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
}

/** Formats an instant as the wall-clock time in `timeZone`, e.g. `2026-03-09 00:00 America/New_York`. */
export function formatInZone(instant: Date, timeZone: string): string {
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  const w = wallClockAt(instant.getTime(), zone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${zone}`;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant, as `+hh:mm`. */
function offsetText(instant: number, timeZone: string): string {
  let formatter = offsetFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return match === null ? '+00:00' : `${match[1]}:${match[2] ?? '00'}`;
}

/** The instant a wall-clock date and time (`YYYY-MM-DD`, `HH:mm`) denotes in `timeZone`, or an error message. */
export function zonedInstant(date: string, time: string, timeZone: string): Date | { error: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { error: `"${date}" is not a date (YYYY-MM-DD)` };
  if (!/^\d{2}:\d{2}$/.test(time)) return { error: `"${time}" is not a time (HH:mm)` };
  const naive = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(naive)) return { error: `"${date} ${time}" is not a valid date and time` };
  // The offset at the naive instant, then at the corrected one, settles across DST changes.
  let instant = resolveEndAt(`${date}T${time}:00${offsetText(naive, timeZone)}`, timeZone);
  if (instant instanceof Date) {
    const settled = offsetText(instant.getTime(), timeZone);
    instant = resolveEndAt(`${date}T${time}:00${settled}`, timeZone);
  }
  return instant;
}

/** `1h 05m`, `3m 12s`: the time from effective time to "no access left". */
export function formatDuration(ms: number): string {
  const negative = ms < 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const text = d > 0 ? `${d}d ${pad(h)}h` : h > 0 ? `${h}h ${pad(m)}m` : m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
  return negative ? `-${text}` : text;
}
