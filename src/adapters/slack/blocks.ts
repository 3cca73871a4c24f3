import type { types } from '@slack/bolt';
import {
  type ApproveResult,
  type CancelResult,
  type ConfirmResult,
  type DeparturePreview,
  type OffboardingStatus,
} from '../../app/offboarding';
import type { AccessAtResult, PersonHistory } from '../../app/evidence';
import type { HoldingSpan, SnapshotHeader } from '../../domain/evidence/snapshot';
import { describeAction } from '../../domain/render';
import { accessRowsTable, principalLabel } from '../../report/access';
import { formatDuration, formatInZone } from '../../domain/time';
import type { Action, Finding } from '../../domain/plan';
import type { AuditEntry, Notice } from '../../ports';
import { ACCESS_PATHS, accessPathOf, type AccessPath, type Departure, type PathStatus } from '../../domain/departure-lifecycle';
import type { DepartureEvent } from '../../ports/departures';
import { actorMention, escapeMrkdwn, safeText, truncate } from './mrkdwn';
import type { SlackBlock, SlackMessage, SlackView } from './web';
import { terminalSafe } from '../../domain/terminal-text';

/** Block Kit builders: pure functions from use-case results to Slack payloads, within Slack's limits. */

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

const ACTION_ID = 'value';

/** The reasons HR picks from in the modal. */
export const REASONS: readonly { readonly value: string; readonly label: string }[] = [
  { value: 'resignation', label: 'Resignation' },
  { value: 'termination', label: 'Termination' },
  { value: 'contract-end', label: 'End of contract' },
  { value: 'retirement', label: 'Retirement' },
  { value: 'other', label: 'Other (see notes)' },
];

// Plain text is not mrkdwn-parsed, but bidi and invisible characters in a name would still change how it reads.
const plain = (text: string, max = 150): types.PlainTextElement => ({ type: 'plain_text', text: truncate(terminalSafe(text, { keepLayout: true }), max), emoji: true });
const section = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });
const header = (text: string): types.HeaderBlock => ({ type: 'header', text: plain(text, LIMITS.headerText) });
const context = (text: string): types.ContextBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }] });
const divider: types.DividerBlock = { type: 'divider' };
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): types.Button => ({
  type: 'button',
  text: plain(text, 75),
  action_id: actionId,
  value: truncate(value, LIMITS.buttonValue),
  ...(style !== undefined ? { style } : {}),
});

const when = (instant: Date, timezone: string): string => formatInZone(instant, timezone);

const personLabel = (person: Departure['person']): string =>
  person.fullName !== undefined ? `${safeText(person.fullName, 200)} (${safeText(person.email, 200)})` : safeText(person.email, 200);

// ---------------------------------------------------------------------------------------------------------------------
// The /offboard modal

export interface OffboardModalOptions {
  readonly timezone: string;
  readonly prefill?: { readonly slackId: string } | { readonly email: string };
}

/** The `/offboard` form: Slack user or email, effective date/time (blank: now), time zone, reason, notes. */
export function offboardModal(options: OffboardModalOptions): SlackView {
  const prefill = options.prefill;
  const input = (blockId: string, label: string, element: types.InputBlockElement, optional: boolean, hint?: string): types.InputBlock => ({
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    optional,
    ...(hint !== undefined ? { hint: plain(hint) } : {}),
  });
  return {
    type: 'modal',
    callback_id: IDS.offboardView,
    title: plain('Offboard someone', 24),
    submit: plain('Preview', 24),
    close: plain('Cancel', 24),
    blocks: [
      section('Warden closes every AWS access path of the person leaving: access keys, console, SSH keys, groups, hosts. You will see exactly what changes before confirming.'),
      input(
        IDS.block.personUser,
        'Person leaving (Slack user)',
        { type: 'users_select', action_id: ACTION_ID, ...(prefill !== undefined && 'slackId' in prefill ? { initial_user: prefill.slackId } : {}) },
        true,
        'Or type their work email below; if both are given, the Slack user is used.',
      ),
      input(
        IDS.block.personEmail,
        'Person leaving (email)',
        { type: 'plain_text_input', action_id: ACTION_ID, ...(prefill !== undefined && 'email' in prefill ? { initial_value: prefill.email } : {}) },
        true,
      ),
      input(IDS.block.date, 'Effective date', { type: 'datepicker', action_id: ACTION_ID }, true, 'Leave date and time blank to revoke now.'),
      input(IDS.block.time, 'Effective time', { type: 'timepicker', action_id: ACTION_ID }, true),
      input(IDS.block.timezone, 'Time zone', { type: 'plain_text_input', action_id: ACTION_ID, initial_value: options.timezone }, false, 'IANA name, e.g. Europe/Berlin or UTC'),
      input(
        IDS.block.reason,
        'Reason',
        {
          type: 'static_select',
          action_id: ACTION_ID,
          options: REASONS.map((r) => ({ text: plain(r.label, 75), value: r.value })),
        },
        false,
      ),
      input(IDS.block.notes, 'Notes', { type: 'plain_text_input', action_id: ACTION_ID, multiline: true, max_length: 1000 }, true),
    ],
  };
}

/** What HR entered, read from the view state (Slack's shape: block id -> action id -> value). */
export interface OffboardFormValues {
  readonly slackUser?: string;
  readonly email?: string;
  readonly date?: string;
  readonly time?: string;
  readonly timezone: string;
  readonly reason?: string;
  readonly notes?: string;
}

type StateValues = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Reads the `/offboard` modal's state. Pure. */
export function readOffboardForm(values: StateValues, defaultTimezone: string): OffboardFormValues {
  const field = (blockId: string): Record<string, unknown> => (values[blockId]?.[ACTION_ID] ?? {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const slackUser = text(field(IDS.block.personUser)['selected_user']);
  const email = text(field(IDS.block.personEmail)['value']);
  const date = text(field(IDS.block.date)['selected_date']);
  const time = text(field(IDS.block.time)['selected_time']);
  const reason = text((field(IDS.block.reason)['selected_option'] as { value?: unknown } | undefined)?.value);
  const notes = text(field(IDS.block.notes)['value']);
  return {
    timezone: text(field(IDS.block.timezone)['value']) ?? defaultTimezone,
    ...(slackUser !== undefined ? { slackUser } : {}),
    ...(email !== undefined ? { email } : {}),
    ...(date !== undefined ? { date } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(notes !== undefined ? { notes } : {}),
  };
}

const infoModal = (title: string, blocks: SlackBlock[], callbackId?: string): SlackView => ({
  type: 'modal',
  title: plain(title, 24),
  close: plain('Close', 24),
  ...(callbackId !== undefined ? { callback_id: callbackId } : {}),
  blocks,
});

/** Shown while the planner computes the preview (after the 3-second ack). */
export function previewLoadingView(email: string): SlackView {
  return infoModal('Offboard someone', [section(`:hourglass_flowing_sand: Working out exactly what would be revoked for *${safeText(email, 200)}*…`)]);
}

/** A modal with one message (errors, refusals). */
export function messageView(title: string, text: string): SlackView {
  return infoModal(title, [section(text)]);
}

const reasonLabel = (value: string | undefined): string => (value === undefined ? '—' : (REASONS.find((r) => r.value === value)?.label ?? safeText(value, 100)));

function actionsByPath(actions: readonly Action[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  for (const path of ACCESS_PATHS) {
    const mine = actions.filter((a) => accessPathOf(a) === path);
    if (mine.length === 0) continue;
    const lines = mine.map((a) => `• ${safeText(describeAction(a), 300)} — \`${safeText(`${a.account}/${a.userName}`, 200)}\``);
    blocks.push(section(`*${PATH_LABELS[path]}* (${mine.length})\n${lines.join('\n')}`));
  }
  return blocks;
}

const findingLine = (f: Finding): string => `• _${f.kind}_: ${safeText(f.detail, 400)}`;

/** The preview: exactly what confirming revokes, why a second approver is needed, or why it cannot proceed. */
export function previewView(preview: DeparturePreview, metadata: string, now: Date): SlackView {
  const { draft } = preview;
  const due = draft.effectiveAt.getTime() <= now.getTime();
  const blocks: SlackBlock[] = [
    section(`*Offboard ${personLabel(preview.person)}*`),
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Effective*\n${when(draft.effectiveAt, draft.timezone)}${due ? ' (revoke now)' : ' (scheduled)'}` },
        { type: 'mrkdwn', text: `*Reason*\n${reasonLabel(draft.reason)}` },
      ],
    },
  ];
  if (draft.notes !== undefined) blocks.push(section(`*Notes*\n${safeText(draft.notes, 1000)}`));
  if (preview.blockers.length > 0) {
    blocks.push(section(`:no_entry: *This departure cannot be confirmed*\n${preview.blockers.map((b) => `• ${safeText(b, 500)}`).join('\n')}`));
    return infoModal('Offboard someone', blocks);
  }
  if (preview.guard.tripped) {
    blocks.push(
      section(
        `:rotating_light: *The safety guard is tripped*: nothing will be applied until an operator resolves it; the departure is recorded and retried.\n${preview.guard.reasons.map((r) => `• ${safeText(r, 400)}`).join('\n')}`,
      ),
    );
  }
  if (preview.requiredApprovals > 1) {
    const why = preview.adminReasons.length > 0 ? `\n${preview.adminReasons.slice(0, 5).map((r) => `• ${safeText(r, 300)}`).join('\n')}` : ' (required for every departure)';
    blocks.push(section(`:busts_in_silhouette: *A second HR approver is needed* before anything is revoked.${why}`));
  }
  blocks.push(divider);
  if (preview.actions.length === 0) {
    blocks.push(section(due ? 'Warden found no AWS access to revoke for this person. Confirming records the departure.' : 'No AWS access to revoke right now; the scheduled run re-checks at the effective time.'));
  } else {
    blocks.push(section(`*${due ? 'Will be revoked now' : 'Would be revoked at the effective time (as of now)'}* — ${preview.actions.length} change${preview.actions.length === 1 ? '' : 's'}:`));
    blocks.push(...actionsByPath(preview.actions).slice(0, 12));
  }
  const notable = preview.findings.filter((f) => f.kind !== 'scheduled-departure');
  if (notable.length > 0) blocks.push(context(`Also noted: ${notable.slice(0, 5).map(findingLine).join(' ')}`));
  return {
    type: 'modal',
    callback_id: IDS.confirmView,
    title: plain('Offboard someone', 24),
    submit: plain(due && preview.requiredApprovals === 1 ? 'Revoke now' : 'Confirm', 24),
    close: plain('Cancel', 24),
    private_metadata: metadata,
    blocks: blocks.slice(0, LIMITS.modalBlocks),
  };
}

/** What confirming led to, shown in the modal. */
export function confirmOutcomeView(result: ConfirmResult, channel: string): SlackView {
  const where = `Progress is posted in <#${channel}>.`;
  switch (result.kind) {
    case 'duplicate':
      return messageView('Departure recorded', `This departure was already recorded (${result.departure.status}). ${where}`);
    case 'blocked':
      return messageView('Not recorded', `:no_entry: Nothing was recorded:\n${result.reasons.map((r) => `• ${safeText(r, 500)}`).join('\n')}`);
    case 'awaiting-approval':
      return messageView('Awaiting approval', `:busts_in_silhouette: Recorded. A second HR approver must approve it in <#${channel}> before anything is revoked.`);
    case 'scheduled':
      return messageView('Departure scheduled', `:calendar: Scheduled for ${when(result.departure.effectiveAt, result.departure.timezone)}. It can be cancelled until then. ${where}`);
    case 'attempted':
      return messageView(
        'Access revoked',
        result.attempt.outcome === 'no-access-left'
          ? `:white_check_mark: Done: no access left. ${where}`
          : `:warning: Revocation started but not complete (${result.attempt.outcome}); Warden retries until it is. ${where}`,
      );
    default:
      return assertUnreachable(result);
  }
}

function assertUnreachable(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

// ---------------------------------------------------------------------------------------------------------------------
// The departure thread

/** How each access path is named in Slack. */
export const PATH_LABELS: Readonly<Record<AccessPath, string>> = {
  'access-keys': 'Access keys',
  console: 'Console password',
  'ssh-keys': 'IAM SSH keys',
  'other-credentials': 'Other credentials',
  groups: 'Groups',
  policies: 'Policies',
  'deny-all': 'Deny-all policy',
  hosts: 'Hosts',
  user: 'IAM user',
};

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

// ---------------------------------------------------------------------------------------------------------------------
// Auditors: history and status

const RESULT_ICON: Readonly<Record<string, string>> = {
  ok: ':white_check_mark:',
  verified: ':shield:',
  failed: ':x:',
  skipped: ':fast_forward:',
  intent: ':small_blue_diamond:',
};

/** Entries per history page: one section each, well under 50 blocks and the message size Slack accepts. */
export const HISTORY_PAGE_SIZE = 20;

const briefJson = (value: unknown, max: number): string => {
  if (value === undefined) return '';
  const text = JSON.stringify(value) ?? '';
  return truncate(text, max);
};

/** One audit entry as a mrkdwn line, every field escaped and the whole under the section limit. */
export function historyEntryText(entry: AuditEntry, timezone: string): string {
  const subject = [entry.account, entry.target].filter((x) => x !== undefined).join('/');
  const parts = [
    `*${formatInZone(new Date(entry.at), timezone)}*  ${RESULT_ICON[entry.result] ?? ''} \`${safeText(entry.action, 100)}\` ${entry.result}`,
    `${subject !== '' ? `${safeText(subject, 300)} · ` : ''}by ${actorMention(entry.actor)}${entry.reason !== undefined ? ` · ${safeText(entry.reason, 200)}` : ''} · #${entry.seq}`,
  ];
  if (entry.error !== undefined) parts.push(`> ${safeText(entry.error, 800)}`);
  const after = briefJson(entry.after, 600);
  if (after !== '') parts.push(`\`${safeText(after, 700)}\``);
  return truncate(parts.join('\n'), LIMITS.sectionText);
}

/** Which history is shown, carried in the paging buttons. */
export interface HistoryCursor {
  readonly q: string;
  readonly p: number;
}

/** Holdings (from access snapshots) per history page, shown above that page's audit entries. */
export const HOLDINGS_PAGE_SIZE = 15;

/** Principals per `/access at` page. */
export const ACCESS_AT_PAGE_SIZE = 20;

/** Lines packed into as few sections as fit, each under Slack's section limit. */
function packLines(lines: readonly string[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  let current = '';
  for (const line of lines) {
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length > LIMITS.sectionText && current !== '') {
      blocks.push(section(current));
      current = line;
    } else {
      current = next;
    }
  }
  if (current !== '') blocks.push(section(current));
  return blocks;
}

/** One thing a person held over consecutive snapshots, as a mrkdwn line. */
export function holdingLine(holding: HoldingSpan, timezone: string): string {
  const icon = holding.held.kind === 'could-get-in' ? ':unlock:' : '•';
  const first = formatInZone(new Date(holding.firstSeen), timezone);
  const last = formatInZone(new Date(holding.lastSeen), timezone);
  const seen = first === last ? first : `${first} → ${last}`;
  // Snapshots are taken as a run starts, so "still held" would overstate it: say where the evidence ends.
  const until = holding.goneBy === undefined ? '*in the latest snapshot*' : `gone by ${formatInZone(new Date(holding.goneBy), timezone)}`;
  return truncate(`${icon} \`${safeText(principalLabel(holding.record), 150)}\` ${safeText(holding.description, 250)} — seen ${seen}, ${until}`, 600);
}

const snapshotRange = (first: SnapshotHeader, last: SnapshotHeader | undefined, timezone: string): string =>
  `snapshots ${formatInZone(new Date(first.at), timezone)} to ${formatInZone(new Date(last?.at ?? first.at), timezone)}`;

function holdingsBlocks(history: PersonHistory, page: number, timezone: string): SlackBlock[] {
  if (history.firstSnapshot === undefined) return [section('*What they held*: no access snapshots yet; every reconciliation records one.')];
  const range = snapshotRange(history.firstSnapshot, history.lastSnapshot, timezone);
  if (history.holdings.length === 0) return [section(`*What they held* (${range}): nothing attributed to this person in any snapshot.`)];
  const slice = history.holdings.slice(page * HOLDINGS_PAGE_SIZE, (page + 1) * HOLDINGS_PAGE_SIZE);
  if (slice.length === 0) return [];
  const heading = `*What they held* (${range}; ${history.holdings.length} holding${history.holdings.length === 1 ? '' : 's'}, ${page * HOLDINGS_PAGE_SIZE + 1}–${page * HOLDINGS_PAGE_SIZE + slice.length} here). Held before the first snapshot or between two is not seen.`;
  return packLines([heading, ...slice.map((h) => holdingLine(h, timezone))]);
}

const pageButtons = (cursor: HistoryCursor, page: number, pages: number): SlackBlock[] => {
  const nav: types.Button[] = [];
  const value = (p: number): string => JSON.stringify({ q: truncate(cursor.q, 500), p });
  if (page > 0) nav.push(button('← Newer', `${IDS.historyPage}_newer`, value(page - 1)));
  if (page < pages - 1) nav.push(button('Older →', `${IDS.historyPage}_older`, value(page + 1)));
  return nav.length > 0 ? [{ type: 'actions', elements: nav }] : [];
};

/**
 * One page of an access history (audit entries newest first) with Newer/Older buttons; never more than 50 blocks.
 * With `holdings` (from access snapshots), what the person held over time is paged alongside, above the entries.
 */
export function historyMessage(title: string, entries: readonly AuditEntry[], cursor: HistoryCursor, timezone: string, holdings?: PersonHistory): SlackMessage {
  const holdingPages = holdings === undefined ? 0 : Math.ceil(holdings.holdings.length / HOLDINGS_PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(entries.length / HISTORY_PAGE_SIZE), holdingPages);
  const page = Math.min(Math.max(0, cursor.p), pages - 1);
  const slice = entries.slice(page * HISTORY_PAGE_SIZE, (page + 1) * HISTORY_PAGE_SIZE);
  const counts = [entries.length === 0 ? 'No audit entries' : `${entries.length} audit entries`, ...(holdings !== undefined ? [`${holdings.holdings.length} holdings`] : [])];
  const blocks: SlackBlock[] = [
    header(`Access history: ${truncate(title, 120)}`),
    context(`Page ${page + 1} of ${pages} · ${counts.join(' · ')} · newest first · times in ${escapeMrkdwn(timezone)}`),
  ];
  if (holdings !== undefined) {
    const held = holdingsBlocks(holdings, page, timezone);
    blocks.push(...held);
    if (held.length > 0 && slice.length > 0) blocks.push(divider, context('*Audit trail* (newest first)'));
  }
  blocks.push(...slice.map((e) => section(historyEntryText(e, timezone))), ...pageButtons(cursor, page, pages));
  return { text: `Access history for ${escapeMrkdwn(title)} (page ${page + 1} of ${pages})`, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** What `/access at` asked for, for the answer's heading. */
export interface AccessAtAsked {
  readonly at: Date;
  /** How to name the time asked about (`end of 2026-10-02 (UTC)`); default the instant in the config's zone. */
  readonly label?: string;
  /** The filter as typed (`group developers`), or empty. */
  readonly filter: string;
  /** The first snapshot ever taken, to say when looking starts if none was in force. */
  readonly firstSnapshot?: SnapshotHeader;
}

/** One page of "who could get in then" from the snapshot in force, those who could first; never more than 50 blocks. */
export function accessAtMessage(asked: AccessAtAsked, result: AccessAtResult, cursor: HistoryCursor, timezone: string): SlackMessage {
  const atText = asked.label ?? formatInZone(asked.at, timezone);
  const filter = asked.filter === '' ? '' : ` (${safeText(asked.filter, 200)})`;
  const title = header(`Access at ${truncate(atText, 60)}`);
  const snapshot = result.snapshot;
  if (snapshot === undefined) {
    const first = asked.firstSnapshot;
    const why = first === undefined ? 'No access snapshots yet; every reconciliation records one.' : `No snapshot had been taken by ${atText}; the first is from ${formatInZone(new Date(first.at), timezone)}.`;
    return { text: `Access at ${atText}: no snapshot in force`, blocks: [title, section(why)] };
  }
  const table = accessRowsTable(result.rows);
  const pages = Math.max(1, Math.ceil(table.rows.length / ACCESS_AT_PAGE_SIZE));
  const page = Math.min(Math.max(0, cursor.p), pages - 1);
  const could = result.rows.filter((r) => r.canGetIn).length;
  const lines = table.rows.slice(page * ACCESS_AT_PAGE_SIZE, (page + 1) * ACCESS_AT_PAGE_SIZE).map(([principal = '', person = '', canGetIn = '', credentials = '', grants = '', notes = '']) => {
    const parts = [
      `${canGetIn === 'yes' ? ':unlock:' : ':lock:'} \`${safeText(principal, 150)}\`${person !== '' ? ` ${safeText(person, 150)}` : ' _(no person)_'}`,
      credentials !== '' ? `credentials: ${safeText(credentials, 400)}` : 'no credentials',
      ...(grants !== '' ? [`grants: ${safeText(grants, 400)}`] : []),
      ...(notes !== '' ? [`_${safeText(notes, 150)}_`] : []),
    ];
    return truncate(parts.join(' — '), 1200);
  });
  const blocks: SlackBlock[] = [
    title,
    context(
      `Snapshot #${snapshot.seq} of \`${safeText(snapshot.runId, 100)}\`, taken ${formatInZone(new Date(snapshot.at), timezone)} (${snapshot.recordCount} principals, digest ${snapshot.digest.slice(0, 16)}…) · page ${page + 1} of ${pages}`,
    ),
    section(`*${could} of ${result.rows.length} matching principal${result.rows.length === 1 ? '' : 's'} could get in*${filter}.`),
    ...packLines(lines),
    ...pageButtons(cursor, page, pages),
  ];
  return { text: `Access at ${atText}${filter}: ${could} of ${result.rows.length} could get in (page ${page + 1} of ${pages})`, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

function departureLine(d: Departure, now: Date): string {
  const due = d.effectiveAt.getTime() <= now.getTime();
  const state = d.status === 'awaiting-approval' ? 'awaiting approval' : due ? (d.lastAttempt !== undefined ? `open after ${d.attempts} attempt(s)` : 'due') : 'scheduled';
  return `• *${personLabel(d.person)}* — ${when(d.effectiveAt, d.timezone)} — ${state} (\`${d.id}\`)`;
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
  blocks.push(divider, section(`*Last reconciliation*\n${runLine(status, timezone)}`));
  blocks.push(section(`*Guard trips (7 days)*\n${status.guardTrips.length === 0 ? 'None.' : status.guardTrips.slice(0, 5).map((e) => `• ${when(new Date(e.at), timezone)}: ${safeText(e.error ?? '', 400)}`).join('\n')}`));
  return { type: 'home', blocks: blocks.slice(0, LIMITS.homeBlocks) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Channel notices

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
