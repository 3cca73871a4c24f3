/**
 * Account-wide facts the security-policy checks read beside the IAM inventory: the account password policy, the
 * credential report's `<root_account>` row and the session limits of roles. Plain data: adapters fill it.
 */

/** The account password policy as IAM reports it (GetAccountPasswordPolicy); absent fields are IAM's "not set". */
export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  /** How many previous passwords cannot be reused; absent: reuse allowed. */
  readonly reusePrevention?: number;
  /** Days a password lives; absent: passwords never expire. */
  readonly maxAgeDays?: number;
}

/** What the configured minimum asks of the password policy (config `passwordPolicy`). */
export interface PasswordRequirement {
  readonly minimumLength: number;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  /** 0: not required. */
  readonly reusePrevention: number;
  /** 0: not required. */
  readonly maxAgeDays: number;
}

/** The credential report's `<root_account>` row. */
export interface RootAccountState {
  readonly mfaActive: boolean;
  /** Active root access keys (the report's two slots). */
  readonly activeAccessKeys: number;
  readonly passwordLastUsed?: Date;
  /** The latest use of either root access key. */
  readonly accessKeyLastUsed?: Date;
}

/** Something a session is started from, and how long such a session may live. */
export interface SessionLimit {
  /** `iam-role` now; Identity Center permission sets plug in as `permission-set`. */
  readonly kind: 'iam-role' | 'permission-set';
  readonly account: string;
  readonly name: string;
  readonly arn: string;
  readonly maxSessionSeconds: number;
}

/** One posture read that failed: the checks that need it say "not checked", never "pass". */
export interface UnreadPosture {
  readonly what: 'password-policy' | 'roles' | 'root';
  readonly error: string;
}

export interface AccountPosture {
  /** null: the account has no password policy (IAM's defaults apply); absent: not read. */
  readonly passwordPolicy?: PasswordPolicy | null;
  /** Absent when the credential report could not be had. */
  readonly root?: RootAccountState;
  /** Roles (service-linked ones left out) with their MaxSessionDuration; absent when not read. */
  readonly roles?: readonly SessionLimit[];
  readonly unread?: readonly UnreadPosture[];
}

/** The security-policy checks' settings (config `joiners`, `admins`, `hygiene.rootUseDays`, `passwordPolicy`, `sessions`). */
export interface PolicyCheckSettings {
  readonly joiners: { readonly requireAcceptance: boolean; readonly quarantine: boolean };
  readonly admins: { readonly max: number };
  readonly rootUseDays: number;
  /** A console password never used this many days after it was set is a default password nobody changed. */
  readonly defaultPasswordDays: number;
  readonly passwordPolicy: PasswordRequirement & { readonly enforce: boolean };
  readonly sessions: { readonly maxHours: number };
}

export const DEFAULT_PASSWORD_REQUIREMENT: PasswordRequirement = {
  minimumLength: 14,
  requireSymbols: true,
  requireNumbers: true,
  requireUppercase: true,
  requireLowercase: true,
  reusePrevention: 24,
  maxAgeDays: 90,
};

export const DEFAULT_POLICY_CHECKS: PolicyCheckSettings = {
  joiners: { requireAcceptance: false, quarantine: false },
  admins: { max: 2 },
  rootUseDays: 30,
  defaultPasswordDays: 7,
  passwordPolicy: { ...DEFAULT_PASSWORD_REQUIREMENT, enforce: false },
  sessions: { maxHours: 4 },
};
