/**
 * What Stryker's mutant runs need to know about the test files, learned while its dry run loads every related suite:
 * which file holds which test, and how long each file took. Stryker runs jest in band in its own long-lived worker
 * process, so the environment (which records), the sequencer and the runner (which read) share this process-wide
 * state across Stryker's runCLI calls. `scripts/mutate.js` also names a file to keep it in (WARDEN_STRYKER_TEST_FILES),
 * for the worker Stryker starts afresh after a timed-out mutant.
 */
const fs = require('node:fs');

const KEY = Symbol.for('access-warden.stryker.test-files');
const STORE = process.env['WARDEN_STRYKER_TEST_FILES'];

function state() {
  if (globalThis[KEY] === undefined) {
    const s = { names: new Map(), durations: new Map(), killed: false };
    try {
      if (STORE === undefined) throw new Error('nowhere to keep it');
      const saved = JSON.parse(fs.readFileSync(STORE, 'utf8'));
      for (const [name, files] of saved.names) s.names.set(name, new Set(files));
      for (const [file, ms] of saved.durations) s.durations.set(file, ms);
    } catch {
      // Nothing saved yet: this is the dry run, or the run is not Stryker's.
    }
    globalThis[KEY] = s;
  }
  return globalThis[KEY];
}

/** True inside a Stryker mutant run (its jest runner sets the active mutant in the environment). */
const inMutantRun = () => process.env['__STRYKER_ACTIVE_MUTANT__'] !== undefined;

function record(testName, testPath) {
  const files = state().names.get(testName) ?? new Set();
  files.add(testPath);
  state().names.set(testName, files);
}

/** A file's wall time in the dry run; saved with the names once the file is done. */
function recordDuration(testPath, ms) {
  state().durations.set(testPath, ms);
  if (STORE === undefined) return;
  const s = state();
  const saved = { names: [...s.names].map(([name, files]) => [name, [...files]]), durations: [...s.durations] };
  fs.writeFileSync(STORE, JSON.stringify(saved));
}

const durationOf = (testPath) => state().durations.get(testPath);

/**
 * Stryker selects a mutant's covering tests with `testNamePattern` `(name1)|(name2)|...`, each name escaped, so an
 * unescaped `)|(` only ever separates two names. Returns the files holding a test jest would run for each
 * alternative, or undefined when any alternative matches no recorded test (then nothing is narrowed).
 */
function filesFor(testNamePattern) {
  if (typeof testNamePattern !== 'string' || !testNamePattern.startsWith('(') || !testNamePattern.endsWith(')')) return undefined;
  const names = [...state().names.keys()];
  const files = new Set();
  for (const alternative of testNamePattern.slice(1, -1).split(')|(')) {
    // Jest matches testNamePattern case-insensitively, anywhere in the full name.
    const matcher = new RegExp(alternative, 'i');
    const matching = names.filter((name) => matcher.test(name));
    if (matching.length === 0) return undefined;
    for (const name of matching) for (const file of state().names.get(name)) files.add(file);
  }
  return files;
}

/** Set when a test fails in a mutant run: the mutant is killed, and the remaining files need not run. */
const markKilled = () => void (state().killed = true);
const isKilled = () => state().killed;
const resetKilled = () => void (state().killed = false);

module.exports = { inMutantRun, record, recordDuration, durationOf, filesFor, markKilled, isKilled, resetKilled };
