import { parseRoster } from '../../src/adapters/roster/file-roster';
import type { Roster } from '../../src/domain/roster';

const csv = (text: string, timezone = 'UTC'): Roster => parseRoster(text, { source: 'roster.csv', format: 'csv', timezone });
const json = (text: string, timezone = 'UTC'): Roster => parseRoster(text, { source: 'roster.json', format: 'json', timezone });

const HEADER = 'employee_id,email,status,full_name,role,end_date,aws_usernames';

describe('parseRoster (CSV)', () => {
  it('reads every column into a normalised person', () => {
    const roster = csv(
      'employee_id,email,status,full_name,role,department,manager_email,end_date,slack_id,aws_usernames,ssh_keys\n' +
        'E1,Alice@Example.com,Active,Alice A,engineer,R&D,Boss@Example.com,2027-01-31,U111,alice; alice-admin ,' +
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@laptop;ssh-rsa AAAAB3NzaC1yc2E= work\n',
    );
    expect(roster.errors).toEqual([]);
    expect(roster.people).toEqual([
      {
        employeeId: 'E1',
        email: 'alice@example.com',
        status: 'active',
        fullName: 'Alice A',
        role: 'engineer',
        department: 'R&D',
        managerEmail: 'boss@example.com',
        endAt: new Date('2027-02-01T00:00:00Z'),
        slackId: 'U111',
        awsUsernames: ['alice', 'alice-admin'],
        sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@laptop', 'ssh-rsa AAAAB3NzaC1yc2E= work'],
        source: { file: 'roster.csv', line: 2 },
      },
    ]);
  });

  it('matches header names trimmed and case-insensitively, in any order', () => {
    const roster = csv(' Status , EMAIL,Employee ID\nactive,a@example.com,E1\n');
    expect(roster.errors).toEqual([]);
    expect(roster.people[0]).toMatchObject({ employeeId: 'E1', email: 'a@example.com', status: 'active' });
  });

  it('accepts the status spellings on_leave, on leave, on-leave and DEPARTED', () => {
    const roster = csv('employee_id,email,status\nE1,a@x.io,on_leave\nE2,b@x.io,On Leave\nE3,c@x.io,on-leave\nE4,d@x.io,DEPARTED\n');
    expect(roster.people.map((p) => p.status)).toEqual(['on_leave', 'on_leave', 'on_leave', 'departed']);
  });

  it('handles a BOM, CRLF line ends, quoted commas and newlines inside fields', () => {
    const text =
      '\ufeffemployee_id,email,status,full_name\r\n' +
      'E1,a@example.com,active,"Doe, Jane"\r\n' +
      'E2,b@example.com,active,"Multi\r\nLine"\r\n' +
      'E3,c@example.com,active,"He said ""hi"""\r\n';
    const roster = csv(text);
    expect(roster.errors).toEqual([]);
    expect(roster.people.map((p) => [p.fullName, p.source.line])).toEqual([
      ['Doe, Jane', 2],
      ['Multi\r\nLine', 3],
      ['He said "hi"', 5],
    ]);
  });

  it('reports the physical line of each bad row, counting blank lines and multi-line fields', () => {
    const text = `${HEADER}\nE1,a@example.com,active,"two\nlines",,,\n\nE2,not-an-email,active,,,,\nE3,c@example.com,gone,,,,\n`;
    const roster = csv(text);
    expect(roster.errors).toEqual([
      { source: 'roster.csv', line: 5, column: 'email', message: '"not-an-email" is not an email address' },
      { source: 'roster.csv', line: 6, column: 'status', message: 'unknown status "gone" (expected active, departed or on_leave)' },
    ]);
    expect(roster.people.map((p) => p.employeeId)).toEqual(['E1']);
  });

  it('reports blank required values with their column', () => {
    const roster = csv('employee_id,email,status\n ,a@example.com,active\nE2,,active\nE3,c@example.com,\n');
    expect(roster.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [2, 'employee_id', 'employee_id is required but blank'],
      [3, 'email', 'email is required but blank'],
      [4, 'status', 'status is required but blank'],
    ]);
    expect(roster.people).toEqual([]);
  });

  it('rejects bad end dates, including date-times without an offset', () => {
    const roster = csv(`${HEADER}\nE1,a@example.com,departed,,,2026-02-30,\nE2,b@example.com,departed,,,2026-02-01T10:00,\n`);
    expect(roster.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'end_date'],
      [3, 'end_date'],
    ]);
    expect(roster.errors[1]?.message).toMatch(/ambiguous/);
  });

  it('resolves a date-only end_date in the configured time zone', () => {
    const roster = csv(`${HEADER}\nE1,a@example.com,departed,,,2026-03-08,\n`, 'America/New_York');
    expect(roster.people[0]?.endAt).toEqual(new Date('2026-03-09T04:00:00Z'));
  });

  it('keeps a departed person without end_date as departed with no end (the planner treats them as gone now)', () => {
    const roster = csv('employee_id,email,status\nE1,a@example.com,departed\n');
    expect(roster.people[0]).toMatchObject({ status: 'departed' });
    expect(roster.people[0]?.endAt).toBeUndefined();
  });

  it('invalidates every row sharing an employee_id, and records their identities', () => {
    const roster = csv(`${HEADER}\nE1,a@example.com,active,,,,a1\nE2,b@example.com,active,,,,\nE1,c@example.com,departed,,,,\n`);
    expect(roster.people.map((p) => p.employeeId)).toEqual(['E2']);
    expect(roster.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [2, 'employee_id', 'duplicate employee_id "E1" (also on line 4); none of these rows is used'],
      [4, 'employee_id', 'duplicate employee_id "E1" (also on line 2); none of these rows is used'],
    ]);
    expect(roster.invalidRowIdentities).toEqual([
      { employeeId: 'E1', email: 'a@example.com', awsUsernames: ['a1'] },
      { employeeId: 'E1', email: 'c@example.com', awsUsernames: [] },
    ]);
  });

  it('invalidates rows sharing an email, whatever its case', () => {
    const roster = csv('employee_id,email,status\nE1,a@example.com,active\nE2,A@EXAMPLE.COM,active\n');
    expect(roster.people).toEqual([]);
    expect(roster.errors.map((e) => e.column)).toEqual(['email', 'email']);
  });

  it('records the identity of an invalid row even when some values are bad', () => {
    const roster = csv(`${HEADER}\nE1,bob@example.com,fired,,,,bob-admin\n`);
    expect(roster.invalidRowIdentities).toEqual([{ employeeId: 'E1', email: 'bob@example.com', awsUsernames: ['bob-admin'] }]);
  });

  it('rejects invalid aws_usernames and ssh_keys', () => {
    const roster = csv('employee_id,email,status,aws_usernames,ssh_keys\nE1,a@example.com,active,bad name,\nE2,b@example.com,active,,not a key\n');
    expect(roster.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'aws_usernames'],
      [3, 'ssh_keys'],
    ]);
  });

  it('flags a row whose field count differs from the header', () => {
    const roster = csv('employee_id,email,status\nE1,a@example.com,active,extra\n');
    expect(roster.errors).toEqual([
      { source: 'roster.csv', line: 2, message: 'row has 4 fields but the header has 3 (an unquoted comma or a missing field?)' },
    ]);
    expect(roster.invalidRowIdentities).toEqual([{ employeeId: 'E1', email: 'a@example.com', awsUsernames: [] }]);
  });

  it('makes the whole roster unusable when a required column is missing', () => {
    const roster = csv('employee_id,email,full_name\nE1,a@example.com,A\n');
    expect(roster).toEqual({
      people: [],
      errors: [
        {
          source: 'roster.csv',
          line: 1,
          message: 'missing required column "status" (found: employee_id, email, full_name); the roster cannot be used',
        },
      ],
      invalidRowIdentities: [],
    });
  });

  it('makes the whole roster unusable on a CSV syntax error or an empty file', () => {
    expect(csv('employee_id,email,status\nE1,"a@example.com,active\n').errors[0]?.message).toMatch(/^not valid CSV: Quote Not Closed/);
    expect(csv('').errors).toEqual([{ source: 'roster.csv', message: 'the roster is empty (no header row); the roster cannot be used' }]);
    expect(csv('employee_id,email,email,status\n').errors[0]?.message).toMatch(/column "email" appears twice/);
  });

  it('skips whitespace-only rows', () => {
    const roster = csv('employee_id,email,status\n  \nE1,a@example.com,active\n');
    expect(roster.errors).toEqual([]);
    expect(roster.people[0]?.source.line).toBe(3);
  });

  it('accepts a header with no data rows as an empty, error-free roster', () => {
    expect(csv('employee_id,email,status\n')).toEqual({ people: [], errors: [], invalidRowIdentities: [] });
  });
});

describe('parseRoster (JSON)', () => {
  it('reads an array of objects with the same keys, lists as arrays or ;-strings', () => {
    const roster = json(
      `\ufeff[
  { "employee_id": "E1", "email": "a@example.com", "status": "active", "aws_usernames": ["a1", "a2"] },
  {
    "Employee_ID": 42,
    "email": "b@example.com",
    "status": "departed",
    "end_date": "2026-01-31",
    "aws_usernames": "b1;b2",
    "role": null
  }
]`,
    );
    expect(roster.errors).toEqual([]);
    expect(roster.people.map((p) => [p.employeeId, p.awsUsernames, p.source.line])).toEqual([
      ['E1', ['a1', 'a2'], 2],
      ['42', ['b1', 'b2'], 3],
    ]);
    expect(roster.people[1]?.role).toBeUndefined();
  });

  it('reports the line where a bad element starts, even with braces inside strings', () => {
    const roster = json(`[
  {"employee_id": "E1", "email": "a@example.com", "status": "active", "full_name": "x}{],["},

  {"employee_id": "E2", "email": "b@example.com", "status": "retired"},
  {"employee_id": "E3", "email": "c@example.com", "status": true},
  "not an object"
]`);
    expect(roster.errors.map((e) => [e.line, e.column])).toEqual([
      [4, 'status'],
      [5, 'status'],
      [6, undefined],
    ]);
    expect(roster.people.map((p) => p.employeeId)).toEqual(['E1']);
  });

  it('makes the roster unusable when it is not an array, not JSON, or a required key is absent from every object', () => {
    expect(json('{"employee_id": "E1"}').errors[0]?.message).toMatch(/must be an array/);
    expect(json('[{"employee_id": "E1",]').errors[0]?.message).toMatch(/^not valid JSON/);
    expect(json('[{"employee_id": "E1", "email": "a@example.com"}]').errors[0]?.message).toMatch(/missing required column "status"/);
  });

  it('reports a key missing from some objects as a row error', () => {
    const roster = json('[{"employee_id":"E1","email":"a@example.com","status":"active"},\n{"employee_id":"E2","email":"b@example.com"}]');
    expect(roster.errors).toEqual([{ source: 'roster.json', line: 2, column: 'status', message: 'status is required but blank' }]);
  });
});
