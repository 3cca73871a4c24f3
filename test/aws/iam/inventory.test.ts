import { IamAccountMismatchError, IamAccountUnknownError, IamInventoryError } from '../../../src/errors';
import { syntheticAccount } from '../../../src/sandbox/synthetic';
import { DENY_ALL_POLICY_DOCUMENT } from '../../../src/domain/policy';
import { ACCOUNT, ACCOUNT_KEY, createDummyAccount, createDummyAction, createDummyUser, createLoadedUser, DENY_ALL_ARN, startHarness, type Harness } from './helpers';

/** APIs that read one user at a time: inventory must never call them. */
const PER_USER_APIS = [
  'ListAccessKeys',
  'GetLoginProfile',
  'ListSSHPublicKeys',
  'GetSSHPublicKey',
  'ListMFADevices',
  'ListSigningCertificates',
  'ListServiceSpecificCredentials',
  'ListGroupsForUser',
  'ListAttachedUserPolicies',
  'ListUserPolicies',
  'GetUser',
  'ListUserTags',
  'GetAccessKeyLastUsed',
];

const perUserCalls = (h: Harness): number => PER_USER_APIS.reduce((sum, api) => sum + h.sandbox.calls.count(api), 0);

describe('IamAccountDirectory.inventory on a seeded account', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      accounts: [
        createDummyAccount({
          users: [
            createLoadedUser('alice'),
            createDummyUser({ userName: 'bob', groups: ['developers'], tags: { email: 'Bob@Example.com' }, accessKeys: [] }),
            createDummyUser({ userName: 'carol', mfaDevices: [{ virtual: true }], loginProfile: { createdAt: '2024-03-01T00:00:00Z' } }),
          ],
        }),
      ],
    });
  });
  afterAll(() => h.close());

  it('returns every user with tags, groups and policies, and every group with its policies', async () => {
    h.sandbox.calls.reset();

    const inventory = await h.directory.inventory();

    expect(inventory.account).toBe(ACCOUNT);
    expect(inventory.users.map((u) => u.userName)).toEqual(h.sandbox.state.account(ACCOUNT)?.userNames);
    for (const user of inventory.users) {
      const seeded = h.sandbox.state.user(ACCOUNT, user.userName);
      expect(user).toMatchObject({
        account: ACCOUNT,
        userId: seeded?.userId,
        arn: seeded?.arn,
        path: seeded?.path,
        createdAt: seeded?.createdAt,
        tags: seeded?.tags,
        inlinePolicies: Object.keys(seeded?.inlinePolicies ?? {}),
      });
      expect([...user.groups].sort()).toEqual([...(seeded?.groups ?? [])].sort());
      expect(user.attachedPolicies.map((p) => p.arn).sort()).toEqual([...(seeded?.attachedPolicies ?? [])].sort());
      expect(user).not.toHaveProperty('detail');
    }
    const alice = inventory.users.find((u) => u.userName === 'alice');
    expect(alice?.attachedPolicies).toContainEqual({ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    expect(alice?.tags).toEqual({ employee_id: 'E-alice', email: 'alice@example.com' });
    const developers = inventory.groups.find((g) => g.name === 'developers');
    expect(developers).toEqual({
      name: 'developers',
      attachedPolicies: [{ name: 'PowerUserAccess', arn: 'arn:aws:iam::aws:policy/PowerUserAccess' }],
      inlinePolicies: ['dev-extra'],
      inlinePolicyDocuments: { 'dev-extra': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] }) },
    });
    // Managed policy documents come with the same bulk read: restrictions and Warden's deny-all are judged by them.
    const documentOf = (arn: string): unknown => JSON.parse(String(inventory.managedPolicyDocuments?.[arn] ?? '{}'));
    expect(documentOf('arn:aws:iam::aws:policy/AdministratorAccess')).toMatchObject({ Statement: [{ Effect: 'Allow', Action: '*' }] });
    expect(documentOf(DENY_ALL_ARN)).toEqual(JSON.parse(DENY_ALL_POLICY_DOCUMENT));
    expect(inventory.groups.map((g) => g.name).sort()).toEqual(h.sandbox.state.account(ACCOUNT)?.groups.map((g) => g.name).sort());
  });

  it('joins credential report rows (password, MFA, keys) and skips the root account', async () => {
    const inventory = await h.directory.inventory();

    expect(inventory.credentialReportAt).toBeInstanceOf(Date);
    expect(inventory.users.some((u) => u.userName === '<root_account>')).toBe(false);
    const byName = new Map(inventory.users.map((u) => [u.userName, u]));
    const aliceSeed = h.sandbox.state.user(ACCOUNT, 'alice');
    expect(byName.get('alice')?.credentials).toEqual({
      passwordEnabled: true,
      passwordLastUsed: aliceSeed?.loginProfile?.passwordLastUsed,
      passwordLastChanged: aliceSeed?.loginProfile?.createdAt,
      mfaActive: true,
      accessKeys: [
        { slot: 1, active: true, lastRotated: aliceSeed?.accessKeys[0]?.createdAt, lastUsed: aliceSeed?.accessKeys[0]?.lastUsedAt },
        { slot: 2, active: false, lastRotated: aliceSeed?.accessKeys[1]?.createdAt },
      ],
    });
    expect(byName.get('alice')?.passwordLastUsed).toEqual(aliceSeed?.loginProfile?.passwordLastUsed);
    expect(byName.get('bob')?.credentials).toEqual({ passwordEnabled: false, mfaActive: false, accessKeys: [] });
    expect(byName.get('carol')?.credentials).toMatchObject({ passwordEnabled: true, mfaActive: true });
    expect(byName.get('carol')).not.toHaveProperty('passwordLastUsed');
  });

  it('makes a handful of account-wide calls and no per-user ones', async () => {
    h.sandbox.calls.reset();

    await h.directory.inventory();

    expect(perUserCalls(h)).toBe(0);
    expect(h.sandbox.calls.count('GetAccountAuthorizationDetails')).toBe(1);
    expect(h.sandbox.calls.count('ListVirtualMFADevices')).toBe(1);
    // The security-policy checks' posture: one password-policy read and one page of roles.
    expect(h.sandbox.calls.count('GetAccountPasswordPolicy')).toBe(1);
    expect(h.sandbox.calls.count('ListRoles')).toBe(1);
    expect(h.sandbox.calls.count()).toBeLessThanOrEqual(7);
  });

  it('lists a user created after the report without a credentials row', async () => {
    await h.directory.inventory();
    h.sandbox.state.addUser(ACCOUNT, createDummyUser({ userName: 'newcomer' }));

    const inventory = await h.directory.inventory();

    const newcomer = inventory.users.find((u) => u.userName === 'newcomer');
    expect(newcomer?.tags).toEqual({ employee_id: 'E-newcomer', email: 'newcomer@example.com' });
    expect(newcomer).not.toHaveProperty('credentials');
    expect(inventory.users.find((u) => u.userName === 'alice')?.credentials).toBeDefined();
  });
});

describe('IamAccountDirectory.inventory MFA freshness', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ accounts: [createDummyAccount({ users: [createDummyUser({ userName: 'dave', accessKeys: [] })] })] });
  });
  afterAll(() => h.close());

  it('counts a virtual MFA device assigned since the (cached) report was generated', async () => {
    const first = await h.directory.inventory();
    expect(first.users.find((u) => u.userName === 'dave')?.credentials?.mfaActive).toBe(false);
    // The sandbox cannot enable MFA on an existing user, so recreate dave with a device; the report stays cached.
    await h.directory.execute(createDummyAction('delete-user', 'dave', {}));
    h.sandbox.state.addUser(ACCOUNT, createDummyUser({ userName: 'dave', accessKeys: [], mfaDevices: [{ virtual: true }] }));

    const second = await h.directory.inventory();

    expect(second.credentialReportAt).toEqual(first.credentialReportAt);
    expect(second.users.find((u) => u.userName === 'dave')?.credentials?.mfaActive).toBe(true);
  });
});

describe('IamAccountDirectory.inventory at scale', () => {
  const USERS = 2500;
  let h: Harness;

  beforeAll(async () => {
    const synthetic = syntheticAccount({ accountId: ACCOUNT, users: USERS });
    h = await startHarness({ accounts: [{ ...synthetic, accessKeyIds: [ACCOUNT_KEY] }] });
  });
  afterAll(() => h.close());

  it(`reads ${USERS} users through paginated bulk calls whose number does not grow per user`, async () => {
    h.sandbox.calls.reset();

    const inventory = await h.directory.inventory();

    expect(inventory.users).toHaveLength(USERS);
    expect(new Set(inventory.users.map((u) => u.userName)).size).toBe(USERS);
    expect(inventory.users.every((u) => u.credentials !== undefined)).toBe(true);
    expect(inventory.groups.map((g) => g.name).sort()).toEqual(['admins', 'data', 'developers', 'ops', 'support']);
    const entries = USERS + inventory.groups.length;
    expect(h.sandbox.calls.count('GetAccountAuthorizationDetails')).toBe(Math.ceil(entries / 1000));
    expect(perUserCalls(h)).toBe(0);
    expect(h.sandbox.calls.count()).toBeLessThanOrEqual(20);
    const departed = inventory.users.find((u) => u.userName === 'leaver-100');
    expect(departed?.groups.length).toBeGreaterThan(0);
  });
});

describe('IamAccountDirectory.inventory without a credential report', () => {
  const seed = { accounts: [createDummyAccount({ users: [createLoadedUser('alice'), createDummyUser({ userName: 'bob' })] })] };
  let h: Harness;

  afterEach(() => h.close());

  const reportCalls = (h: Harness): string[] =>
    h.sandbox.calls
      .entries()
      .filter((c) => c.action === 'GenerateCredentialReport' || c.action === 'GetCredentialReport')
      .map((c) => `${c.action}${c.errorCode !== undefined ? ` ${c.errorCode}` : ''}`);

  it('takes the report IAM already holds (it is reused for four hours) without asking for another', async () => {
    h = await startHarness(seed);
    await h.directory.inventory();
    h.sandbox.calls.reset();

    const inventory = await h.directory.inventory();

    expect(reportCalls(h)).toEqual(['GetCredentialReport']);
    expect(inventory.users.find((u) => u.userName === 'alice')?.credentials?.passwordEnabled).toBe(true);
  });

  it('asks IAM for a report at once when it holds none, and waits only while it is being generated', async () => {
    h = await startHarness(seed);

    const inventory = await h.directory.inventory();

    expect(reportCalls(h)).toEqual(['GetCredentialReport ReportNotPresent', 'GenerateCredentialReport', 'GetCredentialReport ReportInProgress', 'GetCredentialReport']);
    // One wait after STARTED, one after ReportInProgress: none between finding no report and asking for one.
    expect(h.sleeps).toHaveLength(2);
    expect(inventory.credentialReportAt).toBeInstanceOf(Date);
  });

  it('gives up on a report that stays in progress after a bounded wait and still returns the inventory', async () => {
    h = await startHarness(seed, { state: { credentialReportDelay: { calls: 1_000_000 } }, tuning: { reportBudgetMs: 20_000 } });

    const inventory = await h.directory.inventory();

    expect(inventory.credentialReportAt).toBeNull();
    expect(inventory.users.map((u) => u.userName)).toEqual(['alice', 'bob']);
    expect(inventory.users.every((u) => u.credentials === undefined)).toBe(true);
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(h.sleeps.length).toBeGreaterThan(1);
    expect(h.sleeps[1]).toBeGreaterThan(h.sleeps[0] ?? Infinity);
    expect(h.sandbox.calls.count('GetCredentialReport') + h.sandbox.calls.count('GenerateCredentialReport')).toBeLessThanOrEqual(h.sleeps.length + 2);
  });

  it('regenerates an expired report and uses the new one', async () => {
    h = await startHarness(seed);
    h.sandbox.faults.fail('GetCredentialReport', 'ReportExpired');

    const inventory = await h.directory.inventory();

    expect(inventory.credentialReportAt).toBeInstanceOf(Date);
    expect(inventory.users.find((u) => u.userName === 'alice')?.credentials?.passwordEnabled).toBe(true);
    expect(reportCalls(h)).toEqual(['GetCredentialReport ReportExpired', 'GenerateCredentialReport', 'GetCredentialReport ReportInProgress', 'GetCredentialReport']);
  });

  it('regenerates when the report is reported missing', async () => {
    h = await startHarness(seed);
    h.sandbox.faults.fail('GetCredentialReport', 'ReportNotPresent', { times: 2 });

    const inventory = await h.directory.inventory();

    expect(inventory.credentialReportAt).toBeInstanceOf(Date);
    expect(reportCalls(h)).toEqual([
      'GetCredentialReport ReportNotPresent',
      'GenerateCredentialReport',
      'GetCredentialReport ReportNotPresent',
      'GenerateCredentialReport',
      'GetCredentialReport',
    ]);
    // A wait after each STARTED, and one before asking again when the report went missing after it was asked for
    // (only the first "missing" is asked for at once).
    expect(h.sleeps).toHaveLength(3);
  });

  it('waits out throttling of the report beyond the SDK retries', async () => {
    h = await startHarness(seed, { maxAttempts: 1, standardRetries: true });
    h.sandbox.faults.fail('GetCredentialReport', 'Throttling', { times: 2 });

    const inventory = await h.directory.inventory();

    expect(inventory.credentialReportAt).toBeInstanceOf(Date);
    expect(h.sandbox.calls.failures('GetCredentialReport', 'Throttling')).toBe(2);
  });

  it('goes on at once without the report when it is denied', async () => {
    h = await startHarness(seed);
    h.sandbox.faults.fail('GenerateCredentialReport', 'AccessDenied', { message: 'not authorized to perform iam:GenerateCredentialReport' });

    const inventory = await h.directory.inventory();

    expect(inventory.credentialReportAt).toBeNull();
    expect(inventory.users).toHaveLength(2);
    expect(h.sleeps).toEqual([]);
    expect(reportCalls(h)).toEqual(['GetCredentialReport ReportNotPresent', 'GenerateCredentialReport AccessDenied']);
  });
});

describe('IamAccountDirectory account id and unreadable accounts', () => {
  let h: Harness;

  afterEach(() => h.close());

  it('derives the account id from the ARNs when none is configured, for the roles\' session limits too', async () => {
    const trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    h = await startHarness({ accounts: [createDummyAccount({ users: [createDummyUser({ userName: 'alice' })], roles: [{ roleName: 'Deploy', maxSessionDuration: 3600, trustPolicy }] })] }, { account: null });
    expect(() => h.directory.account).toThrow(IamAccountUnknownError);

    const inventory = await h.directory.inventory();

    expect(inventory.account).toBe(ACCOUNT);
    expect(inventory.users[0]?.account).toBe(ACCOUNT);
    expect(h.directory.account).toBe(ACCOUNT);
    expect(inventory.posture?.roles?.map((r) => [r.name, r.account])).toEqual([['Deploy', ACCOUNT]]);
  });

  it('refuses an account with nothing to read the id from when none is configured', async () => {
    h = await startHarness({ accounts: [createDummyAccount({ groups: [], users: [] })] }, { account: null });

    await expect(h.directory.inventory()).rejects.toThrow(IamAccountUnknownError);
  });

  it('refuses a client that reaches another account than the configured one', async () => {
    h = await startHarness({ accounts: [createDummyAccount({ users: [createDummyUser({ userName: 'alice' })] })] }, { account: '222222222222' });

    await expect(h.directory.inventory()).rejects.toThrow(IamAccountMismatchError);
  });

  it('throws IamInventoryError naming account and API when the bulk read fails, and stops polling the report', async () => {
    h = await startHarness(
      { accounts: [createDummyAccount({ users: [createDummyUser({ userName: 'alice' })] })] },
      { state: { credentialReportDelay: { calls: 1_000_000 } } },
    );
    h.sandbox.faults.fail('GetAccountAuthorizationDetails', 'AccessDenied', { message: 'denied' });

    const error: unknown = await h.directory.inventory().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IamInventoryError);
    expect(error).toMatchObject({ account: ACCOUNT, api: 'GetAccountAuthorizationDetails' });
    expect((error as Error).message).toContain('AccessDenied: denied');
    const callsAfter = h.sandbox.calls.count();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.sandbox.calls.count()).toBe(callsAfter);
    // The report, still being generated, was given up at its next wait, not polled to the end of its budget.
    expect(h.sleeps.length).toBeLessThanOrEqual(2);
  });
});
