/** Slack credentials and endpoint, read by composition roots from the environment (never from the config file). */
export interface SlackSettings {
  readonly botToken: string;
  readonly signingSecret?: string;
  /** Present: Socket Mode. */
  readonly appToken?: string;
  /** Web API base URL override (tests, proxies); ends with `/`. */
  readonly apiUrl?: string;
}

/** Reads `SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`, `SLACK_APP_TOKEN` and `SLACK_API_URL` from the given environment. */
export function slackSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): SlackSettings | { readonly error: string } {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const botToken = value('SLACK_BOT_TOKEN');
  const signingSecret = value('SLACK_SIGNING_SECRET');
  const appToken = value('SLACK_APP_TOKEN');
  const apiUrl = value('SLACK_API_URL');
  if (botToken === undefined) return { error: 'SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)' };
  if (appToken === undefined && signingSecret === undefined) {
    return { error: 'SLACK_SIGNING_SECRET is not set (needed to verify Slack requests over HTTP; or set SLACK_APP_TOKEN for Socket Mode)' };
  }
  if (appToken !== undefined && !appToken.startsWith('xapp-')) return { error: 'SLACK_APP_TOKEN must be an app-level token (xapp-…)' };
  if (apiUrl !== undefined && !/^https?:\/\//.test(apiUrl)) return { error: `SLACK_API_URL must be an http(s) URL, got "${apiUrl}"` };
  return {
    botToken,
    ...(signingSecret !== undefined ? { signingSecret } : {}),
    ...(appToken !== undefined ? { appToken } : {}),
    ...(apiUrl !== undefined ? { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
  };
}
