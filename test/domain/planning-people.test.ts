/**
 * The people-level findings (src/domain/planning/people.ts) word for word and at their boundaries (issue 10): an auditor
 * reads these lines as evidence, so a dropped "marked by", a wrong count or an off-by-one end instant is a real defect.
 */
import type { Finding, FindingKind, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import type { Person } from '../../src/domain/roster';
import type { IamUser, Inventory } from '../../src/domain/inventory';
import { ACCOUNT, createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser, daysBefore, NOW, OTHER_ACCOUNT } from '../fixtures/builders';

function planOf(people: readonly Person[], users: readonly IamUser[] = [], inventory: Partial<Inventory> = {}, now = NOW): Plan {
  return plan({ roster: createDummyRoster(people), inventory: createDummyInventory(users, inventory), policy: createDummyPolicy(), now });
}
const only = (p: Plan, kind: FindingKind): Finding[] => p.findings.filter((f) => f.kind === kind);
const PEOPLE_KINDS: readonly FindingKind[] = ['scheduled-departure', 'active-past-end-date', 'departed-without-iam-user'];
const peopleFindings = (p: Plan): Finding[] => p.findings.filter((f) => PEOPLE_KINDS.includes(f.kind));

const bobUser = (account = ACCOUNT): IamUser => createDummyUser({ userName: 'bob', account, tags: { employee_id: 'E2' } });

describe('an active person whose end date has come', () => {
  it('at the end instant exactly is reported, with the end, the advice and their users', () => {
    const p = planOf([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', endAt: NOW })], [bobUser(), bobUser(OTHER_ACCOUNT)]);
    expect(only(p, 'active-past-end-date')).toEqual([
      {
        kind: 'active-past-end-date',
        severity: 'medium',
        control: 'offboarding-24h',
        person: expect.objectContaining({ email: 'bob@example.com' }) as unknown,
        detail: expect.stringMatching(
          new RegExp(
            '^active on the roster, but access should have ended at 2026-11-26 12:00 UTC; nothing was revoked — set status to departed if they left \\(.+\\); ' +
              `IAM users: ${ACCOUNT}/bob, ${OTHER_ACCOUNT}/bob$`,
          ),
        ) as unknown,
      },
    ]);
  });

  it('a millisecond before the end is not yet reported; no end date never is', () => {
    expect(peopleFindings(planOf([createDummyPerson({ endAt: new Date(NOW.getTime() + 1) })]))).toEqual([]);
    expect(peopleFindings(planOf([createDummyPerson()]))).toEqual([]);
  });

  it('without IAM users says so', () => {
    expect(only(planOf([createDummyPerson({ endAt: daysBefore(3) })]), 'active-past-end-date')[0]?.detail).toMatch(/; no IAM users$/);
  });
});

describe('a departure in the future', () => {
  it('is an info finding with the end in the policy zone and as an instant, who marked it, and the users', () => {
    const leaving = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: new Date('2026-12-01T00:00:00Z'), departureMarkedBy: 'slack:U1' });
    expect(only(planOf([leaving], [bobUser()]), 'scheduled-departure')).toEqual([
      expect.objectContaining({
        severity: 'info',
        control: 'offboarding-24h',
        person: expect.objectContaining({ email: 'bob@example.com' }) as unknown,
        detail: `access ends at 2026-12-01 00:00 UTC (2026-12-01T00:00:00.000Z, marked by slack:U1); access is revoked on the first run after that; IAM users: ${ACCOUNT}/bob`,
      }),
    ]);
  });

  it('unmarked and without users says only what is true', () => {
    const leaving = createDummyPerson({ status: 'departed', endAt: new Date('2026-12-01T00:00:00Z') });
    expect(only(planOf([leaving]), 'scheduled-departure').map((f) => f.detail)).toEqual([
      'access ends at 2026-12-01 00:00 UTC (2026-12-01T00:00:00.000Z); access is revoked on the first run after that; no IAM users',
    ]);
  });
});

describe('a leaver with no IAM user anywhere', () => {
  it('counts the accounts read (plural) and says when there is no end date, with no gap when every account was read', () => {
    const gone = createDummyPerson({ status: 'departed', departureMarkedBy: 'slack:U9' });
    const p = planOf([gone], [createDummyUser({ userName: 'carol', tags: { employee_id: 'E3' } }), createDummyUser({ userName: 'carol', account: OTHER_ACCOUNT, tags: { employee_id: 'E3' } })]);
    expect(only(p, 'departed-without-iam-user').map((f) => [f.severity, f.control, f.person?.email, f.detail])).toEqual([
      ['info', 'offboarding-24h', 'alice@example.com', 'departed (no end_date), marked by slack:U9; no IAM user in the 2 accounts read'],
    ]);
  });

  it('names when access ended and how many accounts could not be read (plural)', () => {
    const gone = createDummyPerson({ status: 'departed', endAt: new Date('2026-11-20T09:30:00Z') });
    const errors = [
      { account: OTHER_ACCOUNT, message: 'AccessDenied' },
      { account: '333333333333', message: 'AccessDenied' },
    ];
    expect(only(planOf([gone], [], { accountErrors: errors }), 'departed-without-iam-user').map((f) => f.detail)).toEqual([
      'access ended 2026-11-20 09:30 UTC; no IAM user in the 1 account read; 2 accounts could not be read',
    ]);
  });

  it('past the deletion window too, and not when a user of theirs exists', () => {
    const longGone = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(400) });
    expect(only(planOf([longGone]), 'departed-without-iam-user')).toHaveLength(1);
    expect(only(planOf([longGone], [bobUser()]), 'departed-without-iam-user')).toEqual([]);
  });

  it('people on leave get no people-level finding, whatever their end date', () => {
    expect(peopleFindings(planOf([createDummyPerson({ status: 'on_leave', endAt: daysBefore(5) })]))).toEqual([]);
    expect(peopleFindings(planOf([createDummyPerson({ status: 'on_leave' })]))).toEqual([]);
  });
});
