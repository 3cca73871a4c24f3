import type { AccountInventory } from '../../domain/inventory';
import type { AuditEntry, AuditLog } from '../../ports';

/**
 * Whether an audit entry is Warden's verified "no access left" for an IAM user in `account`: a `verify` of the user's own
 * plane (not an Identity Center user's, nor a role's deny, which name the leaver but are verified elsewhere).
 */
function verifiedNoAccess(entry: AuditEntry, account: string, userName: string): boolean {
  if (entry.action !== 'verify' || entry.result !== 'verified' || entry.account !== account || entry.target !== userName) return false;
  const after = entry.after;
  if (after === null || typeof after !== 'object' || Array.isArray(after)) return false;
  const fields = after as Record<string, unknown>;
  return fields['noAccessLeft'] === true && fields['plane'] === undefined && fields['sessionsEnded'] === undefined;
}

/**
 * Adds to each account, for the users asked about (the leavers whose sessions are planned), when Warden last verified
 * "no access left" for them, from the audit log: what their role sessions' "may live until" is timed from. Only read when
 * some account has roles (nothing else uses it); the latest such entry at or before `now` (access that came back and
 * was cut again ends later, never earlier).
 */
export async function withNoAccessSince(
  audit: AuditLog,
  accounts: readonly AccountInventory[],
  wanted: readonly { readonly account: string; readonly userNames: readonly string[] }[],
  now: Date,
): Promise<AccountInventory[]> {
  if (!accounts.some((a) => (a.roles ?? []).length > 0)) return [...accounts];
  return Promise.all(
    accounts.map(async (account) => {
      const names = wanted.find((w) => w.account === account.account)?.userNames ?? [];
      const since = new Map<string, Date>();
      for (const userName of names) {
        for (const entry of await audit.query({ userName, until: now })) {
          const at = new Date(entry.at);
          if (!verifiedNoAccess(entry, account.account, userName) || Number.isNaN(at.getTime()) || at > now) continue;
          const known = since.get(userName);
          if (known === undefined || at > known) since.set(userName, at);
        }
      }
      return since.size > 0 ? { ...account, noAccessSince: since } : account;
    }),
  );
}
