/** An IAM role as the session plane reads it (ListRoles), with Warden's own inline policy on it when read. */
export interface IamRole {
  readonly roleName: string;
  readonly arn: string;
  /** MaxSessionDuration as AWS applies it (1 to 12 hours). */
  readonly maxSessionSeconds: number;
  /** The trust (assume-role) policy document, decoded; undefined when IAM returned none. */
  readonly trustPolicy: unknown;
  /** Warden's inline policy on the role (role-session-policy.ts): its document, null when absent, undefined when not read. */
  readonly wardenPolicy?: string | null;
}
