/** What one AWS account holds, as Warden read it. Plain data: adapters fill it, the planner reads it. */

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

/** Live per-user state, fetched only for users about to be changed (and re-read to verify). */
export interface IamUserDetail {
  readonly accessKeys: readonly AccessKey[];
  readonly loginProfile: { readonly createdAt?: Date } | null;
  readonly sshPublicKeys: readonly SshPublicKey[];
  readonly mfaDevices: readonly MfaDevice[];
  readonly signingCertificates: readonly SigningCertificate[];
  readonly serviceSpecificCredentials: readonly ServiceSpecificCredential[];
  readonly groups: readonly string[];
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly string[];
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
  /** Default-version documents of the account's customer-managed policies, by ARN, when the inventory read them. */
  readonly managedPolicyDocuments?: Readonly<Record<string, unknown>>;
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
}

export interface Inventory {
  readonly accounts: readonly AccountInventory[];
  readonly hosts: readonly HostInventory[];
  /** Accounts that could not be read at all: reported, never treated as "nothing to do". */
  readonly accountErrors: readonly { readonly account: string; readonly message: string }[];
}
