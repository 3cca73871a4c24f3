/** The rules the planner enforces, in domain terms (the config file maps onto this). */
export interface RoleGrant {
  readonly groups: readonly string[];
  readonly managedPolicies: readonly string[];
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
  readonly hosts: {
    readonly lockUsers: boolean;
    /** Host account name -> roster email, for host accounts not named after their person (config `hosts.userMap`). */
    readonly userMap?: Readonly<Record<string, string>>;
  };
}

export interface GuardPolicy {
  /** More revocation actions than this in one run trips the guard. */
  readonly maxRevocations: number;
  /** Active headcount falling by more than this percentage since the last run trips the guard. */
  readonly maxHeadcountDropPercent: number;
}

export const DEFAULT_DENY_ALL_POLICY_NAME = 'warden-deny-all';

/** The inline policy document that stops every API call of a user. */
export const DENY_ALL_POLICY_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'WardenOffboardingDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
});
