// esbuild plugins for the Lambda bundles (serverless.yml `custom.esbuild.plugins`). They leave out code a function
// never runs but would still parse at every cold start (bench/RESULTS.md, "Lambda cold start"):
// - zod's error messages in ~50 languages (267 kB): Warden configures none, so only English (zod's default) stays;
// - Bolt's socket-mode, Express and raw-body receivers' libraries (undici, express, iconv-lite, mime-db: 1.3 MB):
//   the functions receive Slack through `AwsLambdaReceiver`, which uses none of them. Bolt requires them at the top
//   of its modules (CommonJS, so esbuild cannot tree-shake them); each is replaced by a module that throws if it is
//   ever constructed, so a receiver wired by mistake fails loudly instead of half-working.
// - (splitLambda) each function is an ES module split into chunks: the AWS SDK clients a function may not use on an
//   invocation (src/adapters/aws/sdk.ts: IAM, S3, STS, Lambda, Organizations, CloudTrail, Identity Center) are files
//   of their own, read only when first used, and so is what the handlers `import()` (Bolt in the worker). V8 compiles
//   only the files a cold start loads (bench/RESULTS.md, "Lambda cold start").
// test/deploy/bundles.test.ts packages the functions with these plugins, checks that every file a bundle imports is in
// its zip, and runs each function's first invocation from the unzipped package.
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

/** The per-invocation SDK loaders in src/adapters/aws/sdk.ts: `require('./sdk/<name>')` inside a function. */
const SDK_LOADERS = ['cloudtrail', 'iam', 'identitystore', 'sso-admin', 'lambda', 'organizations', 's3', 'sts'];
const SDK_INDEX = path.join('src', 'adapters', 'aws', 'sdk.ts');

// ES module output has no `require`, `__filename` or `__dirname`; the CommonJS libraries inside (Bolt, axios) and the
// SDK loaders need them. Every output file gets its own, from its own URL (all files sit in one folder).
const BUILTIN_NAMESPACE = 'warden-builtin';
const BUILTIN = new RegExp(`^(node:)?(${require('node:module').builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);

const ESM_BANNER = [
  "import { createRequire as __wardenRequire } from 'node:module';",
  'const require = __wardenRequire(import.meta.url);',
  'const __filename = import.meta.filename;',
  'const __dirname = import.meta.dirname;',
].join('\n');

/**
 * Splits a function's bundle (esbuild `format: esm`, `splitting: true`): each SDK loader's module becomes an entry of
 * its own, `<function>.sdk-<name>.mjs` beside the handler, which the loader `require`s on first use (Node 22+ loads an
 * ES module synchronously through `require`, so the loaders stay synchronous); code shared with the handler goes to
 * `<function>.chunk-<hash>.mjs`. Every file starts with the function's name and a dot, which serverless-esbuild reads
 * as belonging to that function: each zip carries its own files only.
 */
const splitLambda = {
  name: 'warden-split-lambda',
  setup(build) {
    const options = build.initialOptions;
    if (options.format !== 'esm' || options.splitting !== true) return;
    const entries = Array.isArray(options.entryPoints) ? options.entryPoints : [];
    if (entries.length !== 1 || typeof entries[0] !== 'string') throw new Error('warden-split-lambda: one handler entry per build');
    const entry = entries[0];
    const fn = path.basename(entry, path.extname(entry));
    const extension = options.outExtension?.['.js'] ?? '.js';
    options.entryPoints = [
      { in: entry, out: fn },
      ...SDK_LOADERS.map((name) => ({ in: path.join('src', 'adapters', 'aws', 'sdk', `${name}.ts`), out: `${fn}.sdk-${name}` })),
    ];
    options.chunkNames = `${fn}.chunk-[hash]`;
    options.banner = { ...options.banner, js: [options.banner?.js, ESM_BANNER].filter(Boolean).join('\n') };
    // An ES module `import` (or `import()`, as the SDK's HTTP handler does) of a Node built-in makes Node build the
    // module's ES facade, which reads every export: for `http` that includes its lazy `WebSocket` getters, which load
    // Node's own undici (tens of ms of a cold start here, bench/RESULTS.md). Such imports go through `require` instead.
    build.onResolve({ filter: BUILTIN }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import' ? { path: args.path.replace(/^node:/, ''), namespace: BUILTIN_NAMESPACE } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) => ({ contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`, loader: 'js' }));
    build.onResolve({ filter: /^\.\/sdk\/[a-z0-9-]+$/ }, (args) => {
      const name = args.path.slice('./sdk/'.length);
      if (args.kind !== 'require-call' || !args.importer.endsWith(SDK_INDEX) || !SDK_LOADERS.includes(name)) return undefined;
      return { path: `./${fn}.sdk-${name}${extension}`, external: true };
    });
  },
};

module.exports = [slimLambda, splitLambda];
module.exports.slimLambda = slimLambda;
module.exports.splitLambda = splitLambda;
module.exports.SDK_LOADERS = SDK_LOADERS;
module.exports.RECEIVER_ONLY = RECEIVER_ONLY;
