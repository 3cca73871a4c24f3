/**
 * jest-environment-node that, for Stryker's mutant runs (test-files.js): records in the dry run the full name of every
 * test it sees, run or skipped, with its file and the file's duration; and in a mutant run notes the first failing
 * test. Stryker wraps it in its own coverage environment; names match Stryker's test ids.
 */
const { TestEnvironment } = require('jest-environment-node');
const files = require('./test-files');

/** Jest's test id: the describe names from the outermost in, then the test's; the root block has no parent and no part. */
const fullName = (test) => {
  const names = [];
  for (let node = test; node.parent !== undefined; node = node.parent) names.unshift(node.name);
  return names.join(' ');
};

class RecordingEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.recordingTestPath = context.testPath;
    this.recordingStart = Date.now();
  }

  async handleTestEvent(event) {
    if (files.inMutantRun()) {
      if (event.name === 'test_done' && event.test.errors.length > 0) files.markKilled();
    } else if (event.name === 'test_start') {
      // test_start fires for every test, also those testNamePattern skips.
      files.record(fullName(event.test), this.recordingTestPath);
    }
  }

  async teardown() {
    await super.teardown();
    if (!files.inMutantRun()) files.recordDuration(this.recordingTestPath, Date.now() - this.recordingStart);
  }
}

module.exports = RecordingEnvironment;
