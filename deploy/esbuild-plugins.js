// esbuild plugins for the Lambda bundles (serverless.yml `custom.esbuild.plugins`). They leave out code a function
// never runs but would still parse at every cold start (bench/RESULTS.md, "Lambda cold start"):
// - zod's error messages in ~50 languages (267 kB): Warden configures none, so only English (zod's default) stays;
// - Bolt's socket-mode, Express and raw-body receivers' libraries (undici, express, iconv-lite, mime-db: 1.3 MB):
//   the functions receive Slack through `AwsLambdaReceiver`, which uses none of them. Bolt requires them at the top
//   of its modules (CommonJS, so esbuild cannot tree-shake them); each is replaced by a module that throws if it is
//   ever constructed, so a receiver wired by mistake fails loudly instead of half-working.
// test/package/lambda-bundle-slim.test.ts builds the bundles with these plugins and runs a signed Slack request and
// a config parse through them.
'use strict';

const path = require('node:path');

const NAMESPACE = 'warden-slim';

/** Libraries only Bolt's non-Lambda receivers use, and what the stub says if one is reached anyway. */
const RECEIVER_ONLY = ['@slack/socket-mode', 'express', 'raw-body'];

function stubSource(name) {
  const message = JSON.stringify(`${name} is left out of Warden's Lambda bundles (deploy/esbuild-plugins.js): only AwsLambdaReceiver is supported there`);
  return [
    `function unavailable() { throw new Error(${message}); }`,
    'module.exports = unavailable;',
    'module.exports.default = unavailable;',
    'module.exports.Router = unavailable;',
    'module.exports.SocketModeClient = function SocketModeClient() { unavailable(); };',
  ].join('\n');
}

const slimLambda = {
  name: 'warden-slim-lambda',
  setup(build) {
    // zod/v4/classic re-exports `locales` (every language) and configures English from its own module.
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(args.resolveDir, '..', 'locales', 'index.js'), namespace: NAMESPACE, pluginData: 'zod-locales' } : undefined,
    );
    build.onResolve({ filter: new RegExp(`^(${RECEIVER_ONLY.map((n) => n.replace('/', '\\/')).join('|')})$`) }, (args) => ({
      path: args.path,
      namespace: NAMESPACE,
      pluginData: 'receiver-only',
    }));
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) =>
      args.pluginData === 'zod-locales'
        ? { contents: "export { default as en } from './en.js';", resolveDir: path.dirname(args.path), loader: 'js' }
        : { contents: stubSource(args.path), loader: 'js' },
    );
  },
};

module.exports = [slimLambda];
module.exports.slimLambda = slimLambda;
module.exports.RECEIVER_ONLY = RECEIVER_ONLY;
