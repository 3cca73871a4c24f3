/**
 * Identity Center's part of a leaver's session status (sessions.ts): each permission set the leaver could use is a
 * principal whose sessions live up to its SessionDuration; one whose inline policy carries Warden's Deny on the leaver's
 * `aws:userid` ended them when that Deny was verified in place.
 */
import { parseInlinePolicy, sessionPattern, type IcUser, type IdentityCenterInventory } from './identity-center';
import type { SessionPrincipal } from './sessions';

/**
 * The permission sets a user's sessions may be on (assigned to them or their groups, or already holding Warden's Deny
 * on them), each with its session length and, when Warden's Deny lists the user, the Deny as verified at `deniedSince`
 * (the audit log's verified "no access left"; without it the Deny is not counted as verified).
 */
export function identityCenterSessionPrincipals(ic: IdentityCenterInventory, user: Pick<IcUser, 'userId' | 'userName'>, deniedSince: Date | undefined): SessionPrincipal[] {
  const groups = new Set(ic.memberships.filter((m) => m.userId === user.userId).map((m) => m.groupId));
  const reachable = new Set(
    ic.assignments.filter((a) => (a.principalType === 'USER' ? a.principalId === user.userId : groups.has(a.principalId))).map((a) => a.permissionSetArn),
  );
  const pattern = sessionPattern(user.userName);
  return ic.permissionSets.flatMap((ps): SessionPrincipal[] => {
    const denied = parseInlinePolicy(ps.inlinePolicy)?.denied.includes(pattern) === true && (ps.outdatedAccounts ?? []).length === 0;
    if (!denied && !reachable.has(ps.arn)) return [];
    return [
      {
        arn: ps.arn,
        maxSessionSeconds: ps.sessionSeconds,
        ...(denied && deniedSince !== undefined ? { deny: { kind: 'identity-center-user' as const, since: deniedSince } } : {}),
      },
    ];
  });
}
