import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentityCenterDirectory } from '../../../src/adapters/aws/identity-center/directory';
import { makeAction } from '../../../src/domain/planning/build';
import { IC_DENY_SID, parseInlinePolicy, sessionPattern } from '../../../src/domain/identity-center';
import type { IdentityCenterAction } from '../../../src/domain/plan';
import { identityCenterServices } from '../../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../../src/sandbox/identity-center-state';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/server';
import { loadExampleSeed } from '../../sandbox/helpers';

const ACCOUNT = '111111111111';
const THEIRS = { Sid: 'Theirs', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' };
let sandbox: RunningSandbox;
let ic: IdentityCenterSandboxState;
let directory: IdentityCenterDirectory;
let clients: { destroy(): void }[];

beforeEach(async () => {
  ic = IdentityCenterSandboxState.fromSeed({
    users: Array.from({ length: 6 }, (_, i) => ({ userName: `leaver${i}` })),
    groups: [],
    permissionSets: [{ name: 'Shared', sessionDuration: 'PT1H', inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [THEIRS] }) }],
    assignments: [{ permissionSet: 'Shared', accountId: ACCOUNT, user: 'leaver0' }],
  });
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(await loadExampleSeed()), extraServices: identityCenterServices(ic) });
  const config = { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };
  const identityStore = new IdentitystoreClient(config);
  const ssoAdmin = new SSOAdminClient(config);
  clients = [identityStore, ssoAdmin];
  directory = new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
});

afterEach(async () => {
  for (const c of clients) c.destroy();
  await sandbox.close();
});

const denyFor = (userName: string): IdentityCenterAction => {
  const ps = ic.permissionSetByName('Shared');
  const user = ic.userByName(userName);
  return makeAction(
    'deny-ic-sessions',
    { account: ic.identityStoreId, userName, reason: 'departed', control: 'offboarding-24h' },
    { userId: user?.userId ?? '', permissionSetArn: ps?.arn ?? '', permissionSetName: 'Shared', pattern: sessionPattern(userName) },
  ) as IdentityCenterAction;
};

describe('IdentityCenterDirectory writing Warden’s Deny', () => {
  it('loses no leaver when several are denied in one permission set at once, and never touches the other statement', async () => {
    const names = [...ic.users.values()].map((u) => u.userName);
    const outcomes = await Promise.all(names.map((name) => directory.execute(denyFor(name))));
    expect(outcomes.map((o) => o.result)).toEqual(names.map(() => 'ok'));
    const ps = ic.permissionSetByName('Shared');
    const written = JSON.parse(ps?.inlinePolicy ?? '') as { Statement: { Sid: string }[] };
    expect(written.Statement[0]).toEqual(THEIRS);
    expect(written.Statement.filter((s) => s.Sid === IC_DENY_SID)).toHaveLength(1);
    expect(parseInlinePolicy(ps?.inlinePolicy ?? null)?.denied).toEqual(names.map(sessionPattern).sort());
    // What the account runs is the final document, not an intermediate one.
    expect(ic.effectivePolicy(ps?.arn ?? '', ACCOUNT)).toBe(ps?.inlinePolicy);
  });

  it('is idempotent: denying again changes nothing and still succeeds', async () => {
    await directory.execute(denyFor('leaver0'));
    const first = ic.permissionSetByName('Shared')?.inlinePolicy;
    expect(await directory.execute(denyFor('leaver0'))).toMatchObject({ result: 'ok' });
    expect(ic.permissionSetByName('Shared')?.inlinePolicy).toBe(first);
  });

  it('refuses to write into a policy it cannot parse, rather than replace it', async () => {
    const ps = ic.permissionSetByName('Shared');
    if (ps === undefined) throw new Error('seed');
    ps.inlinePolicy = '{"Version":"2012-10-17","Statement":'; // not JSON: whatever it is, it is not Warden's to overwrite
    expect(await directory.execute(denyFor('leaver0'))).toMatchObject({ result: 'failed', retryable: false });
    expect(ps.inlinePolicy).toBe('{"Version":"2012-10-17","Statement":');
  });
});

describe('IdentityCenterDirectory reading managed policies (the admin budget)', () => {
  it('reads the AWS managed policies attached to each permission set, every page', async () => {
    const shared = ic.permissionSetByName('Shared');
    if (shared === undefined) throw new Error('seed');
    shared.managedPolicies.push('arn:aws:iam::aws:policy/AdministratorAccess', ...Array.from({ length: 101 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`));
    const inventory = await directory.inventory();
    const read = inventory.permissionSets.find((ps) => ps.name === 'Shared')?.managedPolicies ?? [];
    expect(read).toHaveLength(102);
    expect(read[0]).toEqual({ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    expect(sandbox.calls.count('ListManagedPoliciesInPermissionSet')).toBe(2);
  });
});
