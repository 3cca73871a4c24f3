/**
 * Leavers' live IAM role sessions: for each IAM-user leaver, the roles they could assume (role-trust.ts), and per role
 * the Deny that ends their sessions there (their pinned source identity, or opt-in "revoke older sessions"), else a
 * high finding saying until when a session may live. Warden's statements whose every session has expired are dropped.
 *
 * "No access left" (the last instant a leaver could start a session): while the user's deny-all is missing it is now
 * (this run cuts access); once it is in place, the time the audit log recorded it verified (`noAccessSince`), and
 * only where that is unknown the end date or Warden's latest deny on the leaver's roles (a lower bound).
 */
import { citation } from '../controls';
import type { AccountInventory, IamRole, IamUser } from '../inventory';
import type { Finding } from '../plan';
import { denyAllIn, denyAllPolicyArn, own } from '../policy-documents';
import { deniesSourceIdentities, expiredStatements, parseWardenRolePolicy, sidOf, type WardenRoleStatement } from '../role-session-policy';
import { assumableRoles, type TrustingUser } from '../role-trust';
import { personRef, type Person } from '../roster';
import { lastSessionExpiry, sessionExposure, sessionExposureWords, sessionSummaryWords, summarizeSessions, type LeaverSessions, type SessionPrincipal } from '../sessions';
import { formatInZone } from '../time';
import { makeAction, makeFinding } from './build';
import { mustBeRevoked, phaseIn, type PlanContext, type PlanPart } from './context';

export interface SessionsPart extends PlanPart {
  readonly sessions: readonly LeaverSessions[];
}

interface RoleEntry {
  readonly account: string;
  readonly role: IamRole;
  readonly statements: readonly WardenRoleStatement[];
}

/** Every identity policy document the user holds (inline, attached, through groups); undefined where unread. */
function userPolicies(account: AccountInventory, user: IamUser): unknown[] {
  const docs: unknown[] = [];
  const managed = account.managedPolicyDocuments ?? {};
  const inline = user.inlinePolicyDocuments ?? {};
  for (const name of user.inlinePolicies) docs.push(own(inline, name));
  for (const p of user.attachedPolicies) docs.push(own(managed, p.arn));
  for (const groupName of user.groups) {
    const group = account.groups.find((g) => g.name.toLowerCase() === groupName.toLowerCase());
    if (group === undefined) {
      docs.push(undefined);
      continue;
    }
    const groupInline = group.inlinePolicyDocuments ?? {};
    for (const name of group.inlinePolicies) docs.push(own(groupInline, name));
    for (const p of group.attachedPolicies) docs.push(own(managed, p.arn));
  }
  return docs;
}

/** Session actions, findings and each leaver's session status. Pure over the plan context. */
export function planSessions(context: PlanContext): SessionsPart {
  const { inventory, policy, now } = context.input;
  const actions: PlanPart['actions'][number][] = [];
  const findings: Finding[] = [];
  const sessions: LeaverSessions[] = [];
  const roles: RoleEntry[] = inventory.accounts.flatMap((account) =>
    (account.roles ?? []).map((role) => ({ account: account.account, role, statements: parseWardenRolePolicy(role.wardenPolicy ?? undefined).statements })),
  );
  for (const account of inventory.accounts) {
    if (account.rolesError !== undefined) {
      findings.push(
        makeFinding('roles-unavailable', 'high', 'offboarding-24h', { account: account.account }, `IAM roles could not be read (${account.rolesError}); leavers' role sessions there are unchecked — ${citation('offboarding-24h')}`),
      );
    }
  }
  const revokeOlder = policy.sessions?.revokeOlderOnRoles === true;

  for (const { account, user, class: userClass } of context.users) {
    // A user that might be a leaver's (ambiguous, held back) has access stopped like theirs: so do its sessions.
    const person: Person | undefined =
      userClass.kind === 'matched'
        ? mustBeRevoked(phaseIn(context, userClass.person))
          ? userClass.person
          : undefined
        : userClass.kind === 'ambiguous' || userClass.kind === 'held-back'
          ? userClass.people.find((p) => mustBeRevoked(phaseIn(context, p)))
          : undefined;
    if (person === undefined) continue;
    const ref = personRef(person);
    const holder = user.detail ?? user;
    const denyAllArn = denyAllPolicyArn(user.arn, user.account, policy.denyAllPolicyName);
    const accessLive = denyAllIn(holder, denyAllArn, account.managedPolicyDocuments?.[denyAllArn]) === undefined;
    const stored = accessLive ? undefined : account.noAccessSince?.get(user.userName);
    const accessEndedAt = accessLive ? now : (stored ?? person.endAt ?? now);
    // A revoke-older statement counts when it went in after the leaver's access was being cut (the end date at the
    // earliest: Warden adds it in the run that attaches the deny-all, just before verifying it).
    const revokeFloor = accessLive ? now : (person.endAt ?? accessEndedAt);
    const trusting: TrustingUser = { account: user.account, userName: user.userName, userId: user.userId, arn: user.arn, identities: [person.email] };
    const principals: LeaverSessions['principals'][number][] = [];
    const fields = { userName: user.userName, reason: 'departed', person: ref, control: 'offboarding-24h' } as const;

    const assumable = assumableRoles(trusting, userPolicies(account, user), roles.map((r) => ({ ...r.role, entry: r })));
    const decided = assumable.map(({ role, grant }) => {
      const entry = role.entry;
      const stillNeeded = accessLive || now.getTime() < lastSessionExpiry(role, accessEndedAt).getTime();
      let deny: SessionPrincipal['deny'];
      if (grant.sourceIdentity.pinned) {
        const existing = deniesSourceIdentities(entry.statements, grant.sourceIdentity.values);
        if (existing !== undefined) deny = { kind: 'source-identity', since: existing.since };
        else if (stillNeeded) {
          actions.push(makeAction('deny-role-source-identity', { ...fields, account: entry.account }, { roleName: role.roleName, roleArn: role.arn, sourceIdentities: grant.sourceIdentity.values }));
          deny = { kind: 'source-identity', since: now };
        }
      } else {
        const revoke = entry.statements.find((s) => s.kind === 'revoke-older' && !accessLive && s.since.getTime() >= revokeFloor.getTime());
        if (revoke !== undefined) deny = { kind: 'revoke-older-sessions', since: revoke.since };
        else if (revokeOlder && stillNeeded) {
          actions.push(makeAction('revoke-older-role-sessions', { ...fields, account: entry.account }, { roleName: role.roleName, roleArn: role.arn }));
          deny = { kind: 'revoke-older-sessions', since: now };
        }
      }
      return { role, deny };
    });
    // Without the stored time: Warden puts a deny in right after the deny-all (same run, same user's queue), so the
    // latest of this leaver's denies bounds "no access left" better than the end date when the deny-all was there.
    const endedBy = stored !== undefined ? stored.getTime() : decided.reduce((t, d) => Math.max(t, d.deny?.since.getTime() ?? 0), accessEndedAt.getTime());
    const accessEnded = new Date(endedBy);
    for (const { role, deny } of decided) {
      const exposure = sessionExposure({ arn: role.arn, maxSessionSeconds: role.maxSessionSeconds, ...(deny !== undefined ? { deny } : {}) }, accessEnded, now);
      principals.push({ arn: role.arn, exposure, words: sessionExposureWords(exposure, policy.timezone) });
      if (exposure.status === 'may-live-until') {
        findings.push(
          makeFinding(
            'sessions-may-live',
            'high',
            'offboarding-24h',
            { account: user.account, userName: user.userName, person: ref },
            `could assume role ${role.arn} (trust does not pin their source identity): sessions may live until ${formatInZone(exposure.until, policy.timezone)} (MaxSessionDuration ${role.maxSessionSeconds / 3600} h after access ended)${revokeOlder ? '' : '; set sessions.revokeOlderOnRoles to end them'} — ${citation('offboarding-24h')}`,
          ),
        );
      }
    }
    const summary = summarizeSessions(
      principals.map((p) => p.exposure),
      accessEnded,
    );
    sessions.push({ account: user.account, userName: user.userName, person: ref, summary, words: sessionSummaryWords(summary, policy.timezone), principals });
  }

  for (const entry of roles) {
    const expired = expiredStatements(entry.statements, entry.role.maxSessionSeconds, now);
    if (expired.length === 0) continue;
    actions.push(
      makeAction(
        'drop-expired-session-denies',
        { account: entry.account, userName: entry.role.roleName, reason: 'departed', control: 'offboarding-24h' },
        { roleName: entry.role.roleName, roleArn: entry.role.arn, sids: expired.map(sidOf).sort() },
      ),
    );
  }
  sessions.sort((a, b) => (a.account + a.userName < b.account + b.userName ? -1 : 1));
  return { actions, findings, sessions };
}
