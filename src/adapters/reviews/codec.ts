import type { Campaign, ReviewPacket } from '../../ports/reviews';

/** Fields stored as ISO strings and read back as Dates. */
const DATE_FIELDS = new Set(['startedAt', 'dueAt', 'closedAt', 'sentAt', 'remindedAt', 'escalatedAt', 'at']);

export const encodeReview = (value: Campaign | ReviewPacket): string => JSON.stringify(value);

const reviveDates = (what: string) =>
  function (key: string, value: unknown): unknown {
    if (!DATE_FIELDS.has(key) || typeof value !== 'string') return value;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new Error(`stored ${what} has an invalid ${key}`);
    return date;
  };

/** Reads back what `encodeReview` wrote; a corrupt document throws (a crash, not an expected failure). */
export function decodeCampaign(text: string): Campaign {
  const campaign = JSON.parse(text, reviveDates('review campaign')) as Campaign;
  if (typeof campaign.id !== 'string' || !(campaign.startedAt instanceof Date) || !(campaign.dueAt instanceof Date)) throw new Error('stored review campaign is malformed');
  return campaign;
}

export function decodePacket(text: string): ReviewPacket {
  const packet = JSON.parse(text, reviveDates('review packet')) as ReviewPacket;
  if (typeof packet.id !== 'string' || typeof packet.campaignId !== 'string' || !Array.isArray(packet.items)) throw new Error('stored review packet is malformed');
  return packet;
}

/** Newest first, then by id. */
export const newestFirst = (a: Campaign, b: Campaign): number => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A closed copy of an open campaign; undefined when it is already closed. */
export const closed = (campaign: Campaign, at: Date): Campaign | undefined => (campaign.status === 'open' ? { ...campaign, status: 'closed', closedAt: at } : undefined);
