import type { PolicyCheckSettings } from './policy-checks/posture';

/** The rules the planner enforces, in domain terms (the config file maps onto this). */
export interface RoleGrant {
  readonly groups: readonly string[];
  readonly managedPolicies: readonly string[];
  /** What the role may hold in IAM Identity Center (groups, direct assignments); absent: not managed there. */
  readonly identityCenter?: {
    readonly groups: readonly string[];
    readonly permissionSets: readonly { readonly name: string; readonly accounts: readonly string[] }[];
  } | undefined;
}

export interface ServiceAccount {
  readonly userName: string;
  readonly owner: string;
  /** Limit to one account; absent means the name is a service account in every account. */
  readonly account?: string;
}

export interface AccessPolicy {
  readonly timezone: string;
  readonly roles: Readonly<Record<string, RoleGrant>>;
  readonly breakGlass: readonly string[];
  readonly serviceAccounts: readonly ServiceAccount[];
  readonly orphans: 'report' | 'quarantine';
  readonly deleteAfterDays: number;
  readonly identity: { readonly employeeIdTag: string; readonly emailTag: string };
  readonly hygiene: { readonly rotationDays: number; readonly unusedDays: number };
  /**
   * Name of Warden's managed deny-all policy, which the stack / member-account template creates in each account
   * (`arn:<partition>:iam::<account>:policy/<name>`); Warden attaches it to stop a user at once.
   */
  readonly denyAllPolicyName: string;
  /**
   * Groups and managed policies (names or ARNs, case-insensitive) least-privilege cleanup never removes, on top of
   * every group or policy whose document holds a Deny (config `protected`).
   */
  readonly protected?: { readonly groups: readonly string[]; readonly policies: readonly string[] };
  /**
   * Leavers' live role sessions (config `sessions`): with `revokeOlderOnRoles`, roles a leaver could assume whose trust
   * does not pin a source identity get AWS's "revoke older sessions" Deny (everyone's older sessions on them end).
   */
  readonly sessions?: { readonly revokeOlderOnRoles: boolean };
  /** The security-policy checks (joiners, admins, root, passwords, shared accounts, sessions); absent: they do not run. */
  readonly checks?: PolicyCheckSettings;
  readonly hosts: {
    readonly lockUsers: boolean;
    /** Host account name -> roster email, for host accounts not named after their person (config `hosts.userMap`). */
    readonly userMap?: Readonly<Record<string, string>>;
    /** Accounts with a uid below this are system accounts, never a person's own (config `hosts.minUid`, default 1000). */
    readonly minUid?: number;
    /** Shared accounts (ec2-user, ubuntu, ssm-user…), never a person's own (config `hosts.sharedAccounts`). */
    readonly sharedAccounts?: readonly string[];
  };
}

export interface GuardPolicy {
  /** More revocation actions than this in one run trips the guard. */
  readonly maxRevocations: number;
  /** Active headcount falling by more than this percentage since the last run trips the guard. */
  readonly maxHeadcountDropPercent: number;
}

/** Accounts cloud images and agents create for everyone's use: never locked as if one person's. */
export const DEFAULT_SHARED_HOST_ACCOUNTS: readonly string[] = [
  'root',
  'ec2-user',
  'ubuntu',
  'admin',
  'centos',
  'debian',
  'fedora',
  'rocky',
  'almalinux',
  'cloud-user',
  'opc',
  'azureuser',
  'bitnami',
  'core',
  'ssm-user',
];

export const DEFAULT_HOST_MIN_UID = 1000;

export const DEFAULT_DENY_ALL_POLICY_NAME = 'warden-deny-all';

/** The inline policy document that stops every API call of a user. */
export const DENY_ALL_POLICY_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'WardenOffboardingDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
});
