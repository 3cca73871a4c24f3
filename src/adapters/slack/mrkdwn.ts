import { terminalSafe } from '../../domain/terminal-text';

/**
 * Escapes user text for Slack mrkdwn: `&`, `<` and `>` would otherwise make links, mentions or broadcasts; control,
 * bidi and invisible characters are shown as `\uXXXX` (line breaks kept) so a name cannot display as another.
 */
export function escapeMrkdwn(text: string): string {
  return terminalSafe(text, { keepLayout: true }).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to at most `max` characters (an ellipsis included) so a block never exceeds Slack's limits. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escaped and cut: what every piece of user or AWS text goes through before it reaches a mrkdwn field. */
export const safeText = (text: string, max = 3000): string => truncate(escapeMrkdwn(text), max);

/** A user mention for an actor `slack:U…`; any other actor (system, cli:NAME) as escaped text. */
export function actorMention(actor: string): string {
  const match = /^slack:([UW][A-Z0-9]+)$/.exec(actor);
  return match !== null ? `<@${match[1]}>` : escapeMrkdwn(actor);
}
