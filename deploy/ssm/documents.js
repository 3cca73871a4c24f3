'use strict';
// serverless.yml reads Warden's SSM Command documents through this file as plain strings, byte for byte: the
// DocumentHash Warden sends is the SHA-256 of these exact bytes, and `${...}` in the scripts must not be taken for
// Serverless variables. The .json files are generated (npm run ssm:documents) and checked by test/aws/ssm/documents.test.ts.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const read = (name) => readFileSync(path.join(__dirname, `${name}.json`), 'utf8');

module.exports = {
  inventory: () => read('WardenInventory'),
  revoke: () => read('WardenRevoke'),
};
