#!/usr/bin/env node
'use strict';
// `npm run test:package`: packs Warden as `npm pack` does, installs the tarball into an empty folder with
// `npm install --omit=dev` (runtime dependencies only, from the npm registry), and runs `warden --help` and
// `warden demo` from there. Fails on the first thing that is not as a user would need it. Slow (an install), so it
// is a CI step (.ci/run) rather than part of `npm test`.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'warden-package-'));
const keep = process.env.WARDEN_KEEP_PACKAGE_CHECK === '1';

function check(ok, what) {
  if (!ok) throw new Error(`package check failed: ${what}`);
  console.log(`ok - ${what}`);
}

function run(command, args, options) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...options });
}

try {
  // `npm pack` runs `prepare`, so the tarball holds a fresh dist/.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo }));
  const { filename, files } = packed[0];
  const names = files.map((f) => f.path);
  check(names.includes('dist/cli/main.js') && names.includes('bin/warden.js'), 'the tarball holds bin/warden.js and dist/');
  check(names.includes('scripts/host/inventory.sh') && names.includes('scripts/host/revoke.sh') && names.includes('config/demo/warden.yaml'), 'the tarball holds the host scripts and the demo data');
  check(!names.some((n) => /^(src|test|bench|\.ci)\//.test(n) || n.endsWith('.ts')), 'the tarball holds no sources, tests or benchmarks');

  const app = path.join(work, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), '{ "name": "warden-install-check", "private": true }\n');
  const started = Date.now();
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', path.join(work, filename)], { cwd: app });
  console.log(`# npm install --omit=dev of the tarball: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const installed = path.join(app, 'node_modules', 'access-warden');
  check(existsSync(path.join(installed, 'dist', 'cli', 'main.js')) && !existsSync(path.join(installed, 'src')), 'installed: dist/ and no src/');
  check(!existsSync(path.join(app, 'node_modules', 'tsx')) && !existsSync(path.join(app, 'node_modules', 'typescript')), 'no TypeScript tooling among the runtime dependencies');

  const warden = path.join(app, 'node_modules', '.bin', 'warden');
  const env = { PATH: process.env.PATH, HOME: app };
  const help = run(warden, ['--help'], { cwd: app, env });
  check(/Usage: warden/.test(help) && /demo/.test(help) && /serve/.test(help), '`warden --help` prints the commands');
  const version = run(warden, ['--version'], { cwd: app, env }).trim();
  check(version === JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version, `\`warden --version\` prints ${version}`);
  const demo = run(warden, ['demo', '--dir', path.join(app, 'demo')], { cwd: app, env, timeout: 300_000 });
  check(/verified/i.test(demo) && existsSync(path.join(app, 'demo', 'warden.yaml')), '`warden demo` runs the whole flow from the installed package');
  const verify = run(warden, ['audit', 'verify', '--config', path.join(app, 'demo', 'warden.yaml')], { cwd: app, env });
  check(/^Audit chain intact/.test(verify), '`warden audit verify` on the demo log from the installed package');
  console.log('package check: all passed');
} catch (error) {
  console.error(error.stdout ?? '', error.stderr ?? '');
  console.error(error.message);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`# kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
