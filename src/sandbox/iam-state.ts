import { buildCredentialReportCsv, type ReportKey, type ReportUser } from './credential-report';
import { fail, invalidParameter, ok, type Outcome } from './errors';
import { stableBytes, stableId } from './ids';
import { paginate, type Page, type PageRequest } from './paginate';
import {
  parseSeed,
  parseSeedUser,
  sandboxSeedSchema,
  type NormalizedAccount,
  type NormalizedGroup,
  type NormalizedUser,
  type SandboxSeed,
  type SeedAccount,
  type SeedGroup,
  type SeedUser,
} from './seed';
import { SandboxRoles } from './iam-roles';
import { policyDocumentProblem } from './policy-document';
import { md5Fingerprint, parseOpenSshKey, syntheticEd25519Line, toPem } from './ssh';

/** Status of an access key, SSH key, certificate or service credential. */
export type CredentialStatus = 'Active' | 'Inactive';

interface AccessKeyRec {
  readonly id: string;
  status: CredentialStatus;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | undefined;
  readonly lastUsedService: string | undefined;
  readonly lastUsedRegion: string | undefined;
}

interface SshKeyRec {
  readonly id: string;
  readonly body: string;
  status: CredentialStatus;
  readonly uploadedAt: Date;
}

interface CertRec {
  readonly id: string;
  readonly body: string;
  status: CredentialStatus;
  readonly uploadedAt: Date;
}

interface ServiceCredentialRec {
  readonly id: string;
  readonly serviceName: string;
  readonly serviceUserName: string;
  status: CredentialStatus;
  readonly createdAt: Date;
}

interface LoginProfileRec {
  readonly createdAt: Date;
  readonly passwordLastUsed: Date | undefined;
  readonly passwordResetRequired: boolean;
}

interface MfaRec {
  readonly serialNumber: string;
  readonly virtual: boolean;
  readonly createdAt: Date;
  /** Lower-cased name of the user it is enabled for; undefined when unassigned (virtual devices only). */
  userKey: string | undefined;
  enabledAt: Date | undefined;
}

interface UserRec {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly tags: Map<string, string>;
  readonly groups: string[];
  readonly attachedPolicies: string[];
  readonly inlinePolicies: Map<string, string>;
  loginProfile: LoginProfileRec | null;
  readonly accessKeys: AccessKeyRec[];
  readonly sshPublicKeys: SshKeyRec[];
  readonly mfaSerials: string[];
  readonly signingCertificates: CertRec[];
  readonly serviceCredentials: ServiceCredentialRec[];
}

interface GroupRec {
  readonly name: string;
  readonly groupId: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly attachedPolicies: string[];
  readonly inlinePolicies: Map<string, string>;
}

type ReportState =
  | { readonly kind: 'none' }
  | { readonly kind: 'generating'; readonly startedAt: Date; callsLeft: number }
  | { readonly kind: 'complete'; readonly generatedAt: Date; readonly csv: string };

interface AccountRec {
  readonly id: string;
  readonly name: string | undefined;
  createdAt: Date;
  readonly root: { readonly mfaActive: boolean; readonly passwordLastUsed: Date | undefined; readonly accessKeys: readonly ReportKey[] };
  /** The account password policy; null: none set. */
  passwordPolicy: PasswordPolicyRec | null;
  readonly users: Map<string, UserRec>;
  readonly groups: Map<string, GroupRec>;
  readonly mfa: Map<string, MfaRec>;
  /** Customer managed policies' default documents by ARN (seeded, or made default since). */
  readonly policies: Map<string, string>;
  /** Customer managed policies given versions beyond the seeded one (CreatePolicyVersion), oldest first. */
  readonly policyVersions: Map<string, PolicyVersionRec[]>;
  report: ReportState;
  sortedUsers: UserRec[] | undefined;
}

/** One version of a customer managed policy; exactly one of a policy's versions is its default, the one IAM enforces. */
interface PolicyVersionRec {
  readonly id: string;
  readonly document: string;
  readonly createdAt: Date;
  isDefault: boolean;
}

/** One version of a managed policy as GetAccountAuthorizationDetails and CreatePolicyVersion report it. */
export interface PolicyVersionView {
  readonly id: string;
  readonly document: string;
  readonly createdAt: Date;
  readonly isDefault: boolean;
}

/** The account password policy as the sandbox keeps it (GetAccountPasswordPolicy / UpdateAccountPasswordPolicy). */
export interface PasswordPolicyRec {
  readonly minimumLength: number;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  readonly reusePrevention: number | undefined;
  readonly maxAgeDays: number | undefined;
}

interface SessionRec {
  readonly account: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly expiresAt: Date;
}

type View<T> = T extends Date
  ? Date
  : T extends Map<infer K, infer V>
    ? ReadonlyMap<K, View<V>>
    : T extends (infer U)[]
      ? readonly View<U>[]
      : T extends object
        ? { readonly [P in keyof T]: View<T[P]> }
        : T;

/** Live, read-only views the wire layer renders; never mutate them. */
export type UserView = View<UserRec>;
export type GroupView = View<GroupRec>;
export type AccessKeyView = View<AccessKeyRec>;
export type SshKeyView = View<SshKeyRec>;
export type CertificateView = View<CertRec>;
export type LoginProfileView = View<LoginProfileRec>;
export type MfaDeviceView = View<MfaRec>;

/** A service-specific credential with its owner's name. */
export interface ServiceCredentialView extends View<ServiceCredentialRec> {
  readonly userName: string;
}

/** A virtual MFA device and the user it is enabled for, if any. */
export interface VirtualMfaView {
  readonly serialNumber: string;
  readonly user: UserView | undefined;
  readonly enabledAt: Date | undefined;
}

/** A customer or AWS managed policy as GetAccountAuthorizationDetails reports it. */
export interface ManagedPolicyView {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly policyId: string;
  readonly attachmentCount: number;
  readonly awsManaged: boolean;
  readonly createdAt: Date;
  /** The default version's document. */
  readonly document: string;
  readonly defaultVersionId: string;
  /** Every version, oldest first (a policy never given another holds only `v1`). */
  readonly versions: readonly PolicyVersionView[];
}

/** Entity types GetAccountAuthorizationDetails can be filtered to. */
export type GaadFilter = 'User' | 'Group' | 'Role' | 'LocalManagedPolicy' | 'AWSManagedPolicy';

/** One entry of a GetAccountAuthorizationDetails page (users, then groups, then managed policies). */
export type GaadEntry =
  | { readonly kind: 'user'; readonly user: UserView }
  | { readonly kind: 'group'; readonly group: GroupView }
  | { readonly kind: 'policy'; readonly policy: ManagedPolicyView };

/** What GenerateCredentialReport answers. */
export type CredentialReportState = 'STARTED' | 'INPROGRESS' | 'COMPLETE';

/** A finished credential report: CSV text and when it was generated. */
export interface CredentialReport {
  readonly content: string;
  readonly generatedAt: Date;
}

/** GetSSHPublicKey's answer: the key, its MD5 fingerprint and its body in the requested encoding. */
export interface SshKeyDetail {
  readonly userName: string;
  readonly key: SshKeyView;
  readonly fingerprint: string;
  readonly encodedBody: string;
}

/** GetAccessKeyLastUsed's answer; service and region are `N/A` for a key never used. */
export interface AccessKeyLastUsed {
  readonly userName: string;
  readonly lastUsedAt: Date | undefined;
  readonly serviceName: string;
  readonly region: string;
}

/** Who signed a request, resolved from its access key id. */
export type CallerIdentity =
  | { readonly kind: 'root'; readonly account: string; readonly arn: string; readonly userId: string }
  | { readonly kind: 'user'; readonly account: string; readonly arn: string; readonly userId: string; readonly userName: string }
  | { readonly kind: 'assumed-role'; readonly account: string; readonly arn: string; readonly userId: string; readonly roleName: string };

/** Temporary credentials from AssumeRole and the assumed-role principal. */
export interface AssumedRole {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly assumedRoleId: string;
  readonly arn: string;
}

/** Plain-data copy of one user, for test and bench assertions. */
export interface UserSnapshot {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly tags: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
  readonly attachedPolicies: readonly string[];
  readonly inlinePolicies: Readonly<Record<string, string>>;
  readonly loginProfile: { readonly createdAt: Date; readonly passwordLastUsed?: Date } | null;
  readonly accessKeys: readonly { readonly id: string; readonly status: CredentialStatus; readonly createdAt: Date; readonly lastUsedAt?: Date }[];
  readonly sshPublicKeys: readonly { readonly id: string; readonly status: CredentialStatus; readonly uploadedAt: Date; readonly body: string }[];
  readonly mfaDevices: readonly { readonly serialNumber: string; readonly virtual: boolean }[];
  readonly signingCertificates: readonly { readonly id: string; readonly status: CredentialStatus }[];
  readonly serviceSpecificCredentials: readonly { readonly id: string; readonly serviceName: string; readonly status: CredentialStatus }[];
}

/** Plain-data summary of one account, for test and bench assertions. */
export interface AccountSnapshot {
  readonly id: string;
  readonly name?: string;
  readonly userNames: readonly string[];
  readonly groups: readonly { readonly name: string; readonly attachedPolicies: readonly string[]; readonly inlinePolicies: readonly string[] }[];
  readonly virtualMfaDevices: readonly { readonly serialNumber: string; readonly userName?: string }[];
  readonly credentialReport: 'none' | 'generating' | 'complete';
}

/** How long credential report generation takes; the report completes once both delays have passed. */
export interface CredentialReportDelay {
  /** Credential-report calls (Generate or Get) that still see "in progress" after the one that started it. */
  readonly calls?: number;
  /** Minimum time, on the state's clock, before the report is complete. */
  readonly ms?: number;
}

/** Behaviour knobs for the simulated IAM. */
export interface IamStateOptions {
  readonly credentialReportDelay?: CredentialReportDelay;
}

const REPORT_TTL_MS = 4 * 60 * 60 * 1000;
const MAX_MANAGED_POLICIES_PER_USER = 10;
/** IAM's quota on the total size of a user's inline policies, whitespace excluded. */
const MAX_INLINE_POLICY_BYTES = 2048;
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
/** IAM's quota on the versions one managed policy keeps. */
const MAX_POLICY_VERSIONS = 5;

const POLICY_ARN = /^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,128})$/;
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const READ_ONLY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*"],"Resource":"*"}]}';
/** Documents of the AWS managed policies tests and the demo use (abridged where AWS's own are long; the effects match). */
const AWS_MANAGED_DOCUMENTS: Readonly<Record<string, string>> = {
  AdministratorAccess: ALLOW_ALL,
  ReadOnlyAccess: READ_ONLY,
  AWSDenyAll: '{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":"*","Resource":"*"}]}',
  AWSCompromisedKeyQuarantineV3: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['iam:AttachUserPolicy', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:PutUserPolicy', 'ec2:RunInstances', 'lambda:CreateFunction', 's3:*'],
        Resource: ['*'],
      },
    ],
  }),
};

const byKey = <T>(keyOf: (item: T) => string) => (a: T, b: T) => {
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function sortedPage<T>(items: readonly T[], keyOf: (item: T) => string, page: PageRequest): Outcome<Page<T>> {
  return paginate([...items].sort(byKey(keyOf)), keyOf, page);
}

const timeKey = (d: Date, id: string) => `${d.toISOString()}|${id}`;

/** In-memory, multi-account IAM (and STS caller) state behind the sandbox server, with AWS's rules and errors. */
export class IamSandboxState {
  private readonly accounts = new Map<string, AccountRec>();
  /** IAM roles with trust policies and inline policies (iam-roles.ts). */
  readonly roles = new SandboxRoles();
  private readonly accessKeyIndex = new Map<string, { readonly account: string; readonly userKey: string }>();
  private readonly accountKeys = new Map<string, string>();
  private readonly sessions = new Map<string, SessionRec>();
  private readonly deletedKeys = new Set<string>();
  private reportDelay: { calls: number; ms: number } = { calls: 1, ms: 0 };
  private sessionCount = 0;

  private constructor(private readonly clock: () => Date) {}

  /** Builds the state from a seed (validated here; an invalid seed is a programming error and throws). */
  static fromSeed(seed: SandboxSeed, clock: () => Date = () => new Date(), options: IamStateOptions = {}): IamSandboxState {
    const parsed = parseSeed(seed);
    if (!parsed.ok) throw new Error(`invalid sandbox seed:\n${parsed.errors.join('\n')}`);
    const state = new IamSandboxState(clock);
    if (options.credentialReportDelay) state.setCredentialReportDelay(options.credentialReportDelay);
    for (const account of parsed.seed.accounts) state.insertAccount(account);
    return state;
  }

  now(): Date {
    return this.clock();
  }

  /** Changes how long credential report generation takes (defaults: 1 call, 0 ms). */
  setCredentialReportDelay(delay: CredentialReportDelay): void {
    this.reportDelay = { calls: Math.max(0, delay.calls ?? 0), ms: Math.max(0, delay.ms ?? 0) };
  }

  accountIds(): readonly string[] {
    return [...this.accounts.keys()];
  }

  /** Adds a whole account (e.g. a synthetic one) after construction. */
  addAccount(account: SeedAccount): AccountSnapshot {
    const parsed = sandboxSeedSchema.parse({ accounts: [account] }).accounts[0] as NormalizedAccount;
    if (this.accounts.has(parsed.id)) throw new Error(`account ${parsed.id} already exists`);
    this.insertAccount(parsed);
    return this.account(parsed.id) as AccountSnapshot;
  }

  /** Adds a group to an account (programmatic seeding). */
  addGroup(accountId: string, group: SeedGroup): void {
    const acct = this.mustAccount(accountId);
    const parsed = sandboxSeedSchema.parse({ accounts: [{ id: accountId, groups: [group] }] }).accounts[0]?.groups[0] as NormalizedGroup;
    if (acct.groups.has(parsed.name.toLowerCase())) throw new Error(`group ${parsed.name} already exists in ${accountId}`);
    this.insertGroup(acct, parsed);
  }

  /** Adds a user to an account (programmatic seeding); referenced groups are created when missing. */
  addUser(accountId: string, user: SeedUser): UserSnapshot {
    const acct = this.mustAccount(accountId);
    const parsed = parseSeedUser(user);
    if (acct.users.has(parsed.userName.toLowerCase())) throw new Error(`user ${parsed.userName} already exists in ${accountId}`);
    this.insertUser(acct, parsed);
    return this.user(accountId, parsed.userName) as UserSnapshot;
  }

  account(id: string): AccountSnapshot | undefined {
    const acct = this.accounts.get(id);
    if (!acct) return undefined;
    return {
      id: acct.id,
      ...(acct.name !== undefined ? { name: acct.name } : {}),
      userNames: this.sortedUsers(acct).map((u) => u.userName),
      groups: [...acct.groups.values()].map((g) => ({ name: g.name, attachedPolicies: [...g.attachedPolicies], inlinePolicies: [...g.inlinePolicies.keys()] })),
      virtualMfaDevices: [...acct.mfa.values()]
        .filter((d) => d.virtual)
        .map((d) => {
          const owner = d.userKey !== undefined ? acct.users.get(d.userKey) : undefined;
          return { serialNumber: d.serialNumber, ...(owner ? { userName: owner.userName } : {}) };
        }),
      credentialReport: acct.report.kind,
    };
  }

  user(accountId: string, userName: string): UserSnapshot | undefined {
    const acct = this.accounts.get(accountId);
    const u = acct?.users.get(userName.toLowerCase());
    if (!acct || !u) return undefined;
    return {
      userName: u.userName,
      userId: u.userId,
      arn: u.arn,
      path: u.path,
      createdAt: u.createdAt,
      tags: Object.fromEntries(u.tags),
      groups: [...u.groups],
      attachedPolicies: [...u.attachedPolicies],
      inlinePolicies: Object.fromEntries(u.inlinePolicies),
      loginProfile: u.loginProfile
        ? { createdAt: u.loginProfile.createdAt, ...(u.loginProfile.passwordLastUsed ? { passwordLastUsed: u.loginProfile.passwordLastUsed } : {}) }
        : null,
      accessKeys: u.accessKeys.map((k) => ({ id: k.id, status: k.status, createdAt: k.createdAt, ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}) })),
      sshPublicKeys: u.sshPublicKeys.map((k) => ({ id: k.id, status: k.status, uploadedAt: k.uploadedAt, body: k.body })),
      mfaDevices: u.mfaSerials.map((s) => ({ serialNumber: s, virtual: acct.mfa.get(s)?.virtual ?? false })),
      signingCertificates: u.signingCertificates.map((c) => ({ id: c.id, status: c.status })),
      serviceSpecificCredentials: u.serviceCredentials.map((c) => ({ id: c.id, serviceName: c.serviceName, status: c.status })),
    };
  }

  // ---- callers and STS ----

  /** Maps a request's access key id to its principal; unknown keys act as the first account's root so any dummy key works. */
  resolveCaller(accessKeyId: string): Outcome<CallerIdentity> {
    const session = this.sessions.get(accessKeyId);
    if (session) {
      if (session.expiresAt.getTime() <= this.clock().getTime()) return fail('ExpiredToken', 'The security token included in the request is expired');
      return ok({
        kind: 'assumed-role',
        account: session.account,
        arn: `arn:aws:sts::${session.account}:assumed-role/${session.roleName}/${session.sessionName}`,
        userId: `${session.roleId}:${session.sessionName}`,
        roleName: session.roleName,
      });
    }
    const owned = this.accessKeyIndex.get(accessKeyId);
    if (owned) {
      const user = this.accounts.get(owned.account)?.users.get(owned.userKey);
      const key = user?.accessKeys.find((k) => k.id === accessKeyId);
      if (!user || key?.status !== 'Active') return fail('InvalidClientTokenId', 'The security token included in the request is invalid.');
      return ok({ kind: 'user', account: owned.account, arn: user.arn, userId: user.userId, userName: user.userName });
    }
    if (this.deletedKeys.has(accessKeyId)) return fail('InvalidClientTokenId', 'The security token included in the request is invalid.');
    const account = this.accountKeys.get(accessKeyId) ?? this.accounts.keys().next().value;
    if (account === undefined) return fail('InvalidClientTokenId', 'The security token included in the request is invalid.');
    return ok({ kind: 'root', account, arn: `arn:aws:iam::${account}:root`, userId: account });
  }

  /** STS AssumeRole: temporary credentials that authenticate as the role's account (which must be in the sandbox). */
  assumeRole(caller: CallerIdentity, input: { roleArn: string; sessionName: string; durationSeconds?: number; externalId?: string }): Outcome<AssumedRole> {
    const match = ROLE_ARN.exec(input.roleArn);
    if (!match) return invalidParameter('RoleArn', input.roleArn, 'Member must be a valid IAM role ARN');
    if (!/^[\w+=,.@-]{2,64}$/.test(input.sessionName)) {
      return invalidParameter('RoleSessionName', input.sessionName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
    }
    const duration = input.durationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      return invalidParameter('DurationSeconds', String(duration), 'Member must have value between 900 and 43200');
    }
    const account = match[1] as string;
    const roleName = match[3] as string;
    const trust = this.roles.role(account, roleName)?.trustPolicy;
    if (!this.accounts.has(account) || (trust !== undefined && !externalIdAccepted(trust, input.externalId))) {
      return fail('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`);
    }
    const n = String(++this.sessionCount);
    const accessKeyId = stableId('sessionKey', 'session', n, input.roleArn, input.sessionName);
    const roleId = stableId('role', account, roleName);
    const expiration = new Date(this.clock().getTime() + duration * 1000);
    this.sessions.set(accessKeyId, { account, roleName, roleId, sessionName: input.sessionName, expiresAt: expiration });
    return ok({
      accessKeyId,
      secretAccessKey: stableBytes(30, 'secret', n, accessKeyId).toString('base64'),
      sessionToken: stableBytes(180, 'token', n, accessKeyId).toString('base64'),
      expiration,
      assumedRoleId: `${roleId}:${input.sessionName}`,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${input.sessionName}`,
    });
  }

  // ---- users ----

  listUsers(accountId: string, request: PageRequest & { readonly pathPrefix?: string }): Outcome<Page<UserView>> {
    const acct = this.mustAccount(accountId);
    const prefix = request.pathPrefix;
    const users = this.sortedUsers(acct);
    const items = prefix === undefined || prefix === '/' ? users : users.filter((u) => u.path.startsWith(prefix));
    return paginate(items, userKey, request);
  }

  getUser(accountId: string, userName: string): Outcome<UserView> {
    return this.findUser(this.mustAccount(accountId), userName);
  }

  listUserTags(accountId: string, userName: string, request: PageRequest): Outcome<Page<readonly [string, string]>> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    return sortedPage([...user.value.tags], ([k]) => k, request);
  }

  deleteUser(accountId: string, userName: string): Outcome<void> {
    const acct = this.mustAccount(accountId);
    const found = this.findUser(acct, userName);
    if (!found.ok) return found;
    const u = found.value;
    const conflict = (what: string) => fail<void>('DeleteConflict', `Cannot delete entity, must ${what} first.`);
    if (u.loginProfile) return conflict('delete login profile');
    if (u.accessKeys.length > 0) return conflict('delete access keys');
    if (u.signingCertificates.length > 0) return conflict('delete signing certificates');
    if (u.sshPublicKeys.length > 0) return conflict('delete SSH public keys');
    if (u.serviceCredentials.length > 0) return conflict('delete service specific credentials');
    if (u.mfaSerials.length > 0) return conflict('delete MFA device');
    if (u.inlinePolicies.size > 0) return conflict('delete policies');
    if (u.attachedPolicies.length > 0) return conflict('detach all policies');
    if (u.groups.length > 0) return conflict('remove users from group');
    acct.users.delete(u.userName.toLowerCase());
    acct.sortedUsers = undefined;
    return ok(undefined);
  }

  // ---- access keys ----

  listAccessKeys(accountId: string, userName: string | undefined, request: PageRequest): Outcome<Page<AccessKeyView & { readonly userName: string }>> {
    if (userName === undefined) return ok({ items: [], isTruncated: false });
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const u = user.value;
    return sortedPage(
      u.accessKeys.map((k) => ({ ...k, userName: u.userName })),
      (k) => timeKey(k.createdAt, k.id),
      request,
    );
  }

  getAccessKeyLastUsed(accountId: string, accessKeyId: string): Outcome<AccessKeyLastUsed> {
    const owned = this.accessKeyIndex.get(accessKeyId);
    const user = owned && owned.account === accountId ? this.accounts.get(accountId)?.users.get(owned.userKey) : undefined;
    const key = user?.accessKeys.find((k) => k.id === accessKeyId);
    if (!user || !key) return fail('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    return ok({
      userName: user.userName,
      lastUsedAt: key.lastUsedAt,
      serviceName: key.lastUsedAt ? (key.lastUsedService ?? 'sts') : 'N/A',
      region: key.lastUsedAt ? (key.lastUsedRegion ?? 'us-east-1') : 'N/A',
    });
  }

  updateAccessKey(accountId: string, userName: string | undefined, accessKeyId: string, status: CredentialStatus): Outcome<void> {
    const key = this.findCredential(accountId, userName, accessKeyId, (u) => u.accessKeys, `The Access Key with id ${accessKeyId} cannot be found.`);
    if (!key.ok) return key;
    key.value.item.status = status;
    return ok(undefined);
  }

  deleteAccessKey(accountId: string, userName: string | undefined, accessKeyId: string): Outcome<void> {
    const key = this.findCredential(accountId, userName, accessKeyId, (u) => u.accessKeys, `The Access Key with id ${accessKeyId} cannot be found.`);
    if (!key.ok) return key;
    remove(key.value.user.accessKeys, key.value.item);
    this.accessKeyIndex.delete(accessKeyId);
    this.deletedKeys.add(accessKeyId);
    return ok(undefined);
  }

  // ---- login profile ----

  getLoginProfile(accountId: string, userName: string): Outcome<LoginProfileView & { readonly userName: string }> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const profile = user.value.loginProfile;
    if (!profile) return fail('NoSuchEntity', `Login Profile for User ${user.value.userName} cannot be found.`);
    return ok({ ...profile, userName: user.value.userName });
  }

  deleteLoginProfile(accountId: string, userName: string): Outcome<void> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    if (!user.value.loginProfile) return fail('NoSuchEntity', `Login Profile for User ${user.value.userName} cannot be found.`);
    user.value.loginProfile = null;
    return ok(undefined);
  }

  // ---- SSH public keys ----

  listSshPublicKeys(accountId: string, userName: string | undefined, request: PageRequest): Outcome<Page<SshKeyView & { readonly userName: string }>> {
    if (userName === undefined) return ok({ items: [], isTruncated: false });
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const u = user.value;
    return sortedPage(
      u.sshPublicKeys.map((k) => ({ ...k, userName: u.userName })),
      (k) => timeKey(k.uploadedAt, k.id),
      request,
    );
  }

  getSshPublicKey(accountId: string, userName: string, keyId: string, encoding: 'SSH' | 'PEM'): Outcome<SshKeyDetail> {
    const found = this.findCredential(accountId, userName, keyId, (u) => u.sshPublicKeys, `The Public Key with id ${keyId} cannot be found.`);
    if (!found.ok) return found;
    const { user, item } = found.value;
    const parsed = parseOpenSshKey(item.body);
    if (!parsed) return fail('UnrecognizedPublicKeyEncoding', 'The public key encoding is not recognized.');
    const body = encoding === 'SSH' ? item.body : toPem(parsed);
    if (body === undefined) return fail('UnrecognizedPublicKeyEncoding', `The public key of type ${parsed.type} cannot be encoded as PEM.`);
    return ok({ userName: user.userName, key: item, fingerprint: md5Fingerprint(parsed), encodedBody: body });
  }

  updateSshPublicKey(accountId: string, userName: string, keyId: string, status: CredentialStatus): Outcome<void> {
    const found = this.findCredential(accountId, userName, keyId, (u) => u.sshPublicKeys, `The Public Key with id ${keyId} cannot be found.`);
    if (!found.ok) return found;
    found.value.item.status = status;
    return ok(undefined);
  }

  deleteSshPublicKey(accountId: string, userName: string, keyId: string): Outcome<void> {
    const found = this.findCredential(accountId, userName, keyId, (u) => u.sshPublicKeys, `The Public Key with id ${keyId} cannot be found.`);
    if (!found.ok) return found;
    remove(found.value.user.sshPublicKeys, found.value.item);
    return ok(undefined);
  }

  // ---- MFA ----

  listMfaDevices(accountId: string, userName: string | undefined, request: PageRequest): Outcome<Page<MfaDeviceView & { readonly userName: string }>> {
    if (userName === undefined) return ok({ items: [], isTruncated: false });
    const acct = this.mustAccount(accountId);
    const user = this.findUser(acct, userName);
    if (!user.ok) return user;
    const u = user.value;
    const devices = u.mfaSerials.flatMap((s) => {
      const d = acct.mfa.get(s);
      return d ? [{ ...d, userName: u.userName }] : [];
    });
    return sortedPage(devices, (d) => d.serialNumber, request);
  }

  listVirtualMfaDevices(accountId: string, assignment: 'Assigned' | 'Unassigned' | 'Any', request: PageRequest): Outcome<Page<VirtualMfaView>> {
    const acct = this.mustAccount(accountId);
    const devices: VirtualMfaView[] = [];
    for (const d of acct.mfa.values()) {
      if (!d.virtual) continue;
      const user = d.userKey !== undefined ? acct.users.get(d.userKey) : undefined;
      if (assignment === 'Assigned' && !user) continue;
      if (assignment === 'Unassigned' && user) continue;
      devices.push({ serialNumber: d.serialNumber, user, enabledAt: user ? d.enabledAt : undefined });
    }
    return sortedPage(devices, (d) => d.serialNumber, request);
  }

  deactivateMfaDevice(accountId: string, userName: string, serialNumber: string): Outcome<void> {
    const acct = this.mustAccount(accountId);
    const user = this.findUser(acct, userName);
    if (!user.ok) return user;
    const device = acct.mfa.get(serialNumber);
    if (!device || device.userKey !== user.value.userName.toLowerCase()) {
      return fail('NoSuchEntity', `MFA Device with serial number ${serialNumber} does not exist.`);
    }
    remove(user.value.mfaSerials, serialNumber);
    if (device.virtual) {
      device.userKey = undefined;
      device.enabledAt = undefined;
    } else {
      acct.mfa.delete(serialNumber);
    }
    return ok(undefined);
  }

  deleteVirtualMfaDevice(accountId: string, serialNumber: string): Outcome<void> {
    const acct = this.mustAccount(accountId);
    const device = acct.mfa.get(serialNumber);
    if (!device || !device.virtual) return fail('NoSuchEntity', `VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
    if (device.userKey !== undefined) return fail('DeleteConflict', 'MFA Device is still in use.');
    acct.mfa.delete(serialNumber);
    return ok(undefined);
  }

  // ---- signing certificates and service-specific credentials ----

  listSigningCertificates(accountId: string, userName: string | undefined, request: PageRequest): Outcome<Page<CertificateView & { readonly userName: string }>> {
    if (userName === undefined) return ok({ items: [], isTruncated: false });
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const u = user.value;
    return sortedPage(
      u.signingCertificates.map((c) => ({ ...c, userName: u.userName })),
      (c) => timeKey(c.uploadedAt, c.id),
      request,
    );
  }

  updateSigningCertificate(accountId: string, userName: string | undefined, certificateId: string, status: CredentialStatus): Outcome<void> {
    const found = this.findCredential(accountId, userName, certificateId, (u) => u.signingCertificates, `The Certificate with id ${certificateId} cannot be found.`);
    if (!found.ok) return found;
    found.value.item.status = status;
    return ok(undefined);
  }

  deleteSigningCertificate(accountId: string, userName: string | undefined, certificateId: string): Outcome<void> {
    const found = this.findCredential(accountId, userName, certificateId, (u) => u.signingCertificates, `The Certificate with id ${certificateId} cannot be found.`);
    if (!found.ok) return found;
    remove(found.value.user.signingCertificates, found.value.item);
    return ok(undefined);
  }

  listServiceSpecificCredentials(
    accountId: string,
    query: { readonly userName: string | undefined; readonly serviceName?: string; readonly allUsers?: boolean },
    request: PageRequest,
  ): Outcome<Page<ServiceCredentialView>> {
    const acct = this.mustAccount(accountId);
    let users: readonly UserRec[];
    if (query.allUsers) users = this.sortedUsers(acct);
    else if (query.userName === undefined) users = [];
    else {
      const user = this.findUser(acct, query.userName);
      if (!user.ok) return user;
      users = [user.value];
    }
    const items = users.flatMap((u) =>
      u.serviceCredentials.filter((c) => query.serviceName === undefined || c.serviceName === query.serviceName).map((c) => ({ ...c, userName: u.userName })),
    );
    return sortedPage(items, (c) => `${c.userName.toLowerCase()}|${timeKey(c.createdAt, c.id)}`, request);
  }

  updateServiceSpecificCredential(accountId: string, userName: string | undefined, credentialId: string, status: CredentialStatus): Outcome<void> {
    const found = this.findCredential(accountId, userName, credentialId, (u) => u.serviceCredentials, `No such credential ${credentialId}.`);
    if (!found.ok) return found;
    found.value.item.status = status;
    return ok(undefined);
  }

  deleteServiceSpecificCredential(accountId: string, userName: string | undefined, credentialId: string): Outcome<void> {
    const found = this.findCredential(accountId, userName, credentialId, (u) => u.serviceCredentials, `No such credential ${credentialId}.`);
    if (!found.ok) return found;
    remove(found.value.user.serviceCredentials, found.value.item);
    return ok(undefined);
  }

  // ---- policies ----

  putUserPolicy(accountId: string, userName: string, policyName: string, document: string): Outcome<void> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    if (!/^[\w+=,.@-]{1,128}$/.test(policyName)) return invalidParameter('PolicyName', policyName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    const problem = policyDocumentProblem(document);
    if (problem !== undefined) return fail('MalformedPolicyDocument', problem);
    const others = [...user.value.inlinePolicies].filter(([n]) => n !== policyName).map(([, d]) => d);
    const size = [...others, document].reduce((sum, d) => sum + d.replace(/\s/g, '').length, 0);
    if (size > MAX_INLINE_POLICY_BYTES) return fail('LimitExceeded', `Maximum policy size of ${MAX_INLINE_POLICY_BYTES} bytes exceeded for user ${user.value.userName}`);
    user.value.inlinePolicies.set(policyName, document);
    return ok(undefined);
  }

  getUserPolicy(accountId: string, userName: string, policyName: string): Outcome<{ readonly userName: string; readonly policyName: string; readonly document: string }> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const document = user.value.inlinePolicies.get(policyName);
    if (document === undefined) return fail('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    return ok({ userName: user.value.userName, policyName, document });
  }

  deleteUserPolicy(accountId: string, userName: string, policyName: string): Outcome<void> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    if (!user.value.inlinePolicies.delete(policyName)) return fail('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    return ok(undefined);
  }

  listUserPolicies(accountId: string, userName: string, request: PageRequest): Outcome<Page<string>> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    return sortedPage([...user.value.inlinePolicies.keys()], (n) => n, request);
  }

  listAttachedUserPolicies(accountId: string, userName: string, pathPrefix: string | undefined, request: PageRequest): Outcome<Page<string>> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const arns = user.value.attachedPolicies.filter((arn) => pathPrefix === undefined || policyParts(arn).path.startsWith(pathPrefix));
    return sortedPage(arns, (arn) => arn, request);
  }

  attachUserPolicy(accountId: string, userName: string, policyArn: string): Outcome<void> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const match = POLICY_ARN.exec(policyArn);
    if (!match) return fail('InvalidInput', `ARN ${policyArn} is not valid.`);
    if (match[1] !== 'aws' && (match[1] !== accountId || !this.customerPolicyExists(this.mustAccount(accountId), policyArn))) {
      return fail('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`);
    }
    const attached = user.value.attachedPolicies;
    if (attached.includes(policyArn)) return ok(undefined);
    if (attached.length >= MAX_MANAGED_POLICIES_PER_USER) return fail('LimitExceeded', `Cannot exceed quota for PoliciesPerUser: ${MAX_MANAGED_POLICIES_PER_USER}`);
    attached.push(policyArn);
    return ok(undefined);
  }

  detachUserPolicy(accountId: string, userName: string, policyArn: string): Outcome<void> {
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    if (!remove(user.value.attachedPolicies, policyArn)) return fail('NoSuchEntity', `Policy ${policyArn} was not found.`);
    return ok(undefined);
  }

  /** CreatePolicyVersion: a customer managed policy's new version, its default at once when `setAsDefault`. */
  createPolicyVersion(accountId: string, policyArn: string, document: string, setAsDefault: boolean): Outcome<PolicyVersionView> {
    const acct = this.mustAccount(accountId);
    const found = this.customerPolicy(acct, policyArn);
    if (!found.ok) return found;
    const problem = policyDocumentProblem(document);
    if (problem !== undefined) return fail('MalformedPolicyDocument', problem);
    const versions = this.policyVersionsOf(acct, policyArn);
    if (versions.length >= MAX_POLICY_VERSIONS) {
      return fail('LimitExceeded', `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
    }
    const id = `v${Math.max(...versions.map((v) => Number(v.id.slice(1)))) + 1}`;
    const version: PolicyVersionRec = { id, document, createdAt: this.clock(), isDefault: false };
    acct.policyVersions.set(policyArn, [...versions, version]);
    if (setAsDefault) this.makeDefault(acct, policyArn, version);
    return ok({ ...version });
  }

  /** SetDefaultPolicyVersion: which of a customer managed policy's versions IAM enforces. */
  setDefaultPolicyVersion(accountId: string, policyArn: string, versionId: string): Outcome<void> {
    const acct = this.mustAccount(accountId);
    const found = this.customerPolicy(acct, policyArn);
    if (!found.ok) return found;
    const version = this.policyVersionsOf(acct, policyArn).find((v) => v.id === versionId);
    if (version === undefined) return fail('NoSuchEntity', `Policy ${policyArn} version ${versionId} does not exist or is not attachable.`);
    this.makeDefault(acct, policyArn, version);
    return ok(undefined);
  }

  private makeDefault(acct: AccountRec, policyArn: string, version: PolicyVersionRec): void {
    for (const other of acct.policyVersions.get(policyArn) ?? []) other.isDefault = other === version;
    acct.policies.set(policyArn, version.document);
  }

  /** A customer managed policy of this account (IAM refuses versions of AWS managed ones and of other accounts'). */
  private customerPolicy(acct: AccountRec, policyArn: string): Outcome<void> {
    const match = POLICY_ARN.exec(policyArn);
    if (!match) return fail('InvalidInput', `ARN ${policyArn} is not valid.`);
    if (match[1] !== acct.id || !this.customerPolicyExists(acct, policyArn)) return fail('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`);
    return ok(undefined);
  }

  // ---- groups ----

  listGroupsForUser(accountId: string, userName: string, request: PageRequest): Outcome<Page<GroupView>> {
    const acct = this.mustAccount(accountId);
    const user = this.findUser(acct, userName);
    if (!user.ok) return user;
    const groups = user.value.groups.flatMap((g) => {
      const group = acct.groups.get(g.toLowerCase());
      return group ? [group] : [];
    });
    return sortedPage(groups, (g) => g.name.toLowerCase(), request);
  }

  addUserToGroup(accountId: string, userName: string, groupName: string): Outcome<void> {
    const acct = this.mustAccount(accountId);
    const group = acct.groups.get(groupName.toLowerCase());
    if (!group) return fail('NoSuchEntity', `The group with name ${groupName} cannot be found.`);
    const user = this.findUser(acct, userName);
    if (!user.ok) return user;
    if (!user.value.groups.some((g) => g.toLowerCase() === group.name.toLowerCase())) user.value.groups.push(group.name);
    return ok(undefined);
  }

  removeUserFromGroup(accountId: string, userName: string, groupName: string): Outcome<void> {
    const acct = this.mustAccount(accountId);
    const group = acct.groups.get(groupName.toLowerCase());
    if (!group) return fail('NoSuchEntity', `The group with name ${groupName} cannot be found.`);
    const user = this.findUser(acct, userName);
    if (!user.ok) return user;
    const index = user.value.groups.findIndex((g) => g.toLowerCase() === group.name.toLowerCase());
    if (index < 0) return fail('NoSuchEntity', `The user with name ${user.value.userName} is not a member of group ${group.name}.`);
    user.value.groups.splice(index, 1);
    return ok(undefined);
  }

  // ---- account-wide reads ----

  getAccountAuthorizationDetails(accountId: string, filters: ReadonlySet<GaadFilter>, request: PageRequest): Outcome<Page<GaadEntry>> {
    const acct = this.mustAccount(accountId);
    const all = filters.size === 0;
    const entries: GaadEntry[] = [];
    if (all || filters.has('User')) for (const user of this.sortedUsers(acct)) entries.push({ kind: 'user', user });
    if (all || filters.has('Group')) {
      for (const group of [...acct.groups.values()].sort(byKey((g: GroupRec) => g.name.toLowerCase()))) entries.push({ kind: 'group', group });
    }
    const local = all || filters.has('LocalManagedPolicy');
    const aws = all || filters.has('AWSManagedPolicy');
    if (local || aws) {
      for (const policy of this.managedPolicies(acct)) {
        if (policy.awsManaged ? aws : local) entries.push({ kind: 'policy', policy });
      }
    }
    return paginate(entries, gaadKey, request);
  }

  /** GetAccountPasswordPolicy: NoSuchEntity when none is set, as IAM answers. */
  passwordPolicy(accountId: string): Outcome<PasswordPolicyRec> {
    const policy = this.mustAccount(accountId).passwordPolicy;
    return policy === null ? fail('NoSuchEntity', `The Password Policy with domain name ${accountId} cannot be found.`) : ok(policy);
  }

  /** UpdateAccountPasswordPolicy: replaces the whole policy (fields left out take IAM's defaults). */
  setPasswordPolicy(accountId: string, policy: PasswordPolicyRec): void {
    this.mustAccount(accountId).passwordPolicy = policy;
  }

  generateCredentialReport(accountId: string): CredentialReportState {
    const acct = this.mustAccount(accountId);
    const report = acct.report;
    const now = this.clock();
    if (report.kind === 'none' || (report.kind === 'complete' && now.getTime() - report.generatedAt.getTime() > REPORT_TTL_MS)) {
      acct.report = { kind: 'generating', startedAt: now, callsLeft: this.reportDelay.calls };
      return 'STARTED';
    }
    if (report.kind === 'complete') return 'COMPLETE';
    return this.progressReport(acct) ? 'COMPLETE' : 'INPROGRESS';
  }

  getCredentialReport(accountId: string): Outcome<CredentialReport> {
    const acct = this.mustAccount(accountId);
    if (acct.report.kind === 'none') {
      return fail('ReportNotPresent', 'Credential report not present. To generate a credential report, use GenerateCredentialReport.');
    }
    if (acct.report.kind === 'generating' && !this.progressReport(acct)) {
      return fail('ReportInProgress', 'Credential report is still being generated.');
    }
    const report = acct.report;
    if (report.kind !== 'complete') return fail('ReportInProgress', 'Credential report is still being generated.');
    if (this.clock().getTime() - report.generatedAt.getTime() > REPORT_TTL_MS) {
      return fail('ReportExpired', 'Credential report has expired. To generate a new credential report, use GenerateCredentialReport.');
    }
    return ok({ content: report.csv, generatedAt: report.generatedAt });
  }

  // ---- internals ----

  /** One step of report generation; true when the report is (now) complete. */
  private progressReport(acct: AccountRec): boolean {
    const report = acct.report;
    if (report.kind !== 'generating') return report.kind === 'complete';
    const now = this.clock();
    if (report.callsLeft > 0 || now.getTime() - report.startedAt.getTime() < this.reportDelay.ms) {
      report.callsLeft = Math.max(0, report.callsLeft - 1);
      return false;
    }
    acct.report = { kind: 'complete', generatedAt: now, csv: this.buildReport(acct) };
    return true;
  }

  private buildReport(acct: AccountRec): string {
    const users: ReportUser[] = this.sortedUsers(acct).map((u) => ({
      userName: u.userName,
      arn: u.arn,
      createdAt: u.createdAt,
      password: u.loginProfile ? { lastUsed: u.loginProfile.passwordLastUsed, lastChanged: u.loginProfile.createdAt } : null,
      mfaActive: u.mfaSerials.length > 0,
      accessKeys: u.accessKeys.map((k) => ({
        active: k.status === 'Active',
        createdAt: k.createdAt,
        lastUsedAt: k.lastUsedAt,
        lastUsedRegion: k.lastUsedRegion,
        lastUsedService: k.lastUsedService,
      })),
      certificates: u.signingCertificates.map((c) => ({ active: c.status === 'Active', uploadedAt: c.uploadedAt })),
    }));
    return buildCredentialReportCsv(
      { accountId: acct.id, createdAt: acct.createdAt, passwordLastUsed: acct.root.passwordLastUsed, mfaActive: acct.root.mfaActive, accessKeys: acct.root.accessKeys },
      users,
    );
  }

  /** A customer managed policy exists when seeded, or when something in the seed attaches it. */
  private customerPolicyExists(acct: AccountRec, arn: string): boolean {
    if (acct.policies.has(arn)) return true;
    for (const u of acct.users.values()) if (u.attachedPolicies.includes(arn)) return true;
    for (const g of acct.groups.values()) if (g.attachedPolicies.includes(arn)) return true;
    return false;
  }

  /** A managed policy's versions: those CreatePolicyVersion added, or the one it was seeded (or defaulted) with. */
  private policyVersionsOf(acct: AccountRec, arn: string): PolicyVersionRec[] {
    const added = acct.policyVersions.get(arn);
    if (added !== undefined) return added;
    const { name, awsManaged } = policyParts(arn);
    const document = acct.policies.get(arn) ?? (awsManaged ? AWS_MANAGED_DOCUMENTS[name] : undefined) ?? placeholderPolicy(name);
    return [{ id: 'v1', document, createdAt: awsManaged ? new Date('2015-02-06T18:39:46Z') : acct.createdAt, isDefault: true }];
  }

  private managedPolicies(acct: AccountRec): ManagedPolicyView[] {
    const counts = new Map<string, number>();
    // Seeded customer policies are listed even unattached, as IAM lists every customer managed policy.
    for (const arn of acct.policies.keys()) counts.set(arn, 0);
    const count = (arn: string) => counts.set(arn, (counts.get(arn) ?? 0) + 1);
    for (const u of acct.users.values()) u.attachedPolicies.forEach(count);
    for (const g of acct.groups.values()) g.attachedPolicies.forEach(count);
    return [...counts]
      .map(([arn, attachmentCount]) => {
        const { name, path, awsManaged } = policyParts(arn);
        const createdAt = awsManaged ? new Date('2015-02-06T18:39:46Z') : acct.createdAt;
        const versions = this.policyVersionsOf(acct, arn);
        const current = versions.find((v) => v.isDefault) as PolicyVersionView;
        return { arn, name, path, policyId: stableId('policy', arn), attachmentCount, awsManaged, createdAt, document: current.document, defaultVersionId: current.id, versions };
      })
      .sort(byKey((p) => p.arn));
  }

  private sortedUsers(acct: AccountRec): UserRec[] {
    acct.sortedUsers ??= [...acct.users.values()].sort(byKey(userKey));
    return acct.sortedUsers;
  }

  private mustAccount(id: string): AccountRec {
    const acct = this.accounts.get(id);
    if (!acct) throw new Error(`unknown sandbox account ${id}`);
    return acct;
  }

  private findUser(acct: AccountRec, userName: string): Outcome<UserRec> {
    const user = acct.users.get(userName.toLowerCase());
    return user ? ok(user) : fail('NoSuchEntity', `The user with name ${userName} cannot be found.`);
  }

  private findCredential<T extends { readonly id: string }>(
    accountId: string,
    userName: string | undefined,
    id: string,
    list: (u: UserRec) => T[],
    notFound: string,
  ): Outcome<{ readonly user: UserRec; readonly item: T }> {
    if (userName === undefined) return fail('NoSuchEntity', notFound);
    const user = this.findUser(this.mustAccount(accountId), userName);
    if (!user.ok) return user;
    const item = list(user.value).find((c) => c.id === id);
    return item ? ok({ user: user.value, item }) : fail('NoSuchEntity', notFound);
  }

  private insertAccount(account: NormalizedAccount): void {
    const now = this.clock();
    const acct: AccountRec = {
      id: account.id,
      name: account.name,
      createdAt: account.createdAt ?? now,
      root: {
        mfaActive: account.root.mfaActive,
        passwordLastUsed: account.root.passwordLastUsed,
        accessKeys: account.root.accessKeys.map((k) => ({
          active: k.active,
          createdAt: k.createdAt ?? account.createdAt ?? now,
          lastUsedAt: k.lastUsedAt,
          lastUsedRegion: undefined,
          lastUsedService: undefined,
        })),
      },
      passwordPolicy:
        account.passwordPolicy === null
          ? null
          : { ...account.passwordPolicy, reusePrevention: account.passwordPolicy.reusePrevention, maxAgeDays: account.passwordPolicy.maxAgeDays },
      users: new Map(),
      groups: new Map(),
      mfa: new Map(),
      policies: new Map(account.policies.map((p) => [p.arn, p.document])),
      policyVersions: new Map(),
      report: { kind: 'none' },
      sortedUsers: undefined,
    };
    this.accounts.set(acct.id, acct);
    for (const keyId of account.accessKeyIds) {
      if (this.accountKeys.has(keyId) || this.accessKeyIndex.has(keyId)) throw new Error(`access key id ${keyId} is used twice`);
      this.accountKeys.set(keyId, acct.id);
    }
    for (const group of account.groups) this.insertGroup(acct, group);
    for (const user of account.users) this.insertUser(acct, user);
    for (const role of account.roles) this.roles.insert(acct.id, role, acct.createdAt);
  }

  private insertGroup(acct: AccountRec, group: NormalizedGroup): GroupRec {
    const rec: GroupRec = {
      name: group.name,
      groupId: stableId('group', acct.id, group.name),
      arn: `arn:aws:iam::${acct.id}:group${group.path}${group.name}`,
      path: group.path,
      createdAt: group.createdAt ?? acct.createdAt,
      attachedPolicies: [...new Set(group.attachedPolicies)],
      inlinePolicies: new Map(Object.entries(group.inlinePolicies)),
    };
    acct.groups.set(group.name.toLowerCase(), rec);
    return rec;
  }

  private insertUser(acct: AccountRec, u: NormalizedUser): void {
    const createdAt = u.createdAt ?? this.clock();
    const key = u.userName.toLowerCase();
    const idParts = [acct.id, u.userName];
    if (createdAt < acct.createdAt) acct.createdAt = createdAt;
    const rec: UserRec = {
      userName: u.userName,
      userId: u.userId ?? stableId('user', ...idParts),
      arn: `arn:aws:iam::${acct.id}:user${u.path}${u.userName}`,
      path: u.path,
      createdAt,
      tags: new Map(Object.entries(u.tags)),
      groups: [],
      attachedPolicies: [...new Set(u.attachedPolicies)],
      inlinePolicies: new Map(Object.entries(u.inlinePolicies)),
      loginProfile: u.loginProfile
        ? { createdAt: u.loginProfile.createdAt ?? createdAt, passwordLastUsed: u.loginProfile.passwordLastUsed, passwordResetRequired: u.loginProfile.passwordResetRequired }
        : null,
      accessKeys: u.accessKeys.map((k, i) => ({
        id: k.id ?? stableId('accessKey', ...idParts, 'access-key', String(i)),
        status: k.status,
        createdAt: k.createdAt ?? createdAt,
        lastUsedAt: k.lastUsedAt,
        lastUsedService: k.lastUsedService,
        lastUsedRegion: k.lastUsedRegion,
      })),
      sshPublicKeys: u.sshPublicKeys.map((k, i) => ({
        id: k.id ?? stableId('sshKey', ...idParts, 'ssh-key', String(i)),
        body: k.body ?? syntheticEd25519Line(`${u.userName}@sandbox`, ...idParts, String(i)),
        status: k.status,
        uploadedAt: k.uploadedAt ?? createdAt,
      })),
      mfaSerials: [],
      signingCertificates: u.signingCertificates.map((c, i) => {
        const id = c.id ?? stableId('signingCertificate', ...idParts, 'cert', String(i));
        return { id, status: c.status, uploadedAt: c.uploadedAt ?? createdAt, body: placeholderCertificate(id) };
      }),
      serviceCredentials: u.serviceSpecificCredentials.map((c, i) => ({
        id: c.id ?? stableId('serviceCredential', ...idParts, 'service-credential', String(i)),
        serviceName: c.serviceName,
        serviceUserName: `${u.userName}-at-${acct.id}${i > 0 ? `-${i}` : ''}`,
        status: c.status,
        createdAt: c.createdAt ?? createdAt,
      })),
    };
    for (const k of rec.accessKeys) {
      if (this.accessKeyIndex.has(k.id) || this.accountKeys.has(k.id)) throw new Error(`access key id ${k.id} is used twice`);
    }
    for (const groupName of u.groups) {
      const group = acct.groups.get(groupName.toLowerCase()) ?? this.insertGroup(acct, { name: groupName, path: '/', attachedPolicies: [], inlinePolicies: {} });
      if (!rec.groups.includes(group.name)) rec.groups.push(group.name);
    }
    u.mfaDevices.forEach((d, i) => {
      const serialNumber =
        d.serialNumber ??
        (d.virtual
          ? `arn:aws:iam::${acct.id}:mfa/${u.userName}${i > 0 ? `-${i + 1}` : ''}`
          : `GAHT${stableBytes(4, ...idParts, 'mfa', String(i)).readUInt32BE().toString().padStart(10, '0').slice(-8)}`);
      if (acct.mfa.has(serialNumber)) throw new Error(`MFA device ${serialNumber} is used twice in ${acct.id}`);
      acct.mfa.set(serialNumber, { serialNumber, virtual: d.virtual, createdAt, userKey: key, enabledAt: d.enabledAt ?? createdAt });
      rec.mfaSerials.push(serialNumber);
    });
    for (const k of rec.accessKeys) this.accessKeyIndex.set(k.id, { account: acct.id, userKey: key });
    acct.users.set(key, rec);
    acct.sortedUsers = undefined;
  }
}

const userKey = (u: { readonly userName: string }) => u.userName.toLowerCase();

function gaadKey(entry: GaadEntry): string {
  switch (entry.kind) {
    case 'user':
      return `1:${entry.user.userName.toLowerCase()}`;
    case 'group':
      return `2:${entry.group.name.toLowerCase()}`;
    case 'policy':
      return `4:${entry.policy.arn}`;
    default: {
      const never: never = entry;
      return never;
    }
  }
}

function policyParts(arn: string): { readonly name: string; readonly path: string; readonly awsManaged: boolean } {
  const match = POLICY_ARN.exec(arn);
  return { name: match?.[3] ?? arn, path: `/${match?.[2] ?? ''}`, awsManaged: match?.[1] === 'aws' };
}

function placeholderPolicy(name: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `Sandbox${name.replace(/[^A-Za-z0-9]/g, '')}`, Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }] });
}

function placeholderCertificate(id: string): string {
  const body = stableBytes(96, 'certificate', id).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
}

/** Why IAM would reject the document, or undefined when it would accept it. */
function remove<T>(list: T[], item: T): boolean {
  const index = list.indexOf(item);
  if (index < 0) return false;
  list.splice(index, 1);
  return true;
}

/** Whether a role's trust policy lets this `ExternalId` in: where some statement requires one (`StringEquals sts:ExternalId`), only that one. */
function externalIdAccepted(trustPolicy: string, externalId: string | undefined): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(trustPolicy);
  } catch {
    return true;
  }
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as { Condition?: { StringEquals?: Record<string, unknown> } }[];
  const required = statements.flatMap((st) => {
    const value = st?.Condition?.StringEquals?.['sts:ExternalId'];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  });
  return required.length === 0 || (externalId !== undefined && required.includes(externalId));
}
