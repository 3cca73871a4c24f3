import { classifyTrailEvent, iamPrincipalsByAccount, parseTrailRecord, postRevocationUse, wardenActors, type TrailEvent, type TrailPolicy } from '../../src/domain/trail';

const ACCOUNT = '111111111111';
const WARDEN_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/WardenAccess/warden`;

/** A CloudTrail record as CloudTrail writes it (fixture builder: override anything). */
function createDummyRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/other-admin`, userName: 'other-admin', accessKeyId: 'AKIAOTHERADMIN000001', accountId: ACCOUNT },
    eventTime: '2026-12-03T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'UpdateAccessKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    requestParameters: { userName: 'bob', accessKeyId: 'AKIABOB0000000000001', status: 'Active' },
    eventID: 'e-1',
    readOnly: false,
    recipientAccountId: ACCOUNT,
    ...overrides,
  };
}

const policy: TrailPolicy = { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([WARDEN_ARN]) };

function parsed(overrides: Record<string, unknown> = {}): TrailEvent {
  const result = parseTrailRecord(createDummyRecord(overrides));
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const classify = (overrides: Record<string, unknown> = {}) => classifyTrailEvent(parsed(overrides), policy);

describe('CloudTrail event classification', () => {
  it('names the leaver whose key another admin re-activated, with the actor, time and source address', () => {
    const c = classify();
    expect(c).toMatchObject({ kind: 'restores', plane: 'iam', principals: [{ kind: 'iam-user', account: ACCOUNT, userName: 'bob' }] });
    expect(c.event).toMatchObject({ sourceIp: '203.0.113.7', actor: { arn: `arn:aws:iam::${ACCOUNT}:user/other-admin` }, eventTime: new Date('2026-12-03T10:00:00Z') });
  });

  it.each([
    ['CreateAccessKey', { userName: 'bob' }],
    ['CreateLoginProfile', { userName: 'bob' }],
    ['UpdateLoginProfile', { userName: 'bob' }],
    ['AddUserToGroup', { userName: 'bob', groupName: 'admins' }],
    ['AttachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    ['PutUserPolicy', { userName: 'bob', policyName: 'warden-deny-all', policyDocument: '{}' }],
    ['UploadSSHPublicKey', { userName: 'bob', sSHPublicKeyBody: 'ssh-ed25519 AAAA' }],
    ['UpdateSSHPublicKey', { userName: 'bob', sSHPublicKeyId: 'APKA1', status: 'Active' }],
    ['CreateServiceSpecificCredential', { userName: 'bob', serviceName: 'codecommit.amazonaws.com' }],
    ['UploadSigningCertificate', { userName: 'bob' }],
    ['UpdateSigningCertificate', { userName: 'bob', certificateId: 'C1', status: 'Active' }],
    ['DeleteUserPolicy', { userName: 'bob', policyName: 'warden-deny-all' }],
    ['DetachUserPolicy', { userName: 'bob', policyArn: `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all` }],
    ['DetachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AWSDenyAll' }],
    ['TagUser', { userName: 'bob', tags: [{ key: 'employee_id', value: 'E9' }] }],
  ])('%s restores access for the named user', (eventName, requestParameters) => {
    expect(classify({ eventName, requestParameters })).toMatchObject({ kind: 'restores', principals: [{ kind: 'iam-user', userName: 'bob' }] });
  });

  it.each([
    ['UpdateAccessKey', { userName: 'bob', accessKeyId: 'AKIA1', status: 'Inactive' }],
    ['AttachUserPolicy', { userName: 'bob', policyArn: `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all` }],
    ['DeleteUserPolicy', { userName: 'bob', policyName: 'legacy-s3' }],
    ['DetachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    ['DeleteLoginProfile', { userName: 'bob' }],
    ['RemoveUserFromGroup', { userName: 'bob', groupName: 'admins' }],
  ])('%s taking access away restores nothing', (eventName, requestParameters) => {
    expect(classify({ eventName, requestParameters })).toMatchObject({ kind: 'ignored', reason: 'not-restoring' });
  });

  it('a call without UserName applies to the calling IAM user itself', () => {
    const c = classify({ eventName: 'CreateAccessKey', requestParameters: null });
    expect(c).toMatchObject({ kind: 'restores', principals: [{ kind: 'iam-user', userName: 'other-admin' }] });
  });

  it("never re-plans Warden's own calls, so its re-revocation cannot loop", () => {
    const own = classify({ userIdentity: { type: 'AssumedRole', arn: WARDEN_ARN, accountId: ACCOUNT }, eventName: 'AttachUserPolicy', requestParameters: { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    expect(own).toMatchObject({ kind: 'ignored', reason: 'by-warden' });
    const prefix = wardenActors([`arn:aws:sts::${ACCOUNT}:assumed-role/warden-worker/*`]);
    expect(prefix({ type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/warden-worker/fn` })).toBe(true);
    expect(prefix({ type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/warden-worker-evil/fn` })).toBe(false);
    expect(wardenActors(['*'])({ type: 'IAMUser', arn: 'arn:aws:iam::1:user/x' })).toBe(false);
  });

  it('failed and read-only calls restore nothing', () => {
    expect(classify({ errorCode: 'AccessDenied' })).toMatchObject({ kind: 'ignored', reason: 'failed-call' });
    expect(classify({ eventName: 'ListUsers', readOnly: true })).toMatchObject({ kind: 'ignored', reason: 'read-only' });
  });

  describe('hostile records never widen the scope beyond the named principals', () => {
    it('a user name IAM would not accept names nobody (no wildcard, no path tricks)', () => {
      for (const userName of ['*', 'bob/../alice', 'a'.repeat(65), '', 'bob alice', ['bob', 'alice']]) {
        expect(classify({ requestParameters: { userName, accessKeyId: 'AKIA1', status: 'Active' } })).toMatchObject({ kind: 'ignored', reason: 'unnamed-principal' });
      }
    });

    it('the account is where CloudTrail says the call took effect, and must be an account id', () => {
      expect(parseTrailRecord(createDummyRecord({ recipientAccountId: '*' })).ok).toBe(false);
      expect(parseTrailRecord(createDummyRecord({ recipientAccountId: undefined })).ok).toBe(false);
      expect(parseTrailRecord(createDummyRecord({ eventTime: 'yesterday' })).ok).toBe(false);
      expect(parseTrailRecord('not json').ok).toBe(false);
      expect(parseTrailRecord(['a']).ok).toBe(false);
    });

    it('an unknown event source or name restores nothing', () => {
      expect(classify({ eventSource: 'evil.example.com' })).toMatchObject({ kind: 'ignored', reason: 'not-restoring' });
      expect(classify({ eventName: 'DeleteEverything' })).toMatchObject({ kind: 'ignored', reason: 'not-restoring' });
    });

    it('a self-call credited to another account names nobody', () => {
      const c = classify({ eventName: 'CreateAccessKey', requestParameters: null, userIdentity: { type: 'IAMUser', userName: 'bob', accountId: '999999999999' } });
      expect(c).toMatchObject({ kind: 'ignored', reason: 'unnamed-principal' });
    });
  });

  it("names Warden's deny-all policy when someone makes another of its versions the default, and nothing for other policies", () => {
    const denyAll = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
    const created = classify({ eventName: 'CreatePolicyVersion', requestParameters: { policyArn: denyAll, policyDocument: '{}', setAsDefault: true } });
    expect(created).toMatchObject({
      kind: 'restores',
      plane: 'iam',
      principals: [{ kind: 'iam-policy', account: ACCOUNT, policyArn: denyAll }],
      what: `made a new version of Warden's deny-all ${denyAll} its default`,
    });
    const set = classify({ eventName: 'SetDefaultPolicyVersion', requestParameters: { policyArn: denyAll, versionId: 'v2' } });
    expect(set).toMatchObject({ kind: 'restores', principals: [{ kind: 'iam-policy', account: ACCOUNT, policyArn: denyAll }], what: `made version v2 of Warden's deny-all ${denyAll} its default` });
    // A version not made the default changes nothing AWS enforces; the next SetDefaultPolicyVersion would.
    expect(classify({ eventName: 'CreatePolicyVersion', requestParameters: { policyArn: denyAll, policyDocument: '{}', setAsDefault: false } }).kind).toBe('ignored');
    expect(classify({ eventName: 'CreatePolicyVersion', requestParameters: { policyArn: denyAll, policyDocument: '{}' } }).kind).toBe('ignored');
    // Another policy, another account's deny-all, a path, or a hostile ARN: not Warden's deny-all in this account.
    for (const arn of [`arn:aws:iam::${ACCOUNT}:policy/team/warden-deny-all`, `arn:aws:iam::${ACCOUNT}:policy/other`, 'arn:aws:iam::999999999999:policy/warden-deny-all', `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all*`, 42]) {
      expect([arn, classify({ eventName: 'SetDefaultPolicyVersion', requestParameters: { policyArn: arn, versionId: 'v2' } }).kind]).toEqual([arn, 'ignored']);
    }
    // The ARN's partition follows the account's (GovCloud), and a version id IAM would not accept is not repeated.
    const gov = `arn:aws-us-gov:iam::${ACCOUNT}:policy/warden-deny-all`;
    expect(classify({ eventName: 'SetDefaultPolicyVersion', requestParameters: { policyArn: gov, versionId: 'v2\u001b[2J' } })).toMatchObject({
      kind: 'restores',
      principals: [{ kind: 'iam-policy', account: ACCOUNT, policyArn: gov }],
      what: `made version ? of Warden's deny-all ${gov} its default`,
    });
  });

  it('collects IAM principals per account, each once', () => {
    const a = classify();
    const b = classify({ eventName: 'AddUserToGroup', requestParameters: { userName: 'bob', groupName: 'admins' } });
    const c = classify({ eventName: 'CreateLoginProfile', requestParameters: { userName: 'carol' } });
    expect([...iamPrincipalsByAccount([a, b, c])]).toEqual([[ACCOUNT, ['bob', 'carol']]]);
  });

  it('classifies Identity Center and identity-store writes to the principals they name', () => {
    const assign = classify({
      eventSource: 'sso.amazonaws.com',
      eventName: 'CreateAccountAssignment',
      requestParameters: { instanceArn: 'arn:aws:sso:::instance/ssoins-1', principalType: 'USER', principalId: '90676d-u1', targetId: ACCOUNT, permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' },
    });
    expect(assign).toMatchObject({ kind: 'restores', plane: 'identity-center', principals: [{ kind: 'ic-user', userId: '90676d-u1' }] });
    const group = classify({ eventSource: 'sso.amazonaws.com', eventName: 'CreateAccountAssignment', requestParameters: { principalType: 'GROUP', principalId: 'g-1', targetId: ACCOUNT } });
    expect(group).toMatchObject({ kind: 'restores', principals: [{ kind: 'ic-group', groupId: 'g-1' }] });
    const member = classify({ eventSource: 'identitystore.amazonaws.com', eventName: 'CreateGroupMembership', requestParameters: { identityStoreId: 'd-1', groupId: 'g-1', memberId: { userId: 'u-1' } } });
    expect(member).toMatchObject({ kind: 'restores', principals: [{ kind: 'ic-user', userId: 'u-1', identityStoreId: 'd-1' }] });
    const lifted = classify({ eventSource: 'sso.amazonaws.com', eventName: 'DeleteInlinePolicyFromPermissionSet', requestParameters: { permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' } });
    expect(lifted).toMatchObject({ kind: 'restores', principals: [{ kind: 'ic-permission-set', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1' }] });
    expect(iamPrincipalsByAccount([assign, member]).size).toBe(0);
  });

  describe('post-revocation use', () => {
    const scope = { person: 'E1002|bob@example.com', noAccessLeftAt: new Date('2026-12-03T09:00:00Z'), users: [{ account: ACCOUNT, userName: 'bob' }], accessKeyIds: ['AKIABOB0000000000001'] };
    const asBob = (overrides: Record<string, unknown>) =>
      parsed({ userIdentity: { type: 'IAMUser', userName: 'bob', accountId: ACCOUNT, accessKeyId: 'AKIABOB0000000000001', arn: `arn:aws:iam::${ACCOUNT}:user/bob` }, eventName: 'ListBuckets', readOnly: true, ...overrides });

    it('is any successful call with their key or as their user after "no access left"', () => {
      const uses = postRevocationUse(scope, [
        asBob({ eventID: 'before', eventTime: '2026-12-03T08:59:59Z' }),
        asBob({ eventID: 'at', eventTime: '2026-12-03T09:00:00Z' }),
        asBob({ eventID: 'after', eventTime: '2026-12-03T09:30:00Z' }),
        asBob({ eventID: 'refused', eventTime: '2026-12-03T09:31:00Z', errorCode: 'InvalidClientTokenId' }),
        asBob({ eventID: 'session', eventTime: '2026-12-03T09:32:00Z', userIdentity: { type: 'IAMUser', userName: 'bob', accountId: ACCOUNT, accessKeyId: 'ASIATEMPORARY0000001' } }),
        asBob({ eventID: 'other-account', eventTime: '2026-12-03T09:33:00Z', recipientAccountId: '222222222222', userIdentity: { type: 'IAMUser', userName: 'bob', accountId: '222222222222', accessKeyId: 'AKIAOTHER00000000001' } }),
        asBob({ eventID: 'after', eventTime: '2026-12-03T09:30:00Z' }),
      ]);
      expect(uses.map((u) => [u.event.eventId, u.matchedBy])).toEqual([
        ['after', 'access-key'],
        ['session', 'user-name'],
      ]);
    });
  });
});
