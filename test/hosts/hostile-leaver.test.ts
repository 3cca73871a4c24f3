// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
/**
 * A leaver who fights back (issue 9, hosts): each case is what a hostile account owner can do to
 * their own files, run against the real scripts on a simulated host.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, lchownSync, linkSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { keyFingerprint, parseInventoryOutput, parseRevokeOutput, summariseRevoke } from '../../src/adapters/hosts/host-script-protocol';
import {
  INVENTORY_SH,
  IS_ROOT,
  REVOKE_SH,
  b64Lines,
  createDummyAccount,
  createHostRoot,
  makeKey,
  records,
  runScript,
  type HostRoot,
  type RunResult,
  type TestKey,
} from './helpers';

let leaver: TestKey;
let stay: TestKey;
const roots: HostRoot[] = [];

function host(...args: Parameters<typeof createHostRoot>): HostRoot {
  const h = createHostRoot(...args);
  roots.push(h);
  return h;
}

/** A key line whose base64 body is cut by `sep` (\v or \f): OpenSSH's decoder skips it, so sshd accepts the key. */
const hidden = (k: TestKey, sep: string, comment = 'hidden'): string => `${k.type} ${k.body.slice(0, 24)}${sep}${k.body.slice(24, 50)}${sep}${k.body.slice(50)} ${comment}`;

/** Fingerprints ssh-keygen -l (OpenSSH's own parser) prints for a file: what sshd would accept from it. */
function opensshKeys(file: string): string[] {
  const r = spawnSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ')[1] ?? '');
}

/** Every regular file under the host root whose lines OpenSSH reads as the given key. */
function filesHolding(h: HostRoot, k: TestKey): string[] {
  const fp = keyFingerprint(k.body);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 1_000_000 && opensshKeys(p).includes(fp ?? '')) found.push(path.relative(h.root, p));
    }
  };
  walk(h.root);
  return found.sort();
}

function revokeArgs(keys: readonly string[], users: readonly string[]): string[] {
  return [...(keys.length > 0 ? ['--keys-b64', b64Lines(keys)] : []), ...(users.length > 0 ? ['--lock-b64', b64Lines(users)] : [])];
}

/** A symlink made by the account uid (as root the test gives it that owner, as the account would have). */
function userSymlink(target: string, at: string, uid: number): void {
  symlinkSync(target, at);
  if (IS_ROOT) lchownSync(at, uid, uid);
}

/** Runs revoke.sh in the background; resolves when it stops at the test pause point, then when it ends. */
function revokePausing(h: HostRoot, keys: readonly string[], users: readonly string[], pauseFile: string) {
  const child = spawn('sh', ['-eu', REVOKE_SH, ...revokeArgs(keys, users)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WARDEN_HOST_ROOT: h.root, WARDEN_TEST_PAUSE_FILE: pauseFile },
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<RunResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr: '' })));
  const paused = new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (existsSync(`${pauseFile}.waiting`)) resolve();
      else if (Date.now() - started > 20_000) reject(new Error('revoke.sh never reached its pause point'));
      else setTimeout(poll, 20);
    };
    poll();
  });
  return { paused, resume: () => writeFileSync(pauseFile, ''), done };
}

beforeAll(() => {
  leaver = makeKey('ed25519', 'leaver laptop');
  stay = makeKey('ed25519', 'stays');
});

afterAll(() => {
  for (const h of roots) h.cleanup();
});

describe('a hidden key (\\v or \\f inside the base64 body) in a shared account', () => {
  it.each([
    ['vertical tab', '\v'],
    ['form feed', '\f'],
  ])('is listed, removed and proven gone by fingerprint (%s)', (_name, sep) => {
    const h = host({ accounts: [createDummyAccount({ name: 'ec2-user', uid: 1000 })] });
    const file = '/home/ec2-user/.ssh/authorized_keys';
    h.write(file, `${stay.line}\n${hidden(leaver, sep)}\n`);
    // OpenSSH itself reads the hidden line as the leaver's key: this is an access path.
    expect(opensshKeys(h.at(file))).toContain(keyFingerprint(leaver.body));

    const inv = parseInventoryOutput('i-1', runScript(INVENTORY_SH, [], { root: h.root }).stdout);
    expect(inv.keys.map((k) => [k.osUser, k.line, k.keyBody, k.fingerprint])).toContainEqual(['ec2-user', 2, leaver.body, keyFingerprint(leaver.body)]);

    const r = runScript(REVOKE_SH, revokeArgs([leaver.body], []), { root: h.root });

    expect(r.status).toBe(0);
    expect(records(r.stdout)).toEqual([['REMOVED', 'ec2-user', file, `1:${leaver.body.slice(-16)}`]]);
    expect(h.read(file).toString()).toBe(`${stay.line}\n`);
    expect(filesHolding(h, leaver)).toEqual([]);
    const again = runScript(REVOKE_SH, revokeArgs([leaver.body], []), { root: h.root });
    expect(records(again.stdout)).toEqual([['ABSENT', `1:${leaver.body.slice(-16)}`]]);
  });

  it('is matched when the leaver planted it behind options, in authorized_keys2 and in an AuthorizedKeysFile with %h, %u and %%', () => {
    const h = host({
      accounts: [createDummyAccount({ name: 'ops', uid: 1001 }), createDummyAccount({ name: 'deploy', uid: 1002 })],
      sshdConfig: 'AuthorizedKeysFile .ssh/authorized_keys %h/.keys/100%%-%u\n',
    });
    h.write('/home/ops/.ssh/authorized_keys2', `no-pty,command="x y" ${hidden(leaver, '\f')}\n`);
    h.write('/home/deploy/.keys/100%-deploy', `${stay.line}\r\n${hidden(leaver, '\v', 'crlf')}\r\n`);

    const r = runScript(REVOKE_SH, revokeArgs([leaver.body], []), { root: h.root });

    expect(r.status).toBe(0);
    expect(records(r.stdout).map((f) => f.slice(0, 3))).toEqual([
      ['REMOVED', 'ops', '/home/ops/.ssh/authorized_keys2'],
      ['REMOVED', 'deploy', '/home/deploy/.keys/100%-deploy'],
    ]);
    expect(h.read('/home/deploy/.keys/100%-deploy').toString()).toBe(`${stay.line}\r\n`);
    expect(filesHolding(h, leaver)).toEqual([]);
  });

  it('is found behind a NUL byte (sshd stops reading the line there), without upsetting how other files are judged', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'ops' }), createDummyAccount({ name: 'web' })] });
    h.write('/home/ops/.ssh/authorized_keys', `${leaver.type} ${leaver.body}\u0000junk\n256 SHA256:forged x (ED25519)\n`);
    h.write('/home/web/.ssh/authorized_keys', `${stay.line}\n`);
    expect(opensshKeys(h.at('/home/ops/.ssh/authorized_keys'))).toContain(keyFingerprint(leaver.body));

    const inv = parseInventoryOutput('i-1', runScript(INVENTORY_SH, [], { root: h.root }).stdout);
    expect(inv.complete).toBe(true);
    expect(inv.errors).toEqual([]);
    expect(inv.keys.map((k) => [k.osUser, k.line, k.fingerprint, k.comment])).toEqual([
      ['ops', 1, keyFingerprint(leaver.body), ''],
      ['web', 1, keyFingerprint(stay.body), 'stays'],
    ]);

    const r = runScript(REVOKE_SH, revokeArgs([leaver.body], []), { root: h.root });
    expect(records(r.stdout)).toEqual([['REMOVED', 'ops', '/home/ops/.ssh/authorized_keys', `1:${leaver.body.slice(-16)}`]]);
    expect(filesHolding(h, leaver)).toEqual([]);
  });

  it('makes a line OpenSSH does not read as a key a finding, not silence', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'ops' })] });
    h.write('/home/ops/.ssh/authorized_keys', `${stay.line}\nssh-ed25519 ${leaver.body.slice(0, 30)}!broken\n# note\n\n`);

    const inv = parseInventoryOutput('i-1', runScript(INVENTORY_SH, [], { root: h.root }).stdout);

    expect(inv.complete).toBe(true);
    expect(inv.keys).toHaveLength(1);
    expect(inv.unparsedLines).toEqual([{ osUser: 'ops', file: '/home/ops/.ssh/authorized_keys', line: 2, reason: 'not a key OpenSSH reads' }]);
  });
});

describe("the leaver's own account", () => {
  it('is locked, expired and emptied of processes before any keys file is read, even when every read fails', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver', uid: 3500 }), createDummyAccount({ name: 'ops', uid: 3501 })] });
    // Every keys file is hostile: a FIFO, a sparse 8 GB file, a symlink to a root-only file.
    mkdirSync(h.at('/home/leaver/.ssh'), { recursive: true });
    spawnSync('mkfifo', [h.at('/home/leaver/.ssh/authorized_keys')]);
    h.write('/home/leaver/.ssh/authorized_keys2', '');
    truncateSync(h.at('/home/leaver/.ssh/authorized_keys2'), 8 * 1024 ** 3);
    h.write('/root/.ssh/authorized_keys', `${stay.line}\n`, { mode: 0o600 });
    mkdirSync(h.at('/home/ops/.ssh'), { recursive: true });
    symlinkSync(h.at('/root/.ssh/authorized_keys'), h.at('/home/ops/.ssh/authorized_keys'));
    rmSync(h.at('/root/.ssh/authorized_keys'));
    spawnSync('mkfifo', [h.at('/root/.ssh/authorized_keys')]);
    const started = Date.now();

    const r = runScript(REVOKE_SH, [...revokeArgs([leaver.body], ['leaver']), '--no-kill'], { root: h.root });

    expect(Date.now() - started).toBeLessThan(10_000);
    const recs = records(r.stdout);
    expect(recs[0]).toEqual(['LOCKED', 'leaver', IS_ROOT ? 'usermod' : 'shadow-edit']);
    expect(h.read('/etc/shadow').toString()).toMatch(/\nleaver:!\$6\$salt\$hash:19000:0:99999:7::1:\n/);
    expect(recs.slice(1)).toEqual(
      expect.arrayContaining([
        ['ERROR', 'leaver', '/home/leaver/.ssh/authorized_keys', 'not a regular file (FIFO, device, socket or folder): not read: keys not checked'],
        ['ERROR', 'leaver', '/home/leaver/.ssh/authorized_keys2', 'larger than 1048576 bytes: not read: keys not checked'],
        ['ERROR', 'ops', '/home/ops/.ssh/authorized_keys', 'symlink: not read: keys not checked'],
      ]),
    );
    expect(recs.some((f) => f[0] === 'ABSENT')).toBe(false);
    expect(summariseRevoke(parseRevokeOutput(r.stdout), { keyBodies: [leaver.body], lockUsers: ['leaver'] }).users.get('leaver')).toBe('locked');
  });

  it('is locked even when no key of it was asked for or found', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver' })] });

    const r = runScript(REVOKE_SH, [...revokeArgs([], ['leaver']), '--no-kill'], { root: h.root });

    expect(records(r.stdout)).toEqual([['LOCKED', 'leaver', IS_ROOT ? 'usermod' : 'shadow-edit']]);
  });

  it('is never a system account: uid below UID_MIN is refused by the script too', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'daemonish', uid: 998 })] });
    h.write('/etc/login.defs', 'UID_MIN 1000\n');
    const shadow = h.read('/etc/shadow');

    const r = runScript(REVOKE_SH, revokeArgs([], ['daemonish']), { root: h.root, env: { WARDEN_HOST_ALLOW_KILL: '1' } });

    expect(r.status).toBe(1);
    expect(records(r.stdout)).toEqual([['ERROR', 'daemonish', '*', 'system account (uid 998 below UID_MIN 1000): never locked or killed by Warden']]);
    expect(h.read('/etc/shadow').equals(shadow)).toBe(true);
  });
});

describe('files that would stall or mislead a reader', () => {
  it('a sparse 8 GB authorized_keys2 and a FIFO are findings, read in seconds', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'mallory' }), createDummyAccount({ name: 'ops' })] });
    h.write('/home/mallory/.ssh/authorized_keys', `${leaver.line}\n`);
    h.write('/home/mallory/.ssh/authorized_keys2', '');
    truncateSync(h.at('/home/mallory/.ssh/authorized_keys2'), 8 * 1024 ** 3);
    mkdirSync(h.at('/home/ops/.ssh'), { recursive: true });
    spawnSync('mkfifo', [h.at('/home/ops/.ssh/authorized_keys')]);
    const started = Date.now();

    const inv = parseInventoryOutput('i-1', runScript(INVENTORY_SH, [], { root: h.root }).stdout);

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(inv.complete).toBe(true);
    expect(inv.keys.map((k) => k.osUser)).toEqual(['mallory']);
    expect([...inv.errors].sort()).toEqual([
      '/home/mallory/.ssh/authorized_keys2 (mallory): larger than 1048576 bytes: not read',
      '/home/ops/.ssh/authorized_keys (ops): not a regular file (FIFO, device, socket or folder): not read',
    ]);
  });

  it('a file grown past the limit after it was measured is still read no further than the limit', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'mallory' })] });
    const big = `${stay.line}\n`.repeat(Math.ceil(1_100_000 / (stay.line.length + 1)));
    h.write('/home/mallory/.ssh/authorized_keys', big);

    const inv = parseInventoryOutput('i-1', runScript(INVENTORY_SH, [], { root: h.root }).stdout);

    expect(inv.keys).toEqual([]);
    expect(inv.errors).toEqual(['/home/mallory/.ssh/authorized_keys (mallory): larger than 1048576 bytes: not read']);
  });

  it('a file swapped for a symlink to a root-only file is never read: no key-shaped line of it leaks', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'mallory', uid: 3106 })] });
    h.write('/root/.ssh/authorized_keys', `${stay.line}\n`, { mode: 0o600 });
    mkdirSync(h.at('/home/mallory'), { recursive: true });
    userSymlink('../../root/.ssh', h.at('/home/mallory/.ssh'), 3106);

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    expect(r.stdout.split(stay.body).length - 1).toBe(1);
    expect(records(r.stdout)).toContainEqual(['E', 'mallory', '/home/mallory/.ssh/authorized_keys', 'symlink in its path (.ssh, not made by root): not read']);
  });
});

describe('a hard link to a root-only keys file in the leaver\'s own folder', () => {
  it('is never read as the leaver\'s keys', () => {
    const mallory = createDummyAccount({ name: 'mallory', uid: 3107 });
    const h = host({ accounts: [mallory] });
    h.write('/root/.ssh/authorized_keys', `${stay.line}\n`, { mode: 0o600 });
    h.write('/home/mallory/.ssh/.keep', '', { uid: mallory.uid });
    if (IS_ROOT) chownSync(h.at('/home/mallory/.ssh'), mallory.uid, mallory.gid);
    linkSync(h.at('/root/.ssh/authorized_keys'), h.at('/home/mallory/.ssh/authorized_keys'));

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    // As root the link is root's file in mallory's folder; without root both are the test user's and it is read.
    expect(records(r.stdout).filter((f) => f[1] === 'mallory' && f[0] !== 'A')).toEqual(
      IS_ROOT
        ? [['E', 'mallory', '/home/mallory/.ssh/authorized_keys', 'a hard link to a file of uid 0: not read']]
        : [['K', 'mallory', '/home/mallory/.ssh/authorized_keys', '1', stay.type, stay.body, 'stays', keyFingerprint(stay.body) ?? '']],
    );
  });
});

describe('a symlink race while revoke.sh rewrites a file', () => {
  function raceHost() {
    const mallory = createDummyAccount({ name: 'mallory', uid: 3601 });
    const victim = createDummyAccount({ name: 'victim', uid: 3602 });
    const h = host({ accounts: [mallory, victim] });
    const mine = `${stay.line}\n${leaver.line}\n# mine\n`;
    h.write('/home/mallory/.ssh/authorized_keys', mine, { uid: mallory.uid, mode: 0o600 });
    h.write('/home/victim/.ssh/authorized_keys', `${stay.line}\n`, { uid: victim.uid, mode: 0o600 });
    const victimBefore = statSync(h.at('/home/victim/.ssh/authorized_keys'));
    const checkVictim = (): void => {
      const after = statSync(h.at('/home/victim/.ssh/authorized_keys'));
      expect(h.read('/home/victim/.ssh/authorized_keys').toString()).toBe(`${stay.line}\n`);
      expect([after.ino, after.uid, after.mode]).toEqual([victimBefore.ino, victimBefore.uid, victimBefore.mode]);
      expect(readdirSync(h.at('/home/victim/.ssh'))).toEqual(['authorized_keys']);
    };
    return { h, checkVictim };
  }

  it('swapping ~/.ssh for a symlink to another user\'s folder: root writes only into the real folder it read, and says it cannot verify', async () => {
    const { h, checkVictim } = raceHost();
    const run = revokePausing(h, [leaver.body], [], path.join(h.root, 'pause'));

    await run.paused;
    renameSync(h.at('/home/mallory/.ssh'), h.at('/home/mallory/.ssh-real'));
    userSymlink('../victim/.ssh', h.at('/home/mallory/.ssh'), 3601);
    run.resume();
    const r = await run.done;

    checkVictim();
    // The file read was rewritten in place, in the folder it was read from: the revoked key is nowhere.
    expect(h.read('/home/mallory/.ssh-real/authorized_keys').toString()).toBe(`${stay.line}\n# mine\n`);
    expect(filesHolding(h, leaver)).toEqual([]);
    const recs = records(r.stdout);
    expect(recs).toContainEqual(['REMOVED', 'mallory', '/home/mallory/.ssh/authorized_keys', `1:${leaver.body.slice(-16)}`]);
    // Re-read the same way, ~/.ssh is now a symlink: not proven, so not reported absent.
    expect(recs).toContainEqual(['ERROR', 'mallory', '/home/mallory/.ssh/authorized_keys', 'symlink in its path (.ssh, not made by root): not read: keys not checked']);
    expect(r.status).toBe(1);
  });

  it('swapping the file itself for a symlink: nothing is written anywhere and the run fails', async () => {
    const { h, checkVictim } = raceHost();
    const run = revokePausing(h, [leaver.body], [], path.join(h.root, 'pause'));

    await run.paused;
    renameSync(h.at('/home/mallory/.ssh/authorized_keys'), h.at('/home/mallory/.ssh/keys.old'));
    userSymlink('../../victim/.ssh/authorized_keys', h.at('/home/mallory/.ssh/authorized_keys'), 3601);
    run.resume();
    const r = await run.done;

    checkVictim();
    expect(lstatSync(h.at('/home/mallory/.ssh/authorized_keys')).isSymbolicLink()).toBe(true);
    expect(readdirSync(h.at('/home/mallory/.ssh')).sort()).toEqual(['authorized_keys', 'keys.old']);
    expect(records(r.stdout)).toContainEqual(['ERROR', 'mallory', '/home/mallory/.ssh/authorized_keys', 'changed while being rewritten: not changed']);
    expect(r.status).toBe(1);
  });

  it('appending the key again while the file is being rewritten: the rewrite is refused and the key not reported gone', async () => {
    const { h, checkVictim } = raceHost();
    const run = revokePausing(h, [leaver.body], [], path.join(h.root, 'pause'));

    await run.paused;
    writeFileSync(h.at('/home/mallory/.ssh/authorized_keys'), `${hidden(leaver, '\v')}\n`, { flag: 'a' });
    run.resume();
    const r = await run.done;

    checkVictim();
    expect(records(r.stdout)).toContainEqual(['ERROR', 'mallory', '/home/mallory/.ssh/authorized_keys', 'changed while being rewritten: not changed']);
    expect(summariseRevoke(parseRevokeOutput(r.stdout), { keyBodies: [leaver.body], lockUsers: [] }).keys.get(leaver.body)).toBe('unverified');
  });
});

describe('directory (SSSD/LDAP) users that `getent passwd` does not enumerate', () => {
  it('are found by their home folder name, looked up one by one, and their keys read and revoked', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'ops' })] });
    const dirUser = createDummyAccount({ name: 'ldap.leaver', uid: 50001 });
    h.write('/etc/passwd.directory', `${dirUser.name}:*:${dirUser.uid}:${dirUser.gid}::${dirUser.home}:/bin/sh\n`);
    h.write(`${dirUser.home}/.ssh/authorized_keys`, `${hidden(leaver, '\f')}\n`);

    const inv = parseInventoryOutput('i-1', runScript(INVENTORY_SH, [], { root: h.root }).stdout);
    expect(inv.accounts).toContainEqual({ name: 'ldap.leaver', uid: 50001 });
    expect(inv.keys.map((k) => [k.osUser, k.fingerprint])).toEqual([['ldap.leaver', keyFingerprint(leaver.body)]]);

    const r = runScript(REVOKE_SH, [...revokeArgs([leaver.body], ['ldap.leaver']), '--no-kill'], { root: h.root });

    expect(records(r.stdout)).toEqual([
      ['ERROR', 'ldap.leaver', '*', 'no local shadow entry (a directory account?): not locked here, lock it in its directory'],
      ['REMOVED', 'ldap.leaver', '/home/ldap.leaver/.ssh/authorized_keys', `1:${leaver.body.slice(-16)}`],
    ]);
  });
});
