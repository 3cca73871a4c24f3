import { evaluateGuard } from '../../src/domain/guard';
import { isRevocation, type Plan } from '../../src/domain/plan';
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

/**
 * A plan mixing revocations (two leavers) with non-revocation actions (excess privilege of
 * people in post): the guard's revocation limit must count only the former.
 */
function mixedPlan() {
  const roster = createDummyRoster([
    createDummyPerson({ employeeId: 'A1', email: 'amy@example.com', role: 'engineer' }),
    createDummyPerson({ employeeId: 'A2', email: 'abe@example.com', role: 'engineer' }),
    createDummyPerson({ employeeId: 'A3', email: 'ada@example.com', role: 'engineer' }),
    createDummyPerson({ employeeId: 'D1', email: 'dan@example.com', status: 'departed', endAt: daysBefore(2) }),
    createDummyPerson({ employeeId: 'D2', email: 'dee@example.com', status: 'departed', endAt: daysBefore(2) }),
  ]);
  const users = [
    // Engineers may hold `developers` only: each `admins` membership is an excess-privilege removal.
    createDummyUser({ userName: 'amy', groups: ['developers', 'admins'] }),
    createDummyUser({ userName: 'abe', groups: ['admins'] }),
    createDummyUser({ userName: 'ada', groups: ['admins'] }),
    createDummyUser({ userName: 'dan' }),
    createDummyUser({ userName: 'dee' }),
  ];
  return plan({ roster, inventory: createDummyInventory(users), policy: createDummyPolicy(), now: NOW });
}

describe('guard revocation limit', () => {
  const p = mixedPlan();
  const revocations = p.actions.filter(isRevocation).length;
  const others = p.actions.length - revocations;

  it('the fixture really mixes revocations with more non-revocation actions', () => {
    expect(revocations).toBeGreaterThanOrEqual(2);
    expect(others).toBeGreaterThanOrEqual(3);
    expect(p.actions.filter((a) => a.reason === 'excess-privilege')).toHaveLength(others);
  });

  it('exactly at the limit passes, although the plan has more actions than the limit', () => {
    expect(p.actions.length).toBeGreaterThan(revocations);
    expect(evaluateGuard({ plan: p, activeHeadcount: 3, policy: createDummyGuardPolicy({ maxRevocations: revocations }) })).toEqual({
      tripped: false,
      reasons: [],
    });
  });

  it('one revocation over the limit trips, counting only revocations in its message', () => {
    const result = evaluateGuard({ plan: p, activeHeadcount: 3, policy: createDummyGuardPolicy({ maxRevocations: revocations - 1 }) });
    expect(result).toEqual({
      tripped: true,
      reasons: [`The plan has ${revocations} revocation actions, more than the limit of ${revocations - 1}.`],
    });
  });

  it('a plan of only non-revocation actions never trips a zero limit', () => {
    const onlyOthers = { ...p, actions: p.actions.filter((a) => !isRevocation(a)) };
    expect(evaluateGuard({ plan: onlyOthers, activeHeadcount: 3, policy: createDummyGuardPolicy({ maxRevocations: 0 }) }).tripped).toBe(false);
  });

  it('orphan revocations count like departures', () => {
    const orphan = { ...p.actions.find(isRevocation)!, reason: 'orphan' as const, id: 'orphan-1' };
    const withOrphan = { ...p, actions: [...p.actions, orphan] };
    expect(evaluateGuard({ plan: withOrphan, activeHeadcount: 3, policy: createDummyGuardPolicy({ maxRevocations: revocations }) }).reasons).toEqual([
      `The plan has ${revocations + 1} revocation actions, more than the limit of ${revocations}.`,
    ]);
  });

  it('a single revocation over a zero limit is worded in the singular', () => {
    const one = { ...p, actions: p.actions.filter(isRevocation).slice(0, 1) };
    expect(evaluateGuard({ plan: one, activeHeadcount: 3, policy: createDummyGuardPolicy({ maxRevocations: 0 }) }).reasons).toEqual([
      'The plan has 1 revocation action, more than the limit of 0.',
    ]);
  });
});

describe('guard headcount boundary', () => {
  const p = mixedPlan();
  const policy = createDummyGuardPolicy({ maxHeadcountDropPercent: 25, maxRevocations: 1000 });

  it('a drop of exactly the limit passes and a hair more trips', () => {
    expect(evaluateGuard({ plan: p, activeHeadcount: 75, lastActiveHeadcount: 100, policy }).tripped).toBe(false);
    expect(evaluateGuard({ plan: p, activeHeadcount: 74, lastActiveHeadcount: 100, policy }).reasons).toEqual([
      'Active headcount fell from 100 to 74 since the last run (26.0% drop, limit 25%).',
    ]);
  });

  it('no previous run, or a previous run with nobody active, compares nothing', () => {
    expect(evaluateGuard({ plan: p, activeHeadcount: 1, policy }).tripped).toBe(false);
    expect(evaluateGuard({ plan: p, activeHeadcount: 1, lastActiveHeadcount: 0, policy }).tripped).toBe(false);
  });
});

describe('guard wording of an unusable roster', () => {
  const empty = (errors: Plan['errors']): Plan => ({ ...mixedPlan(), errors, summary: { ...mixedPlan().summary, people: 0 } });
  const reasons = (errors: Plan['errors']) => evaluateGuard({ plan: empty(errors), activeHeadcount: 0, policy: createDummyGuardPolicy() }).reasons;

  it('names file, line and column only when known', () => {
    expect(reasons([{ source: 'hr.json', message: 'not a JSON array' }])).toEqual(['The roster has no valid people: hr.json: not a JSON array.']);
    expect(reasons([{ source: 'roster.csv', line: 4, column: 'email', message: 'not an email' }])).toEqual([
      'The roster has no valid people: roster.csv:4 email: not an email.',
    ]);
  });

  it('quotes exactly three problems, separated by semicolons, then counts the rest', () => {
    const errors = Array.from({ length: 5 }, (_, i) => ({ source: 'roster.csv', line: i + 2, message: `bad row ${i + 2}` }));
    expect(reasons(errors.slice(0, 3))).toEqual([
      'The roster has no valid people: roster.csv:2: bad row 2; roster.csv:3: bad row 3; roster.csv:4: bad row 4.',
    ]);
    expect(reasons(errors)).toEqual([
      'The roster has no valid people: roster.csv:2: bad row 2; roster.csv:3: bad row 3; roster.csv:4: bad row 4 (and 2 more).',
    ]);
  });
});
