import { classifyTrailEvent, iamPoliciesByAccount, iamPrincipalsByAccount, type TrailClassification, type TrailEvent, type TrailPolicy, type TrailPrincipal } from '../../domain/trail';
import type { Action } from '../../domain/plan';
import type { AccountDirectory, Notifier } from '../../ports';
import type { UndoneChange } from '../../ports/trail';
import { applyPlan, computePlan, recordPlanRun, type ApplyReport, type ReconcileDeps } from '../reconcile';
import { errorText } from '../reconcile/common';
import { formatAuditPerson } from '../../domain/audit-chain';
import type { IdentityCenterInventory } from '../../domain/identity-center';
import { identityCenterPrincipals, identityCenterScope, identityCenterUndone } from './identity-center';

/**
 * Issue 15's response to access given back: classify CloudTrail events, re-plan only the IAM users they name (in the
 * accounts Warden manages), and apply through the same guard, audit and verification as every run. Warden's own calls,
 * failed calls and calls that take access away re-plan nobody, so its own re-revocation never triggers another.
 */

export interface TrailResponseDeps {
  /** The reconcile dependencies over every managed account (their directories are narrowed here). */
  readonly reconcile: ReconcileDeps;
  readonly policy: TrailPolicy;
}

export type TrailResponse =
  | { readonly kind: 'nothing-restored'; readonly ignored: number }
  | {
      readonly kind: 'responded';
      readonly restorations: readonly Extract<TrailClassification, { kind: 'restores' }>[];
      readonly report?: ApplyReport;
      readonly undone: readonly UndoneChange[];
      /** Principals Warden cannot re-plan here (an account it does not manage, Identity Center not wired). */
      readonly notReplanned: readonly string[];
      readonly error?: string;
    };

const lower = (s: string): string => s.toLowerCase();

const principalText = (p: TrailPrincipal): string => {
  switch (p.kind) {
    case 'iam-user':
      return `${p.account}/${p.userName}`;
    case 'iam-policy':
      return `${p.account} policy ${p.policyArn}`;
    case 'ic-user':
      return `identity-center user ${p.userId ?? p.userName ?? '?'}`;
    case 'ic-group':
      return `identity-center group ${p.groupId}`;
    case 'ic-permission-set':
      return `permission set ${p.permissionSetArn}`;
    default: {
      const never: never = p;
      return never;
    }
  }
};

/**
 * A directory that reads only the named users, and those a named policy is attached to (they are added to `selected`):
 * the plan, guard and verification then see only them.
 */
function narrowed(directory: AccountDirectory, userNames: readonly string[], policyArns: ReadonlySet<string>, selected: Set<string>): AccountDirectory {
  const wanted = new Set(userNames.map(lower));
  return {
    get account() {
      return directory.account;
    },
    inventory: async () => {
      const inventory = await directory.inventory();
      for (const u of inventory.users) if (u.attachedPolicies.some((p) => policyArns.has(p.arn))) wanted.add(lower(u.userName));
      for (const name of wanted) selected.add(`${inventory.account}\u0000${name}`);
      return { ...inventory, users: inventory.users.filter((u) => wanted.has(lower(u.userName))) };
    },
    describeUsers: (names) => directory.describeUsers(names.filter((n) => wanted.has(lower(n)))),
    execute: (action) => directory.execute(action),
  };
}

const accountOf = (directory: AccountDirectory): string | undefined => {
  try {
    return directory.account;
  } catch {
    return undefined;
  }
};

/** The run summary is this use case's own alert; guard trips still go to the channel. */
const withoutRunSummary = (inner: Notifier): Notifier => ({ notify: async (notice) => (notice.kind === 'run-summary' ? undefined : inner.notify(notice)) });

/** Classifies the events and, when any gave access back, re-plans and re-revokes exactly the users they name. */
export async function respondToTrailEvents(
  deps: TrailResponseDeps,
  events: readonly TrailEvent[],
  options: { readonly actor?: string; /** `plan`: a plan-only deployment records and alerts what it would undo, and changes nothing. */ readonly mode?: 'apply' | 'plan' } = {},
): Promise<TrailResponse> {
  const classified = events.map((event) => classifyTrailEvent(event, deps.policy));
  const restorations = classified.filter((c): c is Extract<TrailClassification, { kind: 'restores' }> => c.kind === 'restores');
  if (restorations.length === 0) return { kind: 'nothing-restored', ignored: classified.length };

  const reconcile = deps.reconcile;
  const byAccount = iamPrincipalsByAccount(restorations);
  const policies = iamPoliciesByAccount(restorations);
  const directories: AccountDirectory[] = [];
  const notReplanned: string[] = [];
  // Every IAM user re-planned, as `ACCOUNT\0name` (lowercase): the named ones, and whoever holds a named policy.
  const selected = new Set<string>();
  for (const account of new Set([...byAccount.keys(), ...policies.keys()])) {
    const names = byAccount.get(account) ?? [];
    const arns = policies.get(account) ?? new Set<string>();
    const directory = reconcile.directories.find((d) => accountOf(d) === account);
    if (directory === undefined) notReplanned.push(...names.map((n) => `${account}/${n} (account not managed by Warden)`), ...[...arns].map((arn) => `${account} policy ${arn} (account not managed by Warden)`));
    else directories.push(narrowed(directory, names, arns, selected));
  }
  const icPrincipals = identityCenterPrincipals(restorations);
  const identityCenter = icPrincipals.length > 0 ? reconcile.identityCenter : undefined;
  if (icPrincipals.length > 0 && identityCenter === undefined) notReplanned.push(...icPrincipals.map((p) => `${principalText(p)} (Identity Center is not configured here)`));

  let report: ApplyReport | undefined;
  let icRead: IdentityCenterInventory | undefined;
  let planOnly: UndoneChange[] | undefined;
  let error: string | undefined;
  // Warden's deny-all, as the re-plan read it, no longer denies everything: nothing it is attached to is contained.
  let denyAllIneffective = false;
  if (directories.length > 0 || identityCenter !== undefined) {
    let icOnly: (action: Action) => boolean = () => false;
    const only = (action: Action): boolean => selected.has(`${action.account}\u0000${lower(action.userName)}`) || icOnly(action);
    // A partial view of the accounts: no access snapshot (it would read as "everyone else's access ended"), no hosts.
    // Identity Center is read whole (Warden's Deny and group assignments need it) but only the named principals' actions run.
    const { evidence, hosts: _hosts, identityCenter: _ic, ...rest } = reconcile;
    const anchors = evidence?.anchors;
    const scoped: ReconcileDeps = {
      ...rest,
      directories,
      ...(identityCenter !== undefined ? { identityCenter } : {}),
      notifier: withoutRunSummary(reconcile.notifier),
      ...(anchors !== undefined ? { evidence: { anchors } } : {}),
    };
    try {
      const planned = await computePlan(scoped);
      denyAllIneffective = planned.plan.findings.some((f) => f.kind === 'deny-all-ineffective');
      const ic = planned.inventory.identityCenter;
      icRead = ic;
      if (identityCenter !== undefined && ic !== undefined) icOnly = identityCenterScope(icPrincipals, ic).only;
      else if (identityCenter !== undefined) notReplanned.push(...icPrincipals.map((p) => `${principalText(p)} (Identity Center could not be read: ${planned.inventory.identityCenterError ?? 'unknown'})`));
      if (options.mode === 'plan') {
        await recordPlanRun(scoped, planned, options.actor ?? 'system');
        planOnly = planned.plan.actions.filter(only).map((a) => ({
          kind: a.kind,
          account: a.account,
          userName: a.userName,
          result: 'skipped' as const,
          error: 'plan-only deployment: not applied',
          ...(a.person !== undefined ? { person: formatAuditPerson(a.person) } : {}),
        }));
      } else {
        report = await applyPlan(scoped, planned, { actor: options.actor ?? 'system', only });
      }
    } catch (e) {
      error = errorText(e);
    }
  }

  const undone: UndoneChange[] = planOnly ?? (report?.results ?? []).map((r) => ({
    kind: r.action.kind,
    account: r.action.account,
    userName: r.action.userName,
    result: r.outcome.result,
    ...(r.outcome.result === 'failed' ? { error: r.outcome.error } : {}),
    ...(r.action.person !== undefined ? { person: formatAuditPerson(r.action.person) } : {}),
  }));
  const verified =
    error === undefined && planOnly === undefined && !denyAllIneffective && (report?.verifications ?? []).every((v) => v.verified) && undone.every((u) => u.result !== 'failed');
  const runId = report?.runId ?? `trail-${reconcile.clock.now().toISOString()}`;
  await auditRestorations(reconcile, runId, options.actor ?? 'system', restorations, undone, verified, error, icRead, selected);
  // A changed deny-all is news even when nobody holds it yet: it would stop nobody it is attached to from now on.
  const policyChanged = restorations.some((r) => r.principals.some((p) => p.kind === 'iam-policy'));
  if (undone.length > 0 || error !== undefined || report?.outcome === 'guard-tripped' || policyChanged) {
    await reconcile.notifier.notify({
      kind: 'access-restored',
      runId,
      events: restorations.map((r) => ({ event: r.event, what: r.what, principals: r.principals.map(principalText) })),
      undone: error !== undefined ? [...undone, { kind: 're-plan', account: '-', userName: '-', result: 'failed', error }] : undone,
      verified,
    });
  }
  return { kind: 'responded', restorations, ...(report !== undefined ? { report } : {}), undone, notReplanned, ...(error !== undefined ? { error } : {}) };
}

/** One `trail.access-restored` entry per event: who gave access back, when, from where, and what Warden undid for it. */
async function auditRestorations(
  deps: ReconcileDeps,
  runId: string,
  actor: string,
  restorations: readonly Extract<TrailClassification, { kind: 'restores' }>[],
  undone: readonly UndoneChange[],
  verified: boolean,
  error: string | undefined,
  ic: IdentityCenterInventory | undefined,
  selected: ReadonlySet<string>,
): Promise<void> {
  for (const r of restorations) {
    const policyAccounts = new Set(r.principals.flatMap((p) => (p.kind === 'iam-policy' ? [p.account] : [])));
    // A named policy's event answers for every user re-planned in its account who holds it (the narrowing selected them).
    const holders = undone.filter((u) => policyAccounts.has(u.account) && selected.has(`${u.account}\u0000${lower(u.userName)}`));
    const users = [...r.principals.flatMap((p) => (p.kind === 'iam-user' ? [p] : [])), ...holders.map((u) => ({ account: u.account, userName: u.userName }))];
    const icUndone = r.plane === 'identity-center' && ic !== undefined ? identityCenterUndone(undone, identityCenterPrincipals([r]), ic) : [];
    const mine = [...undone.filter((u) => users.some((p) => p.account === u.account && lower(p.userName) === lower(u.userName))), ...icUndone];
    const failed = error !== undefined || mine.some((u) => u.result === 'failed');
    const first = users[0] ?? icUndone[0];
    const person = mine.find((u) => u.person !== undefined)?.person;
    await deps.audit.append({
      runId,
      actor,
      action: 'trail.access-restored',
      ...(first !== undefined ? { account: first.account, target: first.userName } : {}),
      ...(person !== undefined ? { person } : {}),
      reason: r.what,
      result: failed ? 'failed' : mine.some((u) => u.result === 'ok') ? 'ok' : 'skipped',
      before: {
        eventId: r.event.eventId,
        eventName: r.event.eventName,
        eventTime: r.event.eventTime.toISOString(),
        restoredBy: r.event.actor.arn ?? r.event.actor.userName ?? r.event.actor.type,
        ...(r.event.actor.accessKeyId !== undefined ? { restoredWithKey: r.event.actor.accessKeyId } : {}),
        sourceIp: r.event.sourceIp,
        principals: r.principals.map(principalText),
      },
      after: { undone: mine, verified: verified && !failed },
      ...(error !== undefined ? { error } : mine.length === 0 ? { error: 'nothing to undo: the re-plan found no change (e.g. not a leaver)' } : {}),
    });
  }
}
