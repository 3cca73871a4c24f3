import { resolveEndAt } from '../../domain/time';
import { InputError } from '../../errors';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a --since/--until value: a date means the start (since) or end (until) of that day in the config's time zone. */
export function parseBound(value: string, edge: 'start' | 'end', timezone: string, flag: string): Date {
  if (DATE_ONLY.test(value)) {
    const day = edge === 'end' ? value : previousDay(value);
    const resolved = resolveEndAt(day, timezone);
    if (resolved instanceof Date) return resolved;
    throw new InputError(`${flag}: ${resolved.error}`);
  }
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) {
    throw new InputError(`${flag}: "${value}" is not an ISO 8601 date (YYYY-MM-DD) or date-time with offset`);
  }
  return at;
}

const previousDay = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};
