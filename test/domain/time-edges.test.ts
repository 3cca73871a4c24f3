/**
 * The edges of turning roster and Slack dates into instants (src/domain/time.ts): every range limit hit exactly,
 * every accepted spelling of a date-time, the exact error texts an operator reads, and a day whose midnight happens
 * twice. Each case here was a mutant no test noticed (docs/mutation.md, session 5).
 */
import { formatDuration, formatInZone, isValidTimeZone, resolveEndAt, startOfDay, wallClockAt, zonedInstant } from '../../src/domain/time';

const iso = (result: Date | { error: string }): string => (result instanceof Date ? result.toISOString() : `error: ${result.error}`);
const end = (value: string, timeZone = 'UTC'): string => iso(resolveEndAt(value, timeZone));

describe('resolveEndAt: calendar limits, hit exactly', () => {
  it.each([
    ['2026-01-31', '2026-02-01T00:00:00.000Z'],
    ['2026-01-01', '2026-01-02T00:00:00.000Z'],
    ['2026-12-01', '2026-12-02T00:00:00.000Z'],
    ['2026-04-30', '2026-05-01T00:00:00.000Z'],
    ['2026-02-28', '2026-03-01T00:00:00.000Z'],
    ['2024-02-29', '2024-03-01T00:00:00.000Z'],
    ['2026-12-31', '2027-01-01T00:00:00.000Z'],
    [' 2026-07-04 ', '2026-07-05T00:00:00.000Z'],
  ])('the date %j ends at %s', (value, expected) => {
    expect(end(value)).toBe(expected);
  });

  it.each(['2026-00-10', '2026-13-01', '2026-01-00', '2026-01-32', '2026-04-31', '2026-02-29', '2100-02-29'])('%j is not a calendar date', (value) => {
    expect(end(value)).toBe(`error: "${value}" is not a calendar date`);
  });

  it.each(['12026-01-01', '2026-01-011', 'x2026-01-01', '2026-01-01x', '226-01-01', '2026-1-01', '2026-01-1', '2026/01/01', '2026-01-01T', 'abcd-ef-gh'])(
    '%j is neither a date nor a date-time',
    (value) => {
      expect(end(value)).toBe(`error: "${value}" is not an ISO 8601 date (YYYY-MM-DD) or date-time with offset (YYYY-MM-DDThh:mm:ssZ or ±hh:mm)`);
    },
  );
});

describe('resolveEndAt: date-times', () => {
  it.each([
    ['2026-06-30T23:59:59Z', '2026-06-30T23:59:59.000Z'],
    ['2026-06-30t00:00:00z', '2026-06-30T00:00:00.000Z'],
    ['2026-06-30 12:34Z', '2026-06-30T12:34:00.000Z'],
    ['2026-06-30T12:34:56.5Z', '2026-06-30T12:34:56.500Z'],
    ['2026-06-30T12:34:56.123456789Z', '2026-06-30T12:34:56.123Z'],
    ['2026-06-30T12:34:56.9999Z', '2026-06-30T12:34:56.999Z'],
    ['2026-06-30T12:00:00+0530', '2026-06-30T06:30:00.000Z'],
    ['2026-06-30T12:00:00-0930', '2026-06-30T21:30:00.000Z'],
    ['2026-06-30T12:00+23:59', '2026-06-29T12:01:00.000Z'],
    ['2026-06-30T12:00-00:01', '2026-06-30T12:01:00.000Z'],
    ['2026-02-28T12:00Z', '2026-02-28T12:00:00.000Z'],
    ['2026-12-31T23:00:00-02:00', '2027-01-01T01:00:00.000Z'],
  ])('%j is the instant %s, whatever the configured zone', (value, expected) => {
    expect(end(value, 'Asia/Kolkata')).toBe(expected);
  });

  it.each(['2026-06-30T24:00:00Z', '2026-06-30T12:60:00Z', '2026-06-30T12:00:60Z', '2026-02-29T12:00Z', '2026-13-01T12:00Z', '2026-00-01T12:00Z', '2026-01-00T12:00Z'])(
    '%j is not a valid date-time',
    (value) => {
      expect(end(value)).toBe(`error: "${value}" is not a valid date-time`);
    },
  );

  it.each(['2026-06-30T12:00+24:00', '2026-06-30T12:00-05:60'])('%j has an invalid offset', (value) => {
    expect(end(value)).toBe(`error: "${value}" has an invalid offset`);
  });

  it.each(['2026-06-30T12:00', '2026-06-30 12:00:00', '2026-06-30T12:00:00.5'])('%j has no offset', (value) => {
    expect(end(value)).toBe(`error: "${value}" has a time but no offset, which is ambiguous: add Z or ±hh:mm, or give just the date`);
  });

  it.each(['2026-06-30X12:00Z', '2026-06-30T1200Z', '2026-06-30T12:00:00.Z', '2026-06-30T12:00:00.1234567890Z', '2026-06-30T12:00+5:30', '2026-06-30T12:00+05:3', '2026-06-30T12:00 Z', '2026-06-30T12:00:0Z'])(
    '%j is refused as malformed',
    (value) => {
      expect(end(value)).toMatch(/^error: .* is not an ISO 8601 date/);
    },
  );

  it('names an unknown zone and how to write one', () => {
    expect(end('2026-06-30', 'Mars/Base')).toBe('error: unknown time zone "Mars/Base" (use an IANA name such as UTC or Europe/Berlin)');
    expect(end('2026-06-30T12:00Z', '')).toBe('error: unknown time zone "" (use an IANA name such as UTC or Europe/Berlin)');
  });
});

describe('startOfDay', () => {
  it('is the first of two midnights when clocks fall back from 01:00 to 00:00 (America/Havana, 2026-11-01)', () => {
    // Cuba leaves summer time at 01:00 CDT: 00:00 happens at 04:00Z (-04:00) and again at 05:00Z (-05:00).
    expect(startOfDay(2026, 11, 1, 'America/Havana').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(startOfDay(2026, 11, 2, 'America/Havana').toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(startOfDay(2026, 10, 31, 'America/Havana').toISOString()).toBe('2026-10-31T04:00:00.000Z');
  });

  it('is the transition instant when a gap swallows midnight, and plain midnight either side of it', () => {
    expect(startOfDay(2026, 9, 6, 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(startOfDay(2026, 9, 5, 'America/Santiago').toISOString()).toBe('2026-09-05T04:00:00.000Z');
    expect(startOfDay(2026, 9, 7, 'America/Santiago').toISOString()).toBe('2026-09-07T03:00:00.000Z');
  });

  it('finds a midnight that only the offset in force the day before gives (Asia/Beirut springs forward at 00:00)', () => {
    // 2026-03-29 00:00 +02:00 is 22:00Z the day before; at 00:00Z the zone is already at +03:00.
    expect(startOfDay(2026, 3, 29, 'Asia/Beirut').toISOString()).toBe('2026-03-28T22:00:00.000Z');
    expect(formatInZone(new Date('2026-03-28T22:00:00Z'), 'Asia/Beirut')).toBe('2026-03-29 01:00 Asia/Beirut');
    expect(formatInZone(new Date('2026-03-28T21:59:00Z'), 'Asia/Beirut')).toBe('2026-03-28 23:59 Asia/Beirut');
  });

  it.each([
    ['Africa/Cairo', 2014, 8, 1, '2014-07-31T22:00:00.000Z', '2014-08-01'],
    ['Africa/Cairo', 2010, 10, 1, '2010-09-30T22:00:00.000Z', '2010-10-01'],
    ['Asia/Dhaka', 2010, 1, 1, '2009-12-31T18:00:00.000Z', '2010-01-01'],
  ])('on the first of a month next to a clock change (%s %d-%d-%d) the day still starts at %s', (zone, year, month, day, expected, date) => {
    const start = startOfDay(year, month, day, zone);
    expect(start.toISOString()).toBe(expected);
    // Independently: the instant is on that date there, and a minute earlier was the day before.
    expect(formatInZone(start, zone).slice(0, 10)).toBe(date);
    expect(formatInZone(new Date(start.getTime() - 60_000), zone).slice(0, 10)).not.toBe(date);
  });

  it('crosses month and year ends, east and west of Greenwich', () => {
    expect(startOfDay(2027, 1, 1, 'Pacific/Auckland').toISOString()).toBe('2026-12-31T11:00:00.000Z');
    expect(startOfDay(2026, 3, 1, 'Pacific/Honolulu').toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(startOfDay(2026, 12, 31, 'Pacific/Kiritimati').toISOString()).toBe('2026-12-30T10:00:00.000Z');
    expect(startOfDay(2026, 1, 1, 'UTC').toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('zonedInstant', () => {
  it('settles across a DST change, in both directions', () => {
    expect(iso(zonedInstant('2026-03-08', '01:59', 'America/New_York'))).toBe('2026-03-08T06:59:00.000Z');
    expect(iso(zonedInstant('2026-03-08', '03:00', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedInstant('2026-11-01', '03:00', 'America/New_York'))).toBe('2026-11-01T08:00:00.000Z');
    expect(iso(zonedInstant('2026-10-25', '00:30', 'Europe/Berlin'))).toBe('2026-10-24T22:30:00.000Z');
    expect(iso(zonedInstant('2026-07-01', '09:00', 'Asia/Kolkata'))).toBe('2026-07-01T03:30:00.000Z');
    expect(iso(zonedInstant('2026-07-01', '09:00', 'America/St_Johns'))).toBe('2026-07-01T11:30:00.000Z');
  });

  it('says exactly what is wrong with the date or the time', () => {
    expect(iso(zonedInstant('2026-7-01', '09:00', 'UTC'))).toBe('error: "2026-7-01" is not a date (YYYY-MM-DD)');
    expect(iso(zonedInstant('x2026-07-01', '09:00', 'UTC'))).toBe('error: "x2026-07-01" is not a date (YYYY-MM-DD)');
    expect(iso(zonedInstant('2026-07-01x', '09:00', 'UTC'))).toBe('error: "2026-07-01x" is not a date (YYYY-MM-DD)');
    expect(iso(zonedInstant('2026-07-01', '9:00', 'UTC'))).toBe('error: "9:00" is not a time (HH:mm)');
    expect(iso(zonedInstant('2026-07-01', 'x09:00', 'UTC'))).toBe('error: "x09:00" is not a time (HH:mm)');
    expect(iso(zonedInstant('2026-07-01', '09:00x', 'UTC'))).toBe('error: "09:00x" is not a time (HH:mm)');
    expect(iso(zonedInstant('2026-13-01', '09:00', 'UTC'))).toBe('error: "2026-13-01 09:00" is not a valid date and time');
    expect(iso(zonedInstant('2026-02-30', '09:00', 'UTC'))).toBe('error: "2026-02-30T09:00:00+00:00" is not a valid date-time');
  });
});

describe('formatInZone', () => {
  it('pads every field and names the zone, falling back to UTC for a zone it does not know', () => {
    expect(formatInZone(new Date('2026-01-02T03:04:05Z'), 'UTC')).toBe('2026-01-02 03:04 UTC');
    expect(formatInZone(new Date('2026-01-02T03:04:05Z'), 'Mars/Base')).toBe('2026-01-02 03:04 UTC');
    expect(formatInZone(new Date('2026-01-02T03:04:05Z'), '')).toBe('2026-01-02 03:04 UTC');
    expect(formatInZone(new Date('2026-12-31T23:30:00Z'), 'Asia/Kolkata')).toBe('2027-01-01 05:00 Asia/Kolkata');
  });
});

describe('wallClockAt in UTC (read from the Date itself, no formatter)', () => {
  it('shows what a formatter for Etc/UTC shows, at every field boundary', () => {
    const instants = [
      '1970-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2000-02-29T12:00:00Z', '2024-02-29T23:59:59Z',
      '2026-03-29T01:00:00Z', '2026-10-25T00:59:59Z', '2026-12-31T23:59:59Z', '2027-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
    ].map((t) => Date.parse(t));
    for (let hour = 0; hour < 24; hour += 1) instants.push(Date.UTC(2026, 5, 30, hour, 59, 59));
    for (const instant of instants) expect([new Date(instant).toISOString(), wallClockAt(instant, 'UTC')]).toEqual([new Date(instant).toISOString(), wallClockAt(instant, 'Etc/UTC')]);
    expect(wallClockAt(Date.parse('2026-07-04T05:06:07Z'), 'UTC')).toEqual({ year: 2026, month: 7, day: 4, hour: 5, minute: 6, second: 7 });
  });
});

describe('isValidTimeZone', () => {
  it('refuses blank names', () => {
    for (const zone of [' ', '\t', '  \n']) expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [499, '0s'],
    [500, '1s'],
    [59_000, '59s'],
    [59_499, '59s'],
    [59_500, '1m 00s'],
    [60_000, '1m 00s'],
    [61_000, '1m 01s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [3_661_000, '1h 01m'],
    [86_399_000, '23h 59m'],
    [86_400_000, '1d 00h'],
    [90_061_000, '1d 01h'],
    [11 * 86_400_000 + 23 * 3_600_000, '11d 23h'],
    [-61_000, '-1m 01s'],
    [-3_600_000, '-1h 00m'],
    [-1_000, '-1s'],
  ])('%d ms reads %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
