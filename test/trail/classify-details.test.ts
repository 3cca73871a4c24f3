/**
 * CloudTrail records read as hostile input, field by field, and what each restoring call says in Slack and the audit log
 * (issue 10: src/domain/trail.ts). Anyone with IAM write access writes these records' request parameters; a leaver
 * who still holds a key writes their own. Nothing in a record may name more than the call did.
 */
import { classifyTrailEvent, describeTrailEvent, iamPrincipalsByAccount, parseTrailRecord, postRevocationUse, wardenActors, type TrailEvent, type TrailPolicy } from '../../src/domain/trail';

const ACCOUNT = '111111111111';
const OTHER = '222222222222';

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/admin`, userName: 'admin', accessKeyId: 'AKIAADMIN00000000001', accountId: ACCOUNT },
    eventTime: '2026-12-03T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.7',
    requestParameters: { userName: 'bob' },
    eventID: 'e-1',
    readOnly: false,
    recipientAccountId: ACCOUNT,
    ...overrides,
  };
}

function parsed(overrides: Record<string, unknown> = {}): TrailEvent {
  const result = parseTrailRecord(record(overrides));
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const policy: TrailPolicy = { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([]) };
const classify = (eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}) => classifyTrailEvent(parsed({ eventName, requestParameters, ...extra }), policy);
const sso = (eventName: string, requestParameters: unknown) => classify(eventName, requestParameters, { eventSource: 'sso.amazonaws.com' });
const store = (eventName: string, requestParameters: unknown) => classify(eventName, requestParameters, { eventSource: 'identitystore.amazonaws.com' });

describe('parseTrailRecord', () => {
  it('reads every field of a well-formed record', () => {
    const withSession = record({
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/x`, accountId: ACCOUNT, sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/ops` } } },
      errorCode: 'AccessDenied',
      readOnly: 'true',
    });
    expect(parseTrailRecord(JSON.stringify(withSession))).toEqual({
      ok: true,
      value: {
        eventId: 'e-1',
        eventName: 'CreateAccessKey',
        eventSource: 'iam.amazonaws.com',
        eventTime: new Date('2026-12-03T10:00:00Z'),
        account: ACCOUNT,
        region: 'eu-west-1',
        sourceIp: '203.0.113.7',
        actor: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/x`, accountId: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/ops` },
        parameters: { userName: 'bob' },
        readOnly: true,
        errorCode: 'AccessDenied',
      },
    });
  });

  it('fills what is missing or malformed with safe defaults, and leaves out actor fields that do not check', () => {
    const odd = parsed({
      userIdentity: { type: 7, userName: 'x'.repeat(129), accessKeyId: 'akia-lowercase', accountId: '12345', arn: '' },
      awsRegion: undefined,
      sourceIPAddress: 'x'.repeat(257),
      requestParameters: ['userName', 'bob'],
      readOnly: 'yes',
    });
    expect(odd.actor).toEqual({ type: 'Unknown' });
    expect([odd.region, odd.sourceIp, odd.parameters, odd.readOnly, odd.errorCode]).toEqual(['unknown', 'unknown', {}, false, undefined]);
    expect('errorCode' in odd).toBe(false);
    expect(parsed({ userIdentity: 'root', readOnly: false }).actor).toEqual({ type: 'Unknown' });
    expect(parsed({ userIdentity: { type: 'IAMUser', accessKeyId: 'AKIA1234567890ABCDEF', userName: 'bob' } }).actor).toEqual({ type: 'IAMUser', accessKeyId: 'AKIA1234567890ABCDEF', userName: 'bob' });
  });

  it('refuses a record too large, not JSON, or without id, name, source, time or account, saying which', () => {
    const refuse = (raw: unknown): string => {
      const r = parseTrailRecord(raw);
      return r.ok ? 'accepted' : r.error;
    };
    expect(refuse('x'.repeat(256 * 1024 + 1))).toBe('record larger than CloudTrail writes');
    expect(refuse(JSON.stringify(record()).padEnd(256 * 1024, ' '))).toBe('accepted');
    expect(refuse('{')).toBe('record is not JSON');
    expect(refuse(null)).toBe('record is not an object');
    expect(refuse(record({ eventID: '' }))).toBe('record lacks eventID, eventName or eventSource');
    expect(refuse(record({ eventID: 'e'.repeat(129) }))).toBe('record lacks eventID, eventName or eventSource');
    expect(refuse(record({ eventID: 'e'.repeat(128) }))).toBe('accepted');
    expect(refuse(record({ eventName: 'Create User' }))).toBe('record lacks eventID, eventName or eventSource');
    expect(refuse(record({ eventSource: 'IAM.amazonaws.com' }))).toBe('record lacks eventID, eventName or eventSource');
    expect(refuse(record({ eventSource: 'iam.amazonaws.com/x' }))).toBe('record lacks eventID, eventName or eventSource');
    expect(refuse(record({ eventTime: undefined }))).toBe('record e-1 has no valid eventTime');
    expect(refuse(record({ eventTime: `2026-12-03T10:00:00Z${' '.repeat(60)}` }))).toBe('record e-1 has no valid eventTime');
    expect(refuse(record({ recipientAccountId: '1111111111111' }))).toBe('record e-1 has no valid recipientAccountId');
    expect(refuse(record({ recipientAccountId: ` ${ACCOUNT}` }))).toBe('record e-1 has no valid recipientAccountId');
  });
});

describe('classifyTrailEvent: what each IAM call says and whom it names', () => {
  it.each([
    ['UpdateAccessKey', { userName: 'bob', accessKeyId: 'AKIABOB', status: 'Active' }, 're-activated access key AKIABOB'],
    ['UpdateAccessKey', { userName: 'bob', status: 'Active' }, 're-activated access key ?'],
    ['CreateAccessKey', { userName: 'bob' }, 'created an access key'],
    ['UpdateSigningCertificate', { userName: 'bob', status: 'Active' }, 're-activated a signing certificate'],
    ['UploadSigningCertificate', { userName: 'bob' }, 'uploaded a signing certificate'],
    ['UpdateServiceSpecificCredential', { userName: 'bob', status: 'Active' }, 're-activated a service-specific credential'],
    ['CreateServiceSpecificCredential', { userName: 'bob' }, 'issued a service-specific credential'],
    ['ResetServiceSpecificCredential', { userName: 'bob' }, 'issued a service-specific credential'],
    ['CreateLoginProfile', { userName: 'bob' }, 'gave a console password'],
    ['UpdateLoginProfile', { userName: 'bob' }, 'gave a console password'],
    ['UploadSSHPublicKey', { userName: 'bob' }, 'uploaded an SSH public key'],
    ['UpdateSSHPublicKey', { userName: 'bob', status: 'Active' }, 're-activated an SSH public key'],
    ['AddUserToGroup', { userName: 'bob', groupName: 'admins' }, 'added to group admins'],
    ['AddUserToGroup', { userName: 'bob' }, 'added to group ?'],
    ['AttachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, 'attached policy arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ['AttachUserPolicy', { userName: 'bob' }, 'attached policy ?'],
    ['PutUserPolicy', { userName: 'bob', policyName: 'extra' }, 'put inline policy extra'],
    ['PutUserPolicy', { userName: 'bob' }, 'put inline policy ?'],
    ['DetachUserPolicy', { userName: 'bob', policyArn: `arn:aws:iam::${ACCOUNT}:policy/path/warden-deny-all` }, `detached Warden's deny-all arn:aws:iam::${ACCOUNT}:policy/path/warden-deny-all`],
    ['DeleteUserPolicy', { userName: 'bob', policyName: 'warden-deny-all' }, "deleted Warden's deny-all inline policy"],
    ['DeleteUserPolicy', { userName: 'bob', policyName: 'AWSDenyAll' }, "deleted Warden's deny-all inline policy"],
    ['CreateUser', { userName: 'bob' }, 'created the user'],
    ['TagUser', { userName: 'bob' }, 'changed the tags Warden matches people by'],
    ['UntagUser', { userName: 'bob' }, 'changed the tags Warden matches people by'],
    ['UpdateUser', { userName: 'bob' }, 'changed the user'],
  ])('%s %j: "%s", naming bob in the account where it took effect', (eventName, parameters, what) => {
    expect(classify(eventName, parameters)).toEqual({
      kind: 'restores',
      event: expect.objectContaining({ eventName }) as unknown,
      plane: 'iam',
      principals: [{ kind: 'iam-user', account: ACCOUNT, userName: 'bob' }],
      what,
    });
  });

  it.each([
    ['UpdateSigningCertificate', { userName: 'bob', status: 'Inactive' }],
    ['UpdateServiceSpecificCredential', { userName: 'bob', status: 'Inactive' }],
    ['UpdateSSHPublicKey', { userName: 'bob', status: 'Inactive' }],
    ['UpdateAccessKey', { userName: 'bob', status: 'active' }],
    ['AttachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AWSDenyAll' }],
    ['DetachUserPolicy', { userName: 'bob' }],
    ['DeleteUserPolicy', { userName: 'bob' }],
    ['DeleteUserPolicy', { userName: 'bob', policyName: 'Warden-Deny-All' }],
    ['DeleteAccessKey', { userName: 'bob' }],
  ])('%s %j restores nothing', (eventName, parameters) => {
    expect(classify(eventName, parameters)).toMatchObject({ kind: 'ignored', reason: 'not-restoring' });
  });

  it('a rename names the user under both names; an invalid new name only the old one', () => {
    expect(classify('UpdateUser', { userName: 'bob', newUserName: 'robert' })).toMatchObject({
      principals: [
        { kind: 'iam-user', account: ACCOUNT, userName: 'bob' },
        { kind: 'iam-user', account: ACCOUNT, userName: 'robert' },
      ],
      what: 'renamed the user to robert',
    });
    expect(classify('UpdateUser', { userName: 'bob', newUserName: 'rob ert' })).toMatchObject({ principals: [{ userName: 'bob' }], what: 'changed the user' });
  });

  it('only key and credential calls fall back to the calling IAM user; console, SSH and policy calls never do', () => {
    for (const eventName of ['UpdateAccessKey', 'UpdateSigningCertificate', 'UpdateServiceSpecificCredential']) {
      expect(classify(eventName, { status: 'Active' })).toMatchObject({ kind: 'restores', principals: [{ userName: 'admin' }] });
    }
    for (const eventName of ['UploadSigningCertificate', 'CreateServiceSpecificCredential', 'ResetServiceSpecificCredential']) {
      expect(classify(eventName, {})).toMatchObject({ kind: 'restores', principals: [{ userName: 'admin' }] });
    }
    for (const eventName of ['CreateLoginProfile', 'UploadSSHPublicKey', 'AddUserToGroup', 'PutUserPolicy', 'CreateUser', 'TagUser']) {
      expect(classify(eventName, {})).toMatchObject({ kind: 'ignored', reason: 'unnamed-principal' });
    }
  });

  it('the fallback needs an IAM user of the same account with a valid name', () => {
    const asCaller = (userIdentity: unknown) => classify('CreateAccessKey', {}, { userIdentity });
    expect(asCaller({ type: 'AssumedRole', userName: 'admin', accountId: ACCOUNT })).toMatchObject({ reason: 'unnamed-principal' });
    expect(asCaller({ type: 'IAMUser', userName: 'ad min', accountId: ACCOUNT })).toMatchObject({ reason: 'unnamed-principal' });
    expect(asCaller({ type: 'IAMUser', userName: 'admin' })).toMatchObject({ reason: 'unnamed-principal' });
    expect(asCaller({ type: 'IAMUser', userName: 'admin', accountId: ACCOUNT })).toMatchObject({ principals: [{ userName: 'admin' }] });
    // A UserName that is there but is not a string IAM accepts never falls back.
    expect(classify('CreateAccessKey', { userName: 7 })).toMatchObject({ reason: 'unnamed-principal' });
    expect(classify('CreateAccessKey', { userName: null })).toMatchObject({ reason: 'unnamed-principal' });
  });

  it('user names IAM accepts pass whole, with every character IAM allows', () => {
    expect(classify('CreateAccessKey', { userName: 'a.b-c_d+e=f,g@h' })).toMatchObject({ principals: [{ userName: 'a.b-c_d+e=f,g@h' }] });
    expect(classify('CreateAccessKey', { userName: 'b'.repeat(64) })).toMatchObject({ kind: 'restores' });
    expect(classify('CreateAccessKey', { userName: 'bob\n' })).toMatchObject({ reason: 'unnamed-principal' });
    expect(classify('CreateAccessKey', { userName: 'x;bob' })).toMatchObject({ reason: 'unnamed-principal' });
  });

  it('checks failure before read-only before Warden, and a failed call by anyone restores nothing', () => {
    const warden = { denyAllPolicyName: 'warden-deny-all', isWarden: () => true };
    expect(classifyTrailEvent(parsed({ errorCode: 'x', readOnly: true }), warden)).toMatchObject({ reason: 'failed-call' });
    expect(classifyTrailEvent(parsed({ readOnly: true }), warden)).toMatchObject({ reason: 'read-only' });
    expect(classifyTrailEvent(parsed(), warden)).toMatchObject({ reason: 'by-warden' });
  });
});

describe('classifyTrailEvent: Identity Center and the identity store', () => {
  const PS = 'arn:aws:sso:::permissionSet/ssoins-1/ps-1';
  const INSTANCE = 'arn:aws:sso:::instance/ssoins-1';

  it('an assignment names the user or group, with the account it was made in', () => {
    expect(sso('CreateAccountAssignment', { principalType: 'USER', principalId: 'u-1', targetId: OTHER })).toEqual(
      expect.objectContaining({ kind: 'restores', plane: 'identity-center', principals: [{ kind: 'ic-user', userId: 'u-1' }], what: `assigned a permission set in account ${OTHER}` }),
    );
    expect(sso('CreateAccountAssignment', { principalType: 'GROUP', principalId: 'g-1', targetId: 'nope' })).toEqual(
      expect.objectContaining({ principals: [{ kind: 'ic-group', groupId: 'g-1' }], what: 'assigned a permission set to a group in account ?' }),
    );
  });

  it('an assignment to no valid principal, or of another type, names nobody', () => {
    expect(sso('CreateAccountAssignment', { principalType: 'USER', principalId: 'u 1' })).toMatchObject({ kind: 'ignored', reason: 'unnamed-principal' });
    expect(sso('CreateAccountAssignment', { principalType: 'ROLE', principalId: 'u-1' })).toMatchObject({ kind: 'ignored', reason: 'unnamed-principal' });
    expect(sso('CreateAccountAssignment', { principalType: 'user', principalId: 'u-1' })).toMatchObject({ kind: 'ignored', reason: 'unnamed-principal' });
  });

  it('changing a permission set\'s inline policy names the set, with its instance when that is valid', () => {
    for (const eventName of ['PutInlinePolicyToPermissionSet', 'DeleteInlinePolicyFromPermissionSet']) {
      expect(sso(eventName, { permissionSetArn: PS, instanceArn: INSTANCE })).toMatchObject({
        principals: [{ kind: 'ic-permission-set', permissionSetArn: PS, instanceArn: INSTANCE }],
        what: 'changed the inline policy that holds Warden’s deny',
      });
    }
    expect(sso('PutInlinePolicyToPermissionSet', { permissionSetArn: PS, instanceArn: 'arn:aws:sso:::instance/../x' })).toMatchObject({ principals: [{ kind: 'ic-permission-set', permissionSetArn: PS }] });
    expect((sso('PutInlinePolicyToPermissionSet', { permissionSetArn: PS }) as unknown as { principals: object[] }).principals[0]).toEqual({ kind: 'ic-permission-set', permissionSetArn: PS });
    expect(sso('PutInlinePolicyToPermissionSet', { permissionSetArn: `${PS}/*` })).toMatchObject({ reason: 'unnamed-principal' });
    expect(sso('PutInlinePolicyToPermissionSet', { permissionSetArn: `x${PS}` })).toMatchObject({ reason: 'unnamed-principal' });
    expect(sso('DeleteAccountAssignment', { principalType: 'USER', principalId: 'u-1' })).toMatchObject({ reason: 'not-restoring' });
  });

  it('identity-store writes name the user, with the store when it is valid', () => {
    expect(store('CreateGroupMembership', { identityStoreId: 'd-1', groupId: 'g-1', memberId: { userId: 'u-1' } })).toMatchObject({ principals: [{ kind: 'ic-user', userId: 'u-1', identityStoreId: 'd-1' }], what: 'added to Identity Center group g-1' });
    expect(store('CreateGroupMembership', { identityStoreId: 'd 1', memberId: { userId: 'u-1' } })).toMatchObject({ principals: [{ kind: 'ic-user', userId: 'u-1' }], what: 'added to Identity Center group ?' });
    expect((store('CreateGroupMembership', { identityStoreId: 'd 1', memberId: { userId: 'u-1' } }) as unknown as { principals: object[] }).principals[0]).toEqual({ kind: 'ic-user', userId: 'u-1' });
    expect(store('CreateGroupMembership', { memberId: 'u-1' })).toMatchObject({ reason: 'unnamed-principal' });
    expect(store('CreateUser', { identityStoreId: 'd-1', userName: 'José.Núñez@example.com' })).toMatchObject({ principals: [{ kind: 'ic-user', userName: 'José.Núñez@example.com', identityStoreId: 'd-1' }], what: 'created the Identity Center user' });
    expect(store('CreateUser', { userName: 'bob smith' })).toMatchObject({ reason: 'unnamed-principal' });
    expect(store('UpdateUser', { identityStoreId: 'd-1', userId: 'u-1' })).toMatchObject({ principals: [{ kind: 'ic-user', userId: 'u-1', identityStoreId: 'd-1' }], what: 'changed the Identity Center user' });
    expect(store('UpdateUser', { userId: '*' })).toMatchObject({ reason: 'unnamed-principal' });
    expect(store('DeleteUser', { userId: 'u-1' })).toMatchObject({ reason: 'not-restoring' });
  });
});

describe('wardenActors', () => {
  it('knows Warden by exact ARN or by a prefix, never by an actor without an ARN', () => {
    const isWarden = wardenActors(['arn:aws:iam::111111111111:user/warden', 'arn:aws:sts::111111111111:assumed-role/warden/*']);
    expect(isWarden({ type: 'IAMUser', arn: 'arn:aws:iam::111111111111:user/warden' })).toBe(true);
    expect(isWarden({ type: 'IAMUser', arn: 'arn:aws:iam::111111111111:user/warden2' })).toBe(false);
    expect(isWarden({ type: 'AssumedRole', arn: 'arn:aws:sts::111111111111:assumed-role/warden/run-1' })).toBe(true);
    expect(isWarden({ type: 'AssumedRole', arn: 'arn:aws:sts::111111111111:assumed-role/warden/' })).toBe(true);
    expect(isWarden({ type: 'AssumedRole', arn: 'arn:aws:sts::111111111111:assumed-role/warden' })).toBe(false);
    expect(isWarden({ type: 'IAMUser', userName: 'warden' })).toBe(false);
    expect(wardenActors([])({ type: 'IAMUser', arn: '' })).toBe(false);
  });
});

describe('iamPrincipalsByAccount', () => {
  it('gathers IAM users per account, sorted, each once, from restoring calls only', () => {
    const inOther = (userName: string) => classify('CreateAccessKey', { userName }, { recipientAccountId: OTHER });
    const ignored = classify('DeleteAccessKey', { userName: 'zed' });
    const out = iamPrincipalsByAccount([inOther('dave'), classify('CreateAccessKey', { userName: 'carol' }), inOther('bob'), inOther('dave'), ignored, sso('CreateAccountAssignment', { principalType: 'USER', principalId: 'u-1' })]);
    expect([...out]).toEqual([
      [OTHER, ['bob', 'dave']],
      [ACCOUNT, ['carol']],
    ]);
  });
});

describe('postRevocationUse', () => {
  const scope = { person: 'E2|bob@example.com', noAccessLeftAt: new Date('2026-12-03T09:00:00Z'), users: [{ userName: 'bob' }], accessKeyIds: ['AKIABOB0000000000001'] };
  const call = (eventID: string, eventTime: string, userIdentity: unknown, extra: Record<string, unknown> = {}) => parsed({ eventID, eventTime, userIdentity, eventName: 'GetCallerIdentity', readOnly: true, ...extra });

  it('matches a user listed without an account in any account, by IAM user type only; sorts by time; prefers the key', () => {
    const uses = postRevocationUse(scope, [
      call('late', '2026-12-03T11:00:00Z', { type: 'IAMUser', userName: 'bob', accountId: OTHER }, { recipientAccountId: OTHER }),
      call('role', '2026-12-03T10:30:00Z', { type: 'AssumedRole', userName: 'bob', accountId: ACCOUNT }),
      call('key', '2026-12-03T10:00:00Z', { type: 'IAMUser', userName: 'bob', accessKeyId: 'AKIABOB0000000000001', accountId: ACCOUNT }),
      call('key-only', '2026-12-03T10:15:00Z', { type: 'AssumedRole', accessKeyId: 'AKIABOB0000000000001' }),
      call('someone', '2026-12-03T10:20:00Z', { type: 'IAMUser', userName: 'bobby', accessKeyId: 'AKIAOTHER00000000001' }),
    ]);
    expect(uses.map((u) => [u.event.eventId, u.matchedBy, u.person, u.noAccessLeftAt.toISOString()])).toEqual([
      ['key', 'access-key', scope.person, '2026-12-03T09:00:00.000Z'],
      ['key-only', 'access-key', scope.person, '2026-12-03T09:00:00.000Z'],
      ['late', 'user-name', scope.person, '2026-12-03T09:00:00.000Z'],
    ]);
  });

  it('a user listed with an account matches only there, and a record seen twice counts once even out of order', () => {
    const scoped = { ...scope, users: [{ account: ACCOUNT, userName: 'bob' }], accessKeyIds: [] };
    const here = call('here', '2026-12-03T10:00:00Z', { type: 'IAMUser', userName: 'bob', accountId: ACCOUNT });
    const there = call('there', '2026-12-03T10:01:00Z', { type: 'IAMUser', userName: 'bob', accountId: OTHER }, { recipientAccountId: OTHER });
    expect(postRevocationUse(scoped, [here, there, here]).map((u) => u.event.eventId)).toEqual(['here']);
    expect(postRevocationUse(scoped, [call('x', '2026-12-03T09:00:00.001Z', { type: 'IAMUser', userName: 'bob' })]).map((u) => u.event.eventId)).toEqual(['x']);
  });
});

describe('describeTrailEvent', () => {
  it('says what, by whom, when, from where and in which account, naming the actor as best it can', () => {
    expect(describeTrailEvent(parsed())).toBe(`CreateAccessKey by arn:aws:iam::${ACCOUNT}:user/admin at 2026-12-03T10:00:00.000Z from 203.0.113.7 in ${ACCOUNT}`);
    expect(describeTrailEvent(parsed({ userIdentity: { type: 'IAMUser', userName: 'admin' } }))).toBe(`CreateAccessKey by admin at 2026-12-03T10:00:00.000Z from 203.0.113.7 in ${ACCOUNT}`);
    expect(describeTrailEvent(parsed({ userIdentity: { type: 'Root' } }))).toBe(`CreateAccessKey by Root at 2026-12-03T10:00:00.000Z from 203.0.113.7 in ${ACCOUNT}`);
  });
});
