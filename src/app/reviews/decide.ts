import { checkDecider, decide, type Clicker, type DecisionRequest, type PacketChange, type ReviewItem, type ReviewPacket } from '../../domain/reviews/campaign';
import { describeEntitlement, entitlementHolder } from '../../domain/reviews/entitlements';
import { applyReviewRevocations } from './apply';
import { auditReview, newReviewRunId, quietly, type ReviewDeps } from './deps';

export interface DecideInput {
  readonly campaignId: string;
  readonly packetId: string;
  readonly request: DecisionRequest;
  readonly clicker: Clicker;
}

export type DecideOutcome =
  | { readonly kind: 'decided'; readonly packet: ReviewPacket; readonly decided: readonly ReviewItem[] }
  | { readonly kind: 'refused'; readonly reason: 'own-access' | 'not-reviewer' | 'identity-unknown' }
  | { readonly kind: 'unchanged'; readonly reason: Extract<PacketChange, { ok: false }>['reason'] };

/**
 * One reviewer click: authorized (the assigned reviewer or HR, never the person), recorded as a compare-and-set,
 * audited with who and when; a revoke is then carried out at once through the reconcile path.
 */
export async function decideReview(deps: ReviewDeps, input: DecideInput): Promise<DecideOutcome> {
  const actor = `slack:${input.clicker.slackId}`;
  const now = deps.reconcile.clock.now();
  const runId = newReviewRunId('decide', now);
  const [campaign, packet] = await Promise.all([deps.campaigns.getCampaign(input.campaignId), deps.campaigns.getPacket(input.campaignId, input.packetId)]);
  if (campaign === undefined || packet === undefined) {
    await auditReview(deps, { runId, actor, action: 'review.refused', target: `${input.campaignId}/${input.packetId}`, result: 'skipped', error: 'no such review' });
    return { kind: 'unchanged', reason: 'not-found' };
  }
  const refuse = (error: string, after: Record<string, unknown>) =>
    auditReview(deps, { runId, actor, action: 'review.refused', target: campaign.id, person: packet.person.email, result: 'skipped', after: { request: input.request, ...after }, error });
  const check = checkDecider(packet, input.clicker);
  if (!check.ok) {
    await refuse(
      check.reason === 'own-access'
        ? 'the person whose access it is may not review it'
        : check.reason === 'not-reviewer'
          ? 'not the assigned reviewer nor in slack.hr'
          : 'could not tell the clicker apart from the person under review',
      {},
    );
    return { kind: 'refused', reason: check.reason };
  }
  const change = await deps.campaigns.updatePacket(campaign.id, packet.id, (p) => decide(campaign, p, input.request, { by: actor, at: now, as: check.as }));
  if (!change.ok) {
    // A stale message (HR's copy before the manager decided, a second click): nothing changes, and the attempt is on record.
    if (change.reason === 'already-decided') await refuse('already decided: a decision stands once made', { as: check.as });
    if (change.reason === 'campaign-closed') await refuse('the campaign is closed', { as: check.as });
    return { kind: 'unchanged', reason: change.reason };
  }
  for (const item of change.decided) {
    await auditReview(deps, {
      runId,
      actor,
      action: item.decision?.verdict === 'revoke' ? 'review.revoked' : 'review.kept',
      account: item.entitlement.account,
      target: entitlementHolder(item.entitlement),
      person: packet.person.email,
      ...(item.decision?.verdict === 'revoke' ? { reason: 'review-revoked' } : {}),
      result: 'ok',
      after: { campaignId: campaign.id, item: item.id, entitlement: describeEntitlement(item.entitlement), reviewer: actor, as: check.as, decidedAt: now.toISOString() },
    });
  }
  if (change.decided.some((i) => i.decision?.verdict === 'revoke')) {
    const [applied] = await applyReviewRevocations(deps, campaign.id, actor, [packet.id]);
    return { kind: 'decided', packet: applied ?? change.packet, decided: change.decided };
  }
  const messenger = deps.messenger;
  if (messenger !== undefined) await quietly(deps, `update the review of ${packet.person.email}`, () => messenger.update({ campaign, packet: change.packet }));
  return { kind: 'decided', packet: change.packet, decided: change.decided };
}
