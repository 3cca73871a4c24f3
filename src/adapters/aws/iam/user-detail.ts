import { ACTION_KIND_TABLE, type DeactivationKind } from '../../../domain/action-kinds';
import { DETAIL_PATHS } from '../../../domain/inventory';
import type { AttachedPolicy, DetailPath, IamUserDetail, MfaDevice, UnreadPath } from '../../../domain/inventory';
import type { Semaphore } from '../../../lib/concurrency';
import { iamSdk } from '../sdk';
import { CREDENTIAL_CALLS, CREDENTIAL_KINDS_CALLED, type CredentialField } from './credentials';
import { describeAwsError, IamCallError } from './errors';
import { decodePolicyDocument, isNoSuchEntity, isVirtualMfaSerial, marker, PAGE_SIZE, toPolicies, type IamSession } from './session';

export function listAttachedPolicies(s: IamSession, UserName: string): Promise<AttachedPolicy[]> {
  return s
    .collect(
      'ListAttachedUserPolicies',
      (m) => s.client.send(new (iamSdk().ListAttachedUserPoliciesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
      (p) => p.AttachedPolicies,
    )
    .then(toPolicies);
}

/** An inline policy's document, decoded; undefined when it was deleted meanwhile. */
export async function readUserPolicy(s: IamSession, UserName: string, PolicyName: string): Promise<string | undefined> {
  try {
    const got = await s.call('GetUserPolicy', () => s.client.send(new (iamSdk().GetUserPolicyCommand)({ UserName, PolicyName })));
    return decodePolicyDocument(got.PolicyDocument ?? '');
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

function listInlinePolicies(s: IamSession, UserName: string): Promise<string[]> {
  return s.collect(
    'ListUserPolicies',
    (m) => s.client.send(new (iamSdk().ListUserPoliciesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
    (p) => p.PolicyNames,
  );
}

const listMfaDevices = (s: IamSession, UserName: string): Promise<MfaDevice[]> =>
  s
    .collect('ListMFADevices', (m) => s.client.send(new (iamSdk().ListMFADevicesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })), (p) => p.MFADevices)
    .then((list) => list.map((d) => ({ serialNumber: d.SerialNumber ?? '', virtual: isVirtualMfaSerial(d.SerialNumber ?? '') })));

async function readLoginProfile(s: IamSession, UserName: string): Promise<IamUserDetail['loginProfile']> {
  try {
    const got = await s.call('GetLoginProfile', () => s.client.send(new (iamSdk().GetLoginProfileCommand)({ UserName })));
    const createdAt = got.LoginProfile?.CreateDate;
    return createdAt !== undefined ? { createdAt } : {};
  } catch (err) {
    if (isNoSuchEntity(err)) return null;
    throw err;
  }
}

const listGroups = async (s: IamSession, UserName: string): Promise<string[]> => {
  const groups = await s.collect('ListGroupsForUser', (m) => s.client.send(new (iamSdk().ListGroupsForUserCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })), (p) => p.Groups);
  return groups.map((g) => g.GroupName ?? '');
};

/** The detail path a credential kind is read under (its descriptor's `reads`). */
const pathOf = (kind: DeactivationKind): DetailPath => {
  const path = ACTION_KIND_TABLE[kind].reads;
  if (path === undefined) throw new Error(`${kind} has no detail path in the action-kind table`);
  return path;
};

/**
 * Live state of one user, or undefined when the user does not exist (or vanished while being read). A list that
 * cannot be read (AccessDenied from an SCP, an API the endpoint lacks, retries exhausted) is recorded in `unread`
 * and left empty: one such path never hides what the other paths show, nor stops the run.
 */
export async function readUserDetail(s: IamSession, UserName: string, gate: Semaphore, sshBodies = true): Promise<IamUserDetail | undefined> {
  const unread: UnreadPath[] = [];
  const read = async <T>(path: DetailPath, empty: T, task: () => Promise<T>): Promise<T> => {
    try {
      return await task();
    } catch (err) {
      if (!(err instanceof IamCallError) || isNoSuchEntity(err)) throw err;
      s.log.warn('IAM user path could not be read', { account: s.accountLabel, userName: UserName, path, api: err.api, error: describeAwsError(err).text });
      unread.push({ path, api: err.api, error: describeAwsError(err).text });
      return empty;
    }
  };
  const limited = <T>(task: () => Promise<T>): Promise<T> => gate.run(task);
  const [first, ...rest] = CREDENTIAL_KINDS_CALLED;
  const credentials: Partial<Record<CredentialField, unknown>> = {};
  const readCredentials = (kind: DeactivationKind): Promise<unknown> => {
    const calls = CREDENTIAL_CALLS[kind];
    const readFully = calls.readFully;
    return read(pathOf(kind), [], () => (sshBodies && readFully !== undefined ? readFully(s, UserName, limited) : limited(() => calls.list(s, UserName))));
  };
  try {
    // The first credential list doubles as the existence check.
    if (first !== undefined) credentials[CREDENTIAL_CALLS[first].field] = await readCredentials(first);
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
  try {
    const [loginProfile, mfaDevices, groups, attachedPolicies, inlinePolicies] = await Promise.all([
      read('login-profile', null, () => limited(() => readLoginProfile(s, UserName))),
      read('mfa-devices', [], () => limited(() => listMfaDevices(s, UserName))),
      read('groups', [], () => limited(() => listGroups(s, UserName))),
      read('attached-policies', [] as AttachedPolicy[], () => limited(() => listAttachedPolicies(s, UserName))),
      read('inline-policies', { names: [] as string[], documents: {} as Record<string, string> }, () =>
        limited(() => listInlinePolicies(s, UserName)).then(async (names) => {
          // Documents, not names, say whether a policy is a deny-all: read each (users being changed have few).
          const documents: Record<string, string> = {};
          await Promise.all(names.map((name) => limited(() => readUserPolicy(s, UserName, name)).then((d) => d !== undefined && (documents[name] = d))));
          return { names: names.filter((n) => documents[n] !== undefined), documents };
        }),
      ),
      ...rest.map(async (kind) => {
        credentials[CREDENTIAL_CALLS[kind].field] = await readCredentials(kind);
      }),
    ]);
    unread.sort((a, b) => DETAIL_PATHS[a.path].order - DETAIL_PATHS[b.path].order);
    return {
      // Each credential list was read into the field its table entry names, with the type that field has (see CredentialCalls).
      ...(credentials as Pick<IamUserDetail, CredentialField>),
      loginProfile,
      mfaDevices,
      groups,
      attachedPolicies,
      inlinePolicies: inlinePolicies.names,
      inlinePolicyDocuments: inlinePolicies.documents,
      ...(unread.length > 0 ? { unread } : {}),
    };
  } catch (err) {
    // Deleted while being read: as absent as if it had never been there.
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}
