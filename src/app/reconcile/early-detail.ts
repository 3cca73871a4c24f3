import type { IamUser, IamUserDetail, Inventory } from '../../domain/inventory';
import type { AccessPolicy } from '../../domain/policy';
import type { Roster } from '../../domain/roster';
import type { ReviewedRevocation } from '../../domain/reviews/types';
import { usersNeedingDetail } from '../../domain/planner';
import type { AccountDirectory } from '../../ports';

/**
 * Live reads that need not wait for an account's bulk inventory (issue 12, whole organization): the IAM users the
 * roster names (`aws_usernames`) for people the plan would revoke. Each account's IAM throttle is its own, so these
 * reads use its request budget while the inventory (seconds of XML and CSV parsing per 5,000 users) is still coming in.
 *
 * Only a head start, never a decision: which users get live detail is decided again from the real inventory
 * (`usersNeedingDetail`); an early read the plan does not ask for is dropped, and a user the early read did not find
 * is read again (it may have been created since). The roster is HR's; nothing an IAM user carries widens these reads.
 */
export interface EarlyDetail {
  /** The names read early, and the detail of those that existed then. */
  readonly asked: readonly string[];
  readonly details: ReadonlyMap<string, IamUserDetail>;
}

const NONE: EarlyDetail = { asked: [], details: new Map() };

/** The roster-named users of `account` the planner would read live, judged as if each were in the account untagged. */
export function rosterNamedLeavers(input: { roster: Roster; account: string; policy: AccessPolicy; now: Date; reviews: readonly ReviewedRevocation[] }): string[] {
  // People still plainly employed cannot make a user a leaver (an ambiguous claim needs a departed claimant too).
  const names = new Set(input.roster.people.filter((p) => p.status !== 'active' || p.endAt !== undefined).flatMap((p) => p.awsUsernames));
  if (names.size === 0) return [];
  const users = [...names].map(
    (userName): IamUser => ({
      account: input.account,
      userName,
      userId: '',
      arn: `arn:aws:iam::${input.account}:user/${userName}`,
      path: '/',
      createdAt: new Date(0),
      tags: {},
      groups: [],
      attachedPolicies: [],
      inlinePolicies: [],
    }),
  );
  const inventory: Inventory = { accounts: [{ account: input.account, users, groups: [], credentialReportAt: null }], accountErrors: [], hosts: [] };
  return usersNeedingDetail({ roster: input.roster, inventory, policy: input.policy, now: input.now, reviews: input.reviews }).find((w) => w.account === input.account)?.userNames ?? [];
}

/**
 * Starts the early reads for one directory (none when its account id is not known before its inventory). A failed
 * early read is forgotten: the same users are then read after the inventory, where a failure is reported as ever.
 */
export function startEarlyDetail(directory: AccountDirectory, names: (account: string) => readonly string[]): Promise<EarlyDetail> {
  let account: string;
  try {
    account = directory.account;
  } catch {
    return Promise.resolve(NONE);
  }
  const asked = names(account);
  if (asked.length === 0) return Promise.resolve(NONE);
  return directory.describeUsers(asked).then(
    (details) => ({ asked, details }),
    () => NONE,
  );
}

/** The detail for `wanted`: early reads where they found the user, one live read for the rest. */
export async function detailFor(directory: AccountDirectory, wanted: readonly string[], early: EarlyDetail): Promise<ReadonlyMap<string, IamUserDetail>> {
  const rest = wanted.filter((name) => !early.details.has(name));
  const late = rest.length > 0 ? await directory.describeUsers(rest) : new Map<string, IamUserDetail>();
  const out = new Map<string, IamUserDetail>();
  for (const name of wanted) {
    const detail = early.details.get(name) ?? late.get(name);
    if (detail !== undefined) out.set(name, detail);
  }
  return out;
}
