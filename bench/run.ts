/**
 * `npm run bench`: every figure in one run on this machine, written to bench/results.json.
 * Figures that compare two things are measured side by side here, so the ratio holds on a noisy machine.
 * `npm run bench -- --quick` runs smaller sizes (for a smoke check; not the README's figures).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withHeadline } from './headline';
import { benchIamCalls, benchThrottledPlan, benchWholeOrg } from './iam';
import { benchSlack } from './slack';
import { benchSsm } from './ssm';
import { benchDeploy, benchLambdaColdStart } from './deploy';
import { benchStartup } from './startup';
import { benchIdentityCenter, FULL_IC_SHAPE } from './identity-center';
import { benchTrail } from './trail';

const quick = process.argv.includes('--quick');
const repo = path.resolve(__dirname, '..');

type Section = () => Promise<unknown>;

function plannerInChild(people: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '-r', 'tsx/cjs', path.join(__dirname, 'planner-child.ts'), String(people)],
      { cwd: repo, maxBuffer: 1 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as unknown)),
    );
  });
}

const sections: Record<string, Section> = {
  startup: async () => benchStartup(quick ? 5 : 15),
  iamCalls: async () => {
    const users = quick ? 1000 : 5000;
    const result = await benchIamCalls(users, true);
    // Bulk inventory calls must not grow with the account: the same plan at other sizes, Warden only.
    const sizes = quick ? [500, 2000] : [1000, 10_000];
    const bySize = [];
    for (const size of sizes) {
      const other = await benchIamCalls(size, false);
      bySize.push({ users: other.users, bulkCalls: other.wardenInventoryCalls, liveReadsPerLeaver: other.liveReadsPerLeaver });
    }
    bySize.push({ users: result.users, bulkCalls: result.wardenInventoryCalls, liveReadsPerLeaver: result.liveReadsPerLeaver });
    bySize.sort((a, b) => a.users - b.users);
    return { ...result, bySize, naiveOverWarden: result.naiveCalls === null ? null : Number((result.naiveCalls / result.wardenCalls).toFixed(1)) };
  },
  throttledPlan: () => benchThrottledPlan(quick ? 1000 : 5000, 10),
  // WARDEN_BENCH_ORG=ACCOUNTSxUSERS overrides the size (e.g. 5x1000 while iterating).
  wholeOrg: async () => {
    const [accounts, users] = (process.env['WARDEN_BENCH_ORG'] ?? (quick ? '5x1000' : '20x5000')).split('x').map(Number);
    const shape = { accounts: accounts ?? 20, usersPerAccount: users ?? 5000, rate: 10 };
    return {
      oneRun: await benchWholeOrg({ ...shape, mode: 'one-run' }),
      workerAlone: await benchWholeOrg({ ...shape, mode: 'worker-alone' }),
      fanOut: await benchWholeOrg({ ...shape, mode: 'fan-out' }),
    };
  },
  ssmCalls: () => benchSsm(),
  identityCenter: () => benchIdentityCenter(quick ? { users: 500, groups: 20, permissionSets: 10, accounts: 5 } : FULL_IC_SHAPE),
  trail: () => benchTrail(quick ? { users: 200, runs: 3 } : {}),
  slack: () => benchSlack(quick ? { requests: 10, leavers: 2 } : {}),
  deploy: () => benchDeploy(quick ? { usersPerAccount: 50, coldRuns: 3 } : {}),
  // WARDEN_BENCH_COLD_RUNS=N: more runs per function (side-by-side runs on a busy machine).
  coldStart: () => benchLambdaColdStart(Number(process.env['WARDEN_BENCH_COLD_RUNS'] ?? (quick ? 3 : 5))),
  planner: async () => {
    const sizes = quick ? [10_000] : [10_000, 100_000];
    const runs = [];
    for (const people of sizes) runs.push(await plannerInChild(people));
    return runs;
  },
};

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const out = path.join(__dirname, quick ? 'results.quick.json' : 'results.json');
  // --only=a,b re-measures some sections and keeps the others' last figures.
  const previous: Record<string, unknown> = only !== undefined && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  const results: Record<string, unknown> = {
    ...previous,
    generatedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage1m: os.loadavg()[0] },
    quick,
  };
  for (const [name, run] of Object.entries(sections)) {
    if (only !== undefined && !only.includes(name)) continue;
    const started = Date.now();
    process.stderr.write(`bench: ${name}…\n`);
    results[name] = await run();
    process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${name}: ${JSON.stringify(results[name])}\n`);
  }
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${path.relative(repo, out)}\n`);
  // The headline table is rewritten only from a full run, so every figure in it comes from the same run.
  if (only === undefined && !quick) {
    const summary = path.join(__dirname, 'RESULTS.md');
    writeFileSync(summary, withHeadline(readFileSync(summary, 'utf8'), results));
    process.stderr.write(`bench: wrote the headline table of ${path.relative(repo, summary)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
