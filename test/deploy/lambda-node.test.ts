import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const WRAPPER = path.join(__dirname, '../../deploy/lambda-node.sh');

/**
 * deploy/lambda-node.sh is the functions' exec wrapper: Lambda runs it with the runtime's own command line. A stand-in
 * "node" prints the arguments it was started with, one per line.
 */
describe('the Lambda exec wrapper', () => {
  let dir: string;
  let fakeNode: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-exec-wrapper-'));
    fakeNode = path.join(dir, 'node with space');
    writeFileSync(fakeNode, '#!/bin/sh\nfor arg in "$@"; do printf \'%s\\n\' "$arg"; done\n');
    chmodSync(fakeNode, 0o755);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (flags: string | undefined): Promise<string[]> => {
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', ...(flags !== undefined ? { WARDEN_NODE_FLAGS: flags } : {}) };
    const { stdout } = await execFileAsync(WRAPPER, [fakeNode, '--expose-gc', '--max-http-header-size=81920', '/var/runtime/index.mjs', 'an argument with spaces'], { env });
    return stdout.split('\n').slice(0, -1);
  };

  it("starts the runtime's command with Warden's flags right after the Node binary", async () => {
    expect(await run('--min-semi-space-size=16 --stack-trace-limit=20')).toEqual([
      '--min-semi-space-size=16',
      '--stack-trace-limit=20',
      '--expose-gc',
      '--max-http-header-size=81920',
      '/var/runtime/index.mjs',
      'an argument with spaces',
    ]);
  });

  it('passes a flag as written, never expanded against the files where it starts', async () => {
    writeFileSync(path.join(dir, '--trace-gc'), '');
    const { stdout } = await execFileAsync(WRAPPER, [fakeNode, '/var/runtime/index.mjs'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', WARDEN_NODE_FLAGS: '--tr*' } });
    expect(stdout.split('\n').slice(0, -1)).toEqual(['--tr*', '/var/runtime/index.mjs']);
  });

  it('starts it unchanged when no flags are set', async () => {
    const unchanged = ['--expose-gc', '--max-http-header-size=81920', '/var/runtime/index.mjs', 'an argument with spaces'];
    expect(await run(undefined)).toEqual(unchanged);
    expect(await run('')).toEqual(unchanged);
  });

  it('starts a real Node with the flags serverless.yml sets, one of which Node refuses in NODE_OPTIONS', async () => {
    const flags = /^\s+WARDEN_NODE_FLAGS: (.+)$/m.exec(readFileSync(path.join(__dirname, '../../serverless.yml'), 'utf8'))?.[1];
    expect(flags).toBe('--min-semi-space-size=64 --max-semi-space-size=64');
    const script = "process.stdout.write(String(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))";
    const { stdout } = await execFileAsync(WRAPPER, [process.execPath, '-e', script], { env: { PATH: process.env['PATH'] ?? '', WARDEN_NODE_FLAGS: flags } });
    // The young generation is that large from the start: a cold start allocates about 45 MB before it would first collect.
    expect(Number(stdout)).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    await expect(execFileAsync(process.execPath, ['-e', '0'], { env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: '--min-semi-space-size=16' } })).rejects.toThrow(/not allowed in NODE_OPTIONS/);
  });
});
