#!/usr/bin/env node
'use strict';
// Compiles src/**/*.ts to dist/**/*.js (CommonJS, one file per source file, same folder layout), so every
// `__dirname`-relative path to the repository's runtime assets (scripts/host, config/demo, package.json) holds in
// dist as in src. esbuild only strips types: `npm run typecheck` is the type check. Run by `prepare` on `npm ci`.
const { buildSync } = require('esbuild');
const { readdirSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

rmSync(dist, { recursive: true, force: true });
buildSync({
  entryPoints: sources(src),
  outdir: dist,
  outbase: src,
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  // `await import('./x')` becomes a lazy require: the command modules load when their command runs, through
  // Node's CommonJS loader like everything else (no ESM loader start-up, no file extensions needed).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
});
// The bin script runs dist only when it is at least as new as every source file (see bin/warden.js).
writeFileSync(path.join(dist, 'BUILT'), `${new Date().toISOString()}\n`);
