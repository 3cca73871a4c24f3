/**
 * Leaver SLA evidence computed from audit entries alone: who left, who said so, every access path
 * Warden closed for them with the entries proving when it was closed and verified, and how long
 * it took from the effective time to "no access left". Pure: the audit log is the only input.
 */
import { sessionEvidenceOf, type SessionEvidence } from './sessions';
import { personKeys, type ChainEntry } from '../audit-chain';
import { ACCESS_PATH_INFO, ACCESS_PATHS, ACTION_KIND_TABLE, ACTION_KINDS, isHostKind, type AccessPath, type ActionKind } from '../action-kinds';
import { assertNever } from '../plan';
import { median, percentile } from './stats';
import { localeOrder } from '../collate';

/**
 * How auditors group access paths (SOC 2 CC6.2/CC6.3, ISO 27001 A.5.18 samples ask per path): the same paths, under
 * the same names, as HR's per-path status in Slack (action-kinds.ts).
 */
export type AccessCategory = AccessPath;

/** Categories in the order reports list them. */
export const ACCESS_CATEGORIES: readonly AccessCategory[] = ACCESS_PATHS;

/** Human label of a category, for reports. */
export const categoryLabel = (category: AccessCategory): string => ACCESS_PATH_INFO[category].label;

/** The category an action closes. */
export const categoryOf = (kind: ActionKind): AccessCategory => ACTION_KIND_TABLE[kind].path;

const ACTION_KIND_SET: ReadonlySet<string> = new Set(ACTION_KINDS);
const isActionKind = (action: string): action is ActionKind => ACTION_KIND_SET.has(action);
const isHostAction = (kind: ActionKind): boolean => isHostKind(kind);

/** Who said the person left: a Slack user (the `/offboard` modal) or the HR roster file. */
export type MarkedBy =
  | { readonly kind: 'slack'; readonly user: string }
  | { readonly kind: 'hr-file'; readonly file: string }
  | { readonly kind: 'other'; readonly text: string };

/** Reads the `markedBy` text reconcile records (`slack:U…`, `roster:FILE`). */
export function parseMarkedBy(text: string | undefined): MarkedBy {
  if (text === undefined || text === '') return { kind: 'other', text: 'unknown' };
  if (text.startsWith('slack:')) return { kind: 'slack', user: text.slice('slack:'.length) };
  if (text.startsWith('roster:')) return { kind: 'hr-file', file: text.slice('roster:'.length) };
  return { kind: 'other', text };
}

/** One line of text for `MarkedBy`. */
export function describeMarkedBy(markedBy: MarkedBy): string {
  switch (markedBy.kind) {
    case 'slack':
      return `Slack user ${markedBy.user}`;
    case 'hr-file':
      return `HR file ${markedBy.file}`;
    case 'other':
      return markedBy.text;
    default:
      return assertNever(markedBy);
  }
}

export type PathStatus = 'closed' | 'failed' | 'skipped' | 'in-progress';

/** One access path of a leaver and the audit entries that prove when it was closed and verified. */
export interface PathEvidence {
  readonly category: AccessCategory;
  readonly action: ActionKind;
  readonly account?: string;
  /** IAM user name, or `instance:osUser` for host paths. */
  readonly target: string;
  /** Which key, group or policy (from the action's intent entry). */
  readonly detail: string;
  readonly status: PathStatus;
  readonly closedAt?: string;
  readonly closedSeq?: number;
  /** When a re-read showed it closed: the user's `verify` entry, or the host script's own check for host paths. */
  readonly verifiedAt?: string;
  readonly verifiedSeq?: number;
  readonly error?: string;
  /** Outcome entries seen for this path (retries across runs count). */
  readonly attempts: number;
}

/** The last verification of one IAM user of a leaver. */
export interface UserVerification {
  readonly account?: string;
  readonly userName: string;
  readonly noAccessLeftAt?: string;
  readonly verifiedSeq?: number;
  readonly lastResult: 'no-access-left' | 'failed' | 'none';
  readonly error?: string;
}

/** Whether revocation met the SLA: `pending` is still open but inside the SLA window. */
export type SlaOutcome = 'met' | 'missed' | 'pending';

export interface LeaverEvidence {
  readonly employeeId: string;
  readonly email: string;
  readonly fullName?: string;
  /** When access had to end (the roster's end of day in the configured zone, or Slack's effective time). */
  readonly effectiveAt?: string;
  /** What the clock ran from: `effectiveAt`, else Warden's first action for this leaver. */
  readonly clockStartAt: string;
  readonly markedBy: MarkedBy;
  readonly firstActionAt: string;
  readonly accounts: readonly string[];
  readonly runs: readonly string[];
  readonly paths: readonly PathEvidence[];
  readonly users: readonly UserVerification[];
  /** Some path or user is not yet closed and verified. */
  readonly open: boolean;
  readonly noAccessLeftAt?: string;
  readonly hoursToNoAccess?: number;
  readonly sla: SlaOutcome;
  readonly notes: readonly string[];
  /** Live role sessions per IAM user, as last recorded (`leaver.sessions`); absent when none was recorded. */
  readonly sessions?: readonly SessionEvidence[];
  /** Successful calls CloudTrail showed as this leaver after "no access left" (high findings; issue 15). */
  readonly postRevocationUse?: readonly PostRevocationCall[];
}

/** One `trail.post-revocation-use` entry, as the leaver report shows it. */
export interface PostRevocationCall {
  readonly seq: number;
  readonly eventTime: string;
  readonly eventName: string;
  readonly account?: string;
  readonly sourceIp: string;
  /** The access key or user the call was made with. */
  readonly usedBy: string;
}

export interface LeaverSummary {
  readonly leavers: number;
  readonly closed: number;
  readonly open: number;
  readonly met: number;
  readonly missed: number;
  readonly pending: number;
  /** met / (met + missed): pending leavers are not decided yet; undefined when none is. */
  readonly shareWithinSla?: number;
  /** Over closed leavers. */
  readonly medianHours?: number;
  /** Nearest-rank 95th percentile over closed leavers. */
  readonly p95Hours?: number;
  readonly maxHours?: number;
}

export interface LeaverReport {
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly slaHours: number;
  /** Open leavers first, then by effective time. */
  readonly leavers: readonly LeaverEvidence[];
  readonly summary: LeaverSummary;
}

export interface LeaverReportOptions {
  /** Leavers whose effective time falls in [from, to] are reported. */
  readonly from: Date;
  readonly to: Date;
  readonly slaHours: number;
  /** Decides whether an open leaver already missed the SLA. */
  readonly now: Date;
}

const HOUR_MS = 3_600_000;

/** Reads `email (employeeId)` keeping the original case; falls back to the lower-cased index keys. */
export function parseAuditPerson(text: string | undefined): { readonly email?: string; readonly employeeId?: string } {
  if (text === undefined) return {};
  const exact = /^\s*(\S+@\S+)\s+\((.+)\)\s*$/.exec(text);
  if (exact !== null) return { email: exact[1] as string, employeeId: (exact[2] as string).trim() };
  return personKeys(text);
}

const leaverKey = (person: string | undefined): string | undefined => {
  const keys = personKeys(person);
  return keys.employeeId !== undefined ? `id:${keys.employeeId}` : keys.email !== undefined ? `email:${keys.email}` : undefined;
};

const record = (value: unknown): Readonly<Record<string, unknown>> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** What an intent entry's `before` (the action's target, as stored: untrusted) says about which key, group or policy. */
function detailOf(kind: ActionKind, target: unknown): string {
  const t = record(target);
  const { fields, text: fixed } = ACTION_KIND_TABLE[kind].evidence;
  if (fixed !== undefined) return fixed;
  return (fields as readonly string[]).flatMap((field) => text(t[field]) ?? []).join(' ');
}

interface MutablePath {
  category: AccessCategory;
  action: ActionKind;
  account: string | undefined;
  target: string;
  detail: string;
  status: PathStatus;
  closedAt?: string;
  closedSeq?: number;
  error?: string;
  attempts: number;
  /** The last entry for this path was an intent with no outcome yet. */
  inFlight: boolean;
}

interface VerifyEvent {
  readonly seq: number;
  readonly at: string;
  readonly noAccessLeft: boolean;
  /** A role re-read (verify-roles.ts): the only kind of verify that proves a role path closed. */
  readonly role?: true;
  readonly error?: string;
}

interface LeaverState {
  employeeId: string;
  email: string;
  fullName?: string;
  effectiveAt?: string;
  markedBy: MarkedBy;
  firstActionAt: string;
  accounts: Set<string>;
  runs: Set<string>;
  paths: Map<string, MutablePath>;
  verifies: Map<string, { account: string | undefined; userName: string; events: VerifyEvent[] }>;
  sessions?: Map<string, SessionEvidence>;
  postRevocation?: PostRevocationCall[];
}

const userKeyOf = (account: string | undefined, userName: string): string => `${account ?? ''}\u0000${userName.toLowerCase()}`;

/**
 * Builds the leaver report from audit entries (any order; read in seq order). Entries must include
 * everything from each reported leaver's first `leaver.revocation` on: pass the whole log, or
 * everything since well before `from`.
 */
export function buildLeaverReport(entries: readonly ChainEntry[], options: LeaverReportOptions): LeaverReport {
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  const leavers = new Map<string, LeaverState>();

  for (const entry of ordered) {
    if (entry.action !== 'leaver.revocation') continue;
    const key = leaverKey(entry.person);
    if (key === undefined) continue;
    const person = parseAuditPerson(entry.person);
    const after = record(entry.after);
    const state = leavers.get(key) ?? {
      employeeId: person.employeeId ?? '',
      email: person.email ?? '',
      markedBy: parseMarkedBy(undefined),
      firstActionAt: entry.at,
      accounts: new Set<string>(),
      runs: new Set<string>(),
      paths: new Map<string, MutablePath>(),
      verifies: new Map<string, { account: string | undefined; userName: string; events: VerifyEvent[] }>(),
    };
    // The latest entry wins: HR may have corrected the name or the effective time since.
    const fullName = text(after['fullName']);
    if (fullName !== undefined) state.fullName = fullName;
    const effectiveAt = text(after['effectiveAt']);
    if (effectiveAt !== undefined) state.effectiveAt = effectiveAt;
    const markedBy = text(after['markedBy']);
    if (markedBy !== undefined) state.markedBy = parseMarkedBy(markedBy);
    const accounts = after['accounts'];
    if (Array.isArray(accounts)) for (const a of accounts) if (typeof a === 'string') state.accounts.add(a);
    state.runs.add(entry.runId);
    leavers.set(key, state);
  }

  const pendingDetails = new Map<string, string[]>();
  for (const entry of ordered) {
    if (entry.action === 'trail.post-revocation-use') {
      const key = leaverKey(entry.person);
      const state = key === undefined ? undefined : leavers.get(key);
      const after = record(entry.after);
      if (state === undefined) continue;
      (state.postRevocation ??= []).push({
        seq: entry.seq,
        eventTime: text(after['eventTime']) ?? entry.at,
        eventName: text(after['eventName']) ?? '?',
        ...(entry.account !== undefined ? { account: entry.account } : {}),
        sourceIp: text(after['sourceIp']) ?? '?',
        usedBy: text(after['usedBy']) ?? entry.target ?? '?',
      });
      continue;
    }
    if (entry.reason !== 'departed') continue;
    const key = leaverKey(entry.person);
    const state = key === undefined ? undefined : leavers.get(key);
    if (state === undefined) continue;
    if (entry.action === 'leaver.sessions') {
      const evidence = sessionEvidenceOf(entry);
      if (evidence !== undefined) (state.sessions ??= new Map()).set(userKeyOf(entry.account, evidence.userName), evidence);
      continue;
    }
    if (entry.action === 'verify' && entry.target !== undefined) {
      const userKey = userKeyOf(entry.account, entry.target);
      const verifies = state.verifies.get(userKey) ?? { account: entry.account, userName: entry.target, events: [] };
      const after = record(entry.after);
      const noAccessLeft = entry.result === 'verified' && (after['noAccessLeft'] === true || after['deleted'] === true);
      const role = typeof after['sessionsEnded'] === 'boolean';
      verifies.events.push({ seq: entry.seq, at: entry.at, noAccessLeft, ...(role ? { role } : {}), ...(entry.error !== undefined ? { error: entry.error } : {}) });
      state.verifies.set(userKey, verifies);
      continue;
    }
    if (!isActionKind(entry.action) || entry.target === undefined) continue;
    const kind = entry.action;
    state.runs.add(entry.runId);
    if (entry.account !== undefined) state.accounts.add(entry.account);
    // Intents and outcomes pair first-in first-out per run, user and kind: one user's actions run one after another.
    const queueKey = `${entry.runId}\u0000${entry.account ?? ''}\u0000${entry.target}\u0000${kind}`;
    let detail: string;
    if (entry.result === 'intent') {
      detail = detailOf(kind, entry.before);
      pendingDetails.set(queueKey, [...(pendingDetails.get(queueKey) ?? []), detail]);
    } else {
      const queue = pendingDetails.get(queueKey) ?? [];
      detail = queue.shift() ?? '';
    }
    const pathKey = `${entry.account ?? ''}\u0000${entry.target}\u0000${kind}\u0000${detail}`;
    const path: MutablePath = state.paths.get(pathKey) ?? {
      category: categoryOf(kind),
      action: kind,
      account: entry.account,
      target: entry.target,
      detail,
      status: 'in-progress',
      attempts: 0,
      inFlight: false,
    };
    switch (entry.result) {
      case 'intent':
        path.inFlight = true;
        break;
      case 'ok':
        path.inFlight = false;
        path.attempts += 1;
        path.status = 'closed';
        path.closedAt = entry.at;
        path.closedSeq = entry.seq;
        delete path.error;
        break;
      case 'failed':
      case 'skipped':
        path.inFlight = false;
        path.attempts += 1;
        path.status = entry.result;
        delete path.closedAt;
        delete path.closedSeq;
        path.error = entry.error ?? entry.result;
        break;
      default:
        break;
    }
    state.paths.set(pathKey, path);
  }

  const from = options.from.getTime();
  const to = options.to.getTime();
  const reported = [...leavers.values()]
    .map((state) => finishLeaver(state, options))
    .filter((leaver) => {
      const start = Date.parse(leaver.clockStartAt);
      return start >= from && start <= to;
    })
    .sort((a, b) => Number(b.open) - Number(a.open) || Date.parse(a.clockStartAt) - Date.parse(b.clockStartAt) || localeOrder(a.email, b.email));

  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    generatedAt: options.now.toISOString(),
    slaHours: options.slaHours,
    leavers: reported,
    summary: summarise(reported),
  };
}

function finishLeaver(state: LeaverState, options: LeaverReportOptions): LeaverEvidence {
  const users: UserVerification[] = [];
  const userState = new Map<string, UserVerification>();
  const iamUsers = new Map<string, { account: string | undefined; userName: string }>();
  for (const path of state.paths.values()) {
    if (!isHostAction(path.action)) iamUsers.set(userKeyOf(path.account, path.target), { account: path.account, userName: path.target });
  }
  for (const [key, { account, userName }] of iamUsers) {
    const events = state.verifies.get(key)?.events ?? [];
    // The last verdict stands; "no access left" dates from the first of the final run of good verdicts.
    let closedAt: VerifyEvent | undefined;
    let last: VerifyEvent | undefined;
    for (const event of events) {
      if (event.noAccessLeft) closedAt ??= event;
      else closedAt = undefined;
      last = event;
    }
    const verification: UserVerification = {
      ...(account !== undefined ? { account } : {}),
      userName,
      ...(closedAt !== undefined ? { noAccessLeftAt: closedAt.at, verifiedSeq: closedAt.seq } : {}),
      lastResult: last === undefined ? 'none' : last.noAccessLeft ? 'no-access-left' : 'failed',
      ...(last !== undefined && !last.noAccessLeft && last.error !== undefined ? { error: last.error } : {}),
    };
    users.push(verification);
    userState.set(key, verification);
  }

  const paths: PathEvidence[] = [...state.paths.values()].map((path) => {
    const status: PathStatus = path.inFlight ? 'in-progress' : path.status;
    let verified: { at: string; seq: number } | undefined;
    if (status === 'closed' && path.closedAt !== undefined && path.closedSeq !== undefined) {
      if (isHostAction(path.action)) {
        // The host script reports a key or account as done only after re-reading it (ABSENT/LOCKED).
        verified = { at: path.closedAt, seq: path.closedSeq };
      } else {
        const closedSeq = path.closedSeq;
        const event = state.verifies
          .get(userKeyOf(path.account, path.target))
          ?.events.find((e) => e.seq > closedSeq && e.noAccessLeft && (ACTION_KIND_TABLE[path.action].readsRole !== true || e.role === true));
        if (event !== undefined) verified = { at: event.at, seq: event.seq };
      }
    }
    return {
      category: path.category,
      action: path.action,
      ...(path.account !== undefined ? { account: path.account } : {}),
      target: path.target,
      detail: path.detail,
      status,
      ...(status === 'closed' && path.closedAt !== undefined ? { closedAt: path.closedAt } : {}),
      ...(status === 'closed' && path.closedSeq !== undefined ? { closedSeq: path.closedSeq } : {}),
      ...(verified !== undefined ? { verifiedAt: verified.at, verifiedSeq: verified.seq } : {}),
      ...(path.error !== undefined && status !== 'closed' ? { error: path.error } : {}),
      attempts: path.attempts,
    };
  });
  paths.sort(
    (a, b) =>
      ACCESS_CATEGORIES.indexOf(a.category) - ACCESS_CATEGORIES.indexOf(b.category) ||
      localeOrder(a.account ?? '', b.account ?? '') ||
      localeOrder(a.target, b.target) ||
      localeOrder(a.detail, b.detail),
  );

  const open =
    paths.length === 0 ||
    paths.some((p) => p.status !== 'closed' || p.verifiedAt === undefined) ||
    users.some((u) => u.noAccessLeftAt === undefined);
  const times = [...paths.map((p) => p.verifiedAt), ...users.map((u) => u.noAccessLeftAt)].filter((t): t is string => t !== undefined);
  const noAccessLeftAt = open ? undefined : times.reduce((latest, t) => (Date.parse(t) > Date.parse(latest) ? t : latest), times[0] ?? state.firstActionAt);
  const clockStartAt = state.effectiveAt ?? state.firstActionAt;
  const start = Date.parse(clockStartAt);
  const slaMs = options.slaHours * HOUR_MS;
  const rawMs = noAccessLeftAt === undefined ? undefined : Date.parse(noAccessLeftAt) - start;
  const hoursToNoAccess = rawMs === undefined ? undefined : Math.max(0, rawMs) / HOUR_MS;
  const sla: SlaOutcome =
    rawMs !== undefined ? (rawMs <= slaMs ? 'met' : 'missed') : options.now.getTime() - start > slaMs ? 'missed' : 'pending';

  const notes: string[] = [];
  if (state.effectiveAt === undefined) notes.push('no effective time was recorded: measured from Warden’s first action for this leaver');
  if (rawMs !== undefined && rawMs < 0) notes.push('access was removed before the effective time (revoked early)');
  if (paths.length > 0 && paths.every((p) => p.category === 'user')) {
    notes.push('only the deletion of the IAM user is in this audit log: its access was already closed before the first audited run');
  }
  for (const user of users) {
    if (user.lastResult === 'failed') notes.push(`verification of ${user.userName} failed: ${user.error ?? 'access remained'}`);
    if (user.lastResult === 'none') notes.push(`${user.userName} has not been verified yet`);
  }
  if (state.postRevocation !== undefined) notes.push(`HIGH: ${state.postRevocation.length} successful call(s) after access was revoked (CloudTrail)`);

  return {
    employeeId: state.employeeId,
    email: state.email,
    ...(state.fullName !== undefined ? { fullName: state.fullName } : {}),
    ...(state.effectiveAt !== undefined ? { effectiveAt: state.effectiveAt } : {}),
    clockStartAt,
    markedBy: state.markedBy,
    firstActionAt: state.firstActionAt,
    accounts: [...state.accounts].sort(),
    runs: [...state.runs],
    paths,
    users,
    open,
    ...(noAccessLeftAt !== undefined ? { noAccessLeftAt } : {}),
    ...(hoursToNoAccess !== undefined ? { hoursToNoAccess } : {}),
    sla,
    notes,
    ...(state.sessions !== undefined ? { sessions: [...state.sessions.values()] } : {}),
    ...(state.postRevocation !== undefined ? { postRevocationUse: state.postRevocation } : {}),
  };
}

/** Count, share within SLA, median and 95th percentile of hours to "no access left". */
export function summarise(leavers: readonly LeaverEvidence[]): LeaverSummary {
  const hours = leavers.flatMap((l) => (l.hoursToNoAccess !== undefined ? [l.hoursToNoAccess] : []));
  const met = leavers.filter((l) => l.sla === 'met').length;
  const missed = leavers.filter((l) => l.sla === 'missed').length;
  const medianHours = median(hours);
  const p95Hours = percentile(hours, 95);
  return {
    leavers: leavers.length,
    closed: leavers.filter((l) => !l.open).length,
    open: leavers.filter((l) => l.open).length,
    met,
    missed,
    pending: leavers.filter((l) => l.sla === 'pending').length,
    ...(met + missed > 0 ? { shareWithinSla: met / (met + missed) } : {}),
    ...(medianHours !== undefined ? { medianHours } : {}),
    ...(p95Hours !== undefined ? { p95Hours } : {}),
    ...(hours.length > 0 ? { maxHours: Math.max(...hours) } : {}),
  };
}

/** Per category: how many paths, whether any is still open, and when the last one was closed and verified. */
export interface CategoryEvidence {
  readonly category: AccessCategory;
  readonly paths: number;
  readonly open: number;
  readonly closedAt?: string;
  readonly verifiedAt?: string;
}

/** Rolls a leaver's paths up by category (the columns of the CSV export). */
export function categoriesOf(leaver: LeaverEvidence): ReadonlyMap<AccessCategory, CategoryEvidence> {
  const out = new Map<AccessCategory, CategoryEvidence>();
  const later = (a: string | undefined, b: string | undefined): string | undefined =>
    a === undefined ? b : b === undefined ? a : Date.parse(b) > Date.parse(a) ? b : a;
  for (const path of leaver.paths) {
    const current = out.get(path.category) ?? { category: path.category, paths: 0, open: 0 };
    const isOpen = path.status !== 'closed' || path.verifiedAt === undefined;
    const closedAt = later(current.closedAt, path.closedAt);
    const verifiedAt = later(current.verifiedAt, path.verifiedAt);
    out.set(path.category, {
      category: path.category,
      paths: current.paths + 1,
      open: current.open + (isOpen ? 1 : 0),
      ...(closedAt !== undefined ? { closedAt } : {}),
      ...(verifiedAt !== undefined ? { verifiedAt } : {}),
    });
  }
  return out;
}
