import { ACTION_KIND_ORDER } from '../../../domain/action-kinds';
import type { IamUserDetail } from '../../../domain/inventory';
import { denyAllInlineNames } from '../../../domain/policy-documents';
import type { ActionOutcome } from '../../../ports';
import { Semaphore } from '../../../lib/concurrency';
import { iamSdk } from '../sdk';
import { CREDENTIAL_CALLS, CREDENTIAL_KINDS_CALLED } from './credentials';
import { isCode, isNoSuchEntity, type IamSession } from './session';
import { readUserDetail } from './user-detail';

/** What a user deletion needs besides the session: which attached policy is Warden's own deny-all. */
export interface TeardownContext {
  readonly s: IamSession;
  readonly isOwnDenyAll: (arn: string) => boolean;
}

/** One kind of thing a user holds that must go before DeleteUser: how to delete it, and how a summary counts it. */
interface Holding {
  readonly order: number;
  readonly remove: (c: TeardownContext, UserName: string, d: IamUserDetail, gone: (task: () => Promise<unknown>) => Promise<void>) => Promise<void>;
  readonly summary: (d: IamUserDetail) => readonly [string, unknown];
}

const LOGIN_PROFILE: Holding = {
  order: ACTION_KIND_ORDER['delete-login-profile'],
  remove: async (c, UserName, d, gone) => {
    if (d.loginProfile !== null) await gone(() => c.s.call('DeleteLoginProfile', () => c.s.client.send(new (iamSdk().DeleteLoginProfileCommand)({ UserName }))));
  },
  summary: (d) => ['loginProfile', d.loginProfile !== null],
};

/** Credentials in the order of their action kinds (access keys, password, SSH keys, certificates, service credentials). */
const CREDENTIAL_HOLDINGS: readonly Holding[] = [
  ...CREDENTIAL_KINDS_CALLED.map((kind): Holding => {
    const calls = CREDENTIAL_CALLS[kind];
    return {
      order: ACTION_KIND_ORDER[kind],
      remove: async (c, UserName, d, gone) => {
        for (const item of d[calls.field]) await gone(() => calls.remove(c.s, UserName, item.id));
      },
      summary: (d) => [calls.field, d[calls.field].length],
    };
  }),
  LOGIN_PROFILE,
].sort((a, b) => a.order - b.order);

/** What a deleted user held, without secrets: counts for credentials, names for grants. */
export function summarize(d: IamUserDetail): Record<string, unknown> {
  return {
    exists: true,
    ...Object.fromEntries(CREDENTIAL_HOLDINGS.map((h) => h.summary(d))),
    mfaDevices: d.mfaDevices.length,
    groups: d.groups,
    attachedPolicies: d.attachedPolicies.map((p) => p.arn),
    inlinePolicies: d.inlinePolicies,
  };
}

/**
 * Deletes a user in the order IAM requires, keeping the deny-all policy until the very end so the user
 * holds no usable access at any point of a teardown that fails half-way.
 */
export async function deleteUser(c: TeardownContext, UserName: string): Promise<ActionOutcome> {
  let before: Record<string, unknown> | undefined;
  for (let pass = 1; ; pass += 1) {
    // Key bodies only matter for matching host keys; a teardown needs the ids alone.
    const detail = await readUserDetail(c.s, UserName, new Semaphore(c.s.tuning.describeConcurrency), false);
    if (detail === undefined) {
      return before === undefined ? { result: 'ok', before: { exists: false }, after: { exists: false } } : { result: 'ok', before, after: { exists: false } };
    }
    before ??= summarize(detail);
    await teardown(c, UserName, detail);
    try {
      await c.s.call('DeleteUser', () => c.s.client.send(new (iamSdk().DeleteUserCommand)({ UserName })));
      return { result: 'ok', before, after: { exists: false } };
    } catch (err) {
      if (isNoSuchEntity(err)) return { result: 'ok', before, after: { exists: false } };
      // Something was attached while we were tearing down: read again and clear it, once.
      if (isCode(err, 'DeleteConflict') && pass < 2) {
        c.s.log.warn('DeleteUser conflicted; clearing what appeared meanwhile', { account: c.s.accountLabel, userName: UserName });
        continue;
      }
      throw err;
    }
  }
}

async function teardown(c: TeardownContext, UserName: string, d: IamUserDetail): Promise<void> {
  const gone = async (task: () => Promise<unknown>): Promise<void> => {
    try {
      await task();
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
  };
  const { s } = c;
  const send = s.client.send.bind(s.client);
  for (const holding of CREDENTIAL_HOLDINGS) await holding.remove(c, UserName, d, gone);
  for (const m of d.mfaDevices) {
    await gone(() => s.call('DeactivateMFADevice', () => send(new (iamSdk().DeactivateMFADeviceCommand)({ UserName, SerialNumber: m.serialNumber }))));
    // A deactivated virtual device would linger unassigned in the account; delete it too.
    if (m.virtual) {
      await gone(() => s.call('DeleteVirtualMFADevice', () => send(new (iamSdk().DeleteVirtualMFADeviceCommand)({ SerialNumber: m.serialNumber }))));
    }
  }
  const denyAllInline = new Set(denyAllInlineNames(d));
  for (const p of d.attachedPolicies) {
    if (c.isOwnDenyAll(p.arn)) continue;
    await gone(() => s.call('DetachUserPolicy', () => send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn: p.arn }))));
  }
  for (const name of d.inlinePolicies) {
    if (denyAllInline.has(name)) continue;
    await gone(() => s.call('DeleteUserPolicy', () => send(new (iamSdk().DeleteUserPolicyCommand)({ UserName, PolicyName: name }))));
  }
  for (const group of d.groups) {
    await gone(() => s.call('RemoveUserFromGroup', () => send(new (iamSdk().RemoveUserFromGroupCommand)({ UserName, GroupName: group }))));
  }
  // The deny-alls go last, so a teardown that fails half-way leaves the user with no usable access.
  for (const p of d.attachedPolicies) {
    if (!c.isOwnDenyAll(p.arn)) continue;
    await gone(() => s.call('DetachUserPolicy', () => send(new (iamSdk().DetachUserPolicyCommand)({ UserName, PolicyArn: p.arn }))));
  }
  for (const name of denyAllInline) {
    await gone(() => s.call('DeleteUserPolicy', () => send(new (iamSdk().DeleteUserPolicyCommand)({ UserName, PolicyName: name }))));
  }
}
