#!/usr/bin/env node
'use strict';
// Runs one TypeScript entry file (benchmarks, scripts) through tsx without a build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const path = require('node:path');
const file = process.argv[2];
if (!file) { console.error('usage: run-ts FILE.ts [args]'); process.exit(2); }
process.argv.splice(1, 1);
require(path.resolve(file));
