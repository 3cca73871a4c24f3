import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Error names reach people (`namedErrorText`: "ConfigError: …" in the CLI, logs and Slack), so each error class names
 * itself. The Lambda bundles are minified without esbuild's `keepNames` (it made every function of every library
 * name itself at load, a cold start's worth of work), so a name read from `constructor.name` would come out as a
 * minified identifier there: this builds `src/errors.ts` the same way and checks every class's name.
 */
describe("Warden's error classes in a minified bundle", () => {
  let dir: string;
  let errors: Record<string, unknown>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-error-names-'));
    const outfile = path.join(dir, 'errors.cjs');
    buildSync({ entryPoints: [path.join(__dirname, '../../src/errors.ts')], bundle: true, minify: true, keepNames: false, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module under test is the bundle just built
    errors = require(outfile) as Record<string, unknown>;
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each class its own name', () => {
    const classes = Object.entries(errors).filter((entry): entry is [string, new (...args: unknown[]) => Error] => typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof Error);
    // Constructors take a message, or a few strings; the one that takes a list of parameter names gets one.
    const argsOf = (exported: string): unknown[] => (exported === 'ParameterMissingError' ? [['/warden/config']] : ['message', 'second', 'third', new Error('cause')]);
    const names = classes.map(([exported, ErrorClass]) => [exported, new ErrorClass(...argsOf(exported)).name]);

    expect(classes.length).toBeGreaterThanOrEqual(20);
    expect(names).toEqual(classes.map(([exported]) => [exported, exported]));
  });
});
