import { randomBytes } from 'node:crypto';
import type { AccountInventory, HostInventory, IamUser, IamUserDetail, Inventory } from '../domain/inventory';
import { isRevocation, type Action, type Finding, type Plan } from '../domain/plan';
import type { AccessPolicy, GuardPolicy } from '../domain/policy';
import type { Roster } from '../domain/roster';
import { plan as planAccess, usersNeedingDetail } from '../domain/planner';
import { hostPrincipal, isHostAction, remainingOnHost } from '../domain/planning/hosts';
import { evaluateGuard, withGuard } from '../domain/guard';
import { actionHolds, actionUnverifiable, remainingAccess, unverifiedPaths } from '../domain/verification';
import { denyAllPolicyArn } from '../domain/policy-documents';
import { formatAuditPerson } from '../domain/audit-chain';
import { ownersFromRoster } from '../domain/evidence/owners';
import { isAnchorable, type AnchorSink, type SnapshotStore } from '../ports/evidence';
import { anchorHead, recordSnapshot, type AnchorOutcome } from './evidence';
import { mapLimit, Semaphore } from '../lib/concurrency';
import { ExitCode, WardenError } from '../errors';
import type {
  AccountDirectory,
  ActionOutcome,
  AuditLog,
  Clock,
  HostFleet,
  Notifier,
  RosterSource,
  RunStateStore,
} from '../ports';

/** Progress of a long run, for a TTY progress line or structured logs. */
export type ProgressEvent =
  | { readonly kind: 'phase'; readonly phase: 'roster' | 'inventory' | 'detail' | 'plan' | 'apply' | 'verify' | 'hosts' }
  | { readonly kind: 'account-read'; readonly account: string; readonly users: number }
  | { readonly kind: 'action-done'; readonly done: number; readonly total: number; readonly action: Action; readonly outcome: ActionOutcome };

/** Everything a reconciliation needs; composition roots (CLI, Lambda, daemon) build this once. */
export interface ReconcileDeps {
  readonly roster: RosterSource;
  /** Adds departures marked outside the roster (Slack) before planning. */
  readonly overlayRoster?: (roster: Roster, now: Date) => Promise<Roster>;
  readonly directories: readonly AccountDirectory[];
  readonly hosts?: HostFleet;
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

export interface ActionRecord {
  readonly action: Action;
  readonly outcome: ActionOutcome;
}

export interface VerificationRecord {
  readonly account: string;
  readonly userName: string;
  readonly verified: boolean;
  /** The user was a leaver's or orphan's and nothing is left open (or it was deleted). */
  readonly noAccessLeft: boolean;
  /** Access paths still open (empty when verified). */
  readonly remaining: readonly string[];
}

export interface ApplyReport {
  readonly runId: string;
  readonly plan: Plan;
  readonly outcome: 'ok' | 'guard-tripped' | 'partial';
  readonly results: readonly ActionRecord[];
  readonly verifications: readonly VerificationRecord[];
  /** Where the audit chain head was anchored after the run (absent when no anchors are configured). */
  readonly anchor?: AnchorOutcome;
}

export interface ApplyOptions {
  /** `system`, `slack:U…` or `cli:NAME`. */
  readonly actor: string;
  /** Apply despite a tripped guard; who and why are audited. */
  readonly override?: { readonly by: string; readonly reason: string };
  /** Restrict the run to some actions (e.g. one person's offboarding from Slack). */
  readonly only?: (action: Action) => boolean;
  /**
   * Stops starting new actions once aborted (graceful shutdown): actions under way finish and are
   * audited and verified; the rest stay in the next run's plan.
   */
  readonly signal?: AbortSignal;
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
async function readAccounts(deps: ReconcileDeps, roster: Roster): Promise<Pick<Inventory, 'accounts' | 'accountErrors'>> {
  const inventories = new Semaphore(INVENTORY_CONCURRENCY);
  const settled = await Promise.all(
    deps.directories.map(async (directory) => {
      let inventory: AccountInventory;
      try {
        inventory = await inventories.run(() => directory.inventory());
        deps.progress?.({ kind: 'account-read', account: inventory.account, users: inventory.users.length });
      } catch (error) {
        return { ok: false as const, account: accountLabel(directory), message: errorText(error), error };
      }
      return { ok: true as const, inventory: await withLeaverDetail(deps, directory, roster, inventory) };
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
async function withLeaverDetail(deps: ReconcileDeps, directory: AccountDirectory, roster: Roster, account: AccountInventory): Promise<AccountInventory> {
  const inventory: Inventory = { accounts: [account], accountErrors: [], hosts: [] };
  const names = usersNeedingDetail({ roster, inventory, policy: deps.policy, now: deps.clock.now() }).find((w) => w.account === account.account)?.userNames ?? [];
  if (names.length === 0) return account;
  return withDetail(account, names, await directory.describeUsers(names));
}

async function readHosts(deps: ReconcileDeps): Promise<readonly HostInventory[]> {
  if (deps.hosts === undefined) return [];
  deps.progress?.({ kind: 'phase', phase: 'hosts' });
  return deps.hosts.inventory();
}

/** Reads roster and AWS and computes the guarded plan. Writes nothing to AWS; records the inventory snapshot when evidence is configured. */
export async function computePlan(deps: ReconcileDeps): Promise<PlannedRun> {
  const startedAt = deps.clock.now();
  deps.progress?.({ kind: 'phase', phase: 'roster' });
  const base = await deps.roster.load();
  const roster = deps.overlayRoster === undefined ? base : await deps.overlayRoster(base, startedAt);
  deps.progress?.({ kind: 'phase', phase: 'inventory' });
  const [accounts, hosts] = await Promise.all([readAccounts(deps, roster), readHosts(deps)]);
  let inventory: Inventory = { ...accounts, hosts };
  const now = deps.clock.now();

  // Each account's leavers were read live as soon as its inventory was in. One more look with the whole inventory and
  // the clock as it is now catches anyone that did not show (a departure that took effect while reading): usually none.
  deps.progress?.({ kind: 'phase', phase: 'detail' });
  const wanted = usersNeedingDetail({ roster, inventory, policy: deps.policy, now });
  const detailed = await Promise.all(
    inventory.accounts.map(async (account) => {
      const names = (wanted.find((w) => w.account === account.account)?.userNames ?? []).filter((name) => account.users.some((u) => u.userName === name && u.detail === undefined));
      const directory = deps.directories.find((d) => d.account === account.account);
      if (names.length === 0 || directory === undefined) return account;
      return withDetail(account, names, await directory.describeUsers(names));
    }),
  );
  inventory = { ...inventory, accounts: detailed };

  deps.progress?.({ kind: 'phase', phase: 'plan' });
  const unguarded = planAccess({ roster, inventory, policy: deps.policy, now });
  const activeHeadcount = stillEmployed(roster);
  const last = await deps.runs.lastCompleted();
  const guard = evaluateGuard({
    plan: unguarded,
    activeHeadcount,
    ...(last !== undefined ? { lastActiveHeadcount: last.activeHeadcount } : {}),
    policy: deps.guard,
  });
  const runId = newRunId(startedAt);
  const snapshotProblem = await snapshotRun(deps, runId, startedAt, roster, inventory);
  const guarded = withGuard(unguarded, guard);
  return { runId, startedAt, plan: snapshotProblem === undefined ? guarded : withFinding(guarded, snapshotProblem), roster, inventory, activeHeadcount };
}

/**
 * Stores the inventory snapshot for point-in-time evidence. A failure is a finding, never a
 * stopped run: evidence must not hold up a leaver's revocation.
 */
async function snapshotRun(deps: ReconcileDeps, runId: string, at: Date, roster: Roster, inventory: Inventory): Promise<Finding | undefined> {
  const snapshots = deps.evidence?.snapshots;
  if (snapshots === undefined) return undefined;
  try {
    await recordSnapshot(snapshots, {
      runId,
      at,
      inventory,
      owners: ownersFromRoster(roster, deps.policy.identity, deps.evidence?.hostUserMap ?? {}),
      denyAllPolicyName: deps.policy.denyAllPolicyName,
      hostsRead: deps.hosts !== undefined,
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

/**
 * Anchors the audit chain head outside the store after a run. A log that no longer reaches an
 * earlier anchor is not re-anchored (that would hide a truncation): the refusal is returned and alerted.
 */
async function anchorRun(deps: ReconcileDeps, runId: string): Promise<AnchorOutcome | undefined> {
  const sinks = deps.evidence?.anchors;
  if (sinks === undefined || sinks.length === 0 || !isAnchorable(deps.audit)) return undefined;
  const outcome = await anchorHead(deps.audit, sinks, { now: deps.clock.now(), runId });
  if (outcome.kind === 'refused') {
    await deps.notifier.notify({ kind: 'guard-tripped', runId, reasons: [`audit log does not reach its anchor (${outcome.against}): ${outcome.problem}`] });
  }
  return outcome;
}

const userKey = (account: string, userName: string): string => `${account}\u0000${userName}`;

const auditTarget = (action: Action): string =>
  action.kind === 'remove-host-key' || action.kind === 'lock-host-user'
    ? `${action.target.instanceId}:${action.target.osUser}`
    : action.userName;

const outcomeError = (outcome: ActionOutcome): string | undefined =>
  outcome.result === 'failed' ? outcome.error : outcome.result === 'skipped' ? outcome.note : undefined;

/**
 * Applies a plan: each action's intent is audited before the call and its result after; then every
 * changed IAM user is re-read and recorded `verified` only when the change holds (and, for leavers,
 * no access is left). Re-running it is safe: a finished action is not in the next plan.
 */
export async function applyPlan(deps: ReconcileDeps, planned: PlannedRun, options: ApplyOptions): Promise<ApplyReport> {
  const { runId, plan } = planned;
  const audit = deps.audit;
  const base = { runId, actor: options.actor } as const;

  if (plan.guard.tripped && options.override === undefined) {
    await audit.append({ ...base, action: 'guard.tripped', result: 'skipped', after: { reasons: plan.guard.reasons }, error: plan.guard.reasons.join('; ') });
    await deps.notifier.notify({ kind: 'guard-tripped', runId, reasons: plan.guard.reasons });
    await recordRun(deps, planned, 'apply', 'guard-tripped', { reasons: plan.guard.reasons });
    const anchor = await anchorRun(deps, runId);
    return { runId, plan, outcome: 'guard-tripped', results: [], verifications: [], ...(anchor !== undefined ? { anchor } : {}) };
  }
  if (plan.guard.tripped && options.override !== undefined) {
    await audit.append({
      ...base,
      actor: options.override.by,
      action: 'guard.override',
      result: 'ok',
      reason: options.override.reason,
      after: { reasons: plan.guard.reasons },
    });
  }
  await audit.append({ ...base, action: 'run.start', result: 'ok', after: { mode: 'apply', summary: plan.summary } });

  const actions = plan.actions.filter((a) => options.only?.(a) ?? true);
  await auditLeavers(deps, planned, options.actor, actions);
  deps.progress?.({ kind: 'phase', phase: 'apply' });
  const results = await executeAll(deps, runId, options.actor, actions, options.signal);
  const interrupted = actions.length - results.length;
  if (interrupted > 0) {
    await audit.append({ ...base, action: 'run.interrupted', result: 'skipped', after: { notStarted: interrupted }, error: 'stopped before all actions ran; the next run completes them' });
  }

  deps.progress?.({ kind: 'phase', phase: 'verify' });
  const verifications = [
    ...(await verifyUsers(deps, runId, options.actor, results, planned.inventory)),
    ...(await verifyHosts(deps, runId, options.actor, results)),
  ];

  const failed = results.filter((r) => r.outcome.result === 'failed').length + verifications.filter((v) => !v.verified).length + interrupted;
  const outcome = failed === 0 ? 'ok' : 'partial';
  await audit.append({
    ...base,
    action: 'run.finish',
    result: failed === 0 ? 'ok' : 'failed',
    after: { actions: results.length, failed, verified: verifications.filter((v) => v.verified).length },
  });
  await recordRun(deps, planned, 'apply', outcome, { actions: results.length, failed });
  const anchor = await anchorRun(deps, runId);
  await deps.notifier.notify({
    kind: 'run-summary',
    runId,
    plan,
    applied: results.filter((r) => r.outcome.result === 'ok').length,
    failed,
  });
  return { runId, plan, outcome, results, verifications, ...(anchor !== undefined ? { anchor } : {}) };
}

/**
 * One `leaver.revocation` entry per leaver this run acts on, holding what evidence reports need
 * beside the per-action entries: name, effective time and who marked the departure.
 */
async function auditLeavers(deps: ReconcileDeps, planned: PlannedRun, actor: string, actions: readonly Action[]): Promise<void> {
  const seen = new Set<string>();
  for (const action of actions) {
    if (action.reason !== 'departed' || action.person === undefined || seen.has(action.person.employeeId)) continue;
    seen.add(action.person.employeeId);
    const person = planned.roster.people.find((p) => p.employeeId === action.person?.employeeId);
    const accounts = [...new Set(actions.filter((a) => a.person?.employeeId === action.person?.employeeId).map((a) => a.account))];
    await deps.audit.append({
      runId: planned.runId,
      actor,
      action: 'leaver.revocation',
      person: formatAuditPerson(action.person),
      reason: 'departed',
      result: 'ok',
      after: {
        ...(person?.fullName !== undefined ? { fullName: person.fullName } : {}),
        ...(person?.endAt !== undefined ? { effectiveAt: person.endAt.toISOString() } : {}),
        markedBy: person?.departureMarkedBy ?? `roster:${person?.source.file ?? 'unknown'}`,
        accounts,
      },
    });
  }
}

async function executeAll(
  deps: ReconcileDeps,
  runId: string,
  actor: string,
  actions: readonly Action[],
  signal: AbortSignal | undefined,
): Promise<ActionRecord[]> {
  const byUser = new Map<string, Action[]>();
  const byHost = new Map<string, Action[]>();
  for (const action of actions) {
    if (action.kind === 'remove-host-key' || action.kind === 'lock-host-user') {
      const list = byHost.get(action.target.instanceId) ?? [];
      list.push(action);
      byHost.set(action.target.instanceId, list);
    } else {
      const key = userKey(action.account, action.userName);
      const list = byUser.get(key) ?? [];
      list.push(action);
      byUser.set(key, list);
    }
  }
  const total = actions.length;
  let done = 0;
  const records: ActionRecord[] = [];
  const finish = async (action: Action, outcome: ActionOutcome): Promise<void> => {
    const error = outcomeError(outcome);
    await deps.audit.append({
      ...entryFor(runId, actor, action),
      result: outcome.result,
      ...(outcome.result === 'ok' && outcome.before !== undefined ? { before: outcome.before } : {}),
      ...(outcome.result === 'ok' && outcome.after !== undefined ? { after: outcome.after } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    records.push({ action, outcome });
    done += 1;
    deps.progress?.({ kind: 'action-done', done, total, action, outcome });
  };

  await mapLimit([...byUser.values()], deps.concurrency ?? 4, async (userActions) => {
    for (const action of userActions) {
      if (signal?.aborted === true) return;
      const directory = deps.directories.find((d) => d.account === action.account);
      await deps.audit.append({ ...entryFor(runId, actor, action), result: 'intent', before: action.target });
      const outcome: ActionOutcome =
        directory === undefined
          ? { result: 'failed', error: `no directory for account ${action.account}`, retryable: false }
          : await directory.execute(action).catch(
              (error: unknown): ActionOutcome => ({ result: 'failed', error: errorText(error), retryable: true }),
            );
      await finish(action, outcome);
    }
  });

  // A fleet that batches gets every host at once (hosts with the same request share one SSM command); intents first.
  const fleet = deps.hosts;
  if (fleet?.executeOnHosts !== undefined && byHost.size > 0) {
    if (signal?.aborted === true) return records;
    for (const hostActions of byHost.values()) {
      for (const action of hostActions) await deps.audit.append({ ...entryFor(runId, actor, action), result: 'intent', before: action.target });
    }
    const outcomes = await fleet.executeOnHosts(byHost).catch((error: unknown): ReadonlyMap<string, ActionOutcome> => {
      const failed: ActionOutcome = { result: 'failed', error: errorText(error), retryable: true };
      return new Map([...byHost.values()].flat().map((a) => [a.id, failed]));
    });
    for (const hostActions of byHost.values()) {
      for (const action of hostActions) await finish(action, outcomes.get(action.id) ?? { result: 'failed', error: 'host gave no result for this action', retryable: true });
    }
    return records;
  }

  // One SSM command per host; hosts run side by side like users do (SSM's own MaxConcurrency still applies).
  await mapLimit([...byHost.entries()], deps.concurrency ?? 4, async ([instanceId, hostActions]) => {
    if (signal?.aborted === true) return;
    for (const action of hostActions) await deps.audit.append({ ...entryFor(runId, actor, action), result: 'intent', before: action.target });
    const outcomes =
      deps.hosts === undefined
        ? new Map<string, ActionOutcome>()
        : await deps.hosts.executeOnHost(instanceId, hostActions).catch((error: unknown) => {
            const failed: ActionOutcome = { result: 'failed', error: errorText(error), retryable: true };
            return new Map(hostActions.map((a) => [a.id, failed]));
          });
    for (const action of hostActions) {
      await finish(action, outcomes.get(action.id) ?? { result: 'failed', error: 'host gave no result for this action', retryable: true });
    }
  });
  return records;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const entryFor = (runId: string, actor: string, action: Action) => ({
  runId,
  actor,
  action: action.kind,
  account: action.account,
  target: auditTarget(action),
  ...(action.person !== undefined ? { person: formatAuditPerson(action.person) } : {}),
  reason: action.reason,
});

async function verifyUsers(
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
    if (action.kind === 'remove-host-key' || action.kind === 'lock-host-user') continue;
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
      if (actions.some(isRevocation)) remaining.push(...remainingAccess(detail, denyAllArn));
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
      after: deleted ? { deleted: verified } : { noAccessLeft: verified && actions.some(isRevocation) },
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
async function verifyHosts(deps: ReconcileDeps, runId: string, actor: string, results: readonly ActionRecord[]): Promise<VerificationRecord[]> {
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
      after: { noAccessLeft: verified && revocation },
      ...(verified ? {} : { error: remaining.join('; ') }),
    });
    records.push({ account, userName: target, verified, noAccessLeft: verified && revocation, remaining });
  }
  return records;
}

async function recordRun(deps: ReconcileDeps, planned: PlannedRun, mode: 'plan' | 'apply', outcome: 'ok' | 'guard-tripped' | 'partial', summary: unknown): Promise<void> {
  await deps.runs.record({
    runId: planned.runId,
    startedAt: planned.startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    activeHeadcount: planned.activeHeadcount,
    mode,
    outcome,
    summary,
  });
}

/** Records a dry run: one audit entry and the run's headcount, nothing sent to AWS. */
export async function recordPlanRun(deps: ReconcileDeps, planned: PlannedRun, actor: string): Promise<AnchorOutcome | undefined> {
  await deps.audit.append({
    runId: planned.runId,
    actor,
    action: 'run.plan',
    result: 'ok',
    after: { summary: planned.plan.summary, guard: planned.plan.guard },
  });
  return anchorRun(deps, planned.runId);
}
