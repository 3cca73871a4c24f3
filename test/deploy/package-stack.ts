import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './sdk-calls';

const execFileAsync = promisify(execFile);

/** osls and serverless-esbuild share `.serverless/` and `.esbuild/` in the service folder: one packaging at a time. */
const LOCK = path.join(tmpdir(), `warden-package-${Buffer.from(ROOT).toString('hex').slice(-24)}.lock`);
const STALE_MS = 10 * 60_000;

async function withPackagingLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A holder that died long ago leaves the folder behind.
      const age = (() => {
        try {
          return Date.now() - statSync(LOCK).mtimeMs;
        } catch {
          return 0;
        }
      })();
      if (age > STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * `npm run package` into a fresh folder with no AWS credentials, config or metadata service (packaging must not need
 * or reach AWS), with `--param=` values; returns the folder and the update template.
 */
export async function packageStack<T>(params: readonly string[] = []): Promise<{ readonly outDir: string; readonly template: T }> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'warden-package-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_PROFILE: 'warden-offline-package-test',
    AWS_CONFIG_FILE: path.join(outDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(outDir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  delete env['AWS_ACCESS_KEY_ID'];
  delete env['AWS_SECRET_ACCESS_KEY'];
  delete env['AWS_SESSION_TOKEN'];
  const args = ['run', '--silent', 'package', '--', '--package', outDir, '--stage', 'ci', ...params.map((p) => `--param=${p}`)];
  await withPackagingLock(() =>
    execFileAsync('npm', args, { cwd: ROOT, env, timeout: 240_000 }).catch((error: { message: string; stderr?: string }) => {
      throw new Error(`${error.message}\n${error.stderr ?? ''}`);
    }),
  );
  return { outDir, template: JSON.parse(readFileSync(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as T };
}
