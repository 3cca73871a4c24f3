/**
 * Live sessions a leaver may still hold after "no access left". Deactivating keys and attaching a deny-all stop new
 * sessions, but a role session (or an Identity Center permission-set session) already issued stays valid until it
 * expires, up to the role's MaxSessionDuration, unless a Deny that AWS evaluates on every request covers it. This
 * module says, per principal and per leaver, whether such a Deny ended the sessions or when they may still live until.
 * Pure: times come in, words go out.
 */
import { formatInZone } from './time';

/** The Denies AWS evaluates on every request of a live session, so that putting one in place ends the session. */
export type SessionDenyKind =
  /** A Deny on the leaver's `sts:SourceIdentity`, on a role whose trust policy requires a source identity. */
  | 'source-identity'
  /** AWS's "revoke older sessions" Deny: `DateLessThan aws:TokenIssueTime` the revocation time, for everyone. */
  | 'revoke-older-sessions'
  /** An Identity Center permission set's Deny on the leaver's identity-store user id / `aws:userid`. */
  | 'identity-center-user'
  /** The IAM user's own deny-all: covers sessions from the user's own keys (GetSessionToken), never a role's. */
  | 'user-deny-all';

/** Why a principal's sessions no longer live. */
export type SessionEndCause = SessionDenyKind | 'expired';

/** What a leaver could still do through one principal (an IAM role, a permission set) with a session issued before. */
export type SessionExposure =
  | { readonly status: 'ended'; readonly at: Date; readonly cause: SessionEndCause }
  | { readonly status: 'may-live-until'; readonly until: Date };

/** One principal a leaver could take sessions on, as Warden read it. */
export interface SessionPrincipal {
  /** Role or permission-set ARN: where the sessions are. */
  readonly arn: string;
  /** The longest session AWS issues on it (IAM MaxSessionDuration / permission set SessionDuration), in seconds. */
  readonly maxSessionSeconds: number;
  /** When a session-ending Deny covering this leaver was verified in place, and which; absent when there is none. */
  readonly deny?: { readonly kind: SessionDenyKind; readonly since: Date };
}

/** AWS's bounds on a role's MaxSessionDuration (1 to 12 hours); anything else read from outside is clamped to them. */
export const MIN_SESSION_SECONDS = 3_600;
export const MAX_SESSION_SECONDS = 43_200;

/** A MaxSessionDuration as AWS would apply it: missing or unreadable means the longest AWS allows (fail closed). */
export function sessionSeconds(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return MAX_SESSION_SECONDS;
  return Math.min(MAX_SESSION_SECONDS, Math.max(MIN_SESSION_SECONDS, Math.ceil(value)));
}

/** When the last session issued at or before `issuedBy` on this principal expires. */
export const lastSessionExpiry = (principal: Pick<SessionPrincipal, 'maxSessionSeconds'>, issuedBy: Date): Date =>
  new Date(issuedBy.getTime() + sessionSeconds(principal.maxSessionSeconds) * 1000);

/**
 * The exposure through one principal of a leaver whose last session could have been issued at `accessEndedAt` ("no
 * access left": no new sessions after it). A session whose expiry is at or before `now` is over (AWS refuses a token
 * at its expiration); a Deny ends them when it was put in place, or they had already expired by then.
 */
export function sessionExposure(principal: SessionPrincipal, accessEndedAt: Date, now: Date): SessionExposure {
  const until = lastSessionExpiry(principal, accessEndedAt);
  if (principal.deny !== undefined) {
    return principal.deny.since.getTime() < until.getTime()
      ? { status: 'ended', at: principal.deny.since, cause: principal.deny.kind }
      : { status: 'ended', at: until, cause: 'expired' };
  }
  return until.getTime() <= now.getTime() ? { status: 'ended', at: until, cause: 'expired' } : { status: 'may-live-until', until };
}

/** One leaver's sessions across every principal: all ended (and when the last one did), or alive until a time. */
export type SessionSummary =
  | { readonly status: 'ended'; readonly at: Date; readonly principals: number }
  | { readonly status: 'may-live-until'; readonly until: Date; readonly principals: number; readonly open: number };

/**
 * The leaver's summary. Sessions from the user's own keys end with the user's deny-all at `accessEndedAt`, so that is
 * the floor of "ended"; any principal still open makes the whole summary "may live until" the latest of them.
 */
export function summarizeSessions(exposures: readonly SessionExposure[], accessEndedAt: Date): SessionSummary {
  let open = 0;
  let until = 0;
  let ended = accessEndedAt.getTime();
  for (const exposure of exposures) {
    if (exposure.status === 'may-live-until') {
      open += 1;
      until = Math.max(until, exposure.until.getTime());
    } else {
      ended = Math.max(ended, exposure.at.getTime());
    }
  }
  return open > 0
    ? { status: 'may-live-until', until: new Date(until), principals: exposures.length, open }
    : { status: 'ended', at: new Date(ended), principals: exposures.length };
}

/** The summary in the words every surface shows: `sessions ended at …` or `sessions may live until … (2 of 3 roles)`. */
export function sessionSummaryWords(summary: SessionSummary, timeZone: string): string {
  switch (summary.status) {
    case 'ended':
      return `sessions ended at ${formatInZone(summary.at, timeZone)}`;
    case 'may-live-until':
      return `sessions may live until ${formatInZone(summary.until, timeZone)} (${summary.open} of ${summary.principals} ${summary.principals === 1 ? 'role' : 'roles'} without a session-ending deny)`;
  }
}

/** One principal's exposure in words, e.g. `ended at … (source identity denied)`. */
export function sessionExposureWords(exposure: SessionExposure, timeZone: string): string {
  switch (exposure.status) {
    case 'ended':
      return `sessions ended at ${formatInZone(exposure.at, timeZone)} (${SESSION_END_CAUSE_WORDS[exposure.cause]})`;
    case 'may-live-until':
      return `sessions may live until ${formatInZone(exposure.until, timeZone)}`;
  }
}

export const SESSION_END_CAUSE_WORDS: Readonly<Record<SessionEndCause, string>> = {
  'source-identity': 'source identity denied',
  'revoke-older-sessions': 'older sessions revoked',
  'identity-center-user': 'Identity Center user denied',
  'user-deny-all': 'user denied everything',
  expired: 'longest session expired',
};
