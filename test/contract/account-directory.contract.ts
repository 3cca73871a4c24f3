import { makeAction } from '../../src/domain/planning/build';
import type { ActionKind, ActionOf } from '../../src/domain/plan';
import type { ActionTargets } from '../../src/domain/action-kinds';
import type { AccountDirectory } from '../../src/ports';

export const DIRECTORY_ACCOUNT = '111111111111';
export const DENY_ALL_ARN = `arn:aws:iam::${DIRECTORY_ACCOUNT}:policy/warden-deny-all`;

/** One IAM user as the contract seeds it; each factory turns it into its own state (objects, or the IAM sandbox). */
export interface DirectoryUserSpec {
  readonly userName: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly groups?: readonly string[];
  readonly console?: boolean;
  readonly accessKeys?: readonly { readonly id: string; readonly status: 'Active' | 'Inactive' }[];
}

export interface DirectorySpec {
  readonly account: string;
  readonly groups: readonly string[];
  readonly users: readonly DirectoryUserSpec[];
  /** Warden's managed deny-all policy, which the account has (the stack creates it). */
  readonly denyAllArn: string;
}

export interface DirectoryFixture {
  readonly directory: AccountDirectory;
  cleanup(): Promise<void>;
}

export type DirectoryFactory = (spec: DirectorySpec) => Promise<DirectoryFixture>;

const SPEC: DirectorySpec = {
  account: DIRECTORY_ACCOUNT,
  denyAllArn: DENY_ALL_ARN,
  groups: ['developers', 'admins'],
  users: [
    {
      userName: 'bob',
      tags: { email: 'bob@example.com', employee_id: 'E2' },
      groups: ['developers', 'admins'],
      console: true,
      accessKeys: [
        { id: 'AKIABOBKEY0000000001', status: 'Active' },
        { id: 'AKIABOBKEY0000000002', status: 'Active' },
      ],
    },
    { userName: 'alice', tags: { email: 'alice@example.com' }, groups: ['developers'], accessKeys: [{ id: 'AKIAALICEKEY00000001', status: 'Active' }] },
    { userName: 'carol', console: true },
  ],
};

const action = <K extends ActionKind>(kind: K, userName: string, target: ActionTargets[K]): ActionOf<K> =>
  makeAction(kind, { account: DIRECTORY_ACCOUNT, userName, reason: 'departed', control: 'offboarding-24h' }, target);

/**
 * The behaviour every AccountDirectory must have, run against each implementation (the in-memory fake the use-case
 * tests rely on, and the IAM adapter over HTTP against the sandbox): what inventory and describeUsers report, what
 * each revocation changes, and that doing it again, or to a user already gone, is "ok" and changes nothing.
 */
export function runAccountDirectoryContract(name: string, factory: DirectoryFactory): void {
  describe(`AccountDirectory contract: ${name}`, () => {
    let fixture: DirectoryFixture;
    let directory: AccountDirectory;

    beforeEach(async () => {
      fixture = await factory(SPEC);
      directory = fixture.directory;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const live = async (userName: string) => (await directory.describeUsers([userName])).get(userName);

    it('names its account and lists every user with tags and groups, and every group', async () => {
      const inventory = await directory.inventory();
      expect(directory.account).toBe(DIRECTORY_ACCOUNT);
      expect(inventory.account).toBe(DIRECTORY_ACCOUNT);
      expect(inventory.users.map((u) => u.userName).sort()).toEqual(['alice', 'bob', 'carol']);
      const bob = inventory.users.find((u) => u.userName === 'bob');
      expect(bob).toMatchObject({ account: DIRECTORY_ACCOUNT, tags: { email: 'bob@example.com', employee_id: 'E2' }, arn: `arn:aws:iam::${DIRECTORY_ACCOUNT}:user/bob` });
      expect([...(bob?.groups ?? [])].sort()).toEqual(['admins', 'developers']);
      expect(inventory.groups.map((g) => g.name).sort()).toEqual(['admins', 'developers']);
    });

    it('describes only the users asked for, live, and leaves out users that do not exist', async () => {
      const described = await directory.describeUsers(['bob', 'ghost']);
      expect([...described.keys()]).toEqual(['bob']);
      const bob = described.get('bob');
      expect(bob?.accessKeys.map((k) => [k.id, k.status])).toEqual([
        ['AKIABOBKEY0000000001', 'Active'],
        ['AKIABOBKEY0000000002', 'Active'],
      ]);
      expect(bob?.loginProfile).not.toBeNull();
      expect([...(bob?.groups ?? [])].sort()).toEqual(['admins', 'developers']);
      expect((await live('alice'))?.loginProfile).toBeNull();
      expect((await directory.describeUsers([])).size).toBe(0);
    });

    it('deactivates exactly the access key named, and doing it again is ok and changes nothing', async () => {
      const deactivate = action('deactivate-access-key', 'bob', { accessKeyId: 'AKIABOBKEY0000000001' });
      expect((await directory.execute(deactivate)).result).toBe('ok');
      const after = await live('bob');
      expect(after?.accessKeys.map((k) => [k.id, k.status])).toEqual([
        ['AKIABOBKEY0000000001', 'Inactive'],
        ['AKIABOBKEY0000000002', 'Active'],
      ]);
      expect((await directory.execute(deactivate)).result).toBe('ok');
      expect(await live('bob')).toEqual(after);
      expect((await live('alice'))?.accessKeys.map((k) => k.status)).toEqual(['Active']);
    });

    it('removes the console password, once', async () => {
      const remove = action('delete-login-profile', 'bob', {});
      expect((await directory.execute(remove)).result).toBe('ok');
      expect((await live('bob'))?.loginProfile).toBeNull();
      expect((await directory.execute(remove)).result).toBe('ok');
      expect((await live('carol'))?.loginProfile).not.toBeNull();
    });

    it('removes the user from one group, and the inventory agrees', async () => {
      const remove = action('remove-from-group', 'bob', { groupName: 'admins' });
      expect((await directory.execute(remove)).result).toBe('ok');
      expect((await live('bob'))?.groups).toEqual(['developers']);
      expect((await directory.inventory()).users.find((u) => u.userName === 'bob')?.groups).toEqual(['developers']);
      expect((await directory.execute(remove)).result).toBe('ok');
      expect((await live('alice'))?.groups).toEqual(['developers']);
    });

    it("attaches Warden's deny-all policy, once", async () => {
      const attach = action('attach-deny-all', 'bob', { policyName: 'warden-deny-all', policyArn: DENY_ALL_ARN });
      expect((await directory.execute(attach)).result).toBe('ok');
      expect((await directory.execute(attach)).result).toBe('ok');
      expect((await live('bob'))?.attachedPolicies.map((p) => p.arn)).toEqual([DENY_ALL_ARN]);
      expect((await live('alice'))?.attachedPolicies).toEqual([]);
    });

    it('deletes a user with everything it holds; afterwards the user is gone and deleting again is ok', async () => {
      const remove = action('delete-user', 'bob', {});
      expect((await directory.execute(remove)).result).toBe('ok');
      expect(await live('bob')).toBeUndefined();
      expect((await directory.inventory()).users.map((u) => u.userName).sort()).toEqual(['alice', 'carol']);
      expect((await directory.execute(remove)).result).toBe('ok');
    });

    it('treats a change to a user that no longer exists as already done', async () => {
      const outcome = await directory.execute(action('deactivate-access-key', 'ghost', { accessKeyId: 'AKIAGHOSTKEY00000001' }));
      expect(outcome.result).toBe('ok');
      expect((await directory.inventory()).users.map((u) => u.userName).sort()).toEqual(['alice', 'bob', 'carol']);
    });
  });
}
