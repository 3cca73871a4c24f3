import type { Inventory } from '../../domain/inventory';
import type { AccessPolicy } from '../../domain/policy';
import { denyAllPolicyArn } from '../../domain/policy-documents';
import type { AuditEntry, AuditLog } from '../../ports';

/** The audit actions that put Warden's deny-all on a user or take it off as a quarantine lift. */
const DENY_ALL_CHANGES: ReadonlySet<string> = new Set(['attach-deny-all', 'lift-quarantine', 'delete-user']);

/**
 * Whether the audit log shows the user's deny-all was last put on by Warden as a joiner quarantine: the latest `ok`
 * deny-all change for that account and user is an attach with reason `joiner-quarantine`. A departure's attach
 * (even one finding it already present), a lift or a deletion after it ends the quarantine. Only Warden writes these
 * entries, so a deny-all the joiner or an admin attached is never one.
 */
export function lastQuarantinedByWarden(entries: readonly AuditEntry[], account: string): boolean {
  let last: AuditEntry | undefined;
  for (const entry of entries) {
    if (entry.account !== account || entry.result !== 'ok' || !DENY_ALL_CHANGES.has(entry.action)) continue;
    if (last === undefined || entry.seq > last.seq) last = entry;
  }
  return last?.action === 'attach-deny-all' && last.reason === 'joiner-quarantine';
}

/**
 * The IAM users (`account/userName`) holding Warden's deny-all because Warden quarantined them as joiners, from the
 * audit log; undefined when quarantine is off (nothing is ever lifted then). Only users that hold the deny-all now
 * are looked up, one audit query each.
 */
export async function joinerQuarantines(audit: AuditLog, inventory: Inventory, policy: AccessPolicy): Promise<ReadonlySet<string> | undefined> {
  if (policy.checks?.joiners.quarantine !== true) return undefined;
  const quarantined = new Set<string>();
  for (const account of inventory.accounts) {
    for (const user of account.users) {
      const arn = denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName);
      if (!user.attachedPolicies.some((p) => p.arn === arn)) continue;
      if (lastQuarantinedByWarden(await audit.query({ userName: user.userName }), user.account)) quarantined.add(`${user.account}/${user.userName}`);
    }
  }
  return quarantined;
}
