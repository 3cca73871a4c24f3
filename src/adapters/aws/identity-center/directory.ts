import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  durationSeconds,
  IC_INLINE_POLICY_MAX_CHARS,
  parseInlinePolicy,
  renderInlinePolicy,
  type IcAssignment,
  type IcMembership,
  type IcPermissionSet,
  type IcUser,
  type IdentityCenterInventory,
} from '../../../domain/identity-center';
import type { IdentityCenterAction } from '../../../domain/plan';
import { errorText } from '../../../errors';
import { mapLimit, sleep } from '../../../lib/concurrency';
import type { ActionOutcome } from '../../../ports';
import type { IcLiveState, IdentityCenterPlane } from '../../../ports/identity-center';
import { identityStoreSdk, ssoAdminSdk } from '../sdk';

export interface IdentityCenterDirectoryOptions {
  readonly identityStore: IdentitystoreClient;
  readonly ssoAdmin: SSOAdminClient;
  readonly instanceArn: string;
  readonly identityStoreId: string;
  readonly source: 'internal' | 'external';
  /** Calls in flight at once while reading (Identity Center throttles per account; the SDK retries). */
  readonly concurrency?: number;
  /** Wait between status calls of an asynchronous request (deletion, provisioning); default 1 s. */
  readonly pollMs?: number;
  /** Status calls before a request that has not ended is reported failed (and retried next run); default 300. */
  readonly maxPolls?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Every page of a NextToken list. */
async function allPages<T>(fetch: (token: string | undefined) => Promise<{ readonly items: readonly T[] | undefined; readonly next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...(page.items ?? []));
    token = page.next;
  } while (token !== undefined);
  return out;
}

const isNotFound = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ResourceNotFoundException';

const failed = (error: unknown, retryable = true): ActionOutcome => ({ result: 'failed', error: errorText(error), retryable });

/**
 * IAM Identity Center through the identitystore and sso-admin APIs. The inventory reads users and groups a page (100) at
 * a time, memberships per group, and assignments per permission set and provisioned account: for N users, G groups, P
 * sets over A accounts that is about N/100 + G + 3P + (P x A) calls, where per-principal listing would cost N + G.
 */
export class IdentityCenterDirectory implements IdentityCenterPlane {
  readonly identityStoreId: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: IdentityCenterDirectoryOptions) {
    this.identityStoreId = options.identityStoreId;
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 8;
  }

  async inventory(): Promise<IdentityCenterInventory> {
    const { identityStore, ssoAdmin, instanceArn, identityStoreId } = this.options;
    const [users, groups, permissionSetArns] = await Promise.all([
      allPages(async (NextToken) => {
        const out = await identityStore.send(new (identityStoreSdk().ListUsersCommand)({ IdentityStoreId: identityStoreId, MaxResults: 100, NextToken }));
        return {
          items: (out.Users ?? []).map(
            (u): IcUser => ({
              userId: u.UserId ?? '',
              userName: u.UserName ?? '',
              ...(u.DisplayName !== undefined ? { displayName: u.DisplayName } : {}),
              emails: (u.Emails ?? []).flatMap((e) => (e.Value !== undefined ? [e.Value] : [])),
              externalIds: (u.ExternalIds ?? []).flatMap((x) => (x.Id !== undefined ? [x.Id] : [])),
            }),
          ),
          next: out.NextToken,
        };
      }),
      allPages(async (NextToken) => {
        const out = await identityStore.send(new (identityStoreSdk().ListGroupsCommand)({ IdentityStoreId: identityStoreId, MaxResults: 100, NextToken }));
        return { items: (out.Groups ?? []).map((g) => ({ groupId: g.GroupId ?? '', displayName: g.DisplayName ?? g.GroupId ?? '' })), next: out.NextToken };
      }),
      allPages(async (NextToken) => {
        const out = await ssoAdmin.send(new (ssoAdminSdk().ListPermissionSetsCommand)({ InstanceArn: instanceArn, MaxResults: 100, NextToken }));
        return { items: out.PermissionSets, next: out.NextToken };
      }),
    ]);
    const memberships = (
      await mapLimit(groups, this.concurrency, (group) =>
        allPages(async (NextToken) => {
          const out = await identityStore.send(new (identityStoreSdk().ListGroupMembershipsCommand)({ IdentityStoreId: identityStoreId, GroupId: group.groupId, MaxResults: 100, NextToken }));
          return {
            items: (out.GroupMemberships ?? []).flatMap((m): IcMembership[] =>
              m.MemberId !== undefined && 'UserId' in m.MemberId && m.MemberId.UserId !== undefined && m.MembershipId !== undefined
                ? [{ membershipId: m.MembershipId, groupId: group.groupId, userId: m.MemberId.UserId }]
                : [],
            ),
            next: out.NextToken,
          };
        }),
      )
    ).flat();
    const permissionSets = await mapLimit(permissionSetArns, this.concurrency, (arn) => this.readPermissionSet(arn));
    const pairs = permissionSets.flatMap((ps) => ps.provisionedAccounts.map((accountId) => ({ ps, accountId })));
    const assignments = (
      await mapLimit(pairs, this.concurrency, ({ ps, accountId }) =>
        allPages(async (NextToken) => {
          const out = await ssoAdmin.send(new (ssoAdminSdk().ListAccountAssignmentsCommand)({ InstanceArn: instanceArn, AccountId: accountId, PermissionSetArn: ps.arn, MaxResults: 100, NextToken }));
          return {
            items: (out.AccountAssignments ?? []).flatMap((a): IcAssignment[] =>
              a.PrincipalId !== undefined && (a.PrincipalType === 'USER' || a.PrincipalType === 'GROUP')
                ? [{ accountId, permissionSetArn: ps.arn, principalType: a.PrincipalType, principalId: a.PrincipalId }]
                : [],
            ),
            next: out.NextToken,
          };
        }),
      )
    ).flat();
    return { instanceArn, identityStoreId, source: this.options.source, users, groups, memberships, permissionSets, assignments };
  }

  /** One permission set: its name and session duration, inline policy, and the accounts it is provisioned to. */
  private async readPermissionSet(arn: string): Promise<IcPermissionSet> {
    const { ssoAdmin, instanceArn } = this.options;
    const [described, inline, provisionedAccounts, managedPolicies] = await Promise.all([
      ssoAdmin.send(new (ssoAdminSdk().DescribePermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn })),
      ssoAdmin.send(new (ssoAdminSdk().GetInlinePolicyForPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn })),
      this.provisionedAccounts(arn),
      // For the admin budget (policy checks): AdministratorAccess attached makes the set's users administrators.
      allPages(async (NextToken) => {
        const out = await ssoAdmin.send(new (ssoAdminSdk().ListManagedPoliciesInPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn, MaxResults: 100, NextToken }));
        return { items: out.AttachedManagedPolicies, next: out.NextToken };
      }),
    ]);
    const inlinePolicy = inline.InlinePolicy === undefined || inline.InlinePolicy === '' ? null : inline.InlinePolicy;
    // A set holding Warden's Deny must run it everywhere: which accounts run an older version is read for those only.
    const denies = (parseInlinePolicy(inlinePolicy)?.denied.length ?? 0) > 0;
    const outdated = denies ? await this.provisionedAccounts(arn, 'LATEST_PERMISSION_SET_NOT_PROVISIONED') : [];
    const declared = described.PermissionSet?.SessionDuration;
    return {
      arn,
      name: described.PermissionSet?.Name ?? arn,
      // AWS's default session duration is one hour; an unreadable one is taken at AWS's maximum, 12 hours.
      sessionSeconds: declared === undefined ? 3600 : (durationSeconds(declared) ?? 12 * 3600),
      inlinePolicy,
      provisionedAccounts,
      ...(outdated.length > 0 ? { outdatedAccounts: outdated } : {}),
      managedPolicies: managedPolicies.flatMap((p) => (p.Arn !== undefined ? [{ name: p.Name ?? p.Arn.slice(p.Arn.lastIndexOf('/') + 1), arn: p.Arn }] : [])),
    };
  }

  private provisionedAccounts(arn: string, status?: 'LATEST_PERMISSION_SET_NOT_PROVISIONED'): Promise<string[]> {
    return allPages(async (NextToken) => {
      const out = await this.options.ssoAdmin.send(
        new (ssoAdminSdk().ListAccountsForProvisionedPermissionSetCommand)({ InstanceArn: this.options.instanceArn, PermissionSetArn: arn, MaxResults: 100, NextToken, ...(status !== undefined ? { ProvisioningStatus: status } : {}) }),
      );
      return { items: out.AccountIds, next: out.NextToken };
    });
  }

  async execute(action: IdentityCenterAction): Promise<ActionOutcome> {
    const { identityStore, ssoAdmin, instanceArn, identityStoreId } = this.options;
    try {
      switch (action.kind) {
        case 'remove-ic-membership':
          return await this.gone(identityStore.send(new (identityStoreSdk().DeleteGroupMembershipCommand)({ IdentityStoreId: identityStoreId, MembershipId: action.target.membershipId })), {
            groupId: action.target.groupId,
          });
        case 'delete-ic-user':
          return await this.gone(identityStore.send(new (identityStoreSdk().DeleteUserCommand)({ IdentityStoreId: identityStoreId, UserId: action.target.userId })), { userId: action.target.userId });
        case 'delete-ic-assignment': {
          const { accountId, permissionSetArn, userId } = action.target;
          let started;
          try {
            started = await ssoAdmin.send(
              new (ssoAdminSdk().DeleteAccountAssignmentCommand)({ InstanceArn: instanceArn, TargetId: accountId, TargetType: 'AWS_ACCOUNT', PermissionSetArn: permissionSetArn, PrincipalType: 'USER', PrincipalId: userId }),
            );
          } catch (error) {
            if (isNotFound(error)) return { result: 'ok', after: { assigned: false, already: true } };
            throw error;
          }
          const end = await this.poll(started.AccountAssignmentDeletionStatus, async (RequestId) =>
            (await ssoAdmin.send(new (ssoAdminSdk().DescribeAccountAssignmentDeletionStatusCommand)({ InstanceArn: instanceArn, AccountAssignmentDeletionRequestId: RequestId }))).AccountAssignmentDeletionStatus,
          );
          return end.ok ? { result: 'ok', before: { assigned: true }, after: { assigned: false, requestId: end.requestId } } : { result: 'failed', error: end.error, retryable: true };
        }
        case 'deny-ic-sessions':
        case 'release-ic-session-deny': {
          const { permissionSetArn, pattern } = action.target;
          const adding = action.kind === 'deny-ic-sessions';
          return await this.locked(permissionSetArn, () => this.changeDeny(permissionSetArn, (denied) => (adding ? [...denied, pattern] : denied.filter((p) => p !== pattern))));
        }
      }
    } catch (error) {
      return failed(error);
    }
  }

  /** A deletion where "not found" means already done. */
  private async gone(call: Promise<unknown>, what: Readonly<Record<string, unknown>>): Promise<ActionOutcome> {
    try {
      await call;
      return { result: 'ok', before: { ...what, exists: true }, after: { ...what, exists: false } };
    } catch (error) {
      if (isNotFound(error)) return { result: 'ok', after: { ...what, exists: false, already: true } };
      return failed(error);
    }
  }

  /** Runs changes to one permission set's inline policy one at a time: each is a read, merge and write. */
  private locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Reads the inline policy, changes only Warden's statement, writes it back (within AWS's limit) and re-provisions it. */
  private async changeDeny(arn: string, change: (denied: readonly string[]) => readonly string[]): Promise<ActionOutcome> {
    const { ssoAdmin, instanceArn } = this.options;
    const current = (await ssoAdmin.send(new (ssoAdminSdk().GetInlinePolicyForPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn }))).InlinePolicy ?? '';
    const parsed = parseInlinePolicy(current);
    if (parsed === undefined) return { result: 'failed', error: `the inline policy of ${arn} is not a JSON policy document: not changed`, retryable: false };
    const denied = [...new Set(change(parsed.denied))].sort();
    const next = renderInlinePolicy(parsed, denied);
    if (next !== null && next.length > IC_INLINE_POLICY_MAX_CHARS) {
      return { result: 'failed', error: `Warden's Deny would make the inline policy of ${arn} ${next.length} characters, over AWS's ${IC_INLINE_POLICY_MAX_CHARS}: not changed`, retryable: false };
    }
    const changed = JSON.stringify(denied) !== JSON.stringify(parsed.denied);
    if (changed) {
      if (next === null) await ssoAdmin.send(new (ssoAdminSdk().DeleteInlinePolicyFromPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn }));
      else await ssoAdmin.send(new (ssoAdminSdk().PutInlinePolicyToPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn, InlinePolicy: next }));
    }
    const accounts = await this.provisionedAccounts(arn);
    if (accounts.length > 0) {
      const started = await ssoAdmin.send(new (ssoAdminSdk().ProvisionPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }));
      const end = await this.poll(started.PermissionSetProvisioningStatus, async (RequestId) =>
        (await ssoAdmin.send(new (ssoAdminSdk().DescribePermissionSetProvisioningStatusCommand)({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: RequestId }))).PermissionSetProvisioningStatus,
      );
      if (!end.ok) return { result: 'failed', error: `policy written but not provisioned: ${end.error}`, retryable: true };
    }
    return { result: 'ok', before: { denied: parsed.denied }, after: { denied, provisionedTo: accounts } };
  }

  /** Waits for an asynchronous request to end. */
  private async poll(
    first: { Status?: string | undefined; RequestId?: string | undefined; FailureReason?: string | undefined } | undefined,
    describe: (requestId: string) => Promise<{ Status?: string | undefined; FailureReason?: string | undefined } | undefined>,
  ): Promise<{ ok: true; requestId: string } | { ok: false; error: string }> {
    const requestId = first?.RequestId;
    if (requestId === undefined) return { ok: false, error: 'AWS returned no request id' };
    let status = first;
    const wait = this.options.sleep ?? sleep;
    for (let polls = 0; status?.Status === 'IN_PROGRESS'; polls++) {
      if (polls >= (this.options.maxPolls ?? 300)) return { ok: false, error: `request ${requestId} still in progress` };
      await wait(this.options.pollMs ?? 1000);
      status = await describe(requestId);
    }
    return status?.Status === 'SUCCEEDED' ? { ok: true, requestId } : { ok: false, error: `request ${requestId} ${status?.Status ?? 'unknown'}: ${status?.FailureReason ?? 'no reason given'}` };
  }

  async reread(userIds: readonly string[], permissionSetArns: readonly string[]): Promise<IcLiveState> {
    const { identityStore, ssoAdmin, instanceArn, identityStoreId } = this.options;
    const users = new Map<string, { groupIds: string[]; assignments: { accountId: string; permissionSetArn: string }[] }>();
    await mapLimit([...new Set(userIds)], this.concurrency, async (userId) => {
      try {
        await identityStore.send(new (identityStoreSdk().DescribeUserCommand)({ IdentityStoreId: identityStoreId, UserId: userId }));
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      const [groupIds, assignments] = await Promise.all([
        allPages(async (NextToken) => {
          const out = await identityStore.send(new (identityStoreSdk().ListGroupMembershipsForMemberCommand)({ IdentityStoreId: identityStoreId, MemberId: { UserId: userId }, MaxResults: 100, NextToken }));
          return { items: (out.GroupMemberships ?? []).flatMap((m) => (m.GroupId !== undefined ? [m.GroupId] : [])), next: out.NextToken };
        }),
        allPages(async (NextToken) => {
          const out = await ssoAdmin.send(new (ssoAdminSdk().ListAccountAssignmentsForPrincipalCommand)({ InstanceArn: instanceArn, PrincipalId: userId, PrincipalType: 'USER', MaxResults: 100, NextToken }));
          return {
            items: (out.AccountAssignments ?? []).flatMap((a) => (a.AccountId !== undefined && a.PermissionSetArn !== undefined ? [{ accountId: a.AccountId, permissionSetArn: a.PermissionSetArn }] : [])),
            next: out.NextToken,
          };
        }),
      ]);
      users.set(userId, { groupIds, assignments });
    });
    const permissionSets = new Map<string, { denied: string[] | undefined; outdatedAccounts: string[] }>();
    await mapLimit([...new Set(permissionSetArns)], this.concurrency, async (arn) => {
      const [inline, outdatedAccounts] = await Promise.all([
        ssoAdmin.send(new (ssoAdminSdk().GetInlinePolicyForPermissionSetCommand)({ InstanceArn: instanceArn, PermissionSetArn: arn })),
        this.provisionedAccounts(arn, 'LATEST_PERMISSION_SET_NOT_PROVISIONED'),
      ]);
      const parsed = parseInlinePolicy(inline.InlinePolicy ?? null);
      permissionSets.set(arn, { denied: parsed === undefined ? undefined : [...parsed.denied], outdatedAccounts });
    });
    return { users, permissionSets };
  }
}
