/**
 * IAM API calls: Warden's bulk inventory versus a naive per-user inventory, on the same synthetic
 * accounts in the same run; and Warden's plan against the sandbox throttled like IAM.
 */
import type {
  IAMClient} from '@aws-sdk/client-iam';
import {
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIamClient } from '../src/adapters/aws/iam/client';
import { IamAccountDirectory } from '../src/adapters/aws/iam/directory';
import { MemoryAuditLog } from '../src/adapters/audit/memory-audit-log';
import { FileRosterSource } from '../src/adapters/roster/file-roster';
import { MemoryRunStateStore } from '../src/adapters/state/memory-run-state';
import { computePlan, type ReconcileDeps } from '../src/app/reconcile';
import { toCsv } from '../src/lib/csv';
import { mapLimit } from '../src/lib/concurrency';
import { IamSandboxState } from '../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../src/sandbox/server';
import { syntheticAccount, type SyntheticAccount } from '../src/sandbox/synthetic';

const ACCOUNT = '210987654321';
const NOW = new Date('2026-11-01T00:00:00Z');
const credentials = { accessKeyId: 'AKIABENCH00000000001', secretAccessKey: 'bench' };

function writeRoster(account: SyntheticAccount): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
  const file = path.join(dir, 'roster.csv');
  const columns = ['employee_id', 'email', 'status', 'role', 'full_name', 'department', 'end_date', 'aws_usernames'] as const;
  writeFileSync(file, toCsv(columns, account.roster.map((row) => columns.map((c) => row[c]))));
  return file;
}

function depsFor(sandbox: RunningSandbox, rosterFile: string, client: IAMClient, account: string = ACCOUNT): ReconcileDeps {
  return {
    roster: new FileRosterSource({ path: rosterFile, timezone: 'UTC' }),
    directories: [
      new IamAccountDirectory({ client, account, policy: { denyAllPolicyName: 'warden-deny-all' }, clock: { now: () => sandbox.state.now() } }),
    ],
    audit: new MemoryAuditLog(),
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock: { now: () => NOW },
    policy: {
      timezone: 'UTC',
      roles: {},
      breakGlass: [],
      serviceAccounts: [],
      orphans: 'report',
      deleteAfterDays: 30,
      identity: { employeeIdTag: 'employee_id', emailTag: 'email' },
      hygiene: { rotationDays: 90, unusedDays: 45 },
      denyAllPolicyName: 'warden-deny-all',
      hosts: { lockUsers: true },
    },
    guard: { maxRevocations: 1_000_000, maxHeadcountDropPercent: 100 },
  };
}

/** What a script that loops over users makes: one page of users, then each user's credentials and grants. */
async function naiveInventory(client: IAMClient): Promise<void> {
  const names: string[] = [];
  for await (const page of paginateListUsers({ client, pageSize: 1000 }, {})) for (const u of page.Users ?? []) if (u.UserName) names.push(u.UserName);
  await mapLimit(names, 8, async (UserName) => {
    await client.send(new ListAccessKeysCommand({ UserName }));
    await client.send(new GetLoginProfileCommand({ UserName })).catch(() => undefined);
    await client.send(new ListMFADevicesCommand({ UserName }));
    await client.send(new ListSSHPublicKeysCommand({ UserName }));
    await client.send(new ListGroupsForUserCommand({ UserName }));
    await client.send(new ListAttachedUserPoliciesCommand({ UserName }));
    await client.send(new ListUserPoliciesCommand({ UserName }));
    await client.send(new ListUserTagsCommand({ UserName }));
  });
}

async function withSandbox<T>(users: number, fn: (sandbox: RunningSandbox, account: SyntheticAccount) => Promise<T>): Promise<T> {
  const account = syntheticAccount({ accountId: ACCOUNT, users, now: NOW });
  const state = IamSandboxState.fromSeed({ accounts: [account] }, () => NOW);
  const sandbox = await startSandbox({ state });
  try {
    return await fn(sandbox, account);
  } finally {
    await sandbox.close();
  }
}

export interface IamBench {
  users: number;
  departed: number;
  /** Live reads per leaver, by API (calls / leavers): one per credential or attachment type that can hold something. */
  liveReadsPerLeaverByApi: Record<string, number>;
  liveReadsPerLeaver: number;
  wardenCalls: number;
  wardenInventoryCalls: number;
  wardenPerUserCalls: number;
  naiveCalls: number | null;
  naiveCallsNote: string;
  wardenMs: number;
  naiveMs: number | null;
}

/** Warden's plan (inventory + detail for leavers) and, when `naive`, the per-user loop, on one account. */
export async function benchIamCalls(users: number, naive: boolean): Promise<IamBench> {
  return withSandbox(users, async (sandbox, account) => {
    const rosterFile = writeRoster(account);
    const client = createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials });
    sandbox.calls.reset();
    let started = Date.now();
    await computePlan(depsFor(sandbox, rosterFile, client));
    const wardenMs = Date.now() - started;
    const byAction = sandbox.calls.byAction();
    const bulk = ['GetAccountAuthorizationDetails', 'ListVirtualMFADevices', 'GenerateCredentialReport', 'GetCredentialReport'];
    const count = (names: readonly string[]): number => names.reduce((sum, name) => sum + (byAction[name] ?? byAction[`iam:${name}`] ?? 0), 0);
    const wardenCalls = sandbox.calls.count();
    const wardenInventoryCalls = count(bulk);
    const leavers = account.departedUserNames.length;
    const liveReadsPerLeaverByApi = Object.fromEntries(
      Object.entries(byAction)
        .filter(([name]) => !bulk.includes(name.replace(/^iam:/, '')))
        .map(([name, n]) => [name.replace(/^iam:/, ''), Number((n / leavers).toFixed(2))]),
    );
    let naiveCalls: number | null = null;
    let naiveMs: number | null = null;
    if (naive) {
      sandbox.calls.reset();
      started = Date.now();
      await naiveInventory(client);
      naiveMs = Date.now() - started;
      naiveCalls = sandbox.calls.count();
    }
    client.destroy();
    return {
      users,
      departed: leavers,
      liveReadsPerLeaverByApi,
      liveReadsPerLeaver: Number(((wardenCalls - wardenInventoryCalls) / leavers).toFixed(2)),
      wardenCalls,
      wardenInventoryCalls,
      wardenPerUserCalls: wardenCalls - wardenInventoryCalls,
      naiveCalls,
      naiveCallsNote: naive ? 'measured' : 'not run at this size',
      wardenMs,
      naiveMs,
    };
  });
}

export interface ThrottledBench {
  users: number;
  ratePerSecond: number;
  calls: number;
  wallMs: number;
  /** Wall time over the least time the calls could take at the rate: 1.0 is perfect use of the budget. */
  wallOverIdeal: number;
}

/** Warden's plan against the sandbox throttled to `rate` requests per second (IAM's own limits are of that order). */
export async function benchThrottledPlan(users: number, rate: number): Promise<ThrottledBench> {
  return withSandbox(users, async (sandbox, account) => {
    const rosterFile = writeRoster(account);
    const client = createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 20 });
    sandbox.setThrottle({ ratePerSecond: rate });
    sandbox.calls.reset();
    const started = Date.now();
    await computePlan(depsFor(sandbox, rosterFile, client));
    const wallMs = Date.now() - started;
    // Throttled answers count as calls too: they are what IAM would have refused.
    const calls = sandbox.calls.count();
    const accepted = calls - sandbox.calls.failures(undefined, 'Throttling');
    client.destroy();
    return { users, ratePerSecond: rate, calls: accepted, wallMs, wallOverIdeal: Number((wallMs / ((accepted / rate) * 1000)).toFixed(2)) };
  });
}

export interface WholeOrgBench {
  accounts: number;
  usersPerAccount: number;
  leaversPerAccount: number;
  ratePerSecondPerAccount: number;
  wallMs: number;
  /** Accepted calls of the account that needed most. */
  busiestAccountCalls: number;
  /** busiest account's calls / rate: the least time the run could take. */
  idealMs: number;
  /** wall / ideal (goal at most 1.1). */
  wallOverIdeal: number;
  totalAcceptedCalls: number;
  throttledAnswers: number;
  peakRssMiB: number;
  baselineRssMiB: number;
  note: string;
}

/**
 * The whole organization as the Lambda fan-out reads it: every account planned at once (one worker per account), each
 * with its own credentials, against one sandbox that throttles every account to `rate` requests/s. Wall time against
 * the busiest account's calls / rate; peak memory of this one process holding the sandbox (all accounts' IAM state)
 * and every account's plan.
 */
export async function benchWholeOrg(options: { accounts: number; usersPerAccount: number; rate: number }): Promise<WholeOrgBench> {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const ids = Array.from({ length: options.accounts }, (_, i) => `4000000000${String(i + 1).padStart(2, '0')}`);
  const keyOf = (i: number): string => `AKIAWHOLEORG${String(i + 1).padStart(8, '0')}`;
  // The same people in every account (one roster for the company), 1% of them departed.
  const accounts = ids.map((accountId, i) => ({ ...syntheticAccount({ accountId, users: options.usersPerAccount, now: NOW }), accessKeyIds: [keyOf(i)] }));
  const first = accounts[0] as SyntheticAccount;
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts }, () => NOW) });
  const rosterFile = writeRoster(first);
  const clients = ids.map((_, i) => createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: keyOf(i), secretAccessKey: 'bench' }, maxAttempts: 30 }));
  try {
    sandbox.setThrottle({ ratePerSecond: options.rate });
    sandbox.calls.reset();
    const started = Date.now();
    await Promise.all(ids.map((id, i) => computePlan(depsFor(sandbox, rosterFile, clients[i] as IAMClient, id))));
    const wallMs = Date.now() - started;
    const perAccount = new Map<string, number>();
    let throttled = 0;
    for (const call of sandbox.calls.entries()) {
      if (call.errorCode === 'Throttling') {
        throttled += 1;
        continue;
      }
      perAccount.set(call.account, (perAccount.get(call.account) ?? 0) + 1);
    }
    const busiest = Math.max(...perAccount.values());
    const idealMs = (busiest / options.rate) * 1000;
    return {
      accounts: options.accounts,
      usersPerAccount: options.usersPerAccount,
      leaversPerAccount: first.departedUserNames.length,
      ratePerSecondPerAccount: options.rate,
      wallMs,
      busiestAccountCalls: busiest,
      idealMs: Math.round(idealMs),
      wallOverIdeal: Number((wallMs / idealMs).toFixed(2)),
      totalAcceptedCalls: [...perAccount.values()].reduce((a, b) => a + b, 0),
      throttledAnswers: throttled,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      baselineRssMiB: Math.round(baselineRss / 2 ** 20),
      note: 'plan (bulk inventory + live reads of every leaver) of every account at once, as the Lambda fan-out runs them; one process holds the sandbox and all plans',
    };
  } finally {
    clearInterval(sampler);
    for (const client of clients) client.destroy();
    await sandbox.close();
  }
}
