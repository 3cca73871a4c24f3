// The Web API client alone, not through @slack/bolt: the reconcile and worker bundles post to
// Slack but never receive from it, and Bolt costs them about 1.6 MB and 0.2 s of cold start.
import * as webApi from '@slack/web-api';
import type * as types from '@slack/types';

export type SlackBlock = types.KnownBlock;
export type SlackView = types.View;

/** A message body: `text` is the notification/fallback, `blocks` what Slack shows. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks?: readonly SlackBlock[];
}

export interface SlackUserInfo {
  readonly id: string;
  readonly email?: string;
  readonly tz?: string;
  readonly realName?: string;
}

/** The few Slack Web API calls Warden makes, behind one small port (the Bolt client implements it for real). */
export interface SlackWeb {
  postMessage(channel: string, message: SlackMessage, threadTs?: string): Promise<{ readonly channel: string; readonly ts: string }>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
  openView(triggerId: string, view: SlackView): Promise<string>;
  updateView(viewId: string, view: SlackView): Promise<void>;
  publishHome(userId: string, view: SlackView): Promise<void>;
  userGroupMembers(userGroupId: string): Promise<readonly string[]>;
  userInfo(userId: string): Promise<SlackUserInfo | undefined>;
  userIdByEmail(email: string): Promise<string | undefined>;
  /** Posts to an interaction's `response_url` (ephemeral unless told otherwise). */
  respond(responseUrl: string, message: SlackMessage & { readonly replaceOriginal?: boolean; readonly inChannel?: boolean }): Promise<void>;
}

export interface WebClientSlackWebOptions {
  readonly token: string;
  /** Web API base URL (`SLACK_API_URL`); Slack's own when absent. */
  readonly apiUrl?: string;
  readonly clientOptions?: webApi.WebClientOptions;
  readonly fetch?: typeof globalThis.fetch;
}

const blocksArg = (message: SlackMessage): { blocks?: SlackBlock[] } => (message.blocks !== undefined ? { blocks: [...message.blocks] } : {});

const errorCode = (error: unknown): string | undefined => {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
};

/** `SlackWeb` over `@slack/web-api`'s WebClient (the same client Bolt uses). */
export class WebClientSlackWeb implements SlackWeb {
  private readonly fetchFn: typeof globalThis.fetch;

  constructor(
    private readonly client: webApi.WebClient,
    options: { readonly fetch?: typeof globalThis.fetch } = {},
  ) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  /** A client of its own, for processes without a Bolt app (the scheduled Lambda). */
  static create(options: WebClientSlackWebOptions): WebClientSlackWeb {
    const client = new webApi.WebClient(options.token, {
      ...options.clientOptions,
      ...(options.apiUrl !== undefined ? { slackApiUrl: options.apiUrl } : {}),
    });
    return new WebClientSlackWeb(client, options.fetch !== undefined ? { fetch: options.fetch } : {});
  }

  async postMessage(channel: string, message: SlackMessage, threadTs?: string): Promise<{ channel: string; ts: string }> {
    const result = await this.client.chat.postMessage({
      channel,
      text: message.text,
      ...blocksArg(message),
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (result.ts === undefined) throw new Error('chat.postMessage returned no ts');
    return { channel: result.channel ?? channel, ts: result.ts };
  }

  async updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.client.chat.update({ channel, ts, text: message.text, ...blocksArg(message) });
  }

  async postEphemeral(channel: string, user: string, message: SlackMessage): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user, text: message.text, ...blocksArg(message) });
  }

  async openView(triggerId: string, view: SlackView): Promise<string> {
    const result = await this.client.views.open({ trigger_id: triggerId, view });
    return result.view?.id ?? '';
  }

  async updateView(viewId: string, view: SlackView): Promise<void> {
    await this.client.views.update({ view_id: viewId, view });
  }

  async publishHome(userId: string, view: SlackView): Promise<void> {
    await this.client.views.publish({ user_id: userId, view });
  }

  async userGroupMembers(userGroupId: string): Promise<readonly string[]> {
    const result = await this.client.usergroups.users.list({ usergroup: userGroupId });
    return result.users ?? [];
  }

  async userInfo(userId: string): Promise<SlackUserInfo | undefined> {
    try {
      const result = await this.client.users.info({ user: userId });
      const user = result.user;
      if (user?.id === undefined) return undefined;
      return {
        id: user.id,
        ...(user.profile?.email !== undefined ? { email: user.profile.email } : {}),
        ...(user.tz !== undefined ? { tz: user.tz } : {}),
        ...(user.real_name !== undefined ? { realName: user.real_name } : {}),
      };
    } catch (error) {
      if (errorCode(error) === 'user_not_found') return undefined;
      throw error;
    }
  }

  async userIdByEmail(email: string): Promise<string | undefined> {
    try {
      return (await this.client.users.lookupByEmail({ email })).user?.id;
    } catch (error) {
      if (errorCode(error) === 'users_not_found') return undefined;
      throw error;
    }
  }

  async respond(responseUrl: string, message: SlackMessage & { replaceOriginal?: boolean; inChannel?: boolean }): Promise<void> {
    const response = await this.fetchFn(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        text: message.text,
        ...blocksArg(message),
        response_type: message.inChannel === true ? 'in_channel' : 'ephemeral',
        replace_original: message.replaceOriginal ?? false,
      }),
    });
    if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
  }
}
