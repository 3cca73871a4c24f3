import type { Campaign, CampaignStore, PacketChange, PacketTransition, ReviewPacket } from '../../ports/reviews';
import { closed, newestFirst } from './codec';

const key = (campaignId: string, packetId: string): string => `${campaignId}\u0000${packetId}`;

/** In-memory campaigns for tests and the demo; the same transitions as the durable stores. */
export class MemoryCampaignStore implements CampaignStore {
  private readonly campaigns = new Map<string, Campaign>();
  private readonly packetsByKey = new Map<string, ReviewPacket>();

  async create(campaign: Campaign, packets: readonly ReviewPacket[]): Promise<boolean> {
    if (this.campaigns.has(campaign.id)) return false;
    for (const packet of packets) this.packetsByKey.set(key(campaign.id, packet.id), packet);
    this.campaigns.set(campaign.id, campaign);
    return true;
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    return this.campaigns.get(id);
  }

  async listCampaigns(): Promise<readonly Campaign[]> {
    return [...this.campaigns.values()].sort(newestFirst);
  }

  async packets(campaignId: string): Promise<readonly ReviewPacket[]> {
    return [...this.packetsByKey.values()].filter((p) => p.campaignId === campaignId).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async getPacket(campaignId: string, packetId: string): Promise<ReviewPacket | undefined> {
    return this.packetsByKey.get(key(campaignId, packetId));
  }

  async updatePacket(campaignId: string, packetId: string, transition: PacketTransition): Promise<PacketChange> {
    const current = this.packetsByKey.get(key(campaignId, packetId));
    if (current === undefined) return { ok: false, reason: 'not-found' };
    const result = transition(current);
    if (result.ok) this.packetsByKey.set(key(campaignId, packetId), result.packet);
    return result;
  }

  async closeCampaign(id: string, at: Date): Promise<Campaign | undefined> {
    const current = this.campaigns.get(id);
    const next = current === undefined ? undefined : closed(current, at);
    if (next !== undefined) this.campaigns.set(id, next);
    return next;
  }
}
