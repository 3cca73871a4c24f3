import { scopeLabel } from './holdings';
import type { Campaign, ReviewPacket, Reviewer } from './campaign';
import { describeEntitlement, entitlementHolder } from './entitlements';

/** One evidence row per person x entitlement: who reviewed it, what they decided and when, what changed, verified or not. */
export interface ReviewEvidenceRow {
  readonly email: string;
  readonly employeeId: string;
  readonly fullName?: string;
  readonly role?: string;
  readonly department?: string;
  readonly reviewer: string;
  readonly escalatedAt?: string;
  readonly entitlement: string;
  readonly kind: string;
  readonly holder: string;
  readonly roleAllows: boolean;
  readonly decision: 'keep' | 'revoke' | 'undecided';
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  /** `reviewer`, `hr`, or `undecided-default` (the due date's default). */
  readonly decidedAs?: string;
  readonly change?: string;
  readonly verified?: boolean;
  readonly changeRunId?: string;
  readonly changeDetail?: string;
}

export interface ReviewEvidence {
  readonly campaign: {
    readonly id: string;
    readonly scope: string;
    readonly status: string;
    readonly startedAt: string;
    readonly startedBy: string;
    readonly dueAt: string;
    readonly closedAt?: string;
    readonly undecided: 'keep' | 'revoke';
    readonly remindAfterDays: number;
    readonly escalateAfterDays: number;
  };
  readonly summary: {
    readonly people: number;
    readonly items: number;
    readonly kept: number;
    readonly revoked: number;
    readonly undecided: number;
    readonly defaulted: number;
    readonly revokesVerified: number;
    readonly revokesOpen: number;
    readonly reminded: number;
    readonly escalated: number;
  };
  readonly rows: readonly ReviewEvidenceRow[];
}

export const reviewerLabel = (reviewer: Reviewer): string =>
  reviewer.kind === 'manager' ? `manager ${reviewer.email}${reviewer.slackId !== undefined ? ` (slack:${reviewer.slackId})` : ''}` : `HR (${reviewer.why})`;

/** A campaign's evidence, from its stored packets. Pure. */
export function reviewEvidence(campaign: Campaign, packets: readonly ReviewPacket[]): ReviewEvidence {
  const rows: ReviewEvidenceRow[] = [];
  for (const packet of [...packets].sort((a, b) => (a.person.email < b.person.email ? -1 : a.person.email > b.person.email ? 1 : 0))) {
    for (const item of packet.items) {
      const d = item.decision;
      const c = item.change;
      rows.push({
        email: packet.person.email,
        employeeId: packet.person.employeeId,
        ...(packet.person.fullName !== undefined ? { fullName: packet.person.fullName } : {}),
        ...(packet.person.role !== undefined ? { role: packet.person.role } : {}),
        ...(packet.person.department !== undefined ? { department: packet.person.department } : {}),
        reviewer: reviewerLabel(packet.reviewer),
        ...(packet.escalatedAt !== undefined ? { escalatedAt: packet.escalatedAt.toISOString() } : {}),
        entitlement: describeEntitlement(item.entitlement),
        kind: item.entitlement.kind,
        holder: entitlementHolder(item.entitlement),
        roleAllows: item.roleAllows,
        decision: d?.verdict ?? 'undecided',
        ...(d !== undefined ? { decidedBy: d.by, decidedAt: d.at.toISOString(), decidedAs: d.as } : {}),
        ...(c !== undefined ? { change: c.result, verified: c.verified, changeRunId: c.runId, ...(c.detail !== undefined ? { changeDetail: c.detail } : {}) } : {}),
      });
    }
  }
  const revokes = rows.filter((r) => r.decision === 'revoke');
  return {
    campaign: {
      id: campaign.id,
      scope: scopeLabel(campaign.scope),
      status: campaign.status,
      startedAt: campaign.startedAt.toISOString(),
      startedBy: campaign.startedBy,
      dueAt: campaign.dueAt.toISOString(),
      ...(campaign.closedAt !== undefined ? { closedAt: campaign.closedAt.toISOString() } : {}),
      ...campaign.settings,
    },
    summary: {
      people: packets.length,
      items: rows.length,
      kept: rows.filter((r) => r.decision === 'keep').length,
      revoked: revokes.length,
      undecided: rows.filter((r) => r.decision === 'undecided').length,
      defaulted: rows.filter((r) => r.decidedAs === 'undecided-default').length,
      revokesVerified: revokes.filter((r) => r.verified === true).length,
      revokesOpen: revokes.filter((r) => r.verified !== true).length,
      reminded: packets.filter((p) => p.remindedAt !== undefined).length,
      escalated: packets.filter((p) => p.escalatedAt !== undefined).length,
    },
    rows,
  };
}
