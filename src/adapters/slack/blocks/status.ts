import type { types } from '@slack/bolt';
import type { OffboardingStatus } from '../../../app/offboarding';
import type { Finding } from '../../../domain/plan';
import type { Departure } from '../../../domain/departure-lifecycle';
import { escapeMrkdwn, safeText } from '../mrkdwn';
import type { SlackBlock, SlackMessage, SlackView } from '../web';
import { isCancellable } from './departure-thread';
import { IDS, LIMITS, briefJson, section, header, context, divider, button, when, personLabel, findingLine } from './kit';

/** The offboarding status message and the App Home. */

function departureLine(d: Departure, now: Date): string {
  const due = d.effectiveAt.getTime() <= now.getTime();
  const state = d.status === 'awaiting-approval' ? 'awaiting approval' : due ? (d.lastAttempt !== undefined ? `open after ${d.attempts} attempt(s)` : 'due') : 'scheduled';
  const sessions = d.lastAttempt?.sessions ?? [];
  const live = sessions.length > 0 ? `\n    :hourglass: ${sessions.slice(0, 3).map((line) => safeText(line, 200)).join('; ')}` : '';
  return `• *${personLabel(d.person)}* — ${when(d.effectiveAt, d.timezone)} — ${state} (\`${d.id}\`)${live}`;
}

/** Leavers whose role sessions no deny ended (high findings of the last plan): what may still be live, and until when. */
function liveSessions(findings: OffboardingStatus['findings']): string | undefined {
  if (!Array.isArray(findings)) return undefined;
  const open = (findings as readonly Finding[]).filter((f) => f.kind === 'sessions-may-live');
  if (open.length === 0) return undefined;
  return `:hourglass: *Role sessions that may still be live* (${open.length})\n${open.slice(0, 8).map(findingLine).join('\n')}`;
}

function runLine(status: OffboardingStatus, timezone: string): string {
  const run = status.lastRun;
  if (run === undefined) return 'No completed run yet.';
  const finished = run.finishedAt !== undefined ? when(new Date(run.finishedAt), timezone) : 'still running';
  return `\`${safeText(run.runId, 100)}\` (${run.mode}) finished ${finished}: *${run.outcome}*${run.summary !== undefined ? ` — \`${safeText(briefJson(run.summary, 300), 400)}\`` : ''}`;
}

function findingsSummary(findings: OffboardingStatus['findings']): string {
  if (findings === undefined) return '_Not computed._';
  if (!Array.isArray(findings)) return `:warning: Could not compute findings: ${safeText((findings as { error: string }).error, 500)}`;
  const list = findings as readonly Finding[];
  if (list.length === 0) return 'No open findings.';
  const counts = new Map<string, number>();
  for (const f of list) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const top = list.filter((f) => f.severity === 'high').slice(0, 5).map(findingLine);
  return [`${list.length} open: ${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')}`, ...top].join('\n');
}

/** `/access status`: last run, pending and unresolved departures, guard trips, open findings. */
export function statusMessage(status: OffboardingStatus, now: Date, timezone: string): SlackMessage {
  const blocks: SlackBlock[] = [
    header('Warden status'),
    section(`*Last run*\n${runLine(status, timezone)}`),
    section(`*Pending departures* (${status.pending.length})\n${status.pending.length === 0 ? 'None.' : status.pending.slice(0, 15).map((d) => departureLine(d, now)).join('\n')}`),
  ];
  if (status.unresolved.length > 0) {
    blocks.push(section(`:warning: *Access still open* (${status.unresolved.length})\n${status.unresolved.slice(0, 10).map((d) => departureLine(d, now)).join('\n')}`));
  }
  blocks.push(section(`*Guard trips (7 days)*\n${status.guardTrips.length === 0 ? 'None.' : status.guardTrips.slice(0, 5).map((e) => `• ${when(new Date(e.at), timezone)}: ${safeText(e.error ?? '', 400)}`).join('\n')}`));
  blocks.push(section(`*Open findings*\n${findingsSummary(status.findings)}`));
  if (status.policy !== undefined) blocks.push(section(`*Security policy*\n${safeText(status.policy, 500)} — \`warden report policy\` shows each clause`));
  return { text: `Warden status: ${status.pending.length} pending departure(s)`, blocks };
}

/** The App Home tab: pending departures (with Cancel for HR), last reconciliation, guard trips. */
export function homeView(status: OffboardingStatus | undefined, roles: { readonly hr: boolean; readonly auditor: boolean }, now: Date, timezone: string): SlackView {
  if (status === undefined || (!roles.hr && !roles.auditor)) {
    return {
      type: 'home',
      blocks: [header('Warden'), section('Warden offboards leavers from AWS. This tab is for HR and auditors; ask your Warden administrator if you need access.')],
    };
  }
  const blocks: SlackBlock[] = [header('Warden'), context(`You are ${[roles.hr ? 'HR' : undefined, roles.auditor ? 'an auditor' : undefined].filter(Boolean).join(' and ')}. Times in ${escapeMrkdwn(timezone)}.`)];
  blocks.push(section(`*Pending departures* (${status.pending.length})${status.pending.length === 0 ? '\nNone.' : ''}`));
  for (const d of status.pending.slice(0, 30)) {
    const line: types.SectionBlock = section(departureLine(d, now));
    blocks.push(roles.hr && isCancellable(d, now) ? { ...line, accessory: button('Cancel', IDS.cancel, d.id, 'danger') } : line);
  }
  if (status.unresolved.length > 0) {
    blocks.push(section(`:warning: *Access still open* (${status.unresolved.length})\n${status.unresolved.slice(0, 10).map((d) => departureLine(d, now)).join('\n')}`));
  }
  const sessions = liveSessions(status.findings);
  if (sessions !== undefined) blocks.push(section(sessions));
  blocks.push(divider, section(`*Last reconciliation*\n${runLine(status, timezone)}`));
  blocks.push(section(`*Guard trips (7 days)*\n${status.guardTrips.length === 0 ? 'None.' : status.guardTrips.slice(0, 5).map((e) => `• ${when(new Date(e.at), timezone)}: ${safeText(e.error ?? '', 400)}`).join('\n')}`));
  return { type: 'home', blocks: blocks.slice(0, LIMITS.homeBlocks) };
}
