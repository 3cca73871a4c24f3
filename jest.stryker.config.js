/**
 * The suites mutation testing runs (`npm run mutate`): those that exercise src/domain and the security-critical
 * adapters in-process. End-to-end suites that start child processes (CLI, serve, Lambda containers) are left out:
 * a mutant inside a child process is never active, so they would only cost time.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/{domain,audit,evidence,slack,hosts,planning-hosts,roster,app,lib,report}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', 'bench-slack', 'chromium'],
};
