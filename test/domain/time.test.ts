import { formatInZone, isValidTimeZone, resolveEndAt, startOfDay } from '../../src/domain/time';

const resolved = (value: string, timeZone: string): string => {
  const result = resolveEndAt(value, timeZone);
  if (!(result instanceof Date)) throw new Error(`expected a date for ${value}, got ${result.error}`);
  return result.toISOString();
};

const errorOf = (value: string, timeZone: string): string => {
  const result = resolveEndAt(value, timeZone);
  if (result instanceof Date) throw new Error(`expected an error for ${value}, got ${result.toISOString()}`);
  return result.error;
};

describe('resolveEndAt with a date', () => {
  it('ends at the first instant of the next day in UTC', () => {
    expect(resolved('2026-11-25', 'UTC')).toBe('2026-11-26T00:00:00.000Z');
  });

  it('ends at local midnight on the day DST starts in America/New_York (EST before, EDT after)', () => {
    // 2026-03-08 is the spring-forward day: the day itself starts at -05:00, the next one at -04:00.
    expect(resolved('2026-03-07', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(resolved('2026-03-08', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
  });

  it('handles the fall-back day in America/New_York', () => {
    expect(resolved('2026-10-31', 'America/New_York')).toBe('2026-11-01T04:00:00.000Z');
    expect(resolved('2026-11-01', 'America/New_York')).toBe('2026-11-02T05:00:00.000Z');
  });

  it('handles half-hour offsets (Asia/Kolkata, +05:30)', () => {
    expect(resolved('2026-03-31', 'Asia/Kolkata')).toBe('2026-03-31T18:30:00.000Z');
  });

  it('uses the transition instant when a DST gap swallows midnight (America/Santiago)', () => {
    // Chile springs forward at 24:00 on 2026-09-05: 2026-09-06 starts at 01:00 local (-03:00).
    const end = resolveEndAt('2026-09-05', 'America/Santiago');
    expect(end).toEqual(new Date('2026-09-06T04:00:00Z'));
    expect(formatInZone(end as Date, 'America/Santiago')).toBe('2026-09-06 01:00 America/Santiago');
  });

  it('crosses month and year ends', () => {
    expect(resolved('2026-12-31', 'Europe/Berlin')).toBe('2026-12-31T23:00:00.000Z');
    expect(resolved('2028-02-29', 'UTC')).toBe('2028-03-01T00:00:00.000Z');
  });

  it('rejects dates that are not on the calendar', () => {
    expect(errorOf('2026-02-30', 'UTC')).toMatch(/not a calendar date/);
    expect(errorOf('2026-13-01', 'UTC')).toMatch(/not a calendar date/);
  });
});

describe('resolveEndAt with a date-time', () => {
  it('accepts Z and ±hh:mm offsets as exact instants, whatever the configured zone', () => {
    expect(resolved('2026-06-30T18:00:00Z', 'Asia/Kolkata')).toBe('2026-06-30T18:00:00.000Z');
    expect(resolved('2026-06-30T18:00:00+05:30', 'UTC')).toBe('2026-06-30T12:30:00.000Z');
    expect(resolved('2026-06-30T18:00-04:00', 'UTC')).toBe('2026-06-30T22:00:00.000Z');
    expect(resolved('2026-06-30T18:00:00.250Z', 'UTC')).toBe('2026-06-30T18:00:00.250Z');
  });

  it('rejects a date-time without an offset as ambiguous', () => {
    expect(errorOf('2026-06-30T18:00:00', 'UTC')).toMatch(/no offset.*ambiguous/);
  });

  it('rejects out-of-range times and garbage', () => {
    expect(errorOf('2026-06-30T25:00:00Z', 'UTC')).toMatch(/not a valid date-time/);
    expect(errorOf('30/06/2026', 'UTC')).toMatch(/not an ISO 8601 date/);
    expect(errorOf('', 'UTC')).toMatch(/not an ISO 8601 date/);
  });
});

describe('time zones', () => {
  it('rejects unknown zone names', () => {
    expect(errorOf('2026-01-01', 'Mars/Olympus_Mons')).toMatch(/unknown time zone "Mars\/Olympus_Mons"/);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
  });

  it('accepts UTC and the zone aliases the runtime knows, and refuses near misses', () => {
    // UTC and aliases (Asia/Calcutta for Asia/Kolkata, US/Pacific) are not in Intl.supportedValuesOf('timeZone').
    for (const zone of ['UTC', 'Etc/UTC', 'Asia/Calcutta', 'Asia/Kolkata', 'US/Pacific', 'America/Los_Angeles']) expect([zone, isValidTimeZone(zone)]).toEqual([zone, true]);
    for (const zone of [' UTC', 'Europe/Berlin ', 'Europe', 'europe/berlinn', 'Mars/Olympus_Mons']) expect([zone, isValidTimeZone(zone)]).toEqual([zone, false]);
  });

  it('startOfDay gives local midnight on an ordinary day', () => {
    expect(startOfDay(2026, 7, 1, 'Europe/Berlin').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });
});
