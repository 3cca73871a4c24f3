import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileRosterSource, RosterUnreadableError, rosterFormatOf } from '../../src/adapters/roster/file-roster';
import { ExitCode } from '../../src/errors';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'warden-roster-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileRosterSource', () => {
  it('loads a CSV file, naming errors by the file name', async () => {
    const file = path.join(dir, 'people.csv');
    await writeFile(file, 'employee_id,email,status\r\nE1,a@example.com,active\r\nE2,b@example.com,left\r\n');
    const roster = await new FileRosterSource({ path: file, timezone: 'UTC' }).load();
    expect(roster.people.map((p) => [p.employeeId, p.source])).toEqual([['E1', { file: 'people.csv', line: 2 }]]);
    expect(roster.errors).toEqual([
      { source: 'people.csv', line: 3, column: 'status', message: 'unknown status "left" (expected active, departed or on_leave)' },
    ]);
  });

  it('loads a .json file as JSON, in the configured time zone', async () => {
    const file = path.join(dir, 'people.JSON');
    await writeFile(file, JSON.stringify([{ employee_id: 'E1', email: 'a@example.com', status: 'departed', end_date: '2026-03-31' }]));
    const roster = await new FileRosterSource({ path: file, timezone: 'Asia/Kolkata' }).load();
    expect(roster.people[0]?.endAt).toEqual(new Date('2026-03-31T18:30:00Z'));
  });

  it('throws RosterUnreadableError naming the path, with the cause, when the file cannot be read', async () => {
    const file = path.join(dir, 'missing.csv');
    const load = new FileRosterSource({ path: file, timezone: 'UTC' }).load();
    await expect(load).rejects.toBeInstanceOf(RosterUnreadableError);
    const error = (await load.catch((e: unknown) => e)) as RosterUnreadableError;
    expect(error.message).toBe(`cannot read roster ${file}: no such file`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it('treats bytes that are not UTF-8 as an unusable roster, not a crash', async () => {
    const file = path.join(dir, 'latin1.csv');
    await writeFile(file, Buffer.from([...Buffer.from('employee_id,email,status\nE1,'), 0xe9, ...Buffer.from('@example.com,active\n')]));
    const roster = await new FileRosterSource({ path: file, timezone: 'UTC' }).load();
    expect(roster.people).toEqual([]);
    expect(roster.errors[0]?.message).toMatch(/not valid UTF-8/);
  });

  it('picks the format from the extension', () => {
    expect(rosterFormatOf('/x/roster.json')).toBe('json');
    expect(rosterFormatOf('/x/roster.csv')).toBe('csv');
    expect(rosterFormatOf('/x/roster')).toBe('csv');
  });
});
