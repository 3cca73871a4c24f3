import { execFile } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(__dirname, '../..');

/** Loads `entry` from source in a fresh Node process, optionally runs `then`, and lists the npm packages it loaded. */
function packagesLoadedBy(entry: string, then = ''): Promise<string[]> {
  const script = `
    const mod = require(${JSON.stringify(path.join(repo, entry))});
    Promise.resolve((async () => { ${then} })()).then(() => {
      const names = new Set();
      for (const file of Object.keys(require.cache)) {
        const m = file.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//);
        if (m) names.add(m[1]);
      }
      process.stdout.write(JSON.stringify([...names].sort()));
    });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { cwd: repo, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.split('\n').at(-1) ?? '[]') as string[]);
    });
  });
}

const HEAVY = /^(@aws-sdk\/|@smithy\/|@slack\/|better-sqlite3$|node-cron$|yaml$|zod$)/;

describe('what each entry point loads before it needs it', () => {
  it('`warden --help` loads commander and nothing heavy (no AWS SDK, SQLite, Slack or zod)', async () => {
    const loaded = await packagesLoadedBy('src/cli/main.ts', `
      const out = []; const io = { stdout: { write: (s) => out.push(s) }, stderr: { write: (s) => out.push(s) }, isTty: false, env: {}, cwd: process.cwd() };
      const code = await mod.main(['node', 'warden', '--help'], io);
      if (code !== 0 || !out.join('').includes('Usage: warden')) throw new Error('help failed: ' + out.join(''));`);

    expect(loaded).toContain('commander');
    expect(loaded.filter((name) => HEAVY.test(name))).toEqual([]);
  });

  it('the reconcile and worker functions load without Slack Bolt', async () => {
    const [reconcile, worker] = await Promise.all([packagesLoadedBy('src/lambda/reconcile.ts'), packagesLoadedBy('src/lambda/worker.ts')]);

    expect(reconcile).toContain('@aws-sdk/client-dynamodb');
    expect(reconcile).not.toContain('@slack/bolt');
    expect(worker).toContain('@aws-sdk/client-dynamodb');
    expect(worker).not.toContain('@slack/bolt');
  });

  it('the slack function does load Bolt (the check above can tell)', async () => {
    expect(await packagesLoadedBy('src/lambda/slack.ts')).toContain('@slack/bolt');
  });
});

describe("the worker's lazily loaded Slack task runner", () => {
  it('loads the Slack app on its first task and hands the task to it (a malformed one is dropped with an error)', async () => {
    const { lazySlackTasks } = await import('../../src/lambda/worker');
    const errors: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => void errors.push(message), child: () => logger };
    const input = { container: {}, loaded: {}, logger } as unknown as Parameters<typeof lazySlackTasks>[1];

    await lazySlackTasks({ kind: 'no-such-task' }, input);

    expect(errors).toEqual(['malformed Slack task; dropped']);
  });
});

describe('bin/warden.js running the TypeScript sources (a checkout whose src/ is newer than dist/)', () => {
  it("reaches a lazily imported command's module and exits with its code", async () => {
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(repo, 'bin/warden.js'), 'audit', 'verify', '--config', path.join(repo, 'no-such-dir', 'warden.yaml')],
        { cwd: repo, env: { PATH: process.env['PATH'] ?? '', WARDEN_RUN_SOURCES: '1' }, timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr }),
      );
    });

    expect(run.stderr).toMatch(/^warden: cannot read config .*no-such-dir\/warden\.yaml: no such file/);
    expect(run.code).toBe(2);
  });
});

describe("each Lambda function's first invocation loads only the AWS SDK clients it uses", () => {
  const sdk = (packages: readonly string[] | undefined): string[] => (packages ?? []).filter((name) => name.startsWith('@aws-sdk/client-'));

  it('reconcile: SSM + DynamoDB + Lambda; worker (its own account, no role): SSM + DynamoDB + IAM; slack: SSM + DynamoDB', async () => {
    const { benchColdStart } = await import('../../bench/cold-start');
    const bench = await benchColdStart('sources', 1);
    const run = (name: string) => bench.functions.find((f) => f.name === name)?.runs[0];

    // Real first invocations (the cold-start bench's events against the sandbox, dynalite and a Lambda endpoint).
    expect(run('reconcile')?.outcome).toBe('fan-out to 3 workers');
    expect(run('worker')?.outcome).toBe('account planned');
    expect(run('slack')?.outcome).toBe('status 200');
    expect(sdk(run('reconcile')?.packages)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-lambda', '@aws-sdk/client-ssm']);
    // The worker reaches its own account with its own credentials: no role assumed, so no STS either.
    expect(sdk(run('worker')?.packages)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-iam', '@aws-sdk/client-ssm']);
    expect(sdk(run('slack')?.packages)).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-ssm']);
    expect(run('slack')?.packages).toContain('@slack/bolt');
  }, 180_000);
});
