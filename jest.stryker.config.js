/**
 * The suites mutation testing runs (`npm run mutate`): those that exercise src/domain and the security-critical
 * adapters in-process. End-to-end suites that start child processes (CLI, serve, Lambda containers) are left out:
 * a mutant inside a child process is never active, so they would only cost time.
 */
const path = require('node:path');
const base = require('./jest.config.js');

/** `npm run mutate -- --tests test/domain,test/evidence` narrows the suites (each mutant's run loads every related file). */
const folders = (process.env['WARDEN_MUTATE_TESTS'] ?? '').split(',').map((f) => f.trim().replace(/\/+$/, '')).filter((f) => f !== '');
const testMatch =
  folders.length > 0
    ? folders.map((f) => (f.endsWith('.ts') ? `<rootDir>/${f}` : `<rootDir>/${f}/**/*.test.ts`))
    : ['<rootDir>/test/{domain,audit,evidence,slack,hosts,planning-hosts,roster,app,lib,report}/**/*.test.ts'];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch,
  // Jest finds a mutated file's related suites through its haste map, which holds only `roots`: with test/ alone it
  // saw only suites importing the file directly (none through src/domain/planner.ts), and the rest never ran.
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testPathIgnorePatterns: ['/node_modules/', 'bench-slack', 'chromium'],
  // A mutant run loads only the suites holding its covering tests, quickest first, and stops at the first failure.
  testEnvironment: path.join(__dirname, 'scripts/stryker/environment.js'),
  testSequencer: path.join(__dirname, 'scripts/stryker/sequencer.js'),
  runner: path.join(__dirname, 'scripts/stryker/runner.js'),
};
