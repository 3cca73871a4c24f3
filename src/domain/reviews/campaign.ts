/**
 * Access review campaigns, pure: who reviews whom, what a decision does to a packet (one person's entitlements, one
 * Slack message), and what falls due on the clock (reminder, escalation to HR, the due date's undecided default).
 */
import type { Person } from '../roster';
import { grantedByRole, entitlementKey, type Entitlement } from './entitlements';
import type { CampaignScope, PersonHoldings } from './holdings';
import type { RoleGrant } from '../policy';

const DAY_MS = 86_400_000;

/** Config `reviews`: when reminders and escalations go out, and what an undecided item becomes at the due date. */
export interface ReviewSettings {
  readonly remindAfterDays: number;
  readonly escalateAfterDays: number;
  readonly undecided: 'keep' | 'revoke';
}

export interface Campaign {
  readonly id: string;
  readonly scope: CampaignScope;
  readonly startedAt: Date;
  /** `cli:NAME`, `slack:U…` or `system` (the schedule). */
  readonly startedBy: string;
  readonly dueAt: Date;
  readonly settings: ReviewSettings;
  readonly status: 'open' | 'closed';
  readonly closedAt?: Date;
}

/** Why HR reviews a person rather than their manager. */
export type HrReason = 'no-manager' | 'manager-not-on-roster' | 'manager-left' | 'own-manager' | 'manager-not-in-slack';

/** Who decides a packet: the person's manager (found in Slack by email), or HR. */
export type Reviewer = { readonly kind: 'manager'; readonly email: string; readonly slackId?: string } | { readonly kind: 'hr'; readonly why: HrReason };

export type Verdict = 'keep' | 'revoke';

export interface Decision {
  readonly verdict: Verdict;
  /** `slack:U…`, or `system` for the due date's default. */
  readonly by: string;
  readonly at: Date;
  /** As the assigned reviewer, as HR, or the `reviews.undecided` default at the due date. */
  readonly as: 'reviewer' | 'hr' | 'undecided-default';
}

/** What a revoke changed, and whether the re-read showed it gone. */
export interface ItemChange {
  readonly runId: string;
  readonly at: Date;
  readonly actionIds: readonly string[];
  readonly result: 'ok' | 'failed' | 'not-applied';
  readonly verified: boolean;
  readonly detail?: string;
}

export interface ReviewItem {
  /** The entitlement's key (`entitlementKey`). */
  readonly id: string;
  readonly entitlement: Entitlement;
  /** The person's role grants it: revoking it records a reviewed exception. */
  readonly roleAllows: boolean;
  readonly decision?: Decision;
  readonly change?: ItemChange;
}

export interface PacketPerson {
  readonly employeeId: string;
  readonly email: string;
  readonly fullName?: string;
  readonly role?: string;
  readonly department?: string;
  readonly slackId?: string;
}

/** One person's entitlements in one campaign: one Slack message to one reviewer. */
export interface ReviewPacket {
  readonly campaignId: string;
  readonly id: string;
  readonly person: PacketPerson;
  readonly reviewer: Reviewer;
  readonly items: readonly ReviewItem[];
  readonly message?: { readonly channel: string; readonly ts: string };
  /** HR's copy, posted at escalation: kept up to date with every decision, like the reviewer's own message. */
  readonly hrMessage?: { readonly channel: string; readonly ts: string };
  readonly sentAt?: Date;
  readonly remindedAt?: Date;
  readonly escalatedAt?: Date;
}

const lower = (s: string): string => s.trim().toLowerCase();

/** The manager named on the roster, unless missing, gone, or the person themself: then HR. Pure. */
export function assignReviewer(person: Person, peopleByEmail: ReadonlyMap<string, Person>): Reviewer {
  const managerEmail = person.managerEmail === undefined ? '' : lower(person.managerEmail);
  if (managerEmail === '') return { kind: 'hr', why: 'no-manager' };
  if (managerEmail === lower(person.email)) return { kind: 'hr', why: 'own-manager' };
  const manager = peopleByEmail.get(managerEmail);
  if (manager === undefined) return { kind: 'hr', why: 'manager-not-on-roster' };
  if (manager.status === 'departed') return { kind: 'hr', why: 'manager-left' };
  return { kind: 'manager', email: manager.email };
}

export interface StartInput {
  readonly id: string;
  readonly scope: CampaignScope;
  readonly startedBy: string;
  readonly now: Date;
  readonly dueAt: Date;
  readonly settings: ReviewSettings;
  readonly holdings: readonly PersonHoldings[];
  readonly people: readonly Person[];
  readonly roleOf: (person: Person) => RoleGrant | undefined;
}

/** A new open campaign and one packet per person holding anything. Pure. */
export function startCampaign(input: StartInput): { readonly campaign: Campaign; readonly packets: readonly ReviewPacket[] } {
  const byEmail = new Map(input.people.map((p) => [lower(p.email), p] as const));
  const campaign: Campaign = {
    id: input.id,
    scope: input.scope,
    startedAt: input.now,
    startedBy: input.startedBy,
    dueAt: input.dueAt,
    settings: input.settings,
    status: 'open',
  };
  const packets = input.holdings
    .filter((h) => h.entitlements.length > 0)
    .map(({ person, entitlements }): ReviewPacket => {
      const grant = input.roleOf(person);
      const seen = new Set<string>();
      const items: ReviewItem[] = [];
      for (const entitlement of entitlements) {
        const id = entitlementKey(entitlement);
        if (seen.has(id)) continue;
        seen.add(id);
        items.push({ id, entitlement, roleAllows: grantedByRole(entitlement, grant) });
      }
      return {
        campaignId: input.id,
        id: person.employeeId,
        person: {
          employeeId: person.employeeId,
          email: person.email,
          ...(person.fullName !== undefined ? { fullName: person.fullName } : {}),
          ...(person.role !== undefined ? { role: person.role } : {}),
          ...(person.department !== undefined ? { department: person.department } : {}),
          ...(person.slackId !== undefined ? { slackId: person.slackId } : {}),
        },
        reviewer: assignReviewer(person, byEmail),
        items,
      };
    });
  return { campaign, packets };
}

/** Who clicked, as far as Slack and the roster tell. */
export interface Clicker {
  readonly slackId: string;
  /** The email Slack has for the clicker, when it could be read. */
  readonly email?: string;
  readonly isHr: boolean;
}

export type DeciderCheck =
  | { readonly ok: true; readonly as: 'reviewer' | 'hr' }
  | { readonly ok: false; readonly reason: 'own-access' | 'not-reviewer' | 'identity-unknown' };

/**
 * Only the assigned reviewer, or HR, decides a packet, and never the person whose access it is (HR included). When
 * the clicker's identity cannot be told apart from the person's (no Slack id on the roster and no email from Slack),
 * the click is refused. Pure.
 */
export function checkDecider(packet: ReviewPacket, clicker: Clicker): DeciderCheck {
  const own =
    (packet.person.slackId !== undefined && packet.person.slackId === clicker.slackId) ||
    (clicker.email !== undefined && lower(clicker.email) === lower(packet.person.email));
  if (own) return { ok: false, reason: 'own-access' };
  const reviewer = packet.reviewer;
  const isReviewer =
    reviewer.kind === 'manager' &&
    ((reviewer.slackId !== undefined && reviewer.slackId === clicker.slackId) || (clicker.email !== undefined && lower(clicker.email) === lower(reviewer.email)));
  // The manager is never the person (assignment sends self-managed people to HR); anyone else must be told apart from them.
  if (isReviewer) return { ok: true, as: 'reviewer' };
  if (!clicker.isHr) return { ok: false, reason: 'not-reviewer' };
  if (packet.person.slackId === undefined && clicker.email === undefined) return { ok: false, reason: 'identity-unknown' };
  return { ok: true, as: 'hr' };
}

/** Keep or revoke one item, or keep every undecided one. */
export type DecisionRequest = { readonly kind: 'item'; readonly itemId: string; readonly verdict: Verdict } | { readonly kind: 'keep-all' };

export type PacketChange =
  | { readonly ok: true; readonly packet: ReviewPacket; readonly decided: readonly ReviewItem[] }
  | { readonly ok: false; readonly reason: 'campaign-closed' | 'no-such-item' | 'already-decided' | 'not-found' };

/**
 * Records a decision. A decided item stays decided (a second click, or a different verdict after the first, changes
 * nothing and says so); keep-all decides only what is still open. Pure.
 */
export function decide(campaign: Campaign, packet: ReviewPacket, request: DecisionRequest, decision: Omit<Decision, 'verdict'>): PacketChange {
  if (campaign.status !== 'open') return { ok: false, reason: 'campaign-closed' };
  if (request.kind === 'item') {
    const item = packet.items.find((i) => i.id === request.itemId);
    if (item === undefined) return { ok: false, reason: 'no-such-item' };
    if (item.decision !== undefined) return { ok: false, reason: 'already-decided' };
    const decided: ReviewItem = { ...item, decision: { ...decision, verdict: request.verdict } };
    return { ok: true, packet: { ...packet, items: packet.items.map((i) => (i.id === item.id ? decided : i)) }, decided: [decided] };
  }
  const decided: ReviewItem[] = [];
  const items = packet.items.map((i) => {
    if (i.decision !== undefined) return i;
    const kept: ReviewItem = { ...i, decision: { ...decision, verdict: 'keep' } };
    decided.push(kept);
    return kept;
  });
  if (decided.length === 0) return { ok: false, reason: 'already-decided' };
  return { ok: true, packet: { ...packet, items }, decided };
}

export const undecidedItems = (packet: ReviewPacket): readonly ReviewItem[] => packet.items.filter((i) => i.decision === undefined);

/** What the clock asks of one packet now. */
export type PacketDue = 'remind' | 'escalate' | undefined;

/**
 * Escalation (after `escalateAfterDays` from sending, to HR, once, for a manager's packet) wins over a reminder (after
 * `remindAfterDays`, once); nothing once every item is decided, before the packet was sent, or at and after the due
 * date (the campaign closes then). Pure.
 */
export function packetDue(campaign: Campaign, packet: ReviewPacket, now: Date): PacketDue {
  if (campaign.status !== 'open' || packet.sentAt === undefined || undecidedItems(packet).length === 0) return undefined;
  if (now.getTime() >= campaign.dueAt.getTime()) return undefined;
  const since = now.getTime() - packet.sentAt.getTime();
  const { remindAfterDays, escalateAfterDays } = campaign.settings;
  if (packet.escalatedAt === undefined && packet.reviewer.kind === 'manager' && since >= escalateAfterDays * DAY_MS) return 'escalate';
  if (packet.remindedAt === undefined && packet.escalatedAt === undefined && since >= remindAfterDays * DAY_MS) return 'remind';
  return undefined;
}

/** Whether the campaign's due date has come (then undecided items take the `undecided` default and it closes). */
export const campaignDue = (campaign: Campaign, now: Date): boolean => campaign.status === 'open' && now.getTime() >= campaign.dueAt.getTime();

/** The due date's default for every undecided item. Pure. */
export function applyUndecidedDefault(campaign: Campaign, packet: ReviewPacket, now: Date): PacketChange {
  const decided: ReviewItem[] = [];
  const items = packet.items.map((i) => {
    if (i.decision !== undefined) return i;
    const done: ReviewItem = { ...i, decision: { verdict: campaign.settings.undecided, by: 'system', at: now, as: 'undecided-default' } };
    decided.push(done);
    return done;
  });
  return { ok: true, packet: { ...packet, items }, decided };
}

/** Records what a revoke changed on the named items. Pure. */
export function recordChanges(packet: ReviewPacket, changes: ReadonlyMap<string, ItemChange>): ReviewPacket {
  return { ...packet, items: packet.items.map((i) => (changes.has(i.id) ? { ...i, change: changes.get(i.id) as ItemChange } : i)) };
}

/** When a packet counts as escalated: its reviewer is HR from now on as well. */
export const escalate = (packet: ReviewPacket, now: Date): ReviewPacket => ({ ...packet, escalatedAt: now });
export const remind = (packet: ReviewPacket, now: Date): ReviewPacket => ({ ...packet, remindedAt: now });
export const close = (campaign: Campaign, now: Date): Campaign => ({ ...campaign, status: 'closed', closedAt: now });
