/**
 * The security policy's access clauses, each quoted verbatim, with the checks Warden runs for it, and the pure
 * computation of where the company stands on each: pass, fail or not applicable, with counts and the failing
 * principals. Where reading a clause as a check is Warden's interpretation rather than the clause's own words, the
 * table says so, so an auditor can disagree with the mapping rather than be misled by it.
 */
import type { Action, ActionReason, Finding, FindingKind, Plan } from '../plan';
import type { CheckRun, PolicyCheckId } from './checks';

/** Checks read off the plan itself (leavers, least privilege, ownership, hygiene), beside the policy checks. */
export type PlanCheckId = 'leaver-revocation' | 'least-privilege' | 'account-ownership' | 'credential-hygiene' | 'host-key-lines' | 'break-glass' | 'audit-chain';

export type ReportCheckId = PolicyCheckId | PlanCheckId;

export interface CheckDefinition {
  readonly id: ReportCheckId;
  readonly title: string;
  /** Findings of these kinds (other than info) fail the check. */
  readonly findingKinds: readonly FindingKind[];
  /** Planned actions with these reasons are access the clause says should not be there: they fail the check too. */
  readonly actionReasons?: readonly ActionReason[];
  /** Present where the clause -> check mapping is Warden's reading, not the clause's own words. */
  readonly interpretation?: string;
}

export interface ClauseDefinition {
  readonly id: string;
  /** A few words naming the clause in tables and Slack. */
  readonly title: string;
  readonly section: string;
  /** Verbatim from docs/reference/security-policy.txt. */
  readonly clause: string;
  readonly checks: readonly CheckDefinition[];
}

const CHECKS: Readonly<Record<ReportCheckId, CheckDefinition>> = {
  'joiner-acceptance': {
    id: 'joiner-acceptance',
    title: 'Active people holding access have policy_accepted_at and nda_signed_at on the roster',
    findingKinds: ['joiner-without-acceptance'],
    actionReasons: ['joiner-quarantine'],
    interpretation: 'Access is read as IAM users matched to the person; "completion of this process" as both roster dates being recorded.',
  },
  'admin-budget': {
    id: 'admin-budget',
    title: 'Principals whose policies allow every action on every resource, within admins.max (break-glass apart)',
    findingKinds: ['admin-rights'],
    interpretation: '"Full rights" is read as an IAM policy allowing * on * (directly or through a group); "where possible" as a budget (admins.max) rather than zero.',
  },
  'root-access-keys': { id: 'root-access-keys', title: 'Root has no access keys (CIS AWS 1.4)', findingKinds: ['root-access-key'] },
  'root-mfa': { id: 'root-mfa', title: 'Root has MFA (CIS AWS 1.5)', findingKinds: ['root-no-mfa'] },
  'root-use': {
    id: 'root-use',
    title: 'Root not used within hygiene.rootUseDays (CIS AWS 1.7)',
    findingKinds: ['root-recent-use'],
    interpretation: '"Kept to a minimum" is read as no root sign-in or key use within hygiene.rootUseDays.',
  },
  'password-policy': {
    id: 'password-policy',
    title: 'Account password policy meets passwordPolicy (length, character classes, reuse, maximum age)',
    findingKinds: ['password-policy-weak', 'policy-check-unavailable'],
    interpretation: '"Complex" and "changed periodically" are read as the configured minimum length, classes, reuse prevention and maximum age.',
  },
  'default-passwords': {
    id: 'default-passwords',
    title: 'No console password left unused long after someone else set it',
    findingKinds: ['default-password'],
    interpretation: 'IAM records no creator: a console password nobody has signed in with hygiene.defaultPasswordDays after it was set is taken to be the one an administrator chose.',
  },
  'shared-host-accounts': { id: 'shared-host-accounts', title: 'No host account holds keys of more than one person', findingKinds: ['shared-account'] },
  'shared-iam-users': { id: 'shared-iam-users', title: 'No IAM user maps to more than one person', findingKinds: ['shared-account', 'ambiguous-identity'] },
  'session-duration': {
    id: 'session-duration',
    title: 'Role sessions no longer than sessions.maxHours',
    findingKinds: ['session-too-long'],
    interpretation: 'The clause sits under workstations; Warden applies it to AWS sessions: a role\'s MaxSessionDuration (and permission sets\' once Identity Center is read).',
  },
  'leaver-revocation': {
    id: 'leaver-revocation',
    title: 'Leavers past their end hold no access (nothing left to revoke)',
    findingKinds: ['account-unreachable', 'host-unreachable', 'user-detail-unavailable', 'active-past-end-date', 'service-account-owner-departed'],
    actionReasons: ['departed'],
  },
  'least-privilege': {
    id: 'least-privilege',
    title: 'Nobody holds a group or policy their role does not allow',
    findingKinds: ['direct-policy', 'unknown-role'],
    actionReasons: ['excess-privilege'],
  },
  'account-ownership': {
    id: 'account-ownership',
    title: 'Every IAM user and host key belongs to a person on the roster',
    findingKinds: ['orphan-user', 'orphan-host-key'],
    actionReasons: ['orphan'],
    interpretation: '"Authorized staff" is read as a person on the roster: IAM users and host keys nobody on it owns fail.',
  },
  'credential-hygiene': {
    id: 'credential-hygiene',
    title: 'Console users have MFA; keys rotated and used (CIS AWS 1.10, 1.12-1.14)',
    findingKinds: ['no-mfa', 'rotation-overdue', 'multiple-active-keys', 'unused-credential'],
    actionReasons: ['unused-credential'],
  },
  'host-key-lines': {
    id: 'host-key-lines',
    title: 'Every line of a keys file on the hosts is a key OpenSSH reads',
    findingKinds: ['unparsed-host-key-line'],
    interpretation: 'Warden checks only the SSH-key part of this clause: keys files hold nothing sshd would read differently.',
  },
  'break-glass': {
    id: 'break-glass',
    title: 'Break-glass users are known, never changed automatically, and have MFA on their console',
    findingKinds: ['break-glass-user'],
    interpretation: 'Supervisor passwords "in a secure location" are read as the configured break-glass users, which fail when their console has no MFA.',
  },
  'audit-chain': {
    id: 'audit-chain',
    title: "Warden's own audit log is intact (hash chain verified)",
    findingKinds: [],
    interpretation: "Warden can vouch only for its own log of access changes; the application's web server logs are outside what it reads.",
  },
};

const c = (...ids: ReportCheckId[]): CheckDefinition[] => ids.map((id) => CHECKS[id]);

const ACCESS = 'Systems and Information Access Control / Access Policies and Procedures';
const AUTH = 'Systems and Information Access Control / Secure Authentication';

/** Every access clause of the policy, in the policy's order. */
export const POLICY_CLAUSES: readonly ClauseDefinition[] = [
  {
    id: 'job-roles',
    title: 'Access limited to job roles',
    section: ACCESS,
    clause:
      'Access to corporate and production environments is strictly limited in accordance with the job roles. ' +
      'Users are only minimally given sufficient access rights to enable them to perform their job function.',
    checks: c('least-privilege'),
  },
  { id: 'no-full-rights', title: 'No staff member with full rights', section: ACCESS, clause: 'Where possible, none of the staff members is granted full rights to access any system.', checks: c('admin-budget') },
  {
    id: 'small-group',
    title: 'Only authorized staff reach production',
    section: ACCESS,
    clause: 'Only a small group of authorized actiTIME staff members can access data center environment and production servers.',
    checks: c('account-ownership'),
  },
  {
    id: 'leavers-24h',
    title: 'Leavers lose access within 24 hours',
    section: ACCESS,
    clause:
      'Person who is no longer affiliated with actiTIME is restricted from accessing any actiTIME servers within 24 hours. ' +
      'User accounts of terminated staff are promptly disabled and removed.',
    checks: c('leaver-revocation'),
  },
  {
    id: 'ssh-keys',
    title: 'Server access through SSH keys',
    section: ACCESS,
    clause: 'Staff access to production servers is performed from a special environment installed in AWS and secured through encrypted channels and usage of SSH keys.',
    checks: c('host-key-lines'),
  },
  {
    id: 'personal-usernames',
    title: 'Personal usernames, complex passwords, not shared',
    section: AUTH,
    clause: 'actiTIME staff members are required to use personal usernames and complex passwords, which should not be shared among users.',
    checks: c('shared-host-accounts', 'shared-iam-users', 'password-policy'),
  },
  {
    id: 'default-passwords',
    title: 'Default passwords changed, passwords changed periodically',
    section: AUTH,
    clause: 'Default passwords on all systems are changed after installation and changed periodically.',
    checks: c('default-passwords', 'credential-hygiene'),
  },
  {
    id: 'supervisor-passwords',
    title: 'Supervisor passwords kept safe for emergencies',
    section: AUTH,
    clause: 'Network/server supervisor passwords and system supervisor passwords are stored in a secure location in case of an emergency or disaster.',
    checks: c('break-glass'),
  },
  {
    id: 'access-logged',
    title: 'Access events available for audit',
    section: 'Systems and Information Access Control / Monitoring System Access',
    clause: 'Access to the application web servers is logged, and all access events are available for later auditing.',
    checks: c('audit-chain'),
  },
  {
    id: 'session-timeouts',
    title: 'Session timeouts',
    section: 'Corporate Offices – Physical Security / Workstations',
    clause: 'Session timeouts are kept in accordance with the best business practices.',
    checks: c('session-duration'),
  },
  {
    id: 'root-minimum',
    title: 'Root and administrator use kept to a minimum',
    section: 'Corporate Offices – Physical Security / Server Access',
    clause: 'Use of the Admin/Administrator/root accounts is kept to a minimum.',
    checks: c('root-access-keys', 'root-mfa', 'root-use', 'admin-budget'),
  },
  {
    id: 'nda-before-access',
    title: 'Access only after NDA and policy are signed',
    section: 'Employee Awareness and Responsibilities',
    clause:
      'All actiTIME staff and subcontractors are required to read, accept and sign an NDA and the Policy. ' +
      'Access to the corporate and production environments is granted only upon completion of this process.',
    checks: c('joiner-acceptance'),
  },
];

export type ClauseStatus = 'pass' | 'fail' | 'not-applicable';

export interface CheckStatus {
  readonly id: ReportCheckId;
  readonly title: string;
  readonly interpretation?: string;
  readonly status: ClauseStatus;
  readonly note: string;
  /** Findings and planned actions that fail the check. */
  readonly failing: number;
  /** Who fails it (person, `account/user`, host), each once, sorted. */
  readonly principals: readonly string[];
}

export interface ClauseReport {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly clause: string;
  readonly status: ClauseStatus;
  readonly checks: readonly CheckStatus[];
}

export interface PolicyReport {
  readonly generatedAt: string;
  readonly summary: { readonly clauses: number; readonly pass: number; readonly fail: number; readonly notApplicable: number; readonly findings: number };
  readonly clauses: readonly ClauseReport[];
}

export interface PolicyReportInput {
  readonly plan: Plan;
  readonly runs: readonly CheckRun[];
  /** The audit chain check just made; absent: not checked. */
  readonly chain?: { readonly ok: boolean; readonly entries: number; readonly problem?: string };
}

const principalOfFinding = (f: Finding): string =>
  f.person?.email ?? (f.account !== undefined && f.userName !== undefined ? `${f.account}/${f.userName}` : (f.instanceId ?? f.account ?? 'the roster'));
const principalOfAction = (a: Action): string => a.person?.email ?? `${a.account}/${a.userName}`;

/** Checks whose findings name the same kind tell them apart by where the finding points (hosts vs IAM users). */
function belongs(check: ReportCheckId, finding: Finding): boolean {
  if (check === 'shared-host-accounts') return finding.instanceId !== undefined;
  if (check === 'shared-iam-users') return finding.instanceId === undefined;
  return true;
}

function checkStatus(definition: CheckDefinition, input: PolicyReportInput): CheckStatus {
  const { plan, runs, chain } = input;
  const findings = plan.findings.filter((f) => definition.findingKinds.includes(f.kind) && f.severity !== 'info' && belongs(definition.id, f));
  const actions = plan.actions.filter((a) => definition.actionReasons?.includes(a.reason) === true);
  const principals = [...new Set([...findings.map(principalOfFinding), ...actions.map(principalOfAction)])].sort();
  const base = { id: definition.id, title: definition.title, ...(definition.interpretation !== undefined ? { interpretation: definition.interpretation } : {}) };
  if (definition.id === 'audit-chain') {
    if (chain === undefined) return { ...base, status: 'not-applicable', note: 'the audit log was not checked', failing: 0, principals: [] };
    return chain.ok
      ? { ...base, status: 'pass', note: `${chain.entries} entries, hash chain intact`, failing: 0, principals: [] }
      : { ...base, status: 'fail', note: `hash chain broken: ${chain.problem ?? 'unknown problem'}`, failing: 1, principals: [] };
  }
  const run = runs.find((r) => r.check === definition.id);
  const failing = findings.length + actions.length;
  if (run !== undefined && !run.applicable && failing === 0) return { ...base, status: 'not-applicable', note: run.note, failing: 0, principals: [] };
  const note = run?.note ?? `${plan.summary.iamUsers} IAM users, ${plan.summary.people} people`;
  return { ...base, status: failing > 0 ? 'fail' : 'pass', note, failing, principals };
}

/** Where the company stands on each access clause now, from a plan and the checks' runs. Pure. */
export function buildPolicyReport(input: PolicyReportInput): PolicyReport {
  const clauses = POLICY_CLAUSES.map((clause): ClauseReport => {
    const checks = clause.checks.map((check) => checkStatus(check, input));
    const status: ClauseStatus = checks.some((s) => s.status === 'fail') ? 'fail' : checks.some((s) => s.status === 'pass') ? 'pass' : 'not-applicable';
    return { id: clause.id, title: clause.title, section: clause.section, clause: clause.clause, status, checks };
  });
  const count = (status: ClauseStatus): number => clauses.filter((cl) => cl.status === status).length;
  return {
    generatedAt: input.plan.generatedAt,
    summary: { clauses: clauses.length, pass: count('pass'), fail: count('fail'), notApplicable: count('not-applicable'), findings: input.plan.findings.length },
    clauses,
  };
}

/** One line for Slack's `/access status`: e.g. `Security policy: 7 of 12 access clauses pass, 3 fail (…), 2 not applicable`. */
export function policySummaryLine(report: PolicyReport): string {
  const failing = report.clauses.filter((cl) => cl.status === 'fail').map((cl) => cl.id);
  const { clauses, pass, notApplicable } = report.summary;
  return (
    `Security policy: ${pass} of ${clauses} access clauses pass` +
    (failing.length > 0 ? `, ${failing.length} fail (${failing.join(', ')})` : '') +
    (notApplicable > 0 ? `, ${notApplicable} not applicable` : '')
  );
}
