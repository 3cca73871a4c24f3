/**
 * The host scripts on this machine itself, judged by a real sshd (issue 9, "Done when"): a throwaway leaver logs in
 * with their key before revoke and not after, also through a hidden (\v / \f split) copy of the key planted in a
 * shared account, and a process of theirs that keeps re-spawning itself is gone within 10 s.
 *
 * Runs as root with openssh-server installed (`npm run test:host-root`, from .ci/run); changes only the throwaway
 * accounts it creates and removes, and an sshd of its own on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { inventoryCommand, keyFingerprint, parseInventoryOutput, parseRevokeOutput, revokeCommand } from '../../src/adapters/hosts/host-script-protocol';

const SSHD = '/usr/sbin/sshd';
const suffix = randomBytes(3).toString('hex');
const LEAVER = `wl-leaver-${suffix}`;
const SHARED = `wl-shared-${suffix}`;

let dir: string;
let sshd: ChildProcess | undefined;
let port: number;
const created: string[] = [];

function run(cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(cmd: string, args: readonly string[]): string {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

interface Key {
  readonly file: string;
  readonly type: string;
  readonly body: string;
  readonly line: string;
}

function makeKey(name: string): Key {
  const file = path.join(dir, name);
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const [type = '', body = ''] = line.split(' ');
  return { file, type, body, line };
}

interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

function createAccount(name: string): Account {
  must('useradd', ['-m', '-s', '/bin/sh', name]);
  created.push(name);
  // "*": no password, but not locked either (sshd refuses "!" accounts), so only keys decide.
  must('usermod', ['-p', '*', name]);
  const [, , uid = '', gid = '', , home = ''] = must('getent', ['passwd', name]).trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid), home };
}

function writeKeys(account: Account, content: string): void {
  const sshDir = path.join(account.home, '.ssh');
  mkdirSync(sshDir, { recursive: true });
  chownSync(sshDir, account.uid, account.gid);
  chmodSync(sshDir, 0o700);
  const file = path.join(sshDir, 'authorized_keys');
  writeFileSync(file, content);
  chownSync(file, account.uid, account.gid);
  chmodSync(file, 0o600);
}

/** Whether the key logs in as the user through the test's own sshd. */
function canLogIn(user: string, key: Key): boolean {
  const r = run('ssh', [
    '-i',
    key.file,
    '-p',
    String(port),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    `${user}@127.0.0.1`,
    'echo logged-in',
  ]);
  return r.status === 0 && r.stdout.includes('logged-in');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(p: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(p, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - started > 15_000) throw new Error(`sshd did not listen on ${p}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs command text the way AWS-RunShellScript does on a real host: as root, written to a file, run by sh. */
function runOnHost(text: string): { status: number | null; stdout: string } {
  const file = path.join(dir, `ssm-${randomBytes(4).toString('hex')}.sh`);
  writeFileSync(file, text, { mode: 0o700 });
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  const r = run('sh', [file], { env });
  return { status: r.status, stdout: r.stdout };
}

/** Live processes of a uid (zombies excluded: they run nothing, and this machine's init may never reap them). */
const processesOf = (uid: number): number =>
  run('ps', ['-e', '-o', 'uid=', '-o', 'stat=']).stdout.split('\n').filter((l) => {
    const [u, stat = 'Z'] = l.trim().split(/\s+/);
    return u === String(uid) && !stat.startsWith('Z');
  }).length;

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('test:host-root must run as root (it creates accounts and starts sshd)');
  if (!existsSync(SSHD)) throw new Error(`test:host-root needs ${SSHD} (Debian package openssh-server; .ci/run installs it)`);
  if (run(SSHD, ['-V']).status === null) throw new Error(`${SSHD} not found: install openssh-server`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-host-root-'));
  chmodSync(dir, 0o755);
  port = await freePort();
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // Without PAM sshd itself refuses locked ("!") and expired accounts: the lock is judged by sshd too.
    'UsePAM no',
    'StrictModes yes',
    `AllowUsers ${LEAVER} ${SHARED}`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'sshd_config'), config);
  must(SSHD, ['-t', '-f', path.join(dir, 'sshd_config')]);
  sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' });
  await waitForPort(port);
});

afterAll(() => {
  sshd?.kill('SIGTERM');
  for (const name of created) {
    const uid = run('id', ['-u', name]).stdout.trim();
    if (/^\d+$/.test(uid)) run('pkill', ['-KILL', '-u', uid]);
    run('userdel', ['-r', '-f', name]);
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('revoke.sh on a real host, judged by a real sshd', () => {
  it('the leaver logs in before and not after, through their own account and a hidden key in a shared one; a re-spawning process is gone within 10 s', async () => {
    const leaver = createAccount(LEAVER);
    const shared = createAccount(SHARED);
    const leaverKey = makeKey('leaver');
    const colleague = makeKey('colleague');
    const b = leaverKey.body;
    // The same key, its base64 body cut by \v and \f: OpenSSH's decoder skips them.
    const hidden = `${leaverKey.type} ${b.slice(0, 20)}\v${b.slice(20, 44)}\f${b.slice(44)} totally-not-the-leaver`;
    writeKeys(leaver, `${leaverKey.line}\n`);
    writeKeys(shared, `${colleague.line}\n${hidden}\n`);

    expect(canLogIn(LEAVER, leaverKey)).toBe(true);
    expect(canLogIn(SHARED, leaverKey)).toBe(true);
    expect(canLogIn(SHARED, colleague)).toBe(true);

    // Inventory on this host sees the hidden key, in the shared account, by OpenSSH's fingerprint.
    const inv = parseInventoryOutput('i-local', runOnHost(inventoryCommand()).stdout);
    expect(inv.complete).toBe(true);
    expect(inv.keys.filter((k) => k.fingerprint === keyFingerprint(b)).map((k) => k.osUser).sort()).toEqual([LEAVER, SHARED].sort());
    expect(inv.accounts).toContainEqual({ name: LEAVER, uid: leaver.uid });

    // A bounded process chain of the leaver: each generation starts the next and exits, three chains at once, for at
    // most 90 s and 100,000 generations (never a fork bomb). One pkill snapshot misses the newborn.
    const respawn = path.join(dir, 'respawn.sh');
    writeFileSync(
      respawn,
      [
        '#!/bin/sh',
        'n=${1:-0}',
        '[ "$n" -lt 100000 ] || exit 0',
        '[ "$(date +%s)" -lt "${DEADLINE:-0}" ] || exit 0',
        'echo "$n" >> "$HEARTBEAT"',
        'sleep 0.01',
        'sh "$0" $((n + 1)) &',
        'exit 0',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const deadline = String(Math.floor(Date.now() / 1000) + 90);
    // Each generation lives a few milliseconds, too short for one ps snapshot to be sure to see it: a heartbeat file
    // that keeps growing is the proof the chain is alive, one that stops growing the proof it is gone.
    const heartbeat = path.join(leaver.home, 'heartbeat');
    writeFileSync(heartbeat, '');
    chownSync(heartbeat, leaver.uid, leaver.gid);
    const beats = (): number => readFileSync(heartbeat, 'utf8').length;
    for (let i = 0; i < 3; i++) {
      spawn('setpriv', [`--reuid=${leaver.uid}`, `--regid=${leaver.gid}`, '--clear-groups', 'sh', respawn], {
        env: { PATH: '/usr/bin:/bin', DEADLINE: deadline, HEARTBEAT: heartbeat },
        detached: true,
        stdio: 'ignore',
      }).unref();
    }
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    await sleep(1000);
    const before = beats();
    await sleep(1000);
    expect(beats()).toBeGreaterThan(before);

    const started = Date.now();
    const out = runOnHost(revokeCommand({ keyBodies: [b], lockUsers: [LEAVER], killSessions: true }));
    const elapsed = Date.now() - started;
    const report = parseRevokeOutput(out.stdout);

    expect(report.complete).toBe(true);
    const mine = report.events.filter((e) => ('osUser' in e ? e.osUser === LEAVER || e.osUser === SHARED : true));
    expect(mine.filter((e) => e.kind !== 'error' || e.file === undefined).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['locked', 'killed', 'removed', 'removed']),
    );
    // Locked and killed before any keys file was read: those records come first.
    expect(report.events.slice(0, 2).map((e) => e.kind)).toEqual(['locked', 'killed']);
    expect(elapsed).toBeLessThan(10_000);
    const after = beats();
    await sleep(1500);
    expect(beats()).toBe(after);
    expect(processesOf(leaver.uid)).toBe(0);

    expect(canLogIn(LEAVER, leaverKey)).toBe(false);
    expect(canLogIn(SHARED, leaverKey)).toBe(false);
    // The shared account keeps working for everyone else, its other lines untouched.
    expect(canLogIn(SHARED, colleague)).toBe(true);
    expect(readFileSync(path.join(shared.home, '.ssh/authorized_keys'), 'utf8')).toBe(`${colleague.line}\n`);
    expect(must('getent', ['shadow', LEAVER]).split(':')[1]).toMatch(/^!/);
  });
});
