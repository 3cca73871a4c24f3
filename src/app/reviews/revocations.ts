import { reviewedRevocations, type ReviewedRevocation } from '../../domain/reviews/reviewed';
import type { CampaignStore, ReviewPacket } from '../../ports/reviews';

/** The reconcile hook: what access reviews revoked, read from the campaign store for each plan. */
export function reviewedRevocationsFrom(store: CampaignStore): () => Promise<readonly ReviewedRevocation[]> {
  return async () => {
    const campaigns = await store.listCampaigns();
    const packets: ReviewPacket[] = [];
    for (const campaign of campaigns) packets.push(...(await store.packets(campaign.id)));
    return reviewedRevocations(campaigns, packets);
  };
}
