import { ACCOUNT, createDummyAccount, createDummyUser, createLoadedUser, startHarness, type Harness } from './helpers';

const PER_USER_LISTS = [
  'ListAccessKeys',
  'GetLoginProfile',
  'ListSSHPublicKeys',
  'ListMFADevices',
  'ListSigningCertificates',
  'ListServiceSpecificCredentials',
  'ListGroupsForUser',
  'ListAttachedUserPolicies',
  'ListUserPolicies',
];

describe('IamAccountDirectory.describeUsers', () => {
  let h: Harness;
  const bystanders = Array.from({ length: 12 }, (_, i) => createDummyUser({ userName: `staff-${i}`, sshPublicKeys: [{ status: 'Active' }] }));

  beforeAll(async () => {
    h = await startHarness({
      accounts: [createDummyAccount({ users: [createLoadedUser('alice'), createDummyUser({ userName: 'bob', loginProfile: null, accessKeys: [] }), ...bystanders] })],
    });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.sandbox.calls.reset();
    h.sandbox.faults.clear();
  });

  it('returns the live state of each named user, with SSH key bodies', async () => {
    const details = await h.directory.describeUsers(['alice', 'bob']);

    const seeded = h.sandbox.state.user(ACCOUNT, 'alice');
    const alice = details.get('alice');
    expect(alice?.accessKeys).toEqual(seeded?.accessKeys.map((k) => ({ id: k.id, status: k.status, createdAt: k.createdAt })));
    expect(alice?.loginProfile).toEqual({ createdAt: seeded?.loginProfile?.createdAt });
    expect(alice?.sshPublicKeys).toEqual(seeded?.sshPublicKeys.map((k) => ({ id: k.id, status: k.status, uploadedAt: k.uploadedAt, body: k.body })));
    expect(alice?.sshPublicKeys[0]?.body).toMatch(/^ssh-ed25519 AAAA/);
    expect([...(alice?.mfaDevices ?? [])].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber))).toEqual(
      [...(seeded?.mfaDevices ?? [])].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber)),
    );
    expect(alice?.mfaDevices.filter((d) => d.virtual)).toEqual([{ serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/alice`, virtual: true }]);
    expect(alice?.signingCertificates).toEqual(seeded?.signingCertificates);
    expect(alice?.serviceSpecificCredentials).toEqual(seeded?.serviceSpecificCredentials);
    expect([...(alice?.groups ?? [])].sort()).toEqual([...(seeded?.groups ?? [])].sort());
    expect(alice?.attachedPolicies.map((p) => p.arn).sort()).toEqual([...(seeded?.attachedPolicies ?? [])].sort());
    expect(alice?.inlinePolicies).toEqual(Object.keys(seeded?.inlinePolicies ?? {}));
    expect(details.get('bob')).toMatchObject({ accessKeys: [], loginProfile: null, mfaDevices: [], groups: [] });
  });

  it('calls the per-user APIs once per named user only', async () => {
    await h.directory.describeUsers(['alice', 'bob']);

    for (const api of PER_USER_LISTS) expect([api, h.sandbox.calls.count(api)]).toEqual([api, 2]);
    expect(h.sandbox.calls.count('GetSSHPublicKey')).toBe(h.sandbox.state.user(ACCOUNT, 'alice')?.sshPublicKeys.length);
    expect(h.sandbox.calls.count('GetAccountAuthorizationDetails')).toBe(0);
    expect(h.sandbox.calls.count('GetAccessKeyLastUsed')).toBe(0);
    // Each inline policy's document is read too: deny-alls are recognised by what they say.
    expect(h.sandbox.calls.count('GetUserPolicy')).toBe(Object.keys(h.sandbox.state.user(ACCOUNT, 'alice')?.inlinePolicies ?? {}).length);
    expect(h.sandbox.calls.count()).toBe(PER_USER_LISTS.length * 2 + 1 + h.sandbox.calls.count('GetUserPolicy'));
  });

  it('leaves out users that do not exist after a single call for each', async () => {
    const details = await h.directory.describeUsers(['ghost', 'bob', 'bob']);

    expect([...details.keys()]).toEqual(['bob']);
    expect(h.sandbox.calls.failures('ListAccessKeys', 'NoSuchEntity')).toBe(1);
    expect(h.sandbox.calls.count('ListAccessKeys')).toBe(2);
  });

  it('keeps at most four IAM calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const name = 'test-in-flight-counter';
    h.client.middlewareStack.add(
      (next) => async (args) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize', name },
    );
    try {
      const details = await h.directory.describeUsers(bystanders.map((u) => u.userName));

      expect(details.size).toBe(bystanders.length);
      expect(peak).toBe(4);
    } finally {
      h.client.middlewareStack.remove(name);
    }
  });

  it('records a path that cannot be read in `unread` (never drops the user, never hides its other paths)', async () => {
    h.sandbox.faults.fail('ListMFADevices', 'AccessDenied', { message: 'not allowed', params: { UserName: 'alice' } });

    const details = await h.directory.describeUsers(['alice', 'staff-1']);

    expect(details.get('alice')?.unread).toEqual([{ path: 'mfa-devices', api: 'ListMFADevices', error: 'AccessDenied: not allowed' }]);
    expect(details.get('alice')?.mfaDevices).toEqual([]);
    expect(details.get('alice')?.accessKeys.length).toBeGreaterThan(0);
    expect(details.get('alice')?.signingCertificates.length).toBeGreaterThan(0);
    expect(details.get('staff-1')?.unread).toBeUndefined();
    expect(details.get('staff-1')?.sshPublicKeys.length).toBeGreaterThan(0);
  });
});
