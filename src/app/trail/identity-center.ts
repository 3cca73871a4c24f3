import type { IdentityCenterInventory } from '../../domain/identity-center';
import { isIdentityCenterAction, type Action } from '../../domain/plan';
import type { TrailClassification, TrailPrincipal } from '../../domain/trail';
import type { UndoneChange } from '../../ports/trail';

type IcPrincipal = Exclude<TrailPrincipal, { kind: 'iam-user' | 'iam-policy' }>;

const isIcPrincipal = (p: TrailPrincipal): p is IcPrincipal => p.kind !== 'iam-user' && p.kind !== 'iam-policy';

/** The Identity Center principals restoring events name (users by id or name, groups, permission sets). */
export const identityCenterPrincipals = (restorations: readonly Extract<TrailClassification, { kind: 'restores' }>[]): IcPrincipal[] =>
  restorations.flatMap((r) => r.principals.filter(isIcPrincipal));

/**
 * Which Identity Center actions of a full plan answer these principals: the named users' (by id, or by name
 * case-insensitively), a named group's members', and the Deny re-added to a named permission set. Resolved against what
 * Identity Center holds now: a name that matches nobody selects nothing, never everyone. Another identity store or
 * instance than Warden's selects nothing either.
 */
export function identityCenterScope(principals: readonly IcPrincipal[], ic: IdentityCenterInventory): { readonly userNames: ReadonlySet<string>; readonly only: (action: Action) => boolean } {
  const names = new Set<string>();
  const sets = new Set<string>();
  const ours = (store: string | undefined): boolean => store === undefined || store === ic.identityStoreId;
  for (const p of principals) {
    switch (p.kind) {
      case 'ic-user': {
        if (!ours(p.identityStoreId)) break;
        const user = ic.users.find((u) => (p.userId !== undefined ? u.userId === p.userId : u.userName.toLowerCase() === p.userName?.toLowerCase()));
        if (user !== undefined) names.add(user.userName.toLowerCase());
        break;
      }
      case 'ic-group': {
        if (!ours(p.identityStoreId) || !ic.groups.some((g) => g.groupId === p.groupId)) break;
        const members = new Set(ic.memberships.filter((m) => m.groupId === p.groupId).map((m) => m.userId));
        for (const user of ic.users) if (members.has(user.userId)) names.add(user.userName.toLowerCase());
        break;
      }
      case 'ic-permission-set':
        if ((p.instanceArn === undefined || p.instanceArn === ic.instanceArn) && ic.permissionSets.some((ps) => ps.arn === p.permissionSetArn)) sets.add(p.permissionSetArn);
        break;
    }
  }
  const only = (action: Action): boolean =>
    isIdentityCenterAction(action) &&
    action.account === ic.identityStoreId &&
    (names.has(action.userName.toLowerCase()) || (action.kind === 'deny-ic-sessions' && sets.has(action.target.permissionSetArn)));
  return { userNames: names, only };
}

/** What was undone for these principals (for the audit entry of the event that named them). */
export function identityCenterUndone(undone: readonly UndoneChange[], principals: readonly IcPrincipal[], ic: IdentityCenterInventory): UndoneChange[] {
  const { userNames } = identityCenterScope(principals, ic);
  const denies = principals.some((p) => p.kind === 'ic-permission-set');
  return undone.filter((u) => u.account === ic.identityStoreId && (userNames.has(u.userName.toLowerCase()) || (denies && u.kind === 'deny-ic-sessions')));
}
