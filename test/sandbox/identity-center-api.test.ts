import {
  DeleteGroupMembershipCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListUsersCommand,
  paginateListUsers,
} from '@aws-sdk/client-identitystore';
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  GetInlinePolicyForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { identityCenterServices } from '../../src/sandbox/identity-center-service';
import { IC_INLINE_POLICY_MAX_CHARS, IdentityCenterSandboxState } from '../../src/sandbox/identity-center-state';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { loadExampleSeed } from './helpers';

const ACCOUNT = '111111111111';
let sandbox: RunningSandbox;
let ic: IdentityCenterSandboxState;

const clientConfig = (region = 'eu-west-1') => ({
  endpoint: sandbox.url,
  region,
  credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' },
});

beforeEach(async () => {
  ic = IdentityCenterSandboxState.fromSeed({
    region: 'eu-west-1',
    users: Array.from({ length: 7 }, (_, i) => ({ userName: `user${i}@example.com`, emails: [`user${i}@example.com`] })),
    groups: [{ displayName: 'Engineers', members: ['user0@example.com', 'user1@example.com', 'user2@example.com'] }],
    permissionSets: [
      { name: 'ReadOnly', sessionDuration: 'PT4H', inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Theirs', Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] }) },
      { name: 'Admin', sessionDuration: 'PT12H' },
    ],
    assignments: [
      { permissionSet: 'ReadOnly', accountId: ACCOUNT, group: 'Engineers' },
      { permissionSet: 'Admin', accountId: ACCOUNT, user: 'user3@example.com' },
    ],
  });
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed(await loadExampleSeed()), extraServices: identityCenterServices(ic) });
});

afterEach(async () => {
  await sandbox.close();
});

describe('identitystore over its JSON wire protocol', () => {
  it('pages users with NextToken and MaxResults as the SDK paginator expects', async () => {
    const client = new IdentitystoreClient(clientConfig());
    const names: string[] = [];
    for await (const out of paginateListUsers({ client, pageSize: 3 }, { IdentityStoreId: ic.identityStoreId })) names.push(...(out.Users ?? []).map((u) => u.UserName ?? ''));
    expect(names).toHaveLength(7);
    expect(sandbox.calls.count('identitystore:ListUsers')).toBe(3);
    await expect(client.send(new ListUsersCommand({ IdentityStoreId: ic.identityStoreId, MaxResults: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new ListUsersCommand({ IdentityStoreId: ic.identityStoreId, NextToken: 'forged' }))).rejects.toMatchObject({ name: 'ValidationException' });
    client.destroy();
  });

  it('finds the instance only in its own region and store', async () => {
    const elsewhere = new IdentitystoreClient(clientConfig('us-east-1'));
    await expect(elsewhere.send(new ListUsersCommand({ IdentityStoreId: ic.identityStoreId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    elsewhere.destroy();
    const client = new IdentitystoreClient(clientConfig());
    await expect(client.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    client.destroy();
  });

  it('lists memberships by group and by member, and deletes one', async () => {
    const client = new IdentitystoreClient(clientConfig());
    const group = [...ic.groups.values()][0];
    const members = await client.send(new ListGroupMembershipsCommand({ IdentityStoreId: ic.identityStoreId, GroupId: group?.groupId }));
    expect(members.GroupMemberships).toHaveLength(3);
    const user0 = ic.userByName('user0@example.com');
    const mine = await client.send(new ListGroupMembershipsForMemberCommand({ IdentityStoreId: ic.identityStoreId, MemberId: { UserId: user0?.userId ?? '' } }));
    expect(mine.GroupMemberships?.map((m) => m.GroupId)).toEqual([group?.groupId]);
    await client.send(new DeleteGroupMembershipCommand({ IdentityStoreId: ic.identityStoreId, MembershipId: mine.GroupMemberships?.[0]?.MembershipId }));
    expect([...ic.memberships.values()].filter((m) => m.userId === user0?.userId)).toEqual([]);
    await expect(
      client.send(new DeleteGroupMembershipCommand({ IdentityStoreId: ic.identityStoreId, MembershipId: mine.GroupMemberships?.[0]?.MembershipId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    client.destroy();
  });
});

describe('sso-admin over its JSON wire protocol', () => {
  it('describes permission sets, their session duration and where they are provisioned', async () => {
    const client = new SSOAdminClient(clientConfig());
    const sets = await client.send(new ListPermissionSetsCommand({ InstanceArn: ic.instanceArn }));
    expect(sets.PermissionSets).toHaveLength(2);
    const described = await Promise.all((sets.PermissionSets ?? []).map((arn) => client.send(new DescribePermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: arn }))));
    expect(described.map((d) => [d.PermissionSet?.Name, d.PermissionSet?.SessionDuration]).sort()).toEqual([
      ['Admin', 'PT12H'],
      ['ReadOnly', 'PT4H'],
    ]);
    const readOnly = ic.permissionSetByName('ReadOnly')?.arn;
    const accounts = await client.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: readOnly }));
    expect(accounts.AccountIds).toEqual([ACCOUNT]);
    const assignments = await client.send(new ListAccountAssignmentsCommand({ InstanceArn: ic.instanceArn, AccountId: ACCOUNT, PermissionSetArn: readOnly }));
    expect(assignments.AccountAssignments?.map((a) => a.PrincipalType)).toEqual(['GROUP']);
    client.destroy();
  });

  it('deletes an account assignment asynchronously: gone only once the deletion status says SUCCEEDED', async () => {
    ic.asyncDescribes = 2;
    const client = new SSOAdminClient(clientConfig());
    const admin = ic.permissionSetByName('Admin')?.arn ?? '';
    const user3 = ic.userByName('user3@example.com')?.userId ?? '';
    const started = await client.send(
      new DeleteAccountAssignmentCommand({ InstanceArn: ic.instanceArn, TargetId: ACCOUNT, TargetType: 'AWS_ACCOUNT', PermissionSetArn: admin, PrincipalType: 'USER', PrincipalId: user3 }),
    );
    const requestId = started.AccountAssignmentDeletionStatus?.RequestId;
    expect(started.AccountAssignmentDeletionStatus?.Status).toBe('IN_PROGRESS');
    expect(started.AccountAssignmentDeletionStatus?.CreatedDate).toBeInstanceOf(Date);
    const statuses: string[] = [];
    const stillAssigned: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await client.send(new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: ic.instanceArn, AccountAssignmentDeletionRequestId: requestId }));
      statuses.push(out.AccountAssignmentDeletionStatus?.Status ?? '');
      stillAssigned.push(ic.assignments.some((a) => a.principalId === user3));
    }
    expect(statuses).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(stillAssigned).toEqual([true, true, false]);
    expect(ic.assignments.some((a) => a.principalId === user3)).toBe(false);
    client.destroy();
  });

  it('keeps an inline policy within 32,768 characters and provisions it to the accounts', async () => {
    const client = new SSOAdminClient(clientConfig());
    const arn = ic.permissionSetByName('ReadOnly')?.arn ?? '';
    const before = await client.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: arn }));
    expect(JSON.parse(before.InlinePolicy ?? '')).toMatchObject({ Statement: [{ Sid: 'Theirs' }] });
    const tooBig = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(IC_INLINE_POLICY_MAX_CHARS), Effect: 'Deny', Action: '*', Resource: '*' }] });
    await expect(client.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: arn, InlinePolicy: tooBig }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const updated = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Theirs', Effect: 'Deny', Action: '*', Resource: '*' }] });
    await client.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: arn, InlinePolicy: updated }));
    const outdated = await client.send(
      new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: arn, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' }),
    );
    expect(outdated.AccountIds).toEqual([ACCOUNT]);
    expect(ic.effectivePolicy(arn, ACCOUNT)).toBe(before.InlinePolicy);
    const started = await client.send(new ProvisionPermissionSetCommand({ InstanceArn: ic.instanceArn, PermissionSetArn: arn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }));
    const requestId = started.PermissionSetProvisioningStatus?.RequestId;
    let status = started.PermissionSetProvisioningStatus?.Status;
    while (status === 'IN_PROGRESS') {
      const out = await client.send(new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: ic.instanceArn, ProvisionPermissionSetRequestId: requestId }));
      status = out.PermissionSetProvisioningStatus?.Status;
    }
    expect(status).toBe('SUCCEEDED');
    expect(ic.effectivePolicy(arn, ACCOUNT)).toBe(updated);
    client.destroy();
  });
});
