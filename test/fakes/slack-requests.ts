import { createHmac } from 'node:crypto';
import { stringify } from 'node:querystring';

/** Slack's v0 request signature over `v0:${timestamp}:${body}`. */
export const signSlackRequest = (secret: string, timestamp: number, body: string): string =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

export interface SlackDelivery {
  readonly body: string;
  readonly contentType: string;
}

export interface SendOptions {
  readonly secret: string;
  /** Unix seconds; default now. */
  readonly timestamp?: number;
  /** Sign with this secret instead (a forger's). */
  readonly signWith?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Posts a correctly (or deliberately wrongly) signed delivery to the app, as Slack would. */
export async function sendToSlackApp(url: string, delivery: SlackDelivery, options: SendOptions): Promise<{ status: number; text: string; json: unknown }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': delivery.contentType,
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signSlackRequest(options.signWith ?? options.secret, timestamp, delivery.body),
      ...options.headers,
    },
    body: delivery.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

let seq = 0;
const nextId = (prefix: string): string => {
  seq += 1;
  return `${prefix}${String(seq).padStart(6, '0')}`;
};

const TEAM = { id: 'T0WARDEN', domain: 'example' };

export interface CommandFields {
  readonly command: string;
  readonly text?: string;
  readonly user_id: string;
  readonly response_url: string;
  readonly trigger_id?: string;
  readonly channel_id?: string;
}

/** A slash command delivery (form-encoded, like Slack's). */
export function createDummyCommand(fields: CommandFields): SlackDelivery & { triggerId: string } {
  const triggerId = fields.trigger_id ?? nextId('trigger.');
  return {
    triggerId,
    contentType: 'application/x-www-form-urlencoded',
    body: stringify({
      token: 'deprecated',
      team_id: TEAM.id,
      team_domain: TEAM.domain,
      channel_id: fields.channel_id ?? 'C0HRPRIVATE',
      channel_name: 'hr',
      user_id: fields.user_id,
      user_name: fields.user_id.toLowerCase(),
      command: fields.command,
      text: fields.text ?? '',
      api_app_id: 'A0WARDEN',
      is_enterprise_install: 'false',
      response_url: fields.response_url,
      trigger_id: triggerId,
    }),
  };
}

/** An interactivity delivery (`payload=<json>`). */
export function createDummyInteraction(payload: Record<string, unknown>): SlackDelivery {
  return { contentType: 'application/x-www-form-urlencoded', body: stringify({ payload: JSON.stringify(payload) }) };
}

export interface ViewSubmissionFields {
  readonly user: string;
  readonly callbackId: string;
  readonly viewId: string;
  readonly values?: Record<string, Record<string, unknown>>;
  readonly privateMetadata?: string;
  readonly triggerId?: string;
}

export function createDummyViewSubmission(fields: ViewSubmissionFields): SlackDelivery {
  return createDummyInteraction({
    type: 'view_submission',
    team: TEAM,
    user: { id: fields.user, username: fields.user.toLowerCase(), team_id: TEAM.id },
    api_app_id: 'A0WARDEN',
    token: 'deprecated',
    trigger_id: fields.triggerId ?? nextId('trigger.'),
    view: {
      id: fields.viewId,
      team_id: TEAM.id,
      type: 'modal',
      callback_id: fields.callbackId,
      private_metadata: fields.privateMetadata ?? '',
      hash: nextId('hash.'),
      state: { values: fields.values ?? {} },
      blocks: [],
      title: { type: 'plain_text', text: 'Offboard someone' },
      app_id: 'A0WARDEN',
      bot_id: 'BWARDEN',
    },
    response_urls: [],
    is_enterprise_install: false,
  });
}

export interface BlockActionFields {
  readonly user: string;
  readonly actionId: string;
  readonly value: string;
  /** A message button has one; an App Home button does not. */
  readonly responseUrl?: string;
  readonly home?: boolean;
  readonly triggerId?: string;
}

export function createDummyBlockAction(fields: BlockActionFields): SlackDelivery {
  return createDummyInteraction({
    type: 'block_actions',
    team: TEAM,
    user: { id: fields.user, username: fields.user.toLowerCase(), team_id: TEAM.id },
    api_app_id: 'A0WARDEN',
    token: 'deprecated',
    trigger_id: fields.triggerId ?? nextId('trigger.'),
    ...(fields.home === true
      ? { container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home', team_id: TEAM.id, blocks: [], state: { values: {} } } }
      : {
          container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0WARDEN', is_ephemeral: false },
          channel: { id: 'C0WARDEN', name: 'warden' },
          message: { ts: '1700000001.000100', text: 'x', type: 'message' },
        }),
    ...(fields.responseUrl !== undefined ? { response_url: fields.responseUrl } : {}),
    actions: [{ type: 'button', action_id: fields.actionId, block_id: 'b1', text: { type: 'plain_text', text: 'x' }, value: fields.value, action_ts: `${Date.now() / 1000}` }],
    is_enterprise_install: false,
  });
}

/** An Events API delivery (JSON). */
export function createDummyEvent(event: Record<string, unknown>, eventId: string = nextId('Ev')): SlackDelivery & { eventId: string } {
  return {
    eventId,
    contentType: 'application/json',
    body: JSON.stringify({
      token: 'deprecated',
      team_id: TEAM.id,
      api_app_id: 'A0WARDEN',
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: TEAM.id, user_id: 'UWARDENBOT', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    }),
  };
}

/** State values of the `/offboard` modal (block id -> action id `value` -> element state). */
export function offboardFormValues(fields: {
  slackUser?: string;
  email?: string;
  date?: string;
  time?: string;
  timezone?: string;
  reason?: string;
  notes?: string;
}): Record<string, Record<string, unknown>> {
  return {
    person_user: { value: { type: 'users_select', selected_user: fields.slackUser ?? null } },
    person_email: { value: { type: 'plain_text_input', value: fields.email ?? null } },
    effective_date: { value: { type: 'datepicker', selected_date: fields.date ?? null } },
    effective_time: { value: { type: 'timepicker', selected_time: fields.time ?? null } },
    timezone: { value: { type: 'plain_text_input', value: fields.timezone ?? 'UTC' } },
    reason: { value: { type: 'static_select', selected_option: fields.reason !== undefined ? { value: fields.reason, text: { type: 'plain_text', text: fields.reason } } : null } },
    notes: { value: { type: 'plain_text_input', value: fields.notes ?? null } },
  };
}
