import type { AttachedPolicy as SdkAttachedPolicy, GroupDetail, IAMClient, Tag, UserDetail } from '@aws-sdk/client-iam';
import { DETAIL_PATHS } from '../../../domain/inventory';
import type {
  AccountInventory,
  AttachedPolicy,
  DetailPath,
  UnreadPath,
  CredentialReportRow,
  CredentialStatus,
  IamGroup,
  IamUser,
  IamUserDetail,
  SshPublicKey,
} from '../../../domain/inventory';
import { assertNever } from '../../../domain/plan';
import type { Action, ActionOf } from '../../../domain/plan';
import { denyAllInlineNames, isDenyAllDocument } from '../../../domain/policy-documents';
import type { AccessPolicy } from '../../../domain/policy';
import { systemClock } from '../../../ports';
import { iamSdk } from '../sdk';
import type { AccountDirectory, ActionOutcome, Clock } from '../../../ports';
import { jitteredBackoff, Semaphore, sleep as realSleep } from '../../../lib/concurrency';
import { parseCredentialReport } from './credential-report';
import {
  describeAwsError,
  IamAccountMismatchError,
  IamAccountUnknownError,
  IamCallError,
  IamDescribeError,
  IamInventoryError,
  THROTTLING_CODES,
} from './errors';

/** Where the adapter reports what it tolerated (a missing credential report, a retried conflict). */
export interface IamDirectoryLog {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  debug?(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Knobs with safe defaults; tests shrink the waits. */
export interface IamDirectoryTuning {
  /** IAM calls in flight at once while describing users. */
  readonly describeConcurrency: number;
  /** Attempts (including the first) on ConcurrentModification / EntityTemporarilyUnmodifiable, on top of the SDK's retries. */
  readonly conflictAttempts: number;
  readonly conflictBaseMs: number;
  readonly conflictCapMs: number;
  /** Total time spent waiting for the credential report before going on without it. */
  readonly reportBudgetMs: number;
  readonly reportBaseMs: number;
  readonly reportCapMs: number;
}

export const DEFAULT_IAM_TUNING: IamDirectoryTuning = {
  describeConcurrency: 4,
  conflictAttempts: 5,
  conflictBaseMs: 200,
  conflictCapMs: 5_000,
  reportBudgetMs: 60_000,
  reportBaseMs: 500,
  reportCapMs: 8_000,
};

export interface IamAccountDirectoryOptions {
  /** One client per account, built by the composition root (see createIamClient). */
  readonly client: IAMClient;
  /** The 12-digit account id; when absent it is derived from the ARNs the first inventory returns. */
  readonly account?: string;
  /** `identity` is accepted so the whole access policy can be passed; reads return every tag, so it is not needed here. */
  readonly policy: { readonly denyAllPolicyName: string; readonly identity?: AccessPolicy['identity'] };
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: IamDirectoryLog;
  readonly tuning?: Partial<IamDirectoryTuning>;
}

type IamAction = Exclude<Action, { kind: 'remove-host-key' | 'lock-host-user' }>;

const PAGE_SIZE = 1000;
const CONFLICT_CODES: ReadonlySet<string> = new Set(['ConcurrentModification', 'EntityTemporarilyUnmodifiable']);
const ACCOUNT_ID = /^\d{12}$/;
const VIRTUAL_MFA_SERIAL = /^arn:[\w-]+:iam::\d{12}:mfa\//;
const NO_LOG: IamDirectoryLog = { warn: () => undefined };

/** Virtual MFA devices have ARN serials under `:mfa/`; hardware tokens have plain serials and FIDO keys `:u2f/` ARNs. */
export const isVirtualMfaSerial = (serial: string): boolean => VIRTUAL_MFA_SERIAL.test(serial);

/** The account id inside an IAM ARN (`arn:aws:iam::123456789012:user/alice`), if it has one. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const id = arn?.split(':')[4];
  return id !== undefined && ACCOUNT_ID.test(id) ? id : undefined;
}

const isCode = (err: unknown, code: string): boolean => err instanceof IamCallError && err.code === code;
const isNoSuchEntity = (err: unknown): boolean => isCode(err, 'NoSuchEntity');

const marker = (m: string | undefined): { Marker?: string } => (m !== undefined ? { Marker: m } : {});

const toStatus = (status: string | undefined): CredentialStatus => (status === 'Active' ? 'Active' : 'Inactive');

const toPolicies = (list: readonly SdkAttachedPolicy[] | undefined): AttachedPolicy[] =>
  (list ?? []).map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));

const toTags = (tags: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

const decodePolicyDocument = (doc: string): string => {
  try {
    return JSON.stringify(JSON.parse(decodeURIComponent(doc)));
  } catch {
    return doc;
  }
};

/** Inline policy documents by name, as IAM returned them (URL-encoded JSON, decoded when it parses). */
const inlineDocuments = (list: readonly { PolicyName?: string | undefined; PolicyDocument?: string | undefined }[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).flatMap((p) => (p.PolicyName !== undefined && p.PolicyDocument !== undefined ? [[p.PolicyName, decodePolicyDocument(p.PolicyDocument)]] : [])));

interface Page {
  readonly IsTruncated?: boolean | undefined;
  readonly Marker?: string | undefined;
}

interface CredentialReport {
  readonly at: Date;
  readonly rows: ReadonlyMap<string, CredentialReportRow>;
}

interface SimpleCredential {
  readonly id: string;
  readonly status: CredentialStatus;
}

/** One AWS account's IAM over the AWS SDK: bulk reads for inventory, per-key writes for actions, failures as values. */
export class IamAccountDirectory implements AccountDirectory {
  private readonly client: IAMClient;
  private readonly denyAllPolicyName: string;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: IamDirectoryLog;
  private readonly tuning: IamDirectoryTuning;
  private readonly configuredAccount: string | undefined;
  private derivedAccount: string | undefined;

  constructor(opts: IamAccountDirectoryOptions) {
    if (opts.account !== undefined && !ACCOUNT_ID.test(opts.account)) {
      throw new RangeError(`IAM account id must be 12 digits, got "${opts.account}"`);
    }
    this.client = opts.client;
    this.denyAllPolicyName = opts.policy.denyAllPolicyName;
    this.clock = opts.clock ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
    this.log = opts.log ?? NO_LOG;
    this.tuning = { ...DEFAULT_IAM_TUNING, ...opts.tuning };
    this.configuredAccount = opts.account;
  }

  /** The account id; throws until it is known (given, or derived by the first inventory). */
  get account(): string {
    const account = this.configuredAccount ?? this.derivedAccount;
    if (account === undefined) {
      throw new IamAccountUnknownError('IAM account id is unknown: pass `account` or run inventory() first so it can be read from the ARNs');
    }
    return account;
  }

  private get accountLabel(): string {
    return this.configuredAccount ?? this.derivedAccount ?? 'the account of the current credentials';
  }

  // ---------------------------------------------------------------- inventory

  async inventory(): Promise<AccountInventory> {
    // The three reads are independent; the report poll is told to stop if the account cannot be read at all.
    const stop = { requested: false };
    const reportRead = this.readCredentialReport(stop);
    const mfaRead = this.readAssignedVirtualMfaUsers();
    let details: { users: UserDetail[]; groups: GroupDetail[]; managedPolicyDocuments: Record<string, unknown> };
    try {
      details = await this.readAuthorizationDetails();
    } catch (err) {
      stop.requested = true;
      await Promise.allSettled([reportRead, mfaRead]);
      throw err;
    }
    const [virtualMfaUsers, report] = await Promise.all([mfaRead, reportRead]);
    const account = this.resolveAccount(details.users, details.groups);
    const users = details.users.map((u) => this.toUser(account, u, report, virtualMfaUsers));
    const groups = details.groups.map(
      (g): IamGroup => ({
        name: g.GroupName ?? '',
        attachedPolicies: toPolicies(g.AttachedManagedPolicies),
        inlinePolicies: (g.GroupPolicyList ?? []).map((p) => p.PolicyName ?? ''),
        inlinePolicyDocuments: inlineDocuments(g.GroupPolicyList),
      }),
    );
    return { account, users, groups, credentialReportAt: report?.at ?? null, managedPolicyDocuments: details.managedPolicyDocuments };
  }

  private async readAuthorizationDetails(): Promise<{ users: UserDetail[]; groups: GroupDetail[]; managedPolicyDocuments: Record<string, unknown> }> {
    const users: UserDetail[] = [];
    const groups: GroupDetail[] = [];
    // Managed policies' default versions: what they allow or deny decides, never their names (admin rights, Warden's
    // deny-all, restrictions cleanup must keep). AWS managed policies come only when attached to something.
    const managedPolicyDocuments: Record<string, unknown> = {};
    const api = 'GetAccountAuthorizationDetails';
    try {
      await this.eachPage(
        api,
        (m) =>
          this.client.send(
            new (iamSdk().GetAccountAuthorizationDetailsCommand)({ Filter: ['User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'], MaxItems: PAGE_SIZE, ...marker(m) }),
          ),
        (page) => {
          users.push(...(page.UserDetailList ?? []));
          groups.push(...(page.GroupDetailList ?? []));
          for (const policy of page.Policies ?? []) {
            const version = (policy.PolicyVersionList ?? []).find((v) => v.IsDefaultVersion === true);
            if (policy.Arn !== undefined && version?.Document !== undefined) managedPolicyDocuments[policy.Arn] = decodePolicyDocument(version.Document);
          }
        },
      );
    } catch (err) {
      throw new IamInventoryError(this.accountLabel, api, err);
    }
    return { users, groups, managedPolicyDocuments };
  }

  /** Users holding an assigned virtual MFA device: fresher than the credential report, which may be hours old. */
  private async readAssignedVirtualMfaUsers(): Promise<ReadonlySet<string> | null> {
    const users = new Set<string>();
    try {
      await this.eachPage(
        'ListVirtualMFADevices',
        (m) => this.client.send(new (iamSdk().ListVirtualMFADevicesCommand)({ AssignmentStatus: 'Assigned', MaxItems: PAGE_SIZE, ...marker(m) })),
        (page) => {
          for (const device of page.VirtualMFADevices ?? []) if (device.User?.UserName !== undefined) users.add(device.User.UserName);
        },
      );
      return users;
    } catch (err) {
      this.log.warn('virtual MFA devices could not be listed; MFA status comes from the credential report alone', {
        account: this.accountLabel,
        error: describeAwsError(err).text,
      });
      return null;
    }
  }

  /** Generates and fetches the credential report; any trouble yields null so offboarding never waits on it. */
  private async readCredentialReport(stop: { readonly requested: boolean }): Promise<CredentialReport | null> {
    const { reportBudgetMs, reportBaseMs, reportCapMs } = this.tuning;
    const started = this.clock.now().getTime();
    let waited = 0;
    let attempt = 0;
    let mustGenerate = true;
    const giveUp = (why: string): null => {
      this.log.warn('credential report unavailable; hygiene findings will be skipped', { account: this.accountLabel, why });
      return null;
    };
    // Both the sum of planned waits and the clock bound the loop, so a fake sleep or a slow network cannot stretch it.
    const backOff = async (): Promise<boolean> => {
      if (stop.requested) return false;
      const delay = Math.min(reportCapMs, reportBaseMs * 2 ** attempt);
      attempt += 1;
      if (waited + delay > reportBudgetMs || this.clock.now().getTime() - started + delay > reportBudgetMs) return false;
      waited += delay;
      await this.sleep(delay);
      return true;
    };
    for (;;) {
      let why: string;
      try {
        if (mustGenerate) {
          const generated = await this.call('GenerateCredentialReport', () => this.client.send(new (iamSdk().GenerateCredentialReportCommand)({})));
          mustGenerate = false;
          if (generated.State !== 'COMPLETE') {
            if (await backOff()) continue;
            return giveUp(`report still ${generated.State ?? 'in progress'} after ${waited} ms`);
          }
        }
        const got = await this.call('GetCredentialReport', () => this.client.send(new (iamSdk().GetCredentialReportCommand)({})));
        if (got.ReportFormat !== undefined && got.ReportFormat !== 'text/csv') return giveUp(`unexpected report format ${got.ReportFormat}`);
        const rows = parseCredentialReport(Buffer.from(got.Content ?? new Uint8Array()).toString('utf8'));
        return { at: got.GeneratedTime ?? this.clock.now(), rows };
      } catch (err) {
        if (!(err instanceof IamCallError)) return giveUp(err instanceof Error ? err.message : String(err));
        why = `${err.api}: ${describeAwsError(err).text}`;
        if (err.code === 'ReportNotPresent' || err.code === 'ReportExpired') mustGenerate = true;
        else if (err.code !== 'ReportInProgress' && !THROTTLING_CODES.has(err.code) && !err.retryable) return giveUp(why);
      }
      if (!(await backOff())) return giveUp(`${why} (gave up after ${waited} ms)`);
    }
  }

  private resolveAccount(users: readonly UserDetail[], groups: readonly GroupDetail[]): string {
    const seen = [...users.map((u) => u.Arn), ...groups.map((g) => g.Arn)].map(accountOfArn).find((a) => a !== undefined);
    if (this.configuredAccount !== undefined) {
      if (seen !== undefined && seen !== this.configuredAccount) throw new IamAccountMismatchError(this.configuredAccount, seen);
      return this.configuredAccount;
    }
    if (seen === undefined) {
      throw new IamAccountUnknownError('IAM account id is unknown: it was not configured and the account has no user or group ARN to read it from');
    }
    this.derivedAccount = seen;
    return seen;
  }

  private toUser(
    account: string,
    u: UserDetail,
    report: CredentialReport | null,
    virtualMfaUsers: ReadonlySet<string> | null,
  ): IamUser {
    if (u.UserName === undefined || u.Arn === undefined) {
      throw new IamInventoryError(account, 'GetAccountAuthorizationDetails', new Error('a user came back without UserName or Arn'));
    }
    let credentials = report?.rows.get(u.UserName);
    if (credentials !== undefined && !credentials.mfaActive && virtualMfaUsers?.has(u.UserName) === true) {
      credentials = { ...credentials, mfaActive: true };
    }
    const passwordLastUsed = credentials?.passwordLastUsed;
    return {
      account,
      userName: u.UserName,
      userId: u.UserId ?? '',
      arn: u.Arn,
      path: u.Path ?? '/',
      createdAt: u.CreateDate ?? new Date(0),
      ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
      tags: toTags(u.Tags),
      groups: [...(u.GroupList ?? [])],
      attachedPolicies: toPolicies(u.AttachedManagedPolicies),
      inlinePolicies: (u.UserPolicyList ?? []).map((p) => p.PolicyName ?? ''),
      inlinePolicyDocuments: inlineDocuments(u.UserPolicyList),
      ...(credentials !== undefined ? { credentials } : {}),
    };
  }

  // ---------------------------------------------------------------- describeUsers

  async describeUsers(userNames: readonly string[]): Promise<ReadonlyMap<string, IamUserDetail>> {
    const gate = new Semaphore(this.tuning.describeConcurrency);
    const unique = [...new Set(userNames)];
    // allSettled: a failure surfaces only once every read has stopped, so nothing keeps calling IAM behind the caller's back.
    const settled = await Promise.allSettled(unique.map((name) => this.readUserDetail(name, gate)));
    const result = new Map<string, IamUserDetail>();
    settled.forEach((outcome, i) => {
      const name = unique[i] ?? '';
      if (outcome.status === 'rejected') {
        const err: unknown = outcome.reason;
        throw err instanceof IamCallError ? new IamDescribeError(this.accountLabel, name, err.api, err) : err;
      }
      if (outcome.value !== undefined) result.set(name, outcome.value);
    });
    return result;
  }

  /**
   * Live state of one user, or undefined when the user does not exist (or vanished while being read). A list that
   * cannot be read (AccessDenied from an SCP, an API the endpoint lacks, retries exhausted) is recorded in `unread`
   * and left empty: one such path never hides what the other paths show, nor stops the run.
   */
  private async readUserDetail(UserName: string, gate: Semaphore, sshBodies = true): Promise<IamUserDetail | undefined> {
    const unread: UnreadPath[] = [];
    const read = async <T>(path: DetailPath, empty: T, task: () => Promise<T>): Promise<T> => {
      try {
        return await task();
      } catch (err) {
        if (!(err instanceof IamCallError) || isNoSuchEntity(err)) throw err;
        this.log.warn('IAM user path could not be read', { account: this.accountLabel, userName: UserName, path, api: err.api, error: describeAwsError(err).text });
        unread.push({ path, api: err.api, error: describeAwsError(err).text });
        return empty;
      }
    };
    const limited = <T>(task: () => Promise<T>): Promise<T> => gate.run(task);
    let accessKeys;
    try {
      // The first call doubles as the existence check.
      accessKeys = await read('access-keys', [], () => limited(() => this.listAccessKeys(UserName)));
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined;
      throw err;
    }
    try {
      const [loginProfile, sshPublicKeys, mfaDevices, signingCertificates, serviceSpecificCredentials, groups, attachedPolicies, inlinePolicies] =
        await Promise.all([
          read('login-profile', null, () => limited(() => this.readLoginProfile(UserName))),
          read('ssh-public-keys', [] as (SshPublicKey | undefined)[], () =>
            limited(() => this.listSshKeys(UserName)).then((keys) =>
              sshBodies ? Promise.all(keys.map((k) => limited(() => this.withSshBody(UserName, k)))) : keys,
            ),
          ),
          read('mfa-devices', [], () =>
            limited(() =>
              this.collect(
                'ListMFADevices',
                (m) => this.client.send(new (iamSdk().ListMFADevicesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
                (p) => p.MFADevices,
              ),
            ).then((list) => list.map((d) => ({ serialNumber: d.SerialNumber ?? '', virtual: isVirtualMfaSerial(d.SerialNumber ?? '') }))),
          ),
          read('signing-certificates', [], () => limited(() => this.listSigningCertificates(UserName))),
          read('service-credentials', [], () => limited(() => this.listServiceCredentials(UserName))),
          read('groups', [], () =>
            limited(() =>
              this.collect(
                'ListGroupsForUser',
                (m) => this.client.send(new (iamSdk().ListGroupsForUserCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
                (p) => p.Groups,
              ),
            ).then((list) => list.map((g) => g.GroupName ?? '')),
          ),
          read('attached-policies', [] as AttachedPolicy[], () => limited(() => this.listAttachedPolicies(UserName))),
          read('inline-policies', { names: [] as string[], documents: {} as Record<string, string> }, () =>
            limited(() => this.listInlinePolicies(UserName)).then(async (names) => {
              // Documents, not names, say whether a policy is a deny-all: read each (users being changed have few).
              const documents: Record<string, string> = {};
              await Promise.all(names.map((name) => limited(() => this.readUserPolicy(UserName, name)).then((d) => d !== undefined && (documents[name] = d))));
              return { names: names.filter((n) => documents[n] !== undefined), documents };
            }),
          ),
        ]);
      unread.sort((a, b) => DETAIL_PATHS[a.path].order - DETAIL_PATHS[b.path].order);
      return {
        accessKeys,
        loginProfile,
        sshPublicKeys: sshPublicKeys.filter((k): k is SshPublicKey => k !== undefined),
        mfaDevices,
        signingCertificates,
        serviceSpecificCredentials,
        groups,
        attachedPolicies,
        inlinePolicies: inlinePolicies.names,
        inlinePolicyDocuments: inlinePolicies.documents,
        ...(unread.length > 0 ? { unread } : {}),
      };
    } catch (err) {
      // Deleted while being read: as absent as if it had never been there.
      if (isNoSuchEntity(err)) return undefined;
      throw err;
    }
  }

  private async listAccessKeys(UserName: string): Promise<IamUserDetail['accessKeys']> {
    const keys = await this.collect(
      'ListAccessKeys',
      (m) => this.client.send(new (iamSdk().ListAccessKeysCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
      (p) => p.AccessKeyMetadata,
    );
    return keys.map((k) => ({ id: k.AccessKeyId ?? '', status: toStatus(k.Status), createdAt: k.CreateDate ?? new Date(0) }));
  }

  private async readLoginProfile(UserName: string): Promise<IamUserDetail['loginProfile']> {
    try {
      const got = await this.call('GetLoginProfile', () => this.client.send(new (iamSdk().GetLoginProfileCommand)({ UserName })));
      const createdAt = got.LoginProfile?.CreateDate;
      return createdAt !== undefined ? { createdAt } : {};
    } catch (err) {
      if (isNoSuchEntity(err)) return null;
      throw err;
    }
  }

  private async listSshKeys(UserName: string): Promise<SshPublicKey[]> {
    const keys = await this.collect(
      'ListSSHPublicKeys',
      (m) => this.client.send(new (iamSdk().ListSSHPublicKeysCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
      (p) => p.SSHPublicKeys,
    );
    return keys.map((k) => ({
      id: k.SSHPublicKeyId ?? '',
      status: toStatus(k.Status),
      ...(k.UploadDate !== undefined ? { uploadedAt: k.UploadDate } : {}),
    }));
  }

  /** Adds the OpenSSH body (to match keys found on hosts); undefined when the key was deleted meanwhile. */
  private async withSshBody(UserName: string, key: SshPublicKey): Promise<SshPublicKey | undefined> {
    try {
      const got = await this.call('GetSSHPublicKey', () =>
        this.client.send(new (iamSdk().GetSSHPublicKeyCommand)({ UserName, SSHPublicKeyId: key.id, Encoding: 'SSH' })),
      );
      const body = got.SSHPublicKey?.SSHPublicKeyBody;
      return body !== undefined ? { ...key, body: body.trim() } : key;
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined;
      throw err;
    }
  }

  private async listSigningCertificates(UserName: string): Promise<IamUserDetail['signingCertificates']> {
    const certs = await this.collect(
      'ListSigningCertificates',
      (m) => this.client.send(new (iamSdk().ListSigningCertificatesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
      (p) => p.Certificates,
    );
    return certs.map((c) => ({ id: c.CertificateId ?? '', status: toStatus(c.Status) }));
  }

  private async listServiceCredentials(UserName: string, ServiceName?: string): Promise<IamUserDetail['serviceSpecificCredentials']> {
    const creds = await this.collect(
      'ListServiceSpecificCredentials',
      (m) =>
        this.client.send(
          new (iamSdk().ListServiceSpecificCredentialsCommand)({ UserName, ...(ServiceName !== undefined ? { ServiceName } : {}), ...marker(m) }),
        ),
      (p) => p.ServiceSpecificCredentials,
    );
    return creds.map((c) => ({ id: c.ServiceSpecificCredentialId ?? '', serviceName: c.ServiceName ?? '', status: toStatus(c.Status) }));
  }

  /** An inline policy's document, decoded; undefined when it was deleted meanwhile. */
  private async readUserPolicy(UserName: string, PolicyName: string): Promise<string | undefined> {
    try {
      const got = await this.call('GetUserPolicy', () => this.client.send(new (iamSdk().GetUserPolicyCommand)({ UserName, PolicyName })));
      return decodePolicyDocument(got.PolicyDocument ?? '');
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined;
      throw err;
    }
  }

  private listInlinePolicies(UserName: string): Promise<string[]> {
    return this.collect(
      'ListUserPolicies',
      (m) => this.client.send(new (iamSdk().ListUserPoliciesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
      (p) => p.PolicyNames,
    );
  }

  // ---------------------------------------------------------------- execute

  async execute(action: Action): Promise<ActionOutcome> {
    if (action.kind === 'remove-host-key' || action.kind === 'lock-host-user') {
      return { result: 'skipped', note: `${action.kind} is applied on hosts through SSM, not in IAM` };
    }
    const account = this.configuredAccount ?? this.derivedAccount;
    if (account === undefined) {
      return { result: 'failed', error: 'AccountUnknown: run inventory() or configure the account id before changing IAM', retryable: false };
    }
    if (action.account !== account) {
      return { result: 'failed', error: `AccountMismatch: action is for account ${action.account}, this directory manages ${account}`, retryable: false };
    }
    try {
      return await this.apply(action);
    } catch (err) {
      if (!(err instanceof IamCallError)) throw err;
      const info = describeAwsError(err);
      this.log.warn('IAM action failed', { account, kind: action.kind, userName: action.userName, api: err.api, error: info.text });
      return { result: 'failed', error: `${info.text} (${err.api})`, retryable: info.retryable };
    }
  }

  private apply(action: IamAction): Promise<ActionOutcome> {
    const UserName = action.userName;
    switch (action.kind) {
      case 'deactivate-access-key':
        return this.deactivate(
          () => this.listAccessKeys(UserName),
          action.target.accessKeyId,
          () => this.call('UpdateAccessKey', () =>
            this.client.send(new (iamSdk().UpdateAccessKeyCommand)({ UserName, AccessKeyId: action.target.accessKeyId, Status: 'Inactive' })),
          ),
        );
      case 'deactivate-ssh-key':
        return this.deactivate(
          () => this.listSshKeys(UserName),
          action.target.sshPublicKeyId,
          () => this.call('UpdateSSHPublicKey', () =>
            this.client.send(new (iamSdk().UpdateSSHPublicKeyCommand)({ UserName, SSHPublicKeyId: action.target.sshPublicKeyId, Status: 'Inactive' })),
          ),
        );
      case 'deactivate-signing-certificate':
        return this.deactivate(
          () => this.listSigningCertificates(UserName),
          action.target.certificateId,
          () => this.call('UpdateSigningCertificate', () =>
            this.client.send(new (iamSdk().UpdateSigningCertificateCommand)({ UserName, CertificateId: action.target.certificateId, Status: 'Inactive' })),
          ),
        );
      case 'deactivate-service-credential':
        return this.deactivate(
          () => this.listServiceCredentials(UserName, action.target.serviceName),
          action.target.serviceSpecificCredentialId,
          () => this.call('UpdateServiceSpecificCredential', () =>
            this.client.send(
              new (iamSdk().UpdateServiceSpecificCredentialCommand)({
                UserName,
                ServiceSpecificCredentialId: action.target.serviceSpecificCredentialId,
                Status: 'Inactive',
              }),
            ),
          ),
        );
      case 'delete-login-profile':
        return this.removal({ loginProfile: true }, { loginProfile: false }, () =>
          this.call('DeleteLoginProfile', () => this.client.send(new (iamSdk().DeleteLoginProfileCommand)({ UserName }))),
        );
      case 'attach-deny-all':
        return this.attachDenyAll(action);
      case 'remove-from-group':
        return this.removal({ member: true }, { member: false }, () =>
          this.call('RemoveUserFromGroup', () =>
            this.client.send(new (iamSdk().RemoveUserFromGroupCommand)({ UserName, GroupName: action.target.groupName })),
          ),
        );
      case 'detach-user-policy':
        if (this.isOwnDenyAll(action.target.policyArn)) {
          // Removing the deny-all alone would hand a departed user their access back; delete-user removes it last.
          return Promise.resolve({ result: 'skipped', note: `${action.target.policyArn} is Warden's deny-all policy; only delete-user removes it` });
        }
        return this.removal({ attached: true }, { attached: false }, () =>
          this.call('DetachUserPolicy', () =>
            this.client.send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn: action.target.policyArn })),
          ),
        );
      case 'delete-user-policy':
        return this.deleteInlinePolicy(UserName, action.target.policyName);
      case 'delete-user':
        return this.deleteUser(UserName);
      default:
        return assertNever(action);
    }
  }

  /** Deletes an inline policy unless its document denies all (a deny-all, whatever its name, goes only with delete-user). */
  private async deleteInlinePolicy(UserName: string, PolicyName: string): Promise<ActionOutcome> {
    const document = await this.readUserPolicy(UserName, PolicyName);
    if (document === undefined) return { result: 'ok', before: { exists: false }, after: { exists: false } };
    if (isDenyAllDocument(document)) {
      return { result: 'skipped', note: `${PolicyName} denies everything (a deny-all); only delete-user removes it` };
    }
    return this.removal({ exists: true }, { exists: false }, () =>
      this.call('DeleteUserPolicy', () => this.client.send(new (iamSdk().DeleteUserPolicyCommand)({ UserName, PolicyName }))),
    );
  }

  /** Reads the credential's status first so the outcome records the real before-state and a second run writes nothing. */
  private async deactivate(
    list: () => Promise<readonly SimpleCredential[]>,
    id: string,
    update: () => Promise<unknown>,
  ): Promise<ActionOutcome> {
    let current: SimpleCredential | undefined;
    try {
      current = (await list()).find((c) => c.id === id);
    } catch (err) {
      if (isNoSuchEntity(err)) return { result: 'ok', before: { exists: false }, after: { exists: false } };
      throw err;
    }
    if (current === undefined) return { result: 'ok', before: { exists: false }, after: { exists: false } };
    if (current.status === 'Inactive') return { result: 'ok', before: { status: 'Inactive' }, after: { status: 'Inactive' } };
    try {
      await update();
    } catch (err) {
      if (isNoSuchEntity(err)) return { result: 'ok', before: { status: 'Active' }, after: { exists: false } };
      throw err;
    }
    return { result: 'ok', before: { status: 'Active' }, after: { status: 'Inactive' } };
  }

  /** A delete whose NoSuchEntity means "was not there": the outcome says which. */
  private async removal(present: object, absent: object, remove: () => Promise<unknown>): Promise<ActionOutcome> {
    try {
      await remove();
      return { result: 'ok', before: present, after: absent };
    } catch (err) {
      if (isNoSuchEntity(err)) return { result: 'ok', before: absent, after: absent };
      throw err;
    }
  }

  /**
   * Attaches Warden's managed deny-all (the role may attach that one policy and no other). Warden never writes inline
   * policies: `iam:PutUserPolicy` would let whoever holds its role grant anything.
   */
  private async attachDenyAll(action: ActionOf<'attach-deny-all'>): Promise<ActionOutcome> {
    const UserName = action.userName;
    const PolicyArn = action.target.policyArn;
    const attached = async (): Promise<boolean | undefined> => {
      try {
        return (await this.listAttachedPolicies(UserName)).some((p) => p.arn === PolicyArn);
      } catch (err) {
        if (isNoSuchEntity(err)) return undefined;
        throw err;
      }
    };
    const before = await attached();
    // The user itself is gone: nobody is left to deny.
    if (before === undefined) return { result: 'ok', before: { userExists: false }, after: { userExists: false } };
    if (before) return { result: 'ok', before: { denyAll: 'present' }, after: { denyAll: 'present' } };
    try {
      await this.call('AttachUserPolicy', () => this.client.send(new (iamSdk().AttachUserPolicyCommand)({ UserName, PolicyArn })));
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
      if ((await attached()) === undefined) return { result: 'ok', before: { userExists: true }, after: { userExists: false } };
      // The user exists, so the policy does not: the stack or member-account template that creates it is missing.
      return {
        result: 'failed',
        error: `NoSuchEntity: Warden's deny-all policy ${PolicyArn} does not exist in account ${action.account}; deploy deploy/member-account-role.yaml (or the Warden stack) there (AttachUserPolicy)`,
        retryable: false,
      };
    }
    return { result: 'ok', before: { denyAll: 'absent' }, after: { denyAll: 'present' } };
  }

  private listAttachedPolicies(UserName: string): Promise<AttachedPolicy[]> {
    return this.collect(
      'ListAttachedUserPolicies',
      (m) => this.client.send(new (iamSdk().ListAttachedUserPoliciesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
      (p) => p.AttachedPolicies,
    ).then(toPolicies);
  }

  /** Whether an attached policy is Warden's own deny-all (in any partition) in this directory's account. */
  private isOwnDenyAll(arn: string): boolean {
    const account = this.configuredAccount ?? this.derivedAccount;
    return account !== undefined && /^arn:[\w-]+:iam::/.test(arn) && arn.endsWith(`:iam::${account}:policy/${this.denyAllPolicyName}`);
  }

  /**
   * Deletes a user in the order IAM requires, keeping the deny-all policy until the very end so the user
   * holds no usable access at any point of a teardown that fails half-way.
   */
  private async deleteUser(UserName: string): Promise<ActionOutcome> {
    let before: Record<string, unknown> | undefined;
    for (let pass = 1; ; pass += 1) {
      // Key bodies only matter for matching host keys; a teardown needs the ids alone.
      const detail = await this.readUserDetail(UserName, new Semaphore(this.tuning.describeConcurrency), false);
      if (detail === undefined) {
        return before === undefined
          ? { result: 'ok', before: { exists: false }, after: { exists: false } }
          : { result: 'ok', before, after: { exists: false } };
      }
      before ??= summarize(detail);
      await this.teardown(UserName, detail);
      try {
        await this.call('DeleteUser', () => this.client.send(new (iamSdk().DeleteUserCommand)({ UserName })));
        return { result: 'ok', before, after: { exists: false } };
      } catch (err) {
        if (isNoSuchEntity(err)) return { result: 'ok', before, after: { exists: false } };
        // Something was attached while we were tearing down: read again and clear it, once.
        if (isCode(err, 'DeleteConflict') && pass < 2) {
          this.log.warn('DeleteUser conflicted; clearing what appeared meanwhile', { account: this.accountLabel, userName: UserName });
          continue;
        }
        throw err;
      }
    }
  }

  private async teardown(UserName: string, d: IamUserDetail): Promise<void> {
    const gone = async (task: () => Promise<unknown>): Promise<void> => {
      try {
        await task();
      } catch (err) {
        if (!isNoSuchEntity(err)) throw err;
      }
    };
    const send = this.client.send.bind(this.client);
    for (const k of d.accessKeys) {
      await gone(() => this.call('DeleteAccessKey', () => send(new (iamSdk().DeleteAccessKeyCommand)({ UserName, AccessKeyId: k.id }))));
    }
    if (d.loginProfile !== null) await gone(() => this.call('DeleteLoginProfile', () => send(new (iamSdk().DeleteLoginProfileCommand)({ UserName }))));
    for (const k of d.sshPublicKeys) {
      await gone(() => this.call('DeleteSSHPublicKey', () => send(new (iamSdk().DeleteSSHPublicKeyCommand)({ UserName, SSHPublicKeyId: k.id }))));
    }
    for (const c of d.signingCertificates) {
      await gone(() => this.call('DeleteSigningCertificate', () => send(new (iamSdk().DeleteSigningCertificateCommand)({ UserName, CertificateId: c.id }))));
    }
    for (const c of d.serviceSpecificCredentials) {
      await gone(() =>
        this.call('DeleteServiceSpecificCredential', () =>
          send(new (iamSdk().DeleteServiceSpecificCredentialCommand)({ UserName, ServiceSpecificCredentialId: c.id })),
        ),
      );
    }
    for (const m of d.mfaDevices) {
      await gone(() => this.call('DeactivateMFADevice', () => send(new (iamSdk().DeactivateMFADeviceCommand)({ UserName, SerialNumber: m.serialNumber }))));
      // A deactivated virtual device would linger unassigned in the account; delete it too.
      if (m.virtual) {
        await gone(() => this.call('DeleteVirtualMFADevice', () => send(new (iamSdk().DeleteVirtualMFADeviceCommand)({ SerialNumber: m.serialNumber }))));
      }
    }
    const denyAllInline = new Set(denyAllInlineNames(d));
    for (const p of d.attachedPolicies) {
      if (this.isOwnDenyAll(p.arn)) continue;
      await gone(() => this.call('DetachUserPolicy', () => send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn: p.arn }))));
    }
    for (const name of d.inlinePolicies) {
      if (denyAllInline.has(name)) continue;
      await gone(() => this.call('DeleteUserPolicy', () => send(new (iamSdk().DeleteUserPolicyCommand)({ UserName, PolicyName: name }))));
    }
    for (const group of d.groups) {
      await gone(() => this.call('RemoveUserFromGroup', () => send(new (iamSdk().RemoveUserFromGroupCommand)({ UserName, GroupName: group }))));
    }
    // The deny-alls go last, so a teardown that fails half-way leaves the user with no usable access.
    for (const p of d.attachedPolicies) {
      if (!this.isOwnDenyAll(p.arn)) continue;
      await gone(() => this.call('DetachUserPolicy', () => send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn: p.arn }))));
    }
    for (const name of denyAllInline) {
      await gone(() => this.call('DeleteUserPolicy', () => send(new (iamSdk().DeleteUserPolicyCommand)({ UserName, PolicyName: name }))));
    }
  }

  // ---------------------------------------------------------------- calls

  /** One IAM call; conflicts IAM asks us to retry are retried here, everything thrown comes out as an IamCallError. */
  private async call<T>(api: string, send: () => Promise<T>): Promise<T> {
    const { conflictAttempts, conflictBaseMs, conflictCapMs } = this.tuning;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send();
      } catch (raw) {
        const err = raw instanceof IamCallError ? raw : new IamCallError(api, raw);
        if (!CONFLICT_CODES.has(err.code) || attempt >= conflictAttempts) throw err;
        const delay = jitteredBackoff(attempt, conflictBaseMs, conflictCapMs);
        this.log.debug?.('IAM conflict, retrying', { api, code: err.code, attempt, delayMs: delay });
        await this.sleep(delay);
      }
    }
  }

  private async eachPage<P extends Page>(api: string, fetch: (m: string | undefined) => Promise<P>, onPage: (page: P) => void): Promise<void> {
    let next: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.call(api, () => fetch(next));
      onPage(page);
      if (page.IsTruncated !== true) return;
      if (page.Marker === undefined || seen.has(page.Marker)) {
        throw new IamCallError(api, new Error('truncated page without a new Marker'));
      }
      seen.add(page.Marker);
      next = page.Marker;
    }
  }

  private async collect<P extends Page, T>(
    api: string,
    fetch: (m: string | undefined) => Promise<P>,
    items: (page: P) => readonly T[] | undefined,
  ): Promise<T[]> {
    const all: T[] = [];
    await this.eachPage(api, fetch, (page) => all.push(...(items(page) ?? [])));
    return all;
  }
}

/** What a deleted user held, without secrets: counts for credentials, names for grants. */
function summarize(d: IamUserDetail): Record<string, unknown> {
  return {
    exists: true,
    accessKeys: d.accessKeys.length,
    loginProfile: d.loginProfile !== null,
    sshPublicKeys: d.sshPublicKeys.length,
    signingCertificates: d.signingCertificates.length,
    serviceSpecificCredentials: d.serviceSpecificCredentials.length,
    mfaDevices: d.mfaDevices.length,
    groups: d.groups,
    attachedPolicies: d.attachedPolicies.map((p) => p.arn),
    inlinePolicies: d.inlinePolicies,
  };
}
