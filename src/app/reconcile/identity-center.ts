import { formatAuditPerson } from '../../domain/audit-chain';
import { parseInlinePolicy, remainingInIdentityCenter, sessionPattern, type IdentityCenterInventory } from '../../domain/identity-center';
import { isIdentityCenterAction, isRevocation, type IdentityCenterAction } from '../../domain/plan';
import type { AuditLog } from '../../ports';
import type { IdentityCenterPlane } from '../../ports/identity-center';
import { auditResource, errorText, type ActionRecord, type VerificationRecord } from './common';

/** The Identity Center part of an inventory: what was read, or why it could not be. */
export type IdentityCenterRead = { readonly identityCenter?: IdentityCenterInventory; readonly identityCenterError?: string };

/**
 * Reads Identity Center, then, for the users Warden's Deny lists, when each last had "no access left" verified (from the
 * audit log): the planner drops a user from the Deny only once no session from before that time can be alive.
 */
export async function readIdentityCenter(plane: IdentityCenterPlane | undefined, audit: AuditLog): Promise<IdentityCenterRead> {
  if (plane === undefined) return {};
  let inventory: IdentityCenterInventory;
  try {
    inventory = await plane.inventory();
  } catch (error) {
    return { identityCenterError: errorText(error) };
  }
  const denied = new Set(inventory.permissionSets.flatMap((ps) => parseInlinePolicy(ps.inlinePolicy)?.denied ?? []));
  const listed = inventory.users.filter((u) => denied.has(sessionPattern(u.userName)));
  const noAccessSince = new Map<string, Date>();
  for (const user of listed) {
    const entries = await audit.query({ userName: user.userName });
    for (const entry of entries) {
      const after = entry.after as { plane?: unknown; userId?: unknown; noAccessLeft?: unknown } | undefined;
      if (entry.action !== 'verify' || entry.result !== 'verified' || entry.account !== inventory.identityStoreId) continue;
      if (after?.plane !== 'identity-center' || after.userId !== user.userId || after.noAccessLeft !== true) continue;
      const at = new Date(entry.at);
      const known = noAccessSince.get(user.userId);
      if (known === undefined || at > known) noAccessSince.set(user.userId, at);
    }
  }
  return { identityCenter: { ...inventory, noAccessSince } };
}

/**
 * Re-reads every Identity Center user an action changed (and the permission sets whose Deny changed) and records
 * `verified` per user only when each change holds and, for a leaver, nothing is left: no membership, no direct
 * assignment, the Deny in force everywhere. The entry's `noAccessLeft` time is when the Deny may later be released from.
 */
export async function verifyIdentityCenter(
  plane: IdentityCenterPlane | undefined,
  audit: AuditLog,
  runId: string,
  actor: string,
  results: readonly ActionRecord[],
): Promise<VerificationRecord[]> {
  const done = results.flatMap(({ action, outcome }) => (isIdentityCenterAction(action) && outcome.result === 'ok' ? [action] : []));
  if (plane === undefined || done.length === 0) return [];
  const byUser = new Map<string, IdentityCenterAction[]>();
  for (const action of done) byUser.set(action.userName, [...(byUser.get(action.userName) ?? []), action]);
  const userIds = done.flatMap((a) => (a.target.userId !== '' ? [a.target.userId] : []));
  const sets = done.flatMap((a) => (a.kind === 'deny-ic-sessions' || a.kind === 'release-ic-session-deny' ? [a.target.permissionSetArn] : []));
  const live = await plane.reread(userIds, sets).then(
    (state) => ({ ok: true as const, state }),
    (error: unknown) => ({ ok: false as const, error: errorText(error) }),
  );
  const records: VerificationRecord[] = [];
  for (const [userName, actions] of byUser) {
    const userId = actions.find((a) => a.target.userId !== '')?.target.userId ?? '';
    const stopping = actions.some((a) => isRevocation(a) && a.kind !== 'release-ic-session-deny');
    const remaining = live.ok
      ? remainingInIdentityCenter(actions, live.state.users.get(userId), live.state.permissionSets, stopping)
      : [`Identity Center could not be re-read: ${live.error}`];
    const verified = remaining.length === 0;
    const person = actions.find((a) => a.person !== undefined)?.person;
    await audit.append({
      runId,
      actor,
      action: 'verify',
      account: plane.identityStoreId,
      target: userName,
      ...(person !== undefined ? { person: formatAuditPerson(person) } : {}),
      reason: actions[0]?.reason ?? 'departed',
      result: verified ? 'verified' : 'failed',
      after: {
        plane: 'identity-center',
        userId,
        noAccessLeft: verified && stopping,
        actionIds: actions.map((a) => a.id).sort(),
        resources: actions.map((a) => ({ kind: a.kind, ...auditResource(a) })),
      },
      ...(verified ? {} : { error: remaining.join('; ') }),
    });
    records.push({ account: plane.identityStoreId, userName, verified, noAccessLeft: verified && stopping, remaining });
  }
  return records;
}
