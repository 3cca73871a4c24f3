import { isRoleKind } from '../../domain/action-kinds';
import { formatAuditPerson } from '../../domain/audit-chain';
import type { Action } from '../../domain/plan';
import { deniesSourceIdentities, parseWardenRolePolicy, sidOf } from '../../domain/role-session-policy';
import type { ReconcileDeps } from './plan';
import type { ActionRecord, VerificationRecord } from './common';

type RoleAction = Extract<Action, { kind: 'deny-role-source-identity' | 'revoke-older-role-sessions' | 'drop-expired-session-denies' }>;

const isRoleAction = (action: Action): action is RoleAction => isRoleKind(action.kind);

/** What is still wrong with one role action after re-reading Warden's policy on the role (empty: it holds). */
function remainingFor(action: RoleAction, document: string | null | undefined, startedAt: Date): string[] {
  if (document === undefined) return [`role ${action.target.roleName} could not be read back`];
  const { statements } = parseWardenRolePolicy(document ?? undefined);
  switch (action.kind) {
    case 'deny-role-source-identity':
      return deniesSourceIdentities(statements, action.target.sourceIdentities) !== undefined
        ? []
        : [`source identity ${action.target.sourceIdentities.join(', ')} not denied on role ${action.target.roleName}`];
    case 'revoke-older-role-sessions':
      // Revoking "older than now" must cover every session issued before this run cut access.
      return statements.some((s) => s.kind === 'revoke-older' && s.since.getTime() >= startedAt.getTime())
        ? []
        : [`older sessions not revoked on role ${action.target.roleName}`];
    case 'drop-expired-session-denies': {
      const left = statements.map(sidOf).filter((sid) => action.target.sids.includes(sid));
      return left.length === 0 ? [] : [`expired statements ${left.join(', ')} still on role ${action.target.roleName}`];
    }
  }
}

/**
 * Re-reads Warden's policy on every role an action changed and records per action whether it holds: a leaver's
 * source identity denied, older sessions revoked from before this run, expired statements gone.
 */
export async function verifyRoles(
  deps: ReconcileDeps,
  runId: string,
  actor: string,
  results: readonly ActionRecord[],
  startedAt: Date,
  userVerifications: readonly VerificationRecord[] = [],
): Promise<VerificationRecord[]> {
  const checked = results.flatMap(({ action, outcome }) => (isRoleAction(action) && outcome.result === 'ok' ? [action] : []));
  const byAccount = new Map<string, RoleAction[]>();
  for (const action of checked) byAccount.set(action.account, [...(byAccount.get(action.account) ?? []), action]);
  const records: VerificationRecord[] = [];
  for (const [account, actions] of byAccount) {
    const directory = deps.directories.find((d) => d.account === account);
    const documents = (await directory?.readWardenRolePolicies?.(actions.map((a) => a.target.roleName))) ?? new Map<string, string | null>();
    for (const action of actions) {
      const remaining = remainingFor(action, documents.get(action.target.roleName), startedAt);
      const verified = remaining.length === 0;
      // Filed under the leaver's user like their other paths (the leaver report reads it so); it never turns the
      // user's own failed verdict of this run into "no access left".
      const user = userVerifications.find((v) => v.account === account && v.userName === action.userName);
      const noAccessLeft = verified && action.kind !== 'drop-expired-session-denies' && user?.noAccessLeft !== false;
      await deps.audit.append({
        runId,
        actor,
        action: 'verify',
        account,
        target: action.userName,
        ...(action.person !== undefined ? { person: formatAuditPerson(action.person) } : {}),
        reason: action.reason,
        result: verified ? 'verified' : 'failed',
        after: { noAccessLeft, sessionsEnded: verified, actionIds: [action.id], resources: [{ kind: action.kind, role: action.target.roleArn }] },
        ...(verified ? {} : { error: remaining.join('; ') }),
      });
      records.push({ account, userName: action.userName, verified, noAccessLeft, remaining });
    }
  }
  return records;
}
