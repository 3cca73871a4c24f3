import type { types } from '@slack/bolt';
import type { ConfirmResult, DeparturePreview } from '../../../app/offboarding';
import { describeAction } from '../../../domain/render';
import type { Action } from '../../../domain/plan';
import { ACCESS_PATHS, accessPathOf } from '../../../domain/departure-lifecycle';
import { safeText } from '../mrkdwn';
import type { SlackBlock, SlackView } from '../web';
import { IDS, LIMITS, ACTION_ID, REASONS, PATH_LABELS, plain, section, context, divider, when, personLabel, reasonLabel, findingLine, assertUnreachable } from './kit';

/** The /offboard modal, its preview and what confirming led to. */

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
  if (preview.sessions.length > 0) blocks.push(section(`:hourglass: *Live sessions*\n${preview.sessions.slice(0, 5).map((line) => `• ${safeText(line, 300)}`).join('\n')}`));
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
