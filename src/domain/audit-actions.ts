import type { ActionKind } from './plan';

/**
 * Every `action` Warden writes to the audit log, one closed list: a plan action's kind (its `intent`, then `ok`,
 * `failed` or `skipped`) or one of the events below. Entries read back stay plain strings: a stored row may come
 * from another version or have been edited, and is parsed, never trusted to be one of these.
 */
export const AUDIT_EVENTS = [
  /** A run planned without applying (`warden plan`, a dry run). */
  'run.plan',
  'run.start',
  'run.finish',
  /** A run stopped before every action ran; the next run completes them. */
  'run.interrupted',
  /** The Lambda dispatcher handed accounts to the worker. */
  'run.dispatch',
  'guard.tripped',
  'guard.override',
  /** The revocations planned for one departed person, before any is applied. */
  'leaver.revocation',
  /** An IAM user or host re-read after the run: no access left, or what remains. */
  'verify',
  /** A departure verified with no access left. */
  'departure.no-access-left',
  'slack.departure.confirmed',
  'slack.departure.approved',
  'slack.departure.cancel-requested',
  'slack.departure.cancelled',
  /** An approval or cancellation refused (the leaver deciding, or who decides could not be told). */
  'slack.departure.refused',
  /** Someone not in the HR or auditor group tried a Slack command, button or form. */
  'slack.denied',
  'slack.access.history',
  'slack.access.at',
  /** One leaver's live role sessions after a run's verification: ended at …, or may live until … (issue 14). */
  'leaver.sessions',
  /** CloudTrail showed someone giving a principal access back; what Warden undid (issue 15). */
  'trail.access-restored',
  /** CloudTrail showed a leaver's successful call after their "no access left" time (a high finding). */
  'trail.post-revocation-use',
  /** The account password policy set to the configured minimum (config `passwordPolicy.enforce`): intent, then the result. */
  'password-policy.set',
  /** An access review campaign started, and each packet sent to its reviewer. */
  'review.started',
  'review.sent',
  /** A reviewer's decision on one entitlement (who, when, as reviewer or HR). */
  'review.kept',
  'review.revoked',
  /** A decision refused: not the assigned reviewer nor HR, or the person deciding their own access. */
  'review.refused',
  'review.reminded',
  'review.escalated',
  /** An item nobody decided by the due date, given the `reviews.undecided` default. */
  'review.undecided',
  /** What a revoke changed and whether the re-read showed it gone. */
  'review.change',
  'review.closed',
] as const;

export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** What an audit entry records: a plan action of that kind, or an event. */
export type AuditAction = ActionKind | AuditEvent;
