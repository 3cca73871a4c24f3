import type { Notice } from '../../../ports';
import { safeText } from '../mrkdwn';
import type { SlackBlock, SlackMessage } from '../web';
import { section, context, findingLine } from './kit';

/** Channel notices (run summary, guard trip) and the refusal unauthorised users get. */

/** A scheduled run's summary for the channel. */
export function runSummaryMessage(notice: Extract<Notice, { kind: 'run-summary' }>): SlackMessage {
  const { plan } = notice;
  const byKind = new Map<string, number>();
  for (const a of plan.actions) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
  const high = plan.findings.filter((f) => f.severity === 'high');
  const icon = notice.failed > 0 ? ':warning:' : ':white_check_mark:';
  const blocks: SlackBlock[] = [
    section(`${icon} *Reconciliation* \`${safeText(notice.runId, 100)}\`: ${notice.applied} change(s) applied, ${notice.failed} failed.`),
  ];
  if (byKind.size > 0) blocks.push(section(`*Planned*: ${[...byKind].map(([k, n]) => `${k} ×${n}`).join(', ')}`));
  blocks.push(context(`${plan.summary.findings} finding(s), ${high.length} high · ${plan.summary.people} people · ${plan.summary.iamUsers} IAM users${plan.errors.length > 0 ? ` · ${plan.errors.length} input error(s)` : ''}`));
  if (high.length > 0) blocks.push(section(high.slice(0, 5).map(findingLine).join('\n')));
  return { text: `Warden run ${notice.runId}: ${notice.applied} applied, ${notice.failed} failed`, blocks };
}

/** A guard trip for the channel: nothing was applied, and why. */
export function guardTripMessage(notice: Extract<Notice, { kind: 'guard-tripped' }>): SlackMessage {
  return {
    text: `Warden guard tripped in ${notice.runId}: nothing applied`,
    blocks: [
      section(`:rotating_light: *Guard tripped* in \`${safeText(notice.runId, 100)}\` — *nothing was applied*.`),
      section(notice.reasons.map((r) => `• ${safeText(r, 500)}`).join('\n') || '• (no reason given)'),
      context('Check the roster and the plan (`warden plan`); an operator can override with `warden apply` after review.'),
    ],
  };
}

/** The polite refusal every unauthorised click, command or submission gets. */
export function deniedText(role: 'hr' | 'auditor'): string {
  return role === 'hr'
    ? "Sorry, only HR can offboard people or change departures with Warden. If you think you should, ask your Warden administrator to add you to the HR group. (This attempt was recorded.)"
    : "Sorry, access history and status are for auditors. If you need them, ask your Warden administrator to add you to the auditors group. (This attempt was recorded.)";
}
