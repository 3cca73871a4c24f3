import { parseRoster } from '../../src/adapters/roster/parse-roster';

const csv = (text: string, timezone = 'UTC') => parseRoster(text, { source: 'roster.csv', format: 'csv', timezone });

describe('roster columns policy_accepted_at and nda_signed_at', () => {
  it('reads a plain date as the start of that day in the time zone, and a date-time with its offset', () => {
    const roster = csv('employee_id,email,status,policy_accepted_at,nda_signed_at\nE1,a@example.com,active,2026-11-20,2026-11-21T09:30:00+01:00\n', 'Europe/Berlin');
    expect(roster.errors).toEqual([]);
    expect(roster.people[0]?.policyAcceptedAt).toEqual(new Date('2026-11-19T23:00:00Z'));
    expect(roster.people[0]?.ndaSignedAt).toEqual(new Date('2026-11-21T08:30:00Z'));
  });

  it('treats an empty or unreadable value as not signed, without invalidating the row (a leaver on it is still revoked)', () => {
    const roster = csv('employee_id,email,status,end_date,policy_accepted_at,nda_signed_at\nE1,a@example.com,departed,2026-11-01,2026-02-30,yesterday\nE2,b@example.com,active,,,\n');
    expect(roster.errors).toEqual([]);
    expect(roster.people.map((p) => [p.employeeId, p.policyAcceptedAt, p.ndaSignedAt])).toEqual([
      ['E1', undefined, undefined],
      ['E2', undefined, undefined],
    ]);
  });

  it('is optional: a roster without the columns parses as before', () => {
    const roster = csv('employee_id,email,status\nE1,a@example.com,active\n');
    expect(roster.people[0]).not.toHaveProperty('policyAcceptedAt');
  });
});
