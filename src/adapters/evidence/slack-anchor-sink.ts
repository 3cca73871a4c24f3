import type { SlackWeb } from '../slack/web';
import type { AnchorSink, PublishedAnchor } from '../../ports/evidence';
import { formatAnchorLine } from './anchor-codec';

/**
 * Posts the chain head to a Slack channel after each run: a copy outside Warden's reach once
 * posted (messages can be edited only by their poster, and edits show). Write-only: verify reads
 * the readable anchors; an auditor compares this one by eye.
 */
export class SlackAnchorSink implements AnchorSink {
  readonly description: string;

  constructor(
    private readonly web: Pick<SlackWeb, 'postMessage'>,
    private readonly channel: string,
  ) {
    this.description = `Slack channel ${channel}`;
  }

  async publish(anchor: PublishedAnchor): Promise<void> {
    await this.web.postMessage(this.channel, { text: `:lock: ${formatAnchorLine(anchor)}` });
  }
}
