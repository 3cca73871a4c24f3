import { cronMatches, latestSlot, parseCron, reviewCron, type CronSpec } from '../../src/domain/reviews/cron';

/** The parsed fields as sorted arrays, or the refusal. */
function fields(expression: string): Record<keyof CronSpec, number[]> | string {
  const spec = parseCron(expression);
  if ('error' in spec) return spec.error;
  const sorted = (s: ReadonlySet<number>): number[] => [...s].sort((a, b) => a - b);
  return { minute: sorted(spec.minute), hour: sorted(spec.hour), dayOfMonth: sorted(spec.dayOfMonth), month: sorted(spec.month), dayOfWeek: sorted(spec.dayOfWeek) };
}

function spec(expression: string): CronSpec {
  const parsed = parseCron(expression);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const iso = (d: Date | undefined): string | undefined => d?.toISOString();

describe('parseCron: what each field accepts, exactly', () => {
  it('reads `*` as every value of its field, day-of-week 7 folded into Sunday', () => {
    expect(fields('* * * * *')).toStrictEqual({ minute: range(0, 59), hour: range(0, 23), dayOfMonth: range(1, 31), month: range(1, 12), dayOfWeek: range(0, 6) });
  });

  it('accepts each field at its limits and nothing past them', () => {
    expect(fields('0 0 1 1 0')).toStrictEqual({ minute: [0], hour: [0], dayOfMonth: [1], month: [1], dayOfWeek: [0] });
    expect(fields('59 23 31 12 7')).toStrictEqual({ minute: [59], hour: [23], dayOfMonth: [31], month: [12], dayOfWeek: [0] });
    expect(fields('59 23 31 12 6')).toMatchObject({ dayOfWeek: [6] });
    expect(fields('60 9 * * *')).toBe('minute: "60" is not within 0-59');
    expect(fields('0 24 * * *')).toBe('hour: "24" is not within 0-23');
    expect(fields('0 9 0 * *')).toBe('dayOfMonth: "0" is not within 1-31');
    expect(fields('0 9 32 * *')).toBe('dayOfMonth: "32" is not within 1-31');
    expect(fields('0 9 * 0 *')).toBe('month: "0" is not within 1-12');
    expect(fields('0 9 * 13 *')).toBe('month: "13" is not within 1-12');
    expect(fields('0 9 * * 8')).toBe('dayOfWeek: "8" is not within 0-7');
  });

  it('reads ranges, steps and lists, a step over a single start running to the field maximum', () => {
    expect(fields('1-5/2 */6 10-12 1/3 1-5')).toStrictEqual({ minute: [1, 3, 5], hour: [0, 6, 12, 18], dayOfMonth: [10, 11, 12], month: [1, 4, 7, 10], dayOfWeek: [1, 2, 3, 4, 5] });
    expect(fields('3/20 5,7,5 9-9 12 5-7')).toStrictEqual({ minute: [3, 23, 43], hour: [5, 7], dayOfMonth: [9], month: [12], dayOfWeek: [0, 5, 6] });
    expect(fields('0 0 * * 0-7')).toMatchObject({ dayOfWeek: range(0, 6) });
    expect(fields('07 09 * * *')).toMatchObject({ minute: [7], hour: [9] });
  });

  it('reads month and day names in any case, only in their own field, in ranges and with steps', () => {
    expect(fields('0 9 * JAN,feb,Dec MON-fri')).toMatchObject({ month: [1, 2, 12], dayOfWeek: [1, 2, 3, 4, 5] });
    expect(fields('0 9 * jan/3 sun,sat')).toMatchObject({ month: [1, 4, 7, 10], dayOfWeek: [0, 6] });
    expect(fields('0 9 * * sat-sun')).toBe('dayOfWeek: "sat-sun" is not within 0-7');
    expect(fields('0 9 * mon *')).toBe('month: "mon" is not within 1-12');
    expect(fields('0 9 jan * *')).toBe('dayOfMonth: "jan" is not within 1-31');
    expect(fields('0 9 * * january')).toBe('dayOfWeek: "january" is not within 0-7');
  });

  it('refuses bad steps, ranges and numbers, naming the field and the part', () => {
    const refusals: readonly [string, string][] = [
      ['*/0 * * * *', 'minute: "*/0" has a bad step'],
      ['*/00 * * * *', 'minute: "*/00" has a bad step'],
      ['1/ * * * *', 'minute: "1/" has a bad step'],
      ['*/100 * * * *', 'minute: "*/100" has a bad step'],
      ['*/x * * * *', 'minute: "*/x" has a bad step'],
      ['*/x5 * * * *', 'minute: "*/x5" has a bad step'],
      ['1/2/3 * * * *', 'minute: "1/2/3" has a bad step'],
      ['0 1-2-3 * * *', 'hour: "1-2-3" is not a range'],
      ['5-1 * * * *', 'minute: "5-1" is not within 0-59'],
      ['/5 * * * *', 'minute: "/5" is not within 0-59'],
      ['0 9 1, * *', 'dayOfMonth: "" is not within 1-31'],
      ['0 9 -1 * *', 'dayOfMonth: "-1" is not within 1-31'],
      ['0 9 1- * *', 'dayOfMonth: "1-" is not within 1-31'],
      ['007 9 * * *', 'minute: "007" is not within 0-59'],
      ['+5 9 * * *', 'minute: "+5" is not within 0-59'],
      ['1.5 9 * * *', 'minute: "1.5" is not within 0-59'],
      ['0 9 L * *', 'dayOfMonth: "L" is not within 1-31'],
      ['0 9 * * 1#2', 'dayOfWeek: "1#2" is not within 0-7'],
      ['0 9 ? * *', 'dayOfMonth: "?" is not within 1-31'],
    ];
    for (const [expression, error] of refusals) expect([expression, fields(expression)]).toStrictEqual([expression, error]);
  });

  it('needs exactly five fields, whatever the blanks between them', () => {
    expect(fields(' 0\t9  1 *\n* ')).toMatchObject({ minute: [0], hour: [9], dayOfMonth: [1] });
    expect(fields('0 9 * *')).toBe('"0 9 * *" is not five cron fields (minute hour day-of-month month day-of-week)');
    expect(fields('0 0 9 * * *')).toBe('"0 0 9 * * *" is not five cron fields (minute hour day-of-month month day-of-week)');
    expect(fields('')).toBe('"" is not five cron fields (minute hour day-of-month month day-of-week)');
  });
});

describe('reviewCron', () => {
  it('maps the presets whatever their case and blanks, and passes anything else through trimmed', () => {
    const read = [' Quarterly ', 'MONTHLY', 'yearly', '  5 4 * * 1 ', 'weekly'].map(reviewCron);
    expect(read).toStrictEqual(['0 9 1 1,4,7,10 *', '0 9 1 * *', '0 9 2 1 *', '5 4 * * 1', 'weekly']);
  });
});

describe('cronMatches on the zone clock', () => {
  it('reads the weekday and day of the zone, not of UTC', () => {
    // Saturday 2027-01-02 23:30 UTC is Sunday 12:30 in Auckland (+13:00).
    const sundayNoon = spec('30 12 3 1 sun');
    expect(cronMatches(sundayNoon, new Date('2027-01-02T23:30:00Z'), 'Pacific/Auckland')).toBe(true);
    expect(cronMatches(sundayNoon, new Date('2027-01-02T23:30:00Z'), 'UTC')).toBe(false);
    expect(cronMatches(spec('30 23 2 1 sat'), new Date('2027-01-02T23:30:59Z'), 'UTC')).toBe(true);
  });

  it('needs every field to match', () => {
    const at = new Date('2027-01-04T09:15:00Z'); // a Monday
    expect(cronMatches(spec('15 9 4 1 1'), at, 'UTC')).toBe(true);
    for (const miss of ['16 9 4 1 1', '15 8 4 1 1', '15 9 5 1 1', '15 9 4 2 1', '15 9 4 1 2']) expect([miss, cronMatches(spec(miss), at, 'UTC')]).toStrictEqual([miss, false]);
  });
});

describe('latestSlot: the window and the clock changes, exactly', () => {
  const hourMs = 3_600_000;

  it('includes now and excludes the start of the window', () => {
    const s = spec('0 9 * * *');
    const nine = new Date('2027-01-04T09:00:00Z');
    expect(iso(latestSlot(s, 'UTC', nine, hourMs))).toBe('2027-01-04T09:00:00.000Z');
    expect(latestSlot(s, 'UTC', new Date(nine.getTime() - 1), hourMs)).toBeUndefined();
    expect(latestSlot(s, 'UTC', new Date(nine.getTime() + hourMs), hourMs)).toBeUndefined();
    expect(iso(latestSlot(s, 'UTC', new Date(nine.getTime() + hourMs - 1), hourMs))).toBe('2027-01-04T09:00:00.000Z');
    // The window reaches back more than an hour: a slot two hours and a half ago is found.
    expect(iso(latestSlot(s, 'UTC', new Date('2027-01-04T11:30:00Z'), 3 * hourMs))).toBe('2027-01-04T09:00:00.000Z');
    expect(latestSlot(s, 'UTC', new Date('2027-01-04T11:30:00Z'), 2.5 * hourMs)).toBeUndefined();
  });

  it('takes the latest of several slots in the same hour and in earlier hours', () => {
    expect(iso(latestSlot(spec('0,30,59 * * * *'), 'UTC', new Date('2027-01-04T10:45:00Z'), 24 * hourMs))).toBe('2027-01-04T10:30:00.000Z');
    expect(iso(latestSlot(spec('50 8,9 * * *'), 'UTC', new Date('2027-01-04T10:45:00Z'), 24 * hourMs))).toBe('2027-01-04T09:50:00.000Z');
  });

  it('finds local slots in zones a quarter or half an hour off UTC', () => {
    // Kathmandu is +05:45: 09:00 there is 03:15 UTC; Chatham is +13:45 in summer: 09:00 there is 19:15 UTC the day before.
    expect(iso(latestSlot(spec('0 9 * * *'), 'Asia/Kathmandu', new Date('2027-01-04T04:00:00Z'), 24 * hourMs))).toBe('2027-01-04T03:15:00.000Z');
    expect(iso(latestSlot(spec('0 9 4 1 *'), 'Pacific/Chatham', new Date('2027-01-04T00:00:00Z'), 24 * hourMs))).toBe('2027-01-03T19:15:00.000Z');
    // St John's is -03:30 in winter: 09:10 there is 12:40 UTC.
    expect(iso(latestSlot(spec('10 9 * * *'), 'America/St_Johns', new Date('2027-01-04T13:00:00Z'), 24 * hourMs))).toBe('2027-01-04T12:40:00.000Z');
  });

  it('has no slot on a day the clock skips the hour, and the later one on a day the hour happens twice', () => {
    // Berlin skips 02:00-03:00 on 2027-03-28 and repeats 02:00-03:00 on 2027-10-31.
    expect(latestSlot(spec('30 2 28 3 *'), 'Europe/Berlin', new Date('2027-03-28T12:00:00Z'), 24 * hourMs)).toBeUndefined();
    expect(iso(latestSlot(spec('30 2 31 10 *'), 'Europe/Berlin', new Date('2027-10-31T12:00:00Z'), 24 * hourMs))).toBe('2027-10-31T01:30:00.000Z');
    expect(iso(latestSlot(spec('30 2 31 10 *'), 'Europe/Berlin', new Date('2027-10-31T01:00:00Z'), 24 * hourMs))).toBe('2027-10-31T00:30:00.000Z');
    // 09:00 on the changeover days is 07:00 UTC in summer time and 08:00 in winter time.
    expect(iso(latestSlot(spec('0 9 * * *'), 'Europe/Berlin', new Date('2027-03-28T12:00:00Z'), 24 * hourMs))).toBe('2027-03-28T07:00:00.000Z');
    expect(iso(latestSlot(spec('0 9 * * *'), 'Europe/Berlin', new Date('2027-10-31T12:00:00Z'), 24 * hourMs))).toBe('2027-10-31T08:00:00.000Z');
  });
});
