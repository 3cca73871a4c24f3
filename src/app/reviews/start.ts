import { startCampaign, type Campaign, type ReviewPacket, type Reviewer } from '../../domain/reviews/campaign';
import { describeEntitlement } from '../../domain/reviews/entitlements';
import { holdingsOf, scopeLabel, type CampaignScope } from '../../domain/reviews/holdings';
import type { AccountInventory, IamUser, Inventory } from '../../domain/inventory';
import type { Roster } from '../../domain/roster';
import { CampaignExistsError, ExitCode, WardenError } from '../../errors';
import { readIdentityCenter } from '../reconcile/identity-center';
import { loadRoster } from '../reconcile/plan';
import { auditReview, newCampaignId, newReviewRunId, quietly, type ReviewDeps } from './deps';

const DAY_MS = 86_400_000;

export interface StartOptions {
  readonly scope: CampaignScope;
  /** Default: `reviews.dueAfterDays` from now. */
  readonly dueAt?: Date;
  /** `cli:NAME`, `slack:U…` or `system`. */
  readonly actor: string;
  /** The campaign's id (a schedule slot's); default a new random one. */
  readonly id?: string;
}

export interface StartedCampaign {
  readonly campaign: Campaign;
  readonly packets: readonly ReviewPacket[];
}

/** Reads every account (and hosts), with live detail for the users of people in scope: access keys are only in it. */
async function readEstate(deps: ReviewDeps, roster: Roster, scope: CampaignScope, now: Date): Promise<Inventory> {
  const { reconcile } = deps;
  const accounts: AccountInventory[] = [];
  const accountErrors: { account: string; message: string }[] = [];
  for (const directory of reconcile.directories) {
    try {
      accounts.push(await directory.inventory());
    } catch (error) {
      accountErrors.push({ account: directory.account, message: error instanceof Error ? error.message : String(error) });
    }
  }
  if (accounts.length === 0 && reconcile.directories.length > 0) {
    throw new WardenError(`no account could be read: ${accountErrors.map((e) => e.message).join('; ')}`, ExitCode.runtime);
  }
  const hosts = reconcile.hosts === undefined ? [] : await reconcile.hosts.inventory();
  const identityCenter = await readIdentityCenter(reconcile.identityCenter, reconcile.audit);
  const bulk: Inventory = { accounts, hosts, accountErrors, ...identityCenter };
  const wanted = new Map<string, Set<string>>();
  for (const { entitlements } of holdingsOf({ roster, inventory: bulk, policy: reconcile.policy, now }, scope)) {
    for (const e of entitlements) {
      if (e.kind !== 'host-account' && e.kind !== 'ic-group' && e.kind !== 'ic-assignment') wanted.set(e.account, (wanted.get(e.account) ?? new Set()).add(e.userName));
    }
  }
  const detailed = await Promise.all(
    accounts.map(async (account) => {
      const names = [...(wanted.get(account.account) ?? [])].sort();
      const directory = reconcile.directories.find((d) => d.account === account.account);
      if (names.length === 0 || directory === undefined) return account;
      const details = await directory.describeUsers(names);
      const users = account.users.map((u): IamUser => {
        const detail = details.get(u.userName);
        return detail === undefined ? u : { ...u, detail };
      });
      return { ...account, users };
    }),
  );
  return { ...bulk, accounts: detailed };
}

/** A manager Slack does not know cannot be messaged: HR reviews instead. */
async function withSlackReviewer(deps: ReviewDeps, packet: ReviewPacket): Promise<ReviewPacket> {
  const { reviewer, person } = packet;
  if (reviewer.kind !== 'manager' || deps.messenger === undefined) return packet;
  const messenger = deps.messenger;
  const slackId = await quietly(deps, `look up ${reviewer.email} in Slack`, () => messenger.findReviewer(reviewer.email));
  const found: Reviewer = slackId === undefined ? { kind: 'hr', why: 'manager-not-in-slack' } : { ...reviewer, slackId };
  // The person themself is never their reviewer, even when Slack maps the manager's email to their account.
  if (found.kind === 'manager' && person.slackId !== undefined && found.slackId === person.slackId) return { ...packet, reviewer: { kind: 'hr', why: 'own-manager' } };
  return { ...packet, reviewer: found };
}

/**
 * Starts a campaign: reads the roster and the estate, makes one packet per active person in scope, assigns reviewers
 * (managers found in Slack, else HR), records it, audits it, and sends each packet. Writes nothing to AWS.
 */
export async function startReview(deps: ReviewDeps, options: StartOptions): Promise<StartedCampaign> {
  const { reconcile } = deps;
  const now = reconcile.clock.now();
  const dueAt = options.dueAt ?? new Date(now.getTime() + deps.settings.dueAfterDays * DAY_MS);
  if (dueAt.getTime() <= now.getTime()) throw new WardenError(`the due date ${dueAt.toISOString()} has already passed`, ExitCode.usage);
  const roster = await loadRoster(reconcile, now);
  if (roster.people.length === 0) throw new WardenError('the roster lists no valid people: nothing to review', ExitCode.usage);
  const inventory = await readEstate(deps, roster, options.scope, now);
  const policy = reconcile.policy;
  const roles = new Map(Object.entries(policy.roles).map(([name, grant]) => [name.trim().toLowerCase(), grant] as const));
  const id = options.id ?? (deps.newId ?? (() => newCampaignId(now)))();
  const started = startCampaign({
    id,
    scope: options.scope,
    startedBy: options.actor,
    now,
    dueAt,
    settings: { remindAfterDays: deps.settings.remindAfterDays, escalateAfterDays: deps.settings.escalateAfterDays, undecided: deps.settings.undecided },
    holdings: holdingsOf({ roster, inventory, policy, now }, options.scope),
    people: roster.people,
    roleOf: (p) => (p.role === undefined ? undefined : roles.get(p.role.trim().toLowerCase())),
  });
  const packets = await Promise.all(started.packets.map((p) => withSlackReviewer(deps, p)));
  const { campaign } = started;
  if (!(await deps.campaigns.create(campaign, packets))) throw new CampaignExistsError(campaign.id);
  const runId = newReviewRunId('start', now);
  await auditReview(deps, {
    runId,
    actor: options.actor,
    action: 'review.started',
    target: campaign.id,
    result: 'ok',
    after: {
      scope: scopeLabel(campaign.scope),
      dueAt: campaign.dueAt.toISOString(),
      people: packets.length,
      items: packets.reduce((n, p) => n + p.items.length, 0),
      settings: campaign.settings,
      ...(inventory.accountErrors.length > 0 ? { unreadAccounts: inventory.accountErrors.map((e) => e.account) } : {}),
      ...(inventory.identityCenterError !== undefined ? { identityCenterUnread: inventory.identityCenterError } : {}),
    },
  });
  const sent: ReviewPacket[] = [];
  for (const packet of packets) sent.push(await sendPacket(deps, campaign, packet, runId, options.actor));
  return { campaign, packets: sent };
}

async function sendPacket(deps: ReviewDeps, campaign: Campaign, packet: ReviewPacket, runId: string, actor: string): Promise<ReviewPacket> {
  const messenger = deps.messenger;
  const message = messenger === undefined ? undefined : await quietly(deps, `send the review of ${packet.person.email}`, () => messenger.send({ campaign, packet }));
  const sentAt = deps.reconcile.clock.now();
  const change = await deps.campaigns.updatePacket(campaign.id, packet.id, (p) => ({
    ok: true,
    packet: { ...p, sentAt, ...(message !== undefined ? { message } : {}) },
    decided: [],
  }));
  await auditReview(deps, {
    runId,
    actor,
    action: 'review.sent',
    target: campaign.id,
    person: packet.person.email,
    result: message !== undefined || messenger === undefined ? 'ok' : 'failed',
    after: {
      reviewer: packet.reviewer,
      items: packet.items.map((i) => describeEntitlement(i.entitlement)),
      ...(message !== undefined ? { message } : {}),
    },
    ...(message === undefined && messenger !== undefined ? { error: 'the Slack message could not be sent; the reminder retries it' } : {}),
  });
  return change.ok ? change.packet : packet;
}
