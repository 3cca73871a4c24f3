import type { IcRereadPermissionSet, IcRereadUser, IdentityCenterInventory } from '../domain/identity-center';
import type { IdentityCenterAction } from '../domain/plan';
import type { ActionOutcome } from './index';

/** What Identity Center shows of some users and permission sets right now: what verification re-reads. */
export interface IcLiveState {
  /** By user id; absent when the user no longer exists. */
  readonly users: ReadonlyMap<string, IcRereadUser>;
  /** By permission set ARN: the patterns Warden's Deny lists (undefined when the policy is unreadable), and accounts still running an older version. */
  readonly permissionSets: ReadonlyMap<string, IcRereadPermissionSet>;
}

/** IAM Identity Center: read in bulk, changed one membership, assignment or permission set at a time, re-read to verify. */
export interface IdentityCenterPlane {
  readonly identityStoreId: string;
  inventory(): Promise<IdentityCenterInventory>;
  execute(action: IdentityCenterAction): Promise<ActionOutcome>;
  reread(userIds: readonly string[], permissionSetArns: readonly string[]): Promise<IcLiveState>;
}
