/**
 * The edges of host planning (src/domain/planning/hosts.ts): every finding text word for word, uid and name limits
 * hit exactly, keys shared by several leavers, keys whose body gives no fingerprint, and what a re-read host proves.
 * A leaver controls their own home folder, so what a host reports is judged, never trusted. Each case here was a
 * mutant no test noticed (docs/mutation.md, session 5).
 */
import { citation } from '../../src/domain/controls';
import type { HostInventory, HostKey, IamUser } from '../../src/domain/inventory';
import type { Action, Finding, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import { keyBodyOf, remainingOnHost } from '../../src/domain/planning/hosts';
import type { AccessPolicy } from '../../src/domain/policy';
import type { Person } from '../../src/domain/roster';
import { ACCOUNT, NOW, createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUserWithDetail, daysBefore } from '../fixtures/builders';

const WEB = 'i-0aaaaaaaaaaaaaaa1';
const DB = 'i-0bbbbbbbbbbbbbbb2';

const body = (seed: string): string =>
  Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.from(seed.padEnd(32, '#').slice(0, 32))]).toString('base64');
const line = (seed: string): string => `ssh-ed25519 ${body(seed)} ${seed}@laptop`;

const hostKey = (overrides: Partial<HostKey> & { readonly osUser: string; readonly keyBody: string }): HostKey => ({
  instanceId: WEB,
  file: `/home/${overrides.osUser}/.ssh/authorized_keys`,
  line: 1,
  keyType: 'ssh-ed25519',
  comment: '',
  ...overrides,
});
const host = (overrides: Partial<HostInventory> = {}): HostInventory => ({ instanceId: WEB, account: ACCOUNT, status: 'ok', keys: [], lockedUsers: [], ...overrides });

const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(2) });
const amy = createDummyPerson({ employeeId: 'E3', email: 'amy@example.com', status: 'departed', endAt: daysBefore(2) });
const alice = createDummyPerson({ employeeId: 'E1', email: 'alice@example.com' });

const planFor = (s: { people?: readonly Person[]; users?: readonly IamUser[]; hosts: readonly HostInventory[]; policy?: Partial<AccessPolicy> }): Plan =>
  plan({
    roster: createDummyRoster(s.people ?? [alice, bob]),
    inventory: createDummyInventory(s.users ?? [], { hosts: s.hosts }),
    policy: createDummyPolicy(s.policy),
    now: NOW,
  });
const hostActions = (p: Plan): Action[] => p.actions.filter((a) => a.kind === 'remove-host-key' || a.kind === 'lock-host-user');
const hostFindings = (p: Plan): Finding[] => p.findings.filter((f) => f.instanceId !== undefined);
const brief = (a: Action): string => `${a.kind} ${a.userName} ${a.person?.email ?? '-'}`;

describe('host findings, word for word', () => {
  it('a host that did not answer, with and without a reason', () => {
    const p = planFor({ hosts: [host({ status: 'unreachable', error: 'Undeliverable' }), host({ instanceId: DB, status: 'unreachable' })] });
    const tail = `its SSH keys are unchecked and it is read again on the next run — ${citation('offboarding-24h')}`;
    expect(hostFindings(p)).toEqual([
      { kind: 'host-unreachable', severity: 'high', control: 'offboarding-24h', account: ACCOUNT, instanceId: WEB, detail: `host did not answer (Undeliverable); ${tail}` },
      { kind: 'host-unreachable', severity: 'high', control: 'offboarding-24h', account: ACCOUNT, instanceId: DB, detail: `host did not answer (no reason given); ${tail}` },
    ]);
    expect(hostActions(p)).toEqual([]);
  });

  it('a host read only in part', () => {
    const p = planFor({ hosts: [host({ error: '/home/x/.ssh/authorized_keys (x): unreadable' })] });
    expect(hostFindings(p)).toEqual([
      {
        kind: 'host-unreachable',
        severity: 'medium',
        control: 'offboarding-24h',
        account: ACCOUNT,
        instanceId: WEB,
        detail: 'host read only in part (/home/x/.ssh/authorized_keys (x): unreadable); keys in what could not be read are unchecked',
      },
    ]);
  });

  it('a key of no one, with and without a comment', () => {
    const p = planFor({
      hosts: [host({ keys: [hostKey({ osUser: 'ec2-user', keyBody: body('who'), comment: 'old', line: 7 }), hostKey({ osUser: 'ubuntu', keyBody: body('what'), keyType: 'ssh-rsa' })] })],
    });
    const tail = `matches no roster person, IAM SSH key or host account mapping — ${citation('account-ownership')}`;
    expect(hostFindings(p)).toEqual([
      { kind: 'orphan-host-key', severity: 'medium', control: 'account-ownership', account: ACCOUNT, instanceId: WEB, userName: 'ec2-user', detail: `ssh-ed25519 key "old" in /home/ec2-user/.ssh/authorized_keys line 7 ${tail}` },
      { kind: 'orphan-host-key', severity: 'medium', control: 'account-ownership', account: ACCOUNT, instanceId: WEB, userName: 'ubuntu', detail: `ssh-rsa key in /home/ubuntu/.ssh/authorized_keys line 1 ${tail}` },
    ]);
  });

  it('a key of IAM users no roster person owns, each named', () => {
    const stray1 = createDummyUserWithDetail({ userName: 'old-contractor' }, { sshPublicKeys: [{ id: 'APKAOLDC0000000000001', status: 'Active', body: line('stray') }] });
    const stray2 = createDummyUserWithDetail({ userName: 'temp' }, { sshPublicKeys: [{ id: 'APKATEMP0000000000001', status: 'Inactive', body: line('stray') }] });
    const p = planFor({ users: [stray1, stray2], hosts: [host({ keys: [hostKey({ osUser: 'ec2-user', keyBody: body('stray') })] })] });
    expect(hostFindings(p).map((f) => f.detail)).toEqual([
      `ssh-ed25519 key in /home/ec2-user/.ssh/authorized_keys line 1 is the SSH key of IAM user ${ACCOUNT}/old-contractor, ${ACCOUNT}/temp, which has no single roster owner — ${citation('account-ownership')}`,
    ]);
  });

  it('a key listed for a leaver and someone working, and an unknown key in an account whose name fits two people', () => {
    const sharedKey = createDummyPerson({ ...alice, sshKeys: [line('bob')] });
    const bobKeys = createDummyPerson({ ...bob, sshKeys: [line('bob')] });
    const p1 = planFor({ people: [sharedKey, bobKeys], hosts: [host({ keys: [hostKey({ osUser: 'ec2-user', keyBody: body('bob'), comment: 'c' })] })] });
    expect(hostFindings(p1)).toEqual([
      {
        kind: 'ambiguous-identity',
        severity: 'high',
        control: 'account-ownership',
        account: ACCOUNT,
        instanceId: WEB,
        userName: 'ec2-user',
        detail:
          'ssh-ed25519 key "c" in /home/ec2-user/.ssh/authorized_keys line 1 is listed for people who left and people who did not ' +
          '(alice@example.com, bob@example.com); no automatic action until a person decides',
      },
    ]);
    const twin = createDummyPerson({ employeeId: 'E7', email: 'bob@other.example' });
    const p2 = planFor({ people: [twin, bob], hosts: [host({ keys: [hostKey({ osUser: 'Bob', keyBody: body('x') })] })] });
    expect(hostFindings(p2).map((f) => f.detail)).toEqual([
      'ssh-ed25519 key in /home/Bob/.ssh/authorized_keys line 1 is an unknown key in host account Bob, whose name fits bob@example.com, bob@other.example; no automatic action until a person decides',
    ]);
    expect(hostActions(p2)).toEqual([]);
  });
});

describe('who a key and an account belong to', () => {
  it('a key every holder of which has left goes, attributed to the first of them by email', () => {
    const p = planFor({
      people: [createDummyPerson({ ...bob, sshKeys: [line('pair')] }), createDummyPerson({ ...amy, sshKeys: [line('pair')] })],
      policy: { hosts: { lockUsers: false } },
      hosts: [host({ keys: [hostKey({ osUser: 'ec2-user', keyBody: body('pair') })] })],
    });
    expect(hostActions(p).map(brief)).toEqual([`remove-host-key ${WEB}:ec2-user amy@example.com`]);
    const reversed = planFor({
      people: [createDummyPerson({ ...amy, sshKeys: [line('pair')] }), createDummyPerson({ ...bob, sshKeys: [line('pair')] })],
      policy: { hosts: { lockUsers: false } },
      hosts: [host({ keys: [hostKey({ osUser: 'ec2-user', keyBody: body('pair') })] })],
    });
    expect(hostActions(reversed).map(brief)).toEqual([`remove-host-key ${WEB}:ec2-user amy@example.com`]);
  });

  it('the same key in two accounts is removed from each; listed twice in one, once', () => {
    const p = planFor({
      people: [alice, createDummyPerson({ ...bob, sshKeys: [line('bob')] })],
      policy: { hosts: { lockUsers: false } },
      hosts: [
        host({
          keys: [
            hostKey({ osUser: 'ec2-user', keyBody: body('bob') }),
            hostKey({ osUser: 'ubuntu', keyBody: body('bob') }),
            hostKey({ osUser: 'ubuntu', keyBody: body('bob'), line: 9 }),
          ],
        }),
      ],
    });
    expect(hostActions(p).map(brief)).toEqual([`remove-host-key ${WEB}:ec2-user bob@example.com`, `remove-host-key ${WEB}:ubuntu bob@example.com`]);
  });

  it('a key body that gives no fingerprint is still matched, by the body itself, and only to the same body', () => {
    const odd = 'AAAAB3NzaC1yc2EAAAADAQABAAAB'; // base64-looking, but its blob names no key
    const p = planFor({
      people: [alice, createDummyPerson({ ...bob, sshKeys: [`ssh-rsa ${odd}x bob@old`] })],
      policy: { hosts: { lockUsers: false } },
      hosts: [host({ keys: [hostKey({ osUser: 'ec2-user', keyBody: `${odd}x` }), hostKey({ osUser: 'ubuntu', keyBody: `${odd}y` })] })],
    });
    expect(hostActions(p).map(brief)).toEqual([`remove-host-key ${WEB}:ec2-user bob@example.com`]);
    expect(hostFindings(p).map((f) => [f.kind, f.userName])).toEqual([['orphan-host-key', 'ubuntu']]);
  });

  it('an account at the uid threshold is a person\'s own; one below it is a system account', () => {
    const accounts = [
      { name: 'bob', uid: 1000 },
      { name: 'bobby', uid: 999 },
    ];
    const bobby = createDummyPerson({ employeeId: 'E5', email: 'bobby@example.com', status: 'departed', endAt: daysBefore(2) });
    const p = planFor({ people: [bob, bobby], hosts: [host({ accounts })] });
    expect(hostActions(p).map(brief)).toEqual([`lock-host-user ${WEB}:bob bob@example.com`]);
    const raised = planFor({ people: [bob, bobby], hosts: [host({ accounts })], policy: { hosts: { lockUsers: true, minUid: 1001 } } });
    expect(hostActions(raised)).toEqual([]);
    const lowered = planFor({ people: [bob, bobby], hosts: [host({ accounts })], policy: { hosts: { lockUsers: true, minUid: 999 } } });
    expect(hostActions(lowered).map(brief)).toEqual([`lock-host-user ${WEB}:bob bob@example.com`, `lock-host-user ${WEB}:bobby bobby@example.com`]);
  });

  it('an account with no uid reported is judged by its name alone; root never belongs to anyone', () => {
    const rootPerson = createDummyPerson({ employeeId: 'E9', email: 'root@example.com', status: 'departed', endAt: daysBefore(2) });
    const p = planFor({
      people: [bob, rootPerson],
      policy: { hosts: { lockUsers: true, sharedAccounts: [] } },
      hosts: [host({ keys: [hostKey({ osUser: 'bob', keyBody: body('k1') }), hostKey({ osUser: 'root', keyBody: body('k2') })] })],
    });
    expect(hostActions(p).map(brief)).toEqual([`remove-host-key ${WEB}:bob bob@example.com`, `lock-host-user ${WEB}:bob bob@example.com`]);
  });

  it('hosts.userMap names the owner whatever the case of the email, and maps to no one when the email is not on the roster', () => {
    const p = planFor({
      policy: { hosts: { lockUsers: true, userMap: { svc9: 'BOB@Example.com', ghost: 'nobody@example.com' } } },
      hosts: [host({ accounts: [{ name: 'svc9', uid: 2001 }, { name: 'ghost', uid: 2002 }], keys: [hostKey({ osUser: 'ghost', keyBody: body('g') })] })],
    });
    expect(hostActions(p).map(brief)).toEqual([`lock-host-user ${WEB}:svc9 bob@example.com`]);
    expect(hostFindings(p).map((f) => [f.kind, f.userName])).toEqual([['orphan-host-key', 'ghost']]);
  });

  it('an account named after a person matches whatever its case, and by an IAM user name of a matched user', () => {
    const bobIam = createDummyUserWithDetail({ userName: 'rjones', tags: { employee_id: 'E2' } }, {});
    const p = planFor({ users: [bobIam], hosts: [host({ accounts: [{ name: 'BOB', uid: 2001 }, { name: 'rjones', uid: 2002 }] })] });
    expect(hostActions(p).map(brief)).toEqual([`lock-host-user ${WEB}:BOB bob@example.com`, `lock-host-user ${WEB}:rjones bob@example.com`]);
  });

  it('an already locked account is not locked again, and a working person\'s account never', () => {
    const p = planFor({ hosts: [host({ accounts: [{ name: 'bob', uid: 2001 }, { name: 'alice', uid: 2002 }], lockedUsers: ['bob'] })] });
    expect(hostActions(p)).toEqual([]);
  });
});

describe('keyBodyOf', () => {
  it('takes the first word that looks like a key body, split on spaces and tabs', () => {
    expect(keyBodyOf(`ssh-ed25519\t${body('x')}\tc`)).toBe(body('x'));
    expect(keyBodyOf(`  ${body('x')}  `)).toBe(body('x'));
    expect(keyBodyOf('AAAAQ===')).toBe('AAAAQ===');
    expect(keyBodyOf('AAAAQ====')).toBeUndefined();
    expect(keyBodyOf('AAAA')).toBeUndefined();
    expect(keyBodyOf('xAAAAQ')).toBeUndefined();
    expect(keyBodyOf('AAAAQ!')).toBeUndefined();
    expect(keyBodyOf('AAAAQ=x')).toBeUndefined();
  });
});

describe('remainingOnHost', () => {
  const removal = hostActions(
    planFor({ people: [alice, createDummyPerson({ ...bob, sshKeys: [line('bob')] })], hosts: [host({ keys: [hostKey({ osUser: 'bob', keyBody: body('bob'), comment: 'c' })] })] }),
  );

  it('says why nothing could be checked on a host that did not answer', () => {
    expect(remainingOnHost(host({ status: 'unreachable' }), removal)).toEqual(['host could not be re-read: no answer']);
  });

  it('counts only keys of the same account with the same fingerprint, and actions on this host', () => {
    const elsewhere = host({ lockedUsers: ['bob'], keys: [hostKey({ osUser: 'ubuntu', keyBody: body('bob') }), hostKey({ osUser: 'bob', keyBody: body('other') })] });
    expect(remainingOnHost(elsewhere, removal)).toEqual([]);
    expect(remainingOnHost(host({ instanceId: DB }), removal)).toEqual([]);
    expect(remainingOnHost(host({ lockedUsers: ['bob'] }), [{ ...removal[0]!, kind: 'attach-deny-all' } as unknown as Action])).toEqual([]);
  });

  it('names a partial re-read when keys were to be removed, and not for locks alone', () => {
    const partial = host({ lockedUsers: ['bob'], error: 'E: unreadable' });
    expect(remainingOnHost(partial, removal)).toEqual(['host read only in part: E: unreadable']);
    expect(remainingOnHost(partial, removal.filter((a) => a.kind === 'lock-host-user'))).toEqual([]);
  });
});

describe('session 6: keys of IAM users without a single roster owner', () => {
  const orphans = (p: Plan): string[] => hostFindings(p).filter((f) => f.kind === 'orphan-host-key').map((f) => `${f.userName} ${f.detail.split(' — ')[0] ?? ''}`);

  it('a break-glass IAM user\'s SSH key on a host is kept, never an orphan', () => {
    const breakGlass = createDummyUserWithDetail({ userName: 'break-glass-admin' }, { sshPublicKeys: [{ id: 'APKABG00000000000001', status: 'Active', body: line('glass') }] });
    const p = planFor({ users: [breakGlass], hosts: [host({ keys: [hostKey({ osUser: 'ops', keyBody: body('glass') })] })] });
    expect(hostFindings(p)).toEqual([]);
    expect(hostActions(p)).toEqual([]);
  });

  it('a service account\'s SSH key on a host is kept, never an orphan', () => {
    const bot = createDummyUserWithDetail({ userName: 'ci-bot' }, { sshPublicKeys: [{ id: 'APKABOT0000000000001', status: 'Active', body: line('bot') }] });
    const p = planFor({ users: [bot], hosts: [host({ keys: [hostKey({ osUser: 'deploy', keyBody: body('bot') })] })], policy: { serviceAccounts: [{ userName: 'ci-bot', owner: 'alice@example.com' }] } as Partial<AccessPolicy> });
    expect(hostFindings(p)).toEqual([]);
  });

  it('a key shared by an exempt IAM user and an unowned one is kept (a person decides about the exempt one)', () => {
    const breakGlass = createDummyUserWithDetail({ userName: 'break-glass-admin' }, { sshPublicKeys: [{ id: 'APKABG00000000000001', status: 'Active', body: line('shared') }] });
    const stray = createDummyUserWithDetail({ userName: 'temp' }, { sshPublicKeys: [{ id: 'APKATEMP0000000000001', status: 'Active', body: line('shared') }] });
    const p = planFor({ users: [stray, breakGlass], hosts: [host({ keys: [hostKey({ osUser: 'ops', keyBody: body('shared') })] })] });
    expect(hostFindings(p)).toEqual([]);
  });

  it('the same unknown key listed twice for one host account is one finding', () => {
    const keys = [hostKey({ osUser: 'ops', keyBody: body('nobody') }), hostKey({ osUser: 'ops', keyBody: body('nobody'), file: '/home/ops/.ssh/authorized_keys2' })];
    expect(orphans(planFor({ hosts: [host({ keys })] }))).toEqual(['ops ssh-ed25519 key in /home/ops/.ssh/authorized_keys line 1 matches no roster person, IAM SSH key or host account mapping']);
  });
});
