import { createIdentityMatcher } from '../../domain/identity';
import { pendingPaths, type Departure, type DeparturePerson, type PathStatus } from '../../domain/departure-lifecycle';
import type { AccountInventory, IamUser } from '../../domain/inventory';
import { assertNever, type Action, type Finding, type GuardResult } from '../../domain/plan';
import type { AccessPolicy } from '../../domain/policy';
import { adminRights } from '../../domain/policy-checks/admin-rights';
import type { Person } from '../../domain/roster';
import { computePlan, type PlannedRun } from '../reconcile';
import { lower, withDepartureOverlay, type OffboardingDeps, type SecondApproverRule } from './deps';
import { breakGlassNamesOf, personOf, type DepartureDraft } from './form';

/** What confirming a departure would revoke, and how many HR approvals it needs (admin rights need two). Reads, writes nothing. */

export { adminRights };

/** How many approvals a departure needs under the configured rule. */
export function requiredApprovals(rule: SecondApproverRule, holdsAdmin: boolean): number {
  switch (rule) {
    case 'none':
      return 1;
    case 'admins':
      return holdsAdmin ? 2 : 1;
    case 'all':
      return 2;
    default:
      return assertNever(rule);
  }
}

/** Exactly what confirming would revoke for one person, computed by the planner; nothing is written. */
export interface DeparturePreview {
  readonly draft: DepartureDraft;
  /** The person as the roster has them (with roster fields the draft lacked). */
  readonly person: DeparturePerson;
  readonly actions: readonly Action[];
  readonly findings: readonly Finding[];
  /** Reasons confirming is refused (break-glass, not on the roster, ambiguous identity). */
  readonly blockers: readonly string[];
  readonly adminReasons: readonly string[];
  readonly requiredApprovals: number;
  readonly guard: GuardResult;
  readonly paths: readonly PathStatus[];
  /** The person's live sessions once confirmed: `sessions ended at …` / `sessions may live until …`, per IAM user. */
  readonly sessions: readonly string[];
  readonly planned: PlannedRun;
}

/** The actions a departure run applies for these people: their revocations, never a deletion (that is the scheduled run's). */
export const departureActionFilter =
  (emails: ReadonlySet<string>) =>
  (action: Action): boolean =>
    action.person !== undefined &&
    emails.has(lower(action.person.email)) &&
    action.reason === 'departed' &&
    action.kind !== 'delete-user' &&
    action.kind !== 'delete-ic-user';

/** A provisional departure for the draft, effective now at the latest so the planner shows what would be revoked. */
const provisional = (draft: DepartureDraft, now: Date): Departure => ({
  id: draft.id,
  person: draft.person,
  effectiveAt: draft.effectiveAt.getTime() < now.getTime() ? draft.effectiveAt : now,
  timezone: draft.timezone,
  markedBy: draft.requestedBy,
  status: 'scheduled',
  approvals: [],
  requiredApprovals: 1,
  createdAt: now,
  paths: [],
  attempts: 0,
});

interface PersonAccess {
  readonly users: readonly { readonly account: AccountInventory; readonly user: IamUser }[];
  readonly breakGlassUsers: readonly string[];
  readonly ambiguousUsers: readonly string[];
}

/** The IAM users that are this person's, that would be theirs but are break-glass, or that are ambiguous. */
function accessOf(planned: PlannedRun, person: Person, policy: AccessPolicy): PersonAccess {
  const matcher = createIdentityMatcher(planned.roster.people, planned.roster.invalidRowIdentities, policy.identity);
  const glass = new Set(policy.breakGlass.map(lower));
  const users: { account: AccountInventory; user: IamUser }[] = [];
  const breakGlassUsers: string[] = [];
  const ambiguousUsers: string[] = [];
  for (const account of planned.inventory.accounts) {
    for (const user of account.users) {
      const match = matcher.match(user);
      const mine = match.kind === 'matched' ? match.person === person : match.kind === 'unmatched' ? false : match.people.includes(person);
      if (!mine) continue;
      const label = `${account.account}/${user.userName}`;
      if (glass.has(lower(user.userName))) breakGlassUsers.push(label);
      else if (match.kind === 'matched') users.push({ account, user });
      else ambiguousUsers.push(label);
    }
  }
  return { users, breakGlassUsers, ambiguousUsers };
}

/** Plans the departure as if it took effect now and picks out this person's part. Reads, writes nothing. */
export async function previewDeparture(deps: OffboardingDeps, draft: DepartureDraft): Promise<DeparturePreview> {
  const now = deps.reconcile.clock.now();
  const planned = await computePlan(withDepartureOverlay(deps, [provisional(draft, now)]));
  return previewFrom(deps, draft, planned);
}

function previewFrom(deps: OffboardingDeps, draft: DepartureDraft, planned: PlannedRun): DeparturePreview {
  const policy = deps.reconcile.policy;
  const email = lower(draft.person.email);
  const person = planned.roster.people.find((p) => lower(p.email) === email);
  const blockers: string[] = [];
  let adminReasons: string[] = [];
  const mineOnly = departureActionFilter(new Set([email]));
  const actions = planned.plan.actions.filter(mineOnly);
  if (person === undefined) {
    blockers.push(`${email} is not on the HR roster.`);
  } else {
    blockers.push(...breakGlassNamesOf(person, policy.breakGlass).map((name) => `${email} is on the break-glass list (${name}); break-glass access is never revoked automatically.`));
    const access = accessOf(planned, person, policy);
    if (access.breakGlassUsers.length > 0) {
      blockers.push(`${email} would match break-glass user ${access.breakGlassUsers.join(', ')}; break-glass access is never revoked automatically.`);
    }
    // An IAM user that also matches someone else (a tag naming a colleague, say) is no blocker: the planner stops its
    // access once this person has left, so a leaver cannot hold up their own offboarding by retagging their user.
    adminReasons = access.users.flatMap(({ account, user }) => adminRights(user, account.groups, account.managedPolicyDocuments));
  }
  const departureErrors = planned.roster.errors.filter((e) => e.source === 'departures' && e.message.toLowerCase().includes(email));
  blockers.push(...departureErrors.map((e) => e.message));
  const findings = planned.plan.findings.filter((f) => f.person !== undefined && lower(f.person.email) === email);
  return {
    draft,
    person: person !== undefined ? personOf(person, draft.person.slackId !== undefined ? { kind: 'slack', slackId: draft.person.slackId } : undefined) : draft.person,
    actions,
    findings,
    blockers: [...new Set(blockers)],
    adminReasons,
    requiredApprovals: requiredApprovals(deps.secondApproverFor, adminReasons.length > 0),
    guard: planned.plan.guard,
    paths: pendingPaths(actions),
    sessions: (planned.plan.sessions ?? []).filter((x) => x.person !== undefined && lower(x.person.email) === email).map((x) => `${x.account}/${x.userName}: ${x.words}`),
    planned,
  };
}
