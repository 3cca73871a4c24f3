import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { benchColdStart } from '../../bench/cold-start';
import { packageStack } from './package-stack';
import { readZip } from './zip';

const execFileAsync = promisify(execFile);
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the esbuild plugins are the build's own CommonJS file
const { SDK_LOADERS } = require('../../deploy/esbuild-plugins.js') as { SDK_LOADERS: readonly string[] };

/** The relative files an ES module output names: static imports and re-exports, `import()`, and `require()`. */
function relativeImports(code: string): { readonly statics: string[]; readonly lazy: string[] } {
  const statics = [...code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?["'](\.\/[^"']+)["']/g)].map((m) => m[1] as string);
  const lazy = [...code.matchAll(/(?:import|require)\(\s*["'](\.\/[^"']+)["']\s*\)/g)].map((m) => m[1] as string);
  return { statics, lazy };
}

describe('the packaged Lambda bundles', () => {
  let outDir: string;
  /** The function's code files in its zip, by name (`src/lambda/<name>.mjs`, its SDK files and chunks). */
  const codeOf = (name: string): Map<string, string> =>
    new Map(readZip(path.join(outDir, `${name}.zip`)).filter((e) => e.name.endsWith('.mjs')).map((e) => [e.name, e.read().toString('utf8')]));
  /** Everything in the function's zip, as one text. */
  const bundleOf = (name: string): string => [...codeOf(name).values()].join('\n');
  /** The files a cold start compiles: the handler and what it imports statically, transitively. */
  const loadedAtStart = (name: string): Map<string, string> => {
    const code = codeOf(name);
    const seen = new Map<string, string>();
    const visit = (file: string): void => {
      const text = code.get(file);
      if (text === undefined || seen.has(file)) return;
      seen.set(file, text);
      for (const spec of relativeImports(text).statics) visit(path.posix.join(path.posix.dirname(file), spec));
    };
    visit(`src/lambda/${name}.mjs`);
    return seen;
  };

  beforeAll(async () => {
    ({ outDir } = await packageStack());
  }, 300_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('are the three functions', () => {
    expect(readdirSync(outDir).filter((f) => f.endsWith('.zip')).sort()).toEqual(['reconcile.zip', 'slack.zip', 'trail.zip', 'worker.zip']);
  });

  it.each(['reconcile', 'worker', 'slack'])('%s leaves out zod locales and keeps its English messages', (name) => {
    const code = bundleOf(name);
    // A German zod message (ASCII, as esbuild escapes the rest): present when zod's locales are bundled.
    expect(code.includes('Zu klein:')).toBe(false);
    expect(code.includes('Too small:')).toBe(true);
  });

  it.each(['worker', 'slack'])("%s carries Bolt without the socket-mode, Express and raw-body receivers' libraries", (name) => {
    const code = bundleOf(name);
    expect(code.includes("is left out of Warden's Lambda bundles")).toBe(true);
    // undici's own error code and express's static middleware: present when those libraries are bundled.
    expect(code.includes('UND_ERR_SOCKET')).toBe(false);
    expect(code.includes('express.static')).toBe(false);
  });

  it.each(['reconcile', 'worker', 'slack', 'trail'])('%s: every file its code imports is in its zip, and nothing of another function', (name) => {
    const code = codeOf(name);
    expect(code.has(`src/lambda/${name}.mjs`)).toBe(true);
    const missing: string[] = [];
    for (const [file, text] of code) {
      const { statics, lazy } = relativeImports(text);
      for (const spec of [...statics, ...lazy]) {
        const target = path.posix.join(path.posix.dirname(file), spec);
        if (!code.has(target)) missing.push(`${file} -> ${spec}`);
      }
    }
    expect(missing).toEqual([]);
    // A Node built-in imported as an ES module has Node build its facade, reading every export: `http`'s load undici.
    const builtinImports = [...code.values()].flatMap((text) => [...text.matchAll(/(?:from\s*|import\(\s*)["']((?:node:)?(?:http|https|http2|net|tls|stream|crypto|fs|os|path|url|zlib|buffer|events|util|process|child_process|async_hooks))["']/g)].map((m) => m[1]));
    expect(builtinImports).toEqual([]);
    expect([...code.keys()].filter((file) => !path.posix.basename(file).startsWith(`${name}.`))).toEqual([]);
    // Each SDK client the loaders in src/adapters/aws/sdk.ts name is a file of its own.
    expect(SDK_LOADERS.map((sdk) => code.has(`src/lambda/${name}.sdk-${sdk}.mjs`))).toEqual(SDK_LOADERS.map(() => true));
  });

  it('the build splits off every SDK loader in src/adapters/aws/sdk.ts (a loader missing from the list would be bundled)', () => {
    const source = readFileSync(path.join(__dirname, '../../src/adapters/aws/sdk.ts'), 'utf8');
    const loaders = [...source.matchAll(/require\('\.\/sdk\/([a-z0-9-]+)'\)/g)].map((m) => m[1]);
    expect([...loaders].sort()).toEqual([...SDK_LOADERS].sort());
  });

  it('a cold start compiles none of the SDK clients a first invocation may not need, and the reconcile function no Bolt', () => {
    // A request shape each client's schemas name (only the SDK's own files carry them): IAM, S3, Organizations,
    // CloudTrail and Identity Center clients.
    const clients = ['GetAccountAuthorizationDetailsRequest', 'PutObjectRequest', 'ListAccountsRequest', 'LookupEventsRequest', 'ListPermissionSetsRequest'].map((c) => `"${c}"`);
    for (const name of ['reconcile', 'worker', 'slack']) {
      const atStart = [...loadedAtStart(name).values()].join('\n');
      expect({ name, clients: clients.filter((c) => atStart.includes(c)) }).toEqual({ name, clients: [] });
      // ...while the package still carries them for the invocations that do.
      expect({ name, clients: clients.filter((c) => bundleOf(name).includes(c)) }).toEqual({ name, clients });
    }
    for (const name of ['reconcile', 'worker']) expect(loadedAtStart(name).size > 0 && [...loadedAtStart(name).values()].join('\n').includes('AwsLambdaReceiver')).toBe(false);
  });

  it('every SDK file of every package loads in a fresh process with no node_modules around it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'warden-bundle-load-'));
    try {
      for (const name of ['reconcile', 'worker', 'slack', 'trail']) {
        const dir = path.join(root, name);
        for (const entry of readZip(path.join(outDir, `${name}.zip`))) {
          mkdirSync(path.dirname(path.join(dir, entry.name)), { recursive: true });
          writeFileSync(path.join(dir, entry.name), entry.read());
        }
      }
      // The handler is imported (as Lambda does), then each SDK file is required the way src/adapters/aws/sdk.ts does.
      const script = `
        const { pathToFileURL } = require('node:url');
        const path = require('node:path');
        (async () => {
          const out = {};
          for (const name of ['reconcile', 'worker', 'slack', 'trail']) {
            const lambda = path.join(process.cwd(), name, 'src', 'lambda');
            const mod = await import(pathToFileURL(path.join(lambda, name + '.mjs')).href);
            out[name] = { handler: typeof mod.handler };
            for (const sdk of ${JSON.stringify(SDK_LOADERS)}) {
              const exported = require(path.join(lambda, name + '.sdk-' + sdk + '.mjs'));
              out[name][sdk] = Object.keys(exported).filter((k) => k.endsWith('Client')).join(',');
            }
          }
          process.stdout.write(JSON.stringify(out));
        })().catch((e) => { console.error(e && e.stack || String(e)); process.exitCode = 1; });`;
      const { stdout } = await execFileAsync(process.execPath, ['-e', script], { cwd: root, env: { PATH: process.env['PATH'] ?? '', NODE_PATH: '' }, timeout: 120_000 });
      const loaded = JSON.parse(stdout) as Record<string, Record<string, string>>;
      const clients = { cloudtrail: 'CloudTrailClient', iam: 'IAMClient', identitystore: 'IdentitystoreClient', 'sso-admin': 'SSOAdminClient', lambda: 'LambdaClient', organizations: 'OrganizationsClient', s3: 'S3Client', sts: 'STSClient' };
      for (const name of ['reconcile', 'worker', 'slack', 'trail']) expect(loaded[name]).toEqual({ handler: 'function', ...clients });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('each function still runs its first invocation from the bundle', async () => {
    const zips = { reconcile: path.join(outDir, 'reconcile.zip'), worker: path.join(outDir, 'worker.zip'), slack: path.join(outDir, 'slack.zip') };
    const bench = await benchColdStart(zips, 1);
    const outcome = (name: string): string | undefined => bench.functions.find((f) => f.name === name)?.runs[0]?.outcome;

    expect(outcome('reconcile')).toBe('fan-out to 3 workers');
    expect(outcome('worker')).toBe('account planned');
    expect(outcome('slack')).toBe('status 200');
  }, 300_000);
});
