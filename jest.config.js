/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/setup-env.js'],
  // Tests start local servers (sandbox AWS, dynalite, fake Slack); two workers fit this 2-core machine.
  maxWorkers: 2,
};
