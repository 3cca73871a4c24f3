#!/usr/bin/env node
'use strict';
// Runs `node ARGS…` under Node 24, the Lambda runtime (nodejs24.x), whatever Node runs this script. The binary
// comes from the npm package `node@24` through npx (cached after the first use; the registry is the only network
// it needs). Not a devDependency: its `node` bin would shadow the Node 20 that npm scripts, better-sqlite3 and the
// CLI use. `node scripts/node24.js --path` prints the binary's path.
const { execFileSync, spawnSync } = require('node:child_process');

function node24() {
  const out = execFileSync('npx', ['--yes', 'node@24', '-p', 'process.execPath + " " + process.versions.node'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const [binary, version] = out.split(/\s+/).slice(-2);
  if (!binary || !version || !version.startsWith('24.')) throw new Error(`node@24 gave ${out}`);
  return binary;
}

module.exports = { node24 };

if (require.main === module) {
  const binary = node24();
  const args = process.argv.slice(2);
  if (args[0] === '--path') {
    console.log(binary);
  } else {
    const run = spawnSync(binary, args, { stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
  }
}
