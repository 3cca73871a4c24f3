import type { HostInventory, HostKey, Inventory, IamUser } from '../../src/domain/inventory';
import type { Action, Finding, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import { keyFingerprint } from '../../src/domain/ssh-key';
import { hostPrincipal, keyBodyOf, remainingOnHost } from '../../src/domain/planning/hosts';
import type { AccessPolicy } from '../../src/domain/policy';
import type { Person } from '../../src/domain/roster';
import {
  ACCOUNT,
  NOW,
  createDummyInventory,
  createDummyPerson,
  createDummyPolicy,
  createDummyRoster,
  createDummyUserWithDetail,
  daysAfter,
  daysBefore,
} from '../fixtures/builders';

const WEB = 'i-0aaaaaaaaaaaaaaa1';
const DB = 'i-0bbbbbbbbbbbbbbb2';

/** A distinct, well-formed ed25519 key body per name. */
const body = (name: string): string => `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(name.padEnd(32, '.')).toString('base64').replace(/=+$/, '')}`;
const line = (name: string, comment = `${name}@laptop`): string => `ssh-ed25519 ${body(name)} ${comment}`;

function createDummyHostKey(overrides: Partial<HostKey> & { readonly osUser: string; readonly keyBody: string }): HostKey {
  return { instanceId: WEB, file: `/home/${overrides.osUser}/.ssh/authorized_keys`, line: 1, keyType: 'ssh-ed25519', comment: '', ...overrides };
}

function createDummyHost(overrides: Partial<HostInventory> = {}): HostInventory {
  return { instanceId: WEB, account: ACCOUNT, status: 'ok', keys: [], lockedUsers: [], ...overrides };
}

const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(2) });
const alice = createDummyPerson({ employeeId: 'E1', email: 'alice@example.com' });
const dan = createDummyPerson({ employeeId: 'E4', email: 'dan@example.com', status: 'departed', endAt: daysAfter(5) });
const erin = createDummyPerson({ employeeId: 'E5', email: 'erin@example.com', status: 'on_leave' });
const bobIam = createDummyUserWithDetail({ userName: 'bob', tags: { employee_id: 'E2' } }, { sshPublicKeys: [{ id: 'APKABOB00000000000001', status: 'Inactive', body: line('bob-iam') }] });

interface Scenario {
  readonly people?: readonly Person[];
  readonly users?: readonly IamUser[];
  readonly hosts: readonly HostInventory[];
  readonly policy?: Partial<AccessPolicy>;
}

const planFor = (s: Scenario): Plan =>
  plan({
    roster: createDummyRoster(s.people ?? [alice, bob, dan, erin]),
    inventory: createDummyInventory(s.users ?? [bobIam], { hosts: s.hosts } satisfies Partial<Inventory>),
    policy: createDummyPolicy(s.policy),
    now: NOW,
  });

const hostActions = (p: Plan): Action[] => p.actions.filter((a) => a.kind === 'remove-host-key' || a.kind === 'lock-host-user');
const summary = (a: Action): string =>
  a.kind === 'remove-host-key'
    ? `remove ${a.target.instanceId} ${a.target.osUser} ${a.target.comment} (${a.person?.email ?? '-'})`
    : a.kind === 'lock-host-user'
      ? `lock ${a.target.instanceId} ${a.target.osUser} (${a.person?.email ?? '-'})`
      : a.kind;
const hostFindings = (p: Plan): Finding[] => p.findings.filter((f) => f.instanceId !== undefined);

describe('keyBodyOf', () => {
  it('finds the body of a key line with or without options and comment', () => {
    expect(keyBodyOf(line('x'))).toBe(body('x'));
    expect(keyBodyOf(body('x'))).toBe(body('x'));
    expect(keyBodyOf(`from="10.0.0.1",no-pty ${line('x')}`)).toBe(body('x'));
    expect(keyBodyOf(`command="echo ${body('y')}" ${line('x')}`)).toBe(body('x'));
    expect(keyBodyOf('not a key')).toBeUndefined();
  });
});

describe('planHosts', () => {
  it("removes a leaver's IAM SSH key wherever it was copied, and locks only the leaver's own account", () => {
    const p = planFor({
      hosts: [
        createDummyHost({
          keys: [
            createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam'), comment: 'bob@laptop' }),
            createDummyHostKey({ osUser: 'ec2-user', keyBody: body('bob-iam'), comment: 'copied', line: 2 }),
            createDummyHostKey({ osUser: 'alice', keyBody: body('alice') }),
          ],
        }),
      ],
    });
    expect(hostActions(p).map(summary)).toEqual([
      `remove ${WEB} bob bob@laptop (bob@example.com)`,
      `lock ${WEB} bob (bob@example.com)`,
      `remove ${WEB} ec2-user copied (bob@example.com)`,
    ]);
    const remove = hostActions(p)[0];
    expect(remove).toMatchObject({
      account: ACCOUNT,
      userName: hostPrincipal(WEB, 'bob'),
      reason: 'departed',
      control: 'offboarding-24h',
      person: { employeeId: 'E2', email: 'bob@example.com' },
      target: { instanceId: WEB, osUser: 'bob', keyType: 'ssh-ed25519', keyBody: body('bob-iam'), comment: 'bob@laptop' },
    });
    expect(hostFindings(p)).toEqual([]);
  });

  it("matches by the roster's ssh_keys (options and comments ignored) and by the account named after the person", () => {
    const leo = createDummyPerson({ employeeId: 'E12', email: 'leo@example.com', status: 'departed', endAt: daysBefore(1), sshKeys: [`no-pty ${line('leo', 'old comment')}`] });
    const p = planFor({
      people: [alice, leo],
      users: [],
      hosts: [
        createDummyHost({
          keys: [
            createDummyHostKey({ osUser: 'deploy', keyBody: body('leo'), comment: 'new comment' }),
            createDummyHostKey({ osUser: 'leo', keyBody: body('leo-unknown'), comment: 'phone' }),
          ],
        }),
      ],
    });
    expect(hostActions(p).map(summary)).toEqual([`remove ${WEB} deploy new comment (leo@example.com)`, `remove ${WEB} leo phone (leo@example.com)`, `lock ${WEB} leo (leo@example.com)`]);
  });

  it('maps host accounts with hosts.userMap and by aws_usernames', () => {
    const p = planFor({
      people: [alice, createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(2), awsUsernames: ['bmartins'] })],
      users: [],
      policy: { hosts: { lockUsers: true, userMap: { 'deploy-bob': 'Bob@Example.com' } } },
      hosts: [createDummyHost({ keys: [createDummyHostKey({ osUser: 'deploy-bob', keyBody: body('b1') }), createDummyHostKey({ osUser: 'bmartins', keyBody: body('b2') })] })],
    });
    expect(hostActions(p).map(summary)).toEqual([
      `remove ${WEB} bmartins  (bob@example.com)`,
      `lock ${WEB} bmartins (bob@example.com)`,
      `remove ${WEB} deploy-bob  (bob@example.com)`,
      `lock ${WEB} deploy-bob (bob@example.com)`,
    ]);
  });

  it('keeps the keys of people still working, on leave or leaving later', () => {
    const p = planFor({
      hosts: [
        createDummyHost({
          keys: [
            createDummyHostKey({ osUser: 'alice', keyBody: body('a') }),
            createDummyHostKey({ osUser: 'dan', keyBody: body('d') }),
            createDummyHostKey({ osUser: 'erin', keyBody: body('e') }),
          ],
        }),
      ],
    });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p)).toEqual([]);
  });

  it('reports keys that match nobody as orphan-host-key, root included', () => {
    const p = planFor({
      people: [alice, bob, createDummyPerson({ employeeId: 'E9', email: 'root@example.com' })],
      hosts: [
        createDummyHost({
          keys: [
            createDummyHostKey({ osUser: 'ec2-user', keyBody: body('who'), comment: 'contractor@old-laptop', line: 3 }),
            createDummyHostKey({ osUser: 'root', keyBody: body('root-key'), file: '/root/.ssh/authorized_keys' }),
          ],
        }),
      ],
    });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => [f.kind, f.severity, f.control, f.instanceId, f.userName])).toEqual([
      ['orphan-host-key', 'medium', 'account-ownership', WEB, 'ec2-user'],
      ['orphan-host-key', 'medium', 'account-ownership', WEB, 'root'],
    ]);
    expect(hostFindings(p)[0]?.detail).toMatch(/^ssh-ed25519 key "contractor@old-laptop" in \/home\/ec2-user\/\.ssh\/authorized_keys line 3 matches no roster person/);
  });

  it('takes no action on a key listed for a leaver and for someone still working', () => {
    const shared = createDummyPerson({ ...alice, sshKeys: [line('bob-iam')] });
    const p = planFor({ people: [shared, bob], hosts: [createDummyHost({ keys: [createDummyHostKey({ osUser: 'ec2-user', keyBody: body('bob-iam') })] })] });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => [f.kind, f.severity])).toEqual([['ambiguous-identity', 'high']]);
    expect(hostFindings(p)[0]?.detail).toContain('alice@example.com, bob@example.com');
  });

  it('takes no action on an unknown key in an account whose name fits two people', () => {
    const other = createDummyPerson({ employeeId: 'E7', email: 'bob@other.example', status: 'active' });
    const p = planFor({ people: [bob, other], users: [], hosts: [createDummyHost({ keys: [createDummyHostKey({ osUser: 'bob', keyBody: body('x') })] })] });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => f.kind)).toEqual(['ambiguous-identity']);
  });

  it('keeps break-glass IAM keys and reports keys of IAM users that no roster person owns', () => {
    const glass = createDummyUserWithDetail({ userName: 'break-glass-admin' }, { sshPublicKeys: [{ id: 'APKAGLASS000000000001', status: 'Active', body: line('glass') }] });
    const stray = createDummyUserWithDetail({ userName: 'old-contractor' }, { sshPublicKeys: [{ id: 'APKAOLDC0000000000001', status: 'Active', body: line('stray') }] });
    const p = planFor({
      users: [bobIam, glass, stray],
      hosts: [createDummyHost({ keys: [createDummyHostKey({ osUser: 'ec2-user', keyBody: body('glass') }), createDummyHostKey({ osUser: 'ec2-user', keyBody: body('stray') })] })],
    });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => f.detail)).toEqual([expect.stringContaining(`is the SSH key of IAM user ${ACCOUNT}/old-contractor, which has no single roster owner`)]);
  });

  it('reports a host that did not answer, and plans nothing on it', () => {
    const p = planFor({ hosts: [createDummyHost({ instanceId: DB, status: 'unreachable', error: 'SSM could not deliver the inventory command (TimedOut/DeliveryTimedOut)' })] });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => [f.kind, f.severity, f.instanceId, f.account])).toEqual([['host-unreachable', 'high', DB, ACCOUNT]]);
    expect(hostFindings(p)[0]?.detail).toMatch(/DeliveryTimedOut.*read again on the next run/);
  });

  it('reports a host read only in part, and still acts on what it read', () => {
    const p = planFor({ hosts: [createDummyHost({ error: '/home/x/.ssh/authorized_keys (x): unreadable', keys: [createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam') })] })] });
    expect(hostActions(p).map((a) => a.kind)).toEqual(['remove-host-key', 'lock-host-user']);
    expect(hostFindings(p).map((f) => [f.kind, f.severity])).toEqual([['host-unreachable', 'medium']]);
  });

  it('locks nothing when hosts.lockUsers is off, or when the account is already locked', () => {
    const keys = [createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam') })];
    expect(hostActions(planFor({ policy: { hosts: { lockUsers: false } }, hosts: [createDummyHost({ keys })] })).map((a) => a.kind)).toEqual(['remove-host-key']);
    expect(hostActions(planFor({ hosts: [createDummyHost({ keys, lockedUsers: ['bob'] })] })).map((a) => a.kind)).toEqual(['remove-host-key']);
  });

  it('plans one removal per account and key, however often the key is listed, with stable ids', () => {
    const keys = [
      createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam'), line: 1 }),
      createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam'), line: 4, file: '/home/bob/.ssh/authorized_keys2' }),
    ];
    const first = planFor({ hosts: [createDummyHost({ keys })] });
    const again = planFor({ hosts: [createDummyHost({ keys: [...keys].reverse() })] });
    expect(hostActions(first).filter((a) => a.kind === 'remove-host-key')).toHaveLength(1);
    expect(hostActions(first).map((a) => a.id)).toEqual(hostActions(again).map((a) => a.id));
  });
});

describe('remainingOnHost', () => {
  const remove = hostActions(planFor({ hosts: [createDummyHost({ keys: [createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam'), comment: 'bob@laptop' })] })] }));

  it('is empty once the keys are gone and the account is locked', () => {
    expect(remainingOnHost(createDummyHost({ lockedUsers: ['bob'], keys: [createDummyHostKey({ osUser: 'alice', keyBody: body('bob-iam') })] }), remove)).toEqual([]);
  });

  it('names what is still open, or why nothing could be checked', () => {
    const still = createDummyHost({ keys: [createDummyHostKey({ osUser: 'bob', keyBody: body('bob-iam'), comment: 'bob@laptop' })] });
    expect(remainingOnHost(still, remove)).toEqual(['ssh-ed25519 key "bob@laptop" in /home/bob/.ssh/authorized_keys line 1 still present', 'host account bob is not locked']);
    expect(remainingOnHost(createDummyHost({ status: 'unreachable', error: 'Undeliverable' }), remove)).toEqual(['host could not be re-read: Undeliverable']);
    expect(remainingOnHost(undefined, remove)).toEqual(['host was not re-read']);
  });
});

describe('planHosts against a leaver who fights back', () => {
  // Real key bodies, so fingerprints are OpenSSH's.
  const realBody = (seed: string): string => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.from(seed.padEnd(32, '#').slice(0, 32))]);
    return blob.toString('base64');
  };
  const bobKey = realBody('bob-laptop');
  const bobWithKey = createDummyUserWithDetail(
    { userName: 'bob', tags: { employee_id: 'E2' } },
    { sshPublicKeys: [{ id: 'APKABOB00000000000002', status: 'Active', body: `ssh-ed25519 ${bobKey} bob@laptop` }] },
  );

  it('matches a key by the fingerprint OpenSSH read on the host, however its line was written', () => {
    const p = planFor({
      users: [bobWithKey],
      hosts: [
        createDummyHost({
          accounts: [{ name: 'ec2-user', uid: 1000 }],
          keys: [createDummyHostKey({ osUser: 'ec2-user', keyBody: bobKey, comment: 'hidden', fingerprint: keyFingerprint(bobKey) ?? '' })],
        }),
      ],
    });
    expect(hostActions(p).map(summary)).toEqual([`remove ${WEB} ec2-user hidden (bob@example.com)`]);
    expect(remainingOnHost(createDummyHost({ keys: [createDummyHostKey({ osUser: 'ec2-user', keyBody: bobKey, fingerprint: keyFingerprint(bobKey) ?? '' })] }), hostActions(p))).toEqual([
      'ssh-ed25519 key in /home/ec2-user/.ssh/authorized_keys line 1 still present',
    ]);
  });

  it("locks the leaver's own account whether or not a key was found in it, directory accounts included", () => {
    const p = planFor({
      users: [],
      hosts: [
        createDummyHost({
          accounts: [
            { name: 'root', uid: 0 },
            { name: 'bob', uid: 1001 },
            { name: 'alice', uid: 1002 },
          ],
        }),
        createDummyHost({ instanceId: DB, accounts: [{ name: 'bob', uid: 50001 }], lockedUsers: [] }),
      ],
    });
    expect(hostActions(p).map(summary)).toEqual([`lock ${WEB} bob (bob@example.com)`, `lock ${DB} bob (bob@example.com)`]);
  });

  it('never takes a system or shared account as a person’s own: no lock, and unknown keys in it are not that person’s', () => {
    const ec2 = createDummyPerson({ employeeId: 'E7', email: 'ops-lead@example.com', status: 'departed', endAt: daysBefore(3), awsUsernames: ['ec2-user', 'deploy'] });
    const backup = createDummyPerson({ employeeId: 'E8', email: 'backup@example.com', status: 'departed', endAt: daysBefore(3) });
    const p = planFor({
      people: [alice, ec2, backup],
      users: [bobWithKey],
      policy: { hosts: { lockUsers: true, userMap: { 'ssm-user': 'ops-lead@example.com' }, sharedAccounts: ['ec2-user', 'ssm-user', 'deploy'] } },
      hosts: [
        createDummyHost({
          accounts: [
            { name: 'ec2-user', uid: 1000 },
            { name: 'ssm-user', uid: 1001 },
            { name: 'deploy', uid: 1002 },
            { name: 'backup', uid: 34 },
          ],
          keys: [
            createDummyHostKey({ osUser: 'ec2-user', keyBody: realBody('someone'), comment: 'unknown' }),
            createDummyHostKey({ osUser: 'backup', keyBody: realBody('backup'), comment: 'sys' }),
          ],
        }),
      ],
    });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => [f.kind, f.userName])).toEqual([
      ['orphan-host-key', 'backup'],
      ['orphan-host-key', 'ec2-user'],
    ]);
  });

  it('uses the default shared list and uid threshold when the config names none', () => {
    const p = planFor({
      people: [alice, createDummyPerson({ employeeId: 'E9', email: 'x@example.com', status: 'departed', endAt: daysBefore(3), awsUsernames: ['ec2-user', 'ubuntu', 'ssm-user', 'nobody'] })],
      users: [],
      hosts: [
        createDummyHost({
          accounts: [
            { name: 'ec2-user', uid: 1000 },
            { name: 'ubuntu', uid: 1001 },
            { name: 'ssm-user', uid: 1002 },
            { name: 'nobody', uid: 65534 - 65000 },
          ],
          keys: [createDummyHostKey({ osUser: 'ubuntu', keyBody: realBody('ubuntu'), comment: 'unknown' })],
        }),
      ],
    });
    expect(hostActions(p)).toEqual([]);
    expect(hostFindings(p).map((f) => [f.kind, f.userName])).toEqual([['orphan-host-key', 'ubuntu']]);
  });

  it('reports a line OpenSSH does not read as a key as a finding', () => {
    const p = planFor({
      hosts: [createDummyHost({ unparsedLines: [{ osUser: 'ops', file: '/home/ops/.ssh/authorized_keys', line: 4, reason: 'not a key OpenSSH reads' }] })],
    });
    expect(hostFindings(p).map((f) => [f.kind, f.severity, f.userName, f.detail])).toEqual([
      [
        'unparsed-host-key-line',
        'low',
        'ops',
        '/home/ops/.ssh/authorized_keys line 4: not a key OpenSSH reads; sshd grants nothing through it today, but a person should remove or fix it',
      ],
    ]);
  });
});
