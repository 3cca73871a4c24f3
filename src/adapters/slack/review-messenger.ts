import type { Campaign, MessageRef, PacketView, ReviewMessenger, ReviewPacket } from '../../ports/reviews';
import { campaignClosedMessage, escalationNotice, reminderMessage, reviewMessage } from './blocks/review';
import type { SlackWeb } from './web';

export interface SlackReviewMessengerOptions {
  readonly web: Pick<SlackWeb, 'postMessage' | 'updateMessage' | 'userIdByEmail'>;
  /** Where HR reviews and escalations go (config `slack.channel`). */
  readonly hrChannel: string;
  readonly timezone: string;
}

/** Reviews in Slack: a DM to the manager (found by email), or the HR channel; reminders in the message's thread. */
export class SlackReviewMessenger implements ReviewMessenger {
  constructor(private readonly options: SlackReviewMessengerOptions) {}

  findReviewer(email: string): Promise<string | undefined> {
    return this.options.web.userIdByEmail(email);
  }

  private destination(packet: ReviewPacket): string {
    return packet.reviewer.kind === 'manager' && packet.reviewer.slackId !== undefined ? packet.reviewer.slackId : this.options.hrChannel;
  }

  async send({ campaign, packet }: PacketView): Promise<MessageRef> {
    return this.options.web.postMessage(this.destination(packet), reviewMessage(campaign, packet, this.options.timezone));
  }

  async update({ campaign, packet }: PacketView): Promise<void> {
    const message = reviewMessage(campaign, packet, this.options.timezone);
    // The reviewer's message and HR's copy (after escalation) show the same decisions, so neither acts on a stale packet.
    for (const ref of [packet.message, packet.hrMessage]) if (ref !== undefined) await this.options.web.updateMessage(ref.channel, ref.ts, message);
  }

  async remind({ campaign, packet }: PacketView): Promise<void> {
    const message = reminderMessage(campaign, packet, this.options.timezone);
    if (packet.message === undefined) {
      // The first message never went out: send it now, with the reminder.
      await this.options.web.postMessage(this.destination(packet), reviewMessage(campaign, packet, this.options.timezone));
    }
    await this.options.web.postMessage(packet.message?.channel ?? this.destination(packet), message, packet.message?.ts);
  }

  async escalate({ campaign, packet }: PacketView): Promise<MessageRef> {
    const notice = await this.options.web.postMessage(this.options.hrChannel, escalationNotice(packet));
    return this.options.web.postMessage(this.options.hrChannel, reviewMessage(campaign, packet, this.options.timezone), notice.ts);
  }

  async closed(campaign: Campaign, packets: readonly ReviewPacket[]): Promise<void> {
    await this.options.web.postMessage(this.options.hrChannel, campaignClosedMessage(campaign, packets));
  }
}
