import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import {
  AccountClients,
  LIST_ACCOUNTS_PAGE_SIZE,
  forEachAccount,
  listOrganizationAccounts,
  resolveAccounts,
  roleArnFor,
} from '../../src/adapters/aws/accounts';
import { AssumeRoleError } from '../../src/errors';
import type { AccountTarget } from '../../src/adapters/aws/accounts';
import { configSchema } from '../../src/config/schema';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { organizationsService } from '../../src/sandbox/organizations';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { DEV, DEV_KEY, PROD, PROD_KEY, createTestClock, loadExampleSeed, sdkError } from '../sandbox/helpers';

const clock = createTestClock();
let sandbox: RunningSandbox;
const clients: { destroy(): void }[] = [];

const EXTRA = Array.from({ length: 42 }, (_, i) => String(300000000000 + i));

beforeAll(async () => {
  const state = IamSandboxState.fromSeed(await loadExampleSeed(), clock.now);
  for (const id of EXTRA) state.addAccount({ id, name: `member-${id.slice(-2)}` });
  sandbox = await startSandbox({
    state,
    extraServices: [
      organizationsService({
        extraAccounts: [
          { id: '999999999991', name: 'suspended', state: 'SUSPENDED' },
          { id: '999999999992', name: 'closing', state: 'PENDING_CLOSURE' },
        ],
      }),
    ],
  });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await sandbox.close();
});

const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'x' });
function organizations(accessKeyId = PROD_KEY): OrganizationsClient {
  const client = new OrganizationsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: credentials(accessKeyId), maxAttempts: 1 });
  clients.push(client);
  return client;
}
function sts(accessKeyId = PROD_KEY): STSClient {
  const client = new STSClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: credentials(accessKeyId), maxAttempts: 1 });
  clients.push(client);
  return client;
}

const config = (raw: Record<string, unknown>) => configSchema.parse({ roster: { path: 'r.csv' }, ...raw });

describe('the sandbox Organizations service', () => {
  it('enforces the 20-account page limit and the management-account rule like AWS', async () => {
    const tooMany = await sdkError(organizations().send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(tooMany.name).toBe('InvalidInputException');
    const member = await sdkError(organizations(DEV_KEY).send(new ListAccountsCommand({})));
    expect(member.name).toBe('AccessDeniedException');
  });
});

describe('listOrganizationAccounts', () => {
  it('pages through every account 20 at a time', async () => {
    const before = sandbox.calls.count('organizations:ListAccounts');
    const accounts = await listOrganizationAccounts(organizations());
    const total = 2 + EXTRA.length + 2;
    expect(accounts).toHaveLength(total);
    expect(sandbox.calls.count('organizations:ListAccounts') - before).toBe(Math.ceil(total / LIST_ACCOUNTS_PAGE_SIZE));
    expect(accounts.find((a) => a.id === '999999999991')?.state).toBe('SUSPENDED');
    expect(accounts.find((a) => a.id === PROD)?.name).toBe('prod');
  });
});

describe('resolveAccounts', () => {
  it('discovers ACTIVE accounts, reaches them through the configured role and external id, and its own account directly', async () => {
    const { targets, problems } = await resolveAccounts(config({ organizations: { discover: true, roleName: 'WardenAccess', externalId: 'ext-42' } }), {
      organizations: organizations(),
      selfAccountId: PROD,
    });
    expect(problems).toEqual([]);
    expect(targets).toHaveLength(2 + EXTRA.length);
    expect(targets.map((t) => t.id)).not.toContain('999999999991');
    expect(targets.map((t) => t.id)).not.toContain('999999999992');
    expect(targets.find((t) => t.id === PROD)).toEqual({ kind: 'ambient', id: PROD, name: 'prod' });
    expect(targets.find((t) => t.id === DEV)).toEqual({
      kind: 'assume-role',
      id: DEV,
      name: 'dev',
      roleArn: `arn:aws:iam::${DEV}:role/WardenAccess`,
      externalId: 'ext-42',
      source: 'organizations',
    });
  });

  it('lets accounts in the config win over discovered ones', async () => {
    const { targets } = await resolveAccounts(
      config({
        accounts: [{ id: DEV, name: 'dev-special', roleArn: `arn:aws:iam::${DEV}:role/Special`, externalId: 'other' }],
        organizations: { discover: true },
      }),
      { organizations: organizations() },
    );
    expect(targets[0]).toEqual({ kind: 'assume-role', id: DEV, name: 'dev-special', roleArn: `arn:aws:iam::${DEV}:role/Special`, externalId: 'other', source: 'config' });
    expect(targets.filter((t) => t.id === DEV)).toHaveLength(1);
  });

  it('reports a failed discovery as a problem and still returns the configured accounts', async () => {
    const { targets, problems } = await resolveAccounts(config({ accounts: [{ id: DEV }], organizations: { discover: true } }), {
      organizations: organizations(DEV_KEY),
    });
    expect(targets).toEqual([{ kind: 'ambient', id: DEV }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/AccessDeniedException/);
  });

  it('falls back to the ambient account when nothing is configured', async () => {
    await expect(resolveAccounts(config({}), { selfAccountId: PROD })).resolves.toEqual({ targets: [{ kind: 'ambient', id: PROD }], problems: [] });
    await expect(resolveAccounts(config({}))).resolves.toEqual({ targets: [{ kind: 'ambient' }], problems: [] });
  });

  it('builds role ARNs in the partition of the account', () => {
    expect(roleArnFor('123456789012', 'warden/WardenAccess', 'arn:aws-us-gov:organizations::1:account/o-1/123456789012')).toBe(
      'arn:aws-us-gov:iam::123456789012:role/warden/WardenAccess',
    );
  });
});

describe('AccountClients', () => {
  const iamOptions = { endpoint: '', region: 'us-east-1', maxAttempts: 1 };
  const accountsOf = (clientsFor: AccountClients, target: AccountTarget) =>
    clientsFor
      .iamFor(target)
      .send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }))
      .then((out) => (out.UserDetailList ?? []).map((u) => u.Arn?.split(':')[4]));

  it('keeps one IAM client per account and assumes each role once while its credentials last', async () => {
    const pool = new AccountClients({ sts: sts(), iam: { ...iamOptions, endpoint: sandbox.url, credentials: credentials(PROD_KEY) }, clock });
    clients.push(pool);
    const dev: AccountTarget = { kind: 'assume-role', id: DEV, roleArn: `arn:aws:iam::${DEV}:role/WardenAccess`, externalId: 'ext', source: 'organizations' };
    const before = sandbox.calls.count('sts:AssumeRole');
    expect(pool.iamFor(dev)).toBe(pool.iamFor({ ...dev }));
    expect(new Set(await accountsOf(pool, dev))).toEqual(new Set([DEV]));
    await accountsOf(pool, dev);
    expect(sandbox.calls.count('sts:AssumeRole') - before).toBe(1);
    expect(new Set(await accountsOf(pool, { kind: 'ambient', id: PROD }))).toEqual(new Set([PROD]));
    expect(sandbox.calls.count('sts:AssumeRole') - before).toBe(1);
    clock.advance(56 * 60_000);
    await accountsOf(pool, dev);
    expect(sandbox.calls.count('sts:AssumeRole') - before).toBe(2);
  });

  it('reports an account whose role cannot be assumed and goes on with the others', async () => {
    const pool = new AccountClients({ sts: sts(), iam: { ...iamOptions, endpoint: sandbox.url, credentials: credentials(PROD_KEY) } });
    clients.push(pool);
    const targets: AccountTarget[] = [
      { kind: 'assume-role', id: '444444444444', roleArn: 'arn:aws:iam::444444444444:role/WardenAccess', source: 'config' },
      { kind: 'assume-role', id: DEV, roleArn: `arn:aws:iam::${DEV}:role/WardenAccess`, source: 'config' },
    ];
    const outcomes = await forEachAccount(targets, 2, (t) => accountsOf(pool, t));
    expect(outcomes[0]?.ok).toBe(false);
    expect(outcomes[0]?.ok === false ? outcomes[0].error : '').toMatch(/cannot assume arn:aws:iam::444444444444:role\/WardenAccess: AccessDenied/);
    expect(outcomes[1]?.ok).toBe(true);
    const direct = await sdkError(accountsOf(pool, targets[0] as AccountTarget));
    expect(direct).toBeInstanceOf(AssumeRoleError);
  });
});
