import { ACTION_KIND_TABLE, type IamActionKind } from '../../../src/domain/action-kinds';
import { ACTION_KINDS } from '../../../src/domain/plan';
import type { Action } from '../../../src/domain/plan';
import { DENY_ALL_POLICY_DOCUMENT } from '../../../src/domain/policy';
import type { UserSnapshot } from '../../../src/sandbox/iam-state';
import {
  ACCOUNT,
  createDummyAccount,
  createDummyAction,
  createDummyUser,
  createLoadedUser,
  DENY_ALL,
  DENY_ALL_ARN,
  startHarness,
  type Harness,
} from './helpers';

const user = (h: Harness, name: string): UserSnapshot => {
  const found = h.sandbox.state.user(ACCOUNT, name);
  if (found === undefined) throw new Error(`no sandbox user ${name}`);
  return found;
};

interface KindCase {
  readonly action: (u: UserSnapshot) => Action;
  readonly effect: (before: UserSnapshot, after: UserSnapshot | undefined) => void;
  readonly outcome: { readonly before: unknown; readonly after: unknown };
}

/** Kinds that change a role, not a user: their cases (same calls check) are in role-sessions.test.ts. */
const ROLE_KINDS = ['deny-role-source-identity', 'revoke-older-role-sessions', 'drop-expired-session-denies'] as const;

/** One case per IAM action kind that changes a user: what it must change in the sandbox, and what its outcome says. */
const CASES: Record<Exclude<IamActionKind, (typeof ROLE_KINDS)[number]>, KindCase> = {
  'deactivate-access-key': {
    action: (u) => createDummyAction('deactivate-access-key', u.userName, { accessKeyId: u.accessKeys[0]?.id ?? '' }),
    effect: (b, a) => {
      expect(a?.accessKeys[0]).toEqual({ ...b.accessKeys[0], status: 'Inactive' });
      expect(a?.accessKeys.slice(1)).toEqual(b.accessKeys.slice(1));
    },
    outcome: { before: { status: 'Active' }, after: { status: 'Inactive' } },
  },
  'delete-login-profile': {
    action: (u) => createDummyAction('delete-login-profile', u.userName, {}),
    effect: (b, a) => {
      expect(b.loginProfile).not.toBeNull();
      expect(a?.loginProfile).toBeNull();
    },
    outcome: { before: { loginProfile: true }, after: { loginProfile: false } },
  },
  'deactivate-ssh-key': {
    action: (u) => createDummyAction('deactivate-ssh-key', u.userName, { sshPublicKeyId: u.sshPublicKeys[0]?.id ?? '' }),
    effect: (b, a) => expect(a?.sshPublicKeys).toEqual(b.sshPublicKeys.map((k) => ({ ...k, status: 'Inactive' }))),
    outcome: { before: { status: 'Active' }, after: { status: 'Inactive' } },
  },
  'deactivate-signing-certificate': {
    action: (u) => createDummyAction('deactivate-signing-certificate', u.userName, { certificateId: u.signingCertificates[0]?.id ?? '' }),
    effect: (b, a) => expect(a?.signingCertificates).toEqual(b.signingCertificates.map((c) => ({ ...c, status: 'Inactive' }))),
    outcome: { before: { status: 'Active' }, after: { status: 'Inactive' } },
  },
  'deactivate-service-credential': {
    action: (u) =>
      createDummyAction('deactivate-service-credential', u.userName, {
        serviceSpecificCredentialId: u.serviceSpecificCredentials[0]?.id ?? '',
        serviceName: u.serviceSpecificCredentials[0]?.serviceName ?? '',
      }),
    effect: (b, a) => expect(a?.serviceSpecificCredentials).toEqual(b.serviceSpecificCredentials.map((c) => ({ ...c, status: 'Inactive' }))),
    outcome: { before: { status: 'Active' }, after: { status: 'Inactive' } },
  },
  'attach-deny-all': {
    action: (u) => createDummyAction('attach-deny-all', u.userName, { policyName: DENY_ALL, policyArn: DENY_ALL_ARN }),
    effect: (b, a) => {
      expect(b.attachedPolicies).not.toContain(DENY_ALL_ARN);
      expect(a?.attachedPolicies).toEqual([...b.attachedPolicies, DENY_ALL_ARN]);
      // Managed, never inline: Warden's role holds no iam:PutUserPolicy.
      expect(a?.inlinePolicies).toEqual(b.inlinePolicies);
    },
    outcome: { before: { denyAll: 'absent' }, after: { denyAll: 'present' } },
  },
  'remove-from-group': {
    action: (u) => createDummyAction('remove-from-group', u.userName, { groupName: 'admins' }),
    effect: (b, a) => expect(a?.groups).toEqual(b.groups.filter((g) => g !== 'admins')),
    outcome: { before: { member: true }, after: { member: false } },
  },
  'detach-user-policy': {
    action: (u) => createDummyAction('detach-user-policy', u.userName, { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
    effect: (b, a) => expect(a?.attachedPolicies).toEqual(b.attachedPolicies.filter((p) => p !== 'arn:aws:iam::aws:policy/ReadOnlyAccess')),
    outcome: { before: { attached: true }, after: { attached: false } },
  },
  'delete-user-policy': {
    action: (u) => createDummyAction('delete-user-policy', u.userName, { policyName: 'own-s3' }),
    effect: (b, a) => {
      expect(Object.keys(b.inlinePolicies)).toContain('own-s3');
      expect(a).toBeDefined();
      expect(Object.keys(a?.inlinePolicies ?? {})).not.toContain('own-s3');
    },
    outcome: { before: { exists: true }, after: { exists: false } },
  },
  'delete-user': {
    action: (u) => createDummyAction('delete-user', u.userName, {}),
    effect: (_b, a) => expect(a).toBeUndefined(),
    outcome: { before: expect.objectContaining({ exists: true }), after: { exists: false } },
  },
  'lift-quarantine': {
    action: (u) => createDummyAction('lift-quarantine', u.userName, { policyName: DENY_ALL, policyArn: DENY_ALL_ARN }),
    effect: (b, a) => {
      expect(b.attachedPolicies).toContain(DENY_ALL_ARN);
      expect(a && { attached: a.attachedPolicies, inline: a.inlinePolicies, groups: a.groups }).toEqual({
        attached: b.attachedPolicies.filter((p) => p !== DENY_ALL_ARN),
        inline: b.inlinePolicies,
        groups: b.groups,
      });
    },
    outcome: { before: { denyAll: 'present' }, after: { denyAll: 'absent' } },
  },
};

describe('IamAccountDirectory.execute, per action kind', () => {
  let h: Harness;
  const kinds = Object.keys(CASES) as (keyof typeof CASES)[];

  beforeAll(async () => {
    const quarantined = { attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', `arn:aws:iam::${ACCOUNT}:policy/team/extra`, DENY_ALL_ARN] };
    h = await startHarness({
      accounts: [createDummyAccount({ users: kinds.map((kind) => createLoadedUser(`user-${kind}`, kind === 'lift-quarantine' ? quarantined : {})) })],
    });
  });
  afterAll(() => h.close());

  it('covers every IAM action kind', () => {
    expect([...kinds, ...ROLE_KINDS].sort()).toEqual(ACTION_KINDS.filter((kind) => ACTION_KIND_TABLE[kind].plane === 'iam').sort());
  });

  it.each(kinds)('%s changes exactly its target, and a second run is ok and changes nothing', async (kind) => {
    const name = `user-${kind}`;
    const before = user(h, name);
    const action = CASES[kind].action(before);
    h.sandbox.calls.reset();

    const first = await h.directory.execute(action);

    // The action-kind table says which AWS calls a kind makes (and the deployed roles grant): the adapter keeps to it.
    const made = [...new Set(h.sandbox.calls.entries().map((c) => `${c.service}:${c.action}`))];
    expect(made.filter((call) => !ACTION_KIND_TABLE[kind].calls.includes(call))).toEqual([]);
    expect(made.length).toBeGreaterThan(0);

    expect(first).toEqual({ result: 'ok', ...CASES[kind].outcome });
    const after = h.sandbox.state.user(ACCOUNT, name);
    CASES[kind].effect(before, after);

    const second = await h.directory.execute(action);

    expect(second).toMatchObject({ result: 'ok' });
    expect((second as { after?: unknown }).after).toEqual((second as { before?: unknown }).before);
    expect(h.sandbox.state.user(ACCOUNT, name)).toEqual(after);
  });
});

describe('IamAccountDirectory.execute lift-quarantine, against a hostile plan', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ accounts: [createDummyAccount({ users: [createLoadedUser('joiner', { attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', DENY_ALL_ARN] })] })] });
  });
  afterEach(() => h.close());

  it.each([
    ['an AWS managed policy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ['a policy named like the deny-all in another account', `arn:aws:iam::999999999999:policy/${DENY_ALL}`],
    ['a policy whose name ends like the deny-all under another path', `arn:aws:iam::${ACCOUNT}:policy/x/not-${DENY_ALL}`],
  ])('refuses to detach %s and writes nothing', async (_what, policyArn) => {
    const before = user(h, 'joiner');
    h.sandbox.calls.reset();

    const outcome = await h.directory.execute(createDummyAction('lift-quarantine', 'joiner', { policyName: DENY_ALL, policyArn }));

    expect(outcome).toMatchObject({ result: 'failed', retryable: false });
    expect(h.sandbox.calls.count('DetachUserPolicy')).toBe(0);
    expect(user(h, 'joiner')).toEqual(before);
  });
});

describe('IamAccountDirectory.execute delete-user', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ accounts: [createDummyAccount({ users: [createLoadedUser('leaver'), createDummyUser({ userName: 'stayer' })] })] });
  });
  afterEach(() => h.close());

  it('clears everything in the order IAM requires, deny-all last, leaving no user and no virtual MFA device', async () => {
    await h.directory.execute(createDummyAction('attach-deny-all', 'leaver', { policyName: DENY_ALL, policyArn: DENY_ALL_ARN }));
    const seeded = user(h, 'leaver');
    h.sandbox.calls.reset();

    const outcome = await h.directory.execute(createDummyAction('delete-user', 'leaver', {}));

    expect(outcome).toEqual({
      result: 'ok',
      before: {
        exists: true,
        accessKeys: 2,
        loginProfile: true,
        sshPublicKeys: 1,
        signingCertificates: 1,
        serviceSpecificCredentials: 1,
        mfaDevices: 2,
        groups: expect.arrayContaining(seeded.groups),
        attachedPolicies: expect.arrayContaining([...seeded.attachedPolicies, DENY_ALL_ARN]),
        inlinePolicies: ['own-s3'],
      },
      after: { exists: false },
    });
    expect(h.sandbox.state.user(ACCOUNT, 'leaver')).toBeUndefined();
    expect(h.sandbox.state.account(ACCOUNT)?.virtualMfaDevices).toEqual([]);
    expect(h.sandbox.state.user(ACCOUNT, 'stayer')).toBeDefined();
    expect(h.sandbox.calls.failures()).toBe(0);

    const writes = h.sandbox.calls.entries().filter((c) => !/^(List|Get)/.test(c.action)).map((c) => c.action);
    expect(writes).toEqual([
      'DeleteAccessKey',
      'DeleteAccessKey',
      'DeleteLoginProfile',
      'DeleteSSHPublicKey',
      'DeleteSigningCertificate',
      'DeleteServiceSpecificCredential',
      ...[...seeded.mfaDevices]
        .sort((a, b) => (a.serialNumber < b.serialNumber ? -1 : 1))
        .flatMap((d) => (d.virtual ? ['DeactivateMFADevice', 'DeleteVirtualMFADevice'] : ['DeactivateMFADevice'])),
      'DetachUserPolicy',
      'DetachUserPolicy',
      'DeleteUserPolicy',
      'RemoveUserFromGroup',
      'RemoveUserFromGroup',
      'DetachUserPolicy', // the deny-all, last before the user goes
      'DeleteUser',
    ]);
  });

  it('clears what appeared meanwhile when DeleteUser conflicts once', async () => {
    h.sandbox.faults.fail('DeleteUser', 'DeleteConflict', { message: 'Cannot delete entity, must delete access keys first.' });

    const outcome = await h.directory.execute(createDummyAction('delete-user', 'leaver', {}));

    expect(outcome).toMatchObject({ result: 'ok', after: { exists: false } });
    expect(h.sandbox.calls.count('DeleteUser')).toBe(2);
    expect(h.sandbox.state.user(ACCOUNT, 'leaver')).toBeUndefined();
  });

  it('reports a half-done delete as a retryable failure naming the step, and the next run finishes it', async () => {
    h.sandbox.faults.fail('RemoveUserFromGroup', 'EntityTemporarilyUnmodifiable', { times: 20 });

    const failed = await h.directory.execute(createDummyAction('delete-user', 'leaver', {}));

    expect(failed).toEqual({ result: 'failed', error: expect.stringMatching(/^EntityTemporarilyUnmodifiable: .*\(RemoveUserFromGroup\)$/), retryable: true });
    expect(user(h, 'leaver').accessKeys).toEqual([]);
    h.sandbox.faults.clear();

    const retried = await h.directory.execute(createDummyAction('delete-user', 'leaver', {}));

    expect(retried).toMatchObject({ result: 'ok', after: { exists: false } });
    expect(h.sandbox.state.user(ACCOUNT, 'leaver')).toBeUndefined();
  });

  it('is ok for a user that is already gone', async () => {
    await expect(h.directory.execute(createDummyAction('delete-user', 'ghost', {}))).resolves.toEqual({
      result: 'ok',
      before: { exists: false },
      after: { exists: false },
    });
  });
});

describe('IamAccountDirectory.execute failures and retries', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(
      { accounts: [createDummyAccount({ users: [createLoadedUser('alice')] })] },
      { tuning: { conflictAttempts: 4 } },
    );
  });
  afterEach(() => h.close());

  const deactivateFirstKey = (): Action =>
    createDummyAction('deactivate-access-key', 'alice', { accessKeyId: user(h, 'alice').accessKeys[0]?.id ?? '' });

  it('retries ConcurrentModification with growing jittered waits and succeeds', async () => {
    h.sandbox.faults.fail('UpdateAccessKey', 'ConcurrentModification', { times: 2 });

    const outcome = await h.directory.execute(deactivateFirstKey());

    expect(outcome).toEqual({ result: 'ok', before: { status: 'Active' }, after: { status: 'Inactive' } });
    expect(h.sandbox.calls.count('UpdateAccessKey')).toBe(3);
    expect(h.sleeps).toHaveLength(2);
    expect(user(h, 'alice').accessKeys[0]?.status).toBe('Inactive');
  });

  it('retries EntityTemporarilyUnmodifiable too', async () => {
    h.sandbox.faults.fail('DeleteLoginProfile', 'EntityTemporarilyUnmodifiable');

    await expect(h.directory.execute(createDummyAction('delete-login-profile', 'alice', {}))).resolves.toMatchObject({ result: 'ok' });
    expect(user(h, 'alice').loginProfile).toBeNull();
  });

  it('gives up on a lasting conflict after a bounded number of attempts, as a retryable failure', async () => {
    h.sandbox.faults.fail('UpdateAccessKey', 'ConcurrentModification', { times: 100, message: 'busy' });

    const outcome = await h.directory.execute(deactivateFirstKey());

    expect(outcome).toEqual({ result: 'failed', error: 'ConcurrentModification: busy (UpdateAccessKey)', retryable: true });
    expect(h.sandbox.calls.count('UpdateAccessKey')).toBe(4);
  });

  it('returns AccessDenied as a non-retryable failure without changing anything', async () => {
    const message = 'User: arn:aws:iam::111111111111:user/warden is not authorized to perform: iam:UpdateAccessKey';
    h.sandbox.faults.fail('UpdateAccessKey', 'AccessDenied', { message });

    const outcome = await h.directory.execute(deactivateFirstKey());

    expect(outcome).toEqual({ result: 'failed', error: `AccessDenied: ${message} (UpdateAccessKey)`, retryable: false });
    expect(user(h, 'alice').accessKeys[0]?.status).toBe('Active');
    expect(h.sleeps).toEqual([]);
  });

  it('is ok when the target credential or user is already gone', async () => {
    await expect(h.directory.execute(createDummyAction('deactivate-access-key', 'alice', { accessKeyId: 'AKIANOSUCHKEY0000000' }))).resolves.toEqual({
      result: 'ok',
      before: { exists: false },
      after: { exists: false },
    });
    await expect(h.directory.execute(createDummyAction('deactivate-ssh-key', 'ghost', { sshPublicKeyId: 'APKANOSUCHKEY0000000' }))).resolves.toMatchObject({
      result: 'ok',
    });
    await expect(h.directory.execute(createDummyAction('remove-from-group', 'alice', { groupName: 'no-such-group' }))).resolves.toEqual({
      result: 'ok',
      before: { member: false },
      after: { member: false },
    });
  });

  it('never removes a deny-all outside delete-user: Warden\'s managed one, or an inline one recognised by its document', async () => {
    await h.directory.execute(createDummyAction('attach-deny-all', 'alice', { policyName: DENY_ALL, policyArn: DENY_ALL_ARN }));
    h.sandbox.state.putUserPolicy(ACCOUNT, 'alice', 'offboarded-2024', DENY_ALL_POLICY_DOCUMENT);

    expect(await h.directory.execute(createDummyAction('detach-user-policy', 'alice', { policyArn: DENY_ALL_ARN }))).toMatchObject({ result: 'skipped' });
    expect(await h.directory.execute(createDummyAction('delete-user-policy', 'alice', { policyName: 'offboarded-2024' }))).toMatchObject({ result: 'skipped' });
    expect(user(h, 'alice').attachedPolicies).toContain(DENY_ALL_ARN);
    expect(user(h, 'alice').inlinePolicies['offboarded-2024']).toBeDefined();
  });

  it('a user-made inline policy named like the deny-all is an ordinary policy: it can be deleted, and attach-deny-all still attaches', async () => {
    const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    h.sandbox.state.putUserPolicy(ACCOUNT, 'alice', DENY_ALL, allowAll);

    const details = await h.directory.describeUsers(['alice']);
    expect(details.get('alice')?.inlinePolicyDocuments?.[DENY_ALL]).toBe(allowAll);
    expect(await h.directory.execute(createDummyAction('attach-deny-all', 'alice', { policyName: DENY_ALL, policyArn: DENY_ALL_ARN }))).toEqual({
      result: 'ok',
      before: { denyAll: 'absent' },
      after: { denyAll: 'present' },
    });
    expect(await h.directory.execute(createDummyAction('delete-user-policy', 'alice', { policyName: DENY_ALL }))).toMatchObject({ result: 'ok' });
  });

  it('fails clearly, never falling back to an inline policy, when the account lacks Warden\'s deny-all policy', async () => {
    const missing = `arn:aws:iam::${ACCOUNT}:policy/not-deployed`;
    h.sandbox.calls.reset();
    const outcome = await h.directory.execute(createDummyAction('attach-deny-all', 'alice', { policyName: 'not-deployed', policyArn: missing }));
    expect(outcome).toMatchObject({ result: 'failed', retryable: false });
    expect(outcome.result === 'failed' ? outcome.error : '').toMatch(/does not exist .*member-account-role/);
    expect(h.sandbox.calls.byAction().PutUserPolicy ?? 0).toBe(0);
  });

  it('skips host actions without calling IAM', async () => {
    h.sandbox.calls.reset();

    const outcomes = await Promise.all([
      h.directory.execute(
        createDummyAction('remove-host-key', 'alice', { instanceId: 'i-1', osUser: 'alice', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: 'a' }),
      ),
      h.directory.execute(createDummyAction('lock-host-user', 'alice', { instanceId: 'i-1', osUser: 'alice' })),
    ]);

    expect(outcomes.map((o) => o.result)).toEqual(['skipped', 'skipped']);
    expect(h.sandbox.calls.count()).toBe(0);
  });

  it('refuses an action meant for another account', async () => {
    h.sandbox.calls.reset();

    const outcome = await h.directory.execute({ ...deactivateFirstKey(), account: '999999999999' });

    expect(outcome).toMatchObject({ result: 'failed', retryable: false, error: expect.stringMatching(/^AccountMismatch: /) });
    expect(h.sandbox.calls.count()).toBe(0);
  });
});

describe('IamAccountDirectory under IAM rate limits', () => {
  let h: Harness;

  beforeAll(async () => {
    const users = Array.from({ length: 4 }, (_, i) => createDummyUser({ userName: `u${i}`, groups: ['developers'] }));
    // The client paces itself after a throttle (src/adapters/aws/pacer.ts), so keep the burst small: seconds, not minutes.
    // A bucket of 2 at 10/s: the 8 actions' first calls leave together, so some are refused however loaded the machine is
    // (at 20/s with a bucket of 4 a slow machine spaced them out enough to never be throttled).
    h = await startHarness({ accounts: [createDummyAccount({ users })] }, { sandbox: { throttle: { ratePerSecond: 10, burst: 2 } }, realSleep: true });
  });
  afterAll(() => h.close());

  it('completes a burst of actions thanks to paced retries', async () => {
    const names = Array.from({ length: 4 }, (_, i) => `u${i}`);

    const outcomes = await Promise.all(
      names.flatMap((name) => [
        h.directory.execute(createDummyAction('deactivate-access-key', name, { accessKeyId: user(h, name).accessKeys[0]?.id ?? '' })),
        h.directory.execute(createDummyAction('remove-from-group', name, { groupName: 'developers' })),
      ]),
    );

    expect(outcomes.every((o) => o.result === 'ok')).toBe(true);
    expect(h.sandbox.calls.failures(undefined, 'Throttling')).toBeGreaterThan(0);
    for (const name of names) {
      expect(user(h, name).accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
      expect(user(h, name).groups).toEqual([]);
    }
  });
});
