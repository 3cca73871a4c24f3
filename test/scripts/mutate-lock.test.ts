import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Lock = { taken: true; staleFrom?: number | 'unreadable' } | { taken: false; heldBy: number | 'unknown' };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the lock is the mutation script's own CommonJS module
const { takeLock, releaseLock, isAlive } = require('../../scripts/mutate-lock.js') as {
  takeLock: (file: string, pid: number, alive?: (pid: number) => boolean) => Lock;
  releaseLock: (file: string, pid: number) => void;
  isAlive: (pid: number) => boolean;
};

const MUTATE = path.resolve(__dirname, '../../scripts/mutate.js');
let dir: string;
let lockFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'warden-mutate-lock-'));
  lockFile = path.join(dir, 'reports', 'run.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that surely names no process: a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the mutation run lock', () => {
  it('is created with the pid, in a folder that did not exist yet', () => {
    expect(takeLock(lockFile, 4242, () => true)).toEqual({ taken: true });
    expect(readFileSync(lockFile, 'utf8')).toBe('4242\n');
  });

  it('refuses a second run while the first one is alive, and leaves its lock alone', () => {
    takeLock(lockFile, 4242, () => true);
    const asked: number[] = [];
    expect(takeLock(lockFile, 5151, (pid) => (asked.push(pid), true))).toEqual({ taken: false, heldBy: 4242 });
    expect(asked).toEqual([4242]);
    expect(readFileSync(lockFile, 'utf8')).toBe('4242\n');
  });

  it('takes over the lock of a run that is gone', () => {
    takeLock(lockFile, 4242, () => true);
    expect(takeLock(lockFile, 5151, () => false)).toEqual({ taken: true, staleFrom: 4242 });
    expect(readFileSync(lockFile, 'utf8')).toBe('5151\n');
  });

  it.each([[''], ['\n'], ['not a pid\n'], ['0\n'], ['-3\n'], ['12 13\n'], ['1.5\n']])('takes over a lock file holding %j (no pid to ask about)', (text) => {
    writeFileSync(path.join(dir, 'garbage.lock'), text);
    const asked: number[] = [];
    expect(takeLock(path.join(dir, 'garbage.lock'), 5151, (pid) => (asked.push(pid), true))).toEqual({ taken: true, staleFrom: 'unreadable' });
    expect(asked).toEqual([]);
    expect(readFileSync(path.join(dir, 'garbage.lock'), 'utf8')).toBe('5151\n');
  });

  it('reads a pid written with surrounding blanks', () => {
    writeFileSync(path.join(dir, 'padded.lock'), ' 4242 \n');
    expect(takeLock(path.join(dir, 'padded.lock'), 5151, () => true)).toEqual({ taken: false, heldBy: 4242 });
  });

  it('is released only by the run that holds it', () => {
    takeLock(lockFile, 4242, () => true);
    releaseLock(lockFile, 5151);
    expect(readFileSync(lockFile, 'utf8')).toBe('4242\n');
    releaseLock(lockFile, 4242);
    expect(existsSync(lockFile)).toBe(false);
    expect(takeLock(lockFile, 5151, () => true)).toEqual({ taken: true });
  });

  it('asks the operating system whether a pid is alive', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(deadPid())).toBe(false);
    // pid 1 exists but may belong to another user (EPERM): still alive.
    expect(isAlive(1)).toBe(true);
  });
});

describe('npm run mutate with a lock held', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [MUTATE, '--mutate', 'src/domain/guard.ts'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20000 });

  it('refuses to start while another live run holds the lock, says why and what to do, and keeps the lock', () => {
    // This test's own process stands in for the running mutation run.
    writeFileSync(path.join(dir, 'run.lock'), `${process.pid}\n`);
    const result = run({ WARDEN_MUTATE_LOCK: path.join(dir, 'run.lock') });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`another mutation run (pid ${process.pid}) is going in this worktree`);
    expect(result.stderr).toContain('renumber each other');
    expect(result.stderr).toContain(`remove ${path.relative(path.resolve(__dirname, '../..'), path.join(dir, 'run.lock'))}`);
    expect(result.stdout).not.toContain('Stryker');
    expect(readFileSync(path.join(dir, 'run.lock'), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('still prints the baseline scores while a run holds the lock (reading takes no lock)', () => {
    writeFileSync(path.join(dir, 'run.lock'), `${process.pid}\n`);
    const result = spawnSync(process.execPath, [MUTATE, '--scores'], { encoding: 'utf8', env: { ...process.env, WARDEN_MUTATE_LOCK: path.join(dir, 'run.lock') } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('| folder / file | score |');
  });
});
