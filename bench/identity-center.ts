/**
 * IAM Identity Center inventory: calls and time for Warden's adapter over the sandbox (real SDK clients, real HTTP), beside
 * a minimal hand-written loop that reads the same facts, and beside the per-principal way of listing assignments.
 * Run alone with `node bin/run-ts.js bench/identity-center.ts [users groups permissionSets accounts]`, or through `npm run bench`.
 */
import { IdentitystoreClient, paginateListGroupMemberships, paginateListGroups, paginateListUsers } from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  paginateListAccountAssignments,
  paginateListAccountAssignmentsForPrincipal,
  paginateListAccountsForProvisionedPermissionSet,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSets,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { IdentityCenterDirectory } from '../src/adapters/aws/identity-center/directory';
import { identityCenterServices } from '../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../src/sandbox/identity-center-state';
import { IamSandboxState } from '../src/sandbox/iam-state';
import { startSandbox } from '../src/sandbox/server';

export interface IcShape {
  readonly users: number;
  readonly groups: number;
  readonly permissionSets: number;
  readonly accounts: number;
}

export const FULL_IC_SHAPE: IcShape = { users: 5000, groups: 200, permissionSets: 50, accounts: 20 };

/** Each user in two groups, each group assigned one permission set in one account, 5% of users with a direct assignment. */
export function syntheticIdentityCenter(shape: IcShape): IdentityCenterSandboxState {
  const state = new IdentityCenterSandboxState();
  const users = Array.from({ length: shape.users }, (_, i) => state.addUser({ userName: `user${i}@example.com`, emails: [{ value: `user${i}@example.com`, primary: true }], externalIds: [{ issuer: 'hr', id: `E${i}` }] }));
  const groups = Array.from({ length: shape.groups }, (_, g) => state.addGroup(`group-${g}`));
  users.forEach((user, i) => {
    state.addMembership(groups[i % shape.groups]?.groupId ?? '', user.userId);
    state.addMembership(groups[(i * 7 + 3) % shape.groups]?.groupId ?? '', user.userId);
  });
  const sets = Array.from({ length: shape.permissionSets }, (_, p) => state.addPermissionSet(`Set${p}`, 'PT4H', p % 5 === 0 ? JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Own', Effect: 'Deny', Action: 'kms:*', Resource: '*' }] }) : null));
  const account = (i: number): string => `5000000000${String(i % shape.accounts).padStart(2, '0')}`;
  groups.forEach((group, g) => {
    state.assign(account(g), sets[g % shape.permissionSets]?.arn ?? '', 'GROUP', group.groupId);
    state.assign(account(g + 7), sets[(g + 11) % shape.permissionSets]?.arn ?? '', 'GROUP', group.groupId);
  });
  users.forEach((user, i) => {
    if (i % 20 === 0) state.assign(account(i), sets[i % shape.permissionSets]?.arn ?? '', 'USER', user.userId);
  });
  return state;
}

/** The fewest calls that read the same facts: every page of users, groups, each group's members, each set (name, session, policy, accounts), each set x account's assignments. */
async function minimalLoop(identityStore: IdentitystoreClient, ssoAdmin: SSOAdminClient, ic: IdentityCenterSandboxState): Promise<number> {
  let facts = 0;
  // Paginators write NextToken into their input: each gets its own.
  const store = (): { IdentityStoreId: string } => ({ IdentityStoreId: ic.identityStoreId });
  for await (const page of paginateListUsers({ client: identityStore, pageSize: 100 }, store())) facts += page.Users?.length ?? 0;
  const groupIds: string[] = [];
  for await (const page of paginateListGroups({ client: identityStore, pageSize: 100 }, store())) groupIds.push(...(page.Groups ?? []).map((g) => g.GroupId ?? ''));
  for (const GroupId of groupIds) for await (const page of paginateListGroupMemberships({ client: identityStore, pageSize: 100 }, { ...store(), GroupId })) facts += page.GroupMemberships?.length ?? 0;
  const sets: string[] = [];
  for await (const page of paginateListPermissionSets({ client: ssoAdmin, pageSize: 100 }, { InstanceArn: ic.instanceArn })) sets.push(...(page.PermissionSets ?? []));
  for (const PermissionSetArn of sets) {
    const input = { InstanceArn: ic.instanceArn, PermissionSetArn };
    await ssoAdmin.send(new DescribePermissionSetCommand(input));
    await ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand(input));
    for await (const page of paginateListManagedPoliciesInPermissionSet({ client: ssoAdmin, pageSize: 100 }, input)) facts += page.AttachedManagedPolicies?.length ?? 0;
    const accounts: string[] = [];
    for await (const page of paginateListAccountsForProvisionedPermissionSet({ client: ssoAdmin, pageSize: 100 }, input)) accounts.push(...(page.AccountIds ?? []));
    for (const AccountId of accounts) for await (const page of paginateListAccountAssignments({ client: ssoAdmin, pageSize: 100 }, { ...input, AccountId })) facts += page.AccountAssignments?.length ?? 0;
  }
  return facts;
}

/** The alternative for assignments: one ListAccountAssignmentsForPrincipal listing per user and per group. */
async function perPrincipalAssignments(ssoAdmin: SSOAdminClient, ic: IdentityCenterSandboxState): Promise<void> {
  const principals = [...[...ic.users.keys()].map((id) => ['USER', id] as const), ...[...ic.groups.keys()].map((id) => ['GROUP', id] as const)];
  for (const [PrincipalType, PrincipalId] of principals) {
    for await (const page of paginateListAccountAssignmentsForPrincipal({ client: ssoAdmin, pageSize: 100 }, { InstanceArn: ic.instanceArn, PrincipalId, PrincipalType })) void page;
  }
}

export async function benchIdentityCenter(shape: IcShape = FULL_IC_SHAPE): Promise<Record<string, unknown>> {
  const ic = syntheticIdentityCenter(shape);
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: [{ id: '500000000000' }] } as never), extraServices: identityCenterServices(ic) });
  const config = { endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIABENCHIC000000001', secretAccessKey: 'x' } };
  const identityStore = new IdentitystoreClient(config);
  const ssoAdmin = new SSOAdminClient(config);
  try {
    const directory = new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal' });
    let started = Date.now();
    const inventory = await directory.inventory();
    const wardenMs = Date.now() - started;
    const wardenCalls = sandbox.calls.count();
    const wardenByAction: Record<string, number> = {};
    for (const call of sandbox.calls.entries()) wardenByAction[call.action] = (wardenByAction[call.action] ?? 0) + 1;
    sandbox.calls.reset();
    started = Date.now();
    await minimalLoop(identityStore, ssoAdmin, ic);
    const minimalMs = Date.now() - started;
    const minimalCalls = sandbox.calls.count();
    const minimalByAction: Record<string, number> = {};
    for (const call of sandbox.calls.entries()) minimalByAction[call.action] = (minimalByAction[call.action] ?? 0) + 1;
    sandbox.calls.reset();
    started = Date.now();
    await perPrincipalAssignments(ssoAdmin, ic);
    const perPrincipalMs = Date.now() - started;
    const perPrincipalCalls = sandbox.calls.count();
    return {
      shape,
      read: { users: inventory.users.length, groups: inventory.groups.length, memberships: inventory.memberships.length, permissionSets: inventory.permissionSets.length, assignments: inventory.assignments.length },
      warden: { calls: wardenCalls, ms: wardenMs, byAction: wardenByAction },
      minimalLoop: { calls: minimalCalls, ms: minimalMs, byAction: minimalByAction },
      wardenOverMinimal: Number((wardenCalls / minimalCalls).toFixed(2)),
      assignmentsPerPrincipal: { calls: perPrincipalCalls, ms: perPrincipalMs, note: 'ListAccountAssignmentsForPrincipal per user and group, assignments only' },
    };
  } finally {
    identityStore.destroy();
    ssoAdmin.destroy();
    await sandbox.close();
  }
}

if (process.argv[1]?.endsWith('identity-center.ts') === true) {
  const [users, groups, permissionSets, accounts] = process.argv.slice(2).map(Number);
  const shape = users !== undefined && !Number.isNaN(users) ? { users, groups: groups ?? 200, permissionSets: permissionSets ?? 50, accounts: accounts ?? 20 } : FULL_IC_SHAPE;
  benchIdentityCenter(shape).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
