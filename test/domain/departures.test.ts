import { applyDepartures } from '../../src/domain/departures';
import { createDummyPerson, createDummyRoster, daysAfter, daysBefore, NOW } from '../fixtures/builders';

const alice = createDummyPerson({ employeeId: 'E1', email: 'alice@example.com' });
const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com' });

describe('applyDepartures', () => {
  it('marks the person departed at the effective time, recording who said so', () => {
    const roster = applyDepartures(createDummyRoster([alice, bob]), [{ email: 'Bob@Example.com', effectiveAt: NOW, markedBy: 'slack:U1' }]);
    expect(roster.people[1]).toEqual({ ...bob, status: 'departed', endAt: NOW, departureMarkedBy: 'slack:U1' });
    expect(roster.people[0]).toBe(alice);
    expect(roster.errors).toEqual([]);
  });

  it('keeps the earliest end: two departures, or a roster end_date that comes first', () => {
    const twice = applyDepartures(createDummyRoster([bob]), [
      { email: 'bob@example.com', effectiveAt: daysAfter(5), markedBy: 'slack:U1' },
      { email: 'bob@example.com', effectiveAt: daysAfter(2), markedBy: 'slack:U2' },
      { email: 'bob@example.com', effectiveAt: daysAfter(9), markedBy: 'slack:U3' },
    ]);
    expect(twice.people[0]).toMatchObject({ endAt: daysAfter(2), departureMarkedBy: 'slack:U2' });

    const rosterFirst = applyDepartures(createDummyRoster([{ ...bob, status: 'departed', endAt: daysBefore(1) }]), [
      { email: 'bob@example.com', effectiveAt: daysAfter(3), markedBy: 'slack:U1' },
    ]);
    expect(rosterFirst.people[0]).toMatchObject({ status: 'departed', endAt: daysBefore(1) });
    expect(rosterFirst.people[0]?.departureMarkedBy).toBeUndefined();
  });

  it('a departed row without end_date stays "gone now"', () => {
    const gone = { ...bob, status: 'departed' as const };
    const roster = applyDepartures(createDummyRoster([gone]), [{ email: 'bob@example.com', effectiveAt: daysAfter(3), markedBy: 'slack:U1' }]);
    expect(roster.people[0]).toEqual(gone);
  });

  it('an earlier Slack departure overrides a later roster end_date', () => {
    const roster = applyDepartures(createDummyRoster([{ ...bob, status: 'departed', endAt: daysAfter(30) }]), [
      { email: 'bob@example.com', effectiveAt: daysAfter(1), markedBy: 'slack:U1' },
    ]);
    expect(roster.people[0]).toMatchObject({ endAt: daysAfter(1), departureMarkedBy: 'slack:U1' });
  });

  it('finds the person by employee id when given, and refuses a mismatched email', () => {
    const ok = applyDepartures(createDummyRoster([alice, bob]), [{ employeeId: 'E2', email: 'bob@example.com', effectiveAt: NOW, markedBy: 'slack:U1' }]);
    expect(ok.people[1]?.status).toBe('departed');
    const mismatch = applyDepartures(createDummyRoster([alice, bob]), [
      { employeeId: 'E2', email: 'alice@example.com', effectiveAt: NOW, markedBy: 'slack:U1' },
    ]);
    expect(mismatch.people.map((p) => p.status)).toEqual(['active', 'active']);
    expect(mismatch.errors[0]?.message).toMatch(/employee_id E2 belongs to bob@example.com/);
  });

  it('reports a departure for someone not on the roster, or on an invalid row, as an input error', () => {
    const roster = applyDepartures(
      createDummyRoster([alice], {
        errors: [{ source: 'roster.csv', line: 3, message: 'bad' }],
        invalidRowIdentities: [{ email: 'carol@example.com', awsUsernames: [] }],
      }),
      [
        { email: 'zed@example.com', effectiveAt: NOW, markedBy: 'slack:U1' },
        { email: 'carol@example.com', effectiveAt: NOW, markedBy: 'slack:U2' },
      ],
    );
    expect(roster.people).toEqual([alice]);
    expect(roster.errors).toEqual([
      { source: 'roster.csv', line: 3, message: 'bad' },
      { source: 'departures', message: 'departure of zed@example.com marked by slack:U1: zed@example.com is not on the roster' },
      {
        source: 'departures',
        message: 'departure of carol@example.com marked by slack:U2: carol@example.com is on an invalid roster row; fix the row first',
      },
    ]);
  });
});
