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
import { fork } from 'node:child_process';
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
import type { FanOutReply, FanOutRequest } from './fan-out-worker';
import { ORG_NOW, orgAccessKeyOf, orgAccountIds, type OrgReply, type OrgRequest } from './org-sandbox';

const ACCOUNT = '210987654321';
const NOW = ORG_NOW;
const credentials = { accessKeyId: 'AKIABENCH00000000001', secretAccessKey: 'bench' };

function writeRoster(account: SyntheticAccount): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
  const file = path.join(dir, 'roster.csv');
  const columns = ['employee_id', 'email', 'status', 'role', 'full_name', 'department', 'end_date', 'aws_usernames'] as const;
  writeFileSync(file, toCsv(columns, account.roster.map((row) => columns.map((c) => row[c]))));
  return file;
}

const directoryFor = (client: IAMClient, account: string): IamAccountDirectory =>
  new IamAccountDirectory({ client, account, policy: { denyAllPolicyName: 'warden-deny-all' }, clock: { now: () => NOW } });

export function depsFor(rosterFile: string, client: IAMClient | readonly IAMClient[], account: string | readonly string[] = ACCOUNT): ReconcileDeps {
  const clients = Array.isArray(client) ? client : [client as IAMClient];
  const accounts = Array.isArray(account) ? account : [account as string];
  return {
    roster: new FileRosterSource({ path: rosterFile, timezone: 'UTC' }),
    directories: clients.map((c, i) => directoryFor(c, accounts[i] as string)),
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
    await computePlan(depsFor(rosterFile, client));
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
    await computePlan(depsFor(rosterFile, client));
    const wallMs = Date.now() - started;
    // Throttled answers count as calls too: they are what IAM would have refused.
    const calls = sandbox.calls.count();
    const accepted = calls - sandbox.calls.failures(undefined, 'Throttling');
    client.destroy();
    return { users, ratePerSecond: rate, calls: accepted, wallMs, wallOverIdeal: Number((wallMs / ((accepted / rate) * 1000)).toFixed(2)) };
  });
}

/** How the organization's accounts are planned: see {@link benchWholeOrg}. */
export type WholeOrgMode = 'one-run' | 'worker-alone' | 'fan-out';

export interface WholeOrgBench {
  mode: WholeOrgMode;
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
  /** This process: all accounts' plans. */
  peakRssMiB: number;
  baselineRssMiB: number;
  /** The sandbox's process: all accounts' IAM state. */
  iamPeakRssMiB: number;
  /**
   * CPU time (user + system) over the run of Warden's process and of the IAM sandbox's, each as a share of the wall
   * time: near 1 means that process kept a core busy the whole run, so the run was bound by this machine's CPU.
   */
  cpu: { wardenMs: number; wardenShare: number; iamMs: number; iamShare: number };
  /**
   * Where the time went, per account (seconds from the start of the run): its first call, its last bulk-inventory call
   * answered (credential report, authorization details), its last call answered. `lastAccount` is the account that
   * finished last; `latestInventory` the account whose inventory came in last.
   */
  timeline: { lastAccount: AccountTimeline; latestInventory: AccountTimeline; firstCallSpreadS: number };
  note: string;
}

export interface AccountTimeline {
  account: string;
  firstCallS: number;
  inventoryDoneS: number;
  lastCallS: number;
  calls: number;
  throttled: number;
}

const BULK_INVENTORY = new Set(['GenerateCredentialReport', 'GetCredentialReport', 'GetAccountAuthorizationDetails', 'ListRoles', 'ListVirtualMFADevices', 'GetAccountPasswordPolicy']);

/** Records, per client (account), when each call was sent and answered, to show where a whole-organization run's time went. */
export function recordTimeline(client: IAMClient, account: string, started: () => number, out: Map<string, AccountTimeline>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const row = out.get(account) ?? { account, firstCallS: Infinity, inventoryDoneS: 0, lastCallS: 0, calls: 0, throttled: 0 };
      out.set(account, row);
      row.firstCallS = Math.min(row.firstCallS, (Date.now() - started()) / 1000);
      try {
        const result = await next(args);
        const at = (Date.now() - started()) / 1000;
        row.calls += 1;
        row.lastCallS = Math.max(row.lastCallS, at);
        if (BULK_INVENTORY.has(context.commandName?.replace(/Command$/, '') ?? '')) row.inventoryDoneS = Math.max(row.inventoryDoneS, at);
        return result;
      } catch (error) {
        const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
        if (/throttl/i.test(`${e.name ?? ''} ${e.Code ?? ''}`) || e.$metadata?.httpStatusCode === 429) row.throttled += 1;
        throw error;
      }
    },
    { step: 'deserialize', name: 'benchTimeline', priority: 'low' },
  );
}

/**
 * The whole organization, 20 accounts against one IAM that throttles every account to `rate` requests/s. IAM is the
 * sandbox in a process of its own (bench/org-sandbox.ts), as IAM is not part of Warden's process.
 * - `one-run`: one plan over every account in this process, as `warden plan` and `serve` run it self-hosted.
 * - `worker-alone`: the Lambda fan-out's worker, which plans one account in an invocation of its own (its own process
 *   and CPU): bench/fan-out-worker.ts in a process of its own, the first and the last account one after the other, the
 *   slower one reported. All accounts are alike, so every worker of a fan-out would read about the same.
 * - `fan-out`: every account's plan at once in this one process, sharing one thread (20 workers' CPU on one core,
 *   which Lambda does not do): reported to show what CPU contention costs, not what the Lambda fan-out takes.
 * Wall time against the account's (busiest account's) calls / rate; peak memory of each process.
 */
export async function benchWholeOrg(options: { accounts: number; usersPerAccount: number; rate: number; mode: WholeOrgMode }): Promise<WholeOrgBench> {
  const shape = { accounts: options.accounts, usersPerAccount: options.usersPerAccount };
  const baselineRss = process.memoryUsage().rss;
  const iam = forkChild<OrgRequest, OrgReply>('org-sandbox.ts', [JSON.stringify(shape)]);
  const ready = expectReply(await iam.next(), 'ready');
  const ids = orgAccountIds(shape);
  // The roster is the company's: the same people in every account, so the first account's roster serves all.
  const first = syntheticAccount({ accountId: ids[0] as string, users: options.usersPerAccount, now: ORG_NOW });
  const rosterFile = writeRoster(first);
  const clients =
    options.mode === 'worker-alone'
      ? []
      : ids.map((_, i) => createIamClient({ endpoint: ready.url, region: 'us-east-1', credentials: { accessKeyId: orgAccessKeyOf(i), secretAccessKey: 'bench' }, maxAttempts: 30 }));
  const timeline = new Map<string, AccountTimeline>();
  let started = Date.now();
  clients.forEach((client, i) => recordTimeline(client, ids[i] as string, () => started, timeline));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const result = (m: { wallMs: number; calls: number; accepted: readonly number[]; throttled: number; peakRssMiB: number; wardenCpuMs: number; iam: { cpuMs: number; peakRssMiB: number } }): WholeOrgBench => {
    const idealMs = (m.calls / options.rate) * 1000;
    return {
      mode: options.mode,
      accounts: options.accounts,
      usersPerAccount: options.usersPerAccount,
      leaversPerAccount: first.departedUserNames.length,
      ratePerSecondPerAccount: options.rate,
      wallMs: m.wallMs,
      busiestAccountCalls: m.calls,
      idealMs: Math.round(idealMs),
      wallOverIdeal: Number((m.wallMs / idealMs).toFixed(2)),
      totalAcceptedCalls: m.accepted.reduce((x, y) => x + y, 0),
      throttledAnswers: m.throttled,
      peakRssMiB: m.peakRssMiB,
      baselineRssMiB: Math.round(baselineRss / 2 ** 20),
      iamPeakRssMiB: m.iam.peakRssMiB,
      cpu: { wardenMs: m.wardenCpuMs, wardenShare: Number((m.wardenCpuMs / m.wallMs).toFixed(2)), iamMs: m.iam.cpuMs, iamShare: Number((m.iam.cpuMs / m.wallMs).toFixed(2)) },
      timeline: timelineSummary([...timeline.values()]),
      note: MODE_NOTES[options.mode],
    };
  };
  try {
    expectReply(await iam.request({ type: 'throttle', ratePerSecond: options.rate }), 'ack');
    if (options.mode === 'worker-alone') {
      let slowest: WholeOrgBench | undefined;
      for (const index of new Set([0, ids.length - 1])) {
        const account = ids[index] as string;
        const worker = forkChild<FanOutRequest, FanOutReply>('fan-out-worker.ts', []);
        try {
          // The worker loads its modules and builds its client before the clock starts (cold starts are measured apart).
          expectReply(await worker.request({ type: 'prepare', url: ready.url, rosterFile, accountIndex: index, account }), 'ready');
          expectReply(await iam.request({ type: 'reset' }), 'ack');
          started = Date.now();
          const done = expectReply(await worker.request({ type: 'go', startedAt: started }), 'done');
          const wallMs = Date.now() - started;
          const calls = expectReply(await iam.request({ type: 'calls' }), 'calls');
          timeline.clear();
          timeline.set(account, done.timeline);
          const sample = result({
            wallMs,
            calls: calls.perAccount[account] ?? 0,
            accepted: Object.values(calls.perAccount),
            throttled: calls.throttled,
            peakRssMiB: done.maxRssMiB,
            wardenCpuMs: done.cpuMs,
            iam: calls,
          });
          if (slowest === undefined || sample.wallOverIdeal > slowest.wallOverIdeal) slowest = sample;
        } finally {
          await worker.close({ type: 'close' });
        }
      }
      return slowest as WholeOrgBench;
    }
    expectReply(await iam.request({ type: 'reset' }), 'ack');
    peakRss = process.memoryUsage().rss;
    started = Date.now();
    const cpuBefore = process.cpuUsage();
    if (options.mode === 'one-run') await computePlan(depsFor(rosterFile, clients, ids));
    else await Promise.all(ids.map((id, i) => computePlan(depsFor(rosterFile, clients[i] as IAMClient, id))));
    const wallMs = Date.now() - started;
    const cpuUsed = process.cpuUsage(cpuBefore);
    const calls = expectReply(await iam.request({ type: 'calls' }), 'calls');
    const accepted = Object.values(calls.perAccount);
    return result({
      wallMs,
      calls: Math.max(...accepted),
      accepted,
      throttled: calls.throttled,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      wardenCpuMs: Math.round((cpuUsed.user + cpuUsed.system) / 1000),
      iam: calls,
    });
  } finally {
    clearInterval(sampler);
    for (const client of clients) client.destroy();
    await iam.close({ type: 'close' });
  }
}

const MODE_NOTES: Record<WholeOrgMode, string> = {
  'one-run': 'one plan over every account (bulk inventory + live reads of every leaver), as `warden plan`/`serve` run it self-hosted; IAM (the sandbox) in its own process',
  'worker-alone':
    'the Lambda fan-out worker for one account in a process of its own, alone on the machine as a Lambda invocation has its CPU to itself (the slower of the first and last account); IAM (the sandbox) in its own process',
  'fan-out': 'every account planned at once in this one process, sharing one thread (Lambda runs each in its own); IAM (the sandbox) in its own process',
};

function timelineSummary(rows: readonly AccountTimeline[]): WholeOrgBench['timeline'] {
  const r = (row: AccountTimeline): AccountTimeline => ({ ...row, firstCallS: round1(row.firstCallS), inventoryDoneS: round1(row.inventoryDoneS), lastCallS: round1(row.lastCallS) });
  const by = (key: 'lastCallS' | 'inventoryDoneS'): AccountTimeline => rows.reduce((a, b) => (b[key] > a[key] ? b : a));
  const firsts = rows.map((row) => row.firstCallS);
  return { lastAccount: r(by('lastCallS')), latestInventory: r(by('inventoryDoneS')), firstCallSpreadS: round1(Math.max(...firsts) - Math.min(...firsts)) };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

interface Child<Req, Rep> {
  /** The next message the child sends. */
  next(): Promise<Rep>;
  /** Sends `message` and resolves with the child's next message. */
  request(message: Req): Promise<Rep>;
  /** Sends `message` (the child's own way to stop) and waits for it to exit. */
  close(message: Req): Promise<void>;
}

/** Starts a bench module (org-sandbox.ts, fan-out-worker.ts) in a child process that answers each message with one. */
function forkChild<Req, Rep>(file: string, args: readonly string[]): Child<Req, Rep> {
  const child = fork(path.join(__dirname, file), [...args], { execArgv: ['-r', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<Rep> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`${file} exited (${String(code)}) before answering`));
      child.once('exit', onExit);
      child.once('message', (reply: Rep) => {
        child.off('exit', onExit);
        resolve(reply);
      });
    });
  return {
    next,
    request: (message) => {
      const reply = next();
      child.send(message as object);
      return reply;
    },
    close: (message) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send(message as object);
      }),
  };
}

/** The reply of the expected type, or an error saying what came instead (a worker's failure, with its stack). */
function expectReply<R extends { type: string }, T extends R['type']>(reply: R, type: T): Extract<R, { type: T }> {
  if (reply.type !== type) throw new Error(`expected ${type}, got ${reply.type}${'message' in reply ? `: ${String(reply.message)}` : ''}`);
  return reply as Extract<R, { type: T }>;
}
