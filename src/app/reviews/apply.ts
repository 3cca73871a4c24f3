import { recordChanges, type ItemChange, type ReviewItem, type ReviewPacket } from '../../domain/reviews/campaign';
import { describeEntitlement, revocationOf } from '../../domain/reviews/entitlements';
import { errorText } from '../../errors';
import type { Notifier } from '../../ports';
import { applyPlan, computePlan, type ApplyReport, type PlannedRun, type ReconcileDeps } from '../reconcile';
import { auditReview, quietly, type ReviewDeps } from './deps';
import { reviewedRevocationsFrom } from './revocations';

/** A revoke still to carry out: decided revoke, and not yet changed and verified. */
const pendingRevoke = (item: ReviewItem): boolean => item.decision?.verdict === 'revoke' && !(item.change?.result === 'ok' && item.change.verified);

/** The run summary belongs to the review's own message; guard trips still go to the channel. */
const reviewRunNotifier = (inner: Notifier): Notifier => ({
  notify: async (notice) => (notice.kind === 'run-summary' ? undefined : inner.notify(notice)),
});

/** The reconcile deps with what reviews revoked read from this store (whatever the composition wired). */
export const withReviews = (deps: ReviewDeps): ReconcileDeps => ({ ...deps.reconcile, reviewedRevocations: reviewedRevocationsFrom(deps.campaigns) });

const actionIdOf = (packet: ReviewPacket, item: ReviewItem): string =>
  revocationOf(item.entitlement, { employeeId: packet.person.employeeId, email: packet.person.email }).id;

function changeFor(actionId: string, planned: PlannedRun, report: ApplyReport | undefined, at: Date): ItemChange {
  const base = { runId: planned.runId, at, actionIds: [actionId] };
  if (!planned.plan.actions.some((a) => a.id === actionId)) {
    return { ...base, actionIds: [], result: 'not-applied', verified: false, detail: 'nothing held to revoke (already gone, or the person left or changed role)' };
  }
  if (report === undefined || report.outcome === 'guard-tripped') {
    return { ...base, result: 'failed', verified: false, detail: `guard tripped, nothing applied: ${planned.plan.guard.reasons.join(' ')}` };
  }
  const record = report.results.find((r) => r.action.id === actionId);
  if (record === undefined) return { ...base, result: 'not-applied', verified: false, detail: 'the run stopped before this action' };
  if (record.outcome.result === 'failed') return { ...base, result: 'failed', verified: false, detail: record.outcome.error };
  const verification = report.verifications.find((v) => v.account === record.action.account && v.userName === record.action.userName);
  return {
    ...base,
    result: 'ok',
    verified: verification?.verified === true,
    ...(verification !== undefined && !verification.verified ? { detail: verification.remaining.join('; ') } : {}),
  };
}

/**
 * Carries out the revokes decided in a campaign (or in the named packets) through the one reconcile path: plan with
 * what reviews revoked, guard, apply only those actions (reason `review-revoked`), verify, audit; then records on each
 * item what changed and whether the re-read showed it gone. A revoke that failed or was blocked is retried next time.
 */
export async function applyReviewRevocations(deps: ReviewDeps, campaignId: string, actor: string, packetIds?: readonly string[]): Promise<ReviewPacket[]> {
  const campaign = await deps.campaigns.getCampaign(campaignId);
  if (campaign === undefined) return [];
  const wantedPackets = packetIds === undefined ? undefined : new Set(packetIds);
  const packets = (await deps.campaigns.packets(campaignId)).filter((p) => (wantedPackets === undefined || wantedPackets.has(p.id)) && p.items.some(pendingRevoke));
  if (packets.length === 0) return [];
  const recon = withReviews(deps);
  const wanted = new Map<string, { packet: ReviewPacket; item: ReviewItem }>();
  for (const packet of packets) for (const item of packet.items.filter(pendingRevoke)) wanted.set(actionIdOf(packet, item), { packet, item });

  let planned: PlannedRun | undefined;
  let report: ApplyReport | undefined;
  let failure: string | undefined;
  try {
    planned = await computePlan(recon);
    const ids = new Set(planned.plan.actions.filter((a) => wanted.has(a.id)).map((a) => a.id));
    if (ids.size > 0) report = await applyPlan({ ...recon, notifier: reviewRunNotifier(recon.notifier) }, planned, { actor, only: (a) => ids.has(a.id) });
  } catch (error) {
    failure = errorText(error);
  }
  const at = deps.reconcile.clock.now();
  const updated: ReviewPacket[] = [];
  for (const packet of packets) {
    const changes = new Map<string, ItemChange>();
    for (const item of packet.items.filter(pendingRevoke)) {
      const actionId = actionIdOf(packet, item);
      const change: ItemChange =
        planned === undefined || failure !== undefined
          ? { runId: planned?.runId ?? 'none', at, actionIds: [actionId], result: 'failed', verified: false, detail: failure ?? 'not planned' }
          : changeFor(actionId, planned, report, at);
      changes.set(item.id, change);
      await auditReview(deps, {
        runId: change.runId,
        actor,
        action: 'review.change',
        target: campaignId,
        person: packet.person.email,
        reason: 'review-revoked',
        result: change.result === 'ok' ? (change.verified ? 'verified' : 'failed') : change.result === 'failed' ? 'failed' : 'skipped',
        after: { item: item.id, entitlement: describeEntitlement(item.entitlement), actionIds: change.actionIds, result: change.result, verified: change.verified },
        ...(change.detail !== undefined ? { error: change.detail } : {}),
      });
    }
    const stored = await deps.campaigns.updatePacket(campaignId, packet.id, (p) => ({ ok: true, packet: recordChanges(p, changes), decided: [] }));
    const now = stored.ok ? stored.packet : recordChanges(packet, changes);
    updated.push(now);
    const messenger = deps.messenger;
    if (messenger !== undefined) await quietly(deps, `update the review of ${packet.person.email}`, () => messenger.update({ campaign, packet: now }));
  }
  return updated;
}
