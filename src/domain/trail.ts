/**
 * CloudTrail management events, read as hostile input: which of them give access back, and to whom (issue 15). Pure:
 * records in, the principals to re-plan out. A record names at most a few principals and nothing else is ever derived
 * from it; an odd or forged record names fewer, never more, and Warden's own calls never restore anything.
 */

/** Who made a call, as CloudTrail's `userIdentity` says. */
export interface TrailActor {
  /** `IAMUser`, `AssumedRole`, `Root`, `AWSService`, `IdentityCenterUser`… */
  readonly type: string;
  readonly arn?: string;
  readonly userName?: string;
  readonly accessKeyId?: string;
  readonly accountId?: string;
  /** The role behind an assumed-role session. */
  readonly roleArn?: string;
}

/** One CloudTrail management event, parsed. */
export interface TrailEvent {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: Date;
  /** Where the call took effect (`recipientAccountId`). */
  readonly account: string;
  readonly region: string;
  /** `sourceIPAddress`: an address, or a service name for calls AWS made on someone's behalf. */
  readonly sourceIp: string;
  readonly actor: TrailActor;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly readOnly: boolean;
  /** Present when the call failed (it changed nothing). */
  readonly errorCode?: string;
}

/** Someone whose access an event may have given back: Warden re-plans exactly these. */
export type TrailPrincipal =
  | { readonly kind: 'iam-user'; readonly account: string; readonly userName: string }
  /** Warden's managed deny-all, whose default version someone changed: every user it is attached to is re-planned. */
  | { readonly kind: 'iam-policy'; readonly account: string; readonly policyArn: string }
  | { readonly kind: 'ic-user'; readonly userId?: string; readonly userName?: string; readonly identityStoreId?: string }
  | { readonly kind: 'ic-group'; readonly groupId: string; readonly identityStoreId?: string }
  | { readonly kind: 'ic-permission-set'; readonly permissionSetArn: string; readonly instanceArn?: string };

export type TrailPlane = 'iam' | 'identity-center';

export type TrailClassification =
  | { readonly kind: 'restores'; readonly event: TrailEvent; readonly plane: TrailPlane; readonly principals: readonly TrailPrincipal[]; readonly what: string }
  | { readonly kind: 'ignored'; readonly event: TrailEvent; readonly reason: 'failed-call' | 'read-only' | 'by-warden' | 'not-restoring' | 'unnamed-principal' };

export type ParsedTrail<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** What classification needs to know about Warden. */
export interface TrailPolicy {
  /** The inline / managed deny-all Warden attaches (config `denyAllPolicyName`). */
  readonly denyAllPolicyName: string;
  /** Warden's own principals: their calls are its revocations and never re-planned (no loop). */
  readonly isWarden: (actor: TrailActor) => boolean;
}

export const IAM_SOURCE = 'iam.amazonaws.com';
export const SSO_SOURCE = 'sso.amazonaws.com';
export const IDENTITY_STORE_SOURCE = 'identitystore.amazonaws.com';

/**
 * The write calls the EventBridge rule listens for, per event source (serverless.yml's TrailEventsRule and the forwarding
 * template list exactly these). Every name here either gives access back or changes who a user is; Warden's own
 * revocations (deactivate, delete, detach, remove) are not among them except where they undo Warden's deny.
 */
export const TRAIL_EVENT_NAMES = {
  [IAM_SOURCE]: [
    'AddUserToGroup',
    'AttachUserPolicy',
    'CreateAccessKey',
    'CreateLoginProfile',
    'CreateServiceSpecificCredential',
    'CreatePolicyVersion',
    'CreateUser',
    'DeleteUserPolicy',
    'DetachUserPolicy',
    'PutUserPolicy',
    'ResetServiceSpecificCredential',
    'SetDefaultPolicyVersion',
    'TagUser',
    'UntagUser',
    'UpdateAccessKey',
    'UpdateLoginProfile',
    'UpdateServiceSpecificCredential',
    'UpdateSigningCertificate',
    'UpdateSSHPublicKey',
    'UpdateUser',
    'UploadSigningCertificate',
    'UploadSSHPublicKey',
  ],
  [SSO_SOURCE]: ['CreateAccountAssignment', 'DeleteInlinePolicyFromPermissionSet', 'PutInlinePolicyToPermissionSet'],
  [IDENTITY_STORE_SOURCE]: ['CreateGroupMembership', 'CreateUser', 'UpdateUser'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** A managed policy ARN without a path: `arn:PARTITION:iam::ACCOUNT:policy/NAME`, as Warden's deny-all is made. */
const UNPATHED_POLICY_ARN = /^arn:aws[\w-]*:iam::(\d{12}):policy\/([\w+=,.@-]{1,128})$/;
const POLICY_VERSION_ID = /^v\d{1,5}$/;
const IC_ID = /^[A-Za-z0-9-]{1,64}$/;
const PERMISSION_SET_ARN = /^arn:aws[\w-]*:sso:::permissionSet\/[\w-]{1,64}\/[\w-]{1,64}$/;
const INSTANCE_ARN = /^arn:aws[\w-]*:sso:::instance\/[\w-]{1,64}$/;
const MAX_TEXT = 2048;

const text = (value: unknown, max = MAX_TEXT): string | undefined => (typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined);
const record = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const matching = (value: unknown, pattern: RegExp): string | undefined => {
  const s = text(value, 2048);
  return s !== undefined && pattern.test(s) ? s : undefined;
};

/**
 * Reads a CloudTrail record: the JSON LookupEvents returns as `CloudTrailEvent`, or EventBridge's `detail`. Fields are
 * checked, never trusted: an account that is not 12 digits, or a time that does not parse, rejects the record.
 */
export function parseTrailRecord(raw: unknown): ParsedTrail<TrailEvent> {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.length > 256 * 1024) return { ok: false, error: 'record larger than CloudTrail writes' };
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, error: 'record is not JSON' };
    }
  }
  const r = record(value);
  if (r === undefined) return { ok: false, error: 'record is not an object' };
  const eventId = text(r['eventID'], 128);
  const eventName = matching(r['eventName'], /^[A-Za-z0-9]{1,128}$/);
  const eventSource = matching(r['eventSource'], /^[a-z0-9.-]{1,128}$/);
  const time = text(r['eventTime'], 64);
  const eventTime = time !== undefined ? new Date(time) : undefined;
  const account = matching(r['recipientAccountId'], ACCOUNT_ID);
  if (eventId === undefined || eventName === undefined || eventSource === undefined) return { ok: false, error: 'record lacks eventID, eventName or eventSource' };
  if (eventTime === undefined || Number.isNaN(eventTime.getTime())) return { ok: false, error: `record ${eventId} has no valid eventTime` };
  if (account === undefined) return { ok: false, error: `record ${eventId} has no valid recipientAccountId` };
  const identity = record(r['userIdentity']) ?? {};
  const issuer = record(record(identity['sessionContext'])?.['sessionIssuer']);
  const actor: TrailActor = {
    type: text(identity['type'], 64) ?? 'Unknown',
    ...optional('arn', text(identity['arn'])),
    ...optional('userName', text(identity['userName'], 128)),
    ...optional('accessKeyId', matching(identity['accessKeyId'], /^[A-Z0-9]{16,128}$/)),
    ...optional('accountId', matching(identity['accountId'], ACCOUNT_ID)),
    ...optional('roleArn', text(issuer?.['arn'])),
  };
  const errorCode = text(r['errorCode'], 256);
  return {
    ok: true,
    value: {
      eventId,
      eventName,
      eventSource,
      eventTime,
      account,
      region: text(r['awsRegion'], 64) ?? 'unknown',
      sourceIp: text(r['sourceIPAddress'], 256) ?? 'unknown',
      actor,
      parameters: record(r['requestParameters']) ?? {},
      readOnly: r['readOnly'] === true || r['readOnly'] === 'true',
      ...(errorCode !== undefined ? { errorCode } : {}),
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** `arn:…:policy/path/name` -> `name`. */
const policyNameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/**
 * Which principals an event may have given access back to. Failed and read-only calls, Warden's own calls and calls that
 * take access away give none; a user name that IAM would not accept names nobody.
 */
export function classifyTrailEvent(event: TrailEvent, policy: TrailPolicy): TrailClassification {
  if (event.errorCode !== undefined) return { kind: 'ignored', event, reason: 'failed-call' };
  if (event.readOnly) return { kind: 'ignored', event, reason: 'read-only' };
  if (policy.isWarden(event.actor)) return { kind: 'ignored', event, reason: 'by-warden' };
  const found = restoring(event, policy);
  if (found === 'not-restoring') return { kind: 'ignored', event, reason: 'not-restoring' };
  if (found.principals.length === 0) return { kind: 'ignored', event, reason: 'unnamed-principal' };
  return { kind: 'restores', event, plane: event.eventSource === IAM_SOURCE ? 'iam' : 'identity-center', principals: found.principals, what: found.what };
}

function restoring(event: TrailEvent, policy: TrailPolicy): 'not-restoring' | { principals: TrailPrincipal[]; what: string } {
  const p = event.parameters;
  switch (event.eventSource) {
    case IAM_SOURCE:
      return restoringIam(event, p, policy);
    case SSO_SOURCE:
      return restoringSso(event.eventName, p);
    case IDENTITY_STORE_SOURCE:
      return restoringIdentityStore(event.eventName, p);
    default:
      return 'not-restoring';
  }
}

function restoringIam(event: TrailEvent, p: Readonly<Record<string, unknown>>, policy: TrailPolicy): 'not-restoring' | { principals: TrailPrincipal[]; what: string } {
  const named = matching(p['userName'], USER_NAME);
  // IAM applies a call without UserName to the caller itself (only an IAM user has a name to apply it to).
  // A UserName that is present but not one IAM accepts names nobody: it never falls back to the caller.
  const self =
    p['userName'] === undefined && event.actor.type === 'IAMUser' && event.actor.accountId === event.account ? matching(event.actor.userName, USER_NAME) : undefined;
  const user = (name: string | undefined): TrailPrincipal[] => (name === undefined ? [] : [{ kind: 'iam-user', account: event.account, userName: name }]);
  const activated = p['status'] === 'Active';
  const isDenyAll = (name: string | undefined): boolean => name !== undefined && (name === policy.denyAllPolicyName || name === 'AWSDenyAll');
  switch (event.eventName) {
    case 'UpdateAccessKey':
      return activated ? { principals: user(named ?? self), what: `re-activated access key ${text(p['accessKeyId'], 128) ?? '?'}` } : 'not-restoring';
    case 'CreateAccessKey':
      return { principals: user(named ?? self), what: 'created an access key' };
    case 'UpdateSigningCertificate':
      return activated ? { principals: user(named ?? self), what: 're-activated a signing certificate' } : 'not-restoring';
    case 'UploadSigningCertificate':
      return { principals: user(named ?? self), what: 'uploaded a signing certificate' };
    case 'UpdateServiceSpecificCredential':
      return activated ? { principals: user(named ?? self), what: 're-activated a service-specific credential' } : 'not-restoring';
    case 'CreateServiceSpecificCredential':
    case 'ResetServiceSpecificCredential':
      return { principals: user(named ?? self), what: 'issued a service-specific credential' };
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return { principals: user(named), what: 'gave a console password' };
    case 'UploadSSHPublicKey':
      return { principals: user(named), what: 'uploaded an SSH public key' };
    case 'UpdateSSHPublicKey':
      return activated ? { principals: user(named), what: 're-activated an SSH public key' } : 'not-restoring';
    case 'AddUserToGroup':
      return { principals: user(named), what: `added to group ${text(p['groupName'], 128) ?? '?'}` };
    case 'AttachUserPolicy': {
      const arn = text(p['policyArn']);
      return isDenyAll(arn !== undefined ? policyNameOf(arn) : undefined) ? 'not-restoring' : { principals: user(named), what: `attached policy ${arn ?? '?'}` };
    }
    case 'PutUserPolicy':
      // Putting any inline policy may replace Warden's deny-all (same name) or grant around it.
      return { principals: user(named), what: `put inline policy ${text(p['policyName'], 128) ?? '?'}` };
    case 'DetachUserPolicy': {
      const arn = text(p['policyArn']);
      return isDenyAll(arn !== undefined ? policyNameOf(arn) : undefined) ? { principals: user(named), what: `detached Warden's deny-all ${arn ?? ''}`.trim() } : 'not-restoring';
    }
    case 'DeleteUserPolicy':
      return isDenyAll(text(p['policyName'], 128)) ? { principals: user(named), what: "deleted Warden's deny-all inline policy" } : 'not-restoring';
    case 'CreatePolicyVersion':
    case 'SetDefaultPolicyVersion': {
      // Only a version made the default changes what AWS enforces; only Warden's own deny-all in this account is watched.
      const arn = denyAllOf(event, p, policy);
      if (arn === undefined || (event.eventName === 'CreatePolicyVersion' && p['setAsDefault'] !== true)) return 'not-restoring';
      const version = event.eventName === 'CreatePolicyVersion' ? 'a new version' : `version ${matching(p['versionId'], POLICY_VERSION_ID) ?? '?'}`;
      return { principals: [{ kind: 'iam-policy', account: event.account, policyArn: arn }], what: `made ${version} of Warden's deny-all ${arn} its default` };
    }
    case 'CreateUser':
      return { principals: user(named), what: 'created the user' };
    case 'TagUser':
    case 'UntagUser':
      return { principals: user(named), what: 'changed the tags Warden matches people by' };
    case 'UpdateUser': {
      const renamed = matching(p['newUserName'], USER_NAME);
      return { principals: [...user(named), ...user(renamed)], what: renamed !== undefined ? `renamed the user to ${renamed}` : 'changed the user' };
    }
    default:
      return 'not-restoring';
  }
}

/** The event's `policyArn` when it is Warden's managed deny-all in the event's own account (never a path or a pattern). */
function denyAllOf(event: TrailEvent, p: Readonly<Record<string, unknown>>, policy: TrailPolicy): string | undefined {
  const arn = text(p['policyArn']);
  const parts = arn === undefined ? null : UNPATHED_POLICY_ARN.exec(arn);
  return parts !== null && parts[1] === event.account && parts[2] === policy.denyAllPolicyName ? arn : undefined;
}

function restoringSso(eventName: string, p: Readonly<Record<string, unknown>>): 'not-restoring' | { principals: TrailPrincipal[]; what: string } {
  const instanceArn = matching(p['instanceArn'], INSTANCE_ARN);
  const withInstance = instanceArn !== undefined ? { instanceArn } : {};
  const permissionSet = matching(p['permissionSetArn'], PERMISSION_SET_ARN);
  switch (eventName) {
    case 'CreateAccountAssignment': {
      const id = matching(p['principalId'], IC_ID);
      const target = matching(p['targetId'], ACCOUNT_ID) ?? '?';
      if (id === undefined) return { principals: [], what: '' };
      if (p['principalType'] === 'USER') return { principals: [{ kind: 'ic-user', userId: id }], what: `assigned a permission set in account ${target}` };
      if (p['principalType'] === 'GROUP') return { principals: [{ kind: 'ic-group', groupId: id }], what: `assigned a permission set to a group in account ${target}` };
      return { principals: [], what: '' };
    }
    case 'PutInlinePolicyToPermissionSet':
    case 'DeleteInlinePolicyFromPermissionSet':
      // Warden's session-ending Deny lives in the permission set's inline policy: replacing or deleting it lifts it.
      return {
        principals: permissionSet !== undefined ? [{ kind: 'ic-permission-set', permissionSetArn: permissionSet, ...withInstance }] : [],
        what: 'changed the inline policy that holds Warden’s deny',
      };
    default:
      return 'not-restoring';
  }
}

function restoringIdentityStore(eventName: string, p: Readonly<Record<string, unknown>>): 'not-restoring' | { principals: TrailPrincipal[]; what: string } {
  const store = matching(p['identityStoreId'], IC_ID);
  const withStore = store !== undefined ? { identityStoreId: store } : {};
  switch (eventName) {
    case 'CreateGroupMembership': {
      const userId = matching(record(p['memberId'])?.['userId'], IC_ID);
      const groupId = matching(p['groupId'], IC_ID) ?? '?';
      return { principals: userId !== undefined ? [{ kind: 'ic-user', userId, ...withStore }] : [], what: `added to Identity Center group ${groupId}` };
    }
    case 'CreateUser': {
      const userName = matching(p['userName'], /^[\p{L}\p{N}+=,.@_-]{1,128}$/u);
      return { principals: userName !== undefined ? [{ kind: 'ic-user', userName, ...withStore }] : [], what: 'created the Identity Center user' };
    }
    case 'UpdateUser': {
      const userId = matching(p['userId'], IC_ID);
      return { principals: userId !== undefined ? [{ kind: 'ic-user', userId, ...withStore }] : [], what: 'changed the Identity Center user' };
    }
    default:
      return 'not-restoring';
  }
}

/** Warden's principals by ARN: exact ARNs, or prefixes ending in `*` (an assumed role's sessions). */
export function wardenActors(patterns: readonly string[]): (actor: TrailActor) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (actor) => actor.arn !== undefined && (exact.has(actor.arn) || prefixes.some((prefix) => prefix !== '' && actor.arn?.startsWith(prefix) === true));
}

/** The IAM users a set of classifications names, per account, each once. */
export function iamPrincipalsByAccount(classifications: readonly TrailClassification[]): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, Set<string>>();
  for (const c of classifications) {
    if (c.kind !== 'restores') continue;
    for (const p of c.principals) {
      if (p.kind !== 'iam-user') continue;
      const names = out.get(p.account) ?? new Set<string>();
      names.add(p.userName);
      out.set(p.account, names);
    }
  }
  return new Map([...out].map(([account, names]) => [account, [...names].sort()]));
}

/** The managed policies (Warden's deny-all) a set of classifications names, per account. */
export function iamPoliciesByAccount(classifications: readonly TrailClassification[]): ReadonlyMap<string, ReadonlySet<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of classifications) {
    if (c.kind !== 'restores') continue;
    for (const p of c.principals) if (p.kind === 'iam-policy') out.set(p.account, (out.get(p.account) ?? new Set<string>()).add(p.policyArn));
  }
  return out;
}

/** What a leaver held that CloudTrail can name: their users' access key ids and user names, and when access ended. */
export interface LeaverTrailScope {
  readonly person: string;
  readonly noAccessLeftAt: Date;
  readonly users: readonly { readonly account?: string; readonly userName: string }[];
  readonly accessKeyIds: readonly string[];
}

/** A successful call made as a leaver after their "no access left" time. */
export interface PostRevocationUse {
  readonly person: string;
  readonly noAccessLeftAt: Date;
  readonly event: TrailEvent;
  readonly matchedBy: 'access-key' | 'user-name';
}

/**
 * The leaver's successful calls after "no access left": made with one of their access keys, or as one of their IAM users
 * (a session that outlived revocation). Failed calls (refused, as they should be) are not use.
 */
export function postRevocationUse(scope: LeaverTrailScope, events: readonly TrailEvent[]): PostRevocationUse[] {
  const keys = new Set(scope.accessKeyIds);
  const seen = new Set<string>();
  const out: PostRevocationUse[] = [];
  for (const event of events) {
    if (event.errorCode !== undefined || event.eventTime.getTime() <= scope.noAccessLeftAt.getTime() || seen.has(event.eventId)) continue;
    const byKey = event.actor.accessKeyId !== undefined && keys.has(event.actor.accessKeyId);
    const byName =
      event.actor.type === 'IAMUser' &&
      scope.users.some((u) => u.userName === event.actor.userName && (u.account === undefined || u.account === event.account));
    if (!byKey && !byName) continue;
    seen.add(event.eventId);
    out.push({ person: scope.person, noAccessLeftAt: scope.noAccessLeftAt, event, matchedBy: byKey ? 'access-key' : 'user-name' });
  }
  return out.sort((a, b) => a.event.eventTime.getTime() - b.event.eventTime.getTime());
}

/** One line naming who did what, when and from where (Slack and the audit log). */
export function describeTrailEvent(event: TrailEvent): string {
  const who = event.actor.arn ?? event.actor.userName ?? event.actor.type;
  return `${event.eventName} by ${who} at ${event.eventTime.toISOString()} from ${event.sourceIp} in ${event.account}`;
}
