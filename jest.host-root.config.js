/**
 * `npm run test:host-root`: the host scripts against this machine itself and a real sshd on a loopback port.
 * Needs root and openssh-server (.ci/run installs it and runs this after `npm test`); `npm test` never runs it.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/host-root'],
  testMatch: ['**/*.host-root.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 120000,
  setupFiles: ['<rootDir>/test/setup-env.js'],
  maxWorkers: 1,
};
