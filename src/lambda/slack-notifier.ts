import type { SlackNotifier } from '../adapters/slack/notifier';
import type { WebClientSlackWeb } from '../adapters/slack/web';
import type * as webApi from '@slack/web-api';
import type { LoadedConfig } from '../config/load';
import type { Logger } from '../lib/logger';
import type { Clock, Notice, Notifier } from '../ports';
import type { Departure, DepartureEvent, DepartureNotifier, SlackThreadRef } from '../ports/departures';

/** Slack secrets as the container reads them (Parameter Store, cached). */
export interface SlackSecretsSource {
  loadConfig(): Promise<LoadedConfig>;
  slackSecrets(): Promise<{ readonly botToken: string }>;
}

export interface LambdaSlackNotifierOptions {
  readonly source: SlackSecretsSource;
  readonly clock: Clock;
  /** `SLACK_API_URL`: Web API base URL override. */
  readonly apiUrl?: string;
  /** Where a failure to post is reported (a Slack outage never fails a run). */
  readonly log: () => Logger;
  readonly clientOptions?: webApi.WebClientOptions;
}

/** Bounded retries: a scheduled run or a Slack job waits seconds for Slack, not the Web API's default half hour. */
export const LAMBDA_SLACK_CLIENT_OPTIONS: webApi.WebClientOptions = { retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1_000 } };

/**
 * The scheduled run's notifier: posts run summaries, guard trips and departure threads to `slack.channel` once the config
 * has a `slack` section. The bot token and config are read at each notice (both cached by the container), so a rotated
 * token or a new channel is picked up without a deploy. Failures are logged, never thrown: the run and the audit log
 * are what count, Slack only tells people about them.
 */
export class LambdaSlackNotifier implements Notifier, DepartureNotifier {
  private web: { readonly token: string; readonly web: WebClientSlackWeb } | undefined;

  constructor(private readonly options: LambdaSlackNotifierOptions) {}

  async notify(notice: Notice): Promise<void> {
    await this.withSlack(`post the ${notice.kind} notice`, async (slack) => slack.notify(notice));
  }

  async opened(departure: Departure): Promise<SlackThreadRef | undefined> {
    return this.withSlack(`announce departure ${departure.id}`, async (slack) => slack.opened(departure));
  }

  async changed(departure: Departure, event: DepartureEvent): Promise<void> {
    await this.withSlack(`update departure ${departure.id}`, async (slack) => slack.changed(departure, event));
  }

  private async withSlack<T>(what: string, use: (slack: SlackNotifier) => Promise<T>): Promise<T | undefined> {
    try {
      const loaded = await this.options.source.loadConfig();
      const slack = loaded.config.slack;
      if (slack === undefined) return undefined;
      const { botToken } = await this.options.source.slackSecrets();
      // Loaded on the first notice: most scheduled runs post nothing, and the Web API client is a fair part of what a
      // cold start would otherwise compile (bench/RESULTS.md, "Lambda cold start").
      const [{ SlackNotifier }, { WebClientSlackWeb }] = await Promise.all([import('../adapters/slack/notifier'), import('../adapters/slack/web')]);
      if (this.web?.token !== botToken) {
        const web = WebClientSlackWeb.create({
          token: botToken,
          clientOptions: this.options.clientOptions ?? LAMBDA_SLACK_CLIENT_OPTIONS,
          ...(this.options.apiUrl !== undefined ? { apiUrl: this.options.apiUrl } : {}),
        });
        this.web = { token: botToken, web };
      }
      return await use(new SlackNotifier({ web: this.web.web, channel: slack.channel, clock: this.options.clock, slaHours: loaded.config.slaHours }));
    } catch (error) {
      this.options.log().error(`could not ${what} in Slack`, { error });
      return undefined;
    }
  }
}
