import { randomBytes } from 'node:crypto';
import type { AccountInventory, HostInventory, IamUser, IamUserDetail, Inventory } from '../../domain/inventory';
import type { Action, Finding, Plan } from '../../domain/plan';
import type { AccessPolicy, GuardPolicy } from '../../domain/policy';
import type { Roster } from '../../domain/roster';
import type { ReviewedRevocation } from '../../domain/reviews/types';
import { plan as planAccess, usersNeedingDetail } from '../../domain/planner';
import { evaluateGuard, withGuard } from '../../domain/guard';
import { ownersFromRoster } from '../../domain/evidence/owners';
import type { AnchorSink, SnapshotStore } from '../../ports/evidence';
import type { AccessSnapshot } from '../../domain/evidence/snapshot';
import { recordSnapshot } from '../evidence';
import { joinerQuarantines } from '../policy/quarantine';
import { allAttempted, Semaphore } from '../../lib/concurrency';
import { ExitCode, WardenError } from '../../errors';
import type { AccountDirectory, ActionOutcome, AuditLog, Clock, HostFleet, Notifier, RosterSource, RunStateStore } from '../../ports';
import { errorText } from './common';
import type { IdentityCenterPlane } from '../../ports/identity-center';
import { readIdentityCenter } from './identity-center';
import { withNoAccessSince } from './access-ended';
import { detailFor, rosterNamedLeavers, startEarlyDetail, type EarlyDetail } from './early-detail';

/** Progress of a long run, for a TTY progress line or structured logs. */
export type ProgressEvent =
  | { readonly kind: 'phase'; readonly phase: 'roster' | 'inventory' | 'detail' | 'plan' | 'apply' | 'verify' | 'hosts' }
  | { readonly kind: 'account-read'; readonly account: string; readonly users: number }
  | { readonly kind: 'action-done'; readonly done: number; readonly total: number; readonly action: Action; readonly outcome: ActionOutcome };

/** Everything a reconciliation needs; composition roots (CLI, Lambda, daemon) build this once. */
export interface ReconcileDeps {
  readonly roster: RosterSource;
  /**
   * Departures marked outside the roster (Slack), laid over it before planning: read alongside the roster (`now` is the
   * run's start), the answer is what lays them over it.
   */
  readonly overlayRoster?: (now: Date) => Promise<(roster: Roster) => Roster>;
  readonly directories: readonly AccountDirectory[];
  readonly hosts?: HostFleet;
  /** IAM Identity Center (config `identityCenter`). */
  readonly identityCenter?: IdentityCenterPlane;
  readonly audit: AuditLog;
  readonly runs: RunStateStore;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly policy: AccessPolicy;
  readonly guard: GuardPolicy;
  readonly progress?: (event: ProgressEvent) => void;
  /** How many IAM users (and hosts) are changed at once (per-user actions stay sequential). */
  readonly concurrency?: number;
  /** Point-in-time evidence: each run's inventory snapshot, and the audit chain head anchored outside the store. */
  readonly evidence?: EvidenceDeps;
  /** What access reviews revoked (taken away again wherever held; role-granted ones are not reported missing). */
  readonly reviewedRevocations?: () => Promise<readonly ReviewedRevocation[]>;
}

export interface EvidenceDeps {
  readonly snapshots?: SnapshotStore;
  /** Where the chain head goes after each run (file, SSM parameter, Slack); needs an anchorable audit log. */
  readonly anchors?: readonly AnchorSink[];
  /** Host account name -> roster email, to attribute host keys in snapshots (config `hosts.userMap`). */
  readonly hostUserMap?: Readonly<Record<string, string>>;
}

/** A freshly computed plan with what it was computed from. */
export interface PlannedRun {
  readonly runId: string;
  readonly startedAt: Date;
  readonly plan: Plan;
  readonly roster: Roster;
  readonly inventory: Inventory;
  readonly activeHeadcount: number;
}

const newRunId = (now: Date): string => `run-${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;

const stillEmployed = (roster: Roster): number => roster.people.filter((p) => p.status !== 'departed').length;

/** Adds live detail to the users asked about; one that vanished since the bulk read is dropped (it has no access left). */
const withDetail = (account: AccountInventory, asked: readonly string[], details: ReadonlyMap<string, IamUserDetail>): AccountInventory => {
  const askedSet = new Set(asked);
  return {
    ...account,
    users: account.users.flatMap((user): IamUser[] => {
      const detail = details.get(user.userName);
      if (detail !== undefined) return [{ ...user, detail }];
      return askedSet.has(user.userName) ? [] : [user];
    }),
  };
};

const UNKNOWN_ACCOUNT = '(current credentials)';

/** A directory's account id, or a label when it is only learnt from the first inventory. */
function accountLabel(directory: AccountDirectory): string {
  try {
    return directory.account;
  } catch {
    return UNKNOWN_ACCOUNT;
  }
}

/** Bulk inventories read at once: each holds a whole account's users in memory until it is planned. */
const INVENTORY_CONCURRENCY = 4;

/**
 * Reads every account: its bulk inventory (a few at a time), then at once its leavers' live detail. Each account has
 * its own IAM throttle, so an account's live reads start as soon as its own inventory is in, without waiting for the
 * other accounts' inventories, and run alongside every other account's.
 */
async function readAccounts(deps: ReconcileDeps, people: Promise<People>): Promise<Pick<Inventory, 'accounts' | 'accountErrors'>> {
  const inventories = new Semaphore(INVENTORY_CONCURRENCY);
  const early = ({ roster, reviews }: People) => (account: string): string[] => rosterNamedLeavers({ roster, account, policy: deps.policy, now: deps.clock.now(), reviews });
  const settled = await Promise.all(
    deps.directories.map(async (directory) => {
      // The leavers HR names by user name are read as soon as the roster is in, alongside the inventory (early-detail.ts).
      const head = people.then((p) => startEarlyDetail(directory, early(p)));
      head.catch(() => undefined); // a roster that cannot be read is reported by computePlan, which awaits it first
      let inventory: AccountInventory;
      try {
        inventory = await inventories.run(() => directory.inventory());
        deps.progress?.({ kind: 'account-read', account: inventory.account, users: inventory.users.length });
      } catch (error) {
        await head.catch(() => undefined); // its early reads end with the account, not after the run
        return { ok: false as const, account: accountLabel(directory), message: errorText(error), error };
      }
      const { roster, reviews } = await people;
      return { ok: true as const, inventory: await withLeaverDetail(deps, directory, roster, inventory, reviews, await head) };
    }),
  );
  const failures = settled.flatMap((s) => (s.ok ? [] : [s]));
  const first = failures[0];
  if (first !== undefined && failures.length === settled.length) {
    // Nothing could be read: a plan from no inventory would be empty and misleading, so stop here.
    // The adapter's message already names the account and the API that failed.
    throw new WardenError(first.message, ExitCode.runtime, { cause: first.error });
  }
  return {
    accounts: settled.flatMap((s) => (s.ok ? [s.inventory] : [])),
    accountErrors: settled.flatMap((s) => (s.ok ? [] : [{ account: s.account, message: s.message }])),
  };
}

/** One account's inventory with live detail of the users the plan may act on (leavers, quarantined orphans). */
async function withLeaverDetail(
  deps: ReconcileDeps,
  directory: AccountDirectory,
  roster: Roster,
  account: AccountInventory,
  reviews: readonly ReviewedRevocation[],
  early: EarlyDetail,
): Promise<AccountInventory> {
  const inventory: Inventory = { accounts: [account], accountErrors: [], hosts: [] };
  const names = usersNeedingDetail({ roster, inventory, policy: deps.policy, now: deps.clock.now(), reviews }).find((w) => w.account === account.account)?.userNames ?? [];
  if (names.length === 0) return account;
  return withDetail(account, names, await detailFor(directory, names, early));
}

/** The roster (with the departures marked in Slack laid over it) and what access reviews revoked. */
interface People {
  readonly roster: Roster;
  readonly reviews: readonly ReviewedRevocation[];
}

/** Read at once; a roster problem is the one reported, once the other read has ended too. */
async function readPeople(deps: ReconcileDeps, now: Date): Promise<People> {
  const [roster, reviews] = await allAttempted([loadRoster(deps, now), deps.reviewedRevocations?.() ?? Promise.resolve([])]);
  return { roster, reviews };
}

/**
 * The roster with the departures marked in Slack laid over it. The two are read at once (neither needs the other); a
 * roster that cannot be read is reported once the departures read has ended, so nothing a run started outlives it.
 */
export async function loadRoster(deps: Pick<ReconcileDeps, 'roster' | 'overlayRoster'>, now: Date): Promise<Roster> {
  const [base, overlay] = await allAttempted([deps.roster.load(), deps.overlayRoster?.(now) ?? Promise.resolve(undefined)]);
  return overlay === undefined ? base : overlay(base);
}

async function readHosts(deps: ReconcileDeps): Promise<readonly HostInventory[]> {
  if (deps.hosts === undefined) return [];
  deps.progress?.({ kind: 'phase', phase: 'hosts' });
  return deps.hosts.inventory();
}

/** Reads roster and AWS and computes the guarded plan. Writes nothing to AWS; records the inventory snapshot when evidence is configured. */
export async function computePlan(deps: ReconcileDeps): Promise<PlannedRun> {
  const startedAt = deps.clock.now();
  // Reads that depend on nothing else go out at once: the last run (for the guard), and each account's bulk IAM
  // inventory, which needs no roster and takes the longest. A roster that cannot be read still stops the run with
  // its own error, nothing written, and hosts and Identity Center are read only after the roster. The reads already
  // in flight are let finish first: nothing a run started may outlive it (a Lambda invocation would otherwise carry
  // them into the next one).
  const lastRun = deps.runs.lastCompleted();
  lastRun.catch(() => undefined); // awaited below, once a roster problem has had the chance to be the error reported
  // The snapshot this run's completes (what it could not read keeps its last known state): read with the rest, so that
  // saving this run's is one step once the inventory is in. Its failure is the snapshot's finding, reported there.
  const previousSnapshot = deps.evidence?.snapshots?.latest();
  previousSnapshot?.catch(() => undefined);
  deps.progress?.({ kind: 'phase', phase: 'roster' });
  const people = readPeople(deps, startedAt);
  const iam = readAccounts(deps, people);
  iam.catch(() => undefined); // likewise
  let roster: Roster;
  let reviews: readonly ReviewedRevocation[];
  try {
    ({ roster, reviews } = await people);
  } catch (error) {
    await Promise.allSettled([iam, lastRun, previousSnapshot]);
    throw error;
  }
  deps.progress?.({ kind: 'phase', phase: 'inventory' });
  const [accounts, hosts, identityCenter] = await Promise.all([iam, readHosts(deps), readIdentityCenter(deps.identityCenter, deps.audit)]);
  let inventory: Inventory = { ...accounts, hosts, ...identityCenter };
  const now = deps.clock.now();

  // Each account's leavers were read live as soon as its inventory was in. One more look with the whole inventory and
  // the clock as it is now catches anyone that did not show (a departure that took effect while reading): usually none.
  deps.progress?.({ kind: 'phase', phase: 'detail' });
  const wanted = usersNeedingDetail({ roster, inventory, policy: deps.policy, now, reviews });
  const detailed = await Promise.all(
    inventory.accounts.map(async (account) => {
      const names = (wanted.find((w) => w.account === account.account)?.userNames ?? []).filter((name) => account.users.some((u) => u.userName === name && u.detail === undefined));
      const directory = deps.directories.find((d) => d.account === account.account);
      if (names.length === 0 || directory === undefined) return account;
      return withDetail(account, names, await directory.describeUsers(names));
    }),
  );
  inventory = { ...inventory, accounts: await withNoAccessSince(deps.audit, detailed, wanted, now) };

  deps.progress?.({ kind: 'phase', phase: 'plan' });
  // The snapshot needs only what was read: it is saved while the plan is computed (its store's round trips overlap the
  // planning), and awaited before the plan is answered, whose finding its failure is.
  const runId = newRunId(startedAt);
  const activeHeadcount = stillEmployed(roster);
  const planning = async (): Promise<Plan> => {
    const quarantined = await joinerQuarantines(deps.audit, inventory, deps.policy);
    const unguarded = planAccess({ roster, inventory, policy: deps.policy, now, reviews, ...(quarantined !== undefined ? { quarantined } : {}) });
    const last = await lastRun;
    const guard = evaluateGuard({
      plan: unguarded,
      activeHeadcount,
      ...(last !== undefined ? { lastActiveHeadcount: last.activeHeadcount } : {}),
      policy: deps.guard,
    });
    return withGuard(unguarded, guard);
  };
  // A planning error is thrown once the snapshot has ended: nothing a run started outlives it.
  const [snapshotProblem, guarded] = await allAttempted([snapshotRun(deps, { runId, at: startedAt, roster, inventory, previous: previousSnapshot }), planning()]);
  return { runId, startedAt, plan: snapshotProblem === undefined ? guarded : withFinding(guarded, snapshotProblem), roster, inventory, activeHeadcount };
}

/**
 * Stores the inventory snapshot for point-in-time evidence. A failure is a finding, never a
 * stopped run: evidence must not hold up a leaver's revocation.
 */
async function snapshotRun(
  deps: ReconcileDeps,
  run: { runId: string; at: Date; roster: Roster; inventory: Inventory; previous: Promise<AccessSnapshot | undefined> | undefined },
): Promise<Finding | undefined> {
  const snapshots = deps.evidence?.snapshots;
  if (snapshots === undefined) return undefined;
  const { runId, at, roster, inventory, previous } = run;
  try {
    await recordSnapshot(snapshots, {
      runId,
      at,
      inventory,
      ...(previous !== undefined ? { previous } : {}),
      owners: ownersFromRoster(roster, deps.policy.identity, deps.evidence?.hostUserMap ?? {}),
      denyAllPolicyName: deps.policy.denyAllPolicyName,
      hostsRead: deps.hosts !== undefined,
      identityCenterRead: deps.identityCenter !== undefined,
    });
    return undefined;
  } catch (error) {
    return {
      kind: 'snapshot-unavailable',
      severity: 'medium',
      control: 'access-logging',
      detail: `this run's access snapshot could not be stored (${errorText(error)}); point-in-time answers will skip it`,
    };
  }
}

const withFinding = (plan: Plan, finding: Finding): Plan => ({
  ...plan,
  findings: [...plan.findings, finding],
  summary: { ...plan.summary, findings: plan.summary.findings + 1 },
});

