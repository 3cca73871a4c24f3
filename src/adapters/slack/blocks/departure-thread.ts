import type { types } from '@slack/bolt';
import type { ApproveResult, CancelResult } from '../../../app/offboarding';
import { formatDuration } from '../../../domain/time';
import type { Departure, PathStatus } from '../../../domain/departure-lifecycle';
import type { DepartureEvent } from '../../../ports/departures';
import { actorMention, escapeMrkdwn, safeText } from '../mrkdwn';
import type { SlackBlock, SlackMessage } from '../web';
import { IDS, PATH_LABELS, section, context, button, when, personLabel, reasonLabel, assertUnreachable } from './kit';

/** The departure thread: the announcement updated in place, its replies, and the answers to approve and cancel. */


const STATE_ICON: Readonly<Record<PathStatus['state'], string>> = { ok: ':white_check_mark:', failed: ':x:', pending: ':hourglass_flowing_sand:' };

/** One line per access path: ok / failed / pending. */
export function pathLines(paths: readonly PathStatus[]): string {
  if (paths.length === 0) return '_No AWS access found to revoke._';
  return paths
    .map((p) => {
      const detail =
        p.state === 'failed'
          ? `failed ${p.failed}/${p.planned}: ${safeText(p.errors[0] ?? 'unknown error', 200)}`
          : p.state === 'ok'
            ? `${p.planned} done`
            : `${p.planned} pending`;
      return `${STATE_ICON[p.state]} *${PATH_LABELS[p.path]}* — ${detail}`;
    })
    .join('\n');
}

const STATUS_LABEL: Readonly<Record<Departure['status'], string>> = {
  'awaiting-approval': ':busts_in_silhouette: Awaiting a second approver',
  scheduled: ':calendar: Scheduled',
  applied: ':white_check_mark: Applied — no access left',
  cancelled: ':no_entry_sign: Cancelled',
};

/** Whether HR can still withdraw it (before it takes effect). */
export const isCancellable = (d: Departure, now: Date): boolean =>
  d.status === 'awaiting-approval' || (d.status === 'scheduled' && d.effectiveAt.getTime() > now.getTime());

/** The channel message for a departure, updated in place as results arrive. */
export function departureMessage(departure: Departure, now: Date, slaHours: number): SlackMessage {
  const d = departure;
  let status = STATUS_LABEL[d.status];
  if (d.status === 'scheduled' && d.effectiveAt.getTime() <= now.getTime()) {
    status = d.lastAttempt === undefined ? ':arrows_counterclockwise: Revoking' : ':warning: Access still open — retrying';
  }
  const blocks: SlackBlock[] = [
    section(`:wave: *Departure: ${personLabel(d.person)}*`),
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Effective*\n${when(d.effectiveAt, d.timezone)}` },
        { type: 'mrkdwn', text: `*Marked by*\n${actorMention(d.markedBy)}` },
        { type: 'mrkdwn', text: `*Reason*\n${reasonLabel(d.reason)}` },
        { type: 'mrkdwn', text: `*Status*\n${status}` },
      ],
    },
  ];
  if (d.notes !== undefined) blocks.push(section(`*Notes*\n${safeText(d.notes, 1000)}`));
  if (d.status !== 'cancelled') blocks.push(section(pathLines(d.paths)));
  if (d.noAccessLeftAt !== undefined) {
    const took = d.noAccessLeftAt.getTime() - d.effectiveAt.getTime();
    const sla = took <= slaHours * 3_600_000 ? `within the ${slaHours}h SLA` : `:warning: beyond the ${slaHours}h SLA`;
    blocks.push(section(`:stopwatch: No access left *${formatDuration(Math.max(0, took))}* after the effective time (${sla}).`));
  } else if (d.lastAttempt !== undefined && d.status === 'scheduled') {
    const a = d.lastAttempt;
    const open = [...(a.error !== undefined ? [a.error] : []), ...a.remaining].slice(0, 8).map((r) => `• ${safeText(r, 300)}`);
    blocks.push(section(`:warning: *Attempt ${d.attempts}* at ${when(a.at, d.timezone)} — ${a.outcome}; retried by every run until resolved.\n${open.join('\n')}`));
  }
  const sessions = d.lastAttempt?.sessions ?? [];
  if (d.status !== 'cancelled' && sessions.length > 0) {
    blocks.push(section(`:hourglass: *Live sessions*\n${sessions.slice(0, 5).map((line) => `• ${safeText(line, 300)}`).join('\n')}`));
  }
  if (d.status !== 'cancelled' && d.cancelRequests !== undefined && d.cancelRequests.length > 0) {
    blocks.push(section(`Cancel requested by ${d.cancelRequests.map((r) => actorMention(r.by)).join(', ')}; a second HR member must confirm.`));
  }
  if (d.status === 'cancelled' && d.cancelled !== undefined) {
    blocks.push(section(`Cancelled by ${actorMention(d.cancelled.by)} at ${when(d.cancelled.at, d.timezone)}; nothing was revoked.`));
  }
  const buttons: types.Button[] = [];
  if (d.status === 'awaiting-approval') buttons.push(button('Approve', IDS.approve, d.id, 'primary'));
  if (isCancellable(d, now)) buttons.push(button('Cancel departure', IDS.cancel, d.id, 'danger'));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push(context(`${d.id} · approvals ${d.approvals.length}/${d.requiredApprovals}: ${d.approvals.map((a) => actorMention(a.by)).join(', ')}`));
  return { text: `Departure of ${escapeMrkdwn(d.person.email)}: ${d.status}`, blocks };
}

/** The thread reply for an event (undefined: nothing worth a new reply; the message itself is updated). */
export function departureReply(departure: Departure, event: DepartureEvent): string | undefined {
  switch (event.kind) {
    case 'approved':
      return departure.status === 'scheduled'
        ? `:white_check_mark: Approved by ${actorMention(event.by)}; the departure proceeds.`
        : `Approved by ${actorMention(event.by)}; ${departure.requiredApprovals - departure.approvals.length} more approval(s) needed.`;
    case 'cancelled':
      return `:no_entry_sign: Cancelled by ${actorMention(event.by)}. Nothing was revoked.`;
    case 'cancel-requested':
      return `Cancel requested by ${actorMention(event.by)}; a second HR member must also press Cancel, or the departure goes ahead.`;
    case 'attempted': {
      const a = departure.lastAttempt;
      if (a === undefined) return undefined;
      if (departure.status === 'applied') return `:white_check_mark: No access left (verified, run \`${safeText(a.runId, 100)}\`).`;
      // Later failed attempts only update the message, so a stuck departure does not flood the thread.
      if (departure.attempts !== 1) return undefined;
      return `:warning: Not complete yet (${a.outcome}): ${safeText([a.error, ...a.remaining].filter((x) => x !== undefined).slice(0, 3).join('; '), 1500)}. Warden retries on every run.`;
    }
    default:
      return assertUnreachable(event);
  }
}

/** Text for the person who clicked Approve / Cancel. */
export function approveReply(result: ApproveResult): string {
  switch (result.kind) {
    case 'approved':
      return result.departure.status === 'scheduled' ? 'Approved. The departure is scheduled.' : 'Approved.';
    case 'attempted':
      return result.attempt.outcome === 'no-access-left' ? 'Approved and revoked: no access left.' : 'Approved; revocation started, see the thread.';
    case 'refused':
      switch (result.reason) {
        case 'self-approval':
        case 'duplicate-approver':
          return 'A second approval must come from a different HR member than those who already approved.';
        case 'leaver':
          return 'You cannot approve your own departure; another HR member must.';
        case 'unconfirmed':
          return 'Warden could not confirm that you are not the person leaving (Slack or the roster could not be read), so nothing was approved. Try again shortly.';
        case 'not-found':
          return 'That departure no longer exists.';
        case 'wrong-status':
        case 'in-effect':
          return `Nothing to approve: the departure is ${result.departure?.status ?? 'no longer awaiting approval'}.`;
        default:
          return assertUnreachable(result.reason);
      }
    default:
      return assertUnreachable(result);
  }
}

/** Text for the person who clicked Cancel. */
export function cancelReply(result: CancelResult): string {
  if (result.kind === 'cancelled') return `Cancelled the departure of ${escapeMrkdwn(result.departure.person.email)}.`;
  if (result.kind === 'cancel-requested') {
    return `Cancel requested. This departure needed ${result.departure.requiredApprovals} approvers, so a second HR member must also press Cancel before ${when(result.departure.effectiveAt, result.departure.timezone)}; until then it stays ${result.departure.status}.`;
  }
  switch (result.reason) {
    case 'leaver':
      return 'You cannot cancel your own departure. If it is a mistake, ask another HR member.';
    case 'unconfirmed':
      return 'Warden could not confirm that you are not the person leaving (Slack or the roster could not be read), so nothing was cancelled. Try again shortly.';
    case 'in-effect':
      return 'Too late to cancel: the departure has taken effect. Access is restored only by a person, never by Warden.';
    case 'wrong-status':
      return `Cannot cancel: the departure is already ${result.departure?.status ?? 'closed'}.`;
    case 'not-found':
      return 'That departure no longer exists.';
    case 'duplicate-approver':
      return 'You already asked to cancel; a different HR member must confirm it.';
    default:
      return assertUnreachable(result.reason);
  }
}
