import type { TrailEvent } from '../../../domain/trail';
import type { TrailNotice } from '../../../ports/trail';
import { safeText } from '../mrkdwn';
import type { SlackBlock, SlackMessage } from '../web';
import { context, section } from './kit';

/** Issue 15's channel alerts: access given back (who, when, from where, what Warden undid), and a leaver's use after revocation. */

const MAX_LINES = 10;

/** Who made the call: the ARN CloudTrail recorded (escaped: a session name is chosen by whoever assumed the role). */
const actorOf = (event: TrailEvent): string => safeText(event.actor.arn ?? event.actor.userName ?? event.actor.type, 300);

const eventLine = (event: TrailEvent, what: string): string =>
  `• *${safeText(event.eventName, 100)}* by \`${actorOf(event)}\` at ${event.eventTime.toISOString()} from \`${safeText(event.sourceIp, 100)}\` in account ${safeText(event.account, 20)}: ${safeText(what, 300)}`;

export function accessRestoredMessage(notice: Extract<TrailNotice, { kind: 'access-restored' }>): SlackMessage {
  const failed = notice.undone.filter((u) => u.result === 'failed');
  const icon = failed.length > 0 || !notice.verified ? ':rotating_light:' : ':shield:';
  const first = notice.events[0];
  const blocks: SlackBlock[] = [
    section(`${icon} *Access given back, and undone by Warden*${failed.length > 0 || !notice.verified ? ' — *not everything could be undone or verified*' : ''}`),
    section(notice.events.slice(0, MAX_LINES).map((e) => `${eventLine(e.event, e.what)} (${e.principals.map((p) => safeText(p, 100)).join(', ')})`).join('\n')),
  ];
  const undone = notice.undone.slice(0, MAX_LINES).map((u) => `• ${safeText(u.kind, 60)} on ${safeText(u.userName, 64)} (${safeText(u.account, 20)}): ${u.result}${u.error !== undefined ? ` — ${safeText(u.error, 200)}` : ''}`);
  blocks.push(section(`*Warden undid*\n${undone.join('\n') || '• nothing (no change was needed)'}`));
  blocks.push(context(`run \`${safeText(notice.runId, 100)}\` · ${notice.verified ? 'verified: no access left' : 'NOT verified'} · \`warden audit query --user NAME\` has the entries`));
  const who = first !== undefined ? ` by ${first.event.actor.arn ?? first.event.actor.type}` : '';
  return { text: `Warden: access given back${who} was undone (${notice.undone.length} change(s))`, blocks };
}

export function postRevocationUseMessage(notice: Extract<TrailNotice, { kind: 'post-revocation-use' }>): SlackMessage {
  const lines = notice.events.slice(0, MAX_LINES).map((e) => eventLine(e, 'succeeded'));
  return {
    text: `Warden: ${notice.person} used AWS after their access was revoked (${notice.events.length} call(s))`,
    blocks: [
      section(`:rotating_light: *High: a leaver's access was used after revocation* — ${safeText(notice.person, 200)}, no access left since ${notice.noAccessLeftAt.toISOString()}`),
      section(lines.join('\n')),
      context(`${notice.events.length} successful call(s) after "no access left"; see the leaver report and \`warden audit query --person …\``),
    ],
  };
}
