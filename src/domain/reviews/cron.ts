/**
 * `reviews.schedule` as five-field cron (minute hour day-of-month month day-of-week), read and matched here without a
 * library, so the review clock finds its slot the same way in `serve`, the CLI and Lambda (whose bundles cannot load
 * node-cron). Numbers, `*`, ranges, steps, lists, and month and day names; day 0 and 7 are Sunday. A day must match
 * both day fields (as node-cron, which `serve` used before: `1-7` with `MON` is the first Monday). Pure.
 */
import { wallClockAt } from '../time';

const PRESETS: Readonly<Record<string, string>> = {
  quarterly: '0 9 1 1,4,7,10 *',
  monthly: '0 9 1 * *',
  yearly: '0 9 2 1 *',
};

/** The cron expression a `reviews.schedule` value stands for (`quarterly`, `monthly`, `yearly`, or cron as written). */
export const reviewCron = (schedule: string): string => PRESETS[schedule.trim().toLowerCase()] ?? schedule.trim();

export interface CronSpec {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dayOfMonth: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dayOfWeek: ReadonlySet<number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  readonly name: keyof CronSpec;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly firstName?: number;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dayOfMonth', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, firstName: 1 },
  { name: 'dayOfWeek', min: 0, max: 7, names: DAYS, firstName: 0 },
];

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field.firstName ?? 0);
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

function parseField(text: string, field: Field): Set<number> | string {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    const step = stepText === undefined ? 1 : /^\d{1,2}$/.test(stepText) ? Number(stepText) : 0;
    if (extra !== undefined || step < 1) return `"${part}" has a bad step`;
    let from: number | undefined;
    let to: number | undefined;
    if (range === '*') [from, to] = [field.min, field.max];
    else {
      const [a = '', b, more] = range.split('-');
      from = valueOf(a, field);
      to = b === undefined ? (stepText === undefined ? from : field.max) : valueOf(b, field);
      if (more !== undefined) return `"${part}" is not a range`;
    }
    if (from === undefined || to === undefined || from > to) return `"${part}" is not within ${field.min}-${field.max}`;
    for (let v = from; v <= to; v += step) values.add(field.name === 'dayOfWeek' && v === 7 ? 0 : v);
  }
  return values;
}

/** The expression's fields, or why it is not five-field cron. */
export function parseCron(expression: string): CronSpec | { readonly error: string } {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return { error: `"${expression}" is not five cron fields (minute hour day-of-month month day-of-week)` };
  const spec: Partial<Record<keyof CronSpec, Set<number>>> = {};
  for (const [i, field] of FIELDS.entries()) {
    const parsed = parseField(parts[i] ?? '', field);
    if (typeof parsed === 'string') return { error: `${field.name}: ${parsed}` };
    spec[field.name] = parsed;
  }
  return spec as CronSpec;
}

/** Whether the minute holding `at` is a slot of `spec` on the clocks of `timeZone`. */
export function cronMatches(spec: CronSpec, at: Date, timeZone: string): boolean {
  const w = wallClockAt(at.getTime(), timeZone);
  const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  return spec.minute.has(w.minute) && spec.hour.has(w.hour) && spec.dayOfMonth.has(w.day) && spec.month.has(w.month) && spec.dayOfWeek.has(weekday);
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The latest slot of `spec` in `(now - windowMs, now]`, or undefined. Only minutes that can match are tried: a zone's
 * offset is a whole number of quarter hours, so a local minute M is a UTC minute M, M-15, M-30 or M-45.
 */
export function latestSlot(spec: CronSpec, timeZone: string, now: Date, windowMs: number): Date | undefined {
  const candidates = [...new Set([...spec.minute].flatMap((m) => [0, 15, 30, 45].map((shift) => (((m - shift) % 60) + 60) % 60)))].sort((a, b) => b - a);
  const earliest = now.getTime() - windowMs;
  for (let hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS; hour > earliest - HOUR_MS; hour -= HOUR_MS) {
    for (const minute of candidates) {
      const at = hour + minute * MINUTE_MS;
      if (at <= now.getTime() && at > earliest && cronMatches(spec, new Date(at), timeZone)) return new Date(at);
    }
  }
  return undefined;
}
