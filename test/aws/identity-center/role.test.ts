import { STSClient } from '@aws-sdk/client-sts';
import { IdentityCenterDirectory } from '../../../src/adapters/aws/identity-center/directory';
import { identityCenterClientPair } from '../../../src/runtime/clients';
import { identityCenterServices } from '../../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../../src/sandbox/identity-center-state';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/server';
import { loadExampleSeed } from '../../sandbox/helpers';

/** Warden runs in the production account; the Identity Center instance belongs to another (the management account). */
const MANAGEMENT = '222222222222';
const ROLE_ARN = `arn:aws:iam::${MANAGEMENT}:role/WardenIdentityCenter`;
const EXTERNAL_ID = 'warden-7f3a';
const base = { region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };

let sandbox: RunningSandbox;
let ic: IdentityCenterSandboxState;
const clients: { destroy(): void }[] = [];

beforeEach(async () => {
  ic = IdentityCenterSandboxState.fromSeed({ region: 'eu-west-1', users: [{ userName: 'bob@example.com', emails: ['bob@example.com'] }], groups: [], permissionSets: [], assignments: [] });
  ic.homeAccount = MANAGEMENT;
  const seed = await loadExampleSeed();
  const state = IamSandboxState.fromSeed(seed);
  state.roles.insert(
    MANAGEMENT,
    {
      roleName: 'WardenIdentityCenter',
      path: '/',
      maxSessionDuration: 3600,
      trustPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }] }),
      inlinePolicies: {},
    },
    new Date(),
  );
  sandbox = await startSandbox({ state, extraServices: identityCenterServices(ic) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await sandbox.close();
});

function directory(role?: { roleArn: string; externalId?: string }): IdentityCenterDirectory {
  const sts = new STSClient({ ...base, endpoint: sandbox.url });
  const pair = identityCenterClientPair({ sts: () => sts, region: 'eu-west-1', base: { ...base, endpoint: sandbox.url }, ...(role !== undefined ? { role } : {}) });
  clients.push(sts, pair.identityStore, pair.ssoAdmin);
  return new IdentityCenterDirectory({ ...pair, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
}

describe('identityCenter.roleArn: Warden outside the management account', () => {
  it('is refused with its own credentials, and reads Identity Center through the assumed role (one AssumeRole, with the external id)', async () => {
    sandbox.calls.reset();
    const inventory = await directory({ roleArn: ROLE_ARN, externalId: EXTERNAL_ID }).inventory();
    expect(inventory.users.map((u) => u.userName)).toEqual(['bob@example.com']);
    const calls = sandbox.calls.entries();
    expect(calls.filter((c) => c.action === 'AssumeRole').map((c) => [c.service, c.account, c.status])).toEqual([['sts', '111111111111', 200]]);
    const icCalls = calls.filter((c) => c.service === 'identitystore' || c.service === 'sso-admin' || c.service === 'sso');
    expect(icCalls.length).toBeGreaterThan(0);
    expect(new Set(icCalls.map((c) => c.account))).toEqual(new Set([MANAGEMENT]));

    await expect(directory().inventory()).rejects.toThrow(/AccessDenied|not authorized/);
  });

  it('fails closed with a wrong external id: an assume-role error, never the process\'s own credentials', async () => {
    sandbox.calls.reset();
    await expect(directory({ roleArn: ROLE_ARN, externalId: 'guessed' }).inventory()).rejects.toThrow(/WardenIdentityCenter/);
    expect(sandbox.calls.entries().filter((c) => c.service !== 'sts' && c.status === 200)).toEqual([]);
  });
});
