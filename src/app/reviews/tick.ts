import { applyUndecidedDefault, campaignDue, escalate, packetDue, remind, type Campaign, type ReviewPacket } from '../../domain/reviews/campaign';
import { describeEntitlement } from '../../domain/reviews/entitlements';
import type { MessageRef } from '../../ports/reviews';
import { applyReviewRevocations } from './apply';
import { auditReview, newReviewRunId, quietly, type ReviewDeps } from './deps';
import { pendingSlot, scheduledCampaignId } from './scheduled';
import { CampaignExistsError } from '../../errors';
import { startReview } from './start';

/** What one pass of the review clock did. */
export interface ReviewTick {
  /** Campaigns `reviews.schedule` started on this pass. */
  readonly started: readonly string[];
  readonly reminded: readonly string[];
  readonly escalated: readonly string[];
  readonly closed: readonly string[];
}

/**
 * The review clock (the schedule runs it with reconciliation): starts the campaign of a `reviews.schedule` slot that
 * has come, reminds reviewers after `remindAfterDays`, escalates
 * to HR after `escalateAfterDays`, and at the due date gives undecided items the `reviews.undecided` default, carries
 * out every revoke still pending and closes the campaign. Each step is recorded on the packet before the next pass, so
 * a reminder or an escalation goes out once.
 */
export async function tickReviews(deps: ReviewDeps): Promise<ReviewTick> {
  const started = await startScheduled(deps);
  const reminded: string[] = [];
  const escalated: string[] = [];
  const closed: string[] = [];
  for (const campaign of await deps.campaigns.listCampaigns()) {
    if (campaign.status !== 'open') continue;
    const now = deps.reconcile.clock.now();
    if (campaignDue(campaign, now)) {
      await closeCampaign(deps, campaign, now);
      closed.push(campaign.id);
      continue;
    }
    const runId = newReviewRunId('tick', now);
    for (const packet of await deps.campaigns.packets(campaign.id)) {
      const due = packetDue(campaign, packet, now);
      if (due === undefined) continue;
      // Claim the step in the store first: a second process ticking at once finds it done and sends nothing.
      const change = await deps.campaigns.updatePacket(campaign.id, packet.id, (p) =>
        packetDue(campaign, p, now) === due ? { ok: true, packet: due === 'remind' ? remind(p, now) : escalate(p, now), decided: [] } : { ok: false, reason: 'already-decided' },
      );
      if (!change.ok) continue;
      const view = { campaign, packet: change.packet };
      const messenger = deps.messenger;
      let hrMessage: MessageRef | undefined;
      const sent =
        messenger === undefined
          ? true
          : (await quietly(deps, `${due} the review of ${packet.person.email}`, async () => {
              if (due === 'remind') await messenger.remind(view);
              else hrMessage = (await messenger.escalate(view)) ?? undefined;
              return true;
            })) === true;
      if (hrMessage !== undefined) {
        const copy = hrMessage;
        await deps.campaigns.updatePacket(campaign.id, packet.id, (p) => ({ ok: true, packet: { ...p, hrMessage: copy }, decided: [] }));
      }
      await auditReview(deps, {
        runId,
        actor: 'system',
        action: due === 'remind' ? 'review.reminded' : 'review.escalated',
        target: campaign.id,
        person: packet.person.email,
        result: sent ? 'ok' : 'failed',
        after: { reviewer: packet.reviewer, undecided: packet.items.filter((i) => i.decision === undefined).length, sentAt: packet.sentAt?.toISOString() },
        ...(sent ? {} : { error: 'Slack could not be told' }),
      });
      (due === 'remind' ? reminded : escalated).push(packet.id);
    }
    // Revokes that failed or were blocked earlier (guard, a lock, AWS) are retried on each pass.
    await applyReviewRevocations(deps, campaign.id, 'system');
  }
  return { started, reminded, escalated, closed };
}

/** Starts the campaign of the schedule slot that has come, unless it exists (another tick, a retry, a concurrent run). */
async function startScheduled(deps: ReviewDeps): Promise<string[]> {
  if (deps.schedule === undefined) return [];
  const slot = await pendingSlot(deps.campaigns, deps.schedule, deps.reconcile.clock.now());
  if (slot === undefined) return [];
  try {
    const { campaign } = await startReview(deps, { scope: deps.schedule.scope, actor: 'system', id: scheduledCampaignId(slot) });
    return [campaign.id];
  } catch (error) {
    if (error instanceof CampaignExistsError) return [];
    throw error;
  }
}

async function closeCampaign(deps: ReviewDeps, campaign: Campaign, now: Date): Promise<void> {
  const runId = newReviewRunId('close', now);
  const packets: ReviewPacket[] = [];
  for (const packet of await deps.campaigns.packets(campaign.id)) {
    const change = await deps.campaigns.updatePacket(campaign.id, packet.id, (p) => applyUndecidedDefault(campaign, p, now));
    if (!change.ok) continue;
    packets.push(change.packet);
    for (const item of change.decided) {
      await auditReview(deps, {
        runId,
        actor: 'system',
        action: 'review.undecided',
        account: item.entitlement.account,
        target: campaign.id,
        person: packet.person.email,
        ...(campaign.settings.undecided === 'revoke' ? { reason: 'review-revoked' } : {}),
        result: 'ok',
        after: { item: item.id, entitlement: describeEntitlement(item.entitlement), verdict: campaign.settings.undecided, reviewer: packet.reviewer },
      });
    }
  }
  const after = await applyReviewRevocations(deps, campaign.id, 'system');
  const final = packets.map((p) => after.find((a) => a.id === p.id) ?? p);
  const closedCampaign = await deps.campaigns.closeCampaign(campaign.id, now);
  if (closedCampaign === undefined) return;
  const items = final.flatMap((p) => p.items);
  await auditReview(deps, {
    runId,
    actor: 'system',
    action: 'review.closed',
    target: campaign.id,
    result: 'ok',
    after: {
      kept: items.filter((i) => i.decision?.verdict === 'keep').length,
      revoked: items.filter((i) => i.decision?.verdict === 'revoke').length,
      undecidedDefaulted: items.filter((i) => i.decision?.as === 'undecided-default').length,
      revokesVerified: items.filter((i) => i.change?.verified === true).length,
    },
  });
  const messenger = deps.messenger;
  if (messenger !== undefined) await quietly(deps, `announce the close of ${campaign.id}`, () => messenger.closed(closedCampaign, final));
}
