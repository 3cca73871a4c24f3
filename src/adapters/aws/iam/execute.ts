import { credentialIdOf, type ActionTargets, type DeactivationKind, type IamActionKind } from '../../../domain/action-kinds';
import { isDenyAllDocument } from '../../../domain/policy-documents';
import type { ActionOutcome } from '../../../ports';
import { iamSdk } from '../sdk';
import { CREDENTIAL_CALLS, CREDENTIAL_KINDS_CALLED } from './credentials';
import { isNoSuchEntity } from './session';
import { denySourceIdentity, dropExpiredDenies, revokeOlderSessions } from './role-sessions';
import { deleteUser, type TeardownContext } from './teardown';
import { listAttachedPolicies, readUserPolicy } from './user-detail';

/** The fields of an action an IAM call needs, typed by kind. */
export interface KindAction<K extends IamActionKind> {
  readonly kind: K;
  readonly account: string;
  readonly userName: string;
  readonly target: ActionTargets[K];
}

type Executor<K extends IamActionKind> = (c: TeardownContext, action: KindAction<K>) => Promise<ActionOutcome>;

interface Listed {
  readonly id: string;
  readonly status: 'Active' | 'Inactive';
}

/** Reads the credential's status first so the outcome records the real before-state and a second run writes nothing. */
async function deactivate(list: () => Promise<readonly Listed[]>, id: string, update: () => Promise<unknown>): Promise<ActionOutcome> {
  let current: Listed | undefined;
  try {
    current = (await list()).find((c) => c.id === id);
  } catch (err) {
    if (isNoSuchEntity(err)) return { result: 'ok', before: { exists: false }, after: { exists: false } };
    throw err;
  }
  if (current === undefined) return { result: 'ok', before: { exists: false }, after: { exists: false } };
  if (current.status === 'Inactive') return { result: 'ok', before: { status: 'Inactive' }, after: { status: 'Inactive' } };
  try {
    await update();
  } catch (err) {
    if (isNoSuchEntity(err)) return { result: 'ok', before: { status: 'Active' }, after: { exists: false } };
    throw err;
  }
  return { result: 'ok', before: { status: 'Active' }, after: { status: 'Inactive' } };
}

/** A delete whose NoSuchEntity means "was not there": the outcome says which. */
async function removal(present: object, absent: object, remove: () => Promise<unknown>): Promise<ActionOutcome> {
  try {
    await remove();
    return { result: 'ok', before: present, after: absent };
  } catch (err) {
    if (isNoSuchEntity(err)) return { result: 'ok', before: absent, after: absent };
    throw err;
  }
}

const deactivator =
  <K extends DeactivationKind>(kind: K): Executor<K> =>
  (c, action) => {
    const calls = CREDENTIAL_CALLS[kind];
    return deactivate(
      () => calls.list(c.s, action.userName, action.target),
      credentialIdOf(kind, action.target),
      () => calls.deactivate(c.s, action.userName, action.target),
    );
  };

/** Every credential kind of the table is deactivated the same way: list, find, set Inactive. */
const DEACTIVATORS = Object.fromEntries(CREDENTIAL_KINDS_CALLED.map((kind) => [kind, deactivator(kind)])) as { readonly [K in DeactivationKind]: Executor<K> };

/**
 * Attaches Warden's managed deny-all (the role may attach that one policy and no other). Warden never writes inline
 * policies: `iam:PutUserPolicy` would let whoever holds its role grant anything.
 */
const attachDenyAll: Executor<'attach-deny-all'> = async (c, action) => {
  const UserName = action.userName;
  const PolicyArn = action.target.policyArn;
  const attached = async (): Promise<boolean | undefined> => {
    try {
      return (await listAttachedPolicies(c.s, UserName)).some((p) => p.arn === PolicyArn);
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined;
      throw err;
    }
  };
  const before = await attached();
  // The user itself is gone: nobody is left to deny.
  if (before === undefined) return { result: 'ok', before: { userExists: false }, after: { userExists: false } };
  if (before) return { result: 'ok', before: { denyAll: 'present' }, after: { denyAll: 'present' } };
  try {
    await c.s.call('AttachUserPolicy', () => c.s.client.send(new (iamSdk().AttachUserPolicyCommand)({ UserName, PolicyArn })));
  } catch (err) {
    if (!isNoSuchEntity(err)) throw err;
    if ((await attached()) === undefined) return { result: 'ok', before: { userExists: true }, after: { userExists: false } };
    // The user exists, so the policy does not: the stack or member-account template that creates it is missing.
    return {
      result: 'failed',
      error: `NoSuchEntity: Warden's deny-all policy ${PolicyArn} does not exist in account ${action.account}; deploy deploy/member-account-role.yaml (or the Warden stack) there (AttachUserPolicy)`,
      retryable: false,
    };
  }
  return { result: 'ok', before: { denyAll: 'absent' }, after: { denyAll: 'present' } };
};

/**
 * Lifts a joiner's quarantine: detaches Warden's own managed deny-all and nothing else. The target comes from the plan,
 * but the ARN is checked against this account's own deny-all again here, so no plan (or a forged one) can make this
 * kind detach another policy.
 */
const liftQuarantine: Executor<'lift-quarantine'> = async (c, action) => {
  const UserName = action.userName;
  const PolicyArn = action.target.policyArn;
  if (!c.isOwnDenyAll(PolicyArn)) {
    return { result: 'failed', error: `Refused: ${PolicyArn} is not Warden's own deny-all policy in account ${action.account}; lift-quarantine detaches nothing else`, retryable: false };
  }
  let attached: boolean;
  try {
    attached = (await listAttachedPolicies(c.s, UserName)).some((p) => p.arn === PolicyArn);
  } catch (err) {
    if (isNoSuchEntity(err)) return { result: 'ok', before: { userExists: false }, after: { userExists: false } };
    throw err;
  }
  if (!attached) return { result: 'ok', before: { denyAll: 'absent' }, after: { denyAll: 'absent' } };
  return removal({ denyAll: 'present' }, { denyAll: 'absent' }, () =>
    c.s.call('DetachUserPolicy', () => c.s.client.send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn }))),
  );
};

/** Deletes an inline policy unless its document denies all (a deny-all, whatever its name, goes only with delete-user). */
const deleteInlinePolicy: Executor<'delete-user-policy'> = async (c, action) => {
  const UserName = action.userName;
  const PolicyName = action.target.policyName;
  const document = await readUserPolicy(c.s, UserName, PolicyName);
  if (document === undefined) return { result: 'ok', before: { exists: false }, after: { exists: false } };
  if (isDenyAllDocument(document)) {
    return { result: 'skipped', note: `${PolicyName} denies everything (a deny-all); only delete-user removes it` };
  }
  return removal({ exists: true }, { exists: false }, () =>
    c.s.call('DeleteUserPolicy', () => c.s.client.send(new (iamSdk().DeleteUserPolicyCommand)({ UserName, PolicyName }))),
  );
};

/** How each IAM action kind is applied; a kind missing here does not compile. */
const EXECUTORS: { readonly [K in IamActionKind]: Executor<K> } = {
  ...DEACTIVATORS,
  'delete-login-profile': (c, { userName: UserName }) =>
    removal({ loginProfile: true }, { loginProfile: false }, () =>
      c.s.call('DeleteLoginProfile', () => c.s.client.send(new (iamSdk().DeleteLoginProfileCommand)({ UserName }))),
    ),
  'attach-deny-all': attachDenyAll,
  'remove-from-group': (c, { userName: UserName, target }) =>
    removal({ member: true }, { member: false }, () =>
      c.s.call('RemoveUserFromGroup', () => c.s.client.send(new (iamSdk().RemoveUserFromGroupCommand)({ UserName, GroupName: target.groupName }))),
    ),
  'detach-user-policy': async (c, { userName: UserName, target }) => {
    if (c.isOwnDenyAll(target.policyArn)) {
      // Removing the deny-all alone would hand a departed user their access back; delete-user removes it last.
      return { result: 'skipped', note: `${target.policyArn} is Warden's deny-all policy; only delete-user removes it` };
    }
    return removal({ attached: true }, { attached: false }, () =>
      c.s.call('DetachUserPolicy', () => c.s.client.send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn: target.policyArn }))),
    );
  },
  'delete-user-policy': deleteInlinePolicy,
  'delete-user': (c, action) => deleteUser(c, action.userName),
  'deny-role-source-identity': (c, { account, target }) => denySourceIdentity(c.s, account, target),
  'revoke-older-role-sessions': (c, { account, target }) => revokeOlderSessions(c.s, account, target),
  'drop-expired-session-denies': (c, { account, target }) => dropExpiredDenies(c.s, account, target),
  'lift-quarantine': liftQuarantine,
};

/** Applies one IAM action through its kind's executor. */
export const executeIamAction = <K extends IamActionKind>(c: TeardownContext, action: KindAction<K>): Promise<ActionOutcome> => EXECUTORS[action.kind](c, action);
