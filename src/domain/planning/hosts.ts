import { isHostKind, type HostActionKind } from '../action-kinds';
import { citation } from '../controls';
import type { HostInventory, HostKey } from '../inventory';
import type { Action, Finding } from '../plan';
import { DEFAULT_HOST_MIN_UID, DEFAULT_SHARED_HOST_ACCOUNTS } from '../policy';
import { personRef, type Person } from '../roster';
import { keyFingerprint } from '../ssh-key';
import { makeAction, makeFinding } from './build';
import { type PlanContext, type PlanPart, mustBeRevoked, phaseIn, userLabel } from './context';

/** How host actions and host verifications name what they change: `INSTANCE:OSUSER` (also the audit target). */
export const hostPrincipal = (instanceId: string, osUser: string): string => `${instanceId}:${osUser}`;

const KEY_BODY = /^AAAA[A-Za-z0-9+/]+={0,3}$/;

/**
 * The base64 body of an OpenSSH public key line (`[options] type body [comment]`) or of a bare body. Keys are then
 * matched by the SHA256 fingerprint of that body (IAM's own fingerprints are MD5, so they are not used).
 */
export function keyBodyOf(line: string): string | undefined {
  // A body never holds a quote, so a base64-looking word inside quoted options (`command="… AAAA…"`) is skipped.
  return line
    .trim()
    .split(/[ \t]+/)
    .find((token) => KEY_BODY.test(token));
}

/** How host keys are matched: OpenSSH's fingerprint as the host reported it, else computed from the body. */
const fingerprintOf = (key: Pick<HostKey, 'keyBody' | 'fingerprint'>): string => key.fingerprint ?? keyFingerprint(key.keyBody) ?? `body:${key.keyBody}`;

/** Who a key (by fingerprint) is known to belong to. */
interface KeyOwners {
  readonly people: Set<Person>;
  /** IAM users that hold the key but belong to no single roster person, by label, and whether they are exempt (break-glass, service). */
  readonly iamUsers: Map<string, boolean>;
}

/** Who a host account belongs to, by its name. */
type AccountOwner =
  | { readonly kind: 'person'; readonly person: Person; readonly how: string }
  | { readonly kind: 'ambiguous'; readonly people: readonly Person[] }
  | { readonly kind: 'none' };

/** What to do with one key found on a host. */
type KeyVerdict =
  | { readonly kind: 'remove'; readonly person: Person; readonly why: string }
  | { readonly kind: 'keep' }
  | { readonly kind: 'orphan'; readonly why: string }
  | { readonly kind: 'ambiguous'; readonly people: readonly Person[]; readonly why: string };

function indexKeyOwners(context: PlanContext): Map<string, KeyOwners> {
  const owners = new Map<string, KeyOwners>();
  const entry = (body: string): KeyOwners => {
    let found = owners.get(body);
    if (found === undefined) {
      found = { people: new Set(), iamUsers: new Map() };
      owners.set(body, found);
    }
    return found;
  };
  const fingerprint = (line: string): string | undefined => {
    const body = keyBodyOf(line);
    return body === undefined ? undefined : fingerprintOf({ keyBody: body });
  };
  for (const person of context.input.roster.people) {
    for (const line of person.sshKeys) {
      const fp = fingerprint(line);
      if (fp !== undefined) entry(fp).people.add(person);
    }
  }
  for (const { user, class: userClass } of context.users) {
    for (const key of user.detail?.sshPublicKeys ?? []) {
      const fp = key.body === undefined ? undefined : fingerprint(key.body);
      if (fp === undefined) continue;
      if (userClass.kind === 'matched') entry(fp).people.add(userClass.person);
      else entry(fp).iamUsers.set(userLabel(user), userClass.kind === 'break-glass' || userClass.kind === 'service-account');
    }
  }
  return owners;
}

/**
 * Whether a host account is a system or shared one: root, uid below `hosts.minUid`, or listed in
 * `hosts.sharedAccounts`. Such an account is never a person's own, whatever a roster row or userMap says.
 */
function sharedAccountTest(context: PlanContext): (osUser: string, uid: number | undefined) => boolean {
  const { minUid = DEFAULT_HOST_MIN_UID, sharedAccounts = DEFAULT_SHARED_HOST_ACCOUNTS } = context.input.policy.hosts;
  const shared = new Set(sharedAccounts);
  return (osUser, uid) => osUser === 'root' || shared.has(osUser) || (uid !== undefined && uid < minUid);
}

function accountOwnerResolver(context: PlanContext): (osUser: string, uid: number | undefined) => AccountOwner {
  const isShared = sharedAccountTest(context);
  const mapped = new Map<string, string>();
  for (const [osUser, email] of Object.entries(context.input.policy.hosts.userMap ?? {})) mapped.set(osUser, email.toLowerCase());
  const byName = new Map<string, Set<Person>>();
  const add = (name: string, person: Person): void => {
    const key = name.toLowerCase();
    if (key === '') return;
    const set = byName.get(key) ?? new Set<Person>();
    set.add(person);
    byName.set(key, set);
  };
  for (const person of context.input.roster.people) {
    add(person.email.slice(0, person.email.indexOf('@')), person);
    for (const name of person.awsUsernames) add(name, person);
  }
  for (const { user, class: userClass } of context.users) if (userClass.kind === 'matched') add(user.userName, userClass.person);

  return (osUser, uid) => {
    if (isShared(osUser, uid)) return { kind: 'none' };
    const email = mapped.get(osUser);
    if (email !== undefined) {
      const person = context.peopleByEmail.get(email);
      return person === undefined ? { kind: 'none' } : { kind: 'person', person, how: `hosts.userMap maps ${osUser} to ${email}` };
    }
    const people = [...(byName.get(osUser.toLowerCase()) ?? [])];
    const [only] = people;
    if (only === undefined) return { kind: 'none' };
    if (people.length > 1) return { kind: 'ambiguous', people };
    return { kind: 'person', person: only, how: `host account ${osUser} is named after ${only.email}` };
  };
}

const describeKey = (key: HostKey): string =>
  `${key.keyType} key${key.comment !== '' ? ` "${key.comment}"` : ''} in ${key.file} line ${key.line}`;

const listPeople = (people: readonly Person[]): string => people.map((p) => p.email).sort().join(', ');

function judgeKey(context: PlanContext, key: HostKey, owners: KeyOwners | undefined, account: AccountOwner): KeyVerdict {
  const leaving = (person: Person): boolean => mustBeRevoked(phaseIn(context, person));
  const bodyOwners = [...(owners?.people ?? [])];
  if (bodyOwners.length > 0) {
    const leavers = bodyOwners.filter(leaving).sort((a, b) => (a.email < b.email ? -1 : 1));
    const [leaver] = leavers;
    if (leaver === undefined) return { kind: 'keep' };
    // A key someone still working also holds must not be cut from under them: a person decides.
    if (leavers.length < bodyOwners.length) {
      return { kind: 'ambiguous', people: bodyOwners, why: `is listed for people who left and people who did not (${listPeople(bodyOwners)})` };
    }
    return { kind: 'remove', person: leaver, why: `key of ${leaver.email}` };
  }
  const iamUsers = [...(owners?.iamUsers ?? [])];
  if (iamUsers.length > 0) {
    if (iamUsers.some(([, exempt]) => exempt)) return { kind: 'keep' };
    return { kind: 'orphan', why: `is the SSH key of IAM user ${iamUsers.map(([label]) => label).join(', ')}, which has no single roster owner` };
  }
  switch (account.kind) {
    case 'person':
      return leaving(account.person) ? { kind: 'remove', person: account.person, why: account.how } : { kind: 'keep' };
    case 'ambiguous':
      return { kind: 'ambiguous', people: account.people, why: `is an unknown key in host account ${key.osUser}, whose name fits ${listPeople(account.people)}` };
    case 'none':
      return { kind: 'orphan', why: 'matches no roster person, IAM SSH key or host account mapping' };
  }
}

function unreachableFinding(host: HostInventory): Finding {
  return makeFinding(
    'host-unreachable',
    'high',
    'offboarding-24h',
    { account: host.account, instanceId: host.instanceId },
    `host did not answer (${host.error ?? 'no reason given'}); its SSH keys are unchecked and it is read again on the next run — ` +
      citation('offboarding-24h'),
  );
}

/**
 * Host keys and accounts: a key found on a host (by OpenSSH fingerprint) belongs to the person whose IAM SSH key or
 * roster `ssh_keys` has that fingerprint, else to the person its host account is named after (or mapped to by
 * `hosts.userMap`) unless that account is a system or shared one. Keys of leavers become `remove-host-key` (wherever
 * they were copied), every host account that is a leaver's own `lock-host-user` (keys or not); keys of no one are
 * `orphan-host-key` findings, lines OpenSSH does not read `unparsed-host-key-line`, and hosts that did not answer
 * `host-unreachable` findings, never silently skipped.
 */
export function planHosts(context: PlanContext): PlanPart {
  const { inventory, policy } = context.input;
  const actions: Action[] = [];
  const findings: Finding[] = [];
  if (inventory.hosts.length === 0) return { actions, findings };
  const owners = indexKeyOwners(context);
  const ownerOfAccount = accountOwnerResolver(context);

  for (const host of inventory.hosts) {
    if (host.status === 'unreachable') {
      findings.push(unreachableFinding(host));
      continue;
    }
    if (host.error !== undefined) {
      findings.push(
        makeFinding(
          'host-unreachable',
          'medium',
          'offboarding-24h',
          { account: host.account, instanceId: host.instanceId },
          `host read only in part (${host.error}); keys in what could not be read are unchecked`,
        ),
      );
    }
    const uids = new Map((host.accounts ?? []).map((a) => [a.name, a.uid] as const));
    const seen = new Set<string>();
    for (const key of host.keys) {
      const fp = fingerprintOf(key);
      const once = `${key.osUser}\u0000${fp}`;
      if (seen.has(once)) continue;
      seen.add(once);
      const where = { account: host.account, instanceId: host.instanceId, userName: key.osUser };
      const verdict = judgeKey(context, key, owners.get(fp), ownerOfAccount(key.osUser, uids.get(key.osUser)));
      switch (verdict.kind) {
        case 'keep':
          break;
        case 'remove':
          actions.push(
            makeAction(
              'remove-host-key',
              {
                account: host.account,
                userName: hostPrincipal(host.instanceId, key.osUser),
                reason: 'departed',
                control: 'offboarding-24h',
                person: personRef(verdict.person),
              },
              { instanceId: host.instanceId, osUser: key.osUser, keyType: key.keyType, keyBody: key.keyBody, comment: key.comment },
            ),
          );
          break;
        case 'orphan':
          findings.push(makeFinding('orphan-host-key', 'medium', 'account-ownership', where, `${describeKey(key)} ${verdict.why} — ${citation('account-ownership')}`));
          break;
        case 'ambiguous':
          findings.push(
            makeFinding('ambiguous-identity', 'high', 'account-ownership', where, `${describeKey(key)} ${verdict.why}; no automatic action until a person decides`),
          );
          break;
      }
    }
    for (const bad of host.unparsedLines ?? []) {
      findings.push(
        makeFinding(
          'unparsed-host-key-line',
          'low',
          'account-ownership',
          { account: host.account, instanceId: host.instanceId, userName: bad.osUser },
          `${bad.file} line ${bad.line}: ${bad.reason}; sshd grants nothing through it today, but a person should remove or fix it`,
        ),
      );
    }
    if (!policy.hosts.lockUsers) continue;
    // Every account the host knows, keys or not: a leaver with a password, a hidden key or a certificate is locked too.
    for (const osUser of new Set([...(host.accounts ?? []).map((a) => a.name), ...host.keys.map((k) => k.osUser)])) {
      const owner = ownerOfAccount(osUser, uids.get(osUser));
      if (owner.kind !== 'person' || !mustBeRevoked(phaseIn(context, owner.person)) || host.lockedUsers.includes(osUser)) continue;
      actions.push(
        makeAction(
          'lock-host-user',
          {
            account: host.account,
            userName: hostPrincipal(host.instanceId, osUser),
            reason: 'departed',
            control: 'offboarding-24h',
            person: personRef(owner.person),
          },
          { instanceId: host.instanceId, osUser },
        ),
      );
    }
  }
  return { actions, findings };
}

type HostAction = Extract<Action, { readonly kind: HostActionKind }>;

/** Whether an action is carried out on a host (through SSM) rather than in IAM (its kind's plane). */
export const isHostAction = (action: Action): action is HostAction => isHostKind(action.kind);

/**
 * What a re-read host still shows of the given actions (all on one host): keys still present, accounts not locked.
 * Empty means every action holds. `undefined` or an unreachable host proves nothing.
 */
export function remainingOnHost(host: HostInventory | undefined, actions: readonly Action[]): string[] {
  if (host === undefined) return ['host was not re-read'];
  if (host.status === 'unreachable') return [`host could not be re-read: ${host.error ?? 'no answer'}`];
  const remaining: string[] = [];
  for (const action of actions) {
    if (!isHostAction(action) || action.target.instanceId !== host.instanceId) continue;
    if (action.kind === 'remove-host-key') {
      const { osUser, keyBody } = action.target;
      const fp = fingerprintOf({ keyBody });
      for (const key of host.keys) if (key.osUser === osUser && fingerprintOf(key) === fp) remaining.push(`${describeKey(key)} still present`);
    } else if (!host.lockedUsers.includes(action.target.osUser)) {
      remaining.push(`host account ${action.target.osUser} is not locked`);
    }
  }
  if (host.error !== undefined && actions.some((a) => a.kind === 'remove-host-key')) remaining.push(`host read only in part: ${host.error}`);
  return remaining;
}

/** Each reachable host account that is one roster person's own and not locked (what an access review lists). */
export function ownedHostAccounts(context: PlanContext): { readonly host: HostInventory; readonly osUser: string; readonly person: Person }[] {
  const ownerOfAccount = accountOwnerResolver(context);
  const owned: { host: HostInventory; osUser: string; person: Person }[] = [];
  for (const host of context.input.inventory.hosts) {
    if (host.status !== 'ok') continue;
    const uids = new Map((host.accounts ?? []).map((a) => [a.name, a.uid] as const));
    for (const osUser of new Set([...(host.accounts ?? []).map((a) => a.name), ...host.keys.map((k) => k.osUser)])) {
      const owner = ownerOfAccount(osUser, uids.get(osUser));
      if (owner.kind === 'person' && !host.lockedUsers.includes(osUser)) owned.push({ host, osUser, person: owner.person });
    }
  }
  return owned;
}
