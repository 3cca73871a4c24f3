#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly (tsx), so `npx warden` works right after `npm ci`
// with no build step and never runs stale compiled output.
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`warden: ${err && err.message ? err.message : String(err)}`); process.exitCode = 1; },
);
