/**
 * For a Stryker mutant run: only the files that hold the mutant's covering tests, quickest first. Without it jest
 * loads every suite related to the mutated file (Bolt, the AWS SDK) only to skip their tests by name, and runs the
 * slowest first. Outside a mutant run, or when a covering test was never recorded, jest's own order is kept.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { durationOf, filesFor, inMutantRun } = require('./test-files');

class CoveringFilesSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.testNamePattern = options.globalConfig.testNamePattern;
  }

  async sort(tests) {
    const sorted = await super.sort(tests);
    if (!inMutantRun()) return sorted;
    const files = filesFor(this.testNamePattern);
    if (files === undefined) return sorted;
    const time = (test) => durationOf(test.path) ?? Number.MAX_SAFE_INTEGER;
    return sorted.filter((test) => files.has(test.path)).sort((a, b) => time(a) - time(b));
  }
}

module.exports = CoveringFilesSequencer;
