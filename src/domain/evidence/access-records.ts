/**
 * The compact, access-only view of an inventory that point-in-time evidence keeps: per IAM user
 * and per host account, the ways in it held. Volatile fields (last-used times, report dates) are
 * left out so an unchanged principal hashes the same run after run and is stored once.
 */
import { createHash } from 'node:crypto';
import { ACTION_KIND_TABLE, CREDENTIAL_HOLDINGS, CREDENTIAL_KINDS, type CredentialHolding, type CredentialHoldingKind } from '../action-kinds';
import { denyAllIn, denyAllPolicyArn } from '../policy-documents';
import { canonicalJson } from '../audit-chain';
import type { HostInventory, IamUser, Inventory } from '../inventory';
import { assertNever } from '../plan';
import type { IcUser } from '../identity-center';
import type { PersonRef } from '../roster';
import { describeIcPath, icCanGetIn, icRecordKey, identityCenterRecords, type IcAccessPath, type IcRecord } from './identity-center-records';
import { localeOrder } from '../collate';

/** One way into an account or host: a credential (action-kinds.ts says which), a grant, or a host key. */
export type AccessPath =
  | CredentialHolding
  | { readonly kind: 'group'; readonly name: string }
  | { readonly kind: 'managed-policy'; readonly name: string }
  | { readonly kind: 'inline-policy'; readonly name: string }
  /** An authorized_keys line, by its SHA-256 fingerprint (the body itself is not kept). */
  | { readonly kind: 'host-key'; readonly keyType: string; readonly fingerprint: string; readonly comment: string }
  | IcAccessPath;

export type AccessPathKind = AccessPath['kind'];

const isCredentialHolding = (path: AccessPath): path is CredentialHolding => Object.prototype.hasOwnProperty.call(CREDENTIAL_HOLDINGS, path.kind);

/** Paths that let someone sign in or call an API on their own (groups and policies only say what they could do then). */
export const isCredential = (path: AccessPath): boolean => isCredentialHolding(path) || path.kind === 'host-key' || path.kind === 'ic-permission-set';

/** One principal's access as one snapshot saw it. */
export type AccessRecord =
  | {
      readonly kind: 'iam-user';
      readonly account: string;
      readonly userName: string;
      readonly person?: PersonRef;
      /** Warden's deny-all inline policy is attached: credentials may exist but every call is denied. */
      readonly denyAll: boolean;
      /** SSH keys, certificates and service credentials come only from live detail (read now, or carried from the last read); false: unknown. */
      readonly detailKnown: boolean;
      /** Console and access keys come from live detail or the credential report; false when neither could be had. */
      readonly credentialsKnown: boolean;
      readonly paths: readonly AccessPath[];
    }
  | {
      readonly kind: 'host-user';
      readonly account: string;
      readonly instanceId: string;
      readonly osUser: string;
      readonly person?: PersonRef;
      readonly locked: boolean;
      readonly paths: readonly AccessPath[];
    }
  | IcRecord;

/** The principal a record describes: `iam/ACCOUNT/USER` or `host/INSTANCE/OSUSER`. Stable across snapshots. */
export function recordKey(record: AccessRecord): string {
  switch (record.kind) {
    case 'iam-user':
      return `iam/${record.account}/${record.userName}`;
    case 'host-user':
      return `host/${record.instanceId}/${record.osUser}`;
    case 'ic-user':
    case 'ic-instance':
      return icRecordKey(record);
    default:
      return assertNever(record);
  }
}

/** SHA-256 of the record's canonical JSON: equal content, equal hash, stored once. */
export function recordHash(record: AccessRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** Whether the principal could get in: some credential is live and nothing blocks it. */
export function canGetIn(record: AccessRecord): boolean {
  switch (record.kind) {
    case 'iam-user':
      return !record.denyAll && record.paths.some(isCredential);
    case 'host-user':
      return !record.locked && record.paths.some(isCredential);
    case 'ic-user':
      return icCanGetIn(record.paths);
    case 'ic-instance':
      return false;
    default:
      return assertNever(record);
  }
}

/** A short human label for a path. */
export function describePath(path: AccessPath): string {
  if (isCredentialHolding(path)) return describeHolding(path);
  switch (path.kind) {
    case 'group':
      return `group ${path.name}`;
    case 'managed-policy':
      return `managed policy ${path.name}`;
    case 'inline-policy':
      return `inline policy ${path.name}`;
    case 'host-key':
      return `SSH key ${path.keyType} ${path.fingerprint}${path.comment !== '' ? ` ${path.comment}` : ''}`;
    case 'ic-group':
    case 'ic-assignment':
    case 'ic-permission-set':
    case 'ic-session-deny':
      return describeIcPath(path);
    default:
      return assertNever(path);
  }
}

const describeHolding = <K extends CredentialHoldingKind>(holding: Extract<CredentialHolding, { kind: K }>): string =>
  (CREDENTIAL_HOLDINGS[holding.kind as K].describe as (h: Extract<CredentialHolding, { kind: K }>) => string)(holding);

/** A stable identity of a path within its principal (for history spans). */
export const pathId = (path: AccessPath | { readonly kind: string }): string => canonicalJson(path);

/** The OpenSSH-style fingerprint of a key body (`SHA256:` + unpadded base64 of the decoded key). */
export function sshFingerprint(keyBody: string): string {
  const digest = createHash('sha256').update(Buffer.from(keyBody, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** The people principals belong to, as far as identity matching can tell. */
export interface Owners {
  iamUser(user: IamUser): PersonRef | undefined;
  hostUser(host: HostInventory, osUser: string): PersonRef | undefined;
  /** Identity Center users (absent: kept without a person). */
  icUser?(user: IcUser): PersonRef | undefined;
}

/** Owners unknown: every record is kept without a person. */
export const noOwners: Owners = { iamUser: () => undefined, hostUser: () => undefined };

export interface AccessRecordOptions {
  readonly owners?: Owners;
  /** Warden's managed deny-all policy name (config `denyAllPolicyName`); inline deny-alls are recognised by document. */
  readonly denyAllPolicyName: string;
}

const ORDER: Readonly<Record<AccessPathKind, number>> = {
  ...(Object.fromEntries(Object.entries(CREDENTIAL_HOLDINGS).map(([kind, info]) => [kind, info.order])) as Record<CredentialHoldingKind, number>),
  'host-key': 5,
  group: 6,
  'managed-policy': 7,
  'inline-policy': 8,
  'ic-group': 9,
  'ic-assignment': 10,
  'ic-permission-set': 11,
  'ic-session-deny': 12,
};

/** Paths in a canonical order, so the record's hash does not depend on the order AWS listed them. */
export function sortPaths(paths: readonly AccessPath[]): AccessPath[] {
  const unique = new Map(paths.map((p) => [pathId(p), p]));
  return [...unique.values()].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || localeOrder(pathId(a), pathId(b)));
}

function iamRecord(user: IamUser, options: AccessRecordOptions): AccessRecord {
  const paths: AccessPath[] = [];
  const detail = user.detail;
  if (detail !== undefined) {
    for (const kind of CREDENTIAL_KINDS) {
      for (const held of ACTION_KIND_TABLE[kind].credentials?.(detail) ?? []) if (held.active) paths.push(held.holding);
    }
  } else if (user.credentials !== undefined) {
    if (user.credentials.passwordEnabled) paths.push({ kind: 'console' });
    for (const key of user.credentials.accessKeys) if (key.active) paths.push({ kind: 'access-key', id: `slot-${key.slot}` });
  }
  const groups = detail?.groups ?? user.groups;
  const attached = detail?.attachedPolicies ?? user.attachedPolicies;
  const inline = detail?.inlinePolicies ?? user.inlinePolicies;
  for (const name of groups) paths.push({ kind: 'group', name });
  for (const policy of attached) paths.push({ kind: 'managed-policy', name: policy.name });
  for (const name of inline) paths.push({ kind: 'inline-policy', name });
  const person = options.owners?.iamUser(user);
  return {
    kind: 'iam-user',
    account: user.account,
    userName: user.userName,
    ...(person !== undefined ? { person: { employeeId: person.employeeId, email: person.email } } : {}),
    denyAll: denyAllIn({ attachedPolicies: attached, inlinePolicies: inline, ...documentsOf(user) }, denyAllPolicyArn(user.arn, user.account, options.denyAllPolicyName)) !== undefined,
    detailKnown: detail !== undefined,
    credentialsKnown: detail !== undefined || user.credentials !== undefined,
    paths: sortPaths(paths),
  };
}

const documentsOf = (user: IamUser): { inlinePolicyDocuments?: Readonly<Record<string, unknown>> } => {
  const documents = { ...user.inlinePolicyDocuments, ...user.detail?.inlinePolicyDocuments };
  return Object.keys(documents).length > 0 ? { inlinePolicyDocuments: documents } : {};
};

function hostRecords(host: HostInventory, options: AccessRecordOptions): AccessRecord[] {
  const byUser = new Map<string, AccessPath[]>();
  for (const key of host.keys) {
    const list = byUser.get(key.osUser) ?? [];
    list.push({ kind: 'host-key', keyType: key.keyType, fingerprint: sshFingerprint(key.keyBody), comment: key.comment });
    byUser.set(key.osUser, list);
  }
  return [...byUser].map(([osUser, paths]) => {
    const person = options.owners?.hostUser(host, osUser);
    return {
      kind: 'host-user' as const,
      account: host.account,
      instanceId: host.instanceId,
      osUser,
      ...(person !== undefined ? { person: { employeeId: person.employeeId, email: person.email } } : {}),
      locked: host.lockedUsers.includes(osUser),
      paths: sortPaths(paths),
    };
  });
}

/** Where a record came from, so a run that could not read it keeps the last known state instead of dropping it. */
export type RecordScope =
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'host'; readonly instanceId: string }
  | { readonly kind: 'identity-center' };

export const scopeOf = (record: AccessRecord): RecordScope =>
  record.kind === 'iam-user'
    ? { kind: 'account', account: record.account }
    : record.kind === 'host-user'
      ? { kind: 'host', instanceId: record.instanceId }
      : { kind: 'identity-center' };

const scopeId = (scope: RecordScope): string =>
  scope.kind === 'account' ? `account/${scope.account}` : scope.kind === 'host' ? `host/${scope.instanceId}` : 'identity-center';

/** The records an inventory shows, and the scopes it failed to read (an account error, an unreachable host). */
export function accessRecordsOf(inventory: Inventory, options: AccessRecordOptions): { records: AccessRecord[]; unread: RecordScope[] } {
  const records: AccessRecord[] = [];
  for (const account of inventory.accounts) for (const user of account.users) records.push(iamRecord(user, options));
  for (const host of inventory.hosts) if (host.status === 'ok') records.push(...hostRecords(host, options));
  if (inventory.identityCenter !== undefined) records.push(...identityCenterRecords(inventory.identityCenter, (user) => options.owners?.icUser?.(user)));
  const unread: RecordScope[] = [
    ...inventory.accountErrors.map((e) => ({ kind: 'account' as const, account: e.account })),
    ...inventory.hosts.filter((h) => h.status !== 'ok').map((h) => ({ kind: 'host' as const, instanceId: h.instanceId })),
    ...(inventory.identityCenterError !== undefined ? [{ kind: 'identity-center' as const }] : []),
  ];
  return { records, unread };
}

const DETAIL_ONLY: ReadonlySet<AccessPathKind> = new Set(
  (Object.keys(CREDENTIAL_HOLDINGS) as CredentialHoldingKind[]).filter((kind) => CREDENTIAL_HOLDINGS[kind].detailOnly),
);

/**
 * Completes what a run saw with the previous snapshot: principals in scopes it could not read keep
 * their last known record, and an IAM user read without live detail keeps the SSH keys,
 * certificates and service credentials last read (and key ids when the active key count agrees),
 * so a snapshot never claims access ended only because this run looked less closely.
 */
export function carryForward(
  previous: readonly AccessRecord[],
  current: readonly AccessRecord[],
  unread: readonly RecordScope[],
): AccessRecord[] {
  const unreadIds = new Set(unread.map(scopeId));
  const seen = new Set(current.map(recordKey));
  const previousByKey = new Map(previous.map((r) => [recordKey(r), r]));
  const merged = current.map((record) => {
    const before = previousByKey.get(recordKey(record));
    if (record.kind !== 'iam-user' || before?.kind !== 'iam-user') return record;
    let paths = record.paths;
    let { detailKnown, credentialsKnown } = record;
    if (!credentialsKnown && before.credentialsKnown) {
      paths = [...paths, ...before.paths.filter((p) => p.kind === 'console' || p.kind === 'access-key')];
      credentialsKnown = true;
    }
    if (!detailKnown && before.detailKnown) {
      const keysNow = paths.filter((p) => p.kind === 'access-key');
      const keysBefore = before.paths.filter((p) => p.kind === 'access-key');
      const keepIds = keysNow.length === keysBefore.length && keysNow.every((p) => p.kind === 'access-key' && p.id.startsWith('slot-'));
      paths = [
        ...paths.filter((p) => p.kind !== 'access-key' || !keepIds),
        ...(keepIds ? keysBefore : []),
        ...before.paths.filter((p) => DETAIL_ONLY.has(p.kind)),
      ];
      detailKnown = true;
    }
    return paths === record.paths ? record : { ...record, detailKnown, credentialsKnown, paths: sortPaths(paths) };
  });
  const kept = previous.filter((r) => !seen.has(recordKey(r)) && unreadIds.has(scopeId(scopeOf(r))));
  return [...merged, ...kept];
}
