/** The access review types the planner reads, apart from the campaign logic so the planner's imports stay acyclic. */

/** One thing a person can do in AWS or on a host, held through one IAM user, host account or Identity Center user. */
export type Entitlement =
  | { readonly kind: 'iam-group'; readonly account: string; readonly userName: string; readonly groupName: string }
  | { readonly kind: 'iam-managed-policy'; readonly account: string; readonly userName: string; readonly policyArn: string; readonly policyName: string }
  | { readonly kind: 'iam-inline-policy'; readonly account: string; readonly userName: string; readonly policyName: string }
  | { readonly kind: 'iam-access-key'; readonly account: string; readonly userName: string; readonly accessKeyId: string }
  | { readonly kind: 'host-account'; readonly account: string; readonly instanceId: string; readonly osUser: string }
  /** An Identity Center group membership (`account` is the identity store, as on the plane's actions). */
  | {
      readonly kind: 'ic-group';
      readonly account: string;
      readonly userName: string;
      readonly userId: string;
      /** As held when reviewed; a membership given back later gets a new id, so revoking uses the one held then. */
      readonly membershipId: string;
      readonly groupId: string;
      readonly groupName: string;
    }
  /** A permission set assigned to the Identity Center user directly in one AWS account (group assignments are the role mapping's). */
  | {
      readonly kind: 'ic-assignment';
      readonly account: string;
      readonly userName: string;
      readonly userId: string;
      readonly accountId: string;
      readonly permissionSetArn: string;
      readonly permissionSetName: string;
    };

/**
 * An entitlement a review revoked: taken away (reason `review-revoked`) whenever it is held again, and, when the role
 * grants it, a reviewed exception that is never reported missing. Both last until the person's next review or a change
 * of role.
 */
export interface ReviewedRevocation {
  readonly employeeId: string;
  readonly email: string;
  /** The person's role when it was decided: a different role today ends the exception. */
  readonly role?: string;
  readonly entitlement: Entitlement;
  readonly roleAllows: boolean;
  readonly campaignId: string;
  readonly decidedAt: Date;
}

/** Which active people a campaign covers (`--scope all | department:NAME | account:ID`). */
export type CampaignScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'department'; readonly name: string }
  | { readonly kind: 'account'; readonly account: string };
