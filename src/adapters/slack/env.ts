/** Slack's environment is read through the one environment schema (src/config/env.ts); this path stays for its importers. */
export { slackSettingsFromEnv } from '../../config/env';
export type { SlackSettings } from '../../config/env';
