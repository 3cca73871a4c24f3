import path from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { IamSandboxState, type IamStateOptions } from '../../src/sandbox/iam-state';
import { loadSeedFile, type NormalizedSeed, type SeedUser } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server';

export const EXAMPLE_SEED = path.join(__dirname, '../../config/sandbox/example-seed.yaml');
export const PROD = '111111111111';
export const DEV = '222222222222';
export const PROD_KEY = 'AKIAPRODSANDBOX00001';
export const DEV_KEY = 'AKIADEVSANDBOX000001';

/** A clock tests can move: `clock.set(...)`, `clock.advance(ms)`. */
export function createTestClock(start = '2026-11-26T12:00:00Z') {
  let now = new Date(start);
  return {
    now: () => now,
    set: (iso: string) => {
      now = new Date(iso);
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

export async function loadExampleSeed(): Promise<NormalizedSeed> {
  const loaded = await loadSeedFile(EXAMPLE_SEED);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.seed;
}

/** Starts a sandbox over the example seed (fresh state each call). */
export async function startExampleSandbox(
  extra: Omit<SandboxOptions, 'state'> = {},
  clock = createTestClock(),
  stateOptions: IamStateOptions = {},
): Promise<RunningSandbox> {
  const state = IamSandboxState.fromSeed(await loadExampleSeed(), clock.now, stateOptions);
  return startSandbox({ ...extra, state });
}

export function iamClient(sandbox: RunningSandbox, accessKeyId = PROD_KEY, options: { maxAttempts?: number; sessionToken?: string } = {}): IAMClient {
  return new IAMClient({
    endpoint: sandbox.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'x', ...(options.sessionToken !== undefined ? { sessionToken: options.sessionToken } : {}) },
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}

export function stsClient(sandbox: RunningSandbox, accessKeyId = PROD_KEY, sessionToken?: string): STSClient {
  return new STSClient({
    endpoint: sandbox.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'x', ...(sessionToken !== undefined ? { sessionToken } : {}) },
  });
}

/** Fixture builder for a seed user (bolt-js style): sensible credentials, override anything. */
export function createDummyUser(overrides: Partial<SeedUser> = {}): SeedUser {
  return {
    userName: 'dummy',
    createdAt: '2024-01-01T00:00:00Z',
    tags: { employee_id: 'E9999', email: 'dummy@example.com' },
    groups: [],
    accessKeys: [{ status: 'Active', createdAt: '2024-01-02T00:00:00Z' }],
    ...overrides,
  };
}

/** The SDK error of a rejected promise (fails the test when it resolves). */
export async function sdkError(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail');
}
