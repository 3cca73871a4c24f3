import { ACTION_KINDS, isHostKind, isIdentityCenterKind, type ActionKind, type ActionTargets, type IamActionKind, type IdentityCenterActionKind, type Plane } from './action-kinds';
import type { InputError, PersonRef } from './roster';
import type { LeaverSessions } from './sessions';

/** Why an action is in the plan. */
export type ActionReason =
  | 'departed'
  | 'orphan'
  | 'excess-privilege'
  | 'unused-credential'
  /** An active person holding access before accepting the NDA and the policy (config `joiners.quarantine`). */
  | 'joiner-quarantine'
  /** The quarantined joiner has now accepted both: Warden's own deny-all comes off. */
  | 'joiner-accepted'
  /** An access reviewer revoked this entitlement (issue 17). */
  | 'review-revoked';

/** The security-policy control an action or finding enforces (see controls.ts for the clause each cites). */
export type Control =
  | 'offboarding-24h'
  | 'least-privilege'
  | 'credential-hygiene'
  | 'access-logging'
  | 'account-ownership'
  | 'joiner-acceptance'
  | 'no-full-rights'
  | 'minimal-root-use'
  | 'session-timeouts';

interface ActionBase {
  /** Stable for the same change on the same target: apply matches re-planned actions by it. */
  readonly id: string;
  readonly account: string;
  readonly userName: string;
  readonly reason: ActionReason;
  readonly person?: PersonRef;
  readonly control: Control;
  /** Where the action is applied; absent means `iam` (Plan JSON stays as it was for IAM). */
  readonly plane?: Plane;
}

/** One change Warden plans, of one kind (see action-kinds.ts for what each kind does and how it is verified). */
export type Action = { [K in ActionKind]: ActionBase & { readonly kind: K; readonly target: ActionTargets[K] } }[ActionKind];

export type { ActionKind };
export type ActionOf<K extends ActionKind> = Extract<Action, { kind: K }>;

export { ACTION_KINDS };

/** Actions applied in IAM (as opposed to on hosts through SSM). */
export type IamAction = Extract<Action, { readonly kind: IamActionKind }>;
export const isIamAction = (action: Action): action is IamAction => !isHostKind(action.kind) && !isIdentityCenterKind(action.kind);

/** Actions applied in IAM Identity Center. */
export type IdentityCenterAction = Extract<Action, { readonly kind: IdentityCenterActionKind }>;
export const isIdentityCenterAction = (action: Action): action is IdentityCenterAction => isIdentityCenterKind(action.kind);

export type FindingKind =
  | 'orphan-user'
  | 'ambiguous-identity'
  | 'break-glass-user'
  | 'service-account'
  | 'service-account-owner-departed'
  | 'direct-policy'
  | 'no-mfa'
  | 'rotation-overdue'
  | 'multiple-active-keys'
  | 'unused-credential'
  | 'scheduled-departure'
  | 'missing-grant'
  | 'unknown-role'
  | 'departed-without-iam-user'
  | 'credential-report-unavailable'
  | 'snapshot-unavailable'
  | 'account-unreachable'
  | 'orphan-host-key'
  | 'host-unreachable'
  /** A line of a keys file that is neither blank, a comment nor a key OpenSSH reads. */
  | 'unparsed-host-key-line'
  /** A user to revoke whose live detail (keys, password, SSH keys…) was not read: only deny-all and groups could be planned. */
  | 'user-detail-unavailable'
  /** The roster says active but the person's end_date has passed: nothing is revoked until HR confirms. */
  | 'active-past-end-date'
  /** A group or policy the role does not allow is kept because it restricts (holds a Deny) or is protected in config. */
  | 'restriction-kept'
  /** A leaver could hold a role session no Deny ends: it may live until the role's MaxSessionDuration has passed. */
  | 'sessions-may-live'
  /** An account's IAM roles could not be read: leavers' role sessions there are unchecked. */
  | 'roles-unavailable'
  /** Identity Center could not be read: leavers' SSO access there is unchecked. */
  | 'identity-center-unreadable'
  /** Warden's Deny cannot be merged into a permission set's inline policy (over AWS's size limit, or not a policy document). */
  | 'session-deny-blocked'
  /** An active person holding access without `policy_accepted_at` and `nda_signed_at` on the roster. */
  | 'joiner-without-acceptance'
  /** A principal whose policies allow every action on every resource (counted against `admins.max`). */
  | 'admin-rights'
  | 'root-access-key'
  | 'root-no-mfa'
  | 'root-recent-use'
  /** The account password policy is missing or below the configured minimum. */
  | 'password-policy-weak'
  /** A console password nobody has signed in with, long after someone else set it. */
  | 'default-password'
  /** One account, several people: a host account holding several people's keys, an IAM user matching several people. */
  | 'shared-account'
  /** A role (or permission set) whose sessions may live longer than `sessions.maxHours`. */
  | 'session-too-long'
  /** A posture read (password policy, roles) failed: the checks that need it did not run. */
  | 'policy-check-unavailable'
  /** Warden's managed deny-all no longer denies everything (its default version was changed): it stops nobody. */
  | 'deny-all-ineffective';

export type Severity = 'info' | 'low' | 'medium' | 'high';

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly control: Control;
  readonly account?: string;
  readonly userName?: string;
  readonly person?: PersonRef;
  readonly instanceId?: string;
  readonly detail: string;
}

export interface GuardResult {
  readonly tripped: boolean;
  readonly reasons: readonly string[];
  /** Set when the operator overrode a tripped guard; the override is audited. */
  readonly overriddenBy?: string;
}

export interface PlanSummary {
  readonly actions: number;
  readonly findings: number;
  readonly people: number;
  readonly iamUsers: number;
}

/** Plan JSON, version 1 (SPEC "What a plan contains"). */
export interface Plan {
  readonly version: 1;
  readonly generatedAt: string;
  readonly actions: readonly Action[];
  readonly findings: readonly Finding[];
  readonly errors: readonly InputError[];
  readonly guard: GuardResult;
  /** Each IAM-user leaver's live sessions: "sessions ended at …" or "may live until …" (absent when there is no leaver). */
  readonly sessions?: readonly LeaverSessions[];
  readonly summary: PlanSummary;
}

/** Actions that cut a person's access (as opposed to tidying privileges); the guard limit counts these. */
export const isRevocation = (a: Action): boolean => a.reason === 'departed' || a.reason === 'orphan';

/** What the guard's revocation limit counts: revocations, and what access reviews revoke (a campaign defaulting to revoke is bounded too). */
export const countsTowardGuard = (a: Action): boolean => isRevocation(a) || a.reason === 'review-revoked';

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
