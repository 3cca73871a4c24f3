#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly (tsx), so `npx warden` works right after `npm ci`
// with no build step and never runs stale compiled output.
// The SDK warns that releases after January 2027 need Node 22; the lockfile pins a release that
// supports Node 20, so the warning only adds noise to every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const debug = process.argv.includes('--debug');
const fail = (err) => {
  console.error(`warden: ${err && err.message ? err.message.split('\n')[0] : String(err)}`);
  if (debug && err && err.stack) console.error(err.stack);
  process.exitCode = 1;
};
let cli;
try {
  require('tsx/cjs');
  cli = require('../src/cli/main.ts');
} catch (err) {
  fail(err);
}
if (cli) cli.main(process.argv).then((code) => { process.exitCode = code; }, fail);
