/**
 * The planner's working set (src/domain/planning/context.ts) on its own: where a person stands at `now` (at each
 * boundary), how each IAM user is classed, and the lookups the planning steps use (issue 10). A leaver controls their
 * own user name's case; config and the roster are written by admins and HR in whatever case they like.
 */
import type { IamUser } from '../../src/domain/inventory';
import type { AccessPolicy } from '../../src/domain/policy';
import { buildContext, mustBeRevoked, phaseIn, phaseOf, userLabel } from '../../src/domain/planning/context';
import type { Person, Roster } from '../../src/domain/roster';
import { ACCOUNT, createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser, NOW, OTHER_ACCOUNT } from '../fixtures/builders';

const DAY = 86_400_000;
const policy = createDummyPolicy({ deleteAfterDays: 30 });
const departed = (endAt?: Date): Person => createDummyPerson({ status: 'departed', ...(endAt !== undefined ? { endAt } : {}) });

describe('phaseOf', () => {
  it('active is working and on_leave is on leave, whatever their end date', () => {
    expect(phaseOf(createDummyPerson({ endAt: new Date(0) }), policy, NOW)).toEqual({ kind: 'working' });
    expect(phaseOf(createDummyPerson({ status: 'on_leave', endAt: new Date(0) }), policy, NOW)).toEqual({ kind: 'on-leave' });
  });

  it('departed: scheduled before the end, access stopped from the end instant, deleted from end + deleteAfterDays exactly', () => {
    const end = new Date(NOW.getTime() - 30 * DAY);
    expect(phaseOf(departed(new Date(NOW.getTime() + 1)), policy, NOW)).toEqual({ kind: 'scheduled', endAt: new Date(NOW.getTime() + 1) });
    expect(phaseOf(departed(NOW), policy, NOW)).toEqual({ kind: 'stop-access', endAt: NOW });
    expect(phaseOf(departed(new Date(end.getTime() + 1)), policy, NOW)).toEqual({ kind: 'stop-access', endAt: new Date(end.getTime() + 1) });
    expect(phaseOf(departed(end), policy, NOW)).toEqual({ kind: 'delete', endAt: end });
  });

  it('departed without an end date stops access and is never deleted', () => {
    expect(phaseOf(departed(), policy, NOW)).toEqual({ kind: 'stop-access' });
  });

  it('only stop-access and delete must be revoked', () => {
    expect(['working', 'on-leave', 'scheduled', 'stop-access', 'delete'].filter((kind) => mustBeRevoked({ kind, endAt: NOW } as never))).toEqual(['stop-access', 'delete']);
  });
});

function contextOf(people: readonly Person[], users: readonly IamUser[], overrides: Partial<AccessPolicy> = {}, roster: Partial<Roster> = {}) {
  return buildContext({ roster: createDummyRoster(people, roster), inventory: createDummyInventory(users), policy: createDummyPolicy(overrides), now: NOW });
}
const classes = (context: ReturnType<typeof contextOf>): string[] => context.users.map((u) => `${userLabel(u.user)}:${u.class.kind}`);

describe('buildContext: how each user is classed', () => {
  const alice = createDummyPerson({ awsUsernames: ['alice'] });

  it('break-glass names match whatever their case; the rest are matched against the roster', () => {
    const users = [createDummyUser({ userName: 'Break-Glass-Admin' }), createDummyUser({ userName: 'alice' }), createDummyUser({ userName: 'zed' })];
    expect(classes(contextOf([alice], users))).toEqual([`${ACCOUNT}/Break-Glass-Admin:break-glass`, `${ACCOUNT}/alice:matched`, `${ACCOUNT}/zed:unmatched`]);
  });

  it('a service account is named in any case, in every account or only its own', () => {
    const users = [createDummyUser({ userName: 'CI' }), createDummyUser({ userName: 'ci', account: OTHER_ACCOUNT }), createDummyUser({ userName: 'deploy', account: OTHER_ACCOUNT })];
    const c = contextOf([alice], users, {
      serviceAccounts: [
        { userName: 'ci', owner: 'alice@example.com' },
        { userName: 'Deploy', owner: 'alice@example.com', account: ACCOUNT },
      ],
    });
    expect(classes(c)).toEqual([`${ACCOUNT}/CI:service-account`, `${OTHER_ACCOUNT}/ci:service-account`, `${OTHER_ACCOUNT}/deploy:unmatched`]);
  });

  it('of two service accounts under one name, the one for the user\'s account applies', () => {
    const c = contextOf([alice], [createDummyUser({ userName: 'ci', account: OTHER_ACCOUNT })], {
      serviceAccounts: [
        { userName: 'ci', owner: 'alice@example.com', account: ACCOUNT },
        { userName: 'CI', owner: 'bob@example.com', account: OTHER_ACCOUNT },
      ],
    });
    expect(c.users[0]?.class).toEqual({ kind: 'service-account', serviceAccount: { userName: 'CI', owner: 'bob@example.com', account: OTHER_ACCOUNT } });
  });

  it('break-glass wins over a service account of the same name', () => {
    const c = contextOf([alice], [createDummyUser({ userName: 'break-glass-admin' })], { serviceAccounts: [{ userName: 'break-glass-admin', owner: 'alice@example.com' }] });
    expect(c.users[0]?.class).toEqual({ kind: 'break-glass' });
  });
});

describe('buildContext: lookups', () => {
  it('finds people by email in any case, and knows invalid rows\' emails in any case', () => {
    const alice = createDummyPerson({ email: 'Alice@Example.com' });
    const c = contextOf([alice], [], {}, { invalidRowIdentities: [{ email: 'Broken@Example.com', awsUsernames: [] }, { employeeId: 'E9', awsUsernames: [] }] });
    expect(c.peopleByEmail.get('alice@example.com')).toBe(alice);
    expect(c.peopleByEmail.get('Alice@Example.com')).toBeUndefined();
    expect([...c.invalidEmails]).toEqual(['broken@example.com']);
    // Built once, then the same map.
    expect(c.peopleByEmail).toBe(c.peopleByEmail);
  });

  it('a role is found by its name trimmed and in any case; no role or an unknown one grants nothing', () => {
    const c = contextOf([], [], { roles: { ' Engineer ': { groups: ['developers'], managedPolicies: [] } } });
    expect(c.roleOf(createDummyPerson({ role: 'engineer' }))).toEqual({ groups: ['developers'], managedPolicies: [] });
    expect(c.roleOf(createDummyPerson({ role: ' ENGINEER' }))).toEqual({ groups: ['developers'], managedPolicies: [] });
    expect(c.roleOf(createDummyPerson({ role: 'admin' }))).toBeUndefined();
    const noRole: Person = { ...createDummyPerson(), role: undefined } as unknown as Person;
    expect(c.roleOf(noRole)).toBeUndefined();
  });

  it('keeps users per person only for people not simply working: leavers, people on leave, and anyone with an end date', () => {
    const working = createDummyPerson({ employeeId: 'E1', email: 'a@example.com', awsUsernames: ['a'] });
    const ending = createDummyPerson({ employeeId: 'E2', email: 'b@example.com', awsUsernames: ['b'], endAt: new Date(NOW.getTime() + DAY) });
    const away = createDummyPerson({ employeeId: 'E3', email: 'c@example.com', awsUsernames: ['c'], status: 'on_leave' });
    const gone = createDummyPerson({ employeeId: 'E4', email: 'd@example.com', awsUsernames: ['d'], status: 'departed' });
    const users = ['a', 'b', 'c', 'd'].map((userName) => createDummyUser({ userName }));
    const twice = [...users, createDummyUser({ userName: 'd', account: OTHER_ACCOUNT })];
    const c = contextOf([working, ending, away, gone], twice);
    expect([...c.usersByPerson.keys()].map((p) => p.email)).toEqual(['b@example.com', 'c@example.com', 'd@example.com']);
    expect(c.usersByPerson.get(gone)?.map((u) => userLabel(u.user))).toEqual([`${ACCOUNT}/d`, `${OTHER_ACCOUNT}/d`]);
    expect([working, ending, away, gone].map((p) => c.peopleWithUsers.has(p))).toEqual([false, true, true, true]);
  });

  it('a person only possibly behind a user (ambiguous) counts as having one; a person with none does not', () => {
    const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed' });
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'departed' });
    const dave = createDummyPerson({ employeeId: 'E4', email: 'dave@example.com', status: 'departed' });
    const ambiguous = createDummyUser({ userName: 'shared', tags: { employee_id: 'E2', email: 'carol@example.com' } });
    const c = contextOf([bob, carol, dave], [ambiguous]);
    expect(c.users[0]?.class.kind).toBe('ambiguous');
    expect([bob, carol, dave].map((p) => c.peopleWithUsers.has(p))).toEqual([true, true, false]);
    expect(c.usersByPerson.size).toBe(0);
  });

  it('phases are kept only for people not active, and phaseIn agrees with phaseOf for everyone', () => {
    const people = [createDummyPerson({ employeeId: 'E1', email: 'a@example.com' }), createDummyPerson({ employeeId: 'E2', email: 'b@example.com', status: 'departed', endAt: NOW })];
    const c = contextOf(people, []);
    expect([...c.phases.keys()]).toEqual([people[1]]);
    for (const p of people) expect(phaseIn(c, p)).toEqual(phaseOf(p, c.input.policy, NOW));
    const stranger = createDummyPerson({ status: 'on_leave' });
    expect(phaseIn(c, stranger)).toEqual({ kind: 'on-leave' });
  });
});

describe('buildContext: a user held back by an invalid roster row', () => {
  it('counts the person it may be as having a user (so no "departed without IAM user" evidence is written for them)', () => {
    const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed' });
    const c = contextOf([bob], [createDummyUser({ userName: 'bob' })], {}, { invalidRowIdentities: [{ email: 'bob@acquired.example', awsUsernames: [] }] });
    expect(c.users[0]?.class.kind).toBe('held-back');
    expect(c.peopleWithUsers.has(bob)).toBe(true);
  });
});
