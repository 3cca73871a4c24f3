import { makeAction } from '../../src/domain/planning/build';
import type { HostInventory } from '../../src/domain/inventory';
import type { Action } from '../../src/domain/plan';
import type { HostFleet } from '../../src/ports';
import { makeKey, type TestKey } from '../hosts/helpers';

export const FLEET_ACCOUNT = '123456789012';
export const WEB = 'i-0aaaaaaaaaaaaaaa1';
export const DB = 'i-0bbbbbbbbbbbbbbb2';
export const OFFLINE = 'i-0ddddddddddddddd4';

/** One local account of a host as the contract seeds it: its authorized_keys lines and whether it is locked. */
export interface FleetAccountSpec {
  readonly name: string;
  readonly keyLines: readonly string[];
  readonly locked?: boolean;
}

export interface FleetHostSpec {
  readonly instanceId: string;
  readonly online: boolean;
  readonly hostname: string;
  readonly accounts: readonly FleetAccountSpec[];
}

export interface FleetFixture {
  /** The fleet, reaching every host of the spec (by tag, or by instance id). */
  readonly fleet: HostFleet;
  cleanup(): Promise<void>;
}

export type FleetFactory = (hosts: readonly FleetHostSpec[], account: string) => Promise<FleetFixture>;

interface Keys {
  readonly leaver: TestKey;
  readonly stay: TestKey;
  readonly other: TestKey;
}

/** Web: the leaver bob's key in his account and copied into the shared ec2-user; db: the same key, another host. */
const fleetSpec = (k: Keys): FleetHostSpec[] => [
  {
    instanceId: WEB,
    online: true,
    hostname: 'web-1',
    accounts: [
      { name: 'alice', keyLines: [k.stay.line] },
      { name: 'bob', keyLines: [k.leaver.line, k.other.line] },
      { name: 'ec2-user', keyLines: [`command="/usr/bin/true" ${k.leaver.line}`, k.stay.line] },
      { name: 'old', keyLines: [], locked: true },
    ],
  },
  { instanceId: DB, online: true, hostname: 'db-1', accounts: [{ name: 'bob', keyLines: [k.leaver.line] }] },
  { instanceId: OFFLINE, online: false, hostname: 'gone-1', accounts: [{ name: 'bob', keyLines: [k.leaver.line] }] },
];

const fields = (instanceId: string, osUser: string) => ({ account: FLEET_ACCOUNT, userName: `${instanceId}:${osUser}`, reason: 'departed' as const, control: 'offboarding-24h' as const });
const removeKey = (instanceId: string, osUser: string, key: TestKey): Action =>
  makeAction('remove-host-key', fields(instanceId, osUser), { instanceId, osUser, keyType: key.type, keyBody: key.body, comment: key.line.split(' ').slice(2).join(' ') });
const lockUser = (instanceId: string, osUser: string): Action => makeAction('lock-host-user', fields(instanceId, osUser), { instanceId, osUser });

/** What a host holds, in a form both implementations report the same way. */
const holdings = (host: HostInventory | undefined) => ({
  status: host?.status,
  keys: (host?.keys ?? []).map((k) => `${k.osUser} ${k.keyType} ${k.keyBody} ${k.comment}`).sort(),
  locked: [...(host?.lockedUsers ?? [])].sort(),
});

/**
 * The behaviour every HostFleet must have, run against each implementation (the in-memory fake and the SSM adapter over
 * HTTP against the sandbox running the real host scripts): every host is reported, unreachable ones with a reason; a key
 * is removed from every account of its host and only there; locking is idempotent; a host that does not answer fails
 * its actions retryably.
 */
export function runHostFleetContract(name: string, factory: FleetFactory): void {
  describe(`HostFleet contract: ${name}`, () => {
    let keys: Keys;
    let fixture: FleetFixture;
    let fleet: HostFleet;

    beforeAll(() => {
      keys = { leaver: makeKey('ed25519', 'bob@laptop'), stay: makeKey('ed25519', 'alice@laptop'), other: makeKey('ecdsa', 'bob@phone') };
    });

    beforeEach(async () => {
      fixture = await factory(fleetSpec(keys), FLEET_ACCOUNT);
      fleet = fixture.fleet;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const read = async (instanceId: string) => (await fleet.inventory()).find((h) => h.instanceId === instanceId);

    it('reports every host once, in instance order, with its keys and locked accounts; an offline one as unreachable with a reason', async () => {
      const hosts = await fleet.inventory();
      expect(hosts.map((h) => h.instanceId)).toEqual([WEB, DB, OFFLINE]);
      expect(hosts.every((h) => h.account === FLEET_ACCOUNT)).toBe(true);
      expect(holdings(hosts[0])).toEqual({
        status: 'ok',
        keys: [
          `alice ${keys.stay.type} ${keys.stay.body} alice@laptop`,
          `bob ${keys.leaver.type} ${keys.leaver.body} bob@laptop`,
          `bob ${keys.other.type} ${keys.other.body} bob@phone`,
          `ec2-user ${keys.leaver.type} ${keys.leaver.body} bob@laptop`,
          `ec2-user ${keys.stay.type} ${keys.stay.body} alice@laptop`,
        ].sort(),
        locked: ['old'],
      });
      expect(hosts[2]).toMatchObject({ status: 'unreachable', keys: [], lockedUsers: [] });
      expect(hosts[2]?.error).toEqual(expect.any(String));
      expect(hosts[2]?.error).not.toBe('');
    });

    it('re-reads only the instances named', async () => {
      // Optional in the port (a fleet without it is re-read in full); both implementations here have it.
      if (fleet.inventoryInstances === undefined) return;
      const hosts = await fleet.inventoryInstances([DB, DB]);
      expect(hosts.map((h) => [h.instanceId, h.status])).toEqual([[DB, 'ok']]);
      expect(holdings(hosts[0]).keys).toEqual([`bob ${keys.leaver.type} ${keys.leaver.body} bob@laptop`]);
    });

    it("removes a leaver's key from every account of the host, locks the account, and leaves everything else", async () => {
      const before = await fleet.inventory();
      const actions = [removeKey(WEB, 'bob', keys.leaver), removeKey(WEB, 'ec2-user', keys.leaver), lockUser(WEB, 'bob')];

      const outcomes = await fleet.executeOnHost(WEB, actions);

      expect(actions.map((a) => outcomes.get(a.id)?.result)).toEqual(['ok', 'ok', 'ok']);
      const web = await read(WEB);
      expect(holdings(web)).toEqual({
        status: 'ok',
        keys: [`alice ${keys.stay.type} ${keys.stay.body} alice@laptop`, `bob ${keys.other.type} ${keys.other.body} bob@phone`, `ec2-user ${keys.stay.type} ${keys.stay.body} alice@laptop`].sort(),
        locked: ['bob', 'old'],
      });
      // The same key on another host is that host's action, not this one's.
      expect(holdings(await read(DB))).toEqual(holdings(before.find((h) => h.instanceId === DB)));
    });

    it('is ok to run again and changes nothing the second time', async () => {
      const actions = [removeKey(WEB, 'bob', keys.leaver), lockUser(WEB, 'bob'), lockUser(WEB, 'old')];
      await fleet.executeOnHost(WEB, actions);
      const once = holdings(await read(WEB));

      const again = await fleet.executeOnHost(WEB, actions);

      expect(actions.map((a) => again.get(a.id)?.result)).toEqual(['ok', 'ok', 'ok']);
      expect(holdings(await read(WEB))).toEqual(once);
    });

    it('skips locking an account the host does not have', async () => {
      const action = lockUser(DB, 'nobody');
      expect((await fleet.executeOnHost(DB, [action])).get(action.id)?.result).toBe('skipped');
    });

    it('fails every action of a host that does not answer, retryably and with a reason', async () => {
      const actions = [removeKey(OFFLINE, 'bob', keys.leaver), lockUser(OFFLINE, 'bob')];
      const outcomes = await fleet.executeOnHost(OFFLINE, actions);
      for (const action of actions) {
        const outcome = outcomes.get(action.id);
        expect(outcome).toMatchObject({ result: 'failed', retryable: true });
        expect(outcome?.result === 'failed' ? outcome.error : '').not.toBe('');
      }
    });

    it('settles the actions of several hosts in one call, each by its own action id', async () => {
      // Optional in the port (reconcile then goes host by host); both implementations here have it.
      if (fleet.executeOnHosts === undefined) return;
      const web = [removeKey(WEB, 'bob', keys.leaver)];
      const db = [removeKey(DB, 'bob', keys.leaver), lockUser(DB, 'bob')];
      const outcomes = await fleet.executeOnHosts(new Map([[WEB, web], [DB, db], [OFFLINE, [lockUser(OFFLINE, 'bob')]]]));
      expect([...web, ...db].map((a) => outcomes.get(a.id)?.result)).toEqual(['ok', 'ok', 'ok']);
      expect(outcomes.size).toBe(4);
      expect(holdings(await read(DB))).toEqual({ status: 'ok', keys: [], locked: ['bob'] });
    });
  });
}
