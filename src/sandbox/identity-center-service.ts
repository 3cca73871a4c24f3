import {
  IC_INLINE_POLICY_MAX_CHARS,
  type IcAsyncRequest,
  type IcPrincipalType,
  type IcSandboxAssignment,
  type IcSandboxPermissionSet,
  type IdentityCenterSandboxState,
} from './identity-center-state';
import { errorReply, jsonReply, jsonService, type ServiceCall, type ServiceHandler, type ServiceReply } from './service';

type Input = Readonly<Record<string, unknown>>;

const inputOf = (call: ServiceCall): Input => (call.input !== null && typeof call.input === 'object' ? (call.input as Input) : {});

const validation = (message: string): ServiceReply => errorReply('ValidationException', message, 400);
const notFound = (message: string): ServiceReply => errorReply('ResourceNotFoundException', message, 400);
const conflict = (message: string): ServiceReply => errorReply('ConflictException', message, 400);

/** A required string member, or the error AWS gives for it. */
function text(input: Input, member: string): string | ServiceReply {
  const value = input[member];
  if (typeof value !== 'string' || value === '') return validation(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

const REPLY_KINDS: readonly unknown[] = ['json', 'error', 'xml'];
const isReply = (value: unknown): value is ServiceReply =>
  typeof value === 'object' && value !== null && 'kind' in value && REPLY_KINDS.includes(value.kind) && !('requestId' in value);

const encodeToken = (offset: number): string => Buffer.from(`ic:${offset}`).toString('base64');

/**
 * One page of `items` by MaxResults (1-100, AWS's bound for both services; default 100) and an opaque NextToken; a
 * token the service did not issue is a ValidationException as in AWS.
 */
function page<T>(input: Input, items: readonly T[]): { readonly items: readonly T[]; readonly next?: string } | ServiceReply {
  const max = input['MaxResults'] ?? 100;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) return validation('MaxResults must be between 1 and 100.');
  let offset = 0;
  const token = input['NextToken'];
  if (token !== undefined) {
    const match = typeof token === 'string' ? /^ic:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8')) : null;
    if (match === null) return validation('The NextToken is invalid.');
    offset = Number(match[1]);
  }
  const slice = items.slice(offset, offset + max);
  return offset + max < items.length ? { items: slice, next: encodeToken(offset + max) } : { items: slice };
}

const paged = <T>(input: Input, items: readonly T[], member: string, render: (item: T) => unknown): ServiceReply => {
  const result = page(input, items);
  if (isReply(result)) return result;
  return jsonReply({ [member]: result.items.map(render), ...(result.next !== undefined ? { NextToken: result.next } : {}) });
};

/** identitystore: IdentityStore API (awsJson1_1, `AWSIdentityStore.*`) over the sandbox's one identity store. */
export function identityStoreService(state: IdentityCenterSandboxState): ServiceHandler {
  /** The request's store, or AWS's error for another one or another region. */
  const store = (call: ServiceCall): Input | ServiceReply => {
    const input = inputOf(call);
    const id = text(input, 'IdentityStoreId');
    if (isReply(id)) return id;
    if (id !== state.identityStoreId || (state.region !== undefined && call.region !== state.region)) {
      return notFound(`Identity store ${id} not found.`);
    }
    return input;
  };
  const withStore = (serve: (input: Input) => ServiceReply) => (call: ServiceCall) => {
    const input = store(call);
    return isReply(input) ? input : serve(input);
  };
  const userOut = (u: { userId: string; userName: string; displayName?: string; emails: readonly { value: string; primary?: boolean }[]; externalIds: readonly { issuer: string; id: string }[] }) => ({
    IdentityStoreId: state.identityStoreId,
    UserId: u.userId,
    UserName: u.userName,
    ...(u.displayName !== undefined ? { DisplayName: u.displayName } : {}),
    Emails: u.emails.map((e) => ({ Value: e.value, Type: 'work', Primary: e.primary === true })),
    ...(u.externalIds.length > 0 ? { ExternalIds: u.externalIds.map((x) => ({ Issuer: x.issuer, Id: x.id })) } : {}),
  });
  const membershipOut = (m: { membershipId: string; groupId: string; userId: string }) => ({
    IdentityStoreId: state.identityStoreId,
    MembershipId: m.membershipId,
    GroupId: m.groupId,
    MemberId: { UserId: m.userId },
  });
  const memberOf = (input: Input): string | ServiceReply => {
    const member = input['MemberId'];
    const userId = member !== null && typeof member === 'object' ? (member as Input)['UserId'] : undefined;
    return typeof userId === 'string' && userId !== '' ? userId : validation('MemberId.UserId must be given.');
  };
  return jsonService({
    name: 'identitystore',
    targetPrefix: 'AWSIdentityStore',
    actions: {
      ListUsers: withStore((input) => paged(input, [...state.users.values()], 'Users', userOut)),
      DescribeUser: withStore((input) => {
        const user = state.users.get(typeof input['UserId'] === 'string' ? input['UserId'] : '');
        return user === undefined ? notFound('USER not found.') : jsonReply(userOut(user));
      }),
      DeleteUser: withStore((input) => {
        const userId = text(input, 'UserId');
        if (isReply(userId)) return userId;
        if (!state.users.delete(userId)) return notFound('USER not found.');
        for (const [id, m] of state.memberships) if (m.userId === userId) state.memberships.delete(id);
        return jsonReply({});
      }),
      ListGroups: withStore((input) => paged(input, [...state.groups.values()], 'Groups', (g) => ({ IdentityStoreId: state.identityStoreId, GroupId: g.groupId, DisplayName: g.displayName }))),
      ListGroupMemberships: withStore((input) => {
        const groupId = text(input, 'GroupId');
        if (isReply(groupId)) return groupId;
        if (!state.groups.has(groupId)) return notFound('GROUP not found.');
        return paged(input, [...state.memberships.values()].filter((m) => m.groupId === groupId), 'GroupMemberships', membershipOut);
      }),
      ListGroupMembershipsForMember: withStore((input) => {
        const userId = memberOf(input);
        if (isReply(userId)) return userId;
        return paged(input, [...state.memberships.values()].filter((m) => m.userId === userId), 'GroupMemberships', membershipOut);
      }),
      DeleteGroupMembership: withStore((input) => {
        const id = text(input, 'MembershipId');
        if (isReply(id)) return id;
        return state.memberships.delete(id) ? jsonReply({}) : notFound('GROUP_MEMBERSHIP not found.');
      }),
    },
  });
}

const ACCOUNT = /^\d{12}$/;

/** sso-admin: the IAM Identity Center admin API (awsJson1_1, `SWBExternalService.*`) over the sandbox's one instance. */
export function ssoAdminService(state: IdentityCenterSandboxState, now: () => Date = () => new Date()): ServiceHandler {
  const instance = (call: ServiceCall): Input | ServiceReply => {
    const input = inputOf(call);
    const arn = text(input, 'InstanceArn');
    if (isReply(arn)) return arn;
    if (arn !== state.instanceArn || (state.region !== undefined && call.region !== state.region)) return notFound(`Instance ${arn} not found.`);
    return input;
  };
  const withInstance = (serve: (input: Input) => ServiceReply) => (call: ServiceCall) => {
    const input = instance(call);
    return isReply(input) ? input : serve(input);
  };
  const permissionSet = (input: Input): IcSandboxPermissionSet | ServiceReply => {
    const arn = text(input, 'PermissionSetArn');
    if (isReply(arn)) return arn;
    return state.permissionSets.get(arn) ?? notFound(`Could not find PermissionSet with ARN ${arn}.`);
  };
  const withPermissionSet = (serve: (ps: IcSandboxPermissionSet, input: Input) => ServiceReply) =>
    withInstance((input) => {
      const ps = permissionSet(input);
      return isReply(ps) ? ps : serve(ps, input);
    });
  const assignmentOut = (a: IcSandboxAssignment) => ({ AccountId: a.accountId, PermissionSetArn: a.permissionSetArn, PrincipalType: a.principalType, PrincipalId: a.principalId });
  const seconds = (d: Date): number => d.getTime() / 1000;
  const deletionOut = (r: IcAsyncRequest) => ({
    Status: r.status,
    RequestId: r.requestId,
    ...(r.failureReason !== undefined ? { FailureReason: r.failureReason } : {}),
    TargetId: r.detail['TargetId'],
    TargetType: 'AWS_ACCOUNT',
    PermissionSetArn: r.detail['PermissionSetArn'],
    PrincipalType: r.detail['PrincipalType'],
    PrincipalId: r.detail['PrincipalId'],
    CreatedDate: seconds(r.createdAt),
  });
  const provisioningOut = (r: IcAsyncRequest) => ({
    Status: r.status,
    RequestId: r.requestId,
    ...(r.detail['AccountId'] !== undefined ? { AccountId: r.detail['AccountId'] } : {}),
    PermissionSetArn: r.detail['PermissionSetArn'],
    CreatedDate: seconds(r.createdAt),
  });
  const changed = (ps: IcSandboxPermissionSet): void => {
    ps.version += 1;
  };
  const request = (input: Input, member: string, kind: IcAsyncRequest['kind']): IcAsyncRequest | ServiceReply => {
    const id = text(input, member);
    if (isReply(id)) return id;
    const found = state.requests.get(id);
    return found !== undefined && found.kind === kind ? state.describe(found) : notFound(`Request ${id} not found.`);
  };
  return jsonService({
    name: 'sso',
    targetPrefix: 'SWBExternalService',
    actions: {
      ListPermissionSets: withInstance((input) => paged(input, [...state.permissionSets.keys()], 'PermissionSets', (arn) => arn)),
      DescribePermissionSet: withPermissionSet((ps) =>
        jsonReply({ PermissionSet: { Name: ps.name, PermissionSetArn: ps.arn, SessionDuration: ps.sessionDuration, CreatedDate: 1_700_000_000 } }),
      ),
      ListAccountsForProvisionedPermissionSet: withPermissionSet((ps, input) => {
        const filter = input['ProvisioningStatus'];
        const accounts = [...ps.provisioned.entries()]
          .filter(([, p]) => (filter === 'LATEST_PERMISSION_SET_PROVISIONED' ? p.version === ps.version : filter === 'LATEST_PERMISSION_SET_NOT_PROVISIONED' ? p.version !== ps.version : true))
          .map(([account]) => account)
          .sort();
        return paged(input, accounts, 'AccountIds', (a) => a);
      }),
      ListPermissionSetsProvisionedToAccount: withInstance((input) => {
        const account = text(input, 'AccountId');
        if (isReply(account)) return account;
        return paged(input, [...state.permissionSets.values()].filter((ps) => ps.provisioned.has(account)).map((ps) => ps.arn), 'PermissionSets', (a) => a);
      }),
      ListAccountAssignments: withPermissionSet((ps, input) => {
        const account = text(input, 'AccountId');
        if (isReply(account)) return account;
        return paged(input, state.assignments.filter((a) => a.accountId === account && a.permissionSetArn === ps.arn), 'AccountAssignments', assignmentOut);
      }),
      ListAccountAssignmentsForPrincipal: withInstance((input) => {
        const principalId = text(input, 'PrincipalId');
        if (isReply(principalId)) return principalId;
        const type = input['PrincipalType'];
        if (type !== 'USER' && type !== 'GROUP') return validation('PrincipalType must be USER or GROUP.');
        const filter = input['Filter'];
        const account = filter !== null && typeof filter === 'object' ? (filter as Input)['AccountId'] : undefined;
        const found = state.assignments.filter((a) => a.principalId === principalId && a.principalType === type && (account === undefined || a.accountId === account));
        return paged(input, found, 'AccountAssignments', (a) => ({ AccountId: a.accountId, PermissionSetArn: a.permissionSetArn, PrincipalType: a.principalType, PrincipalId: a.principalId }));
      }),
      DeleteAccountAssignment: withPermissionSet((ps, input) => {
        const target = text(input, 'TargetId');
        if (isReply(target)) return target;
        if (!ACCOUNT.test(target) || input['TargetType'] !== 'AWS_ACCOUNT') return validation('TargetId must be a 12-digit account id and TargetType AWS_ACCOUNT.');
        const principalId = text(input, 'PrincipalId');
        if (isReply(principalId)) return principalId;
        const principalType = input['PrincipalType'] as IcPrincipalType;
        const index = state.assignments.findIndex((a) => a.accountId === target && a.permissionSetArn === ps.arn && a.principalId === principalId && a.principalType === principalType);
        if (index < 0) return notFound('Could not find the account assignment.');
        const started = state.startRequest(
          'deletion',
          { TargetId: target, PermissionSetArn: ps.arn, PrincipalType: principalType, PrincipalId: principalId },
          () => {
            const at = state.assignments.findIndex((a) => a.accountId === target && a.permissionSetArn === ps.arn && a.principalId === principalId);
            if (at >= 0) state.assignments.splice(at, 1);
          },
          now(),
        );
        return jsonReply({ AccountAssignmentDeletionStatus: deletionOut(started) });
      }),
      DescribeAccountAssignmentDeletionStatus: withInstance((input) => {
        const found = request(input, 'AccountAssignmentDeletionRequestId', 'deletion');
        return isReply(found) ? found : jsonReply({ AccountAssignmentDeletionStatus: deletionOut(found) });
      }),
      GetInlinePolicyForPermissionSet: withPermissionSet((ps) => jsonReply({ InlinePolicy: ps.inlinePolicy ?? '' })),
      ListManagedPoliciesInPermissionSet: withPermissionSet((ps, input) =>
        paged(input, ps.managedPolicies, 'AttachedManagedPolicies', (arn) => ({ Arn: arn, Name: arn.slice(arn.lastIndexOf('/') + 1) })),
      ),
      PutInlinePolicyToPermissionSet: withPermissionSet((ps, input) => {
        const policy = text(input, 'InlinePolicy');
        if (isReply(policy)) return policy;
        if (policy.length > IC_INLINE_POLICY_MAX_CHARS) {
          return validation(`1 validation error detected: Value at 'inlinePolicy' failed to satisfy constraint: Member must have length less than or equal to ${IC_INLINE_POLICY_MAX_CHARS}`);
        }
        try {
          JSON.parse(policy);
        } catch {
          return validation('The policy document is not valid JSON.');
        }
        ps.inlinePolicy = policy;
        changed(ps);
        return jsonReply({});
      }),
      DeleteInlinePolicyFromPermissionSet: withPermissionSet((ps) => {
        ps.inlinePolicy = null;
        changed(ps);
        return jsonReply({});
      }),
      ProvisionPermissionSet: withPermissionSet((ps, input) => {
        const targetType = input['TargetType'];
        const target = input['TargetId'];
        if (targetType !== 'AWS_ACCOUNT' && targetType !== 'ALL_PROVISIONED_ACCOUNTS') return validation('TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS.');
        if (targetType === 'AWS_ACCOUNT' && (typeof target !== 'string' || !ACCOUNT.test(target))) return validation('TargetId must be a 12-digit account id.');
        if (targetType === 'ALL_PROVISIONED_ACCOUNTS' && ps.provisioned.size === 0) return conflict('The permission set is not provisioned to any account.');
        const accounts = targetType === 'AWS_ACCOUNT' ? [target as string] : [...ps.provisioned.keys()];
        // What the request provisions is the permission set as it is now, even if it changes again before it finishes.
        const snapshot = { version: ps.version, inlinePolicy: ps.inlinePolicy };
        const started = state.startRequest(
          'provisioning',
          { PermissionSetArn: ps.arn, ...(targetType === 'AWS_ACCOUNT' ? { AccountId: target as string } : {}) },
          () => {
            for (const account of accounts) ps.provisioned.set(account, { ...snapshot });
          },
          now(),
        );
        return jsonReply({ PermissionSetProvisioningStatus: provisioningOut(started) });
      }),
      DescribePermissionSetProvisioningStatus: withInstance((input) => {
        const found = request(input, 'ProvisionPermissionSetRequestId', 'provisioning');
        return isReply(found) ? found : jsonReply({ PermissionSetProvisioningStatus: provisioningOut(found) });
      }),
    },
  });
}

/** Both Identity Center services over one state, for `startSandbox({ extraServices: identityCenterServices(state) })`. */
export const identityCenterServices = (state: IdentityCenterSandboxState, now?: () => Date): ServiceHandler[] =>
  [identityStoreService(state), ssoAdminService(state, now)].map((service) => ({
    ...service,
    handle: (call: ServiceCall) =>
      state.homeAccount !== undefined && call.account !== state.homeAccount
        ? errorReply('AccessDeniedException', `User: ${call.caller.arn} is not authorized to perform: ${service.name}:${call.action} (the instance belongs to account ${state.homeAccount})`, 400)
        : service.handle(call),
  }));
