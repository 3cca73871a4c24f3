import { activeHeadcount, evaluateGuard, withGuard } from '../../src/domain/guard';
import type { Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import {
  createDummyGuardPolicy,
  createDummyInventory,
  createDummyPerson,
  createDummyPolicy,
  createDummyRoster,
  createDummyUser,
  daysBefore,
  NOW,
} from '../fixtures/builders';
import type { Roster } from '../../src/domain/roster';

const planOf = (roster: Roster, userCount = 0): Plan => {
  const leavers = roster.people.filter((p) => p.status === 'departed');
  const users = leavers.slice(0, userCount).map((p) => createDummyUser({ userName: p.email.split('@')[0] ?? 'x' }));
  return plan({ roster, inventory: createDummyInventory(users), policy: createDummyPolicy(), now: NOW });
};

const people = (active: number, departed = 0) => [
  ...Array.from({ length: active }, (_, i) => createDummyPerson({ employeeId: `A${i}`, email: `a${i}@example.com` })),
  ...Array.from({ length: departed }, (_, i) =>
    createDummyPerson({ employeeId: `D${i}`, email: `d${i}@example.com`, status: 'departed', endAt: daysBefore(1) }),
  ),
];

describe('evaluateGuard', () => {
  it('passes a normal plan', () => {
    const roster = createDummyRoster(people(10, 2));
    const result = evaluateGuard({ plan: planOf(roster, 2), activeHeadcount: 10, lastActiveHeadcount: 10, policy: createDummyGuardPolicy() });
    expect(result).toEqual({ tripped: false, reasons: [] });
  });

  it('trips on an empty roster', () => {
    const result = evaluateGuard({ plan: planOf(createDummyRoster([])), activeHeadcount: 0, policy: createDummyGuardPolicy() });
    expect(result.tripped).toBe(true);
    expect(result.reasons).toEqual([expect.stringMatching(/^The roster is empty/)]);
  });

  it('trips on a roster with a file-level error, quoting it', () => {
    const roster = createDummyRoster([], {
      errors: [{ source: 'roster.csv', line: 1, message: 'missing required column "status"; the roster cannot be used' }],
    });
    const result = evaluateGuard({ plan: planOf(roster), activeHeadcount: 0, lastActiveHeadcount: 0, policy: createDummyGuardPolicy() });
    expect(result.reasons).toEqual(['The roster has no valid people: roster.csv:1: missing required column "status"; the roster cannot be used.']);
  });

  it('trips when active headcount fell by more than the limit, with the numbers', () => {
    const roster = createDummyRoster(people(79));
    const result = evaluateGuard({
      plan: planOf(roster),
      activeHeadcount: activeHeadcount(roster),
      lastActiveHeadcount: 100,
      policy: createDummyGuardPolicy({ maxHeadcountDropPercent: 20 }),
    });
    expect(result.reasons).toEqual(['Active headcount fell from 100 to 79 since the last run (21.0% drop, limit 20%).']);
  });

  it('allows a drop at exactly the limit, and any rise', () => {
    const policy = createDummyGuardPolicy({ maxHeadcountDropPercent: 20 });
    const roster = createDummyRoster(people(80));
    expect(evaluateGuard({ plan: planOf(roster), activeHeadcount: 80, lastActiveHeadcount: 100, policy }).tripped).toBe(false);
    expect(evaluateGuard({ plan: planOf(roster), activeHeadcount: 80, lastActiveHeadcount: 10, policy }).tripped).toBe(false);
  });

  it('trips when revocation actions exceed the limit, counting only revocations', () => {
    const roster = createDummyRoster(people(5, 3));
    const p = planOf(roster, 3);
    expect(p.actions).toHaveLength(3);
    const policy = createDummyGuardPolicy({ maxRevocations: 2 });
    expect(evaluateGuard({ plan: p, activeHeadcount: 5, policy }).reasons).toEqual([
      'The plan has 3 revocation actions, more than the limit of 2.',
    ]);
    expect(evaluateGuard({ plan: p, activeHeadcount: 5, policy: createDummyGuardPolicy({ maxRevocations: 3 }) }).tripped).toBe(false);
  });

  it('lists every reason that applies', () => {
    const roster = createDummyRoster(people(1, 3));
    const result = evaluateGuard({
      plan: planOf(roster, 3),
      activeHeadcount: 1,
      lastActiveHeadcount: 50,
      policy: createDummyGuardPolicy({ maxRevocations: 0 }),
    });
    expect(result.reasons).toHaveLength(2);
  });

  it('counts only people whose status is active', () => {
    expect(activeHeadcount(createDummyRoster(people(4, 2)))).toBe(4);
  });

  it('withGuard puts the verdict into the plan without changing the rest', () => {
    const p = planOf(createDummyRoster(people(2)));
    const guarded = withGuard(p, { tripped: true, reasons: ['x'] });
    expect(guarded).toEqual({ ...p, guard: { tripped: true, reasons: ['x'] } });
    expect(p.guard.tripped).toBe(false);
  });
});
