import type { types } from '@slack/bolt';
import type { Campaign, DecisionRequest, HrReason, ReviewItem, ReviewPacket } from '../../../domain/reviews/campaign';
import { describeEntitlement } from '../../../domain/reviews/entitlements';
import { actorMention, safeText } from '../mrkdwn';
import type { SlackBlock, SlackMessage } from '../web';
import { LIMITS, button, context, header, section, when } from './kit';

/** Block Kit for access reviews: one message per person, Keep / Revoke per entitlement and Keep all. */

export const REVIEW_IDS = { keep: 'warden_review_keep', revoke: 'warden_review_revoke', keepAll: 'warden_review_keep_all' } as const;

/** What a review button carries: the campaign, the packet and (per item) the item. */
export interface ReviewButtonValue {
  readonly c: string;
  readonly p: string;
  readonly i?: string;
}

// Ids Warden wrote: campaign and packet ids, and item keys made of IAM names (`\w+=,.@-`), ARNs and host principals.
const ID = /^[\w.:@|/+=,-]{1,600}$/;

/** Reads a review button back into a decision request; undefined when the payload is not one we wrote. */
export function readReviewButton(actionId: string, value: string | undefined): { campaignId: string; packetId: string; request: DecisionRequest } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const v = parsed as Record<string, unknown>;
  const c = v['c'];
  const p = v['p'];
  const i = v['i'];
  if (typeof c !== 'string' || typeof p !== 'string' || !ID.test(c) || !ID.test(p)) return undefined;
  if (actionId === REVIEW_IDS.keepAll) return { campaignId: c, packetId: p, request: { kind: 'keep-all' } };
  if (typeof i !== 'string' || !ID.test(i)) return undefined;
  if (actionId === REVIEW_IDS.keep) return { campaignId: c, packetId: p, request: { kind: 'item', itemId: i, verdict: 'keep' } };
  if (actionId === REVIEW_IDS.revoke) return { campaignId: c, packetId: p, request: { kind: 'item', itemId: i, verdict: 'revoke' } };
  return undefined;
}

const HR_WHY: Readonly<Record<HrReason, string>> = {
  'no-manager': 'no manager on the roster',
  'manager-not-on-roster': 'their manager is not on the roster',
  'manager-left': 'their manager has left',
  'own-manager': 'the roster names them as their own manager',
  'manager-not-in-slack': 'Slack has no user with their manager\'s email',
};

const reviewerLine = (packet: ReviewPacket): string =>
  packet.reviewer.kind === 'manager'
    ? `Reviewer: ${packet.reviewer.slackId !== undefined ? `<@${packet.reviewer.slackId}>` : safeText(packet.reviewer.email, 200)} (manager)`
    : `Reviewer: HR (${HR_WHY[packet.reviewer.why]})`;

const decidedLine = (item: ReviewItem): string => {
  const d = item.decision;
  if (d === undefined) return '';
  const icon = d.verdict === 'keep' ? ':white_check_mark: Kept' : ':no_entry: Revoked';
  const by = d.as === 'undecided-default' ? 'by default at the due date' : `by ${actorMention(d.by)}`;
  const change = item.change === undefined ? (d.verdict === 'revoke' ? ' — revoking…' : '') : item.change.result === 'ok' ? (item.change.verified ? ' — removed, verified' : ' — removed, not yet verified') : ` — ${item.change.result}: ${safeText(item.change.detail ?? '', 300)}`;
  return `${icon} ${by}${change}`;
};

/** Most items a message shows with buttons (two blocks each, within Slack's 50). */
const MAX_OPEN_ITEMS = 20;

/** The packet's message: who, what they hold, Keep / Revoke per open item, decided items summarised, Keep all. */
export function reviewMessage(campaign: Campaign, packet: ReviewPacket, timezone: string): SlackMessage {
  const person = packet.person.fullName !== undefined ? `${safeText(packet.person.fullName, 200)} (${safeText(packet.person.email, 200)})` : safeText(packet.person.email, 200);
  const open = packet.items.filter((i) => i.decision === undefined);
  const decided = packet.items.filter((i) => i.decision !== undefined);
  const blocks: SlackBlock[] = [
    header(`Access review: ${packet.person.fullName ?? packet.person.email}`),
    section(`Does *${person}*${packet.person.role !== undefined ? ` (role _${safeText(packet.person.role, 100)}_)` : ''} still need this access? *Revoke* removes it at once (and it is verified); *Keep* is recorded with your name.`),
    context(`${reviewerLine(packet)} · due ${when(campaign.dueAt, timezone)} · undecided items are ${campaign.settings.undecided === 'keep' ? 'kept' : 'revoked'} then · campaign \`${safeText(campaign.id, 100)}\``),
  ];
  for (const item of open.slice(0, MAX_OPEN_ITEMS)) {
    const value = (i: ReviewItem): string => JSON.stringify({ c: campaign.id, p: packet.id, i: i.id } satisfies ReviewButtonValue);
    blocks.push(section(`${safeText(describeEntitlement(item.entitlement), 500)}${item.roleAllows ? ' _(their role grants this)_' : ''}`));
    const actions: types.ActionsBlock = {
      type: 'actions',
      elements: [button('Keep', REVIEW_IDS.keep, value(item), 'primary'), button('Revoke', REVIEW_IDS.revoke, value(item), 'danger')],
    };
    blocks.push(actions);
  }
  if (open.length > MAX_OPEN_ITEMS) blocks.push(context(`${open.length - MAX_OPEN_ITEMS} more item(s) appear here as these are decided.`));
  if (decided.length > 0) {
    const lines = decided.map((i) => `• ${safeText(describeEntitlement(i.entitlement), 300)}: ${decidedLine(i)}`);
    blocks.push(section(lines.join('\n')));
  }
  if (open.length > 0) {
    const all: types.ActionsBlock = {
      type: 'actions',
      elements: [button(`Keep all ${open.length} remaining`, REVIEW_IDS.keepAll, JSON.stringify({ c: campaign.id, p: packet.id } satisfies ReviewButtonValue))],
    };
    blocks.push(all);
  } else {
    blocks.push(context(':white_check_mark: Every item is decided. Thank you.'));
  }
  return { text: `Access review for ${packet.person.email}: ${open.length} of ${packet.items.length} item(s) to decide`, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

export const reminderMessage = (campaign: Campaign, packet: ReviewPacket, timezone: string): SlackMessage => {
  const open = packet.items.filter((i) => i.decision === undefined).length;
  return { text: `Reminder: ${open} item(s) of ${packet.person.email}'s access await your review (due ${when(campaign.dueAt, timezone)}).`, blocks: [section(`:alarm_clock: Reminder: *${open}* item(s) of ${safeText(packet.person.email, 200)}'s access await your review, due ${when(campaign.dueAt, timezone)}.`)] };
};

export const escalationNotice = (packet: ReviewPacket): SlackMessage => {
  const manager = packet.reviewer.kind === 'manager' ? (packet.reviewer.slackId !== undefined ? `<@${packet.reviewer.slackId}>` : safeText(packet.reviewer.email, 200)) : 'HR';
  return {
    text: `Escalated to HR: ${packet.person.email}'s access review is still undecided.`,
    blocks: [section(`:rotating_light: Escalated to HR: ${manager} has not decided ${safeText(packet.person.email, 200)}'s access review. HR may decide it below.`)],
  };
};

export function campaignClosedMessage(campaign: Campaign, packets: readonly ReviewPacket[]): SlackMessage {
  const items = packets.flatMap((p) => p.items);
  const kept = items.filter((i) => i.decision?.verdict === 'keep').length;
  const revoked = items.filter((i) => i.decision?.verdict === 'revoke').length;
  const defaulted = items.filter((i) => i.decision?.as === 'undecided-default').length;
  const text = `Access review ${campaign.id} closed: ${kept} kept, ${revoked} revoked, ${defaulted} undecided given the default (${campaign.settings.undecided}).`;
  return { text, blocks: [section(`:clipboard: ${safeText(text, 1000)}`), context('Evidence: `warden review report --format html`.')] };
}

export function reviewReplyText(outcome: { kind: string; reason?: string }): string {
  if (outcome.kind === 'decided') return ':white_check_mark: Recorded.';
  switch (outcome.reason) {
    case 'own-access':
      return 'Sorry, nobody may review their own access. (This attempt was recorded.)';
    case 'not-reviewer':
      return 'Sorry, only the assigned reviewer or HR may decide this review. (This attempt was recorded.)';
    case 'identity-unknown':
      return 'Sorry, Warden could not confirm who you are, so it cannot tell you apart from the person under review. (This attempt was recorded.)';
    case 'already-decided':
      return 'That item was already decided; the message shows the decision.';
    case 'campaign-closed':
      return 'This review campaign has closed.';
    default:
      return 'That review no longer exists.';
  }
}
