import type { AccountPosture } from './policy-checks/posture';

/** What one AWS account holds, as Warden read it. Plain data: adapters fill it, the planner reads it. */
import type { IamRole } from './roles';

export type { IamRole };
import type { IdentityCenterInventory } from './identity-center';

export type CredentialStatus = 'Active' | 'Inactive';

export interface AttachedPolicy {
  readonly name: string;
  readonly arn: string;
}

export interface AccessKey {
  readonly id: string;
  readonly status: CredentialStatus;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
}

export interface SshPublicKey {
  readonly id: string;
  readonly status: CredentialStatus;
  readonly uploadedAt?: Date;
  /** The key in OpenSSH format (`ssh-ed25519 AAAA…`), when read. */
  readonly body?: string;
}

export interface MfaDevice {
  readonly serialNumber: string;
  readonly virtual: boolean;
}

export interface SigningCertificate {
  readonly id: string;
  readonly status: CredentialStatus;
}

export interface ServiceSpecificCredential {
  readonly id: string;
  readonly serviceName: string;
  readonly status: CredentialStatus;
}

/** One row of the IAM credential report, for hygiene findings across all users without per-user calls. */
export interface CredentialReportRow {
  readonly passwordEnabled: boolean;
  readonly passwordLastUsed?: Date;
  readonly passwordLastChanged?: Date;
  readonly mfaActive: boolean;
  readonly accessKeys: readonly CredentialReportKey[];
}

export interface CredentialReportKey {
  readonly slot: 1 | 2;
  readonly active: boolean;
  readonly lastRotated?: Date;
  readonly lastUsed?: Date;
}

/** One per-user list IAM reads separately: each can fail on its own (an SCP's AccessDenied, an API an endpoint lacks). */
export type DetailPath =
  | 'access-keys'
  | 'login-profile'
  | 'ssh-public-keys'
  | 'mfa-devices'
  | 'signing-certificates'
  | 'service-credentials'
  | 'groups'
  | 'attached-policies'
  | 'inline-policies';

/** Each path in the order findings list them, with the words a finding uses for it. */
export const DETAIL_PATHS: Readonly<Record<DetailPath, { readonly order: number; readonly label: string }>> = {
  'access-keys': { order: 0, label: 'access keys' },
  'login-profile': { order: 1, label: 'console password' },
  'ssh-public-keys': { order: 2, label: 'SSH public keys' },
  'mfa-devices': { order: 3, label: 'MFA devices' },
  'signing-certificates': { order: 4, label: 'signing certificates' },
  'service-credentials': { order: 5, label: 'service-specific credentials' },
  groups: { order: 6, label: 'group memberships' },
  'attached-policies': { order: 7, label: 'attached policies' },
  'inline-policies': { order: 8, label: 'inline policies' },
};

/** A path whose read failed: its list in the detail is empty because it is unknown, not because it is empty. */
export interface UnreadPath {
  readonly path: DetailPath;
  readonly api: string;
  /** `<Code>: <message>` as AWS said it. */
  readonly error: string;
}

/** Live per-user state, fetched only for users about to be changed (and re-read to verify). */
export interface IamUserDetail {
  /** Paths that could not be read (their lists are empty); absent or empty when everything was read. */
  readonly unread?: readonly UnreadPath[];
  readonly accessKeys: readonly AccessKey[];
  readonly loginProfile: { readonly createdAt?: Date } | null;
  readonly sshPublicKeys: readonly SshPublicKey[];
  readonly mfaDevices: readonly MfaDevice[];
  readonly signingCertificates: readonly SigningCertificate[];
  readonly serviceSpecificCredentials: readonly ServiceSpecificCredential[];
  readonly groups: readonly string[];
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly string[];
  /** Inline policy documents by name (decoded JSON text), when read: deny-alls are recognised by these, never by name. */
  readonly inlinePolicyDocuments?: Readonly<Record<string, unknown>>;
}

export interface IamUser {
  readonly account: string;
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly passwordLastUsed?: Date;
  readonly tags: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly string[];
  /** Inline policy documents by name, when the inventory read them (JSON value or IAM's URL-encoded text). */
  readonly inlinePolicyDocuments?: Readonly<Record<string, unknown>>;
  /** From the credential report; absent when the report could not be had. */
  readonly credentials?: CredentialReportRow;
  /** Present only for users whose live state was fetched. */
  readonly detail?: IamUserDetail;
}

export interface IamGroup {
  readonly name: string;
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly string[];
  /** Inline policy documents by name, when the inventory read them. */
  readonly inlinePolicyDocuments?: Readonly<Record<string, unknown>>;
}

export interface AccountInventory {
  readonly account: string;
  readonly users: readonly IamUser[];
  readonly groups: readonly IamGroup[];
  /** When the credential report used was generated; null when none could be had (hygiene findings are then skipped). */
  readonly credentialReportAt: Date | null;
  /**
   * Default-version documents of the managed policies, by ARN, when the inventory read them: every customer-managed
   * policy, and the AWS managed ones attached to someone.
   */
  readonly managedPolicyDocuments?: Readonly<Record<string, unknown>>;
  /** The account's IAM roles (session plane); absent when not read. */
  readonly roles?: readonly IamRole[];
  /** Why the roles could not be read (leavers' role sessions are then unchecked). */
  readonly rolesError?: string;
  /**
   * When Warden last verified "no access left" for a leaver's IAM user (the audit log), by user name: the last instant
   * they could start a role session, so what "may live until" is timed from. Absent: not read, or never verified.
   */
  readonly noAccessSince?: ReadonlyMap<string, Date>;
  /** Password policy, root row and role session limits, for the security-policy checks; absent when not read. */
  readonly posture?: AccountPosture;
}

/** An authorized_keys line found on a host. */
export interface HostKey {
  readonly instanceId: string;
  readonly osUser: string;
  readonly file: string;
  readonly line: number;
  readonly keyType: string;
  readonly keyBody: string;
  readonly comment: string;
  /** `SHA256:…` as OpenSSH's own parser (ssh-keygen -l) read the line on the host; absent from older hosts' output. */
  readonly fingerprint?: string;
}

/** A local (or directory) account a host knows, by name and uid. */
export interface HostAccount {
  readonly name: string;
  readonly uid: number;
}

/** A line of an authorized keys file that is not blank, not a comment and not a key OpenSSH reads. */
export interface HostKeyLineProblem {
  readonly osUser: string;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export type HostReachability = 'ok' | 'unreachable';

export interface HostInventory {
  readonly instanceId: string;
  readonly account: string;
  readonly status: HostReachability;
  /** Why the host could not be read (offline, no agent, script failed). */
  readonly error?: string;
  readonly keys: readonly HostKey[];
  /** Local accounts that are already locked. */
  readonly lockedUsers: readonly string[];
  /** Accounts the host knows (enumerated, or found by their home folder's name); absent from older hosts' output. */
  readonly accounts?: readonly HostAccount[];
  /** Lines in keys files that OpenSSH does not read as keys: no access, but reported. */
  readonly unparsedLines?: readonly HostKeyLineProblem[];
}

export interface Inventory {
  readonly accounts: readonly AccountInventory[];
  readonly hosts: readonly HostInventory[];
  /** Accounts that could not be read at all: reported, never treated as "nothing to do". */
  readonly accountErrors: readonly { readonly account: string; readonly message: string }[];
  /** IAM Identity Center, when configured and read. */
  readonly identityCenter?: IdentityCenterInventory;
  /** Why Identity Center could not be read (configured but unreadable): a high finding, never "nothing to do". */
  readonly identityCenterError?: string;
}
