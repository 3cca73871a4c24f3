/**
 * What an access review asks about: one entitlement a person holds, as a discriminated union with one descriptor per
 * kind (its words, its stable key, whether a role grants it, and the plan actions that revoke it). A new plane (Identity
 * Center memberships and assignments) is one member of the union plus one entry in `ENTITLEMENT_KINDS`.
 */
import type { ActionOf } from '../plan';
import type { RoleGrant } from '../policy';
import type { PersonRef } from '../roster';
import { makeAction } from '../planning/build';
import { hostPrincipal } from '../planning/hosts';
import type { Entitlement } from './types';

export type { Entitlement };

export type EntitlementKind = Entitlement['kind'];
export type EntitlementOf<K extends EntitlementKind> = Extract<Entitlement, { kind: K }>;

/** The actions a review revocation plans (reason `review-revoked`, control least privilege). */
export type RevocationAction = ActionOf<
  'remove-from-group' | 'detach-user-policy' | 'delete-user-policy' | 'deactivate-access-key' | 'lock-host-user' | 'remove-ic-membership' | 'delete-ic-assignment'
>;

interface EntitlementDescriptor<E extends Entitlement> {
  /** How a reviewer reads it (Slack, report). */
  readonly describe: (e: E) => string;
  /** Where it is held: `account/user` or `instance:osUser`. */
  readonly holder: (e: E) => string;
  /** The part of the key after kind and holder. */
  readonly id: (e: E) => string;
  /** Whether the person's role grants it (a revoked one is then a reviewed exception, never reported missing). */
  readonly grantedBy: (e: E, grant: RoleGrant) => boolean;
  /** The plan action that takes it away. */
  readonly revoke: (e: E, person: PersonRef) => RevocationAction;
}

const fields = (account: string, userName: string, person: PersonRef) =>
  ({ account, userName, person, reason: 'review-revoked', control: 'least-privilege' }) as const;

const has = (list: readonly string[], ...values: string[]): boolean => list.some((v) => values.some((w) => v.toLowerCase() === w.toLowerCase()));

export const ENTITLEMENT_KINDS: { readonly [K in EntitlementKind]: EntitlementDescriptor<EntitlementOf<K>> } = {
  'iam-group': {
    describe: (e) => `IAM group ${e.groupName}`,
    holder: (e) => `${e.account}/${e.userName}`,
    id: (e) => e.groupName,
    grantedBy: (e, grant) => has(grant.groups, e.groupName),
    revoke: (e, person) => makeAction('remove-from-group', fields(e.account, e.userName, person), { groupName: e.groupName }),
  },
  'iam-managed-policy': {
    describe: (e) => `IAM policy ${e.policyName} (attached to the user)`,
    holder: (e) => `${e.account}/${e.userName}`,
    id: (e) => e.policyArn,
    grantedBy: (e, grant) => has(grant.managedPolicies, e.policyName, e.policyArn),
    revoke: (e, person) => makeAction('detach-user-policy', fields(e.account, e.userName, person), { policyArn: e.policyArn }),
  },
  'iam-inline-policy': {
    describe: (e) => `IAM inline policy ${e.policyName}`,
    holder: (e) => `${e.account}/${e.userName}`,
    id: (e) => e.policyName,
    grantedBy: () => false,
    revoke: (e, person) => makeAction('delete-user-policy', fields(e.account, e.userName, person), { policyName: e.policyName }),
  },
  'iam-access-key': {
    describe: (e) => `IAM access key ${e.accessKeyId}`,
    holder: (e) => `${e.account}/${e.userName}`,
    id: (e) => e.accessKeyId,
    grantedBy: () => false,
    revoke: (e, person) => makeAction('deactivate-access-key', fields(e.account, e.userName, person), { accessKeyId: e.accessKeyId }),
  },
  'host-account': {
    describe: (e) => `host account ${e.osUser} on ${e.instanceId}`,
    holder: (e) => hostPrincipal(e.instanceId, e.osUser),
    id: () => 'login',
    grantedBy: () => false,
    revoke: (e, person) =>
      makeAction('lock-host-user', fields(e.account, hostPrincipal(e.instanceId, e.osUser), person), { instanceId: e.instanceId, osUser: e.osUser }),
  },
  'ic-group': {
    describe: (e) => `Identity Center group ${e.groupName}`,
    holder: (e) => `${e.account}/${e.userName}`,
    id: (e) => e.groupId,
    grantedBy: (e, grant) => has(grant.identityCenter?.groups ?? [], e.groupName),
    revoke: (e, person) =>
      makeAction('remove-ic-membership', fields(e.account, e.userName, person), { userId: e.userId, membershipId: e.membershipId, groupId: e.groupId, groupName: e.groupName }),
  },
  'ic-assignment': {
    describe: (e) => `Identity Center permission set ${e.permissionSetName} in account ${e.accountId}`,
    holder: (e) => `${e.account}/${e.userName}`,
    id: (e) => `${e.permissionSetArn}@${e.accountId}`,
    grantedBy: (e, grant) => (grant.identityCenter?.permissionSets ?? []).some((p) => p.name === e.permissionSetName && p.accounts.includes(e.accountId)),
    revoke: (e, person) =>
      makeAction('delete-ic-assignment', fields(e.account, e.userName, person), {
        userId: e.userId,
        accountId: e.accountId,
        permissionSetArn: e.permissionSetArn,
        permissionSetName: e.permissionSetName,
      }),
  },
};

const descriptor = <E extends Entitlement>(e: E): EntitlementDescriptor<E> => ENTITLEMENT_KINDS[e.kind] as unknown as EntitlementDescriptor<E>;

/** Stable across campaigns for the same holding: `kind|holder|id`. */
export const entitlementKey = (e: Entitlement): string => `${e.kind}|${descriptor(e).holder(e)}|${descriptor(e).id(e)}`;
export const describeEntitlement = (e: Entitlement): string => descriptor(e).describe(e);
export const entitlementHolder = (e: Entitlement): string => descriptor(e).holder(e);
export const grantedByRole = (e: Entitlement, grant: RoleGrant | undefined): boolean => grant !== undefined && descriptor(e).grantedBy(e, grant);
export const revocationOf = (e: Entitlement, person: PersonRef): RevocationAction => descriptor(e).revoke(e, person);
