import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { UpdateAccessKeyCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { CloudTrailLog, cloudTrailService, eventBridgeEvent } from '../../src/sandbox/cloudtrail';
import type { RunningSandbox } from '../../src/sandbox/server';
import { PROD, PROD_KEY, createTestClock, iamClient, sdkError, startExampleSandbox } from '../sandbox/helpers';

const ALICE_KEY = 'AKIAALICE00000000001';

function trailClient(sandbox: RunningSandbox, accessKeyId = PROD_KEY): CloudTrailClient {
  return new CloudTrailClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
}

describe('sandbox CloudTrail', () => {
  let sandbox: RunningSandbox;
  let trail: CloudTrailLog;
  let ms = 0;
  const clock = createTestClock('2026-12-03T10:00:00Z');

  beforeEach(async () => {
    trail = new CloudTrailLog();
    ms = 0;
    sandbox = await startExampleSandbox({ observers: [trail.observe], extraServices: [cloudTrailService(trail, { now: () => ms })] }, clock);
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('records an IAM write with who signed it, when, from where and its parameters', async () => {
    // alice (an admin in the seed) re-activates bob's inactive key with her own access key.
    const asAlice = iamClient(sandbox, ALICE_KEY);
    await asAlice.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002', Status: 'Active' }));
    const record = trail.latest(PROD, 'UpdateAccessKey');
    expect(record).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      eventName: 'UpdateAccessKey',
      eventTime: '2026-12-03T10:00:00Z',
      readOnly: false,
      recipientAccountId: PROD,
      requestParameters: { userName: 'bob', accessKeyId: 'AKIABOB0000000000002', status: 'Active' },
      userIdentity: { type: 'IAMUser', userName: 'alice', accessKeyId: ALICE_KEY, arn: `arn:aws:iam::${PROD}:user/alice` },
    });
    expect(record?.sourceIPAddress).toMatch(/127\.0\.0\.1/);
    expect(record?.errorCode).toBeUndefined();
    const event = eventBridgeEvent(record as NonNullable<typeof record>);
    expect(event).toMatchObject({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account: PROD, detail: record });
    asAlice.destroy();
  });

  it('answers LookupEvents over the JSON protocol: one attribute, newest first, 50 a page with NextToken', async () => {
    const iam = iamClient(sandbox);
    for (let i = 0; i < 60; i++) await iam.send(new ListUsersCommand({}));
    const asAlice = iamClient(sandbox, ALICE_KEY);
    await asAlice.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: 'AKIABOB0000000000002', Status: 'Active' }));
    const ct = trailClient(sandbox);
    const byKey = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: ALICE_KEY }] }));
    expect(byKey.Events?.map((e) => e.EventName)).toEqual(['UpdateAccessKey']);
    expect(byKey.Events?.[0]?.EventTime).toEqual(new Date('2026-12-03T10:00:00Z'));
    expect(JSON.parse(byKey.Events?.[0]?.CloudTrailEvent ?? '{}')).toMatchObject({ userIdentity: { userName: 'alice' } });
    ms += 1000;
    const first = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListUsers' }] }));
    expect(first.Events).toHaveLength(50);
    expect(first.NextToken).toBeDefined();
    ms += 1000;
    const second = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListUsers' }], NextToken: first.NextToken }));
    expect(second.Events).toHaveLength(10);
    expect(second.NextToken).toBeUndefined();
    const ids = new Set([...(first.Events ?? []), ...(second.Events ?? [])].map((e) => e.EventId));
    expect(ids.size).toBe(60);
    ms += 1000;
    const byUser = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] }));
    expect(byUser.Events?.map((e) => e.Username)).toEqual(['alice']);
    ms += 1000;
    const outside = await ct.send(new LookupEventsCommand({ StartTime: new Date('2026-12-03T10:00:01Z'), EndTime: new Date('2026-12-03T11:00:00Z') }));
    expect(outside.Events).toEqual([]);
    ct.destroy();
    iam.destroy();
    asAlice.destroy();
  });

  it('refuses two lookup attributes and bad page sizes the way CloudTrail does', async () => {
    const ct = trailClient(sandbox);
    const two = await sdkError(
      ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'a' }, { AttributeKey: 'EventName', AttributeValue: 'b' }] })),
    );
    expect(two.name).toBe('InvalidLookupAttributesException');
    ms += 1000;
    expect((await sdkError(ct.send(new LookupEventsCommand({ MaxResults: 51 })))).name).toBe('InvalidMaxResultsException');
    ms += 1000;
    expect((await sdkError(ct.send(new LookupEventsCommand({ NextToken: 'bogus' })))).name).toBe('InvalidNextTokenException');
    ct.destroy();
  });

  it('throttles LookupEvents at 2 requests per second per account', async () => {
    const ct = trailClient(sandbox);
    await ct.send(new LookupEventsCommand({}));
    await ct.send(new LookupEventsCommand({}));
    const third = await sdkError(ct.send(new LookupEventsCommand({})));
    expect(third.name).toBe('ThrottlingException');
    ms += 500;
    await expect(ct.send(new LookupEventsCommand({}))).resolves.toBeDefined();
    ct.destroy();
  });
});

describe('sandbox CloudTrail: Identity Center and identity-store writes', () => {
  it('records them under their own event sources, and classification names the Identity Center principal', async () => {
    const { SSOAdminClient, CreateAccountAssignmentCommand } = await import('@aws-sdk/client-sso-admin');
    const { IdentitystoreClient, CreateGroupMembershipCommand } = await import('@aws-sdk/client-identitystore');
    const { jsonService, jsonReply } = await import('../../src/sandbox/service');
    const { classifyTrailEvent, parseTrailRecord, wardenActors } = await import('../../src/domain/trail');
    const trail = new CloudTrailLog();
    // Minimal stand-ins for the Identity Center plane's sandbox services: the recording does not depend on them.
    const sso = jsonService({ name: 'sso', targetPrefix: 'SWBExternalService', actions: { CreateAccountAssignment: () => jsonReply({ AccountAssignmentCreationStatus: { Status: 'IN_PROGRESS', RequestId: 'r-1' } }) } });
    const store = jsonService({ name: 'identitystore', targetPrefix: 'AWSIdentityStore', actions: { CreateGroupMembership: () => jsonReply({ MembershipId: 'm-1', IdentityStoreId: 'd-1' }) } });
    const sandbox = await startExampleSandbox({ observers: [trail.observe], extraServices: [sso, store] });
    const credentials = { accessKeyId: ALICE_KEY, secretAccessKey: 'x' };
    const admin = new SSOAdminClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials });
    const ids = new IdentitystoreClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials });
    try {
      await admin.send(
        new CreateAccountAssignmentCommand({
          InstanceArn: 'arn:aws:sso:::instance/ssoins-1111111111111111',
          TargetId: PROD,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222',
          PrincipalType: 'USER',
          PrincipalId: 'u-bob',
        }),
      );
      await ids.send(new CreateGroupMembershipCommand({ IdentityStoreId: 'd-1', GroupId: 'g-admins', MemberId: { UserId: 'u-bob' } }));
      const policy = { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([]) };
      const classify = (name: string) => {
        const parsed = parseTrailRecord(trail.latest(PROD, name));
        if (!parsed.ok) throw new Error(parsed.error);
        return classifyTrailEvent(parsed.value, policy);
      };
      expect(trail.latest(PROD, 'CreateAccountAssignment')).toMatchObject({ eventSource: 'sso.amazonaws.com', awsRegion: 'eu-west-1', userIdentity: { userName: 'alice' } });
      expect(classify('CreateAccountAssignment')).toMatchObject({ kind: 'restores', plane: 'identity-center', principals: [{ kind: 'ic-user', userId: 'u-bob' }] });
      expect(classify('CreateGroupMembership')).toMatchObject({ kind: 'restores', principals: [{ kind: 'ic-user', userId: 'u-bob', identityStoreId: 'd-1' }] });
    } finally {
      admin.destroy();
      ids.destroy();
      await sandbox.close();
    }
  });
});
