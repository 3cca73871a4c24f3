import { createHash, createPublicKey } from 'node:crypto';
import {
  AddUserToGroupCommand,
  CreatePolicyVersionCommand,
  AttachUserPolicyCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachUserPolicyCommand,
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetSSHPublicKeyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListUsers,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
  UpdateSigningCertificateCommand,
  UpdateSSHPublicKeyCommand,
  type IAMClient,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { CREDENTIAL_REPORT_COLUMNS } from '../../src/sandbox/credential-report';
import type { RunningSandbox } from '../../src/sandbox/server';
import { syntheticAccount } from '../../src/sandbox/synthetic';
import { createDummyUser, createTestClock, iamClient, PROD, sdkError, startExampleSandbox } from './helpers';

describe('IAM sandbox through the real SDK', () => {
  let sandbox: RunningSandbox;
  let iam: IAMClient;
  const clock = createTestClock();

  beforeEach(async () => {
    clock.set('2026-11-26T12:00:00Z');
    sandbox = await startExampleSandbox({}, clock);
    iam = iamClient(sandbox);
  });

  afterEach(async () => {
    iam.destroy();
    await sandbox.close();
  });

  describe('pagination', () => {
    it('pages ListUsers one user at a time, in name order, with one call per page', async () => {
      const names: string[] = [];
      let pages = 0;
      for await (const page of paginateListUsers({ client: iam, pageSize: 1 }, {})) {
        pages++;
        names.push(...(page.Users ?? []).map((u) => u.UserName ?? ''));
      }
      expect(names).toEqual(['alice', 'bob', 'ci-deployer']);
      expect(pages).toBe(3);
      expect(sandbox.calls.count('ListUsers')).toBe(3);
    });

    it('pages GetAccountAuthorizationDetails over a synthetic account with MaxItems, every user exactly once', async () => {
      const account = syntheticAccount({ accountId: '333333333333', users: 230, seed: 7 });
      sandbox.state.addAccount({ ...account, accessKeyIds: ['AKIASYNTHETIC0000001'] });
      const client = iamClient(sandbox, 'AKIASYNTHETIC0000001');
      const users: UserDetail[] = [];
      let groups = 0;
      let pages = 0;
      for await (const page of paginateGetAccountAuthorizationDetails({ client, pageSize: 40 }, { Filter: ['User', 'Group'] })) {
        pages++;
        expect((page.UserDetailList?.length ?? 0) + (page.GroupDetailList?.length ?? 0)).toBeLessThanOrEqual(40);
        users.push(...(page.UserDetailList ?? []));
        groups += page.GroupDetailList?.length ?? 0;
      }
      client.destroy();
      expect(users.map((u) => u.UserName)).toEqual([...new Set(users.map((u) => u.UserName))]);
      expect(users).toHaveLength(230);
      expect(groups).toBe(account.groups?.length);
      expect(pages).toBe(Math.ceil((230 + groups) / 40));
      const tagged = users.filter((u) => u.Tags?.some((t) => t.Key === 'employee_id'));
      expect(tagged.length).toBeGreaterThan(180);
    });

    it('uses a default page of 100 and rejects MaxItems outside 1..1000', async () => {
      sandbox.state.addAccount({
        id: '444444444444',
        accessKeyIds: ['AKIAMANYUSERS0000001'],
        users: Array.from({ length: 150 }, (_, i) => createDummyUser({ userName: `u${String(i).padStart(3, '0')}`, accessKeys: [] })),
      });
      const client = iamClient(sandbox, 'AKIAMANYUSERS0000001');
      const first = await client.send(new GetUserCommand({ UserName: 'u000' }));
      expect(first.User?.UserName).toBe('u000');
      const page = await client.send(new ListUsersCommand({}));
      expect(page.Users).toHaveLength(100);
      expect(page.IsTruncated).toBe(true);
      const rest = await client.send(new ListUsersCommand({ Marker: page.Marker }));
      expect(rest.Users).toHaveLength(50);
      expect(rest.IsTruncated).toBe(false);
      expect(rest.Marker).toBeUndefined();
      const tooMany = await sdkError(client.send(new ListUsersCommand({ MaxItems: 1001 })));
      expect(tooMany.name).toBe('ValidationError');
      client.destroy();
    });
  });

  describe('GetAccountAuthorizationDetails content', () => {
    it('returns groups, attached and URL-encoded inline policies, and tags per user', async () => {
      const users: UserDetail[] = [];
      const policies: string[] = [];
      for await (const page of paginateGetAccountAuthorizationDetails({ client: iam }, {})) {
        users.push(...(page.UserDetailList ?? []));
        policies.push(...(page.Policies ?? []).map((p) => p.Arn ?? ''));
      }
      const bob = users.find((u) => u.UserName === 'bob');
      expect(bob?.GroupList).toEqual(['developers']);
      expect(bob?.AttachedManagedPolicies).toEqual([{ PolicyName: 'AmazonS3FullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }]);
      const inline = bob?.UserPolicyList?.[0];
      expect(inline?.PolicyName).toBe('legacy-s3');
      expect(inline?.PolicyDocument).toMatch(/^%7B/);
      expect(JSON.parse(decodeURIComponent(inline?.PolicyDocument ?? ''))).toMatchObject({ Statement: [{ Action: 's3:*' }] });
      expect(bob?.Tags).toEqual([
        { Key: 'employee_id', Value: 'E1002' },
        { Key: 'email', Value: 'bob@example.com' },
      ]);
      expect(bob?.CreateDate).toEqual(new Date('2020-09-01T12:00:00Z'));
      expect(users.find((u) => u.UserName === 'ci-deployer')?.Arn).toBe(`arn:aws:iam::${PROD}:user/service/ci-deployer`);
      expect(policies).toEqual(expect.arrayContaining(['arn:aws:iam::aws:policy/AdministratorAccess', `arn:aws:iam::${PROD}:policy/deploy`]));
    });

    it('honours Filter: only the requested entity types come back', async () => {
      const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'] }));
      expect(page.UserDetailList).toEqual([]);
      expect(page.GroupDetailList).toEqual([]);
      expect(page.Policies?.map((p) => p.Arn)).toEqual([`arn:aws:iam::${PROD}:policy/deploy`, `arn:aws:iam::${PROD}:policy/warden-deny-all`]);
    });
  });

  describe('managed policy versions', () => {
    const deploy = `arn:aws:iam::${PROD}:policy/deploy`;
    const versionsOf = async (arn: string) => {
      const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'] }));
      const policy = page.Policies?.find((p) => p.Arn === arn);
      return { defaultVersionId: policy?.DefaultVersionId, versions: (policy?.PolicyVersionList ?? []).map((v) => [v.VersionId, v.IsDefaultVersion, JSON.parse(decodeURIComponent(v.Document ?? '')).Statement[0].Action]) };
    };
    const allowing = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

    it('adds versions, lists them all with the default marked, and moves the default', async () => {
      const seeded = await versionsOf(deploy);
      expect(seeded.defaultVersionId).toBe('v1');
      expect(seeded.versions).toHaveLength(1);
      const created = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: deploy, PolicyDocument: allowing('iam:*') }));
      expect(created.PolicyVersion).toEqual({ VersionId: 'v2', IsDefaultVersion: false, CreateDate: new Date('2026-11-26T12:00:00Z') });
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: deploy, PolicyDocument: allowing('s3:GetObject'), SetAsDefault: true }));
      expect(await versionsOf(deploy)).toEqual({
        defaultVersionId: 'v3',
        versions: [
          ['v1', false, seeded.versions[0]?.[2]],
          ['v2', false, 'iam:*'],
          ['v3', true, 's3:GetObject'],
        ],
      });
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: deploy, VersionId: 'v2' }));
      expect((await versionsOf(deploy)).versions.map(([id, isDefault]) => [id, isDefault])).toEqual([
        ['v1', false],
        ['v2', true],
        ['v3', false],
      ]);
    });

    it("refuses a sixth version, an unknown version, AWS managed policies and another account's, as IAM does", async () => {
      for (let i = 0; i < 4; i += 1) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: deploy, PolicyDocument: allowing(`s3:Get${i}`) }));
      await expect(iam.send(new CreatePolicyVersionCommand({ PolicyArn: deploy, PolicyDocument: allowing('s3:*') }))).rejects.toMatchObject({ name: 'LimitExceededException' });
      await expect(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: deploy, VersionId: 'v9' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
      await expect(iam.send(new CreatePolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', PolicyDocument: allowing('*') }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
      await expect(iam.send(new CreatePolicyVersionCommand({ PolicyArn: 'arn:aws:iam::999999999999:policy/deploy', PolicyDocument: allowing('*') }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
      await expect(iam.send(new CreatePolicyVersionCommand({ PolicyArn: deploy, PolicyDocument: '{"Statement": "nope"' }))).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
      expect((await versionsOf(deploy)).defaultVersionId).toBe('v1');
    });
  });

  describe('credential report', () => {
    const parse = (content: Uint8Array | undefined) =>
      Buffer.from(content ?? new Uint8Array())
        .toString('utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(','));

    it('goes STARTED -> in progress -> COMPLETE and returns AWS-format CSV', async () => {
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
      const notReady = await sdkError(iam.send(new GetCredentialReportCommand({})));
      expect(notReady.name).toBe('CredentialReportNotReadyException');
      expect(notReady.$metadata.httpStatusCode).toBe(404);
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');

      const report = await iam.send(new GetCredentialReportCommand({}));
      expect(report.ReportFormat).toBe('text/csv');
      expect(report.GeneratedTime).toEqual(clock.now());
      const [header, root, ...rows] = parse(report.Content);
      expect(header).toEqual([...CREDENTIAL_REPORT_COLUMNS]);
      expect(root?.slice(0, 8)).toEqual(['<root_account>', `arn:aws:iam::${PROD}:root`, '2019-03-01T09:00:00+00:00', 'not_supported', 'no_information', 'not_supported', 'not_supported', 'true']);
      const row = (name: string) => Object.fromEntries(CREDENTIAL_REPORT_COLUMNS.map((c, i) => [c, rows.find((r) => r[0] === name)?.[i]]));
      expect(row('alice')).toMatchObject({
        password_enabled: 'true',
        password_last_used: '2026-11-20T07:45:00+00:00',
        mfa_active: 'true',
        access_key_1_active: 'true',
        access_key_1_last_used_date: '2026-11-25T16:02:00+00:00',
        access_key_1_last_used_region: 'eu-west-1',
        access_key_1_last_used_service: 's3',
        access_key_2_active: 'false',
        access_key_2_last_rotated: 'N/A',
        cert_1_active: 'false',
      });
      expect(row('bob')).toMatchObject({ password_last_used: 'no_information', access_key_1_active: 'false', access_key_1_last_used_date: 'N/A', access_key_2_active: 'true', cert_1_active: 'true' });
      expect(row('ci-deployer')).toMatchObject({ password_enabled: 'false', password_last_used: 'N/A', password_last_changed: 'N/A', mfa_active: 'false' });
    });

    it('answers ReportNotPresent before any generation and ReportExpired after four hours', async () => {
      const missing = await sdkError(iam.send(new GetCredentialReportCommand({})));
      expect(missing.name).toBe('CredentialReportNotPresentException');
      expect(missing.$metadata.httpStatusCode).toBe(410);
      sandbox.state.setCredentialReportDelay({ calls: 0 });
      await iam.send(new GenerateCredentialReportCommand({}));
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
      clock.advance(4 * 60 * 60 * 1000 + 1000);
      const expired = await sdkError(iam.send(new GetCredentialReportCommand({})));
      expect(expired.name).toBe('CredentialReportExpiredException');
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    });

    it('can take wall-clock time to generate (delay in ms on the state clock)', async () => {
      sandbox.state.setCredentialReportDelay({ ms: 30_000 });
      await iam.send(new GenerateCredentialReportCommand({}));
      expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('INPROGRESS');
      clock.advance(31_000);
      const report = await iam.send(new GetCredentialReportCommand({}));
      expect(parse(report.Content)).toHaveLength(5);
    });
  });

  describe('errors surface as SDK exceptions', () => {
    it('NoSuchEntity for unknown users, keys, profiles and policies', async () => {
      const cases = [
        iam.send(new GetUserCommand({ UserName: 'nobody' })),
        iam.send(new ListAccessKeysCommand({ UserName: 'nobody' })),
        iam.send(new GetLoginProfileCommand({ UserName: 'ci-deployer' })),
        iam.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIADOESNOTEXIST0000', Status: 'Inactive' })),
        iam.send(new GetUserPolicyCommand({ UserName: 'bob', PolicyName: 'nope' })),
        iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })),
        iam.send(new RemoveUserFromGroupCommand({ UserName: 'ci-deployer', GroupName: 'developers' })),
      ];
      for (const call of cases) {
        const error = await sdkError(call);
        expect(error.name).toBe('NoSuchEntityException');
        expect(error.$metadata.httpStatusCode).toBe(404);
      }
      const notFound = await sdkError(iam.send(new GetUserCommand({ UserName: 'nobody' })));
      expect(notFound.message).toBe('The user with name nobody cannot be found.');
    });

    it('DeleteUser conflicts until every subresource is gone, in the order AWS requires', async () => {
      const conflict = async () => (await sdkError(iam.send(new DeleteUserCommand({ UserName: 'bob' })))).message;
      const messages: string[] = [];
      messages.push(await conflict());
      await iam.send(new DeleteLoginProfileCommand({ UserName: 'bob' }));
      messages.push(await conflict());
      for (const key of (await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }))).AccessKeyMetadata ?? []) {
        await iam.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: key.AccessKeyId }));
      }
      messages.push(await conflict());
      for (const cert of (await iam.send(new ListSigningCertificatesCommand({ UserName: 'bob' }))).Certificates ?? []) {
        await iam.send(new DeleteSigningCertificateCommand({ UserName: 'bob', CertificateId: cert.CertificateId }));
      }
      for (const key of (await iam.send(new ListSSHPublicKeysCommand({ UserName: 'bob' }))).SSHPublicKeys ?? []) {
        await iam.send(new DeleteSSHPublicKeyCommand({ UserName: 'bob', SSHPublicKeyId: key.SSHPublicKeyId }));
      }
      for (const cred of (await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'bob' }))).ServiceSpecificCredentials ?? []) {
        await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: 'bob', ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId }));
      }
      messages.push(await conflict());
      const devices = (await iam.send(new ListMFADevicesCommand({ UserName: 'bob' }))).MFADevices ?? [];
      expect(devices).toHaveLength(2);
      const virtual = devices.find((d) => d.SerialNumber?.startsWith('arn:'))?.SerialNumber;
      const inUse = await sdkError(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: virtual })));
      expect(inUse.name).toBe('DeleteConflictException');
      for (const device of devices) await iam.send(new DeactivateMFADeviceCommand({ UserName: 'bob', SerialNumber: device.SerialNumber }));
      await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: virtual }));
      messages.push(await conflict());
      for (const name of (await iam.send(new ListUserPoliciesCommand({ UserName: 'bob' }))).PolicyNames ?? []) {
        await iam.send(new DeleteUserPolicyCommand({ UserName: 'bob', PolicyName: name }));
      }
      messages.push(await conflict());
      for (const policy of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'bob' }))).AttachedPolicies ?? []) {
        await iam.send(new DetachUserPolicyCommand({ UserName: 'bob', PolicyArn: policy.PolicyArn }));
      }
      messages.push(await conflict());
      for (const group of (await iam.send(new ListGroupsForUserCommand({ UserName: 'bob' }))).Groups ?? []) {
        await iam.send(new RemoveUserFromGroupCommand({ UserName: 'bob', GroupName: group.GroupName }));
      }
      await iam.send(new DeleteUserCommand({ UserName: 'bob' }));

      expect(messages).toEqual([
        'Cannot delete entity, must delete login profile first.',
        'Cannot delete entity, must delete access keys first.',
        'Cannot delete entity, must delete signing certificates first.',
        'Cannot delete entity, must delete MFA device first.',
        'Cannot delete entity, must delete policies first.',
        'Cannot delete entity, must detach all policies first.',
        'Cannot delete entity, must remove users from group first.',
      ]);
      expect(sandbox.state.user(PROD, 'bob')).toBeUndefined();
      expect((await sdkError(iam.send(new GetUserCommand({ UserName: 'bob' })))).name).toBe('NoSuchEntityException');
    });

    it('a conflict error carries HTTP 409 and the awsQuery error fields', async () => {
      const error = await sdkError(iam.send(new DeleteUserCommand({ UserName: 'alice' })));
      expect(error.name).toBe('DeleteConflictException');
      expect(error.$metadata.httpStatusCode).toBe(409);
      expect(error).toMatchObject({ Type: 'Sender', Code: 'DeleteConflict' });
    });
  });

  describe('per-user reads and revocations', () => {
    it('deactivates credentials of every kind and reads them back', async () => {
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive' }));
      await iam.send(new UpdateSSHPublicKeyCommand({ UserName: 'alice', SSHPublicKeyId: 'APKAALICE0000000001X', Status: 'Inactive' }));
      const certId = sandbox.state.user(PROD, 'bob')?.signingCertificates[0]?.id;
      const credId = sandbox.state.user(PROD, 'bob')?.serviceSpecificCredentials[0]?.id;
      await iam.send(new UpdateSigningCertificateCommand({ UserName: 'bob', CertificateId: certId, Status: 'Inactive' }));
      await iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: 'bob', ServiceSpecificCredentialId: credId, Status: 'Inactive' }));

      expect((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata).toEqual([
        { UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive', CreateDate: new Date('2025-01-10T10:00:00Z') },
      ]);
      expect((await iam.send(new ListSSHPublicKeysCommand({ UserName: 'alice' }))).SSHPublicKeys?.[0]?.Status).toBe('Inactive');
      expect((await iam.send(new ListSigningCertificatesCommand({ UserName: 'bob' }))).Certificates?.[0]).toMatchObject({ CertificateId: certId, Status: 'Inactive' });
      expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'bob' }))).ServiceSpecificCredentials?.[0]).toMatchObject({
        ServiceSpecificCredentialId: credId,
        Status: 'Inactive',
        ServiceName: 'codecommit.amazonaws.com',
        ServiceUserName: `bob-at-${PROD}`,
      });
      expect(sandbox.state.user(PROD, 'alice')?.accessKeys[0]?.status).toBe('Inactive');
    });

    it('reports access key last use, with N/A for a key never used', async () => {
      const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAALICE00000000001' }));
      expect(used).toMatchObject({ UserName: 'alice', AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-25T16:02:00Z'), ServiceName: 's3', Region: 'eu-west-1' } });
      const never = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIABOB0000000000002' }));
      expect(never.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
    });

    it('serves SSH public keys as SSH and as PEM with the MD5 fingerprint', async () => {
      const ssh = await iam.send(new GetSSHPublicKeyCommand({ UserName: 'bob', SSHPublicKeyId: 'APKABOB00000000001XX', Encoding: 'SSH' }));
      const body = ssh.SSHPublicKey?.SSHPublicKeyBody ?? '';
      expect(body).toMatch(/^ssh-rsa AAAA\S+ bob@workstation$/);
      const md5 = createHash('md5')
        .update(Buffer.from(body.split(' ')[1] ?? '', 'base64'))
        .digest('hex');
      expect(ssh.SSHPublicKey?.Fingerprint?.replace(/:/g, '')).toBe(md5);
      const pem = await iam.send(new GetSSHPublicKeyCommand({ UserName: 'alice', SSHPublicKeyId: 'APKAALICE0000000001X', Encoding: 'PEM' }));
      const key = createPublicKey(pem.SSHPublicKey?.SSHPublicKeyBody ?? '');
      expect(key.asymmetricKeyType).toBe('ed25519');
    });

    it('lists tags, groups, login profile, and MFA devices with their owners', async () => {
      expect((await iam.send(new ListUserTagsCommand({ UserName: 'alice' }))).Tags).toContainEqual({ Key: 'email', Value: 'alice@example.com' });
      expect((await iam.send(new ListGroupsForUserCommand({ UserName: 'alice' }))).Groups?.map((g) => g.GroupName)).toEqual(['admins', 'developers']);
      expect((await iam.send(new GetLoginProfileCommand({ UserName: 'ALICE' }))).LoginProfile).toMatchObject({ UserName: 'alice', PasswordResetRequired: false });
      const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
      expect(assigned.VirtualMFADevices?.map((d) => d.User?.UserName)).toEqual(['alice', 'bob']);
      await iam.send(new DeactivateMFADeviceCommand({ UserName: 'alice', SerialNumber: `arn:aws:iam::${PROD}:mfa/alice` }));
      const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
      expect(unassigned.VirtualMFADevices).toEqual([{ SerialNumber: `arn:aws:iam::${PROD}:mfa/alice` }]);
    });

    it('puts a deny-all inline policy, attaches and detaches managed policies, and moves group membership', async () => {
      const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
      await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'warden-deny-all', PolicyDocument: denyAll }));
      const stored = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'warden-deny-all' }));
      expect(decodeURIComponent(stored.PolicyDocument ?? '')).toBe(denyAll);
      const malformed = await sdkError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: '{not json' })));
      expect(malformed.name).toBe('MalformedPolicyDocumentException');

      await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
      expect(sandbox.state.user(PROD, 'alice')?.attachedPolicies).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
      await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
      expect(sandbox.state.user(PROD, 'alice')?.attachedPolicies).toEqual([]);

      await iam.send(new RemoveUserFromGroupCommand({ UserName: 'alice', GroupName: 'admins' }));
      await iam.send(new AddUserToGroupCommand({ UserName: 'ci-deployer', GroupName: 'developers' }));
      expect(sandbox.state.user(PROD, 'alice')?.groups).toEqual(['developers']);
      expect(sandbox.state.user(PROD, 'ci-deployer')?.groups).toEqual(['developers']);
      const noGroup = await sdkError(iam.send(new AddUserToGroupCommand({ UserName: 'alice', GroupName: 'ghosts' })));
      expect(noGroup.name).toBe('NoSuchEntityException');
    });

    it('deletes keys so they no longer authenticate, and answers GetUser for the calling user', async () => {
      const alice = iamClient(sandbox, 'AKIAALICE00000000001');
      expect((await alice.send(new GetUserCommand({}))).User?.UserName).toBe('alice');
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001' }));
      const rejected = await sdkError(alice.send(new GetUserCommand({})));
      expect(rejected.name).toBe('InvalidClientTokenId');
      expect(rejected.$metadata.httpStatusCode).toBe(403);
      alice.destroy();
    });
  });
});
