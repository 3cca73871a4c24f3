const { readdirSync, readFileSync, existsSync } = require('node:fs');
const path = require('node:path');

// Suites that judge keys with OpenSSH's own ssh-keygen start with `// needs: ssh-keygen`. Where it is missing (a machine
// without the Debian package openssh-client), they are left out of the run, named on stderr, and everything else runs;
// .ci/run installs the package, so CI runs them all.
const NEEDS_SSH_KEYGEN = /^\/\/ needs: ssh-keygen/;
const testRoot = path.join(__dirname, 'test');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function suitesLeftOut() {
  if (existsSync('/usr/bin/ssh-keygen')) return [];
  const needing = testFiles(testRoot).filter((file) => NEEDS_SSH_KEYGEN.test(readFileSync(file, 'utf8')));
  if (needing.length > 0) {
    process.stderr.write(
      `jest: /usr/bin/ssh-keygen is missing (Debian package openssh-client), so ${needing.length} suites that judge keys with it are not run:\n` +
        needing.map((file) => `  ${path.relative(__dirname, file)}\n`).join('') +
        '  install it (apt-get install openssh-client) to run them.\n',
    );
  }
  return needing.map((file) => `${path.relative(__dirname, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...suitesLeftOut()],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/setup-env.js'],
  // Tests start local servers (sandbox AWS, dynalite, fake Slack); two workers fit this 2-core machine.
  maxWorkers: 2,
};
