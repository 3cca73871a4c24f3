import { readFileSync } from 'node:fs';
import path from 'node:path';

const repo = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  main: string;
  bin: Record<string, string>;
  files: string[];
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

// `npm run test:package` (CI) installs the real tarball; these are the fast checks of what it depends on.
describe('package.json as an installable package', () => {
  it('runs compiled JavaScript: build tools are not runtime dependencies', () => {
    for (const tool of ['tsx', 'typescript', 'esbuild', '@swc/core', 'puppeteer-core', '@sparticuz/chromium']) expect(manifest.dependencies).not.toHaveProperty(tool);
    expect(manifest.main).toBe('dist/cli/main.js');
    expect(manifest.bin).toEqual({ warden: 'bin/warden.js' });
    expect(manifest.scripts['prepare']).toMatch(/scripts\/build\.js/);
  });

  it('ships the files the code reads beside itself (host scripts, demo data) and no sources', () => {
    expect(manifest.files).toEqual(expect.arrayContaining(['bin/warden.js', 'dist/', 'scripts/host/', 'config/demo/']));
    expect(manifest.files.some((f) => /^(src|test|bench)\b/.test(f))).toBe(false);
  });

  it('declares the Node versions the CLI runs on (better-sqlite3 and the pinned AWS SDK support Node 20.19+)', () => {
    expect(manifest.engines.node).toBe('>=20.19');
  });
});
