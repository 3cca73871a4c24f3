import type { ActionTargets, DeactivationKind } from '../../../domain/action-kinds';
import type { CredentialStatus, IamUserDetail, SshPublicKey } from '../../../domain/inventory';
import { iamSdk } from '../sdk';
import { isNoSuchEntity, marker, PAGE_SIZE, toStatus, type IamSession } from './session';

/** The lists of a user's detail whose items have an id and an Active/Inactive status. */
export type CredentialField = {
  [F in keyof IamUserDetail]-?: NonNullable<IamUserDetail[F]> extends readonly { readonly id: string; readonly status: CredentialStatus }[] ? F : never;
}[keyof IamUserDetail];


/** The IAM calls of one credential kind: list it, deactivate one (revocation), delete one (user deletion). */
export interface CredentialCalls<K extends DeactivationKind, F extends CredentialField = CredentialField> {
  /** Where the user's detail keeps it. */
  readonly field: F;
  /** Lists them (`target` set when deactivating one: the list may be narrowed to where it can be). */
  readonly list: (s: IamSession, UserName: string, target?: ActionTargets[K]) => Promise<IamUserDetail[F]>;
  /**
   * A full read, when it needs more than the list (SSH key bodies, to match keys found on hosts), each call through
   * `limited`; a teardown and a deactivation need the ids alone.
   */
  readonly readFully?: (s: IamSession, UserName: string, limited: <R>(task: () => Promise<R>) => Promise<R>) => Promise<IamUserDetail[F]>;
  readonly deactivate: (s: IamSession, UserName: string, target: ActionTargets[K]) => Promise<unknown>;
  readonly remove: (s: IamSession, UserName: string, id: string) => Promise<unknown>;
}

const calls = <K extends DeactivationKind, F extends CredentialField>(spec: CredentialCalls<K, F>): CredentialCalls<K> => spec;

async function listSshKeys(s: IamSession, UserName: string): Promise<SshPublicKey[]> {
  const listed = await s.collect(
    'ListSSHPublicKeys',
    (m) => s.client.send(new (iamSdk().ListSSHPublicKeysCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
    (p) => p.SSHPublicKeys,
  );
  return listed.map((k) => ({ id: k.SSHPublicKeyId ?? '', status: toStatus(k.Status), ...(k.UploadDate !== undefined ? { uploadedAt: k.UploadDate } : {}) }));
}

/** Adds the OpenSSH body (to match keys found on hosts); undefined when the key was deleted meanwhile. */
async function withSshBody(s: IamSession, UserName: string, key: SshPublicKey): Promise<SshPublicKey | undefined> {
  try {
    const got = await s.call('GetSSHPublicKey', () =>
      s.client.send(new (iamSdk().GetSSHPublicKeyCommand)({ UserName, SSHPublicKeyId: key.id, Encoding: 'SSH' })),
    );
    const body = got.SSHPublicKey?.SSHPublicKeyBody;
    return body !== undefined ? { ...key, body: body.trim() } : key;
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/**
 * One entry per credential kind the descriptor table marks as a deactivation, in the order a teardown deletes them.
 * Reading a user, revoking a credential and deleting a user all go through these entries.
 */
export const CREDENTIAL_CALLS: { readonly [K in DeactivationKind]: CredentialCalls<K> } = {
  'deactivate-access-key': calls({
    field: 'accessKeys',
    list: async (s, UserName) => {
      const keys = await s.collect(
        'ListAccessKeys',
        (m) => s.client.send(new (iamSdk().ListAccessKeysCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })),
        (p) => p.AccessKeyMetadata,
      );
      return keys.map((k) => ({ id: k.AccessKeyId ?? '', status: toStatus(k.Status), createdAt: k.CreateDate ?? new Date(0) }));
    },
    deactivate: (s, UserName, t) =>
      s.call('UpdateAccessKey', () => s.client.send(new (iamSdk().UpdateAccessKeyCommand)({ UserName, AccessKeyId: t.accessKeyId, Status: 'Inactive' }))),
    remove: (s, UserName, AccessKeyId) => s.call('DeleteAccessKey', () => s.client.send(new (iamSdk().DeleteAccessKeyCommand)({ UserName, AccessKeyId }))),
  }),
  'deactivate-ssh-key': calls({
    field: 'sshPublicKeys',
    list: (s, UserName) => listSshKeys(s, UserName),
    readFully: async (s, UserName, limited) => {
      const keys = await limited(() => listSshKeys(s, UserName));
      const withBodies = await Promise.all(keys.map((k) => limited(() => withSshBody(s, UserName, k))));
      return withBodies.filter((k): k is SshPublicKey => k !== undefined);
    },
    deactivate: (s, UserName, t) =>
      s.call('UpdateSSHPublicKey', () => s.client.send(new (iamSdk().UpdateSSHPublicKeyCommand)({ UserName, SSHPublicKeyId: t.sshPublicKeyId, Status: 'Inactive' }))),
    remove: (s, UserName, SSHPublicKeyId) =>
      s.call('DeleteSSHPublicKey', () => s.client.send(new (iamSdk().DeleteSSHPublicKeyCommand)({ UserName, SSHPublicKeyId }))),
  }),
  'deactivate-signing-certificate': calls({
    field: 'signingCertificates',
    list: (s, UserName) =>
      s
        .collect('ListSigningCertificates', (m) => s.client.send(new (iamSdk().ListSigningCertificatesCommand)({ UserName, MaxItems: PAGE_SIZE, ...marker(m) })), (p) => p.Certificates)
        .then((certs) => certs.map((c) => ({ id: c.CertificateId ?? '', status: toStatus(c.Status) }))),
    deactivate: (s, UserName, t) =>
      s.call('UpdateSigningCertificate', () =>
        s.client.send(new (iamSdk().UpdateSigningCertificateCommand)({ UserName, CertificateId: t.certificateId, Status: 'Inactive' })),
      ),
    remove: (s, UserName, CertificateId) =>
      s.call('DeleteSigningCertificate', () => s.client.send(new (iamSdk().DeleteSigningCertificateCommand)({ UserName, CertificateId }))),
  }),
  'deactivate-service-credential': calls({
    field: 'serviceSpecificCredentials',
    list: async (s, UserName, target) => {
      const ServiceName = target?.serviceName;
      const creds = await s.collect(
        'ListServiceSpecificCredentials',
        (m) =>
          s.client.send(
            new (iamSdk().ListServiceSpecificCredentialsCommand)({ UserName, ...(ServiceName !== undefined ? { ServiceName } : {}), ...marker(m) }),
          ),
        (p) => p.ServiceSpecificCredentials,
      );
      return creds.map((c) => ({ id: c.ServiceSpecificCredentialId ?? '', serviceName: c.ServiceName ?? '', status: toStatus(c.Status) }));
    },
    deactivate: (s, UserName, t) =>
      s.call('UpdateServiceSpecificCredential', () =>
        s.client.send(
          new (iamSdk().UpdateServiceSpecificCredentialCommand)({ UserName, ServiceSpecificCredentialId: t.serviceSpecificCredentialId, Status: 'Inactive' }),
        ),
      ),
    remove: (s, UserName, ServiceSpecificCredentialId) =>
      s.call('DeleteServiceSpecificCredential', () =>
        s.client.send(new (iamSdk().DeleteServiceSpecificCredentialCommand)({ UserName, ServiceSpecificCredentialId })),
      ),
  }),
};

/** The credential kinds in table order (the order a user's detail lists and a teardown deletes them). */
export const CREDENTIAL_KINDS_CALLED = Object.keys(CREDENTIAL_CALLS) as DeactivationKind[];
