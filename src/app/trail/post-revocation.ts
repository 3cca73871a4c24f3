import { buildLeaverReport } from '../../domain/evidence/leavers';
import { postRevocationUse, type LeaverTrailScope, type PostRevocationUse, type TrailEvent } from '../../domain/trail';
import { errorText } from '../../errors';
import type { AuditLog, Clock, Notifier } from '../../ports';
import type { TrailSource } from '../../ports/trail';
import { lookupAll } from './poll';

/**
 * Post-revocation use (issue 15): for every leaver with a "no access left" time, CloudTrail is asked (LookupEvents, by
 * access key id and by user name) for calls after it. Each successful one is a high finding: a `trail.post-revocation-use`
 * audit entry (`warden audit`, the leaver report) and one Slack alert per leaver. Findings already audited are not
 * repeated, so the scan can run every hour.
 */

export interface PostRevocationDeps {
  readonly audit: AuditLog;
  readonly sources: readonly TrailSource[];
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly slaHours: number;
  /** How far back leavers are looked at: CloudTrail's event history keeps 90 days. */
  readonly lookbackDays?: number;
}

export interface PostRevocationScan {
  readonly leavers: number;
  readonly findings: readonly PostRevocationUse[];
  readonly errors: readonly string[];
}

const DAY_MS = 86_400_000;

/** The leavers the audit log shows with no access left, with their users and access keys per account. */
export async function leaverTrailScopes(audit: AuditLog, now: Date, slaHours: number, lookbackDays: number): Promise<LeaverTrailScope[]> {
  const entries = await audit.query({});
  const report = buildLeaverReport(entries, { from: new Date(now.getTime() - lookbackDays * DAY_MS), to: now, slaHours, now });
  return report.leavers.flatMap((leaver) => {
    const users = leaver.users.filter((u) => u.noAccessLeftAt !== undefined);
    const times = users.map((u) => Date.parse(u.noAccessLeftAt as string));
    // When every user was first verified with no access left: a later re-revocation (access given back and undone)
    // must not move it, or the calls made in between would fall before it.
    const at = times.length > 0 && times.length === leaver.users.length ? new Date(Math.max(...times)).toISOString() : leaver.noAccessLeftAt;
    if (at === undefined) return [];
    return [
      {
        person: `${leaver.email} (${leaver.employeeId})`,
        noAccessLeftAt: new Date(at),
        users: users.map((u) => ({ ...(u.account !== undefined ? { account: u.account } : {}), userName: u.userName })),
        accessKeyIds: [...new Set(leaver.paths.filter((p) => p.action === 'deactivate-access-key' && p.detail !== '').map((p) => p.detail))],
      },
    ];
  });
}

/** Asks CloudTrail about every leaver and records what it finds that is not recorded yet. */
export async function scanPostRevocationUse(deps: PostRevocationDeps): Promise<PostRevocationScan> {
  const now = deps.clock.now();
  const scopes = await leaverTrailScopes(deps.audit, now, deps.slaHours, deps.lookbackDays ?? 90);
  const recorded = new Set(
    (await deps.audit.query({}))
      .filter((e) => e.action === 'trail.post-revocation-use')
      .map((e) => (e.after !== null && typeof e.after === 'object' ? (e.after as Record<string, unknown>)['eventId'] : undefined))
      .filter((id): id is string => typeof id === 'string'),
  );
  const findings: PostRevocationUse[] = [];
  const errors: string[] = [];
  for (const scope of scopes) {
    const events: TrailEvent[] = [];
    for (const source of deps.sources) {
      const names = scope.users.filter((u) => u.account === undefined || u.account === source.account).map((u) => u.userName);
      if (names.length === 0) continue;
      const lookups = [...scope.accessKeyIds.map((accessKeyId) => ({ kind: 'access-key' as const, accessKeyId })), ...names.map((userName) => ({ kind: 'user-name' as const, userName }))];
      for (const lookup of lookups) {
        try {
          events.push(...(await lookupAll(source, lookup, scope.noAccessLeftAt, now)).events);
        } catch (error) {
          errors.push(`${source.account}: ${errorText(error)}`);
        }
      }
    }
    const fresh = postRevocationUse(scope, events).filter((use) => !recorded.has(use.event.eventId));
    if (fresh.length === 0) continue;
    for (const use of fresh) {
      recorded.add(use.event.eventId);
      const usedBy = use.event.actor.accessKeyId ?? use.event.actor.userName ?? use.event.actor.type;
      await deps.audit.append({
        runId: `trail-scan-${now.toISOString()}`,
        actor: 'system',
        action: 'trail.post-revocation-use',
        account: use.event.account,
        target: use.event.actor.userName ?? usedBy,
        person: use.person,
        reason: 'departed',
        result: 'failed',
        after: {
          severity: 'high',
          control: 'offboarding-24h',
          eventId: use.event.eventId,
          eventName: use.event.eventName,
          eventSource: use.event.eventSource,
          eventTime: use.event.eventTime.toISOString(),
          sourceIp: use.event.sourceIp,
          usedBy,
          matchedBy: use.matchedBy,
          noAccessLeftAt: use.noAccessLeftAt.toISOString(),
        },
        error: `access used after revocation: ${use.event.eventName} at ${use.event.eventTime.toISOString()} from ${use.event.sourceIp}`,
      });
    }
    findings.push(...fresh);
    await deps.notifier.notify({ kind: 'post-revocation-use', person: scope.person, noAccessLeftAt: scope.noAccessLeftAt, events: fresh.map((f) => f.event) });
  }
  return { leavers: scopes.length, findings, errors };
}
