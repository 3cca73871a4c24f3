import { createIamClient, IamAccountDirectory } from '../../src/adapters/aws/iam';
import { IamSandboxState, startSandbox, wardenDenyAllPolicy } from '../../src/sandbox';
import { MemoryAccountDirectory } from '../fakes/memory-account-directory';
import { runAccountDirectoryContract, type DirectorySpec } from './account-directory.contract';

const CREATED = new Date('2025-06-01T00:00:00Z');

runAccountDirectoryContract('in-memory fake', async (spec: DirectorySpec) => ({
  directory: new MemoryAccountDirectory(
    spec.account,
    spec.users.map((u) => ({
      userName: u.userName,
      ...(u.tags !== undefined ? { tags: u.tags } : {}),
      detail: {
        accessKeys: (u.accessKeys ?? []).map((k) => ({ ...k, createdAt: CREATED })),
        loginProfile: u.console === true ? { createdAt: CREATED } : null,
        sshPublicKeys: [],
        mfaDevices: [],
        signingCertificates: [],
        serviceSpecificCredentials: [],
        groups: u.groups ?? [],
        attachedPolicies: [],
        inlinePolicies: [],
      },
    })),
    spec.groups.map((name) => ({ name, attachedPolicies: [], inlinePolicies: [] })),
  ),
  cleanup: async () => undefined,
}));

runAccountDirectoryContract('IAM adapter over HTTP against the sandbox', async (spec: DirectorySpec) => {
  const sandbox = await startSandbox({
    state: IamSandboxState.fromSeed({
      accounts: [
        {
          id: spec.account,
          policies: [wardenDenyAllPolicy(spec.account)],
          groups: spec.groups.map((name) => ({ name })),
          users: spec.users.map((u) => ({
            userName: u.userName,
            ...(u.tags !== undefined ? { tags: u.tags } : {}),
            groups: [...(u.groups ?? [])],
            ...(u.console === true ? { loginProfile: {} } : {}),
            accessKeys: (u.accessKeys ?? []).map((k) => ({ ...k })),
          })),
        },
      ],
    }),
  });
  const client = createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIASANDBOXROOT00001', secretAccessKey: 'x' }, maxAttempts: 2 });
  return {
    directory: new IamAccountDirectory({ client, account: spec.account, policy: { denyAllPolicyName: 'warden-deny-all' }, sleep: async () => undefined }),
    cleanup: async () => {
      client.destroy();
      await sandbox.close();
    },
  };
});
