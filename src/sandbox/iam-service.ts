import { fail, invalidParameter, ok, type Outcome } from './errors';
import { ROLE_ACTIONS } from './iam-role-service';
import type { GaadEntry, GaadFilter, GroupView, ManagedPolicyView, PolicyVersionView, UserView } from './iam-state';
import { queryService, QueryParams, reply, xmlReply, type ActionHandler, type ServiceCall, type ServiceHandler } from './service';
import { el, esc, members, pageTail } from './xml';

/** Namespace of IAM's awsQuery responses. */
export const IAM_XML_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const IAM_VERSION = '2010-05-08';
const GAAD_FILTERS: readonly GaadFilter[] = ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'];
const STATUSES = ['Active', 'Inactive'] as const;

/** An IAM action written as "parse params, call state, render the Result XML (null when AWS returns none)". */
type XmlAction = (p: QueryParams, call: ServiceCall) => Outcome<string | null>;

const action =
  (fn: XmlAction): ActionHandler =>
  (call) =>
    reply(fn(new QueryParams(call.params), call), xmlReply);

const map = <T>(outcome: Outcome<T>, render: (value: T) => string | null): Outcome<string | null> => (outcome.ok ? ok(render(outcome.value)) : outcome);

const done = (outcome: Outcome<void>): Outcome<string | null> => map(outcome, () => null);

/** IAM lets a user name be omitted to mean "the caller": only a user principal has one. */
const userOrCaller = (p: QueryParams, call: ServiceCall): string | undefined =>
  p.optional('UserName') ?? (call.caller.kind === 'user' ? call.caller.userName : undefined);

/** Like `required`, plus AWS's enum check. */
function requiredStatus(p: QueryParams): Outcome<'Active' | 'Inactive'> {
  const present = p.required('Status');
  if (!present.ok) return present;
  const status = p.oneOf('Status', STATUSES);
  if (!status.ok) return status;
  return ok(status.value ?? 'Active');
}

/** Inline policy documents come back URL-encoded (RFC 3986), exactly as IAM returns them. */
const encodedPolicy = (document: string): string => encodeURIComponent(document);

const policyName = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

const tagXml = ([key, value]: readonly [string, string]): string => el('Key', key) + el('Value', value);

function userXml(u: UserView, withTags: boolean): string {
  return (
    el('Path', u.path) +
    el('UserName', u.userName) +
    el('UserId', u.userId) +
    el('Arn', u.arn) +
    el('CreateDate', u.createdAt) +
    el('PasswordLastUsed', u.loginProfile?.passwordLastUsed) +
    (withTags && u.tags.size > 0 ? members('Tags', u.tags, tagXml) : '')
  );
}

function groupXml(g: GroupView): string {
  return el('Path', g.path) + el('GroupName', g.name) + el('GroupId', g.groupId) + el('Arn', g.arn) + el('CreateDate', g.createdAt);
}

const attachedXml = (arn: string): string => el('PolicyName', policyName(arn)) + el('PolicyArn', arn);

const inlineXml = ([name, document]: readonly [string, string]): string => el('PolicyName', name) + el('PolicyDocument', encodedPolicy(document));

function userDetailXml(u: UserView): string {
  return (
    el('Path', u.path) +
    el('UserName', u.userName) +
    el('UserId', u.userId) +
    el('Arn', u.arn) +
    el('CreateDate', u.createdAt) +
    members('UserPolicyList', u.inlinePolicies, inlineXml) +
    members('GroupList', u.groups, esc) +
    members('AttachedManagedPolicies', u.attachedPolicies, attachedXml) +
    members('Tags', u.tags, tagXml)
  );
}

function groupDetailXml(g: GroupView): string {
  return groupXml(g) + members('GroupPolicyList', g.inlinePolicies, inlineXml) + members('AttachedManagedPolicies', g.attachedPolicies, attachedXml);
}

function policyVersionXml(v: PolicyVersionView): string {
  return el('VersionId', v.id) + el('IsDefaultVersion', v.isDefault) + el('CreateDate', v.createdAt);
}

function policyDetailXml(p: ManagedPolicyView): string {
  return (
    el('PolicyName', p.name) +
    el('PolicyId', p.policyId) +
    el('Arn', p.arn) +
    el('Path', p.path) +
    el('DefaultVersionId', p.defaultVersionId) +
    el('AttachmentCount', p.attachmentCount) +
    el('PermissionsBoundaryUsageCount', 0) +
    el('IsAttachable', true) +
    el('CreateDate', p.createdAt) +
    el('UpdateDate', p.createdAt) +
    members('PolicyVersionList', p.versions, (v) => el('Document', encodedPolicy(v.document)) + policyVersionXml(v))
  );
}

function gaadXml(entries: readonly GaadEntry[]): string {
  let users = '';
  let groups = '';
  let policies = '';
  for (const entry of entries) {
    switch (entry.kind) {
      case 'user':
        users += `<member>${userDetailXml(entry.user)}</member>`;
        break;
      case 'group':
        groups += `<member>${groupDetailXml(entry.group)}</member>`;
        break;
      case 'policy':
        policies += `<member>${policyDetailXml(entry.policy)}</member>`;
        break;
      default: {
        const never: never = entry;
        return never;
      }
    }
  }
  return `<UserDetailList>${users}</UserDetailList><GroupDetailList>${groups}</GroupDetailList><RoleDetailList></RoleDetailList><Policies>${policies}</Policies>`;
}

const actions: Record<string, ActionHandler> = {
  GetAccountAuthorizationDetails: action((p, c) => {
    const filters = p.list('Filter');
    const bad = filters.find((f) => !(GAAD_FILTERS as readonly string[]).includes(f));
    if (bad !== undefined) {
      return fail(
        'ValidationError',
        `1 validation error detected: Value '[${filters.join(', ')}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${GAAD_FILTERS.join(', ')}]]`,
      );
    }
    const page = p.page();
    if (!page.ok) return page;
    return map(c.state.getAccountAuthorizationDetails(c.account, new Set(filters as GaadFilter[]), page.value), (pg) => gaadXml(pg.items) + pageTail(pg));
  }),

  ListUsers: action((p, c) => {
    const page = p.page();
    if (!page.ok) return page;
    const pathPrefix = p.optional('PathPrefix');
    const request = pathPrefix === undefined ? page.value : { ...page.value, pathPrefix };
    return map(c.state.listUsers(c.account, request), (pg) => members('Users', pg.items, (u) => userXml(u, false)) + pageTail(pg));
  }),

  GetUser: action((p, c) => {
    const name = userOrCaller(p, c);
    if (name === undefined) {
      if (c.caller.kind === 'root') return ok(`<User>${el('UserId', c.caller.userId)}${el('Arn', c.caller.arn)}</User>`);
      return fail('ValidationError', 'Must specify userName when calling with non-User credentials');
    }
    return map(c.state.getUser(c.account, name), (u) => `<User>${userXml(u, true)}</User>`);
  }),

  ListUserTags: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const page = p.page();
    if (!page.ok) return page;
    return map(c.state.listUserTags(c.account, name.value, page.value), (pg) => members('Tags', pg.items, tagXml) + pageTail(pg));
  }),

  DeleteUser: action((p, c) => {
    const name = p.required('UserName');
    return name.ok ? done(c.state.deleteUser(c.account, name.value)) : name;
  }),

  ListAccessKeys: action((p, c) => {
    const page = p.page();
    if (!page.ok) return page;
    return map(
      c.state.listAccessKeys(c.account, userOrCaller(p, c), page.value),
      (pg) =>
        members('AccessKeyMetadata', pg.items, (k) => el('UserName', k.userName) + el('AccessKeyId', k.id) + el('Status', k.status) + el('CreateDate', k.createdAt)) +
        pageTail(pg),
    );
  }),

  GetAccessKeyLastUsed: action((p, c) => {
    const id = p.required('AccessKeyId');
    if (!id.ok) return id;
    return map(
      c.state.getAccessKeyLastUsed(c.account, id.value),
      (u) => el('UserName', u.userName) + `<AccessKeyLastUsed>${el('LastUsedDate', u.lastUsedAt)}${el('ServiceName', u.serviceName)}${el('Region', u.region)}</AccessKeyLastUsed>`,
    );
  }),

  UpdateAccessKey: action((p, c) => {
    const id = p.required('AccessKeyId');
    if (!id.ok) return id;
    const status = requiredStatus(p);
    if (!status.ok) return status;
    return done(c.state.updateAccessKey(c.account, userOrCaller(p, c), id.value, status.value));
  }),

  DeleteAccessKey: action((p, c) => {
    const id = p.required('AccessKeyId');
    if (!id.ok) return id;
    return done(c.state.deleteAccessKey(c.account, userOrCaller(p, c), id.value));
  }),

  GetLoginProfile: action((p, c) => {
    const name = userOrCaller(p, c);
    if (name === undefined) return fail('NoSuchEntity', 'Login Profile for the root user cannot be read through IAM.');
    return map(
      c.state.getLoginProfile(c.account, name),
      (lp) => `<LoginProfile>${el('UserName', lp.userName)}${el('CreateDate', lp.createdAt)}${el('PasswordResetRequired', lp.passwordResetRequired)}</LoginProfile>`,
    );
  }),

  DeleteLoginProfile: action((p, c) => {
    const name = userOrCaller(p, c);
    if (name === undefined) return fail('NoSuchEntity', 'Login Profile for the root user cannot be deleted through IAM.');
    return done(c.state.deleteLoginProfile(c.account, name));
  }),

  ListSSHPublicKeys: action((p, c) => {
    const page = p.page();
    if (!page.ok) return page;
    return map(
      c.state.listSshPublicKeys(c.account, userOrCaller(p, c), page.value),
      (pg) =>
        members('SSHPublicKeys', pg.items, (k) => el('UserName', k.userName) + el('SSHPublicKeyId', k.id) + el('Status', k.status) + el('UploadDate', k.uploadedAt)) +
        pageTail(pg),
    );
  }),

  GetSSHPublicKey: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const id = p.required('SSHPublicKeyId');
    if (!id.ok) return id;
    const present = p.required('Encoding');
    if (!present.ok) return present;
    const encoding = p.oneOf('Encoding', ['SSH', 'PEM'] as const);
    if (!encoding.ok) return encoding;
    return map(
      c.state.getSshPublicKey(c.account, name.value, id.value, encoding.value ?? 'SSH'),
      (d) =>
        `<SSHPublicKey>${el('UserName', d.userName)}${el('SSHPublicKeyId', d.key.id)}${el('Fingerprint', d.fingerprint)}${el('SSHPublicKeyBody', d.encodedBody)}${el('Status', d.key.status)}${el('UploadDate', d.key.uploadedAt)}</SSHPublicKey>`,
    );
  }),

  UpdateSSHPublicKey: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const id = p.required('SSHPublicKeyId');
    if (!id.ok) return id;
    const status = requiredStatus(p);
    if (!status.ok) return status;
    return done(c.state.updateSshPublicKey(c.account, name.value, id.value, status.value));
  }),

  DeleteSSHPublicKey: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const id = p.required('SSHPublicKeyId');
    if (!id.ok) return id;
    return done(c.state.deleteSshPublicKey(c.account, name.value, id.value));
  }),

  ListMFADevices: action((p, c) => {
    const page = p.page();
    if (!page.ok) return page;
    return map(
      c.state.listMfaDevices(c.account, userOrCaller(p, c), page.value),
      (pg) => members('MFADevices', pg.items, (d) => el('UserName', d.userName) + el('SerialNumber', d.serialNumber) + el('EnableDate', d.enabledAt)) + pageTail(pg),
    );
  }),

  ListVirtualMFADevices: action((p, c) => {
    const assignment = p.oneOf('AssignmentStatus', ['Assigned', 'Unassigned', 'Any'] as const);
    if (!assignment.ok) return assignment;
    const page = p.page();
    if (!page.ok) return page;
    return map(
      c.state.listVirtualMfaDevices(c.account, assignment.value ?? 'Any', page.value),
      (pg) =>
        members(
          'VirtualMFADevices',
          pg.items,
          (d) => el('SerialNumber', d.serialNumber) + (d.user ? `<User>${userXml(d.user, false)}</User>` : '') + el('EnableDate', d.enabledAt),
        ) + pageTail(pg),
    );
  }),

  DeactivateMFADevice: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const serial = p.required('SerialNumber');
    if (!serial.ok) return serial;
    return done(c.state.deactivateMfaDevice(c.account, name.value, serial.value));
  }),

  DeleteVirtualMFADevice: action((p, c) => {
    const serial = p.required('SerialNumber');
    return serial.ok ? done(c.state.deleteVirtualMfaDevice(c.account, serial.value)) : serial;
  }),

  ListSigningCertificates: action((p, c) => {
    const page = p.page();
    if (!page.ok) return page;
    return map(
      c.state.listSigningCertificates(c.account, userOrCaller(p, c), page.value),
      (pg) =>
        members(
          'Certificates',
          pg.items,
          (cert) => el('UserName', cert.userName) + el('CertificateId', cert.id) + el('CertificateBody', cert.body) + el('Status', cert.status) + el('UploadDate', cert.uploadedAt),
        ) + pageTail(pg),
    );
  }),

  UpdateSigningCertificate: action((p, c) => {
    const id = p.required('CertificateId');
    if (!id.ok) return id;
    const status = requiredStatus(p);
    if (!status.ok) return status;
    return done(c.state.updateSigningCertificate(c.account, userOrCaller(p, c), id.value, status.value));
  }),

  DeleteSigningCertificate: action((p, c) => {
    const id = p.required('CertificateId');
    if (!id.ok) return id;
    return done(c.state.deleteSigningCertificate(c.account, userOrCaller(p, c), id.value));
  }),

  ListServiceSpecificCredentials: action((p, c) => {
    const page = p.page();
    if (!page.ok) return page;
    const serviceName = p.optional('ServiceName');
    const query = {
      userName: userOrCaller(p, c),
      allUsers: p.bool('AllUsers') ?? false,
      ...(serviceName !== undefined ? { serviceName } : {}),
    };
    return map(
      c.state.listServiceSpecificCredentials(c.account, query, page.value),
      (pg) =>
        members(
          'ServiceSpecificCredentials',
          pg.items,
          (cred) =>
            el('UserName', cred.userName) +
            el('Status', cred.status) +
            el('ServiceUserName', cred.serviceUserName) +
            el('CreateDate', cred.createdAt) +
            el('ServiceSpecificCredentialId', cred.id) +
            el('ServiceName', cred.serviceName),
        ) + pageTail(pg),
    );
  }),

  UpdateServiceSpecificCredential: action((p, c) => {
    const id = p.required('ServiceSpecificCredentialId');
    if (!id.ok) return id;
    const status = requiredStatus(p);
    if (!status.ok) return status;
    return done(c.state.updateServiceSpecificCredential(c.account, userOrCaller(p, c), id.value, status.value));
  }),

  DeleteServiceSpecificCredential: action((p, c) => {
    const id = p.required('ServiceSpecificCredentialId');
    if (!id.ok) return id;
    return done(c.state.deleteServiceSpecificCredential(c.account, userOrCaller(p, c), id.value));
  }),

  PutUserPolicy: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const policy = p.required('PolicyName');
    if (!policy.ok) return policy;
    const document = p.required('PolicyDocument');
    if (!document.ok) return document;
    return done(c.state.putUserPolicy(c.account, name.value, policy.value, document.value));
  }),

  GetUserPolicy: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const policy = p.required('PolicyName');
    if (!policy.ok) return policy;
    return map(
      c.state.getUserPolicy(c.account, name.value, policy.value),
      (r) => el('UserName', r.userName) + el('PolicyName', r.policyName) + el('PolicyDocument', encodedPolicy(r.document)),
    );
  }),

  DeleteUserPolicy: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const policy = p.required('PolicyName');
    if (!policy.ok) return policy;
    return done(c.state.deleteUserPolicy(c.account, name.value, policy.value));
  }),

  ListUserPolicies: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const page = p.page();
    if (!page.ok) return page;
    return map(c.state.listUserPolicies(c.account, name.value, page.value), (pg) => members('PolicyNames', pg.items, esc) + pageTail(pg));
  }),

  ListAttachedUserPolicies: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const page = p.page();
    if (!page.ok) return page;
    return map(
      c.state.listAttachedUserPolicies(c.account, name.value, p.optional('PathPrefix'), page.value),
      (pg) => members('AttachedPolicies', pg.items, attachedXml) + pageTail(pg),
    );
  }),

  AttachUserPolicy: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const arn = p.required('PolicyArn');
    if (!arn.ok) return arn;
    return done(c.state.attachUserPolicy(c.account, name.value, arn.value));
  }),

  CreatePolicyVersion: action((p, c) => {
    const arn = p.required('PolicyArn');
    if (!arn.ok) return arn;
    const document = p.required('PolicyDocument');
    if (!document.ok) return document;
    return map(c.state.createPolicyVersion(c.account, arn.value, document.value, p.optional('SetAsDefault') === 'true'), (v) => `<PolicyVersion>${policyVersionXml(v)}</PolicyVersion>`);
  }),

  SetDefaultPolicyVersion: action((p, c) => {
    const arn = p.required('PolicyArn');
    if (!arn.ok) return arn;
    const version = p.required('VersionId');
    if (!version.ok) return version;
    return done(c.state.setDefaultPolicyVersion(c.account, arn.value, version.value));
  }),

  DetachUserPolicy: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const arn = p.required('PolicyArn');
    if (!arn.ok) return arn;
    return done(c.state.detachUserPolicy(c.account, name.value, arn.value));
  }),

  ListGroupsForUser: action((p, c) => {
    const name = p.required('UserName');
    if (!name.ok) return name;
    const page = p.page();
    if (!page.ok) return page;
    return map(c.state.listGroupsForUser(c.account, name.value, page.value), (pg) => members('Groups', pg.items, groupXml) + pageTail(pg));
  }),

  AddUserToGroup: action((p, c) => {
    const group = p.required('GroupName');
    if (!group.ok) return group;
    const name = p.required('UserName');
    if (!name.ok) return name;
    return done(c.state.addUserToGroup(c.account, name.value, group.value));
  }),

  RemoveUserFromGroup: action((p, c) => {
    const group = p.required('GroupName');
    if (!group.ok) return group;
    const name = p.required('UserName');
    if (!name.ok) return name;
    return done(c.state.removeUserFromGroup(c.account, name.value, group.value));
  }),

  GetAccountPasswordPolicy: action((_p, c) =>
    map(
      c.state.passwordPolicy(c.account),
      (policy) =>
        '<PasswordPolicy>' +
        el('MinimumPasswordLength', policy.minimumLength) +
        el('RequireSymbols', policy.requireSymbols) +
        el('RequireNumbers', policy.requireNumbers) +
        el('RequireUppercaseCharacters', policy.requireUppercase) +
        el('RequireLowercaseCharacters', policy.requireLowercase) +
        el('AllowUsersToChangePassword', true) +
        el('ExpirePasswords', policy.maxAgeDays !== undefined) +
        el('MaxPasswordAge', policy.maxAgeDays) +
        el('PasswordReusePrevention', policy.reusePrevention) +
        '</PasswordPolicy>',
    ),
  ),

  UpdateAccountPasswordPolicy: action((p, c) => {
    const length = p.int('MinimumPasswordLength');
    if (!length.ok) return length;
    const reuse = p.int('PasswordReusePrevention');
    if (!reuse.ok) return reuse;
    const age = p.int('MaxPasswordAge');
    if (!age.ok) return age;
    const minimumLength = length.value ?? 8;
    if (minimumLength < 6 || minimumLength > 128) return invalidParameter('MinimumPasswordLength', String(minimumLength), 'Member must have value between 6 and 128');
    if (reuse.value !== undefined && (reuse.value < 1 || reuse.value > 24)) return invalidParameter('PasswordReusePrevention', String(reuse.value), 'Member must have value between 1 and 24');
    if (age.value !== undefined && (age.value < 1 || age.value > 1095)) return invalidParameter('MaxPasswordAge', String(age.value), 'Member must have value between 1 and 1095');
    c.state.setPasswordPolicy(c.account, {
      minimumLength,
      requireSymbols: p.bool('RequireSymbols') === true,
      requireNumbers: p.bool('RequireNumbers') === true,
      requireUppercase: p.bool('RequireUppercaseCharacters') === true,
      requireLowercase: p.bool('RequireLowercaseCharacters') === true,
      reusePrevention: reuse.value,
      maxAgeDays: age.value,
    });
    return ok(null);
  }),

  GenerateCredentialReport: action((_p, c) => {
    const state = c.state.generateCredentialReport(c.account);
    const description =
      state === 'STARTED' ? 'No report exists. Starting a new report generation task' : state === 'INPROGRESS' ? 'Report generation in progress' : undefined;
    return ok(el('State', state) + el('Description', description));
  }),

  GetCredentialReport: action((_p, c) =>
    map(
      c.state.getCredentialReport(c.account),
      (r) => el('Content', Buffer.from(r.content, 'utf8').toString('base64')) + el('ReportFormat', 'text/csv') + el('GeneratedTime', r.generatedAt),
    ),
  ),

  ...ROLE_ACTIONS,
};

/** Names of the IAM actions the sandbox implements. */
export const IAM_ACTIONS: readonly string[] = Object.keys(actions);

/** The IAM service (awsQuery, version 2010-05-08) over the shared sandbox state. */
export function iamService(): ServiceHandler {
  return queryService({ name: 'iam', xmlNamespace: IAM_XML_NAMESPACE, version: IAM_VERSION, actions });
}
