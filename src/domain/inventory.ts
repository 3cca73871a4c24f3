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
  /** From the credential report; absent when the report could not be had. */
  readonly credentials?: CredentialReportRow;
  /** Present only for users whose live state was fetched. */
  readonly detail?: IamUserDetail;
}

export interface IamGroup {
  readonly name: string;
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly string[];
}

export interface AccountInventory {
  readonly account: string;
  readonly users: readonly IamUser[];
  readonly groups: readonly IamGroup[];
  /** When the credential report used was generated; null when none could be had (hygiene findings are then skipped). */
  readonly credentialReportAt: Date | null;
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
}
