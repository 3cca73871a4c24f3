import type { Campaign, ReviewPacket } from './campaign';
import type { ReviewedRevocation } from './types';

export type { ReviewedRevocation };

/**
 * The revocations in force: for each person, those decided in the latest campaign that covered them (a later review
 * supersedes an earlier one). Pure.
 */
export function reviewedRevocations(campaigns: readonly Campaign[], packets: readonly ReviewPacket[]): ReviewedRevocation[] {
  const started = new Map(campaigns.map((c) => [c.id, c.startedAt.getTime()] as const));
  const latest = new Map<string, ReviewPacket>();
  for (const packet of packets) {
    const at = started.get(packet.campaignId);
    if (at === undefined) continue;
    const key = packet.person.employeeId;
    const current = latest.get(key);
    if (current === undefined || (started.get(current.campaignId) ?? 0) < at) latest.set(key, packet);
  }
  const out: ReviewedRevocation[] = [];
  for (const packet of latest.values()) {
    for (const item of packet.items) {
      if (item.decision?.verdict !== 'revoke') continue;
      out.push({
        employeeId: packet.person.employeeId,
        email: packet.person.email,
        ...(packet.person.role !== undefined ? { role: packet.person.role } : {}),
        entitlement: item.entitlement,
        roleAllows: item.roleAllows,
        campaignId: packet.campaignId,
        decidedAt: item.decision.at,
      });
    }
  }
  return out;
}
