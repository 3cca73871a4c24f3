/**
 * Identity Center in point-in-time evidence: per Identity Center user, the memberships and direct assignments they held,
 * the permission sets they could use through them (with the accounts), and Warden's Deny naming them in a permission
 * set. One `ic-instance` record per snapshot says Identity Center was read at all, so an older snapshot without it
 * reads as "not recorded", never as "nobody held anything".
 */
import { canonicalJson } from '../audit-chain';
import { parseInlinePolicy, sessionPattern, type IcUser, type IdentityCenterInventory } from '../identity-center';
import type { PersonRef } from '../roster';

/** The ways into AWS an Identity Center user held, as snapshots keep them. */
export type IcAccessPath =
  | { readonly kind: 'ic-group'; readonly groupId: string; readonly name: string }
  /** A direct (user) account assignment. */
  | { readonly kind: 'ic-assignment'; readonly accountId: string; readonly permissionSet: string; readonly permissionSetArn: string }
  /** A permission set the user could sign in with, directly or through a group, and in which accounts. */
  | { readonly kind: 'ic-permission-set'; readonly name: string; readonly arn: string; readonly accounts: readonly string[] }
  /** Warden's Deny on the user's sessions in a permission set; `inForce` false while some account still runs an older version. */
  | { readonly kind: 'ic-session-deny'; readonly permissionSet: string; readonly permissionSetArn: string; readonly inForce: boolean };

export type IcRecord =
  | {
      readonly kind: 'ic-user';
      /** The identity store id (what the audit log names as the account of Identity Center entries). */
      readonly account: string;
      readonly userId: string;
      readonly userName: string;
      readonly person?: PersonRef;
      readonly paths: readonly IcAccessPath[];
    }
  /** Identity Center was read (or carried forward) in this snapshot. Holds no access itself. */
  | { readonly kind: 'ic-instance'; readonly account: string; readonly instanceArn: string; readonly person?: never; readonly paths: readonly IcAccessPath[] };

export const icRecordKey = (record: IcRecord): string => (record.kind === 'ic-user' ? `ic/${record.account}/${record.userId}` : `ic/${record.account}`);

export function describeIcPath(path: IcAccessPath): string {
  switch (path.kind) {
    case 'ic-group':
      return `Identity Center group ${path.name}`;
    case 'ic-assignment':
      return `assigned ${path.permissionSet} in ${path.accountId}`;
    case 'ic-permission-set':
      return `permission set ${path.name} in ${path.accounts.join(', ')}`;
    case 'ic-session-deny':
      return `Warden's Deny in permission set ${path.permissionSet}${path.inForce ? '' : ' (not provisioned everywhere yet)'}`;
  }
}

/** A permission set the user could use is a way in unless Warden's Deny on them is in force there. */
export function icCanGetIn(paths: readonly IcAccessPath[]): boolean {
  const denied = new Set(paths.flatMap((p) => (p.kind === 'ic-session-deny' && p.inForce ? [p.permissionSetArn] : [])));
  return paths.some((p) => p.kind === 'ic-permission-set' && !denied.has(p.arn));
}

/** Whether the record names this AWS account: its identity store, or an account a permission set or assignment reaches. */
export const icRecordInAccount = (record: IcRecord, account: string): boolean =>
  record.account === account ||
  record.paths.some((p) => (p.kind === 'ic-assignment' && p.accountId === account) || (p.kind === 'ic-permission-set' && p.accounts.includes(account)));

export const icGroupNames = (record: IcRecord): string[] => record.paths.flatMap((p) => (p.kind === 'ic-group' ? [p.name] : []));

const sorted = <T extends IcAccessPath>(paths: T[]): T[] => {
  const unique = new Map(paths.map((p) => [canonicalJson(p), p]));
  return [...unique].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
};

/** The Identity Center records of one read: the instance marker and one record per user. */
export function identityCenterRecords(ic: IdentityCenterInventory, owner: (user: IcUser) => PersonRef | undefined): IcRecord[] {
  const groupName = new Map(ic.groups.map((g) => [g.groupId, g.displayName]));
  const setByArn = new Map(ic.permissionSets.map((ps) => [ps.arn, ps]));
  const deniedBy = new Map<string, { arn: string; name: string; inForce: boolean }[]>();
  for (const ps of ic.permissionSets) {
    for (const pattern of parseInlinePolicy(ps.inlinePolicy)?.denied ?? []) {
      deniedBy.set(pattern, [...(deniedBy.get(pattern) ?? []), { arn: ps.arn, name: ps.name, inForce: (ps.outdatedAccounts ?? []).length === 0 }]);
    }
  }
  const groupsOf = new Map<string, string[]>();
  for (const m of ic.memberships) groupsOf.set(m.userId, [...(groupsOf.get(m.userId) ?? []), m.groupId]);
  const byGroup = new Map<string, typeof ic.assignments>();
  const byUser = new Map<string, typeof ic.assignments>();
  for (const a of ic.assignments) {
    const index = a.principalType === 'USER' ? byUser : byGroup;
    index.set(a.principalId, [...(index.get(a.principalId) ?? []), a]);
  }
  const setName = (arn: string): string => setByArn.get(arn)?.name ?? arn;
  const records: IcRecord[] = [{ kind: 'ic-instance', account: ic.identityStoreId, instanceArn: ic.instanceArn, paths: [] }];
  for (const user of ic.users) {
    const groups = groupsOf.get(user.userId) ?? [];
    const direct = byUser.get(user.userId) ?? [];
    const reachable = [...direct, ...groups.flatMap((g) => byGroup.get(g) ?? [])];
    const accounts = new Map<string, Set<string>>();
    for (const a of reachable) accounts.set(a.permissionSetArn, (accounts.get(a.permissionSetArn) ?? new Set()).add(a.accountId));
    // In a fixed order, so the record's hash does not depend on the order AWS listed them.
    const paths: IcAccessPath[] = [
      ...sorted(groups.map((groupId) => ({ kind: 'ic-group' as const, groupId, name: groupName.get(groupId) ?? groupId }))),
      ...sorted(direct.map((a) => ({ kind: 'ic-assignment' as const, accountId: a.accountId, permissionSet: setName(a.permissionSetArn), permissionSetArn: a.permissionSetArn }))),
      ...sorted([...accounts].map(([arn, where]) => ({ kind: 'ic-permission-set' as const, name: setName(arn), arn, accounts: [...where].sort() }))),
      ...sorted((deniedBy.get(sessionPattern(user.userName)) ?? []).map((d) => ({ kind: 'ic-session-deny' as const, permissionSet: d.name, permissionSetArn: d.arn, inForce: d.inForce }))),
    ];
    const person = owner(user);
    records.push({
      kind: 'ic-user',
      account: ic.identityStoreId,
      userId: user.userId,
      userName: user.userName,
      ...(person !== undefined ? { person: { employeeId: person.employeeId, email: person.email } } : {}),
      paths,
    });
  }
  return records;
}
