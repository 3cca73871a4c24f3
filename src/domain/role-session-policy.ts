/**
 * Warden's own inline policy on an IAM role: the Denies that end a leaver's live sessions on it. Warden writes this one
 * policy (by name) and only statements whose Sid it recognises as its own; each statement records in its Sid when it
 * was put in place, so it can be dropped once no session issued before then can still be alive.
 *
 * - `WardenEndSessionsSI<yyyymmddhhmmss>`: Deny everything to sessions whose `aws:SourceIdentity` is the leaver's.
 * - `WardenEndSessionsRO<yyyymmddhhmmss>`: AWS's "revoke older sessions" (Deny everything when `aws:TokenIssueTime` is
 *   before that instant), opt-in because it ends everyone's older sessions on the role, not only the leaver's.
 */
import { statementsOf } from './policy-documents';
import { lastSessionExpiry } from './sessions';

/** The one inline policy name Warden writes on roles; the adapter refuses any other (PutRolePolicy cannot be scoped by name). */
export const WARDEN_ROLE_POLICY_NAME = 'warden-end-sessions';

export type WardenRoleStatement =
  | { readonly kind: 'source-identity'; readonly since: Date; readonly identities: readonly string[] }
  | { readonly kind: 'revoke-older'; readonly since: Date };

const SID = /^WardenEndSessions(SI|RO)(\d{14})$/;

const compact = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

function fromCompact(text: string): Date | undefined {
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(8, 10)}:${text.slice(10, 12)}:${text.slice(12, 14)}Z`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Whole seconds, rounded up: the Sid and the DateLessThan value carry no more, and rounding down could leave a session
 * issued in the same second before the deny-all went in outside "older" (and drop the statement a moment too early).
 */
const toSecond = (d: Date): Date => new Date(Math.ceil(d.getTime() / 1000) * 1000);

export const sidOf = (statement: WardenRoleStatement): string => `WardenEndSessions${statement.kind === 'source-identity' ? 'SI' : 'RO'}${compact(statement.since)}`;

/**
 * Warden's statements in its policy document, and how many other statements it holds (someone else edited Warden's
 * policy: they are kept as they are, never dropped by Warden).
 */
export function parseWardenRolePolicy(document: unknown): { readonly statements: WardenRoleStatement[]; readonly foreign: readonly unknown[] } {
  const statements: WardenRoleStatement[] = [];
  const foreign: unknown[] = [];
  for (const s of statementsOf(document)) {
    const match = typeof s['Sid'] === 'string' ? SID.exec(s['Sid']) : null;
    const since = match?.[2] !== undefined ? fromCompact(match[2]) : undefined;
    if (match === null || since === undefined || s['Effect'] !== 'Deny') {
      foreign.push(s);
      continue;
    }
    if (match[1] === 'SI') {
      const condition = s['Condition'] as Record<string, Record<string, unknown>> | undefined;
      const values = condition?.['StringEqualsIgnoreCase']?.['aws:SourceIdentity'];
      const identities = (Array.isArray(values) ? values : [values]).filter((v): v is string => typeof v === 'string');
      if (identities.length === 0) foreign.push(s);
      else statements.push({ kind: 'source-identity', since, identities: [...new Set(identities)].sort() });
    } else {
      statements.push({ kind: 'revoke-older', since });
    }
  }
  return { statements, foreign };
}

function statementJson(statement: WardenRoleStatement): Record<string, unknown> {
  const condition =
    statement.kind === 'source-identity'
      ? { StringEqualsIgnoreCase: { 'aws:SourceIdentity': [...statement.identities] } }
      : { DateLessThan: { 'aws:TokenIssueTime': statement.since.toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  return { Sid: sidOf(statement), Effect: 'Deny', Action: '*', Resource: '*', Condition: condition };
}

/** The policy document for these statements (foreign ones kept), or null when nothing is left (the policy is deleted). */
export function renderWardenRolePolicy(statements: readonly WardenRoleStatement[], foreign: readonly unknown[] = []): string | null {
  if (statements.length === 0 && foreign.length === 0) return null;
  const sorted = [...statements].sort((a, b) => (sidOf(a) < sidOf(b) ? -1 : sidOf(a) > sidOf(b) ? 1 : 0));
  return JSON.stringify({ Version: '2012-10-17', Statement: [...foreign, ...sorted.map(statementJson)] });
}

/** Whether the identities are already denied by one of Warden's statements. */
export const deniesSourceIdentities = (statements: readonly WardenRoleStatement[], identities: readonly string[]): WardenRoleStatement | undefined => {
  const wanted = identities.map((i) => i.toLowerCase());
  return statements.find((s) => s.kind === 'source-identity' && wanted.every((w) => s.identities.some((i) => i.toLowerCase() === w)));
};

/** The statements with the identities denied from `at` (merged into a statement of the same second). */
export function withSourceIdentityDeny(statements: readonly WardenRoleStatement[], identities: readonly string[], at: Date): WardenRoleStatement[] {
  if (deniesSourceIdentities(statements, identities) !== undefined) return [...statements];
  const since = toSecond(at);
  const same = statements.find((s) => s.kind === 'source-identity' && s.since.getTime() === since.getTime());
  const rest = statements.filter((s) => s !== same);
  const merged = [...new Set([...(same?.kind === 'source-identity' ? same.identities : []), ...identities])].sort();
  return [...rest, { kind: 'source-identity', since, identities: merged }];
}

/** The statements with sessions issued before `at` revoked (one revoke statement, the latest instant wins). */
export function withRevokeOlder(statements: readonly WardenRoleStatement[], at: Date): WardenRoleStatement[] {
  const since = toSecond(at);
  const existing = statements.find((s) => s.kind === 'revoke-older');
  if (existing !== undefined && existing.since.getTime() >= since.getTime()) return [...statements];
  return [...statements.filter((s) => s.kind !== 'revoke-older'), { kind: 'revoke-older', since }];
}

/** Statements no longer needed at `now`: every session issued before they went in has expired. */
export const expiredStatements = (statements: readonly WardenRoleStatement[], maxSessionSeconds: number, now: Date): WardenRoleStatement[] =>
  statements.filter((s) => lastSessionExpiry({ maxSessionSeconds }, s.since).getTime() <= now.getTime());
