/**
 * IAM Identity Center as Warden reads it (users, groups, memberships, permission sets, account assignments), how its
 * users match roster people, and Warden's one Deny statement in a permission set's inline policy. Plain data and pure
 * functions: the adapter fills the inventory, the planner reads it.
 */
import type { Person } from './roster';

export interface IcUser {
  readonly userId: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly emails: readonly string[];
  /** `ExternalIds[].Id` as the IdP (SCIM) set them. */
  readonly externalIds: readonly string[];
}

export interface IcGroup {
  readonly groupId: string;
  readonly displayName: string;
}

export interface IcMembership {
  readonly membershipId: string;
  readonly groupId: string;
  readonly userId: string;
}

export interface IcPermissionSet {
  readonly arn: string;
  readonly name: string;
  /** How long a session it issues may live, in seconds (its `SessionDuration`). */
  readonly sessionSeconds: number;
  /** The inline policy as JSON text; null when it has none. */
  readonly inlinePolicy: string | null;
  /** Accounts it is provisioned to (where a change must be re-provisioned to take effect). */
  readonly provisionedAccounts: readonly string[];
  /** Accounts still running an older version (read only for sets holding Warden's Deny): a Deny there is not in force yet. */
  readonly outdatedAccounts?: readonly string[];
  /** AWS managed policies attached to it (`ListManagedPoliciesInPermissionSet`); absent when not read. */
  readonly managedPolicies?: readonly { readonly name: string; readonly arn: string }[];
}

export type IcPrincipalType = 'USER' | 'GROUP';

export interface IcAssignment {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: IcPrincipalType;
  readonly principalId: string;
}

/** When Warden last verified that an Identity Center user had no access left (from the audit log), by user id. */
export type NoAccessSince = ReadonlyMap<string, Date>;

export interface IdentityCenterInventory {
  readonly instanceArn: string;
  readonly identityStoreId: string;
  /** `external`: users come from an IdP through SCIM and are never deleted by Warden. */
  readonly source: 'internal' | 'external';
  readonly users: readonly IcUser[];
  readonly groups: readonly IcGroup[];
  readonly memberships: readonly IcMembership[];
  readonly permissionSets: readonly IcPermissionSet[];
  readonly assignments: readonly IcAssignment[];
  readonly noAccessSince?: NoAccessSince;
}

/** The SPEC rules for an Identity Center user, in precedence order. */
export type IcMatchRule = 'external-id' | 'email' | 'user-name';

export type IcMatch =
  | { readonly kind: 'matched'; readonly person: Person; readonly rule: IcMatchRule }
  /** Rules point at different people: no grant-side change, but a leaver among them still loses access. */
  | { readonly kind: 'ambiguous'; readonly people: readonly Person[]; readonly matches: readonly { readonly rule: IcMatchRule; readonly people: readonly Person[] }[] }
  | { readonly kind: 'unmatched' };

const add = (index: Map<string, Set<Person>>, key: string, person: Person): void => {
  if (key === '') return;
  const found = index.get(key);
  if (found === undefined) index.set(key, new Set([person]));
  else found.add(person);
};

/**
 * Matches Identity Center users to people (SPEC "Identity Center"): an `ExternalIds` id equals `employee_id`; else one of
 * its emails equals `email` (case-insensitive); else `UserName` equals the email or its local part. Every rule is
 * evaluated: attributes an IdP or the user's own profile may set never outrank the roster, so rules naming different
 * people make the user ambiguous.
 */
export function createIcMatcher(people: readonly Person[]): (user: IcUser) => IcMatch {
  const byEmployeeId = new Map<string, Set<Person>>();
  const byEmail = new Map<string, Set<Person>>();
  const byLocalPart = new Map<string, Set<Person>>();
  for (const person of people) {
    add(byEmployeeId, person.employeeId.trim(), person);
    const email = person.email.toLowerCase();
    add(byEmail, email, person);
    const at = email.lastIndexOf('@');
    if (at > 0) add(byLocalPart, email.slice(0, at), person);
  }
  const lookup = (index: Map<string, Set<Person>>, keys: readonly string[]): Person[] => {
    const found = new Set<Person>();
    for (const key of keys) for (const person of index.get(key) ?? []) found.add(person);
    return [...found];
  };
  return (user) => {
    const name = user.userName.trim().toLowerCase();
    const matches = [
      { rule: 'external-id' as const, people: lookup(byEmployeeId, user.externalIds.map((id) => id.trim())) },
      { rule: 'email' as const, people: lookup(byEmail, user.emails.map((e) => e.trim().toLowerCase())) },
      { rule: 'user-name' as const, people: lookup(name.includes('@') ? byEmail : byLocalPart, [name]) },
    ].filter((m) => m.people.length > 0);
    const distinct = [...new Set(matches.flatMap((m) => m.people))];
    const [first] = matches;
    if (first === undefined) return { kind: 'unmatched' };
    const [only] = distinct;
    if (distinct.length === 1 && only !== undefined) return { kind: 'matched', person: only, rule: first.rule };
    return { kind: 'ambiguous', people: distinct, matches };
  };
}

export const describeIcRule = (rule: IcMatchRule): string =>
  rule === 'external-id' ? 'ExternalIds id equal to employee_id' : rule === 'email' ? 'an email of the user' : 'UserName equal to the email or its local part';

/** AWS's limit on a permission set's inline policy, in characters. */
export const IC_INLINE_POLICY_MAX_CHARS = 32_768;

/** The Sid of Warden's one statement in a permission set's inline policy: every leaver's sessions, denied. */
export const IC_DENY_SID = 'WardenOffboardingDenySessions';

/**
 * The `aws:userid` pattern of a user's Identity Center sessions (`<role id>:<UserName>`, the session name being the user
 * name). `*`, `?` and `$` in a name are written as IAM's `${*}`, `${?}`, `${$}` so a name can never widen the pattern.
 */
export const sessionPattern = (userName: string): string => `*:${userName.replace(/[$*?]/g, (c) => `\${${c}}`)}`;

/** A permission set's inline policy, parsed: the statements that are not Warden's, and the patterns Warden's denies. */
export interface ParsedInlinePolicy {
  readonly version: string;
  readonly others: readonly unknown[];
  readonly denied: readonly string[];
}

/** Parses an inline policy (null or empty: none); undefined when it is not a policy document Warden can merge into. */
export function parseInlinePolicy(text: string | null): ParsedInlinePolicy | undefined {
  if (text === null || text.trim() === '') return { version: '2012-10-17', others: [], denied: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const doc = parsed as Record<string, unknown>;
  const statements = doc['Statement'] === undefined ? [] : Array.isArray(doc['Statement']) ? (doc['Statement'] as unknown[]) : [doc['Statement']];
  const others: unknown[] = [];
  let denied: string[] = [];
  for (const statement of statements) {
    const sid = statement !== null && typeof statement === 'object' ? (statement as Record<string, unknown>)['Sid'] : undefined;
    if (sid !== IC_DENY_SID) {
      others.push(statement);
      continue;
    }
    const condition = (statement as { Condition?: { StringLike?: Record<string, unknown> } }).Condition?.StringLike?.['aws:userid'];
    const values = typeof condition === 'string' ? [condition] : Array.isArray(condition) ? condition : [];
    denied = [...denied, ...values.filter((v): v is string => typeof v === 'string')];
  }
  return { version: typeof doc['Version'] === 'string' ? doc['Version'] : '2012-10-17', others, denied: [...new Set(denied)].sort() };
}

/**
 * The inline policy with Warden's statement denying exactly `patterns` (absent when none), every other statement kept
 * as it was, in its place. Null when nothing is left (the inline policy is then deleted).
 */
export function renderInlinePolicy(parsed: ParsedInlinePolicy, patterns: readonly string[]): string | null {
  const sorted = [...new Set(patterns)].sort();
  const statements = [
    ...parsed.others,
    ...(sorted.length > 0
      ? [{ Sid: IC_DENY_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:userid': sorted } } }]
      : []),
  ];
  if (statements.length === 0) return null;
  // Policy variables (`${*}`) need version 2012-10-17.
  return JSON.stringify({ Version: sorted.length > 0 ? '2012-10-17' : parsed.version, Statement: statements });
}

/** Seconds of an ISO 8601 duration as `SessionDuration` gives it (`PT1H`, `PT12H`, `PT1H30M`); undefined if unreadable. */
export function durationSeconds(text: string): number | undefined {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(text);
  if (match === null || (match[1] === undefined && match[2] === undefined && match[3] === undefined)) return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** What a re-read shows of one user and of the permission sets their actions changed (the verification port's answer). */
export interface IcRereadUser {
  readonly groupIds: readonly string[];
  readonly assignments: readonly { readonly accountId: string; readonly permissionSetArn: string }[];
}

export interface IcRereadPermissionSet {
  readonly denied: readonly string[] | undefined;
  readonly outdatedAccounts: readonly string[];
}

/** The Identity Center actions of one user, as verification needs them. */
export type IcVerifiable =
  | { readonly kind: 'deny-ic-sessions' | 'release-ic-session-deny'; readonly target: { readonly permissionSetArn: string; readonly permissionSetName: string; readonly pattern: string } }
  | { readonly kind: 'remove-ic-membership'; readonly target: { readonly groupId: string; readonly groupName: string } }
  | { readonly kind: 'delete-ic-assignment'; readonly target: { readonly accountId: string; readonly permissionSetArn: string; readonly permissionSetName: string } }
  | { readonly kind: 'delete-ic-user'; readonly target: { readonly userId: string } };

/**
 * What a re-read still shows of one user's Identity Center actions, in words; empty means each holds. For a revocation
 * (`stopping`), anything the user still holds is listed too: "no access left" means no membership, no direct assignment
 * and a Deny in force (provisioned everywhere) in each permission set the plan denied.
 */
export function remainingInIdentityCenter(
  actions: readonly IcVerifiable[],
  user: IcRereadUser | undefined,
  sets: ReadonlyMap<string, IcRereadPermissionSet>,
  stopping: boolean,
): string[] {
  const remaining: string[] = [];
  for (const action of actions) {
    switch (action.kind) {
      case 'deny-ic-sessions':
      case 'release-ic-session-deny': {
        const set = sets.get(action.target.permissionSetArn);
        const listed = set?.denied?.includes(action.target.pattern);
        if (set === undefined || set.denied === undefined) remaining.push(`permission set ${action.target.permissionSetName} could not be re-read`);
        else if (action.kind === 'deny-ic-sessions' && listed !== true) remaining.push(`Deny missing from permission set ${action.target.permissionSetName}`);
        else if (action.kind === 'release-ic-session-deny' && listed === true) remaining.push(`still denied in permission set ${action.target.permissionSetName}`);
        if (set !== undefined && set.outdatedAccounts.length > 0) remaining.push(`permission set ${action.target.permissionSetName} not provisioned in ${set.outdatedAccounts.join(', ')}`);
        break;
      }
      case 'remove-ic-membership':
        if (user?.groupIds.includes(action.target.groupId) === true) remaining.push(`still in Identity Center group ${action.target.groupName}`);
        break;
      case 'delete-ic-assignment':
        if (user?.assignments.some((a) => a.accountId === action.target.accountId && a.permissionSetArn === action.target.permissionSetArn) === true) {
          remaining.push(`still assigned ${action.target.permissionSetName} in ${action.target.accountId}`);
        }
        break;
      case 'delete-ic-user':
        if (user !== undefined) remaining.push('Identity Center user still exists');
        break;
    }
  }
  if (stopping && user !== undefined) {
    const groups = new Set(actions.flatMap((a) => (a.kind === 'remove-ic-membership' ? [a.target.groupId] : [])));
    const assigned = new Set(actions.flatMap((a) => (a.kind === 'delete-ic-assignment' ? [`${a.target.accountId} ${a.target.permissionSetArn}`] : [])));
    for (const groupId of user.groupIds) if (!groups.has(groupId)) remaining.push(`member of Identity Center group ${groupId}`);
    for (const a of user.assignments) if (!assigned.has(`${a.accountId} ${a.permissionSetArn}`)) remaining.push(`assigned ${a.permissionSetArn} in ${a.accountId}`);
  }
  return [...new Set(remaining)];
}
