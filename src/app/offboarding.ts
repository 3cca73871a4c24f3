import { randomBytes } from 'node:crypto';
import { applyDepartures } from '../domain/departures';
import { createIdentityMatcher } from '../domain/identity';
import type { AccountInventory, IamGroup, IamUser } from '../domain/inventory';
import { assertNever, type Action, type Finding, type GuardResult } from '../domain/plan';
import type { AccessPolicy } from '../domain/policy';
import { allowsEverything } from '../domain/policy-documents';
import type { Person, Roster } from '../domain/roster';
import { isValidTimeZone, resolveEndAt } from '../domain/time';
import type { AuditEntry, AuditLog, Notifier, RunRecord } from '../ports';
import type {
  AccessPath,
  Departure,
  DepartureAttempt,
  DepartureNotifier,
  DeparturePerson,
  DepartureRefusal,
  DepartureStore,
  PathStatus,
} from '../ports/departures';
import type { SnapshotStore } from '../ports/evidence';
import { applyPlan, computePlan, type ApplyReport, type PlannedRun, type ReconcileDeps } from './reconcile';

/** Offboarding use cases shared by Slack and the scheduled run: preview, confirm, approve, cancel, apply when due, history, status. */

/** When a second HR approver is required (`slack.secondApproverFor`). */
export type SecondApproverRule = 'none' | 'admins' | 'all';

/** What the offboarding use cases need; the reconcile deps are the same ones the scheduled run uses. */
export interface OffboardingDeps {
  /** Its `overlayRoster` is replaced by the departure store's overlay. */
  readonly reconcile: ReconcileDeps;
  readonly departures: DepartureStore;
  readonly announcer: DepartureNotifier;
  readonly secondApproverFor: SecondApproverRule;
  /** A departure further back than this is refused as a likely typo (default 30 days). */
  readonly maxBackdateDays?: number;
  /** A departure further ahead than this is refused as a likely typo (default 366 days). */
  readonly maxAheadDays?: number;
  readonly newId?: () => string;
  /** Where failures to announce (Slack down) are reported; announcing never blocks a revocation. */
  readonly log?: { warn(message: string): void };
  /** Access snapshots auditors' history and point-in-time queries read (default: the store reconciliation records to). */
  readonly snapshots?: SnapshotStore;
}

const DAY_MS = 86_400_000;
const DEFAULT_BACKDATE_DAYS = 30;
const DEFAULT_AHEAD_DAYS = 366;
const NOTES_MAX = 1000;

const lower = (s: string): string => s.trim().toLowerCase();
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A new departure id: sortable by day, unguessable. */
export const newDepartureId = (now: Date): string => `dep-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;

// ---------------------------------------------------------------------------------------------------------------------
// Roster overlay

const asDomainDeparture = (d: Departure) => ({
  email: d.person.email,
  ...(d.person.employeeId !== undefined ? { employeeId: d.person.employeeId } : {}),
  effectiveAt: d.effectiveAt,
  markedBy: d.markedBy,
  ...(d.reason !== undefined ? { reason: d.reason } : {}),
});

/** The `overlayRoster` hook for every reconciliation: departures recorded in the store, on top of the roster file. */
export function departureOverlay(store: DepartureStore, extra: readonly Departure[] = []): (roster: Roster, now: Date) => Promise<Roster> {
  return async (roster) => {
    const stored = await store.listEffective();
    const extraIds = new Set(extra.map((d) => d.id));
    return applyDepartures(roster, [...stored.filter((d) => !extraIds.has(d.id)), ...extra].map(asDomainDeparture));
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Pure helpers: people, admin rights, access paths, time

/** How HR named the person leaving. */
export type PersonQuery = { readonly kind: 'email'; readonly email: string } | { readonly kind: 'slack'; readonly slackId: string; readonly email?: string };

/** The roster person a query names (Slack id first, then email); undefined when nobody matches. */
export function findPerson(roster: Roster, query: PersonQuery): Person | undefined {
  if (query.kind === 'slack') {
    const bySlack = roster.people.find((p) => p.slackId === query.slackId);
    if (bySlack !== undefined || query.email === undefined) return bySlack;
    return findPerson(roster, { kind: 'email', email: query.email });
  }
  const email = lower(query.email);
  return roster.people.find((p) => lower(p.email) === email);
}

const isAdministratorAccess = (policy: { readonly name: string; readonly arn: string }): boolean =>
  policy.name === 'AdministratorAccess' || policy.arn.endsWith(':policy/AdministratorAccess');

/** Why a set of policies gives administrator rights: AWS's AdministratorAccess, or any document allowing `*` on `*`. */
function adminPolicies(
  attached: readonly { readonly name: string; readonly arn: string }[],
  inline: readonly string[],
  inlineDocuments: Readonly<Record<string, unknown>> | undefined,
  managedDocuments: Readonly<Record<string, unknown>>,
): string[] {
  const reasons: string[] = [];
  for (const policy of attached) {
    if (isAdministratorAccess(policy)) reasons.push('AdministratorAccess');
    else if (allowsEverything(managedDocuments[policy.arn])) reasons.push(`policy ${policy.name} allowing * on *`);
  }
  for (const name of inline) if (allowsEverything(inlineDocuments?.[name])) reasons.push(`inline policy ${name} allowing * on *`);
  return reasons;
}

/**
 * Why an IAM user counts as an administrator (empty: it does not): AWS's AdministratorAccess, a customer-managed or
 * inline policy allowing `*` on `*` (attached to the user or to one of its groups, whatever its name), or membership
 * of a group named like "admin".
 */
export function adminRights(user: IamUser, groups: readonly IamGroup[], managedPolicyDocuments: Readonly<Record<string, unknown>> = {}): string[] {
  const reasons: string[] = [];
  const attached = user.detail?.attachedPolicies ?? user.attachedPolicies;
  const inline = user.detail?.inlinePolicies ?? user.inlinePolicies;
  for (const why of adminPolicies(attached, inline, user.inlinePolicyDocuments, managedPolicyDocuments)) {
    reasons.push(why === 'AdministratorAccess' ? `${user.userName} has AdministratorAccess attached` : `${user.userName} has ${why}`);
  }
  for (const groupName of user.detail?.groups ?? user.groups) {
    const group = groups.find((g) => g.name === groupName);
    if (/admin/i.test(groupName)) {
      reasons.push(`${user.userName} is in group ${groupName}`);
      continue;
    }
    if (group === undefined) continue;
    for (const why of adminPolicies(group.attachedPolicies, group.inlinePolicies, group.inlinePolicyDocuments, managedPolicyDocuments)) {
      reasons.push(`${user.userName} gets ${why} from group ${groupName}`);
    }
  }
  return reasons;
}

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

/** The access path an action closes, as HR reads it. */
export function accessPathOf(action: Action): AccessPath {
  switch (action.kind) {
    case 'deactivate-access-key':
      return 'access-keys';
    case 'delete-login-profile':
      return 'console';
    case 'deactivate-ssh-key':
      return 'ssh-keys';
    case 'deactivate-signing-certificate':
    case 'deactivate-service-credential':
      return 'other-credentials';
    case 'remove-from-group':
      return 'groups';
    case 'detach-user-policy':
    case 'delete-user-policy':
      return 'policies';
    case 'attach-deny-all':
      return 'deny-all';
    case 'remove-host-key':
    case 'lock-host-user':
      return 'hosts';
    case 'delete-user':
      return 'user';
    default:
      return assertNever(action);
  }
}

/** Paths in the order HR reads them. */
export const ACCESS_PATHS: readonly AccessPath[] = [
  'access-keys',
  'console',
  'ssh-keys',
  'other-credentials',
  'groups',
  'policies',
  'deny-all',
  'hosts',
  'user',
];

/** The paths a plan will close, all pending. */
export function pendingPaths(actions: readonly Action[]): PathStatus[] {
  return ACCESS_PATHS.flatMap((path) => {
    const planned = actions.filter((a) => accessPathOf(a) === path).length;
    return planned === 0 ? [] : [{ path, state: 'pending' as const, planned, failed: 0, errors: [] }];
  });
}

/** Path statuses after an attempt: paths with results take them; paths the attempt did not touch keep their earlier state. */
export function mergePathResults(previous: readonly PathStatus[], results: ApplyReport['results']): PathStatus[] {
  return ACCESS_PATHS.flatMap((path): PathStatus[] => {
    const mine = results.filter((r) => accessPathOf(r.action) === path);
    const before = previous.find((p) => p.path === path);
    if (mine.length === 0) return before === undefined ? [] : [before];
    const failures = mine.flatMap((r) => (r.outcome.result === 'failed' ? [r.outcome.error] : []));
    return [{ path, state: failures.length > 0 ? 'failed' : 'ok', planned: mine.length, failed: failures.length, errors: failures.slice(0, 3) }];
  });
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant, as `+hh:mm`. */
function offsetText(instant: number, timeZone: string): string {
  let formatter = offsetFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return match === null ? '+00:00' : `${match[1]}:${match[2] ?? '00'}`;
}

/** The instant a wall-clock date and time (`YYYY-MM-DD`, `HH:mm`) denotes in `timeZone`, or an error message. */
export function zonedInstant(date: string, time: string, timeZone: string): Date | { error: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { error: `"${date}" is not a date (YYYY-MM-DD)` };
  if (!/^\d{2}:\d{2}$/.test(time)) return { error: `"${time}" is not a time (HH:mm)` };
  const naive = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(naive)) return { error: `"${date} ${time}" is not a valid date and time` };
  // The offset at the naive instant, then at the corrected one, settles across DST changes.
  let instant = resolveEndAt(`${date}T${time}:00${offsetText(naive, timeZone)}`, timeZone);
  if (instant instanceof Date) {
    const settled = offsetText(instant.getTime(), timeZone);
    instant = resolveEndAt(`${date}T${time}:00${settled}`, timeZone);
  }
  return instant;
}

/** `1h 05m`, `3m 12s`: the time from effective time to "no access left". */
export function formatDuration(ms: number): string {
  const negative = ms < 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const text = d > 0 ? `${d}d ${pad(h)}h` : h > 0 ? `${h}h ${pad(m)}m` : m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
  return negative ? `-${text}` : text;
}

// ---------------------------------------------------------------------------------------------------------------------
// The departure form

/** A departure as HR entered it and validation accepted it; `id` makes confirming it idempotent. */
export interface DepartureDraft {
  readonly id: string;
  readonly person: DeparturePerson;
  readonly effectiveAt: Date;
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
  /** `slack:U…` */
  readonly requestedBy: string;
  /** HR left date and time blank: the departure takes effect when confirmed, not when the form was filled in. */
  readonly effectiveNow?: boolean;
}

export type FormField = 'person' | 'date' | 'time' | 'timezone' | 'reason' | 'notes';

/** What HR typed: a Slack user (email resolved if Slack gave one) or an email; date and time blank mean now. */
export interface DepartureForm {
  readonly person: PersonQuery | undefined;
  readonly date?: string;
  readonly time?: string;
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
}

export interface FormContext {
  readonly id: string;
  readonly requestedBy: string;
  readonly now: Date;
  readonly policy: AccessPolicy;
  /** Undefined when the roster could not be read in time: person checks then happen in the preview. */
  readonly roster: Roster | undefined;
  readonly maxBackdateDays?: number;
  readonly maxAheadDays?: number;
}

/** The validated draft, or one message per field in error. */
export type FormCheck =
  | { readonly ok: true; readonly draft: DepartureDraft }
  | { readonly ok: false; readonly errors: readonly { readonly field: FormField; readonly message: string }[] };

/** Break-glass names a roster person would match by name or aws_usernames (tags are checked in the preview). */
export function breakGlassNamesOf(person: Person | { readonly email: string; readonly awsUsernames?: readonly string[] }, breakGlass: readonly string[]): string[] {
  const email = lower(person.email);
  const local = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : email;
  const names = new Set([email, local, ...(person.awsUsernames ?? []).map(lower)]);
  return breakGlass.filter((name) => names.has(lower(name)));
}

/** Validates the `/offboard` form inline: person known and not break-glass, a sane effective time, a real time zone. Pure. */
export function checkDepartureForm(form: DepartureForm, context: FormContext): FormCheck {
  const errors: { field: FormField; message: string }[] = [];
  const { now, policy } = context;

  let person: DeparturePerson | undefined;
  if (form.person === undefined) {
    errors.push({ field: 'person', message: 'Choose the person who is leaving, or type their email.' });
  } else if (form.person.kind === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.person.email.trim())) {
    errors.push({ field: 'person', message: `"${form.person.email}" is not an email address.` });
  } else if (context.roster !== undefined) {
    const found = findPerson(context.roster, form.person);
    if (found === undefined) {
      errors.push({ field: 'person', message: `${describeQuery(form.person)} is not on the HR roster, so Warden cannot tell which access is theirs.` });
    } else {
      const glass = breakGlassNamesOf(found, policy.breakGlass);
      if (glass.length > 0) {
        errors.push({ field: 'person', message: `${found.email} is on the break-glass list (${glass.join(', ')}): break-glass access is never revoked automatically.` });
      } else {
        person = personOf(found, form.person);
      }
    }
  } else if (form.person.kind === 'email' || form.person.email !== undefined) {
    const email = lower(form.person.kind === 'email' ? form.person.email : (form.person.email ?? ''));
    person = { email, ...(form.person.kind === 'slack' ? { slackId: form.person.slackId } : {}) };
  } else {
    errors.push({ field: 'person', message: 'Slack has no email for this user and the roster could not be read in time; type their email instead.' });
  }

  if (!isValidTimeZone(form.timezone)) errors.push({ field: 'timezone', message: `"${form.timezone}" is not a time zone (use a name such as Europe/Berlin or UTC).` });

  let effectiveAt: Date = now;
  const date = form.date?.trim() ?? '';
  const time = form.time?.trim() ?? '';
  if (date === '' && time !== '') errors.push({ field: 'date', message: 'Give the date too, or leave both blank for "now".' });
  if (date !== '' && isValidTimeZone(form.timezone)) {
    const instant = zonedInstant(date, time === '' ? '00:00' : time, form.timezone);
    if (instant instanceof Date) effectiveAt = instant;
    else errors.push({ field: time !== '' ? 'time' : 'date', message: instant.error });
  }
  const back = context.maxBackdateDays ?? DEFAULT_BACKDATE_DAYS;
  const ahead = context.maxAheadDays ?? DEFAULT_AHEAD_DAYS;
  if (effectiveAt.getTime() < now.getTime() - back * DAY_MS) {
    errors.push({ field: 'date', message: `That is more than ${back} days ago; check the date (for an old departure, fix the roster instead).` });
  } else if (effectiveAt.getTime() > now.getTime() + ahead * DAY_MS) {
    errors.push({ field: 'date', message: `That is more than ${ahead} days ahead; check the year.` });
  }
  if ((form.notes?.length ?? 0) > NOTES_MAX) errors.push({ field: 'notes', message: `Notes are limited to ${NOTES_MAX} characters.` });

  if (errors.length > 0 || person === undefined) return { ok: false, errors };
  const reason = form.reason?.trim();
  const notes = form.notes?.trim();
  return {
    ok: true,
    draft: {
      id: context.id,
      person,
      effectiveAt,
      timezone: form.timezone,
      ...(reason !== undefined && reason !== '' ? { reason } : {}),
      ...(notes !== undefined && notes !== '' ? { notes } : {}),
      requestedBy: context.requestedBy,
      ...(date === '' ? { effectiveNow: true } : {}),
    },
  };
}

const describeQuery = (query: PersonQuery): string => (query.kind === 'email' ? query.email : query.email ?? `<@${query.slackId}>`);

function personOf(found: Person, query?: PersonQuery): DeparturePerson {
  const slackId = found.slackId ?? (query?.kind === 'slack' ? query.slackId : undefined);
  return {
    email: lower(found.email),
    employeeId: found.employeeId,
    ...(slackId !== undefined ? { slackId } : {}),
    ...(found.fullName !== undefined ? { fullName: found.fullName } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Preview

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
  readonly planned: PlannedRun;
}

/** The actions a departure run applies for these people: their revocations, never a deletion (that is the scheduled run's). */
export const departureActionFilter =
  (emails: ReadonlySet<string>) =>
  (action: Action): boolean =>
    action.person !== undefined && emails.has(lower(action.person.email)) && action.reason === 'departed' && action.kind !== 'delete-user';

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

const withDepartureOverlay = (deps: OffboardingDeps, extra: readonly Departure[] = []): ReconcileDeps => ({
  ...deps.reconcile,
  overlayRoster: departureOverlay(deps.departures, extra),
});

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
    planned,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Confirm, approve, cancel

/** What confirming led to: recorded and scheduled, awaiting approval, attempted now, a duplicate, or refused. */
export type ConfirmResult =
  | { readonly kind: 'duplicate'; readonly departure: Departure }
  | { readonly kind: 'blocked'; readonly reasons: readonly string[] }
  | { readonly kind: 'awaiting-approval'; readonly departure: Departure }
  | { readonly kind: 'scheduled'; readonly departure: Departure }
  | { readonly kind: 'attempted'; readonly departure: Departure; readonly attempt: DepartureAttempt };

/**
 * Records a confirmed departure (idempotent by draft id), announces it, and revokes now when its time has passed and
 * no second approver is needed; otherwise the scheduled run applies it when due.
 */
export async function confirmDeparture(deps: OffboardingDeps, draft: DepartureDraft): Promise<ConfirmResult> {
  const existing = await deps.departures.get(draft.id);
  if (existing !== undefined) return { kind: 'duplicate', departure: existing };
  const preview = await previewDeparture(deps, draft);
  if (preview.blockers.length > 0) return { kind: 'blocked', reasons: preview.blockers };

  const now = deps.reconcile.clock.now();
  const departure: Departure = {
    id: draft.id,
    person: preview.person,
    effectiveAt: draft.effectiveNow === true ? now : draft.effectiveAt,
    timezone: draft.timezone,
    ...(draft.reason !== undefined ? { reason: draft.reason } : {}),
    ...(draft.notes !== undefined ? { notes: draft.notes } : {}),
    markedBy: draft.requestedBy,
    status: preview.requiredApprovals > 1 ? 'awaiting-approval' : 'scheduled',
    approvals: [{ by: draft.requestedBy, at: now }],
    requiredApprovals: preview.requiredApprovals,
    createdAt: now,
    paths: preview.paths,
    attempts: 0,
  };
  const added = await deps.departures.add(departure);
  if (!added.added) return { kind: 'duplicate', departure: added.existing };
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor: draft.requestedBy,
    action: 'slack.departure.confirmed',
    target: departure.person.email,
    person: departure.person.email,
    ...(departure.reason !== undefined ? { reason: departure.reason } : {}),
    result: 'ok',
    after: {
      departureId: departure.id,
      effectiveAt: departure.effectiveAt.toISOString(),
      timezone: departure.timezone,
      status: departure.status,
      requiredApprovals: departure.requiredApprovals,
      adminReasons: preview.adminReasons,
      plannedActions: preview.actions.length,
      ...(departure.notes !== undefined ? { notes: departure.notes } : {}),
    },
  });
  const announced = await announce(deps, departure);
  if (announced.status === 'awaiting-approval') return { kind: 'awaiting-approval', departure: announced };
  if (announced.effectiveAt.getTime() > now.getTime()) return { kind: 'scheduled', departure: announced };
  const [outcome] = await applyDepartureRun(deps, [announced], preview.planned, draft.requestedBy);
  return outcome === undefined ? { kind: 'scheduled', departure: announced } : { kind: 'attempted', ...outcome };
}

const announceFailed = (deps: OffboardingDeps, departure: Departure) => (error: unknown): undefined => {
  deps.log?.warn(`Could not announce departure ${departure.id}: ${errorText(error)}`);
  return undefined;
};

async function announce(deps: OffboardingDeps, departure: Departure): Promise<Departure> {
  const thread = await deps.announcer.opened(departure).catch(announceFailed(deps, departure));
  if (thread === undefined) return departure;
  const attached = await deps.departures.attachThread(departure.id, thread);
  return attached.ok ? attached.departure : departure;
}

/**
 * Who is deciding on a departure: the audit actor and what Slack says about them, so the person leaving is recognised
 * by their Slack id and by their email, whichever the roster or the departure knows.
 */
export interface Decider {
  /** `slack:U…` or `cli:NAME`. */
  readonly actor: string;
  readonly slackUserId?: string;
  /** The email Slack has for the decider (absent when Slack has none). */
  readonly email?: string;
  /** Slack could not be asked who the decider is: their decision is refused (fail closed). */
  readonly lookupError?: string;
}

/** A decider known by actor only (CLI, tests): a `slack:U…` actor still carries its Slack id. */
export const deciderOf = (actor: string): Decider => {
  const slackUserId = /^slack:([UW][A-Z0-9]+)$/.exec(actor)?.[1];
  return { actor, ...(slackUserId !== undefined ? { slackUserId } : {}) };
};

/** Why a decision was refused before the store was asked: the decider is the person leaving, or could not be told apart from them. */
export type DeciderRefusal = 'leaver' | 'unconfirmed';

/**
 * Whether the decider is the person the departure is about: their Slack id or email equals the departure's, or the
 * roster person's (the roster may know a slack_id the departure does not). Unreadable roster or Slack: unconfirmed.
 */
async function leaverCheck(deps: OffboardingDeps, departure: Departure, decider: Decider): Promise<{ refusal: DeciderRefusal; why: string } | undefined> {
  if (decider.lookupError !== undefined) return { refusal: 'unconfirmed', why: `Slack could not say who ${decider.actor} is: ${decider.lookupError}` };
  let roster: Roster;
  try {
    roster = await deps.reconcile.roster.load();
  } catch (error) {
    return { refusal: 'unconfirmed', why: `the roster could not be read to tell ${decider.actor} from the leaver: ${errorText(error)}` };
  }
  const leaver = departure.person;
  const rosterPerson =
    (leaver.employeeId !== undefined ? roster.people.find((p) => p.employeeId === leaver.employeeId) : undefined) ??
    roster.people.find((p) => lower(p.email) === lower(leaver.email));
  const slackIds = new Set([leaver.slackId, rosterPerson?.slackId].filter((id): id is string => id !== undefined && id !== ''));
  const emails = new Set([leaver.email, rosterPerson?.email].filter((e): e is string => e !== undefined).map(lower));
  if (decider.slackUserId !== undefined && slackIds.has(decider.slackUserId)) return { refusal: 'leaver', why: `leaver: ${decider.actor} is the Slack user of ${leaver.email}` };
  if (decider.email !== undefined && emails.has(lower(decider.email))) return { refusal: 'leaver', why: `leaver: ${decider.actor} has the email of ${leaver.email}` };
  return undefined;
}

async function auditRefusal(deps: OffboardingDeps, departure: Departure, decider: Decider, decision: 'approve' | 'cancel', why: string): Promise<void> {
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor: decider.actor,
    action: 'slack.departure.refused',
    target: departure.person.email,
    person: departure.person.email,
    result: 'skipped',
    error: why,
    after: { departureId: departure.id, decision, status: departure.status },
  });
}

/** What an approval led to. */
export type ApproveResult =
  | { readonly kind: 'approved'; readonly departure: Departure }
  | { readonly kind: 'attempted'; readonly departure: Departure; readonly attempt: DepartureAttempt }
  | { readonly kind: 'refused'; readonly reason: DepartureRefusal | DeciderRefusal | 'self-approval'; readonly departure?: Departure };

/** A second HR approver approves (never the person who marked it, never the leaver); the departure then proceeds like a confirmed one. */
export async function approveDeparture(deps: OffboardingDeps, id: string, decider: Decider): Promise<ApproveResult> {
  const approver = decider.actor;
  const current = await deps.departures.get(id);
  if (current === undefined) return { kind: 'refused', reason: 'not-found' };
  if (current.markedBy === approver) return { kind: 'refused', reason: 'self-approval', departure: current };
  const refusal = await leaverCheck(deps, current, decider);
  if (refusal !== undefined) {
    await auditRefusal(deps, current, decider, 'approve', refusal.why);
    return { kind: 'refused', reason: refusal.refusal, departure: current };
  }
  const now = deps.reconcile.clock.now();
  const change = await deps.departures.approve(id, { by: approver, at: now });
  if (!change.ok) return { kind: 'refused', reason: change.reason, ...(change.departure !== undefined ? { departure: change.departure } : {}) };
  const departure = change.departure;
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor: approver,
    action: 'slack.departure.approved',
    target: departure.person.email,
    person: departure.person.email,
    result: 'ok',
    after: { departureId: departure.id, status: departure.status, approvals: departure.approvals.map((a) => a.by) },
  });
  await deps.announcer.changed(departure, { kind: 'approved', by: approver }).catch(announceFailed(deps, departure));
  if (departure.status !== 'scheduled' || departure.effectiveAt.getTime() > now.getTime()) return { kind: 'approved', departure };
  const [outcome] = await applyDueDepartures(deps, { actor: approver, ids: [departure.id] });
  return outcome === undefined ? { kind: 'approved', departure } : { kind: 'attempted', ...outcome };
}

/** Cancelled, a cancel request recorded (a second HR member must confirm), or why not. */
export type CancelResult =
  | { readonly kind: 'cancelled'; readonly departure: Departure }
  | { readonly kind: 'cancel-requested'; readonly departure: Departure }
  | { readonly kind: 'refused'; readonly reason: DepartureRefusal | DeciderRefusal; readonly departure?: Departure };

/**
 * Withdraws a departure that has not taken effect yet; audited, and the announcement says so. Never by the leaver; a
 * departure that needed several approvers needs as many different HR members to cancel it.
 */
export async function cancelDeparture(deps: OffboardingDeps, id: string, decider: Decider): Promise<CancelResult> {
  const actor = decider.actor;
  const current = await deps.departures.get(id);
  if (current === undefined) return { kind: 'refused', reason: 'not-found' };
  const refusal = await leaverCheck(deps, current, decider);
  if (refusal !== undefined) {
    await auditRefusal(deps, current, decider, 'cancel', refusal.why);
    return { kind: 'refused', reason: refusal.refusal, departure: current };
  }
  const change = await deps.departures.cancel(id, { by: actor, at: deps.reconcile.clock.now() });
  if (!change.ok) return { kind: 'refused', reason: change.reason, ...(change.departure !== undefined ? { departure: change.departure } : {}) };
  const departure = change.departure;
  const requested = departure.status !== 'cancelled';
  await deps.reconcile.audit.append({
    runId: departure.id,
    actor,
    action: requested ? 'slack.departure.cancel-requested' : 'slack.departure.cancelled',
    target: departure.person.email,
    person: departure.person.email,
    result: 'ok',
    after: {
      departureId: departure.id,
      effectiveAt: departure.effectiveAt.toISOString(),
      ...(departure.cancelRequests !== undefined ? { cancelRequests: departure.cancelRequests.map((r) => r.by), requiredApprovals: departure.requiredApprovals } : {}),
    },
  });
  await deps.announcer.changed(departure, { kind: requested ? 'cancel-requested' : 'cancelled', by: actor }).catch(announceFailed(deps, departure));
  return requested ? { kind: 'cancel-requested', departure } : { kind: 'cancelled', departure };
}

// ---------------------------------------------------------------------------------------------------------------------
// Applying

/** A departure after one attempt, with that attempt. */
export interface DepartureOutcome {
  readonly departure: Departure;
  readonly attempt: DepartureAttempt;
}

/** The run summary is the thread's job for departure runs; guard trips still go to the channel. */
const departureRunNotifier = (inner: Notifier): Notifier => ({
  notify: async (notice) => (notice.kind === 'run-summary' ? undefined : inner.notify(notice)),
});

/**
 * Applies every due departure (or the named ones) through the one reconcile path: plan with the overlay, apply only
 * those people's revocations, verify, record the attempt and update each thread. Nothing due: no AWS call at all.
 */
export async function applyDueDepartures(
  deps: OffboardingDeps,
  options: { readonly actor?: string; readonly ids?: readonly string[] } = {},
): Promise<DepartureOutcome[]> {
  const now = deps.reconcile.clock.now();
  const wanted = options.ids === undefined ? undefined : new Set(options.ids);
  const due = (await deps.departures.listDue(now)).filter((d) => wanted === undefined || wanted.has(d.id));
  if (due.length === 0) return [];
  let planned: PlannedRun;
  try {
    planned = await computePlan(withDepartureOverlay(deps));
  } catch (error) {
    const attempt: DepartureAttempt = { at: now, runId: `plan-failed-${now.getTime()}`, outcome: 'error', remaining: [], error: errorText(error) };
    return recordAll(deps, due.map((departure) => ({ departure, attempt, paths: departure.paths })));
  }
  return applyDepartureRun(deps, due, planned, options.actor ?? 'system');
}

async function applyDepartureRun(deps: OffboardingDeps, departures: readonly Departure[], planned: PlannedRun, actor: string): Promise<DepartureOutcome[]> {
  const emails = new Set(departures.map((d) => lower(d.person.email)));
  let report: ApplyReport;
  try {
    report = await applyPlan({ ...withDepartureOverlay(deps), notifier: departureRunNotifier(deps.reconcile.notifier) }, planned, {
      actor,
      only: departureActionFilter(emails),
    });
  } catch (error) {
    const at = deps.reconcile.clock.now();
    const attempt: DepartureAttempt = { at, runId: planned.runId, outcome: 'error', remaining: [], error: errorText(error) };
    return recordAll(deps, departures.map((departure) => ({ departure, attempt, paths: departure.paths })));
  }
  const at = deps.reconcile.clock.now();
  return recordAll(
    deps,
    departures.map((departure) => {
      const { attempt, paths } = attemptFor(departure, planned, report, deps.reconcile.policy, at);
      return { departure, attempt, paths };
    }),
  );
}

/** Judges one departure's share of a run: "no access left" only when the roster says departed, nothing failed and every touched user verified. */
function attemptFor(departure: Departure, planned: PlannedRun, report: ApplyReport, policy: AccessPolicy, at: Date): { attempt: DepartureAttempt; paths: PathStatus[] } {
  const email = lower(departure.person.email);
  const results = report.results.filter((r) => r.action.person !== undefined && lower(r.action.person.email) === email);
  const paths = mergePathResults(departure.paths, results);
  const base = { at, runId: report.runId };
  if (report.outcome === 'guard-tripped') {
    return { attempt: { ...base, outcome: 'guard-tripped', remaining: [], error: report.plan.guard.reasons.join(' ') }, paths };
  }
  const remaining: string[] = [];
  const person = planned.roster.people.find((p) => lower(p.email) === email);
  if (person === undefined || person.status !== 'departed') {
    const why = planned.roster.errors.find((e) => e.source === 'departures' && e.message.toLowerCase().includes(email));
    return { attempt: { ...base, outcome: 'error', remaining: [], error: why?.message ?? `${email} is not a departed person on the roster` }, paths };
  }
  const touched = new Set(results.map((r) => `${r.action.account}/${r.action.userName}`));
  for (const v of report.verifications) {
    if (touched.has(`${v.account}/${v.userName}`) && !v.verified) remaining.push(...v.remaining.map((r) => `${v.account}/${v.userName}: ${r}`));
  }
  for (const r of results) if (r.outcome.result === 'failed') remaining.push(`${r.action.kind} on ${r.action.userName} failed: ${r.outcome.error}`);
  for (const e of planned.inventory.accountErrors) remaining.push(`account ${e.account} could not be read: ${e.message}`);
  for (const f of planned.plan.findings) if (f.kind === 'host-unreachable') remaining.push(f.detail);
  const outcome = remaining.length === 0 ? 'no-access-left' : 'partial';
  const hostsPending = planned.plan.findings.some((f) => f.kind === 'host-unreachable');
  const shownPaths = hostsPending ? paths.map((p) => (p.path === 'hosts' && p.state === 'ok' ? { ...p, state: 'pending' as const } : p)) : paths;
  return { attempt: { ...base, outcome, remaining }, paths: shownPaths };
}

async function recordAll(
  deps: OffboardingDeps,
  items: readonly { departure: Departure; attempt: DepartureAttempt; paths: readonly PathStatus[] }[],
): Promise<DepartureOutcome[]> {
  const outcomes: DepartureOutcome[] = [];
  for (const { departure, attempt, paths } of items) {
    const change = await deps.departures.recordAttempt(departure.id, attempt, paths);
    // Cancelled or applied meanwhile by someone else: theirs is the last word.
    if (!change.ok) continue;
    const updated = change.departure;
    if (updated.status === 'applied') {
      await deps.reconcile.audit.append({
        runId: attempt.runId,
        actor: 'system',
        action: 'departure.no-access-left',
        target: updated.person.email,
        person: updated.person.email,
        ...(updated.reason !== undefined ? { reason: updated.reason } : {}),
        result: 'verified',
        after: {
          departureId: updated.id,
          effectiveAt: updated.effectiveAt.toISOString(),
          noAccessLeftAt: attempt.at.toISOString(),
          secondsAfterEffective: Math.round((attempt.at.getTime() - updated.effectiveAt.getTime()) / 1000),
          attempts: updated.attempts,
          // Read alone, the entry names whose access it closed and which paths (issue 11: self-standing results).
          ...(updated.person.employeeId !== undefined ? { employeeId: updated.person.employeeId } : {}),
          closedPaths: paths.filter((p) => p.state === 'ok').map((p) => p.path),
        },
      });
    }
    await deps.announcer.changed(updated, { kind: 'attempted' }).catch(announceFailed(deps, updated));
    outcomes.push({ departure: updated, attempt });
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------------------------------
// Auditors

/** Whose history an auditor asked for. */
export type HistoryTarget = { readonly kind: 'person'; readonly email: string } | { readonly kind: 'iam-user'; readonly userName: string };

/** Audit entries about a person (by email) or an IAM user, newest first, at most `limit`. */
export async function accessHistory(audit: AuditLog, target: HistoryTarget, limit = 500): Promise<AuditEntry[]> {
  const entries =
    target.kind === 'person' ? await audit.query({ person: lower(target.email), limit }) : await audit.query({ userName: target.userName, limit });
  return [...entries].sort((a, b) => b.seq - a.seq);
}

/** The snapshot store auditors' queries read, if this deployment keeps snapshots. */
export const snapshotsOf = (deps: OffboardingDeps): SnapshotStore | undefined => deps.snapshots ?? deps.reconcile.evidence?.snapshots;

/** The status auditors and HR see: last run, pending and unresolved departures, recent guard trips, open findings. */
export interface OffboardingStatus {
  readonly lastRun?: RunRecord;
  readonly pending: readonly Departure[];
  /** Due departures whose last attempt left access open or failed. */
  readonly unresolved: readonly Departure[];
  readonly guardTrips: readonly AuditEntry[];
  /** Current findings from a dry run; an error message when it could not be computed. */
  readonly findings?: readonly Finding[] | { readonly error: string };
}

export interface StatusOptions {
  /** Compute the current findings with a dry run (reads AWS, writes nothing). */
  readonly withFindings?: boolean;
  readonly guardTripDays?: number;
}

/** Gathers the status; the dry run only when asked, since it reads every account. */
export async function offboardingStatus(deps: OffboardingDeps, options: StatusOptions = {}): Promise<OffboardingStatus> {
  const now = deps.reconcile.clock.now();
  const [lastRun, pending, recent] = await Promise.all([
    deps.reconcile.runs.lastCompleted(),
    deps.departures.listPending(),
    deps.reconcile.audit.query({ since: new Date(now.getTime() - (options.guardTripDays ?? 7) * DAY_MS), limit: 2000 }),
  ]);
  const unresolved = pending.filter((d) => d.status === 'scheduled' && d.lastAttempt !== undefined && d.lastAttempt.outcome !== 'no-access-left');
  const guardTrips = recent.filter((e) => e.action === 'guard.tripped').sort((a, b) => b.seq - a.seq);
  let findings: OffboardingStatus['findings'];
  if (options.withFindings === true) {
    try {
      findings = (await computePlan(withDepartureOverlay(deps))).plan.findings;
    } catch (error) {
      findings = { error: errorText(error) };
    }
  }
  return {
    ...(lastRun !== undefined ? { lastRun } : {}),
    pending,
    unresolved,
    guardTrips,
    ...(findings !== undefined ? { findings } : {}),
  };
}
