import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, LaunchOptions } from 'puppeteer-core';

const repo = path.resolve(__dirname, '../..');

/** Which headless browser the HTML report tests drive, and why that one. */
export interface BrowserChoice {
  readonly executablePath: string;
  readonly source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
  readonly launch: LaunchOptions;
}

// What this machine kind needs as root on a closed network: no sandbox (root), no GPU, and no background
// connections (each would be refused, many at a time), a profile of its own per launch.
const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars'];

/** The executable file `command` names on `searchPath`, as a shell would find it. */
function onPath(command: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * CHROMIUM_PATH if set (it must exist: a typo fails loudly rather than quietly testing another browser), else a
 * system Chromium or Chrome on PATH, else the Chromium that comes inside the `@sparticuz/chromium` npm package (a
 * devDependency, so `npm ci` alone is enough). That package is ESM-only; it is asked for its binary in a child
 * process, where it unpacks the binary to the temporary folder once.
 */
export function chooseBrowser(userDataDir: string, env: NodeJS.ProcessEnv = process.env): BrowserChoice {
  const override = env['CHROMIUM_PATH'];
  if (override !== undefined && override !== '') {
    const resolved = override.includes('/') ? (existsSync(override) ? override : undefined) : onPath(override, env['PATH'] ?? '');
    if (resolved === undefined) throw new Error(`CHROMIUM_PATH=${override}: no such browser`);
    return { executablePath: resolved, source: 'CHROMIUM_PATH', launch: systemLaunch(resolved, userDataDir) };
  }
  for (const candidate of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = onPath(candidate, env['PATH'] ?? '');
    if (found !== undefined) return { executablePath: found, source: 'system', launch: systemLaunch(found, userDataDir) };
  }
  const script = "import c from '@sparticuz/chromium'; process.stdout.write(JSON.stringify({ path: await c.executablePath(), args: c.args }));";
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  const packaged = JSON.parse(out) as { path: string; args: string[] };
  // Its own arguments first (single process, software GL: it is built for serverless sandboxes), then ours.
  const args = [...packaged.args.filter((a) => !a.startsWith('--headless')), ...QUIET, `--user-data-dir=${userDataDir}`];
  return { executablePath: packaged.path, source: '@sparticuz/chromium', launch: { executablePath: packaged.path, headless: 'shell', args, timeout: 60_000 } };
}

function systemLaunch(executablePath: string, userDataDir: string): LaunchOptions {
  return { executablePath, headless: true, args: [...QUIET, `--user-data-dir=${userDataDir}`], timeout: 60_000 };
}

/** Launches the chosen browser with puppeteer-core (which downloads nothing). */
export async function launchBrowser(choice: BrowserChoice): Promise<Browser> {
  const puppeteer = await import('puppeteer-core');
  return puppeteer.default.launch(choice.launch);
}
