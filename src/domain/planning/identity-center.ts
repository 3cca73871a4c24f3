import type { IdentityCenterActionKind, ActionTargets } from '../action-kinds';
import { citation } from '../controls';
import {
  createIcMatcher,
  describeIcRule,
  IC_INLINE_POLICY_MAX_CHARS,
  parseInlinePolicy,
  renderInlinePolicy,
  sessionPattern,
  type IcAssignment,
  type IcMembership,
  type IcPermissionSet,
  type IcUser,
  type IdentityCenterInventory,
  type ParsedInlinePolicy,
} from '../identity-center';
import type { Action, ActionOf, ActionReason, Control, Finding } from '../plan';
import { personRef, type Person, type PersonRef, type RowIdentity } from '../roster';
import { identityCenterSessionPrincipals } from '../identity-center-sessions';
import { sessionExposure, sessionExposureWords, sessionSummaryWords, summarizeSessions, type SessionExposure, type SessionPrincipal, type SessionSummary } from '../sessions';
import { makeAction, makeFinding } from './build';
import { mustBeRevoked, phaseIn, type PlanContext, type PlanPart } from './context';
import { isReviewedIcException } from './reviews';

/** Identity Center's data, indexed once per plan. */
interface IcView {
  readonly ic: IdentityCenterInventory;
  readonly groupName: ReadonlyMap<string, string>;
  readonly membershipsOf: ReadonlyMap<string, readonly IcMembership[]>;
  readonly directOf: ReadonlyMap<string, readonly IcAssignment[]>;
  readonly groupAssignmentsOf: ReadonlyMap<string, readonly IcAssignment[]>;
  readonly permissionSet: ReadonlyMap<string, IcPermissionSet>;
  /** Each permission set's inline policy, parsed; undefined when it is not a document Warden can merge into. */
  readonly policy: ReadonlyMap<string, ParsedInlinePolicy | undefined>;
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
};

function view(ic: IdentityCenterInventory): IcView {
  const membershipsOf = new Map<string, IcMembership[]>();
  for (const m of ic.memberships) push(membershipsOf, m.userId, m);
  const directOf = new Map<string, IcAssignment[]>();
  const groupAssignmentsOf = new Map<string, IcAssignment[]>();
  for (const a of ic.assignments) push(a.principalType === 'USER' ? directOf : groupAssignmentsOf, a.principalId, a);
  return {
    ic,
    groupName: new Map(ic.groups.map((g) => [g.groupId, g.displayName])),
    membershipsOf,
    directOf,
    groupAssignmentsOf,
    permissionSet: new Map(ic.permissionSets.map((ps) => [ps.arn, ps])),
    policy: new Map(ic.permissionSets.map((ps) => [ps.arn, parseInlinePolicy(ps.inlinePolicy)])),
  };
}

interface Fields {
  readonly reason: ActionReason;
  readonly control: Control;
  readonly person?: PersonRef;
}

/** What one plan asks of each permission set's Deny: patterns to add, by permission set, with the actions that would add them. */
type DenyRequests = Map<string, ActionOf<'deny-ic-sessions'>[]>;

/** Everything the Identity Center step produces, gathered as it goes. */
interface Out {
  readonly actions: Action[];
  readonly findings: Finding[];
  readonly denies: DenyRequests;
  /** Users whose access is being stopped in this plan: their Deny is never released. */
  readonly stopping: Set<string>;
}

function icAction<K extends IdentityCenterActionKind>(ic: IdentityCenterInventory, user: Pick<IcUser, 'userName'>, kind: K, fields: Fields, target: ActionTargets[K]): ActionOf<K> {
  return makeAction(kind, { account: ic.identityStoreId, userName: user.userName, ...fields }, target);
}

/** Permission sets the user can use now: assigned to them directly or to one of their groups. */
function usableSets(v: IcView, user: IcUser): Set<string> {
  const sets = new Set<string>();
  for (const a of v.directOf.get(user.userId) ?? []) sets.add(a.permissionSetArn);
  for (const m of v.membershipsOf.get(user.userId) ?? []) for (const a of v.groupAssignmentsOf.get(m.groupId) ?? []) sets.add(a.permissionSetArn);
  return sets;
}

/** Stops a user's Identity Center access: every membership and direct assignment goes, and their sessions are denied. */
function stopAccess(v: IcView, user: IcUser, fields: Fields, out: Out, deleteUser: boolean): void {
  const { ic } = v;
  const planned = out.actions.length + out.denies.size;
  const pattern = sessionPattern(user.userName);
  for (const arn of usableSets(v, user)) {
    const ps = v.permissionSet.get(arn);
    // Already listed and running everywhere: nothing to do. Listed but not provisioned everywhere (a run died between the
    // write and the provisioning): the same action completes it.
    if (ps === undefined || (v.policy.get(arn)?.denied.includes(pattern) === true && (ps.outdatedAccounts ?? []).length === 0)) continue;
    push(out.denies, arn, icAction(ic, user, 'deny-ic-sessions', fields, { userId: user.userId, permissionSetArn: arn, permissionSetName: ps.name, pattern }));
  }
  for (const m of v.membershipsOf.get(user.userId) ?? []) {
    out.actions.push(icAction(ic, user, 'remove-ic-membership', fields, { userId: user.userId, membershipId: m.membershipId, groupId: m.groupId, groupName: v.groupName.get(m.groupId) ?? m.groupId }));
  }
  for (const a of v.directOf.get(user.userId) ?? []) {
    const name = v.permissionSet.get(a.permissionSetArn)?.name ?? a.permissionSetArn;
    out.actions.push(icAction(ic, user, 'delete-ic-assignment', fields, { userId: user.userId, accountId: a.accountId, permissionSetArn: a.permissionSetArn, permissionSetName: name }));
  }
  if (deleteUser && ic.source === 'internal') out.actions.push(icAction(ic, user, 'delete-ic-user', fields, { userId: user.userId }));
  // A leaver who still holds something (or is not yet denied everywhere) keeps every Deny they are in.
  if (out.actions.length + out.denies.size > planned || [...out.denies.values()].some((r) => r.some((a) => a.target.userId === user.userId))) out.stopping.add(user.userId);
}

/** Memberships and direct assignments a working person's role does not allow are removed; what it grants but they lack is reported. */
function leastPrivilege(context: PlanContext, v: IcView, user: IcUser, person: Person, out: Out): void {
  const grant = context.roleOf(person)?.identityCenter;
  if (grant === undefined) return;
  const ref = personRef(person);
  const fields: Fields = { reason: 'excess-privilege', control: 'least-privilege', person: ref };
  const allowedGroups = new Set(grant.groups.map((g) => g.toLowerCase()));
  const heldGroups = new Set<string>();
  for (const m of v.membershipsOf.get(user.userId) ?? []) {
    const name = v.groupName.get(m.groupId) ?? m.groupId;
    heldGroups.add(name.toLowerCase());
    if (allowedGroups.has(name.toLowerCase())) continue;
    out.actions.push(icAction(v.ic, user, 'remove-ic-membership', fields, { userId: user.userId, membershipId: m.membershipId, groupId: m.groupId, groupName: name }));
  }
  const allowed = (name: string, account: string): boolean => grant.permissionSets.some((p) => p.name === name && p.accounts.includes(account));
  const held = new Set<string>();
  for (const a of v.directOf.get(user.userId) ?? []) {
    const name = v.permissionSet.get(a.permissionSetArn)?.name ?? a.permissionSetArn;
    held.add(`${name}\u0000${a.accountId}`);
    if (allowed(name, a.accountId)) continue;
    out.actions.push(icAction(v.ic, user, 'delete-ic-assignment', fields, { userId: user.userId, accountId: a.accountId, permissionSetArn: a.permissionSetArn, permissionSetName: name }));
  }
  for (const m of v.membershipsOf.get(user.userId) ?? []) {
    for (const a of v.groupAssignmentsOf.get(m.groupId) ?? []) held.add(`${v.permissionSet.get(a.permissionSetArn)?.name ?? ''}\u0000${a.accountId}`);
  }
  const where = { account: v.ic.identityStoreId, userName: user.userName, person: ref };
  const role = person.role ?? '';
  for (const group of grant.groups) {
    if (heldGroups.has(group.toLowerCase()) || isReviewedIcException(context, person, v.ic.identityStoreId, { groupName: group })) continue;
    out.findings.push(makeFinding('missing-grant', 'low', 'least-privilege', where, `role ${role} grants Identity Center group ${group}, which this user is not in`));
  }
  for (const p of grant.permissionSets) {
    for (const account of p.accounts) {
      if (held.has(`${p.name}\u0000${account}`) || isReviewedIcException(context, person, v.ic.identityStoreId, { permissionSetName: p.name, accountId: account })) continue;
      out.findings.push(makeFinding('missing-grant', 'low', 'least-privilege', where, `role ${role} grants permission set ${p.name} in account ${account}, which this user cannot use`));
    }
  }
}

/** Whether an invalid roster row could be this user's (by the same rules): such a user is held back, never quarantined. */
function matchesInvalidRow(user: IcUser, rows: readonly RowIdentity[]): boolean {
  const name = user.userName.trim().toLowerCase();
  const emails = new Set(user.emails.map((e) => e.trim().toLowerCase()));
  return rows.some((row) => {
    const email = row.email?.toLowerCase();
    return (
      (row.employeeId !== undefined && user.externalIds.some((id) => id.trim() === row.employeeId?.trim())) ||
      (email !== undefined && (emails.has(email) || name === email || name === email.slice(0, email.lastIndexOf('@'))))
    );
  });
}

/** Turns the Deny requests into actions, one permission set at a time; a Deny that would not fit is a finding instead. */
function planDenies(v: IcView, out: Out): void {
  for (const [arn, requests] of out.denies) {
    const ps = v.permissionSet.get(arn);
    const parsed = v.policy.get(arn);
    const where = { account: v.ic.identityStoreId, userName: requests.map((r) => r.userName).join(', ') };
    if (ps === undefined) continue;
    if (parsed === undefined) {
      out.findings.push(
        makeFinding('session-deny-blocked', 'high', 'offboarding-24h', where, `permission set ${ps.name}: its inline policy is not a JSON policy document, so Warden cannot add its Deny without replacing it; sessions of these leavers are not ended there — fix the policy`),
      );
      continue;
    }
    const merged = renderInlinePolicy(parsed, [...parsed.denied, ...requests.map((r) => r.target.pattern)]) ?? '';
    if (merged.length > IC_INLINE_POLICY_MAX_CHARS) {
      out.findings.push(
        makeFinding(
          'session-deny-blocked',
          'high',
          'offboarding-24h',
          where,
          `permission set ${ps.name}: adding Warden's Deny would make its inline policy ${merged.length} characters, over AWS's ${IC_INLINE_POLICY_MAX_CHARS}; nothing was written, so live sessions may last up to ${ps.sessionSeconds / 3600} h — shorten the inline policy — ${citation('offboarding-24h')}`,
        ),
      );
      continue;
    }
    for (const request of requests) out.actions.push(request);
  }
}

/**
 * Drops patterns from Warden's Deny once they guard nothing: the user is gone, works here again, or has had no access for
 * longer than the longest session any permission set listing them can issue (so no session from before can be alive).
 */
function planReleases(context: PlanContext, v: IcView, match: (user: IcUser) => ReturnType<ReturnType<typeof createIcMatcher>>, out: Out): void {
  const { now } = context.input;
  const byPattern = new Map(v.ic.users.map((u) => [sessionPattern(u.userName), u]));
  const listing = new Map<string, IcPermissionSet[]>();
  for (const ps of v.ic.permissionSets) for (const pattern of v.policy.get(ps.arn)?.denied ?? []) push(listing, pattern, ps);
  for (const [pattern, sets] of listing) {
    const user = byPattern.get(pattern);
    if (user !== undefined && out.stopping.has(user.userId)) continue;
    let release = user === undefined;
    if (user !== undefined) {
      const m = match(user);
      const working = m.kind === 'matched' && !mustBeRevoked(phaseIn(context, m.person));
      const holdsNothing = (v.membershipsOf.get(user.userId) ?? []).length === 0 && (v.directOf.get(user.userId) ?? []).length === 0;
      const since = v.ic.noAccessSince?.get(user.userId);
      const longest = Math.max(...sets.map((ps) => ps.sessionSeconds)) * 1000;
      release = working || (holdsNothing && since !== undefined && now.getTime() >= since.getTime() + longest);
    }
    if (!release) continue;
    const userName = user?.userName ?? pattern.slice(2).replace(/\$\{([$*?])\}/g, '$1');
    for (const ps of sets) {
      out.actions.push(
        icAction(v.ic, { userName }, 'release-ic-session-deny', { reason: 'departed', control: 'offboarding-24h' }, { userId: user?.userId ?? '', permissionSetArn: ps.arn, permissionSetName: ps.name, pattern }),
      );
    }
  }
}

/**
 * IAM Identity Center (SPEC "Identity Center"): leavers lose every membership and direct assignment and get Warden's
 * Deny in each permission set they could use; after `deleteAfterDays` an `internal` user is deleted. Working people lose
 * what their role does not allow; users matching no one are findings (and with `orphans: quarantine`, stopped).
 */
export function planIdentityCenter(context: PlanContext): PlanPart & { readonly sessions: readonly IcLeaverSessions[] } {
  const { inventory, policy } = context.input;
  const out: Out = { actions: [], findings: [], denies: new Map(), stopping: new Set() };
  const leavers: { user: IcUser; person: Person }[] = [];
  if (inventory.identityCenterError !== undefined) {
    out.findings.push(
      makeFinding('identity-center-unreadable', 'high', 'offboarding-24h', {}, `IAM Identity Center could not be read (${inventory.identityCenterError}); leavers' SSO access is unchecked — ${citation('offboarding-24h')}`),
    );
  }
  const ic = inventory.identityCenter;
  if (ic === undefined) return { actions: out.actions, findings: out.findings, sessions: [] };
  const v = view(ic);
  const match = createIcMatcher(context.input.roster.people);
  for (const user of ic.users) {
    const m = match(user);
    const where = { account: ic.identityStoreId, userName: user.userName };
    switch (m.kind) {
      case 'matched': {
        const phase = phaseIn(context, m.person);
        if (mustBeRevoked(phase)) {
          stopAccess(v, user, { reason: 'departed', control: 'offboarding-24h', person: personRef(m.person) }, out, phase.kind === 'delete');
          leavers.push({ user, person: m.person });
        }
        else leastPrivilege(context, v, user, m.person, out);
        break;
      }
      case 'ambiguous': {
        const leaver = m.people.find((p) => mustBeRevoked(phaseIn(context, p)));
        const who = m.matches.map((r) => `${describeIcRule(r.rule)}: ${r.people.map((p) => p.email).join(', ')}`).join('; ');
        const what =
          leaver !== undefined
            ? `access stopped because ${leaver.email} has left; never deleted until the roster or the user's attributes say who it is`
            : `no automatic action until the roster or the user's attributes say who it is`;
        out.findings.push(
          makeFinding('ambiguous-identity', leaver !== undefined ? 'high' : 'medium', 'account-ownership', leaver !== undefined ? { ...where, person: personRef(leaver) } : where, `Identity Center user matches ${m.people.length} people — ${who}; ${what}`),
        );
        if (leaver !== undefined) {
          stopAccess(v, user, { reason: 'departed', control: 'offboarding-24h', person: personRef(leaver) }, out, false);
          leavers.push({ user, person: leaver });
        }
        break;
      }
      case 'unmatched':
        if (matchesInvalidRow(user, context.input.roster.invalidRowIdentities)) {
          out.findings.push(
            makeFinding('ambiguous-identity', 'medium', 'account-ownership', where, 'Identity Center user matches an invalid roster row; held back with no automatic action until the row is fixed'),
          );
          break;
        }
        out.findings.push(
          makeFinding(
            'orphan-user',
            'medium',
            'account-ownership',
            where,
            `no roster person matches this Identity Center user (${policy.orphans === 'quarantine' ? 'quarantined: memberships, assignments and sessions stopped' : 'reported only'}) — ${citation('account-ownership')}`,
          ),
        );
        if (policy.orphans === 'quarantine') stopAccess(v, user, { reason: 'orphan', control: 'account-ownership' }, out, false);
        break;
    }
  }
  planDenies(v, out);
  planReleases(context, v, match, out);
  return { actions: out.actions, findings: out.findings, sessions: leavers.flatMap((l) => leaverSessions(context, ic, l.user, l.person, out)) };
}

/** One leaver's Identity Center sessions, shaped as the plan's `sessions` entries (sessions.ts `LeaverSessions`). */
export interface IcLeaverSessions {
  readonly account: string;
  readonly userName: string;
  readonly person?: PersonRef;
  readonly summary: SessionSummary;
  readonly words: string;
  readonly principals: readonly { readonly arn: string; readonly exposure: SessionExposure; readonly words: string }[];
}

/**
 * A leaver's sessions on each permission set they could use: ended by Warden's Deny (verified at the audit log's "no
 * access left", or planned now), else alive until their last session expires. A run that acts on them cuts access now.
 */
function leaverSessions(context: PlanContext, ic: IdentityCenterInventory, user: IcUser, person: Person, out: Out): IcLeaverSessions[] {
  const { now, policy } = context.input;
  const mine = out.actions.filter((a) => a.account === ic.identityStoreId && a.userName === user.userName);
  const plannedDeny = new Set(mine.flatMap((a) => (a.kind === 'deny-ic-sessions' ? [a.target.permissionSetArn] : [])));
  const since = ic.noAccessSince?.get(user.userId);
  const principals = identityCenterSessionPrincipals(ic, user, since).map((p): SessionPrincipal =>
    plannedDeny.has(p.arn) ? { ...p, deny: { kind: 'identity-center-user', since: now } } : p,
  );
  if (principals.length === 0) return [];
  const accessEndedAt = mine.length > 0 ? now : (since ?? person.endAt ?? now);
  const exposures = principals.map((p) => ({ arn: p.arn, exposure: sessionExposure(p, accessEndedAt, now) }));
  const summary = summarizeSessions(exposures.map((e) => e.exposure), accessEndedAt);
  return [
    {
      account: ic.identityStoreId,
      userName: user.userName,
      person: personRef(person),
      summary,
      words: sessionSummaryWords(summary, policy.timezone),
      principals: exposures.map((e) => ({ ...e, words: sessionExposureWords(e.exposure, policy.timezone) })),
    },
  ];
}
