import type { InputError, PersonRef } from './roster';

/** Why an action is in the plan. */
export type ActionReason = 'departed' | 'orphan' | 'excess-privilege' | 'unused-credential';

/** The security-policy control an action or finding enforces (see controls.ts for the clause each cites). */
export type Control = 'offboarding-24h' | 'least-privilege' | 'credential-hygiene' | 'access-logging' | 'account-ownership';

interface ActionBase {
  /** Stable for the same change on the same target: apply matches re-planned actions by it. */
  readonly id: string;
  readonly account: string;
  readonly userName: string;
  readonly reason: ActionReason;
  readonly person?: PersonRef;
  readonly control: Control;
}

export type Action =
  | (ActionBase & { readonly kind: 'deactivate-access-key'; readonly target: { readonly accessKeyId: string } })
  | (ActionBase & { readonly kind: 'delete-login-profile'; readonly target: Record<string, never> })
  | (ActionBase & { readonly kind: 'deactivate-ssh-key'; readonly target: { readonly sshPublicKeyId: string } })
  | (ActionBase & { readonly kind: 'deactivate-signing-certificate'; readonly target: { readonly certificateId: string } })
  | (ActionBase & {
      readonly kind: 'deactivate-service-credential';
      readonly target: { readonly serviceSpecificCredentialId: string; readonly serviceName: string };
    })
  /** Attaches Warden's managed deny-all policy (`policyArn`, created by the stack or member-account template). */
  | (ActionBase & { readonly kind: 'attach-deny-all'; readonly target: { readonly policyName: string; readonly policyArn: string } })
  | (ActionBase & { readonly kind: 'remove-from-group'; readonly target: { readonly groupName: string } })
  | (ActionBase & { readonly kind: 'detach-user-policy'; readonly target: { readonly policyArn: string } })
  | (ActionBase & { readonly kind: 'delete-user-policy'; readonly target: { readonly policyName: string } })
  | (ActionBase & { readonly kind: 'delete-user'; readonly target: Record<string, never> })
  | (ActionBase & {
      readonly kind: 'remove-host-key';
      readonly target: {
        readonly instanceId: string;
        readonly osUser: string;
        readonly keyType: string;
        readonly keyBody: string;
        readonly comment: string;
      };
    })
  | (ActionBase & { readonly kind: 'lock-host-user'; readonly target: { readonly instanceId: string; readonly osUser: string } });

export type ActionKind = Action['kind'];
export type ActionOf<K extends ActionKind> = Extract<Action, { kind: K }>;

export const ACTION_KINDS: readonly ActionKind[] = [
  'deactivate-access-key',
  'delete-login-profile',
  'deactivate-ssh-key',
  'deactivate-signing-certificate',
  'deactivate-service-credential',
  'attach-deny-all',
  'remove-from-group',
  'detach-user-policy',
  'delete-user-policy',
  'delete-user',
  'remove-host-key',
  'lock-host-user',
];

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
  /** A user to revoke whose live detail (keys, password, SSH keys…) was not read: only deny-all and groups could be planned. */
  | 'user-detail-unavailable'
  /** The roster says active but the person's end_date has passed: nothing is revoked until HR confirms. */
  | 'active-past-end-date'
  /** A group or policy the role does not allow is kept because it restricts (holds a Deny) or is protected in config. */
  | 'restriction-kept';

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
  readonly summary: PlanSummary;
}

/** Actions that cut a person's access (as opposed to tidying privileges); the guard limit counts these. */
export const isRevocation = (a: Action): boolean => a.reason === 'departed' || a.reason === 'orphan';

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
