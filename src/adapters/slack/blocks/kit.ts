import type { types } from '@slack/bolt';
import { formatInZone } from '../../../domain/time';
import type { Finding } from '../../../domain/plan';
import { ACCESS_PATH_INFO, ACCESS_PATHS } from '../../../domain/action-kinds';
import type { AccessPath, Departure } from '../../../domain/departure-lifecycle';
import { safeText, truncate } from '../mrkdwn';
import { terminalSafe } from '../../../domain/terminal-text';

/** What every Block Kit surface shares: Slack's limits, ids, and the small block builders. */

/** Slack's limits this module keeps to. */
export const LIMITS = { messageBlocks: 50, homeBlocks: 100, modalBlocks: 100, sectionText: 3000, headerText: 150, buttonValue: 2000, metadata: 3000 } as const;

/** Callback, block and action ids shared by the builders and the listeners. */
export const IDS = {
  offboardView: 'warden_offboard',
  confirmView: 'warden_offboard_confirm',
  cancel: 'warden_cancel_departure',
  approve: 'warden_approve_departure',
  historyPage: 'warden_history_page',
  block: {
    personUser: 'person_user',
    personEmail: 'person_email',
    date: 'effective_date',
    time: 'effective_time',
    timezone: 'timezone',
    reason: 'reason',
    notes: 'notes',
  },
} as const;

export const ACTION_ID = 'value';

/** The reasons HR picks from in the modal. */
export const REASONS: readonly { readonly value: string; readonly label: string }[] = [
  { value: 'resignation', label: 'Resignation' },
  { value: 'termination', label: 'Termination' },
  { value: 'contract-end', label: 'End of contract' },
  { value: 'retirement', label: 'Retirement' },
  { value: 'other', label: 'Other (see notes)' },
];

// Plain text is not mrkdwn-parsed, but bidi and invisible characters in a name would still change how it reads.
export const plain = (text: string, max = 150): types.PlainTextElement => ({ type: 'plain_text', text: truncate(terminalSafe(text, { keepLayout: true }), max), emoji: true });
export const section = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });
export const header = (text: string): types.HeaderBlock => ({ type: 'header', text: plain(text, LIMITS.headerText) });
export const context = (text: string): types.ContextBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }] });
export const divider: types.DividerBlock = { type: 'divider' };
export const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): types.Button => ({
  type: 'button',
  text: plain(text, 75),
  action_id: actionId,
  value: truncate(value, LIMITS.buttonValue),
  ...(style !== undefined ? { style } : {}),
});

export const when = (instant: Date, timezone: string): string => formatInZone(instant, timezone);

export const personLabel = (person: Departure['person']): string =>
  person.fullName !== undefined ? `${safeText(person.fullName, 200)} (${safeText(person.email, 200)})` : safeText(person.email, 200);

/** How each access path is named in Slack: the same words as the leaver report. */
export const PATH_LABELS: Readonly<Record<AccessPath, string>> = Object.fromEntries(ACCESS_PATHS.map((path) => [path, ACCESS_PATH_INFO[path].label])) as Record<
  AccessPath,
  string
>;

export const reasonLabel = (value: string | undefined): string => (value === undefined ? '—' : (REASONS.find((r) => r.value === value)?.label ?? safeText(value, 100)));

export const findingLine = (f: Finding): string => `• _${f.kind}_: ${safeText(f.detail, 400)}`;

export function assertUnreachable(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

/** A value as compact JSON, cut to `max` characters. */
export const briefJson = (value: unknown, max: number): string => {
  if (value === undefined) return '';
  const text = JSON.stringify(value) ?? '';
  return truncate(text, max);
};
