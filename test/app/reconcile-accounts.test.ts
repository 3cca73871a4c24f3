import { departureOverlay } from '../../src/app/offboarding';
import { computePlan } from '../../src/app/reconcile';
import { MemoryDepartureStore } from '../../src/adapters/departures/memory-departure-store';
import type { Departure } from '../../src/ports/departures';
import { createDummyDeparture } from '../contract/departure-store.contract';
import type { AccountInventory, IamUserDetail } from '../../src/domain/inventory';
import { bobLeftDeps } from '../fixtures/reconcile-deps';
import { createDummyPerson, createDummyRoster, daysBefore } from '../fixtures/builders';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';

/**
 * Reading many accounts: each account has its own IAM throttle, so one account's live reads of its leavers must not
 * wait for other accounts' bulk inventories, and every account's leavers are read at once (not in waves).
 */
class TimedDirectory extends MemoryAccountDirectory {
  constructor(
    account: string,
    private readonly events: string[],
    private readonly gates: { inventory: Promise<void>; describe: Promise<void> },
  ) {
    super(account, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail(`AKIABOB${account}0`) }]);
  }

  override async inventory(): Promise<AccountInventory> {
    this.events.push(`inventory-start ${this.account}`);
    await this.gates.inventory;
    this.events.push(`inventory-done ${this.account}`);
    return super.inventory();
  }

  override async describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>> {
    this.events.push(`describe-start ${this.account}`);
    await this.gates.describe;
    this.events.push(`describe-done ${this.account}`);
    return super.describeUsers(userNames);
  }
}

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

const depsFor = bobLeftDeps;

const ACCOUNTS = ['100000000001', '100000000002', '100000000003', '100000000004', '100000000005', '100000000006', '100000000007', '100000000008'];

describe('a plan over many accounts', () => {
  it("starts an account's live reads as soon as its own inventory is in, while another account's inventory is still being read", async () => {
    const events: string[] = [];
    const slow = deferred();
    const open = { inventory: Promise.resolve(), describe: Promise.resolve() };
    const directories = ACCOUNTS.map(
      (account, i) => new TimedDirectory(account, events, i === ACCOUNTS.length - 1 ? { inventory: slow.promise, describe: Promise.resolve() } : open),
    );
    const planning = computePlan(depsFor(directories));
    // The last account's inventory is held until the first account's leaver has been read live (or 2 s pass).
    const released = setTimeout(slow.resolve, 2000);
    for (let i = 0; i < 200 && !events.includes(`describe-done ${ACCOUNTS[0]}`); i += 1) await new Promise((r) => setTimeout(r, 10));
    slow.resolve();
    clearTimeout(released);
    const planned = await planning;

    const last = ACCOUNTS.at(-1) as string;
    expect(events.indexOf(`describe-done ${ACCOUNTS[0]}`)).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(`describe-done ${ACCOUNTS[0]}`)).toBeLessThan(events.indexOf(`inventory-done ${last}`));
    // The plan is the same as ever: every account's leaver revoked.
    expect(new Set(planned.plan.actions.filter((a) => a.kind === 'deactivate-access-key').map((a) => a.account))).toEqual(new Set(ACCOUNTS));
  });

  it("reads every account's leavers at once, not a few accounts at a time", async () => {
    const events: string[] = [];
    const all = deferred();
    const directories = ACCOUNTS.map((account) => new TimedDirectory(account, events, { inventory: Promise.resolve(), describe: all.promise }));
    const planning = computePlan(depsFor(directories));
    const released = setTimeout(all.resolve, 2000);
    for (let i = 0; i < 200 && events.filter((e) => e.startsWith('describe-start')).length < ACCOUNTS.length; i += 1) await new Promise((r) => setTimeout(r, 10));
    const inFlight = events.filter((e) => e.startsWith('describe-start')).length;
    all.resolve();
    clearTimeout(released);
    await planning;

    expect(inFlight).toBe(ACCOUNTS.length);
  });

  /** A directory whose inventory waits for `gate`, recording each live read's names. */
  class GatedDirectory extends MemoryAccountDirectory {
    readonly reads: string[][] = [];
    constructor(
      account: string,
      users: ConstructorParameters<typeof MemoryAccountDirectory>[1],
      private readonly gate: Promise<void>,
      private readonly events: string[],
    ) {
      super(account, users);
    }
    override async inventory(): Promise<AccountInventory> {
      await this.gate;
      this.events.push(`inventory-done ${this.account}`);
      return super.inventory();
    }
    override async describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>> {
      this.reads.push([...userNames]);
      this.events.push(`describe ${this.account} ${userNames.join(',')}`);
      return super.describeUsers(userNames);
    }
  }

  it('starts the live reads of leavers the roster names (aws_usernames) while their account is still being inventoried', async () => {
    const events: string[] = [];
    const gate = deferred();
    const roster = createDummyRoster([
      createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1), awsUsernames: ['bob'] }),
      // Named but in no account: read early for nothing, never planned.
      createDummyPerson({ employeeId: 'E3', email: 'dan@example.com', status: 'departed', endAt: daysBefore(1), awsUsernames: ['dan'] }),
      createDummyPerson({ employeeId: 'E4', email: 'eve@example.com', status: 'active', awsUsernames: ['eve'] }),
    ]);
    const directory = new GatedDirectory(
      ACCOUNTS[0] as string,
      [
        { userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOBEARLY00000001') },
        { userName: 'eve', tags: { employee_id: 'E4' }, detail: leaverDetail('AKIAEVEEARLY00000001') },
      ],
      gate.promise,
      events,
    );
    const planning = computePlan({ ...depsFor([directory]), roster: { load: async () => roster } });
    for (let i = 0; i < 200 && !events.some((e) => e.startsWith('describe')); i += 1) await new Promise((r) => setTimeout(r, 10));
    gate.resolve();
    const planned = await planning;

    // The leavers' reads went out before the inventory was in; the active person's user was never read live.
    expect(events[0]).toBe(`describe ${ACCOUNTS[0]} bob,dan`);
    expect(events).toContain(`inventory-done ${ACCOUNTS[0]}`);
    // Nothing read twice: bob's early read is the one the plan uses.
    expect(directory.reads).toEqual([['bob', 'dan']]);
    expect(planned.plan.actions.filter((a) => a.kind === 'deactivate-access-key').map((a) => (a.kind === 'deactivate-access-key' ? a.target.accessKeyId : ''))).toEqual(['AKIABOBEARLY00000001']);
    const users = planned.inventory.accounts[0]?.users ?? [];
    expect(users.find((u) => u.userName === 'bob')?.detail).toBeDefined();
    expect(users.find((u) => u.userName === 'eve')?.detail).toBeUndefined();
  });

  it('reads a leaver again when the early read found no such user but the inventory then holds one', async () => {
    const events: string[] = [];
    const roster = createDummyRoster([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1), awsUsernames: ['bob'] })]);
    const gate = deferred();
    const directory = new GatedDirectory(ACCOUNTS[0] as string, [], gate.promise, events);
    const planning = computePlan({ ...depsFor([directory]), roster: { load: async () => roster } });
    for (let i = 0; i < 200 && !events.some((e) => e.startsWith('describe')); i += 1) await new Promise((r) => setTimeout(r, 10));
    // bob's user appears between the early read and the inventory (created again by someone).
    directory.put({ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOBAGAIN00000001') });
    gate.resolve();
    const planned = await planning;

    expect(directory.reads).toEqual([['bob'], ['bob']]);
    expect(planned.plan.actions.some((a) => a.kind === 'deactivate-access-key' && a.target.accessKeyId === 'AKIABOBAGAIN00000001')).toBe(true);
  });

  it("asks for each account's bulk inventory and the last run while the roster is still being read", async () => {
    const events: string[] = [];
    const rosterGate = deferred();
    const open = { inventory: Promise.resolve(), describe: Promise.resolve() };
    const directory = new TimedDirectory(ACCOUNTS[0] as string, events, open);
    const deps = depsFor([directory]);
    const runs = deps.runs;
    const planning = computePlan({
      ...deps,
      roster: {
        load: async () => {
          events.push('roster-start');
          await rosterGate.promise;
          events.push('roster-done');
          return deps.roster.load();
        },
      },
      runs: Object.assign(Object.create(runs) as typeof runs, {
        lastCompleted: async () => {
          events.push('last-run');
          return runs.lastCompleted();
        },
      }),
    });
    for (let i = 0; i < 200 && !events.includes(`inventory-done ${ACCOUNTS[0]}`); i += 1) await new Promise((r) => setTimeout(r, 10));
    const beforeRoster = [...events];
    rosterGate.resolve();
    const planned = await planning;

    expect(beforeRoster).toEqual(expect.arrayContaining(['roster-start', 'last-run', `inventory-start ${ACCOUNTS[0]}`, `inventory-done ${ACCOUNTS[0]}`]));
    expect(beforeRoster).not.toContain('roster-done');
    // The leaver's live read needs the roster: it waits for it, and the plan is the same as ever.
    expect(events.indexOf(`describe-start ${ACCOUNTS[0]}`)).toBeGreaterThan(events.indexOf('roster-done'));
    expect(planned.plan.actions.some((a) => a.kind === 'deactivate-access-key' && a.account === ACCOUNTS[0])).toBe(true);
  });

  /** Departures HR marked in Slack, whose read is recorded and held until `gate` opens. */
  class GatedDepartures extends MemoryDepartureStore {
    constructor(
      private readonly marked: readonly Departure[],
      private readonly gate: Promise<void>,
      private readonly events: string[],
    ) {
      super();
    }
    override async listEffective(): Promise<readonly Departure[]> {
      this.events.push('departures-start');
      await this.gate;
      this.events.push('departures-done');
      return this.marked;
    }
  }

  it('reads the departures marked in Slack while the roster is still being read, and lays them over it', async () => {
    const events: string[] = [];
    const rosterGate = deferred();
    const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com', status: 'active' });
    const directory = new MemoryAccountDirectory(ACCOUNTS[0] as string, [{ userName: 'carol', tags: { employee_id: 'E3' }, detail: leaverDetail('AKIACAROLMARKED00001') }]);
    const marked = createDummyDeparture({ person: { email: 'carol@example.com', employeeId: 'E3' }, effectiveAt: daysBefore(1), status: 'applied' });
    const planning = computePlan({
      ...depsFor([directory]),
      roster: {
        load: async () => {
          events.push('roster-start');
          await rosterGate.promise;
          events.push('roster-done');
          return createDummyRoster([carol]);
        },
      },
      overlayRoster: departureOverlay(new GatedDepartures([marked], Promise.resolve(), events)),
    });
    for (let i = 0; i < 200 && !events.includes('departures-done'); i += 1) await new Promise((r) => setTimeout(r, 10));
    const beforeRoster = [...events];
    rosterGate.resolve();
    const planned = await planning;

    expect([...beforeRoster].sort()).toEqual(['departures-done', 'departures-start', 'roster-start']);
    // The overlay is the same as ever: carol is departed from the date HR gave, and her key is revoked.
    expect(planned.roster.people.find((p) => p.email === 'carol@example.com')?.status).toBe('departed');
    expect(planned.plan.actions.some((a) => a.kind === 'deactivate-access-key' && a.target.accessKeyId === 'AKIACAROLMARKED00001')).toBe(true);
  });

  it('lets the departures read finish before reporting a roster that cannot be read', async () => {
    const events: string[] = [];
    const departuresGate = deferred();
    const planning = computePlan({
      ...depsFor([new MemoryAccountDirectory(ACCOUNTS[0] as string, [])]),
      roster: {
        load: async () => {
          throw new Error('roster.csv: line 3: bad end_date');
        },
      },
      overlayRoster: departureOverlay(new GatedDepartures([], departuresGate.promise, events)),
    });
    let reported = false;
    planning.catch(() => {
      reported = true;
    });
    for (let i = 0; i < 200 && !events.includes('departures-start'); i += 1) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 30));
    const reportedBeforeRelease = reported;
    departuresGate.resolve();

    await expect(planning).rejects.toThrow('roster.csv: line 3: bad end_date');
    expect(reportedBeforeRelease).toBe(false);
    expect(events).toEqual(['departures-start', 'departures-done']);
  });

  it('reports a roster that cannot be read, not the IAM or run-state errors of reads already in flight, lets those finish first, and writes nothing', async () => {
    const settled: string[] = [];
    class FailingDirectory extends MemoryAccountDirectory {
      override async inventory(): Promise<AccountInventory> {
        await new Promise((r) => setTimeout(r, 60));
        settled.push(`inventory ${this.account}`);
        throw new Error('iam: AccessDenied');
      }
    }
    class SlowDirectory extends MemoryAccountDirectory {
      override async inventory(): Promise<AccountInventory> {
        await new Promise((r) => setTimeout(r, 80));
        settled.push(`inventory ${this.account}`);
        return super.inventory();
      }
    }
    const deps = depsFor([new FailingDirectory(ACCOUNTS[0] as string, []), new SlowDirectory(ACCOUNTS[1] as string, [])]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        computePlan({
          ...deps,
          roster: {
            load: async () => {
              await new Promise((r) => setTimeout(r, 20));
              throw new Error('roster.csv: line 3: bad end_date');
            },
          },
          reviewedRevocations: async () => {
            throw new Error('state table: ResourceNotFound');
          },
          runs: Object.assign(Object.create(deps.runs) as typeof deps.runs, {
            lastCompleted: async () => {
              throw new Error('state table: ResourceNotFound');
            },
          }),
        }),
      ).rejects.toThrow('roster.csv: line 3: bad end_date');
      // The reads already in flight had finished when the run gave up: nothing it started outlives it.
      expect(settled.sort()).toEqual([`inventory ${ACCOUNTS[0]}`, `inventory ${ACCOUNTS[1]}`]);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(await deps.audit.query({})).toEqual([]);
  });

  it("lets an account's early reads of its leavers finish when its inventory then fails, before the run reports", async () => {
    const events: string[] = [];
    const roster = createDummyRoster([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1), awsUsernames: ['bob'] })]);
    class BrokenDirectory extends MemoryAccountDirectory {
      override async inventory(): Promise<AccountInventory> {
        throw new Error('iam: AccessDenied on GetAccountAuthorizationDetails');
      }
      override async describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>> {
        await new Promise((r) => setTimeout(r, 60));
        events.push(`describe-done ${userNames.join(',')}`);
        return super.describeUsers(userNames);
      }
    }
    const directory = new BrokenDirectory(ACCOUNTS[0] as string, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOBBROKEN0000001') }]);
    await expect(computePlan({ ...depsFor([directory]), roster: { load: async () => roster } })).rejects.toThrow('AccessDenied');
    expect(events).toEqual(['describe-done bob']);
  });
});
