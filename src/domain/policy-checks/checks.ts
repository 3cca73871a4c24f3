/**
 * The security policy's access clauses as checks over what Warden already reads: each check is pure, turns the
 * roster, the IAM inventory, the hosts and the account posture into findings (and, for joiners, quarantine actions),
 * and says whether it could run at all, so a report never shows "pass" for a check that saw nothing.
 */
import { citation } from '../controls';
import type { AccountInventory, IamUser } from '../inventory';
import type { Action, Finding, Severity } from '../plan';
import { denyAllIn, denyAllPolicyArn } from '../policy-documents';
import { personRef, type Person, type PersonRef } from '../roster';
import { keyFingerprint } from '../ssh-key';
import { makeAction, makeFinding } from '../planning/build';
import { mustBeRevoked, phaseIn, userLabel, type ClassifiedUser, type PlanContext } from '../planning/context';
import { keyBodyOf } from '../planning/hosts';
import { policiesOf } from '../planning/iam';
import { adminRights, permissionSetAdminRights } from './admin-rights';
import { createIcMatcher } from '../identity-center';
import type { PasswordPolicy, PasswordRequirement, PolicyCheckSettings, SessionLimit } from './posture';

/** One check behind a clause; the report lists each with whether it ran. */
export type PolicyCheckId =
  | 'joiner-acceptance'
  | 'admin-budget'
  | 'root-access-keys'
  | 'root-mfa'
  | 'root-use'
  | 'password-policy'
  | 'default-passwords'
  | 'shared-host-accounts'
  | 'shared-iam-users'
  | 'session-duration';

/** Whether a check ran; `note` says why not, or what it read. */
export interface CheckRun {
  readonly check: PolicyCheckId;
  readonly applicable: boolean;
  readonly note: string;
}

/** What the checks add to a plan, and which of them could run. */
export type PolicyCheckResult = Readonly<{ actions: readonly Action[]; findings: readonly Finding[]; runs: readonly CheckRun[] }>;

/** An administrator from any access plane: the IAM users below, and Identity Center users through their permission sets. */
export interface AdminPrincipal {
  /** How the principal is named in findings, e.g. `123456789012/bob` or `identity-center/bob`. */
  readonly label: string;
  readonly account?: string;
  readonly userName?: string;
  readonly person?: PersonRef;
  readonly breakGlass: boolean;
  readonly reasons: readonly string[];
}

/** What other access planes (Identity Center) add to the checks, once they are read. */
export interface PlaneExtras {
  readonly admins?: readonly AdminPrincipal[];
  readonly sessionLimits?: readonly SessionLimit[];
}

const DAY_MS = 86_400_000;
const daysBetween = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);
const day = (d: Date): string => d.toISOString().slice(0, 10);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const ran = (check: PolicyCheckId, note: string): CheckRun => ({ check, applicable: true, note });
const skipped = (check: PolicyCheckId, note: string): CheckRun => ({ check, applicable: false, note });

/** Runs every check. Pure over the plan context; `extras` carries what other planes found. */
export function runPolicyChecks(context: PlanContext, settings: PolicyCheckSettings, extras: PlaneExtras = {}): PolicyCheckResult {
  const parts = [
    joinerChecks(context, settings),
    adminBudgetCheck([...iamAdminPrincipals(context), ...(extras.admins ?? [])], settings.admins.max),
    rootChecks(context, settings),
    passwordPolicyCheck(context, settings.passwordPolicy),
    defaultPasswordCheck(context, settings.defaultPasswordDays),
    sharedHostAccountCheck(context),
    sharedIamUserCheck(context),
    sessionDurationCheck(context, settings.sessions.maxHours, extras.sessionLimits ?? []),
    postureUnreadFindings(context),
  ];
  return {
    actions: parts.flatMap((p) => p.actions ?? []),
    findings: parts.flatMap((p) => p.findings),
    runs: parts.flatMap((p) => p.runs),
  };
}

interface Part {
  readonly actions?: readonly Action[];
  readonly findings: readonly Finding[];
  readonly runs: readonly CheckRun[];
}

/** The IAM users matched to each person (every person, not only leavers as in the planner's own map). */
function usersByPerson(context: PlanContext): Map<Person, ClassifiedUser[]> {
  const map = new Map<Person, ClassifiedUser[]>();
  for (const entry of context.users) {
    if (entry.class.kind !== 'matched') continue;
    const list = map.get(entry.class.person);
    if (list === undefined) map.set(entry.class.person, [entry]);
    else list.push(entry);
  }
  return map;
}

const userKey = (user: IamUser): string => `${user.account}/${user.userName}`;

/** Present means recorded and not in the future: a date HR typed ahead of time is not a signature yet. */
const recorded = (at: Date | undefined, now: Date): boolean => at !== undefined && at.getTime() <= now.getTime();

/**
 * "Access … is granted only upon completion of this process": an active person holding IAM access without
 * `policy_accepted_at` and `nda_signed_at` is a high finding; with `joiners.quarantine` each of their users gets
 * Warden's managed deny-all, lifted (that policy alone) once both are recorded — only for users the audit log shows
 * Warden quarantined, so a joiner who attached the deny-all themselves, or one an admin attached, is never lifted.
 */
export function joinerChecks(context: PlanContext, settings: Pick<PolicyCheckSettings, 'joiners'>): Part {
  const { requireAcceptance, quarantine } = settings.joiners;
  if (!requireAcceptance && !quarantine) {
    return { findings: [], runs: [skipped('joiner-acceptance', 'joiners.requireAcceptance and joiners.quarantine are off')] };
  }
  const { roster, now, policy, quarantined } = context.input;
  const byPerson = usersByPerson(context);
  const actions: Action[] = [];
  const findings: Finding[] = [];
  let checked = 0;
  for (const person of roster.people) {
    if (person.status !== 'active' || mustBeRevoked(phaseIn(context, person))) continue;
    const users = byPerson.get(person) ?? [];
    if (users.length === 0) continue;
    checked += 1;
    const ref = personRef(person);
    const missing = [
      ...(recorded(person.policyAcceptedAt, now) ? [] : ['policy_accepted_at']),
      ...(recorded(person.ndaSignedAt, now) ? [] : ['nda_signed_at']),
    ];
    for (const { user, account } of users) {
      const policyArn = denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName);
      const fields = { account: user.account, userName: user.userName, person: ref };
      const target = { policyName: policy.denyAllPolicyName, policyArn };
      if (missing.length > 0) {
        if (quarantine && denyAllIn(policiesOf(user), policyArn, account.managedPolicyDocuments?.[policyArn]) === undefined) {
          actions.push(makeAction('attach-deny-all', { ...fields, reason: 'joiner-quarantine', control: 'joiner-acceptance' }, target));
        }
      } else if (quarantined?.has(userKey(user)) === true && user.attachedPolicies.some((p) => p.arn === policyArn)) {
        actions.push(makeAction('lift-quarantine', { ...fields, reason: 'joiner-accepted', control: 'joiner-acceptance' }, target));
      }
    }
    if (missing.length === 0) continue;
    findings.push(
      makeFinding(
        'joiner-without-acceptance',
        'high',
        'joiner-acceptance',
        { person: ref },
        `holds access (${users.map((u) => userLabel(u.user)).join(', ')}) without ${missing.join(' and ')} on the roster; ` +
          (quarantine ? `quarantined: Warden's deny-all stays until both are recorded` : `set joiners.quarantine: true to deny access until then`) +
          ` — ${citation('joiner-acceptance')}`,
      ),
    );
  }
  return { actions, findings, runs: [ran('joiner-acceptance', `${plural(checked, 'active person')} holding IAM access checked`)] };
}

/** Every IAM user whose policies (directly or through groups) allow every action on every resource, leavers being stopped left out. */
export function iamAdminPrincipals(context: PlanContext): AdminPrincipal[] {
  const principals: AdminPrincipal[] = [];
  for (const { user, account, class: userClass } of context.users) {
    if (userClass.kind === 'matched' && mustBeRevoked(phaseIn(context, userClass.person))) continue;
    const reasons = adminRights(user, account.groups, account.managedPolicyDocuments, { byGroupName: false });
    if (reasons.length === 0) continue;
    principals.push({
      label: userLabel(user),
      account: user.account,
      userName: user.userName,
      ...(userClass.kind === 'matched' ? { person: personRef(userClass.person) } : {}),
      breakGlass: userClass.kind === 'break-glass',
      reasons,
    });
  }
  return principals;
}

/**
 * "None of the staff members is granted full rights": administrators are counted against `admins.max` (one person
 * with several admin users counts once; break-glass users are counted apart). Within budget each is an info
 * finding (named for the auditor); over it, each is a medium finding.
 */
export function adminBudgetCheck(principals: readonly AdminPrincipal[], max: number): Part {
  const counted = principals.filter((p) => !p.breakGlass);
  const people = new Set(counted.map((p) => (p.person !== undefined ? `person:${p.person.email}` : `principal:${p.label}`)));
  const over = people.size > max;
  const severity: Severity = over ? 'medium' : 'info';
  const findings = principals.map((p) =>
    makeFinding(
      'admin-rights',
      p.breakGlass ? 'info' : severity,
      'no-full-rights',
      { ...(p.account !== undefined ? { account: p.account } : {}), ...(p.userName !== undefined ? { userName: p.userName } : {}), ...(p.person !== undefined ? { person: p.person } : {}) },
      `${p.breakGlass ? 'break-glass, counted apart: ' : ''}full rights (${p.reasons.join('; ')}); ` +
        `${plural(people.size, 'administrator')} against admins.max ${max}${over && !p.breakGlass ? ` — ${citation('no-full-rights')}` : ''}`,
    ),
  );
  const breakGlass = principals.length - counted.length;
  return { findings, runs: [ran('admin-budget', `${plural(people.size, 'administrator')} (limit ${max})${breakGlass > 0 ? `, ${breakGlass} break-glass apart` : ''}`)] };
}

/** "Use of the … root accounts is kept to a minimum": root access keys, root without MFA, root used recently (CIS AWS 1.4, 1.5, 1.7). */
export function rootChecks(context: PlanContext, settings: Pick<PolicyCheckSettings, 'rootUseDays'>): Part {
  const { now } = context.input;
  const findings: Finding[] = [];
  const read = context.input.inventory.accounts.filter((a) => a.posture?.root !== undefined);
  for (const account of read) {
    const root = account.posture?.root;
    if (root === undefined) continue;
    const where = { account: account.account, userName: '<root_account>' };
    if (root.activeAccessKeys > 0) {
      findings.push(
        makeFinding('root-access-key', 'high', 'minimal-root-use', where, `root has ${plural(root.activeAccessKeys, 'active access key')}; delete them (CIS AWS 1.4) — ${citation('minimal-root-use')}`),
      );
    }
    if (!root.mfaActive) {
      findings.push(makeFinding('root-no-mfa', 'high', 'minimal-root-use', where, `root has no MFA device (CIS AWS 1.5) — ${citation('minimal-root-use')}`));
    }
    const uses = [root.passwordLastUsed, root.accessKeyLastUsed].filter((d): d is Date => d !== undefined);
    const last = uses.sort((a, b) => b.getTime() - a.getTime())[0];
    if (last !== undefined && daysBetween(last, now) < settings.rootUseDays) {
      findings.push(
        makeFinding(
          'root-recent-use',
          'medium',
          'minimal-root-use',
          where,
          `root was used ${day(last)}, ${daysBetween(last, now)} days ago (within hygiene.rootUseDays ${settings.rootUseDays}; CIS AWS 1.7) — ${citation('minimal-root-use')}`,
        ),
      );
    }
  }
  const total = context.input.inventory.accounts.length;
  const note = `${read.length} of ${plural(total, 'account')} had a credential report root row`;
  const applicable = read.length > 0;
  const run = (check: PolicyCheckId): CheckRun => (applicable ? ran(check, note) : skipped(check, note));
  return { findings, runs: [run('root-access-keys'), run('root-mfa'), run('root-use')] };
}

/** What a password policy lacks against the configured minimum (empty: it meets it). */
export function passwordPolicyGaps(policy: PasswordPolicy | null, required: PasswordRequirement): string[] {
  if (policy === null) return ['no account password policy is set (IAM allows 8 characters, no character classes, reuse, no expiry)'];
  const gaps: string[] = [];
  if (policy.minimumLength < required.minimumLength) gaps.push(`minimum length ${policy.minimumLength} (required ${required.minimumLength})`);
  const classes: [keyof PasswordRequirement & keyof PasswordPolicy, string][] = [
    ['requireSymbols', 'symbols'],
    ['requireNumbers', 'numbers'],
    ['requireUppercase', 'uppercase letters'],
    ['requireLowercase', 'lowercase letters'],
  ];
  for (const [key, words] of classes) if (required[key] === true && policy[key] !== true) gaps.push(`${words} not required`);
  if (required.reusePrevention > 0 && (policy.reusePrevention ?? 0) < required.reusePrevention) {
    gaps.push(`reuse prevention ${policy.reusePrevention ?? 'off'} (required ${required.reusePrevention})`);
  }
  if (required.maxAgeDays > 0 && (policy.maxAgeDays === undefined || policy.maxAgeDays > required.maxAgeDays)) {
    gaps.push(`maximum age ${policy.maxAgeDays === undefined ? 'none (passwords never expire)' : `${policy.maxAgeDays} days`} (required ${required.maxAgeDays})`);
  }
  return gaps;
}

/** "Complex passwords … changed periodically": the account password policy against `passwordPolicy`. */
export function passwordPolicyCheck(context: PlanContext, required: PasswordRequirement): Part {
  const findings: Finding[] = [];
  const read = context.input.inventory.accounts.filter((a) => a.posture?.passwordPolicy !== undefined);
  for (const account of read) {
    const policy = account.posture?.passwordPolicy;
    if (policy === undefined) continue;
    const gaps = passwordPolicyGaps(policy, required);
    if (gaps.length === 0) continue;
    findings.push(
      makeFinding('password-policy-weak', 'medium', 'credential-hygiene', { account: account.account }, `account password policy below the minimum: ${gaps.join('; ')} — policy: "…complex passwords…"`),
    );
  }
  const note = `${read.length} of ${plural(context.input.inventory.accounts.length, 'account')} had their password policy read`;
  return { findings, runs: [read.length > 0 ? ran('password-policy', note) : skipped('password-policy', note)] };
}

/**
 * "Default passwords … are changed after installation": IAM records no creator, but a console password is always
 * set by someone else (CreateLoginProfile); one nobody has signed in with `defaultPasswordDays` after it was set is
 * still the one that person chose. Break-glass passwords live unused in the emergency safe by design; leavers'
 * passwords are being deleted already.
 */
export function defaultPasswordCheck(context: PlanContext, days: number): Part {
  const { now } = context.input;
  const findings: Finding[] = [];
  const withReport = (account: AccountInventory): boolean => account.credentialReportAt !== null;
  for (const { user, account, class: userClass } of context.users) {
    if (!withReport(account) || userClass.kind === 'break-glass') continue;
    if (userClass.kind === 'matched' && mustBeRevoked(phaseIn(context, userClass.person))) continue;
    const report = user.credentials;
    if (report === undefined || !report.passwordEnabled || (report.passwordLastUsed ?? user.passwordLastUsed) !== undefined) continue;
    const setAt = report.passwordLastChanged ?? user.createdAt;
    const age = daysBetween(setAt, now);
    if (age < days) continue;
    findings.push(
      makeFinding(
        'default-password',
        'high',
        'credential-hygiene',
        { account: user.account, userName: user.userName, ...(userClass.kind === 'matched' ? { person: personRef(userClass.person) } : {}) },
        `console password set ${day(setAt)} by someone else and never used in ${age} days (limit ${days}); ` +
          `delete it or have the user change it — ${citation('credential-hygiene')}`,
      ),
    );
  }
  const read = context.input.inventory.accounts.filter(withReport).length;
  const note = `${read} of ${plural(context.input.inventory.accounts.length, 'account')} had a credential report`;
  return { findings, runs: [read > 0 ? ran('default-passwords', note) : skipped('default-passwords', note)] };
}

/** The people each key fingerprint belongs to: roster `ssh_keys` and matched users' IAM SSH keys. */
function keyPeople(context: PlanContext): Map<string, Set<Person>> {
  const owners = new Map<string, Set<Person>>();
  const add = (line: string, person: Person): void => {
    const body = keyBodyOf(line);
    const fp = body === undefined ? undefined : keyFingerprint(body);
    if (fp === undefined) return;
    const set = owners.get(fp) ?? new Set<Person>();
    set.add(person);
    owners.set(fp, set);
  };
  for (const person of context.input.roster.people) for (const line of person.sshKeys) add(line, person);
  for (const { user, class: userClass } of context.users) {
    if (userClass.kind !== 'matched') continue;
    for (const key of user.detail?.sshPublicKeys ?? []) if (key.body !== undefined) add(key.body, userClass.person);
  }
  return owners;
}

/** "Personal usernames … not shared" on hosts: a host account holding keys of more than one roster person. */
export function sharedHostAccountCheck(context: PlanContext): Part {
  const hosts = context.input.inventory.hosts.filter((h) => h.status === 'ok');
  if (hosts.length === 0) return { findings: [], runs: [skipped('shared-host-accounts', 'no host was read')] };
  const owners = keyPeople(context);
  const findings: Finding[] = [];
  for (const host of hosts) {
    const byAccount = new Map<string, Set<Person>>();
    for (const key of host.keys) {
      const fp = key.fingerprint ?? keyFingerprint(key.keyBody);
      const people = fp === undefined ? undefined : owners.get(fp);
      if (people === undefined) continue;
      const set = byAccount.get(key.osUser) ?? new Set<Person>();
      for (const person of people) set.add(person);
      byAccount.set(key.osUser, set);
    }
    for (const [osUser, people] of [...byAccount.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (people.size < 2) continue;
      const emails = [...people].map((p) => p.email).sort();
      findings.push(
        makeFinding(
          'shared-account',
          'high',
          'account-ownership',
          { instanceId: host.instanceId },
          `host account ${osUser} holds keys of ${people.size} people (${emails.join(', ')}); give each a personal account — ${citation('account-ownership')}`,
        ),
      );
    }
  }
  return { findings, runs: [ran('shared-host-accounts', `${plural(hosts.length, 'host')} read`)] };
}

/** "Personal usernames … not shared" in IAM: a user that matches more than one person. */
export function sharedIamUserCheck(context: PlanContext): Part {
  const findings: Finding[] = [];
  for (const { user, class: userClass } of context.users) {
    if (userClass.kind !== 'ambiguous') continue;
    const emails = userClass.people.map((p) => p.email).sort();
    findings.push(
      makeFinding(
        'shared-account',
        userClass.people.some((p) => mustBeRevoked(phaseIn(context, p))) ? 'high' : 'medium',
        'account-ownership',
        { account: user.account, userName: user.userName },
        `IAM user maps to ${userClass.people.length} people (${emails.join(', ')}); see ambiguous-identity — ${citation('account-ownership')}`,
      ),
    );
  }
  return { findings, runs: [ran('shared-iam-users', `${plural(context.users.length, 'IAM user')} matched against the roster`)] };
}

/** "Session timeouts … best business practices": roles (and permission sets) whose sessions may outlive `sessions.maxHours`. */
export function sessionDurationCheck(context: PlanContext, maxHours: number, extra: readonly SessionLimit[]): Part {
  const read = context.input.inventory.accounts.filter((a) => a.posture?.roles !== undefined);
  const limits = [...read.flatMap((a) => a.posture?.roles ?? []), ...extra];
  const findings = limits
    .filter((limit) => limit.maxSessionSeconds > maxHours * 3600)
    .map((limit) =>
      makeFinding(
        'session-too-long',
        'medium',
        'session-timeouts',
        { account: limit.account, userName: `${limit.kind === 'iam-role' ? 'role' : 'permission-set'}/${limit.name}` },
        `${limit.kind === 'iam-role' ? 'role' : 'permission set'} ${limit.name} allows sessions of ${limit.maxSessionSeconds / 3600} h ` +
          `(sessions.maxHours ${maxHours}) — ${citation('session-timeouts')}`,
      ),
    );
  const note = `${plural(limits.length, 'role')} in ${read.length} of ${plural(context.input.inventory.accounts.length, 'account')}`;
  return { findings, runs: [read.length > 0 || extra.length > 0 ? ran('session-duration', note) : skipped('session-duration', note)] };
}

/** A posture read that failed is said once per account, so "not checked" is never mistaken for "pass". */
function postureUnreadFindings(context: PlanContext): Part {
  const findings = context.input.inventory.accounts.flatMap((account) =>
    (account.posture?.unread ?? []).map((u) =>
      makeFinding('policy-check-unavailable', 'low', 'credential-hygiene', { account: account.account }, `${u.what} could not be read (${u.error}); the checks that need it did not run`),
    ),
  );
  return { findings, runs: [] };
}

/** The planner's step: the checks' findings and joiner actions, when the policy asks for the checks. */
export function planPolicyChecks(context: PlanContext): { readonly actions: readonly Action[]; readonly findings: readonly Finding[] } {
  const settings = context.input.policy.checks;
  if (settings === undefined) return { actions: [], findings: [] };
  const { actions, findings } = runPolicyChecks(context, settings, identityCenterExtras(context));
  return { actions, findings };
}

/**
 * Identity Center's part of the checks, once the plane was read: its permission sets' session lengths, and its users who
 * can use a set giving full rights (assigned to them or to one of their groups), matched to people by its rules.
 */
export function identityCenterExtras(context: PlanContext): PlaneExtras {
  const ic = context.input.inventory.identityCenter;
  if (ic === undefined) return {};
  const adminSets = new Map(ic.permissionSets.map((set) => [set.arn, permissionSetAdminRights(set)] as const).filter(([, reasons]) => reasons.length > 0));
  const groupsOf = new Map<string, Set<string>>();
  for (const m of ic.memberships) groupsOf.set(m.userId, (groupsOf.get(m.userId) ?? new Set()).add(m.groupId));
  const match = createIcMatcher(context.input.roster.people);
  const admins: AdminPrincipal[] = ic.users.flatMap((user) => {
    const groups = groupsOf.get(user.userId) ?? new Set<string>();
    const usable = new Set(
      ic.assignments.filter((a) => (a.principalType === 'USER' ? a.principalId === user.userId : groups.has(a.principalId))).map((a) => a.permissionSetArn),
    );
    const reasons = [...usable].flatMap((arn) => adminSets.get(arn) ?? []);
    if (reasons.length === 0) return [];
    const m = match(user);
    return [
      {
        label: `identity-center/${user.userName}`,
        account: ic.identityStoreId,
        userName: user.userName,
        ...(m.kind === 'matched' ? { person: personRef(m.person) } : {}),
        breakGlass: false,
        reasons: [...new Set(reasons)].map((why) => `${user.userName} can use ${why}`),
      },
    ];
  });
  return {
    sessionLimits: ic.permissionSets.map((set) => ({ kind: 'permission-set', account: ic.identityStoreId, name: set.name, arn: set.arn, maxSessionSeconds: set.sessionSeconds })),
    ...(admins.length > 0 ? { admins } : {}),
  };
}
