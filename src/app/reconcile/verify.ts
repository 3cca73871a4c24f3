import type { HostInventory, IamUserDetail, Inventory } from '../../domain/inventory';
import { isIdentityCenterAction, isRevocation, type Action } from '../../domain/plan';
import { hostPrincipal, isHostAction, remainingOnHost } from '../../domain/planning/hosts';
import { actionHolds, actionUnverifiable, remainingAccess, unverifiedPaths } from '../../domain/verification';
import { denyAllPolicyArn } from '../../domain/policy-documents';
import { formatAuditPerson } from '../../domain/audit-chain';
import { isRoleKind } from '../../domain/action-kinds';
import type { ReconcileDeps } from './plan';
import { auditResource, errorText, userKey, type ActionRecord, type VerificationRecord } from './common';

/** What a verify entry covers, so it reads alone: the plan actions it checked and the resource each changed. */
const coveredBy = (actions: readonly Action[]) => ({
  actionIds: actions.map((a) => a.id).sort(),
  resources: actions.map((a) => ({ kind: a.kind, ...auditResource(a) })),
});

/** Re-reads every changed IAM user and records `verified` only when each change holds (and, for leavers, no access is left). */
export async function verifyUsers(
  deps: ReconcileDeps,
  runId: string,
  actor: string,
  results: readonly ActionRecord[],
  inventory: Inventory,
): Promise<VerificationRecord[]> {
  // The partition of each user's ARN names Warden's deny-all policy in that account (aws, aws-us-gov, aws-cn).
  const arnOf = new Map<string, string>();
  for (const account of inventory.accounts) for (const user of account.users) arnOf.set(userKey(account.account, user.userName), user.arn);
  const touched = new Map<string, { account: string; userName: string; actions: Action[] }>();
  for (const { action } of results) {
    // Host actions are re-read on the host, role actions from the role (verify-roles.ts), Identity Center's there.
    if (isHostAction(action) || isRoleKind(action.kind) || isIdentityCenterAction(action)) continue;
    const key = userKey(action.account, action.userName);
    const entry = touched.get(key) ?? { account: action.account, userName: action.userName, actions: [] };
    entry.actions.push(action);
    touched.set(key, entry);
  }
  const byAccount = new Map<string, string[]>();
  for (const t of touched.values()) byAccount.set(t.account, [...(byAccount.get(t.account) ?? []), t.userName]);

  const live = new Map<string, IamUserDetail>();
  for (const [account, userNames] of byAccount) {
    const directory = deps.directories.find((d) => d.account === account);
    if (directory === undefined) continue;
    const details = await directory.describeUsers(userNames);
    for (const [userName, detail] of details) live.set(userKey(account, userName), detail);
  }

  const records: VerificationRecord[] = [];
  for (const [key, { account, userName, actions }] of touched) {
    const detail = live.get(key);
    const deleted = actions.some((a) => a.kind === 'delete-user');
    const remaining: string[] = [];
    if (deleted) {
      if (detail !== undefined) remaining.push('user still exists');
    } else if (detail === undefined) {
      remaining.push('user could not be read back');
    } else {
      for (const action of actions) {
        if (!actionUnverifiable(action, detail) && !actionHolds(action, detail)) remaining.push(`${action.kind} did not take effect`);
      }
      const denyAllArn = denyAllPolicyArn(arnOf.get(key) ?? `arn:aws:iam::${account}:user/${userName}`, account, deps.policy.denyAllPolicyName);
      // The deny-all's default version as this run's bulk read saw it: attached, it must also still deny everything.
      const denyAllDocument = inventory.accounts.find((a) => a.account === account)?.managedPolicyDocuments?.[denyAllArn];
      if (actions.some(isRevocation)) remaining.push(...remainingAccess(detail, denyAllArn, denyAllDocument));
      else remaining.push(...unverifiedPaths(detail, actions));
    }
    const verified = remaining.length === 0;
    const person = actions.find((a) => a.person !== undefined)?.person;
    await deps.audit.append({
      runId,
      actor,
      action: 'verify',
      account,
      target: userName,
      ...(person !== undefined ? { person: formatAuditPerson(person) } : {}),
      reason: actions[0]?.reason ?? 'departed',
      result: verified ? 'verified' : 'failed',
      after: { ...(deleted ? { deleted: verified } : { noAccessLeft: verified && actions.some(isRevocation) }), ...coveredBy(actions) },
      ...(verified ? {} : { error: remaining.join('; ') }),
    });
    records.push({ account, userName, verified, noAccessLeft: verified && (deleted || actions.some(isRevocation)), remaining });
  }
  return records;
}

/**
 * Re-reads every host an action ran on and records, per host account (`INSTANCE:OSUSER`), whether the keys are gone
 * and the account is locked. Skipped actions (the account does not exist there) prove nothing and are not checked.
 */
export async function verifyHosts(deps: ReconcileDeps, runId: string, actor: string, results: readonly ActionRecord[]): Promise<VerificationRecord[]> {
  const fleet = deps.hosts;
  const checked = results.flatMap(({ action, outcome }) => (isHostAction(action) && outcome.result !== 'skipped' ? [action] : []));
  if (fleet === undefined || checked.length === 0) return [];
  const touched = new Map<string, { instanceId: string; actions: Action[] }>();
  for (const action of checked) {
    const key = hostPrincipal(action.target.instanceId, action.target.osUser);
    const entry = touched.get(key) ?? { instanceId: action.target.instanceId, actions: [] };
    entry.actions.push(action);
    touched.set(key, entry);
  }
  const instanceIds = [...new Set([...touched.values()].map((t) => t.instanceId))];
  const reread = await (fleet.inventoryInstances?.(instanceIds) ?? fleet.inventory()).catch(
    (error: unknown): HostInventory[] => instanceIds.map((instanceId) => ({ instanceId, account: '', status: 'unreachable', error: errorText(error), keys: [], lockedUsers: [] })),
  );
  const records: VerificationRecord[] = [];
  for (const [target, { instanceId, actions }] of touched) {
    const first = actions[0];
    const account = first?.account ?? '';
    const remaining = remainingOnHost(reread.find((h) => h.instanceId === instanceId), actions);
    const verified = remaining.length === 0;
    const revocation = actions.some(isRevocation);
    await deps.audit.append({
      runId,
      actor,
      action: 'verify',
      account,
      target,
      ...(first?.person !== undefined ? { person: formatAuditPerson(first.person) } : {}),
      reason: first?.reason ?? 'departed',
      result: verified ? 'verified' : 'failed',
      after: { noAccessLeft: verified && revocation, ...coveredBy(actions) },
      ...(verified ? {} : { error: remaining.join('; ') }),
    });
    records.push({ account, userName: target, verified, noAccessLeft: verified && revocation, remaining });
  }
  return records;
}

