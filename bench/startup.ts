/**
 * Start-up of the installed command: `warden --help` against a bare `node -e 0`, measured alternately in the same
 * loop so the ratio holds on a busy machine (goal: within 5x). Builds dist/ first, so bin/warden.js runs the compiled
 * output as an installed package does (and not the sources through tsx).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');
export const STARTUP_GOAL_RATIO = 5;

export interface StartupBench {
  readonly runs: number;
  readonly bareNodeMs: { readonly median: number; readonly min: number };
  readonly helpMs: { readonly median: number; readonly min: number };
  /** median(`warden --help`) / median(`node -e 0`). */
  readonly ratio: number;
  readonly goalRatio: number;
  readonly withinGoal: boolean;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number): number => Number(n.toFixed(1));

function timeMs(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(run.status)}: ${String(run.stderr)}`);
  return ms;
}

export function benchStartup(runs = 15): StartupBench {
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.js')], { cwd: REPO });
  const bin = path.join(REPO, 'bin', 'warden.js');
  timeMs(['-e', '0']);
  timeMs([bin, '--help']);
  const bare: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    bare.push(timeMs(['-e', '0']));
    help.push(timeMs([bin, '--help']));
  }
  const ratio = median(help) / median(bare);
  return {
    runs,
    bareNodeMs: { median: round(median(bare)), min: round(Math.min(...bare)) },
    helpMs: { median: round(median(help)), min: round(Math.min(...help)) },
    ratio: Number(ratio.toFixed(2)),
    goalRatio: STARTUP_GOAL_RATIO,
    withinGoal: ratio <= STARTUP_GOAL_RATIO,
  };
}
