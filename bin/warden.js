#!/usr/bin/env node
'use strict';
// The `warden` command. Runs the compiled CommonJS in dist/ (built by `npm run build`, which `prepare` runs on
// `npm ci` and `npm pack`). In a checkout whose src/ changed after that build, it runs the TypeScript sources
// through tsx (a devDependency) instead, so a developer never runs stale output; an installed package has no src/.
// The SDK warns that releases after January 2027 need Node 22; the lockfile pins a release that
// supports Node 20, so the warning only adds noise to every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const debug = process.argv.includes('--debug');
const fail = (err) => {
  console.error(`warden: ${err && err.message ? err.message.split('\n')[0] : String(err)}`);
  if (debug && err && err.stack) console.error(err.stack);
  process.exitCode = 1;
};

/** True when some file under `dir` was modified after `since` (ms). */
function changedSince(dir, since) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() ? changedSince(full, since) : fs.statSync(full).mtimeMs > since) return true;
  }
  return false;
}

/** 'dist', or 'src' in a checkout without a build or with sources newer than it. */
function entryKind() {
  const src = path.join(root, 'src');
  // WARDEN_RUN_SOURCES=1 runs the sources even when the build is fresh (tests of this path use it).
  if (process.env.WARDEN_RUN_SOURCES === '1' && fs.existsSync(src)) return 'src';
  let built;
  try {
    built = fs.statSync(path.join(root, 'dist', 'BUILT')).mtimeMs;
  } catch {
    return fs.existsSync(src) ? 'src' : 'dist';
  }
  return fs.existsSync(src) && changedSince(src, built) ? 'src' : 'dist';
}

/** The CLI module: compiled, or the TypeScript sources through tsx (ESM hooks for the commands' lazy `import()`s too). */
async function loadCli() {
  if (entryKind() === 'dist') return require('../dist/cli/main.js');
  try {
    require.resolve('tsx/cjs');
  } catch {
    throw new Error('src/ is newer than dist/ and tsx is not installed: run `npm run build` (or `npm ci`)');
  }
  await import('tsx/esm');
  require('tsx/cjs');
  return require('../src/cli/main.ts');
}

loadCli()
  .then((cli) => cli.main(process.argv))
  .then((code) => {
    process.exitCode = code;
  }, fail);
