import { ACTION_KIND_TABLE, CREDENTIAL_KINDS, type ActionKind } from '../action-kinds';
import { citation } from '../controls';
import { denyAllIn, denyAllInlineNames, denyAllPolicyArn, isDenyAllDocument, restricts, type PolicyHolder } from '../policy-documents';
import { describeRule } from '../identity';
import { DETAIL_PATHS, type AccountInventory, type AttachedPolicy, type IamUser, type IamUserDetail, type UnreadPath } from '../inventory';
import type { Action, Control, Finding } from '../plan';
import type { AccessPolicy, RoleGrant, ServiceAccount } from '../policy';
import { personRef, type Person, type PersonRef, type RowIdentity } from '../roster';
import { formatInZone } from '../time';
import { makeAction, makeFinding, type ActionFields } from './build';
import { type ClassifiedUser, type PersonPhase, type PlanContext, type PlanPart, mustBeRevoked, phaseIn, userLabel } from './context';
import { isReviewedException } from './reviews';
import { hygieneFindings } from './hygiene';

/** Per-account findings: accounts that could not be read, and accounts whose credential report is missing. */
export function planAccountHealth(context: PlanContext): PlanPart {
  const { inventory } = context.input;
  const findings: Finding[] = [];
  for (const { account, message } of inventory.accountErrors) {
    findings.push(
      makeFinding(
        'account-unreachable',
        'high',
        'offboarding-24h',
        { account },
        `account could not be read (${message}); leavers' access there is unchecked — ${citation('offboarding-24h')}`,
      ),
    );
  }
  for (const account of inventory.accounts) {
    const tampered = denyAllTampered(account, context.input.policy);
    if (tampered !== undefined) findings.push(tampered);
    if (account.credentialReportAt === null) {
      findings.push(
        makeFinding(
          'credential-report-unavailable',
          'low',
          'credential-hygiene',
          { account: account.account },
          `no IAM credential report could be had; MFA, rotation and unused-credential checks were skipped for ${account.users.length} users`,
        ),
      );
    }
  }
  return { actions: [], findings };
}

/**
 * Warden's managed deny-all, as this run read it, no longer denying everything: someone who may write IAM policies
 * made another version its default. Every leaver it is attached to is then refused nothing by AWS, and Warden cannot
 * repair it (its role may attach that one policy, never change one), so a human must, now.
 */
function denyAllTampered(account: AccountInventory, policy: AccessPolicy): Finding | undefined {
  const arn = denyAllPolicyArn(account.users[0]?.arn ?? '', account.account, policy.denyAllPolicyName);
  const document = account.managedPolicyDocuments?.[arn];
  if (document === undefined || isDenyAllDocument(document)) return undefined;
  const holders = account.users.filter((u) => u.attachedPolicies.some((p) => p.arn === arn)).map((u) => u.userName);
  // The first five by name, then an ellipsis: the count says how many.
  const named = holders.length === 0 ? '' : `: ${holders.slice(0, 5).join(', ')}${holders.length > 5 ? ', …' : ''}`;
  return makeFinding(
    'deny-all-ineffective',
    'high',
    'offboarding-24h',
    { account: account.account },
    `Warden's deny-all policy ${arn} no longer denies everything (its default version was changed): AWS refuses nothing to the users it is attached to (${holders.length} here${named}). ` +
      `Make its deny-all version the default again (iam:SetDefaultPolicyVersion); Warden's role may not change policies`,
  );
}

/** Actions and findings for every IAM user, by how the user relates to the roster. */
export function planIamUsers(context: PlanContext): PlanPart {
  const out: Accumulator = { actions: [], findings: [] };
  for (const entry of context.users) {
    // Staff in post are most users: plan them straight into the accumulator (no per-user arrays on 100k users).
    if (entry.class.kind === 'matched' && isWorking(phaseIn(context, entry.class.person))) {
      planWorkingUser(context, entry, entry.class.person, out);
      continue;
    }
    const part = planUser(context, entry);
    for (const action of part.actions) out.actions.push(action);
    for (const finding of part.findings) out.findings.push(finding);
  }
  return out;
}

interface Accumulator {
  readonly actions: Action[];
  readonly findings: Finding[];
}

const isWorking = (phase: PersonPhase): boolean => phase.kind === 'working' || phase.kind === 'on-leave' || phase.kind === 'scheduled';

/** Until the end instant a leaver is still staff: least privilege and hygiene apply as for anyone working. */
function planWorkingUser(context: PlanContext, entry: ClassifiedUser, person: Person, out: Accumulator): void {
  const { policy, now } = context.input;
  const { user, account } = entry;
  const ref = personRef(person);
  excessPrivilegeActions(context, entry.account, user, person, ref, out);
  privilegeFindings(context, account, user, person, ref, out.findings);
  for (const finding of hygieneFindings(account, user, policy, now, ref)) out.findings.push(finding);
}

function planUser(context: PlanContext, entry: ClassifiedUser): PlanPart {
  const { policy, now } = context.input;
  const { user, account } = entry;
  const where = { account: user.account, userName: user.userName };
  switch (entry.class.kind) {
    case 'break-glass':
      return { actions: [], findings: [breakGlassFinding(user)] };
    case 'service-account':
      return {
        actions: [],
        findings: [...serviceAccountFindings(context, user, entry.class.serviceAccount), ...hygieneFindings(account, user, policy, now)],
      };
    case 'unmatched': {
      const orphan = makeFinding(
        'orphan-user',
        'medium',
        'account-ownership',
        where,
        `no roster person matches this IAM user (${policy.orphans === 'quarantine' ? 'quarantined: access stopped' : 'reported only'}) — ${citation('account-ownership')}`,
      );
      if (policy.orphans !== 'quarantine') return { actions: [], findings: [orphan] };
      const stop = stopAccess(user, policy, { ...where, reason: 'orphan', control: 'account-ownership' }, account);
      return { actions: stop.actions, findings: [orphan, ...stop.findings] };
    }
    case 'ambiguous': {
      const { people, matches } = entry.class;
      const leaver = people.find((p) => mustBeRevoked(phaseIn(context, p)));
      const who = matches
        .map((m) => `${describeRule(m.rule, policy.identity)}: ${m.people.map((p) => `${p.email} (${p.employeeId}, line ${p.source.line})`).join(', ')}`)
        .join('; ');
      const finding = (what: string): Finding =>
        makeFinding(
          'ambiguous-identity',
          leaver !== undefined ? 'high' : 'medium',
          'account-ownership',
          leaver !== undefined ? { ...where, person: personRef(leaver) } : where,
          `matches ${people.length} people — ${who}; ${what}`,
        );
      if (leaver === undefined) return { actions: [], findings: [finding(`no automatic action until the roster or the user's tags say who owns it`)] };
      return stopAmbiguous(context, entry, leaver, finding(`access stopped because ${leaver.email} has left; never deleted until the roster or the user's tags say who owns it`));
    }
    case 'held-back': {
      const rows = entry.class.identities.map(describeRowIdentity).join('; ');
      const leaver = entry.class.people.find((p) => mustBeRevoked(phaseIn(context, p)));
      const finding = makeFinding(
        'ambiguous-identity',
        leaver !== undefined ? 'high' : 'medium',
        'account-ownership',
        leaver !== undefined ? { ...where, person: personRef(leaver) } : where,
        `matches an invalid roster row by ${describeRule(entry.class.rule, policy.identity)} (${rows}); ` +
          (leaver !== undefined
            ? `access stopped because it also matches ${leaver.email}, who has left; nothing else changes until the row is fixed`
            : `held back with no automatic action until the row is fixed`),
      );
      if (leaver === undefined) return { actions: [], findings: [finding] };
      return stopAmbiguous(context, entry, leaver, finding);
    }
    case 'matched':
      return planMatchedUser(context, entry, entry.class.person);
  }
}

/** A user that might be a leaver's: access is stopped (never granted, never deleted), attributed to the leaver. */
function stopAmbiguous(context: PlanContext, entry: ClassifiedUser, leaver: Person, finding: Finding): PlanPart {
  const { user } = entry;
  const fields: ActionFields = { account: user.account, userName: user.userName, person: personRef(leaver), reason: 'departed', control: 'offboarding-24h' };
  const stop = stopAccess(user, context.input.policy, fields, entry.account);
  return { actions: stop.actions, findings: [finding, ...stop.findings] };
}

function describeRowIdentity(identity: RowIdentity): string {
  const parts = [
    identity.employeeId !== undefined ? `employee_id ${identity.employeeId}` : undefined,
    identity.email !== undefined ? `email ${identity.email}` : undefined,
    identity.awsUsernames.length > 0 ? `aws_usernames ${identity.awsUsernames.join(';')}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'no identity';
}

function breakGlassFinding(user: IamUser): Finding {
  const report = user.credentials;
  const consoleWithoutMfa = report !== undefined && report.passwordEnabled && !report.mfaActive;
  const state =
    report === undefined
      ? 'credential state unknown'
      : `console ${report.passwordEnabled ? 'enabled' : 'disabled'}, MFA ${report.mfaActive ? 'on' : 'OFF'}, ` +
        `${report.accessKeys.filter((k) => k.active).length} active access keys`;
  return makeFinding(
    'break-glass-user',
    consoleWithoutMfa ? 'high' : 'info',
    'account-ownership',
    { account: user.account, userName: user.userName },
    `break-glass user, never changed automatically (${state}); review its use and keep its password in the emergency safe`,
  );
}

function serviceAccountFindings(context: PlanContext, user: IamUser, serviceAccount: ServiceAccount): Finding[] {
  const where = { account: user.account, userName: user.userName };
  const owner = serviceAccount.owner.toLowerCase();
  const findings: Finding[] = [
    makeFinding('service-account', 'info', 'account-ownership', where, `service account owned by ${owner}; never revoked automatically`),
  ];
  const person = context.peopleByEmail.get(owner);
  if (person === undefined) {
    const why = context.invalidEmails.has(owner) ? 'is on an invalid roster row' : 'is not on the roster';
    findings.push(
      makeFinding(
        'service-account-owner-departed',
        'high',
        'account-ownership',
        where,
        `owner ${owner} ${why}; assign a current owner — ${citation('account-ownership')}`,
      ),
    );
    return findings;
  }
  const phase = phaseIn(context, person);
  const { timezone } = context.input.policy;
  if (mustBeRevoked(phase)) {
    const when = person.endAt !== undefined ? ` (access ended ${formatInZone(person.endAt, timezone)})` : '';
    findings.push(
      makeFinding(
        'service-account-owner-departed',
        'high',
        'account-ownership',
        { ...where, person: personRef(person) },
        `owner ${owner} left${when}; assign a current owner and rotate the credentials the owner knew`,
      ),
    );
  } else if (phase.kind === 'scheduled') {
    findings.push(
      makeFinding(
        'service-account-owner-departed',
        'medium',
        'account-ownership',
        { ...where, person: personRef(person) },
        `owner ${owner} is leaving (access ends ${formatInZone(phase.endAt, timezone)}); assign a new owner before then`,
      ),
    );
  }
  return findings;
}

function planMatchedUser(context: PlanContext, entry: ClassifiedUser, person: Person): PlanPart {
  const { policy } = context.input;
  const { user } = entry;
  const phase = phaseIn(context, person);
  const fields = { account: user.account, userName: user.userName, person: personRef(person) };
  switch (phase.kind) {
    case 'delete':
      // One action: the adapter removes keys, password, SSH keys, certificates, credentials, MFA, policies and groups first.
      return { actions: [makeAction('delete-user', { ...fields, reason: 'departed', control: 'offboarding-24h' }, {})], findings: [] };
    case 'stop-access':
      return stopAccess(user, policy, { ...fields, reason: 'departed', control: 'offboarding-24h' }, entry.account);
    case 'working':
    case 'on-leave':
    case 'scheduled': {
      const out: Accumulator = { actions: [], findings: [] };
      planWorkingUser(context, entry, person, out);
      return out;
    }
  }
}

/** One action per active credential of one kind the user's live detail shows. */
function deactivateCredentials<K extends ActionKind>(kind: K, detail: IamUserDetail, fields: ActionFields): Action[] {
  return (ACTION_KIND_TABLE[kind].credentials?.(detail) ?? []).flatMap((c) => (c.active ? [makeAction(kind, fields, c.target)] : []));
}

/**
 * "Stop access now": every step is reversible and skipped when already done, so a re-plan after apply is empty.
 * Credentials need the user's live detail; without it only the deny-all and groups (bulk inventory) are planned.
 */
export function stopAccess(user: IamUser, policy: AccessPolicy, fields: ActionFields, account?: AccountInventory): PlanPart {
  const actions: Action[] = [];
  const findings: Finding[] = [];
  const detail = user.detail;
  const unread = new Set((detail?.unread ?? []).map((u) => u.path));
  if (denyAllOf(user, policy, account) === undefined) {
    actions.push(
      makeAction('attach-deny-all', fields, { policyName: policy.denyAllPolicyName, policyArn: denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName) }),
    );
  }
  if (detail !== undefined) {
    for (const kind of CREDENTIAL_KINDS) actions.push(...deactivateCredentials(kind, detail, fields));
    if (detail.unread !== undefined && detail.unread.length > 0) findings.push(pathsUnreadFinding(user, detail.unread, fields));
  } else {
    findings.push(detailUnavailableFinding(user, fields.control, fields));
  }
  for (const groupName of detail !== undefined && !unread.has('groups') ? detail.groups : user.groups) {
    actions.push(makeAction('remove-from-group', fields, { groupName }));
  }
  return { actions, findings };
}

/**
 * The user's policies as the freshest read has them: live detail where it read them (a path whose live read failed
 * falls back on the bulk inventory), documents from either.
 */
export function policiesOf(user: IamUser): PolicyHolder {
  const detail = user.detail;
  const unread = new Set((detail?.unread ?? []).map((u) => u.path));
  const documents = { ...user.inlinePolicyDocuments, ...(unread.has('inline-policies') ? {} : detail?.inlinePolicyDocuments) };
  return {
    attachedPolicies: detail !== undefined && !unread.has('attached-policies') ? detail.attachedPolicies : user.attachedPolicies,
    inlinePolicies: detail !== undefined && !unread.has('inline-policies') ? detail.inlinePolicies : user.inlinePolicies,
    inlinePolicyDocuments: documents,
  };
}

/** How the user is denied everything (Warden's managed policy, or an inline policy whose document denies all), if at all. */
function denyAllOf(user: IamUser, policy: AccessPolicy, account: AccountInventory | undefined): 'managed' | 'inline' | undefined {
  const arn = denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName);
  return denyAllIn(policiesOf(user), arn, account?.managedPolicyDocuments?.[arn]);
}

/** Some of a leaver's paths could not be read: what was read is revoked, the deny-all still goes on, and this names the rest. */
function pathsUnreadFinding(user: IamUser, unread: readonly UnreadPath[], fields: ActionFields): Finding {
  const paths = unread.map((u) => `${DETAIL_PATHS[u.path].label} (${u.api} failed: ${u.error})`).join('; ');
  return makeFinding(
    'user-detail-unavailable',
    'high',
    fields.control,
    { account: user.account, userName: user.userName, ...(fields.person !== undefined ? { person: fields.person } : {}) },
    `could not read ${paths}; what was read is revoked and the deny-all still goes on, but ` +
      `${unread.length === 1 ? 'this path was' : 'these paths were'} not revoked and stay${unread.length === 1 ? 's' : ''} unverified ` +
      `until a run can read ${unread.length === 1 ? 'it' : 'them'} (check SCPs and the endpoint) — ${citation(fields.control)}`,
  );
}

function detailUnavailableFinding(user: IamUser, control: Control, fields: ActionFields): Finding {
  const report = user.credentials;
  const known =
    report === undefined
      ? 'the credential report has no row for it either'
      : `the credential report shows ${report.accessKeys.filter((k) => k.active).length} active access keys and ` +
        `${report.passwordEnabled ? 'a console password' : 'no console password'}`;
  return makeFinding(
    'user-detail-unavailable',
    'high',
    control,
    { account: user.account, userName: user.userName, ...(fields.person !== undefined ? { person: fields.person } : {}) },
    `live detail was not read, so only the deny-all and group removals are planned; keys, password, SSH keys and ` +
      `certificates were not checked (${known}); the next run retries — ${citation(control)}`,
  );
}

const lower = (values: readonly string[]): Set<string> => new Set(values.map((v) => v.toLowerCase()));

interface CompiledGrant {
  readonly groups: ReadonlySet<string>;
  readonly managedPolicies: ReadonlySet<string>;
}

// Grants are few and users many: lower-case each grant once, not once per user.
const compiledGrants = new WeakMap<RoleGrant, CompiledGrant>();
function compile(grant: RoleGrant): CompiledGrant {
  let compiled = compiledGrants.get(grant);
  if (compiled === undefined) {
    compiled = { groups: lower(grant.groups), managedPolicies: lower(grant.managedPolicies) };
    compiledGrants.set(grant, compiled);
  }
  return compiled;
}

/** Roles are only enforced once any are configured; with none, Warden cannot know what a role may hold. */
const rolesConfigured = (context: PlanContext): boolean => Object.keys(context.input.policy.roles).length > 0;

function excessPrivilegeActions(
  context: PlanContext,
  account: AccountInventory,
  user: IamUser,
  person: Person,
  ref: PersonRef,
  out: Accumulator,
): void {
  if (!rolesConfigured(context)) return;
  const grant = context.roleOf(person);
  if (grant === undefined) return;
  const { policy } = context.input;
  const allowed = compile(grant);
  let fields: ActionFields | undefined;
  const fieldsOf = (): ActionFields =>
    (fields ??= { account: user.account, userName: user.userName, person: ref, reason: 'excess-privilege', control: 'least-privilege' });
  const keep = (what: string, why: string): void => {
    out.findings.push(
      makeFinding(
        'restriction-kept',
        'medium',
        'least-privilege',
        { account: user.account, userName: user.userName, person: ref },
        `${what} is not allowed for role "${person.role ?? ''}" but is kept: ${why}; removing it could only raise privilege — review it by hand`,
      ),
    );
  };
  const restrictions = restrictionsOf(account, policy);
  for (const groupName of user.detail?.groups ?? user.groups) {
    if (allowed.groups.has(groupName.toLowerCase())) continue;
    const why = restrictions.group(groupName);
    if (why !== undefined) keep(`group ${groupName}`, why);
    else out.actions.push(makeAction('remove-from-group', fieldsOf(), { groupName }));
  }
  const denyAllArn = denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName);
  for (const attached of user.detail?.attachedPolicies ?? user.attachedPolicies) {
    // Warden's own deny-all is never lifted here: a direct-policy finding asks a human to.
    if (attached.arn === denyAllArn) continue;
    const isAllowed = allowed.managedPolicies.has(attached.name.toLowerCase()) || allowed.managedPolicies.has(attached.arn.toLowerCase());
    if (isAllowed) continue;
    const why = restrictions.policy(attached);
    if (why !== undefined) keep(`policy ${attached.name}`, why);
    else out.actions.push(makeAction('detach-user-policy', fieldsOf(), { policyArn: attached.arn }));
  }
}

interface Restrictions {
  /** Why a group must not be removed (it is protected, or one of its policies holds a Deny), or undefined. */
  group(name: string): string | undefined;
  policy(attached: AttachedPolicy): string | undefined;
}

const restrictionCache = new WeakMap<AccountInventory, WeakMap<AccessPolicy, Restrictions>>();

/** Per account and policy, built once: which groups and managed policies restrict, by their documents and the config. */
function restrictionsOf(account: AccountInventory, policy: AccessPolicy): Restrictions {
  let byPolicy = restrictionCache.get(account);
  if (byPolicy === undefined) restrictionCache.set(account, (byPolicy = new WeakMap()));
  const cached = byPolicy.get(policy);
  if (cached !== undefined) return cached;
  const protectedGroups = lower(policy.protected?.groups ?? []);
  const protectedPolicies = lower(policy.protected?.policies ?? []);
  const documents = account.managedPolicyDocuments ?? {};
  const policyWhy = (attached: AttachedPolicy): string | undefined => {
    if (protectedPolicies.has(attached.name.toLowerCase()) || protectedPolicies.has(attached.arn.toLowerCase())) return 'it is listed under protected.policies';
    const document = Object.prototype.hasOwnProperty.call(documents, attached.arn) ? documents[attached.arn] : undefined;
    return restricts(document) ? `its policy ${attached.name} contains a Deny` : undefined;
  };
  const groups = new Map(account.groups.map((g) => [g.name.toLowerCase(), g]));
  const groupWhy = new Map<string, string | undefined>();
  const restrictions: Restrictions = {
    policy: policyWhy,
    group(name) {
      const key = name.toLowerCase();
      if (groupWhy.has(key)) return groupWhy.get(key);
      let why: string | undefined;
      if (protectedGroups.has(key)) why = 'it is listed under protected.groups';
      else {
        const group = groups.get(key);
        const inlineDocs = group?.inlinePolicyDocuments ?? {};
        const inline = group?.inlinePolicies.find((p) => restricts(Object.prototype.hasOwnProperty.call(inlineDocs, p) ? inlineDocs[p] : undefined));
        if (inline !== undefined) why = `its inline policy ${inline} contains a Deny`;
        else {
          for (const attached of group?.attachedPolicies ?? []) {
            const policyReason = policyWhy(attached);
            if (policyReason !== undefined) {
              why = policyReason.replace(/^it is/, `its policy ${attached.name} is`);
              break;
            }
          }
        }
      }
      groupWhy.set(key, why);
      return why;
    },
  };
  byPolicy.set(policy, restrictions);
  return restrictions;
}

const accountGroupNames = new WeakMap<AccountInventory, ReadonlySet<string>>();
function groupNamesOf(account: AccountInventory): ReadonlySet<string> {
  let names = accountGroupNames.get(account);
  if (names === undefined) {
    names = lower(account.groups.map((g) => g.name));
    accountGroupNames.set(account, names);
  }
  return names;
}

function privilegeFindings(context: PlanContext, account: AccountInventory, user: IamUser, person: Person, ref: PersonRef, findings: Finding[]): void {
  const { policy } = context.input;
  const where = { account: user.account, userName: user.userName, person: ref };
  const held = policiesOf(user);
  const denyAllArn = denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName);
  const denyAll = denyAllIn(held, denyAllArn, account.managedPolicyDocuments?.[denyAllArn]);
  const denyAllInline = new Set(denyAllInlineNames(held));
  const attached = held.attachedPolicies.filter((p) => !(denyAll === 'managed' && p.arn === denyAllArn));
  const customInline = held.inlinePolicies.filter((name) => !denyAllInline.has(name));
  if (attached.length > 0 || customInline.length > 0) {
    const parts = [
      attached.length > 0 ? `attached: ${attached.map((p) => p.name).join(', ')}` : undefined,
      customInline.length > 0 ? `inline: ${customInline.join(', ')}` : undefined,
    ].filter((p): p is string => p !== undefined);
    findings.push(
      makeFinding(
        'direct-policy',
        'low',
        'least-privilege',
        where,
        `policies attached directly to the user (${parts.join('; ')}); grant through groups instead (CIS AWS 1.15)`,
      ),
    );
  }
  if (denyAll !== undefined) {
    const which = denyAll === 'managed' ? `the ${policy.denyAllPolicyName} deny-all policy is` : `an inline deny-all policy (${[...denyAllInline].join(', ')}) is`;
    findings.push(
      makeFinding(
        'direct-policy',
        'medium',
        'least-privilege',
        where,
        `${which} attached although ${person.email} is ${person.status}; ` +
          `Warden never lifts it automatically — remove it by hand if the person should have access`,
      ),
    );
  }
  if (!rolesConfigured(context)) return;
  const grant = context.roleOf(person);
  if (grant === undefined) {
    const why = person.role === undefined ? 'has no role on the roster' : `has role "${person.role}", which the config does not define`;
    findings.push(
      makeFinding(
        'unknown-role',
        'low',
        'least-privilege',
        where,
        `${person.email} ${why}; privileges were not checked or changed`,
      ),
    );
    return;
  }
  if (grant.groups.length === 0) return;
  const heldGroups = user.detail?.groups ?? user.groups;
  const existing = groupNamesOf(account);
  const missing = grant.groups.filter((g) => {
    const wanted = g.toLowerCase();
    return existing.has(wanted) && !heldGroups.some((held) => held.toLowerCase() === wanted) && !isReviewedException(context, person, account.account, g);
  });
  if (missing.length > 0) {
    findings.push(
      makeFinding(
        'missing-grant',
        'info',
        'least-privilege',
        where,
        `role "${person.role ?? ''}" includes group${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which the user is not in; Warden only removes, never grants`,
      ),
    );
  }
}

/** The label used in people-level findings that list a person's IAM users. */
export const usersOf = (context: PlanContext, person: Person): string[] =>
  (context.usersByPerson.get(person) ?? []).map((entry) => userLabel(entry.user));
