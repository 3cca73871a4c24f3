import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { benchColdStart } from '../../bench/cold-start';
import { packageStack } from './package-stack';
import { readZip } from './zip';

/**
 * The packaged Lambda bundles, as deployed: deploy/esbuild-plugins.js leaves zod's other languages and Bolt's
 * non-Lambda receivers' libraries out. These tests run each packaged function's first invocation (the cold-start
 * bench's events: sandbox IAM/STS/SSM, dynalite, a Lambda endpoint, the fake Slack API) so a stub that a function
 * does reach fails here, not in production.
 */
describe('the packaged Lambda bundles', () => {
  let outDir: string;
  const bundleOf = (name: string): string => {
    const entry = readZip(path.join(outDir, `${name}.zip`)).find((e) => e.name === `src/lambda/${name}.js`);
    if (entry === undefined) throw new Error(`no src/lambda/${name}.js in ${name}.zip`);
    return entry.read().toString('utf8');
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

  it('each function still runs its first invocation from the bundle', async () => {
    const zips = { reconcile: path.join(outDir, 'reconcile.zip'), worker: path.join(outDir, 'worker.zip'), slack: path.join(outDir, 'slack.zip') };
    const bench = await benchColdStart(zips, 1);
    const outcome = (name: string): string | undefined => bench.functions.find((f) => f.name === name)?.runs[0]?.outcome;

    expect(outcome('reconcile')).toBe('fan-out to 3 workers');
    expect(outcome('worker')).toBe('account planned');
    expect(outcome('slack')).toBe('status 200');
  }, 300_000);
});
