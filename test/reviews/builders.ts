import type { Campaign, ReviewPacket, ReviewSettings } from '../../src/domain/reviews/campaign';
import { entitlementKey, type Entitlement } from '../../src/domain/reviews/entitlements';
import { ACCOUNT, NOW } from '../fixtures/builders';

export const SETTINGS: ReviewSettings = { remindAfterDays: 3, escalateAfterDays: 7, undecided: 'keep' };
export const DAY = 86_400_000;
export const at = (days: number, ms = 0): Date => new Date(NOW.getTime() + days * DAY + ms);

export const group = (groupName: string, userName = 'carol'): Entitlement => ({ kind: 'iam-group', account: ACCOUNT, userName, groupName });

let counter = 0;

/** An open campaign started at NOW, due in 14 days; override what the test is about. */
export function createDummyCampaign(overrides: Partial<Campaign> = {}): Campaign {
  counter += 1;
  return {
    id: `rev-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    scope: { kind: 'all' },
    startedAt: NOW,
    startedBy: 'cli:test',
    dueAt: at(14),
    settings: SETTINGS,
    status: 'open',
    ...overrides,
  };
}

/** Carol's packet (E7), reviewed by her manager Mona (U0MONA), sent at NOW, two undecided groups. */
export function createDummyPacket(campaign: Campaign, overrides: Partial<ReviewPacket> = {}): ReviewPacket {
  const items = [group('developers'), group('admins')].map((entitlement) => ({ id: entitlementKey(entitlement), entitlement, roleAllows: true }));
  return {
    campaignId: campaign.id,
    id: 'E7',
    person: { employeeId: 'E7', email: 'carol@example.com', fullName: 'Carol <Dev>', role: 'admin', department: 'Engineering', slackId: 'U0CAROL' },
    reviewer: { kind: 'manager', email: 'mona@example.com', slackId: 'U0MONA' },
    items,
    sentAt: NOW,
    ...overrides,
  };
}
