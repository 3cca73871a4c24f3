/**
 * One descriptor per action kind: what several modules need to know about a kind (its plane, the access path it
 * closes, its place in a plan, how it reads, how it is verified, which AWS API actions it calls, how evidence names
 * what it changed). The action union (plan.ts), plan order, rendering, verification, Slack's per-path status, the
 * leaver report and the IAM policy drift test all derive from this table: adding a kind is one entry here plus its
 * adapter call.
 */
import type { AccessKey, CredentialStatus, DetailPath, IamUserDetail, ServiceSpecificCredential, SigningCertificate, SshPublicKey } from './inventory';
import { denyAllIn } from './policy-documents';

/** Where an action is applied: IAM through the AWS API, a host through SSM Run Command, or IAM Identity Center. */
export type Plane = 'iam' | 'host' | 'identity-center';

/** The access paths a revocation closes, named the same for HR (Slack), auditors (leaver report) and evidence. */
export type AccessPath = 'access-keys' | 'console' | 'ssh-keys' | 'other-credentials' | 'groups' | 'policies' | 'deny-all' | 'hosts' | 'user' | 'identity-center' | 'role-sessions';

/** Each path in the order people read them, with the words they read. */
export const ACCESS_PATH_INFO: Readonly<Record<AccessPath, { readonly order: number; readonly label: string }>> = {
  'access-keys': { order: 0, label: 'Access keys' },
  console: { order: 1, label: 'Console password' },
  'ssh-keys': { order: 2, label: 'IAM SSH keys' },
  'other-credentials': { order: 3, label: 'Other credentials' },
  groups: { order: 4, label: 'Groups' },
  policies: { order: 5, label: 'Policies' },
  'deny-all': { order: 6, label: 'Deny-all policy' },
  hosts: { order: 7, label: 'Hosts' },
  user: { order: 8, label: 'IAM user' },
  'identity-center': { order: 9, label: 'Identity Center' },
  'role-sessions': { order: 10, label: 'Role sessions' },
};

/** Paths in the order people read them. */
export const ACCESS_PATHS: readonly AccessPath[] = (Object.keys(ACCESS_PATH_INFO) as AccessPath[]).sort(
  (a, b) => ACCESS_PATH_INFO[a].order - ACCESS_PATH_INFO[b].order,
);

/**
 * How point-in-time evidence records one live credential of an IAM user. Stored snapshot records hash these shapes:
 * keep existing kinds as they are.
 */
export type CredentialHolding =
  | { readonly kind: 'console' }
  /** An active access key: its id when live detail was read, else the credential report slot (`slot-1`). */
  | { readonly kind: 'access-key'; readonly id: string }
  | { readonly kind: 'ssh-key'; readonly id: string }
  | { readonly kind: 'signing-certificate'; readonly id: string }
  | { readonly kind: 'service-credential'; readonly id: string; readonly service: string };

export type CredentialHoldingKind = CredentialHolding['kind'];

/**
 * Each credential holding's place among a record's paths (host keys, groups and policies follow from 5), its words,
 * and whether only live detail shows it (the credential report shows passwords and access keys too).
 */
export const CREDENTIAL_HOLDINGS: {
  readonly [K in CredentialHoldingKind]: {
    readonly order: number;
    readonly describe: (holding: Extract<CredentialHolding, { kind: K }>) => string;
    readonly detailOnly: boolean;
  };
} = {
  console: { order: 0, describe: () => 'console password', detailOnly: false },
  'access-key': { order: 1, describe: (h) => `access key ${h.id}`, detailOnly: false },
  'ssh-key': { order: 2, describe: (h) => `IAM SSH key ${h.id}`, detailOnly: true },
  'signing-certificate': { order: 3, describe: (h) => `signing certificate ${h.id}`, detailOnly: true },
  'service-credential': { order: 4, describe: (h) => `service credential ${h.id} (${h.service})`, detailOnly: true },
};

/** A credential of one kind as a user's live detail shows it: what a leaver's stop-access would target. */
export interface HeldCredential<T> {
  readonly target: T;
  readonly active: boolean;
  /** How a snapshot records it while active. */
  readonly holding: CredentialHolding;
  /** How "remaining access" names it while active, e.g. `access key AKIA… active`. */
  readonly label: string;
}

export interface KindDescriptor<T extends object, P extends Plane = Plane> {
  readonly plane: P;
  readonly path: AccessPath;
  /** Order within one user's actions: cut access first (deny-all, then each credential), tidy privileges after, delete last. */
  readonly order: number;
  /** One short line saying what the action does, e.g. `deactivate access key AKIA…`. */
  readonly describe: (target: T) => string;
  /** The per-user detail list whose re-read shows the action's effect; absent when none does (deletion, hosts). */
  readonly reads?: DetailPath;
  /** The credentials of this kind a user holds: a leaver's stop-access deactivates the active ones, verification lists them. */
  readonly credentials?: (detail: IamUserDetail) => readonly HeldCredential<T>[];
  /** Whether the action's effect shows in the user's re-read live state (host kinds are checked on the host). */
  readonly holds: (target: T, detail: IamUserDetail) => boolean;
  /** Every AWS API action (`iam:UpdateAccessKey`) applying the action may call; the deployed roles must grant them. */
  readonly calls: readonly string[];
  /** How evidence names what changed: these target fields, joined by a space, or `text` when the target says nothing. */
  readonly evidence: { readonly fields: readonly (keyof T & string)[]; readonly text?: string };
  /** The action changes an IAM role, re-read from the role (`holds` on user detail says nothing then). */
  readonly readsRole?: true;
}

type Common<T extends object> = Omit<KindDescriptor<T>, 'plane' | 'credentials' | 'holds' | 'readsRole'>;

interface Listed {
  readonly id: string;
  readonly status: CredentialStatus;
}

/** A credential IAM lists per user with an Active/Inactive status, revoked by setting it Inactive. */
function deactivation<T extends object, C extends Listed>(
  spec: Common<T> & {
    readonly list: (detail: IamUserDetail) => readonly C[];
    readonly target: (credential: C) => T;
    readonly id: (target: T) => string;
    /** The credential in words, e.g. `access key AKIA…`. */
    readonly name: (credential: C) => string;
    readonly holding: (credential: C) => CredentialHolding;
  },
): KindDescriptor<T, 'iam'> & { readonly deactivates: { readonly id: (target: T) => string } } {
  const { list, target, id, name, holding, ...common } = spec;
  return {
    ...common,
    plane: 'iam',
    deactivates: { id },
    credentials: (detail) =>
      list(detail).map((c) => ({ target: target(c), active: c.status === 'Active', label: `${name(c)} active`, holding: holding(c) })),
    holds: (t, detail) => !list(detail).some((c) => c.id === id(t) && c.status === 'Active'),
  };
}

/** A change to what an IAM user holds (a group, a policy, the user itself), verified by `holds`. */
const iam = <T extends object>(spec: Common<T> & Pick<KindDescriptor<T>, 'holds'> & Pick<Partial<KindDescriptor<T>>, 'credentials'>): KindDescriptor<T, 'iam'> => ({
  ...spec,
  plane: 'iam',
});

/** A change on a host, applied and re-read there by the host script. */
const host = <T extends object>(spec: Common<T>): KindDescriptor<T, 'host'> => ({ ...spec, plane: 'host', holds: () => true });

/** A change in IAM Identity Center, applied by its own adapter and verified by re-reading Identity Center. */
const identityCenter = <T extends object>(spec: Common<T>): KindDescriptor<T, 'identity-center'> => ({ ...spec, plane: 'identity-center', holds: () => true });

/** Merging into (or out of) Warden's Deny in a permission set's inline policy, then re-provisioning it where it is provisioned. */
const IC_POLICY_CALLS = [
  'sso:GetInlinePolicyForPermissionSet',
  'sso:PutInlinePolicyToPermissionSet',
  'sso:ListAccountsForProvisionedPermissionSet',
  'sso:ProvisionPermissionSet',
  'sso:DescribePermissionSetProvisioningStatus',
];

/** What reading Identity Center costs: the bulk inventory, then the changed users and permission sets re-read to verify. */
export const IDENTITY_CENTER_READ_CALLS: readonly string[] = [
  'identitystore:ListUsers',
  'identitystore:ListGroups',
  'identitystore:ListGroupMemberships',
  'identitystore:DescribeUser',
  'identitystore:ListGroupMembershipsForMember',
  'sso:ListPermissionSets',
  'sso:DescribePermissionSet',
  'sso:GetInlinePolicyForPermissionSet',
  'sso:ListAccountsForProvisionedPermissionSet',
  'sso:ListAccountAssignments',
  'sso:ListAccountAssignmentsForPrincipal',
  'sso:ListManagedPoliciesInPermissionSet',
];

/** What an Identity Center action names besides its user: the user's identity-store id. */
type IcUserTarget = {
  readonly userId: string;
};

type NoTarget = Record<string, never>;

/** What a user-deletion reads before tearing the user down (ids only: SSH key bodies are not needed). */
const USER_READS = [
  'iam:ListAccessKeys',
  'iam:GetLoginProfile',
  'iam:ListSSHPublicKeys',
  'iam:ListMFADevices',
  'iam:ListSigningCertificates',
  'iam:ListServiceSpecificCredentials',
  'iam:ListGroupsForUser',
  'iam:ListAttachedUserPolicies',
  'iam:ListUserPolicies',
  'iam:GetUserPolicy',
];

/** A host change is one Run Command of Warden's revoke document, then its status and output. */
const HOST_CALLS = ['ssm:SendCommand', 'ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation'];

/** What reading an account costs, whatever the plan: the bulk inventory, then live detail of the users about to change. */
export const IAM_READ_CALLS: readonly string[] = [
  'iam:GetAccountAuthorizationDetails',
  'iam:ListVirtualMFADevices',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  // Session plane: every role's trust and MaxSessionDuration, and Warden's own policy on roles IAM users could assume.
  'iam:ListRoles',
  'iam:GetRolePolicy',
  // The security-policy checks' account posture (password policy; role session limits come from the ListRoles above).
  'iam:GetAccountPasswordPolicy',
  ...USER_READS,
  'iam:GetSSHPublicKey',
];

/** Warden's one inline policy on a role (role-session-policy.ts): read, then written or deleted, never another. */
const ROLE_POLICY_CALLS = ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'];

/**
 * A change to Warden's own inline policy on an IAM role (role-session-policy.ts), re-read from the role, not the user:
 * `userName` is the leaver whose sessions it ends (possibly of another account), the action's account the role's.
 */
const rolePolicy = <T extends { readonly roleName: string }>(spec: Omit<Common<T>, 'path' | 'calls' | 'reads'>): KindDescriptor<T, 'iam'> => ({
  ...spec,
  plane: 'iam',
  path: 'role-sessions',
  calls: ROLE_POLICY_CALLS,
  readsRole: true,
  holds: () => true,
});

const KINDS = {
  'deactivate-access-key': deactivation<{ readonly accessKeyId: string }, AccessKey>({
    path: 'access-keys',
    order: 1,
    describe: (t) => `deactivate access key ${t.accessKeyId}`,
    reads: 'access-keys',
    list: (d) => d.accessKeys,
    target: (c) => ({ accessKeyId: c.id }),
    id: (t) => t.accessKeyId,
    name: (c) => `access key ${c.id}`,
    holding: (c) => ({ kind: 'access-key', id: c.id }),
    calls: ['iam:ListAccessKeys', 'iam:UpdateAccessKey'],
    evidence: { fields: ['accessKeyId'] },
  }),
  'delete-login-profile': iam<NoTarget>({
    path: 'console',
    order: 2,
    describe: () => 'delete console password (login profile)',
    reads: 'login-profile',
    credentials: (d) => (d.loginProfile === null ? [] : [{ target: {}, active: true, label: 'console password exists', holding: { kind: 'console' } }]),
    holds: (_t, d) => d.loginProfile === null,
    calls: ['iam:DeleteLoginProfile'],
    evidence: { fields: [] },
  }),
  'deactivate-ssh-key': deactivation<{ readonly sshPublicKeyId: string }, SshPublicKey>({
    path: 'ssh-keys',
    order: 3,
    describe: (t) => `deactivate IAM SSH public key ${t.sshPublicKeyId}`,
    reads: 'ssh-public-keys',
    list: (d) => d.sshPublicKeys,
    target: (c) => ({ sshPublicKeyId: c.id }),
    id: (t) => t.sshPublicKeyId,
    name: (c) => `SSH public key ${c.id}`,
    holding: (c) => ({ kind: 'ssh-key', id: c.id }),
    calls: ['iam:ListSSHPublicKeys', 'iam:UpdateSSHPublicKey'],
    evidence: { fields: ['sshPublicKeyId'] },
  }),
  'deactivate-signing-certificate': deactivation<{ readonly certificateId: string }, SigningCertificate>({
    path: 'other-credentials',
    order: 4,
    describe: (t) => `deactivate signing certificate ${t.certificateId}`,
    reads: 'signing-certificates',
    list: (d) => d.signingCertificates,
    target: (c) => ({ certificateId: c.id }),
    id: (t) => t.certificateId,
    name: (c) => `signing certificate ${c.id}`,
    holding: (c) => ({ kind: 'signing-certificate', id: c.id }),
    calls: ['iam:ListSigningCertificates', 'iam:UpdateSigningCertificate'],
    evidence: { fields: ['certificateId'] },
  }),
  'deactivate-service-credential': deactivation<{ readonly serviceSpecificCredentialId: string; readonly serviceName: string }, ServiceSpecificCredential>({
    path: 'other-credentials',
    order: 5,
    describe: (t) => `deactivate ${t.serviceName} credential ${t.serviceSpecificCredentialId}`,
    reads: 'service-credentials',
    list: (d) => d.serviceSpecificCredentials,
    target: (c) => ({ serviceSpecificCredentialId: c.id, serviceName: c.serviceName }),
    id: (t) => t.serviceSpecificCredentialId,
    name: (c) => `service credential ${c.id} (${c.serviceName})`,
    holding: (c) => ({ kind: 'service-credential', id: c.id, service: c.serviceName }),
    calls: ['iam:ListServiceSpecificCredentials', 'iam:UpdateServiceSpecificCredential'],
    evidence: { fields: ['serviceSpecificCredentialId', 'serviceName'] },
  }),
  /** Attaches Warden's managed deny-all policy (`policyArn`, created by the stack or member-account template). */
  'attach-deny-all': iam<{ readonly policyName: string; readonly policyArn: string }>({
    path: 'deny-all',
    order: 0,
    describe: (t) => `attach deny-all policy ${t.policyName} (${t.policyArn})`,
    reads: 'attached-policies',
    holds: (t, d) => denyAllIn(d, t.policyArn) !== undefined,
    calls: ['iam:ListAttachedUserPolicies', 'iam:AttachUserPolicy'],
    evidence: { fields: ['policyName'] },
  }),
  'remove-from-group': iam<{ readonly groupName: string }>({
    path: 'groups',
    order: 6,
    describe: (t) => `remove from group ${t.groupName}`,
    reads: 'groups',
    holds: (t, d) => !d.groups.includes(t.groupName),
    calls: ['iam:RemoveUserFromGroup'],
    evidence: { fields: ['groupName'] },
  }),
  'detach-user-policy': iam<{ readonly policyArn: string }>({
    path: 'policies',
    order: 7,
    describe: (t) => `detach managed policy ${t.policyArn}`,
    reads: 'attached-policies',
    holds: (t, d) => !d.attachedPolicies.some((p) => p.arn === t.policyArn),
    calls: ['iam:DetachUserPolicy'],
    evidence: { fields: ['policyArn'] },
  }),
  'delete-user-policy': iam<{ readonly policyName: string }>({
    path: 'policies',
    order: 8,
    describe: (t) => `delete inline policy ${t.policyName}`,
    reads: 'inline-policies',
    holds: (t, d) => !d.inlinePolicies.includes(t.policyName),
    calls: ['iam:GetUserPolicy', 'iam:DeleteUserPolicy'],
    evidence: { fields: ['policyName'] },
  }),
  'delete-user': iam<NoTarget>({
    path: 'user',
    order: 11,
    describe: () => 'delete the IAM user (keys, password, SSH keys, certificates, MFA, policies and groups first)',
    // A re-read that still finds the user means it was not deleted.
    holds: () => false,
    calls: [
      ...USER_READS,
      'iam:DeleteAccessKey',
      'iam:DeleteLoginProfile',
      'iam:DeleteSSHPublicKey',
      'iam:DeleteSigningCertificate',
      'iam:DeleteServiceSpecificCredential',
      'iam:DeactivateMFADevice',
      'iam:DeleteVirtualMFADevice',
      'iam:DetachUserPolicy',
      'iam:DeleteUserPolicy',
      'iam:RemoveUserFromGroup',
      'iam:DeleteUser',
    ],
    evidence: { fields: [] },
  }),
  'deny-role-source-identity': rolePolicy<{ readonly roleName: string; readonly roleArn: string; readonly sourceIdentities: readonly string[] }>({
    order: 10.6,
    describe: (t) => `deny source identity ${t.sourceIdentities.join(', ')} on role ${t.roleName} (ends live sessions)`,
    evidence: { fields: ['roleName'] },
  }),
  'revoke-older-role-sessions': rolePolicy<{ readonly roleName: string; readonly roleArn: string }>({
    order: 10.7,
    describe: (t) => `revoke sessions issued before now on role ${t.roleName} (everyone's older sessions end)`,
    evidence: { fields: ['roleName'] },
  }),
  'drop-expired-session-denies': rolePolicy<{ readonly roleName: string; readonly roleArn: string; readonly sids: readonly string[] }>({
    order: 10.8,
    describe: (t) => `drop ${t.sids.length} expired session ${t.sids.length === 1 ? 'deny' : 'denies'} from role ${t.roleName}`,
    evidence: { fields: ['roleName'] },
  }),
  /**
   * Takes Warden's own managed deny-all off a quarantined joiner who has now accepted the NDA and the policy. Only that
   * one policy ARN, never an inline policy or anything else the user holds (the executor refuses any other ARN).
   */
  'lift-quarantine': iam<{ readonly policyName: string; readonly policyArn: string }>({
    path: 'deny-all',
    // After every other change of a user, before deletion (which never meets a joiner).
    order: 10.9,
    describe: (t) => `lift joiner quarantine: detach Warden's deny-all policy ${t.policyName} (${t.policyArn})`,
    reads: 'attached-policies',
    holds: (t, d) => !d.attachedPolicies.some((p) => p.arn === t.policyArn),
    calls: ['iam:ListAttachedUserPolicies', 'iam:DetachUserPolicy'],
    evidence: { fields: ['policyName'] },
  }),
  'remove-host-key': host<{
    readonly instanceId: string;
    readonly osUser: string;
    readonly keyType: string;
    readonly keyBody: string;
    readonly comment: string;
  }>({
    path: 'hosts',
    order: 9,
    describe: (t) => `remove ${t.keyType} key${t.comment !== '' ? ` "${t.comment}"` : ''} of ${t.osUser} on ${t.instanceId}`,
    calls: HOST_CALLS,
    evidence: { fields: ['keyType', 'comment'] },
  }),
  'lock-host-user': host<{ readonly instanceId: string; readonly osUser: string }>({
    path: 'hosts',
    order: 10,
    describe: (t) => `lock host account ${t.osUser} on ${t.instanceId}`,
    calls: HOST_CALLS,
    evidence: { fields: [], text: 'lock account' },
  }),
  /** Adds the user's `aws:userid` pattern to Warden's one Deny statement in the permission set's inline policy. */
  'deny-ic-sessions': identityCenter<IcUserTarget & { readonly permissionSetArn: string; readonly permissionSetName: string; readonly pattern: string }>({
    path: 'identity-center',
    order: 10.1,
    describe: (t) => `deny Identity Center sessions (${t.pattern}) in permission set ${t.permissionSetName}`,
    calls: IC_POLICY_CALLS,
    evidence: { fields: ['permissionSetName', 'pattern'] },
  }),
  'remove-ic-membership': identityCenter<IcUserTarget & { readonly membershipId: string; readonly groupId: string; readonly groupName: string }>({
    path: 'identity-center',
    order: 10.2,
    describe: (t) => `remove from Identity Center group ${t.groupName}`,
    calls: ['identitystore:DeleteGroupMembership'],
    evidence: { fields: ['groupName'] },
  }),
  'delete-ic-assignment': identityCenter<IcUserTarget & { readonly accountId: string; readonly permissionSetArn: string; readonly permissionSetName: string }>({
    path: 'identity-center',
    order: 10.3,
    describe: (t) => `delete Identity Center assignment of ${t.permissionSetName} in account ${t.accountId}`,
    calls: ['sso:DeleteAccountAssignment', 'sso:DescribeAccountAssignmentDeletionStatus'],
    evidence: { fields: ['permissionSetName', 'accountId'] },
  }),
  /** Drops the user from Warden's Deny once no session issued before "no access left" can still be alive. */
  'release-ic-session-deny': identityCenter<IcUserTarget & { readonly permissionSetArn: string; readonly permissionSetName: string; readonly pattern: string }>({
    path: 'identity-center',
    order: 10.4,
    describe: (t) => `drop ${t.pattern} from Warden's Deny in permission set ${t.permissionSetName} (no session can still be alive)`,
    calls: [...IC_POLICY_CALLS, 'sso:DeleteInlinePolicyFromPermissionSet'],
    evidence: { fields: ['permissionSetName', 'pattern'] },
  }),
  'delete-ic-user': identityCenter<IcUserTarget>({
    path: 'identity-center',
    order: 10.5,
    describe: () => 'delete the Identity Center user',
    calls: ['identitystore:DeleteUser'],
    evidence: { fields: [] },
  }),
};

type Table = typeof KINDS;

export type ActionKind = keyof Table;

/** The target each kind acts on (Plan JSON's `target`). */
export type ActionTargets = { readonly [K in ActionKind]: Table[K] extends KindDescriptor<infer T> ? T : never };

/** Kinds applied on hosts, and those applied in IAM. */
export type HostActionKind = { [K in ActionKind]: Table[K]['plane'] extends 'host' ? K : never }[ActionKind];
export type IdentityCenterActionKind = { [K in ActionKind]: Table[K]['plane'] extends 'identity-center' ? K : never }[ActionKind];
export type IamActionKind = Exclude<ActionKind, HostActionKind | IdentityCenterActionKind>;

/** Credentials IAM lists per user with an Active/Inactive status, revoked by setting them Inactive (their adapter calls share one shape). */
export type DeactivationKind = { [K in ActionKind]: Table[K] extends { readonly deactivates: unknown } ? K : never }[ActionKind];

/** The credential id a deactivation targets. */
export const credentialIdOf = <K extends DeactivationKind>(kind: K, target: ActionTargets[K]): string =>
  (KINDS[kind].deactivates.id as (t: ActionTargets[K]) => string)(target);

/** The descriptor table, typed per kind so a kind's functions take exactly its target. */
export const ACTION_KIND_TABLE: { readonly [K in ActionKind]: KindDescriptor<ActionTargets[K], Table[K]['plane']> } = KINDS;

/** Every action kind, in the order of the table. */
export const ACTION_KINDS: readonly ActionKind[] = Object.keys(KINDS) as ActionKind[];

/** The descriptor of one kind. */
export const descriptorOf = <K extends ActionKind>(kind: K): KindDescriptor<ActionTargets[K]> => ACTION_KIND_TABLE[kind];

/** Kinds that change an IAM role (verified by re-reading the role, not a user). */
export type RoleActionKind = { [K in ActionKind]: Table[K] extends { readonly readsRole: true } ? K : never }[ActionKind];
export const isRoleKind = (kind: ActionKind): kind is RoleActionKind => ACTION_KIND_TABLE[kind].readsRole === true;

/** Whether a kind is applied on hosts (through SSM) rather than in IAM. */
export const isHostKind = (kind: ActionKind): kind is HostActionKind => ACTION_KIND_TABLE[kind].plane === 'host';

/** Whether a kind is applied in IAM Identity Center. */
export const isIdentityCenterKind = (kind: ActionKind): kind is IdentityCenterActionKind => ACTION_KIND_TABLE[kind].plane === 'identity-center';

/** Every AWS API action Warden's Identity Center plane calls: its reads and each Identity Center kind's calls. */
export const IDENTITY_CENTER_PLANE_CALLS: readonly string[] = [
  ...new Set([
    ...IDENTITY_CENTER_READ_CALLS,
    ...ACTION_KINDS.flatMap((kind) => (ACTION_KIND_TABLE[kind].plane === 'identity-center' ? ACTION_KIND_TABLE[kind].calls : [])),
  ]),
].sort();

/** The access path a kind closes. */
export const accessPathOfKind = (kind: ActionKind): AccessPath => ACTION_KIND_TABLE[kind].path;

/** Account-wide changes outside any user's actions: `passwordPolicy.enforce` setting the account password policy. */
export const IAM_ACCOUNT_CALLS: readonly string[] = ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'];

/** Every AWS API action Warden's IAM plane calls: its reads and each IAM kind's calls (what the deployed roles must grant). */
export const IAM_PLANE_CALLS: readonly string[] = [
  ...new Set([...IAM_READ_CALLS, ...IAM_ACCOUNT_CALLS, ...ACTION_KINDS.flatMap((kind) => (ACTION_KIND_TABLE[kind].plane === 'iam' ? ACTION_KIND_TABLE[kind].calls : []))]),
].sort();

/** Kinds in plan order (within one user). */
export const ACTION_KIND_ORDER: Readonly<Record<ActionKind, number>> = Object.fromEntries(
  ACTION_KINDS.map((kind) => [kind, ACTION_KIND_TABLE[kind].order]),
) as Record<ActionKind, number>;

/** Kinds whose credentials a leaver's stop-access deactivates, in plan order. */
export const CREDENTIAL_KINDS: readonly ActionKind[] = ACTION_KINDS.filter((k) => ACTION_KIND_TABLE[k].credentials !== undefined).sort(
  (a, b) => ACTION_KIND_ORDER[a] - ACTION_KIND_ORDER[b],
);
