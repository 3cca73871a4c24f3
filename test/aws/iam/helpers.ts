import { MemoryAuditLog } from '../../../src/adapters/audit/memory-audit-log';
import { MemoryRunStateStore } from '../../../src/adapters/state/memory-run-state';
import type { ReconcileDeps } from '../../../src/app/reconcile';
import type { Person } from '../../../src/domain/roster';
import { createDummyGuardPolicy, createDummyPolicy, createDummyRoster } from '../../fixtures/builders';
import { IAMClient } from '@aws-sdk/client-iam';
import { createIamClient } from '../../../src/adapters/aws/iam/client';
import { IamAccountDirectory } from '../../../src/adapters/aws/iam/directory';
import type { IamDirectoryTuning } from '../../../src/adapters/aws/iam/directory';
import { DEFAULT_DENY_ALL_POLICY_NAME, DENY_ALL_POLICY_DOCUMENT } from '../../../src/domain/policy';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import type { IamStateOptions } from '../../../src/sandbox/iam-state';
import type { SandboxSeed, SeedAccount, SeedUser } from '../../../src/sandbox/seed';
import { startSandbox } from '../../../src/sandbox/server';
import type { RunningSandbox, SandboxOptions } from '../../../src/sandbox/server';

export const ACCOUNT = '111111111111';
export const ACCOUNT_KEY = 'AKIAWARDENTESTKEY001';
export const DENY_ALL = DEFAULT_DENY_ALL_POLICY_NAME;
/** Warden's managed deny-all, which the member-account template creates in each account. */
export const DENY_ALL_ARN = `arn:aws:iam::${ACCOUNT}:policy/${DENY_ALL}`;
export const DENY_ALL_SEED = { arn: DENY_ALL_ARN, document: DENY_ALL_POLICY_DOCUMENT };

/** A seed user with a bit of everything; override what a test cares about. */
export function createDummyUser(overrides: Partial<SeedUser> & { userName: string }): SeedUser {
  return {
    createdAt: '2023-05-01T09:30:00Z',
    tags: { employee_id: `E-${overrides.userName}`, email: `${overrides.userName}@example.com` },
    groups: [],
    accessKeys: [{ status: 'Active', createdAt: '2024-01-01T00:00:00Z' }],
    ...overrides,
  };
}

/** A user holding one of every credential IAM has, so delete-user has to clear them all. */
export function createLoadedUser(userName: string, overrides: Partial<SeedUser> = {}): SeedUser {
  return createDummyUser({
    userName,
    groups: ['developers', 'admins'],
    attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', `arn:aws:iam::${ACCOUNT}:policy/team/extra`],
    inlinePolicies: { 'own-s3': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
    loginProfile: { createdAt: '2024-01-02T00:00:00Z', passwordLastUsed: '2024-06-01T00:00:00Z' },
    accessKeys: [
      { status: 'Active', createdAt: '2024-01-01T00:00:00Z', lastUsedAt: '2024-06-02T00:00:00Z' },
      { status: 'Inactive', createdAt: '2024-02-01T00:00:00Z' },
    ],
    sshPublicKeys: [{ status: 'Active' }],
    mfaDevices: [{ virtual: true }, { virtual: false }],
    signingCertificates: [{ status: 'Active' }],
    serviceSpecificCredentials: [{ serviceName: 'codecommit.amazonaws.com', status: 'Active' }],
    ...overrides,
  });
}

export function createDummyAccount(overrides: Partial<SeedAccount> = {}): SeedAccount {
  return {
    id: ACCOUNT,
    accessKeyIds: [ACCOUNT_KEY],
    groups: [
      {
        name: 'developers',
        attachedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
        inlinePolicies: { 'dev-extra': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] } },
      },
      { name: 'admins', attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
    ],
    policies: [DENY_ALL_SEED],
    users: [],
    ...overrides,
  };
}

export { createDummyAction } from '../../fixtures/builders';

export interface Harness {
  readonly sandbox: RunningSandbox;
  readonly client: IAMClient;
  readonly directory: IamAccountDirectory;
  /** Every wait the directory asked for (it never really sleeps in tests). */
  readonly sleeps: number[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly sandbox?: Omit<SandboxOptions, 'state'>;
  readonly state?: IamStateOptions;
  readonly account?: string | null;
  readonly tuning?: Partial<IamDirectoryTuning>;
  readonly maxAttempts?: number;
  /** The SDK's standard retries instead of Warden's paced ones (../pacer.ts): tests of our own retry loop need no pacing. */
  readonly standardRetries?: boolean;
  readonly realSleep?: boolean;
}

/** Starts a sandbox on loopback with `seed` and an IAM directory on the real SDK client pointed at it. */
export async function startHarness(seed: SandboxSeed, opts: HarnessOptions = {}): Promise<Harness> {
  const state = IamSandboxState.fromSeed(seed, () => new Date(), opts.state ?? {});
  const sandbox = await startSandbox({ state, ...opts.sandbox });
  const clientOptions = {
    endpoint: sandbox.url,
    region: 'us-east-1',
    credentials: { accessKeyId: ACCOUNT_KEY, secretAccessKey: 'sandbox-secret' },
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
  };
  const client = opts.standardRetries === true ? new IAMClient({ ...clientOptions, retryMode: 'standard' }) : createIamClient(clientOptions);
  const sleeps: number[] = [];
  const directory = new IamAccountDirectory({
    client,
    ...(opts.account === null ? {} : { account: opts.account ?? ACCOUNT }),
    policy: { denyAllPolicyName: DENY_ALL },
    ...(opts.realSleep === true
      ? {}
      : {
          sleep: (ms: number) => {
            sleeps.push(ms);
            return Promise.resolve();
          },
        }),
    ...(opts.tuning !== undefined ? { tuning: opts.tuning } : {}),
  });
  return {
    sandbox,
    client,
    directory,
    sleeps,
    close: async () => {
      client.destroy();
      await sandbox.close();
    },
  };
}

/** Reconcile dependencies over the harness's one directory: in-memory audit and run state, `people` as the roster. */
export function reconcileDepsFor(h: Harness, people: readonly Person[]): ReconcileDeps {
  return {
    roster: { load: async () => createDummyRoster(people) },
    directories: [h.directory],
    audit: new MemoryAuditLog(),
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock: { now: () => new Date() },
    policy: createDummyPolicy(),
    guard: createDummyGuardPolicy(),
  };
}

