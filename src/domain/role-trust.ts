/**
 * Which IAM roles an IAM user could assume, read from trust policies and the user's own policies the way IAM evaluates
 * them, and read conservatively: anything Warden is unsure of (a condition, a NotAction, an unreadable policy, a
 * Principal "*") counts as assumable, because the question is which live sessions a leaver may still hold. Documents
 * may have been written by the leaver (their own inline policies): nothing here trusts their shape.
 */
import { documentOf, statementsOf } from './policy-documents';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const strings = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive (conservative for resource ARNs). */
export function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  // Iterative glob match with backtracking on the last `*`: linear enough for hostile patterns (no regex built from input).
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi += 1;
      vi += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      mark = vi;
      pi += 1;
    } else if (star !== -1) {
      pi = star + 1;
      mark += 1;
      vi = mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

/** Whether a statement's Action / NotAction covers `action` (a statement with neither covers nothing). */
function coversAction(statement: Json, action: string): boolean {
  if ('Action' in statement) return strings(statement['Action']).some((p) => wildcardMatch(p, action));
  if ('NotAction' in statement) return !strings(statement['NotAction']).some((p) => wildcardMatch(p, action));
  return false;
}

/** Whether a statement's Resource / NotResource covers `arn`; neither (not valid in identity policies) counts as covering. */
function coversResource(statement: Json, arn: string): boolean {
  if ('Resource' in statement) return strings(statement['Resource']).some((p) => wildcardMatch(p, arn));
  if ('NotResource' in statement) return !strings(statement['NotResource']).some((p) => wildcardMatch(p, arn));
  return true;
}

/**
 * Whether an identity policy document allows `action` on `resource`. Conditions are taken as met and Denies are not
 * subtracted (conservative); a document that is absent (`undefined`, never read) or unreadable allows it.
 */
export function identityPolicyAllows(document: unknown, action: string, resource: string): boolean {
  if (document === undefined) return true;
  const statements = statementsOf(document);
  if (statements.length === 0) return !isReadablePolicy(document);
  return statements.some((s) => s['Effect'] === 'Allow' && coversAction(s, action) && coversResource(s, resource));
}

/** A document whose Statement parsed to at least nothing: `{ "Statement": [] }` allows nothing, garbage is unknown. */
function isReadablePolicy(document: unknown): boolean {
  const parsed = documentOf(document);
  return isObject(parsed) && 'Statement' in parsed && (Array.isArray(parsed['Statement']) || isObject(parsed['Statement']));
}

/** The IAM user whose role sessions are in question. */
export interface TrustingUser {
  readonly account: string;
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  /** Other names the user may set as source identity (their email); compared case-insensitively. */
  readonly identities: readonly string[];
}

/** How a trust policy lets the user in: naming the user, or naming their account (then their own policies decide). */
export type TrustGrant =
  | { readonly via: 'user' | 'account'; readonly sourceIdentity: { readonly pinned: true; readonly values: readonly string[] } | { readonly pinned: false } };

const USERNAME_VARIABLE = '${aws:username}';
const PINNING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike']);

/** The principal values a trust statement names for AWS accounts and users (`"*"` as a principal means everyone). */
function awsPrincipals(statement: Json): string[] | 'everyone' {
  const principal = statement['Principal'];
  if (principal === '*') return 'everyone';
  if (!isObject(principal)) return [];
  const aws = strings(principal['AWS']);
  return aws.includes('*') ? 'everyone' : aws;
}

function principalMatch(values: string[] | 'everyone', user: TrustingUser): 'user' | 'account' | undefined {
  if (values === 'everyone') return 'account';
  const lower = values.map((v) => v.trim().toLowerCase());
  if (lower.includes(user.arn.toLowerCase()) || (user.userId !== '' && lower.includes(user.userId.toLowerCase()))) return 'user';
  const partition = user.arn.split(':')[1] ?? 'aws';
  const root = `arn:${partition}:iam::${user.account}:root`.toLowerCase();
  if (lower.includes(root) || lower.includes(user.account)) return 'account';
  return undefined;
}

/**
 * Whether the statement pins the session's source identity to this user: every sts:SourceIdentity condition value
 * is `${aws:username}` or one of the user's names, compared without wildcards. A condition that merely requires some
 * source identity (`Null`, `StringLike "*"`) pins nothing: the leaver could set anyone's name.
 */
function pinnedSourceIdentity(statement: Json, user: TrustingUser): readonly string[] | undefined {
  const condition = statement['Condition'];
  if (!isObject(condition)) return undefined;
  const names = [user.userName, ...user.identities].map((n) => n.toLowerCase());
  const pinned: string[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    for (const [key, value] of Object.entries(block)) {
      if (key.toLowerCase() !== 'sts:sourceidentity') continue;
      if (!PINNING_OPERATORS.has(operator.toLowerCase())) return undefined;
      const values = strings(value);
      if (values.length === 0) return undefined;
      for (const v of values) {
        if (v === USERNAME_VARIABLE) pinned.push(user.userName);
        else if (!/[*?$]/.test(v) && names.includes(v.toLowerCase())) pinned.push(v);
        else return undefined;
      }
    }
  }
  return pinned.length > 0 ? [...new Set(pinned)].sort() : undefined;
}

/**
 * How the role's trust policy lets the user assume it, if at all. Every Allow statement covering `sts:AssumeRole` for
 * the user counts; the source identity is pinned only when all of them pin it (one unpinned way in is enough).
 */
export function trustGrant(trustPolicy: unknown, user: TrustingUser): TrustGrant | undefined {
  let via: 'user' | 'account' | undefined;
  let pinnedValues: string[] = [];
  let allPinned = true;
  for (const statement of statementsOf(trustPolicy)) {
    if (statement['Effect'] !== 'Allow' || !coversAction(statement, 'sts:AssumeRole')) continue;
    const match = 'NotPrincipal' in statement ? 'account' : principalMatch(awsPrincipals(statement), user);
    if (match === undefined) continue;
    via = via === 'user' || match === 'user' ? 'user' : 'account';
    const pinned = pinnedSourceIdentity(statement, user);
    if (pinned === undefined) allPinned = false;
    else pinnedValues = [...pinnedValues, ...pinned];
  }
  if (via === undefined) return undefined;
  return { via, sourceIdentity: allPinned ? { pinned: true, values: [...new Set(pinnedValues)].sort() } : { pinned: false } };
}

/** A role the leaver could assume, and the source identities a Deny must name to end their sessions on it. */
export interface AssumableRole<R> {
  readonly role: R;
  readonly grant: TrustGrant;
}

/**
 * The roles the user could assume: trust naming the user (enough within an account, and read conservatively across
 * accounts), or naming their account while one of the user's own policies allows `sts:AssumeRole` on the role.
 * `userPolicies` are every identity policy the user holds (inline, attached, through groups); `undefined` entries are
 * policies that could not be read, and allow.
 */
export function assumableRoles<R extends { readonly arn: string; readonly trustPolicy: unknown }>(
  user: TrustingUser,
  userPolicies: readonly unknown[],
  roles: readonly R[],
): AssumableRole<R>[] {
  const out: AssumableRole<R>[] = [];
  for (const role of roles) {
    const grant = trustGrant(role.trustPolicy, user);
    if (grant === undefined) continue;
    if (grant.via === 'account' && !userPolicies.some((document) => identityPolicyAllows(document, 'sts:AssumeRole', role.arn))) continue;
    out.push({ role, grant });
  }
  return out;
}

/** Whether a trust policy lets any IAM user or account in (the roles whose Warden policy the inventory reads). */
export function trustsIamPrincipals(trustPolicy: unknown): boolean {
  return statementsOf(trustPolicy).some((s) => s['Effect'] === 'Allow' && coversAction(s, 'sts:AssumeRole') && ('NotPrincipal' in s || awsPrincipals(s) === 'everyone' || (awsPrincipals(s) as string[]).length > 0));
}
