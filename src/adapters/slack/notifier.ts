import type { Clock, Notice, Notifier } from '../../ports';
import type { Departure, DepartureEvent, DepartureNotifier, SlackThreadRef } from '../../ports/departures';
import { departureMessage, departureReply, guardTripMessage, runSummaryMessage } from './blocks';
import type { SlackWeb } from './web';
import { accessRestoredMessage, postRevocationUseMessage } from './blocks/trail';

export interface SlackNotifierOptions {
  readonly web: SlackWeb;
  /** `slack.channel`: results, summaries, guard alerts. */
  readonly channel: string;
  readonly clock: Clock;
  /** `slaHours`, to say whether "no access left" came in time. */
  readonly slaHours: number;
  /** Post summaries of runs that changed nothing (default false: the channel stays readable). */
  readonly postQuietRuns?: boolean;
}

/**
 * Posts run summaries and guard trips to the channel, and keeps one message per departure (updated in place, with a
 * thread for what happened). Used by the scheduled run and by Slack alike.
 */
export class SlackNotifier implements Notifier, DepartureNotifier {
  constructor(private readonly options: SlackNotifierOptions) {}

  async notify(notice: Notice): Promise<void> {
    switch (notice.kind) {
      case 'run-summary':
        if (notice.applied === 0 && notice.failed === 0 && this.options.postQuietRuns !== true) return;
        await this.options.web.postMessage(this.options.channel, runSummaryMessage(notice));
        return;
      case 'guard-tripped':
        await this.options.web.postMessage(this.options.channel, guardTripMessage(notice));
        return;
      case 'access-restored':
        await this.options.web.postMessage(this.options.channel, accessRestoredMessage(notice));
        return;
      case 'post-revocation-use':
        await this.options.web.postMessage(this.options.channel, postRevocationUseMessage(notice));
        return;
      default: {
        const unexpected: never = notice;
        throw new Error(`unknown notice ${JSON.stringify(unexpected)}`);
      }
    }
  }

  async opened(departure: Departure): Promise<SlackThreadRef | undefined> {
    const posted = await this.options.web.postMessage(this.options.channel, departureMessage(departure, this.options.clock.now(), this.options.slaHours));
    return { channel: posted.channel, ts: posted.ts };
  }

  async changed(departure: Departure, event: DepartureEvent): Promise<void> {
    const thread = departure.thread;
    if (thread === undefined) return;
    await this.options.web.updateMessage(thread.channel, thread.ts, departureMessage(departure, this.options.clock.now(), this.options.slaHours));
    const reply = departureReply(departure, event);
    if (reply !== undefined) await this.options.web.postMessage(thread.channel, { text: reply }, thread.ts);
  }
}
