import { createHash } from 'node:crypto';
import { DENY_ALL_POLICY_DOCUMENT } from '../../src/domain/policy';
import {
  accessRecordsOf,
  canGetIn,
  carryForward,
  recordHash,
  recordKey,
  sshFingerprint,
} from '../../src/domain/evidence/access-records';
import type { AccessRecord } from '../../src/domain/evidence/access-records';
import { ownersFromRoster } from '../../src/domain/evidence/owners';
import { accessAt, diffSnapshot, holdingsOverTime, indexRecords } from '../../src/domain/evidence/snapshot';
import type { RecordSpan } from '../../src/domain/evidence/snapshot';
import type { HostInventory } from '../../src/domain/inventory';
import {
  ACCOUNT,
  NOW,
  createDummyCredentials,
  createDummyInventory,
  createDummyPerson,
  createDummyRoster,
  createDummyUser,
  createDummyUserWithDetail,
} from '../fixtures/builders';

const OPTIONS = { denyAllPolicyName: 'warden-deny-all' };
const KEY_BODY = 'AAAAC3NzaC1lZDI1NTE5AAAAIAz9x2ah6VVC6qPqZJ8UQtn4xD7xnumpeUAheHSsIdN1';

const createDummyHost = (overrides: Partial<HostInventory> = {}): HostInventory => ({
  instanceId: 'i-0abc',
  account: ACCOUNT,
  status: 'ok',
  keys: [{ instanceId: 'i-0abc', osUser: 'bob', file: '/home/bob/.ssh/authorized_keys', line: 1, keyType: 'ssh-ed25519', keyBody: KEY_BODY, comment: 'bob@laptop' }],
  lockedUsers: [],
  ...overrides,
});

const iam = (record: AccessRecord | undefined): Extract<AccessRecord, { kind: 'iam-user' }> => {
  if (record?.kind !== 'iam-user') throw new Error('expected an IAM user record');
  return record;
};

describe('access records', () => {
  it('keeps access paths from live detail and drops volatile fields', () => {
    const user = createDummyUserWithDetail(
      { userName: 'bob', groups: ['developers'], attachedPolicies: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] },
      {
        loginProfile: { createdAt: NOW },
        accessKeys: [
          { id: 'AKIA2', status: 'Active', createdAt: NOW, lastUsedAt: NOW },
          { id: 'AKIA1', status: 'Inactive', createdAt: NOW },
        ],
        sshPublicKeys: [{ id: 'APKA1', status: 'Active' }],
      },
    );
    const { records } = accessRecordsOf(createDummyInventory([user]), OPTIONS);
    const record = iam(records[0]);

    expect(recordKey(record)).toBe(`iam/${ACCOUNT}/bob`);
    expect(record.paths).toEqual([
      { kind: 'console' },
      { kind: 'access-key', id: 'AKIA2' },
      { kind: 'ssh-key', id: 'APKA1' },
      { kind: 'group', name: 'developers' },
      { kind: 'managed-policy', name: 'ReadOnlyAccess' },
    ]);
    expect(record).toMatchObject({ detailKnown: true, credentialsKnown: true, denyAll: false });
    expect(canGetIn(record)).toBe(true);
    expect(JSON.stringify(record)).not.toContain('lastUsed');
  });

  it('hashes the same access equally whatever order AWS listed it in, and differently when it changes', () => {
    const a = createDummyUser({ userName: 'bob', groups: ['a', 'b'], credentials: createDummyCredentials({ passwordEnabled: true }) });
    const b = createDummyUser({ userName: 'bob', groups: ['b', 'a'], credentials: createDummyCredentials({ passwordEnabled: true, passwordLastUsed: NOW }) });
    const c = createDummyUser({ userName: 'bob', groups: ['a'], credentials: createDummyCredentials({ passwordEnabled: true }) });
    const hash = (u: typeof a): string => recordHash(accessRecordsOf(createDummyInventory([u]), OPTIONS).records[0] as AccessRecord);

    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(c));
  });

  it('uses credential report slots without detail, and a deny-all blocks getting in', () => {
    const user = createDummyUser({
      userName: 'leo',
      inlinePolicies: ['warden-deny-all'],
      inlinePolicyDocuments: { 'warden-deny-all': DENY_ALL_POLICY_DOCUMENT },
      credentials: createDummyCredentials({ accessKeys: [{ slot: 1, active: true }, { slot: 2, active: false }] }),
    });
    const record = iam(accessRecordsOf(createDummyInventory([user]), OPTIONS).records[0]);

    expect(record.paths).toEqual([{ kind: 'access-key', id: 'slot-1' }, { kind: 'inline-policy', name: 'warden-deny-all' }]);
    expect(record).toMatchObject({ denyAll: true, detailKnown: false });
    expect(canGetIn(record)).toBe(false);
  });

  it('records host keys by fingerprint, per OS user, and a locked account cannot get in', () => {
    const { records } = accessRecordsOf(createDummyInventory([], { hosts: [createDummyHost({ lockedUsers: ['bob'] })] }), OPTIONS);
    const expected = `SHA256:${createHash('sha256').update(Buffer.from(KEY_BODY, 'base64')).digest('base64').replace(/=+$/, '')}`;

    expect(records).toEqual([
      {
        kind: 'host-user',
        account: ACCOUNT,
        instanceId: 'i-0abc',
        osUser: 'bob',
        locked: true,
        paths: [{ kind: 'host-key', keyType: 'ssh-ed25519', fingerprint: expected, comment: 'bob@laptop' }],
      },
    ]);
    expect(sshFingerprint(KEY_BODY)).toBe(expected);
    expect(canGetIn(records[0] as AccessRecord)).toBe(false);
  });

  it('names unreadable accounts and hosts so their last state is kept', () => {
    const inventory = createDummyInventory([], {
      accountErrors: [{ account: '999999999999', message: 'AccessDenied' }],
      hosts: [createDummyHost({ status: 'unreachable', keys: [] })],
    });
    expect(accessRecordsOf(inventory, OPTIONS).unread).toEqual([
      { kind: 'account', account: '999999999999' },
      { kind: 'host', instanceId: 'i-0abc' },
    ]);
  });

  it('attributes users and host accounts to roster people', () => {
    const bob = createDummyPerson({ employeeId: 'E2', email: 'bob@example.com' });
    const leo = createDummyPerson({ employeeId: 'E12', email: 'leo@example.com', awsUsernames: ['lpark'] });
    const owners = ownersFromRoster(createDummyRoster([bob, leo]), { employeeIdTag: 'employee_id', emailTag: 'email' }, { deploy: 'leo@example.com' });
    const host = createDummyHost();

    expect(owners.iamUser(createDummyUser({ userName: 'x', tags: { employee_id: 'E2' } }))).toEqual({ employeeId: 'E2', email: 'bob@example.com' });
    expect(owners.iamUser(createDummyUser({ userName: 'lpark' }))).toEqual({ employeeId: 'E12', email: 'leo@example.com' });
    expect(owners.iamUser(createDummyUser({ userName: 'nobody' }))).toBeUndefined();
    expect(owners.hostUser(host, 'bob')).toEqual({ employeeId: 'E2', email: 'bob@example.com' });
    expect(owners.hostUser(host, 'deploy')).toEqual({ employeeId: 'E12', email: 'leo@example.com' });
    expect(owners.hostUser(host, 'root')).toBeUndefined();
  });
});

describe('carryForward', () => {
  const detailed = iam(
    accessRecordsOf(
      createDummyInventory([
        createDummyUserWithDetail({ userName: 'bob' }, { accessKeys: [{ id: 'AKIA9', status: 'Active', createdAt: NOW }], sshPublicKeys: [{ id: 'APKA1', status: 'Active' }] }),
      ]),
      OPTIONS,
    ).records[0],
  );

  it('keeps key ids and SSH keys last read when a run reads the user without detail', () => {
    const bulk = iam(
      accessRecordsOf(createDummyInventory([createDummyUser({ userName: 'bob', credentials: createDummyCredentials({ accessKeys: [{ slot: 1, active: true }] }) })]), OPTIONS)
        .records[0],
    );
    const [merged] = carryForward([detailed], [bulk], []);

    expect(merged).toEqual(detailed);
  });

  it('trusts the credential report when the number of active keys changed', () => {
    const bulk = iam(accessRecordsOf(createDummyInventory([createDummyUser({ userName: 'bob', credentials: createDummyCredentials() })]), OPTIONS).records[0]);
    const [merged] = carryForward([detailed], [bulk], []);

    expect(iam(merged).paths).toEqual([{ kind: 'ssh-key', id: 'APKA1' }]);
  });

  it('keeps principals of unread scopes and drops those gone from read ones', () => {
    const other = { ...detailed, account: '999999999999' };
    const gone = { ...detailed, userName: 'gone' };
    const kept = carryForward([detailed, other, gone], [detailed], [{ kind: 'account', account: '999999999999' }]);

    expect(kept.map(recordKey)).toEqual([`iam/${ACCOUNT}/bob`, 'iam/999999999999/bob']);
  });
});

describe('point-in-time queries', () => {
  const users = [
    createDummyUser({ userName: 'alice', groups: ['developers'], credentials: createDummyCredentials({ passwordEnabled: true }) }),
    createDummyUser({ userName: 'bob', groups: ['developers', 'ops'], inlinePolicies: ['warden-deny-all'], inlinePolicyDocuments: { 'warden-deny-all': DENY_ALL_POLICY_DOCUMENT }, credentials: createDummyCredentials({ passwordEnabled: true }) }),
    createDummyUser({ userName: 'carol', groups: ['admins'], credentials: createDummyCredentials() }),
  ];
  const { records } = accessRecordsOf(createDummyInventory(users, { hosts: [createDummyHost()] }), OPTIONS);

  it('answers who could get in, narrowed by group, account or host', () => {
    expect(accessAt(records, { group: 'Developers' }).map((r) => [r.key, r.canGetIn])).toEqual([
      [`iam/${ACCOUNT}/alice`, true],
      [`iam/${ACCOUNT}/bob`, false],
    ]);
    expect(accessAt(records, { host: 'i-0abc' }).map((r) => r.key)).toEqual(['host/i-0abc/bob']);
    expect(accessAt(records, { account: '000000000000' })).toEqual([]);
    expect(accessAt(records).filter((r) => r.canGetIn)).toHaveLength(2);
  });

  it('diffs only what changed', () => {
    const indexed = indexRecords(records);
    const open = new Map([...indexed].map(([key, { hash }]) => [key, hash]));
    open.set('iam/1/gone', 'x');
    const changed = indexRecords([...records.filter((r) => recordKey(r) !== `iam/${ACCOUNT}/carol`), { ...iam(records[2]), paths: [] }]);

    const diff = diffSnapshot(open, changed);

    expect(diff.open.map((o) => o.key)).toEqual([`iam/${ACCOUNT}/carol`]);
    expect([...diff.close].sort()).toEqual(['iam/1/gone', `iam/${ACCOUNT}/carol`]);
    expect(diff.unchanged).toBe(3);
  });

  it('merges consecutive spans into what was held when, and when it could get in', () => {
    const alice = iam(records[0]);
    const revoked = { ...alice, paths: alice.paths.filter((p) => p.kind !== 'console') };
    const spans: RecordSpan[] = [
      { key: 'k', hash: '1', record: alice, fromSeq: 1, toSeq: 3, firstSeen: 't1', lastSeen: 't2', goneBy: 't3' },
      { key: 'k', hash: '2', record: revoked, fromSeq: 3, firstSeen: 't3', lastSeen: 't4' },
    ];

    const held = holdingsOverTime(spans).map((h) => [h.description, h.firstSeen, h.lastSeen, h.goneBy]);

    expect(held).toEqual(
      expect.arrayContaining([
        ['console password', 't1', 't2', 't3'],
        ['could get in (a live credential, not blocked)', 't1', 't2', 't3'],
        ['group developers', 't1', 't4', undefined],
      ]),
    );
    expect(held).toHaveLength(3);
  });
});
