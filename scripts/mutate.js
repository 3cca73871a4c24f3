#!/usr/bin/env node
/**
 * `npm run mutate [-- stryker options]`: StrykerJS over src/domain and the security-critical adapters
 * (stryker.config.json), in incremental mode against the committed baseline mutation/incremental.json.
 *
 *   npm run mutate                                  whole scope (long: hours on 2 cores)
 *   npm run mutate -- --mutate src/domain/guard.ts  one file; other files keep their baseline results
 *   npm run mutate -- --mutate src/domain/identity.ts --tests test/domain
 *                                                   only these test folders or files (much faster per mutant)
 *   npm run mutate -- --scores                      print the per-folder scores of the baseline, run nothing
 *
 * Stryker writes an incremental report holding only the files it mutated this time, so the run works on a copy
 * (reports/mutation/incremental-PID.json) and its files are merged back into the baseline afterwards.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { takeLock, releaseLock } = require('./mutate-lock');

const root = path.resolve(__dirname, '..');
const baselineFile = path.join(root, 'mutation/incremental.json');
// One working copy per run, so two runs on different files can go side by side.
const workFile = path.join(root, `reports/mutation/incremental-${process.pid}.json`);

const readJson = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined);

/** Killed or timed out over everything that compiled and ran (Stryker's mutation score), per folder. */
function scores(report) {
  const folders = new Map();
  const add = (key, mutants) => {
    const s = folders.get(key) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
    for (const m of mutants) {
      if (m.status === 'Killed') s.killed += 1;
      else if (m.status === 'Timeout') s.timeout += 1;
      else if (m.status === 'Survived') s.survived += 1;
      else if (m.status === 'NoCoverage') s.noCoverage += 1;
      else s.other += 1;
    }
    folders.set(key, s);
  };
  for (const [file, result] of Object.entries(report.files ?? {})) {
    add(path.dirname(file), result.mutants);
    add(file, result.mutants);
  }
  const rows = [...folders.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = ['| folder / file | score | killed | timeout | survived | no coverage |', '|---|---|---|---|---|---|'];
  for (const [key, s] of rows) {
    const valid = s.killed + s.timeout + s.survived + s.noCoverage;
    const score = valid === 0 ? 'n/a' : `${((100 * (s.killed + s.timeout)) / valid).toFixed(1)}%`;
    const name = key.endsWith('.ts') ? `\`${key}\`` : `**${key}/**`;
    lines.push(`| ${name} | ${score} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} |`);
  }
  return lines.join('\n');
}

/** Takes from the run only what it changed: its report also carries files it read from the copy and did not mutate. */
function merge(baseline, start, run) {
  if (baseline === undefined) return run;
  const changed = (entries, before) =>
    Object.fromEntries(Object.entries(entries ?? {}).filter(([file, value]) => JSON.stringify(value) !== JSON.stringify(before?.[file])));
  return {
    ...run,
    files: { ...baseline.files, ...changed(run.files, start?.files) },
    testFiles: { ...(baseline.testFiles ?? {}), ...changed(run.testFiles, start?.testFiles) },
  };
}

let args = process.argv.slice(2);
const testsAt = args.indexOf('--tests');
const env = { ...process.env };
if (testsAt >= 0) {
  env.WARDEN_MUTATE_TESTS = args[testsAt + 1] ?? '';
  args = [...args.slice(0, testsAt), ...args.slice(testsAt + 2)];
}
if (args.includes('--scores')) {
  const baseline = readJson(baselineFile);
  if (baseline === undefined) {
    console.error(`no baseline at ${path.relative(root, baselineFile)} yet: run npm run mutate first`);
    process.exit(1);
  }
  console.log(scores(baseline));
  process.exit(0);
}

// One run at a time in a worktree: a second run would renumber the first one's test ids in the merged baseline.
const lockFile = process.env['WARDEN_MUTATE_LOCK'] ?? path.join(root, 'reports/mutation/run.lock');
const lock = takeLock(lockFile, process.pid);
if (!lock.taken) {
  console.error(
    `npm run mutate: another mutation run (pid ${lock.heldBy}) is going in this worktree; two runs side by side ` +
      `renumber each other's test ids in ${path.relative(root, baselineFile)}.\n` +
      `Wait for it to end, or give both files to one run (--mutate a.ts,b.ts). If pid ${lock.heldBy} is not a mutation ` +
      `run, remove ${path.relative(root, lockFile)}.`,
  );
  process.exit(2);
}
if (lock.staleFrom !== undefined) console.error(`npm run mutate: took over the lock of a run that is gone (pid ${lock.staleFrom})`);
process.on('exit', () => releaseLock(lockFile, process.pid));

fs.mkdirSync(path.dirname(workFile), { recursive: true });
if (fs.existsSync(baselineFile)) fs.copyFileSync(baselineFile, workFile);
else fs.rmSync(workFile, { force: true });
const start = readJson(workFile);

const stryker = path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js');
// Which test file holds which test, kept across Stryker's worker restarts (scripts/stryker/test-files.js).
env.WARDEN_STRYKER_TEST_FILES = path.join(root, `reports/mutation/test-files-${process.pid}.json`);
const own = ['--incrementalFile', path.relative(root, workFile), '--tempDirName', `.stryker-tmp/run-${process.pid}`];

// The TypeScript checker re-checks every file that depends on a mutant's file, for every mutant: on 2 shared cores
// that took ~10 s per mutant, more than the tests. For a run scoped with --mutate it type-checks the mutated files
// and what they import instead; a mutant that only breaks a caller's types is then run against the tests.
const mutateAt = args.indexOf('--mutate');
const runTsconfig = path.join(root, `tsconfig.stryker-${process.pid}.json`);
const runConfig = path.join(root, `stryker-${process.pid}.config.json`);
let config = [];
if (mutateAt >= 0) {
  const include = (args[mutateAt + 1] ?? '').split(',').map((f) => f.trim().replace(/:\d+(-\d+)?$/, '')).filter((f) => f !== '');
  fs.writeFileSync(runTsconfig, `${JSON.stringify({ extends: './tsconfig.stryker.json', include }, null, 1)}\n`);
  const base = readJson(path.join(root, 'stryker.config.json'));
  fs.writeFileSync(runConfig, `${JSON.stringify({ ...base, tsconfigFile: path.basename(runTsconfig) }, null, 1)}\n`);
  config = [path.basename(runConfig)];
}
const run = spawnSync(process.execPath, [stryker, 'run', ...config, ...own, ...args], { cwd: root, stdio: 'inherit', env });

fs.rmSync(env.WARDEN_STRYKER_TEST_FILES, { force: true });
fs.rmSync(runTsconfig, { force: true });
fs.rmSync(runConfig, { force: true });
const result = readJson(workFile);
if (result !== undefined) {
  const merged = merge(readJson(baselineFile), start, result);
  fs.mkdirSync(path.dirname(baselineFile), { recursive: true });
  fs.writeFileSync(baselineFile, `${JSON.stringify(merged, null, 1)}\n`);
  fs.rmSync(workFile, { force: true });
  console.log(`\nBaseline updated: ${path.relative(root, baselineFile)}\n\n${scores(merged)}`);
}
process.exit(run.status ?? 1);
