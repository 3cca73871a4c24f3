/**
 * Jest's runner, stopping a Stryker mutant run after the first file in which a test failed: the mutant is killed, and
 * Stryker (with its default `disableBail: false`) needs only one killing test. Stryker's jest runner cannot ask jest
 * to bail (jest's bail exits the process), so without this every covering file runs for every mutant.
 */
const TestRunner = require('jest-runner').default;
const { inMutantRun, isKilled, resetKilled } = require('./test-files');

class StopWhenKilledRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    if (!inMutantRun() || !options.serial) return super.runTests(tests, watcher, options);
    resetKilled();
    for (const test of tests) {
      if (isKilled()) return;
      await super.runTests([test], watcher, options);
    }
  }
}

module.exports = StopWhenKilledRunner;
