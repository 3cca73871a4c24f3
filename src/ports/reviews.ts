/** Where access review campaigns and their packets live (SQLite self-hosted, DynamoDB on Lambda). */

import type { Campaign, PacketChange, ReviewPacket } from '../domain/reviews/campaign';

export type { Campaign, PacketChange, ReviewPacket } from '../domain/reviews/campaign';

/** A packet change judged against the packet as stored now: `ok: false` leaves it untouched. */
export type PacketTransition = (packet: ReviewPacket) => PacketChange;

/**
 * Campaigns and their packets. Every packet change is a compare-and-set through a pure transition, so two clicks, a
 * retried delivery and the schedule's undecided default never overwrite each other's decisions.
 */
export interface CampaignStore {
  /** Records a campaign with its packets (packets first: a campaign is listed only once all are stored); false when the id exists. */
  create(campaign: Campaign, packets: readonly ReviewPacket[]): Promise<boolean>;
  getCampaign(id: string): Promise<Campaign | undefined>;
  /** Every campaign, newest first. */
  listCampaigns(): Promise<readonly Campaign[]>;
  /** A campaign's packets, by packet id. */
  packets(campaignId: string): Promise<readonly ReviewPacket[]>;
  getPacket(campaignId: string, packetId: string): Promise<ReviewPacket | undefined>;
  updatePacket(campaignId: string, packetId: string, transition: PacketTransition): Promise<PacketChange>;
  /** Closes an open campaign; undefined when it is not found or was already closed (someone else closed it). */
  closeCampaign(id: string, at: Date): Promise<Campaign | undefined>;
}

/** A packet and the campaign it belongs to, as the messenger shows them. */
export interface PacketView {
  readonly campaign: Campaign;
  readonly packet: ReviewPacket;
}

/** Where a packet's message went (a DM to the manager, or the HR channel). */
export interface MessageRef {
  readonly channel: string;
  readonly ts: string;
}

/**
 * Tells reviewers about their packets (Slack: a DM to the manager with Keep / Revoke per entitlement and Keep all, or
 * the HR channel), and finds managers in Slack by email.
 */
export interface ReviewMessenger {
  /** The manager's Slack user id (users.lookupByEmail); undefined when Slack has nobody with that email. */
  findReviewer(email: string): Promise<string | undefined>;
  /** Posts the packet's message; returns where it is, so decisions update it in place. */
  send(view: PacketView): Promise<MessageRef>;
  /** Shows the packet as it is now (decisions, changes) in its message, and in HR's copy once escalated. */
  update(view: PacketView): Promise<void>;
  remind(view: PacketView): Promise<void>;
  /** Hands the packet to HR as well (its manager did not decide in time); returns where HR's copy is, so decisions update it too. */
  escalate(view: PacketView): Promise<MessageRef | undefined>;
  /** The campaign closed: what was kept, revoked and left to the default. */
  closed(campaign: Campaign, packets: readonly ReviewPacket[]): Promise<void>;
}
