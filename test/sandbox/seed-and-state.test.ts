import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IAMClient, paginateGetAccountAuthorizationDetails } from '@aws-sdk/client-iam';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { loadSeedFile, parseSeed } from '../../src/sandbox/seed';
import { startSandbox } from '../../src/sandbox/server';
import { parseOpenSshKey } from '../../src/sandbox/ssh';
import { syntheticAccount } from '../../src/sandbox/synthetic';
import { createDummyUser, createTestClock, DEV, EXAMPLE_SEED, PROD } from './helpers';

describe('sandbox seed', () => {
  it('loads the example seed with defaults filled in', async () => {
    const loaded = await loadSeedFile(EXAMPLE_SEED);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.seed.accounts.map((a) => a.id)).toEqual([PROD, DEV]);
    const ci = loaded.seed.accounts[0]?.users.find((u) => u.userName === 'ci-deployer');
    expect(ci?.path).toBe('/service/');
    expect(ci?.accessKeys[0]?.id).toBeUndefined();
    expect(loaded.seed.accounts[1]?.users.find((u) => u.userName === 'carol')?.loginProfile).toEqual({ passwordResetRequired: false });
  });

  it('reports invalid seeds with the path of each bad key', () => {
    const result = parseSeed({
      accounts: [
        {
          id: '12345',
          users: [
            createDummyUser({ userName: 'fine' }),
            createDummyUser({ userName: 'bad name!' }),
            createDummyUser({ userName: 'three-keys', accessKeys: [{}, {}, {}] }),
            createDummyUser({ userName: 'bad-ssh', sshPublicKeys: [{ body: 'ssh-rsa not-base64!' }] }),
            createDummyUser({ userName: 'bad-date', createdAt: 'yesterday' }),
          ],
        },
      ],
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        'seed: accounts.0.id: account id must be 12 digits',
        'seed: accounts.0.users.1.userName: userName must be 1-64 of letters, digits and +=,.@_-',
        'seed: accounts.0.users.2.accessKeys: IAM allows at most 2 access keys per user',
        'seed: accounts.0.users.3.sshPublicKeys.0.body: not an OpenSSH public key line',
        'seed: accounts.0.users.4.createdAt: not an ISO 8601 date: yesterday',
      ]),
    );
  });

  it('reports duplicate users, groups and access key ids once the seed is otherwise valid', () => {
    const result = parseSeed({
      accounts: [
        { id: PROD, groups: [{ name: 'ops' }, { name: 'OPS' }], users: [createDummyUser({ userName: 'dup', accessKeys: [{ id: 'AKIASAMEKEY000000001' }] }), createDummyUser({ userName: 'DUP' })] },
        { id: DEV, accessKeyIds: ['AKIASAMEKEY000000001'] },
        { id: DEV },
      ],
    });
    expect(result.ok ? [] : result.errors).toEqual([
      'seed: accounts.0.users.1.userName: duplicate user DUP (IAM names are case-insensitive)',
      'seed: accounts.0.groups.1.name: duplicate group OPS',
      'seed: accounts.1.accessKeyIds.0: access key id AKIASAMEKEY000000001 is already used by accounts.0.users.0.accessKeys.0.id',
      `seed: accounts.2.id: duplicate account ${DEV}`,
    ]);
  });

  it('reports unreadable YAML as a value, and fromSeed throws on an invalid seed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'warden-seed-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      await writeFile(file, 'accounts: [ { id: "1"');
      const loaded = await loadSeedFile(file);
      expect(loaded.ok).toBe(false);
      expect(loaded.ok ? '' : loaded.errors[0]).toContain('invalid YAML');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => IamSandboxState.fromSeed({ accounts: [] })).toThrow('at least one account is required');
  });
});

describe('IamSandboxState programmatic API', () => {
  const clock = createTestClock();
  const build = () => IamSandboxState.fromSeed({ accounts: [{ id: PROD, groups: [{ name: 'developers' }] }] }, clock.now);

  it('adds users with deterministic AWS-style ids and returns read-only snapshots', () => {
    const state = build();
    const snapshot = state.addUser(
      PROD,
      createDummyUser({
        userName: 'erin',
        groups: ['developers', 'new-group'],
        sshPublicKeys: [{}],
        mfaDevices: [{ virtual: true }, { virtual: false }],
        signingCertificates: [{}],
        serviceSpecificCredentials: [{ serviceName: 'codecommit.amazonaws.com' }],
      }),
    );
    expect(snapshot.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(snapshot.accessKeys[0]?.id).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(snapshot.sshPublicKeys[0]?.id).toMatch(/^APKA[A-Z2-7]{16}$/);
    expect(parseOpenSshKey(snapshot.sshPublicKeys[0]?.body ?? '')?.type).toBe('ssh-ed25519');
    expect(snapshot.signingCertificates[0]?.id).toMatch(/^ASCA[A-Z2-7]{20}$/);
    expect(snapshot.serviceSpecificCredentials[0]?.id).toMatch(/^ACCA[A-Z2-7]{17}$/);
    expect(snapshot.mfaDevices).toEqual([
      { serialNumber: `arn:aws:iam::${PROD}:mfa/erin`, virtual: true },
      { serialNumber: expect.stringMatching(/^GAHT\d{8}$/), virtual: false },
    ]);
    expect(snapshot.groups).toEqual(['developers', 'new-group']);
    expect(state.account(PROD)?.groups.map((g) => g.name)).toEqual(['developers', 'new-group']);
    expect(build().addUser(PROD, createDummyUser({ userName: 'erin' })).accessKeys[0]?.id).toBe(snapshot.accessKeys[0]?.id);
    expect(() => state.addUser(PROD, createDummyUser({ userName: 'ERIN' }))).toThrow('already exists');
  });

  it('keeps markers valid when entities are deleted between pages', () => {
    const state = build();
    for (const name of ['a', 'b', 'c', 'd', 'e']) state.addUser(PROD, createDummyUser({ userName: name, accessKeys: [] }));
    const first = state.listUsers(PROD, { maxItems: 2 });
    if (!first.ok || first.value.marker === undefined) throw new Error('expected a truncated page');
    expect(state.deleteUser(PROD, 'c')).toEqual({ ok: true, value: undefined });
    const second = state.listUsers(PROD, { maxItems: 2, marker: first.value.marker });
    expect(second.ok && second.value.items.map((u) => u.userName)).toEqual(['d', 'e']);
    expect(state.listUsers(PROD, { maxItems: 2, marker: 'garbage' })).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
  });

  it('refuses AssumeRole session names and durations AWS would refuse, and expires sessions on the clock', () => {
    const state = build();
    const caller = state.resolveCaller('anything');
    if (!caller.ok) throw new Error('expected a caller');
    expect(state.assumeRole(caller.value, { roleArn: `arn:aws:iam::${PROD}:role/r`, sessionName: 'x' })).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
    expect(state.assumeRole(caller.value, { roleArn: `arn:aws:iam::${PROD}:role/r`, sessionName: 'ok-name', durationSeconds: 60 })).toMatchObject({
      ok: false,
      error: { code: 'ValidationError' },
    });
    const session = state.assumeRole(caller.value, { roleArn: `arn:aws:iam::${PROD}:role/r`, sessionName: 'ok-name', durationSeconds: 900 });
    if (!session.ok) throw new Error('expected credentials');
    expect(state.resolveCaller(session.value.accessKeyId)).toMatchObject({ ok: true, value: { kind: 'assumed-role', account: PROD } });
    clock.advance(901_000);
    expect(state.resolveCaller(session.value.accessKeyId)).toMatchObject({ ok: false, error: { code: 'ExpiredToken' } });
  });
});

describe('syntheticAccount', () => {
  it('is deterministic and marks every Nth user as a departed leaver with a matching roster row', () => {
    const a = syntheticAccount({ accountId: '555555555555', users: 300, departedEvery: 50, seed: 3 });
    const b = syntheticAccount({ accountId: '555555555555', users: 300, departedEvery: 50, seed: 3 });
    expect(b).toEqual(a);
    expect(a.users).toHaveLength(300);
    expect(a.departedUserNames).toEqual(['leaver-50', 'leaver-100', 'leaver-150', 'leaver-200', 'leaver-250', 'leaver-300']);
    const departedRows = a.roster.filter((r) => r.status === 'departed');
    expect(departedRows.map((r) => r.email)).toEqual(a.departedUserNames.map((n) => `${n}@example.com`));
    expect(departedRows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.end_date))).toBe(true);
    expect(new Set(a.roster.map((r) => r.aws_usernames)).size).toBe(300);
    expect(a.roster.map((r) => r.aws_usernames)).toEqual(a.users?.map((u) => u.userName));
    const tagged = a.users?.filter((u) => u.tags?.['employee_id'] !== undefined).length ?? 0;
    expect(tagged / 300).toBeGreaterThan(0.8);
    expect(a.users?.some((u) => u.loginProfile)).toBe(true);
    expect(syntheticAccount({ accountId: '555555555555', users: 300, seed: 4 }).users).not.toEqual(a.users);
  });

  it('serves GetAccountAuthorizationDetails over 5,000 users quickly through the SDK', async () => {
    const account = syntheticAccount({ accountId: '666666666666', users: 5000 });
    const state = IamSandboxState.fromSeed({ accounts: [account] });
    const sandbox = await startSandbox({ state });
    const iam = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAANY', secretAccessKey: 'x' } });
    try {
      const started = performance.now();
      let users = 0;
      for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 1000 }, { Filter: ['User'] })) users += page.UserDetailList?.length ?? 0;
      const elapsed = performance.now() - started;
      expect(users).toBe(5000);
      expect(sandbox.calls.count('GetAccountAuthorizationDetails')).toBe(5);
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      iam.destroy();
      await sandbox.close();
    }
  });
});
