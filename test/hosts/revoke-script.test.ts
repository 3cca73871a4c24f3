// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  inventoryCommand,
  normaliseKeyBody,
  parseInventoryOutput,
  parseRevokeOutput,
  revokeCommand,
  summariseRevoke,
} from '../../src/adapters/hosts/host-script-protocol';
import {
  IS_ROOT,
  REVOKE_SH,
  b64Lines,
  createDummyAccount,
  createHostRoot,
  makeKey,
  records,
  runCommandText,
  runScript,
  type HostRoot,
  type TestKey,
} from './helpers';

const PWNED = '/tmp/pwned';
const EVIL_COMMENT = '$(touch /tmp/pwned)`; rm -rf /tmp/x`';

let leaver: TestKey;
let leaverRsa: TestKey;
let stay: TestKey;
let stayEc: TestKey;
let evil: TestKey;
const scratch: string[] = [];
const roots: HostRoot[] = [];

function host(...args: Parameters<typeof createHostRoot>): HostRoot {
  const h = createHostRoot(...args);
  roots.push(h);
  return h;
}

/** A folder of stand-in commands put first on PATH; pkill logs its arguments instead of killing. */
function fakeBin(commands: Readonly<Record<string, string>>): { dir: string; path: string; log: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-bin-'));
  scratch.push(dir);
  const log = path.join(dir, 'calls.log');
  for (const [name, body] of Object.entries(commands)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return { dir, path: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, log };
}

function revoke(h: HostRoot, keys: readonly string[], users: readonly string[], extra: readonly string[] = [], env: Record<string, string> = {}) {
  const args = [...(keys.length > 0 ? ['--keys-b64', b64Lines(keys)] : []), ...(users.length > 0 ? ['--lock-b64', b64Lines(users)] : []), ...extra];
  return runScript(REVOKE_SH, args, { root: h.root, env });
}

beforeAll(() => {
  rmSync(PWNED, { force: true });
  leaver = makeKey('ed25519', 'leaver laptop');
  leaverRsa = makeKey('rsa', 'leaver@old');
  stay = makeKey('ed25519', 'stays');
  stayEc = makeKey('ecdsa', 'stays too');
  evil = makeKey('ed25519', EVIL_COMMENT);
});

afterAll(() => {
  for (const h of roots) h.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('revoke.sh', () => {
  it('removes exactly the lines holding a revoked key and keeps every other byte, owner and mode', () => {
    const alice = createDummyAccount({ name: 'alice' });
    const h = host({ accounts: [alice, createDummyAccount({ name: 'bob' }), createDummyAccount({ name: 'carol' })] });
    const keep = [
      `${stay.line}\r\n`,
      '\n',
      '# managed by hand \r\n',
      `from="10.0.0.1",command="echo \\"x y\\"" ${stayEc.line}\n`,
      '   \n',
    ];
    const drop = [`${leaver.line}\r\n`, `no-pty,from="1.2.3.4 5" ${leaverRsa.line}\n`, `restrict ${leaver.type} ${leaver.body}`];
    const alicePath = '/home/alice/.ssh/authorized_keys';
    h.write(alicePath, [drop[0], keep[0], keep[1], drop[1], keep[2], keep[3], keep[4], drop[2]].join(''), { mode: 0o640, uid: alice.uid, gid: 4242 });
    h.write('/home/bob/.ssh/authorized_keys2', `${leaver.line}\r\n${stay.line}`, { mode: 0o600 });
    const carolPath = '/home/carol/.ssh/authorized_keys';
    h.write(carolPath, `${stay.line}\n`);
    const carolBefore = statSync(h.at(carolPath));

    const r = revoke(h, [leaver.body, leaverRsa.body], []);

    expect(r.status).toBe(0);
    expect(h.read(alicePath).equals(Buffer.from(keep.join('')))).toBe(true);
    expect(h.read('/home/bob/.ssh/authorized_keys2').toString()).toBe(stay.line);
    const st = statSync(h.at(alicePath));
    expect(st.mode & 0o7777).toBe(0o640);
    // Without root the file stays the test user's: what must hold is that it did not change owner.
    expect([st.uid, st.gid]).toEqual(IS_ROOT ? [alice.uid, 4242] : [process.getuid?.(), process.getgid?.()]);
    expect(statSync(h.at('/home/bob/.ssh/authorized_keys2')).mode & 0o7777).toBe(0o600);
    expect(statSync(h.at(carolPath)).ino).toBe(carolBefore.ino);
    expect(readdirSync(h.at('/home/alice/.ssh'))).toEqual(['authorized_keys']);
    const tail = (k: TestKey, i: number): string => `${i}:${k.body.slice(-16)}`;
    expect(records(r.stdout)).toEqual([
      ['REMOVED', 'alice', alicePath, tail(leaver, 1)],
      ['REMOVED', 'alice', alicePath, tail(leaverRsa, 2)],
      ['REMOVED', 'alice', alicePath, tail(leaver, 1)],
      ['REMOVED', 'bob', '/home/bob/.ssh/authorized_keys2', tail(leaver, 1)],
    ]);
    expect(r.stdout).toMatch(/\nEND 4 changed=4 errors=0\n$/);
  });

  it('locks and expires accounts in the shadow file, leaving other entries byte-identical', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver', password: '$6$a$b' }), createDummyAccount({ name: 'other' })] });
    const before = h.read('/etc/shadow').toString();

    const r = revoke(h, [], ['leaver', 'ghost'], ['--no-kill']);

    expect(r.status).toBe(0);
    expect(records(r.stdout)).toEqual([
      ['LOCKED', 'leaver', IS_ROOT ? 'usermod' : 'shadow-edit'],
      ['NO-USER', 'ghost'],
    ]);
    const after = h.read('/etc/shadow').toString();
    expect(after.split('\n').find((l) => l.startsWith('leaver:'))).toBe('leaver:!$6$a$b:19000:0:99999:7::1:');
    expect(after.split('\n').filter((l) => !l.startsWith('leaver:'))).toEqual(before.split('\n').filter((l) => !l.startsWith('leaver:')));
    expect(statSync(h.at('/etc/shadow')).mode & 0o7777).toBe(0o640);
    const inv = parseInventoryOutput('i-1', runCommandText(inventoryCommand(), { root: h.root }).stdout);
    expect(inv.lockedUsers).toEqual(['leaver']);
  });

  it('falls back to editing the shadow file atomically when usermod --prefix fails', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver', password: '!', expire: '' }), createDummyAccount({ name: 'other' })] });
    const bin = fakeBin({ usermod: 'exit 1' });

    const r = revoke(h, [], ['leaver'], ['--no-kill'], { PATH: bin.path });

    expect(records(r.stdout)).toEqual([['LOCKED', 'leaver', 'shadow-edit']]);
    expect(readFileSync(bin.log, 'utf8')).toContain('--prefix');
    expect(h.read('/etc/shadow').toString()).toContain('\nleaver:!:19000:0:99999:7::1:\n');
    expect(readdirSync(h.at('/etc')).filter((f) => f.startsWith('.warden'))).toEqual([]);
  });

  it('changes nothing on a second run and says so', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver' }), createDummyAccount({ name: 'ops' })] });
    h.write('/home/ops/.ssh/authorized_keys', `${stay.line}\n${leaver.line}\n# end`);
    const first = revoke(h, [leaver.body, leaverRsa.body], ['leaver'], ['--no-kill']);
    expect(parseRevokeOutput(first.stdout).changed).toBe(2);
    const fileBefore = statSync(h.at('/home/ops/.ssh/authorized_keys'));
    const shadowBefore = h.read('/etc/shadow');

    const second = revoke(h, [leaver.body, leaverRsa.body], ['leaver'], ['--no-kill']);

    expect(second.status).toBe(0);
    expect(records(second.stdout)).toEqual([
      ['ALREADY-LOCKED', 'leaver'],
      ['ABSENT', `1:${leaver.body.slice(-16)}`],
      ['ABSENT', `2:${leaverRsa.body.slice(-16)}`],
    ]);
    expect(parseRevokeOutput(second.stdout).changed).toBe(0);
    const fileAfter = statSync(h.at('/home/ops/.ssh/authorized_keys'));
    expect([fileAfter.ino, fileAfter.mtimeMs]).toEqual([fileBefore.ino, fileBefore.mtimeMs]);
    expect(h.read('/etc/shadow').equals(shadowBefore)).toBe(true);
    expect(h.read('/home/ops/.ssh/authorized_keys').toString()).toBe(`${stay.line}\n# end`);
  });

  it('treats attacker-controlled comments as data from inventory through revocation', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'mallory' })] });
    const keepLine = `command="$(touch /tmp/pwned)";rm -rf / ${stay.type} ${stay.body} ${EVIL_COMMENT}\n`;
    h.write('/home/mallory/.ssh/authorized_keys', `${evil.line}\n${keepLine}`);
    const inv = parseInventoryOutput('i-m', runCommandText(inventoryCommand(), { root: h.root }).stdout);
    const target = inv.keys.find((k) => k.keyBody === normaliseKeyBody(evil.line));
    expect(target?.comment).toBe(EVIL_COMMENT);

    const r = runCommandText(revokeCommand({ keyBodies: [target?.keyBody ?? ''], lockUsers: ['mallory'], killSessions: true }), { root: h.root });

    expect(existsSync(PWNED)).toBe(false);
    expect(h.read('/home/mallory/.ssh/authorized_keys').toString()).toBe(keepLine);
    const report = parseRevokeOutput(r.stdout);
    expect(report.complete).toBe(true);
    expect(report.events.map((e) => e.kind)).toEqual(['locked', 'kill-skipped', 'removed']);
    const summary = summariseRevoke(report, { keyBodies: [evil.body], lockUsers: ['mallory'] });
    expect(summary.keys.get(evil.body)).toBe('removed');
    expect(summary.users.get('mallory')).toBe('locked');
  });

  it('kills sessions only when allowed: as the uid itself (kill -1, which no fork escapes), then by uid, again while any is left', () => {
    const leaverAccount = createDummyAccount({ name: 'leaver', uid: 3999, gid: 3990 });
    const h = host({ accounts: [leaverAccount] });
    // ps lists a live process of uid 3999 (and a zombie of it, which is no process) on its first FAKE_ALIVE calls, as
    // when a process keeps forking, then only the zombie.
    const bin = fakeBin({
      pkill: 'exit 0',
      setpriv: 'exit 0',
      ps: `n=$(cat "${'$'}{FAKE_COUNT}" 2>/dev/null || echo 0); echo $((n + 1)) > "${'$'}{FAKE_COUNT}"; echo '3999 3999 Z'; [ "$n" -lt "${'$'}{FAKE_ALIVE:-0}" ] && echo '3999 3999 S'; echo '0 0 S'`,
    });
    const count = path.join(bin.dir, 'count');

    const skipped = revoke(h, [], ['leaver'], [], { PATH: bin.path });
    expect(records(skipped.stdout)).toContainEqual(['KILL-SKIPPED', 'leaver', 'simulated host: no process is killed']);
    expect(existsSync(bin.log)).toBe(false);

    const killed = revoke(h, [], ['leaver'], [], { PATH: bin.path, WARDEN_HOST_ALLOW_KILL: '1', FAKE_COUNT: count, FAKE_ALIVE: '3' });
    expect(records(killed.stdout)).toEqual([['ALREADY-LOCKED', 'leaver'], ['KILLED', 'leaver']]);
    const calls = readFileSync(bin.log, 'utf8').split('\n').filter((l) => l.startsWith('pkill') || l.startsWith('setpriv'));
    const round = [
      'setpriv --reuid=3999 --regid=3990 --clear-groups -- sh -c kill -s STOP -- -1',
      'setpriv --reuid=3999 --regid=3990 --clear-groups -- sh -c kill -s KILL -- -1',
      'pkill -KILL -u 3999',
      'pkill -KILL -U 3999',
    ];
    // Seen alive in three rounds, then two clean looks in a row.
    expect(calls).toEqual([...round, ...round, ...round, ...round, ...round]);

    rmSync(count, { force: true });
    const none = revoke(h, [], ['leaver'], [], { PATH: bin.path, WARDEN_HOST_ALLOW_KILL: '1', FAKE_COUNT: count, FAKE_ALIVE: '0' });
    expect(records(none.stdout)).toContainEqual(['NO-SESSIONS', 'leaver']);
    expect(parseRevokeOutput(none.stdout).changed).toBe(0);
  });

  it('stops everything before killing when it cannot act as the uid', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver', uid: 3997 })] });
    const bin = fakeBin({ pkill: 'exit 0', setpriv: 'exit 1', perl: 'exit 1', ps: "echo '0 0 S'" });

    const r = revoke(h, [], ['leaver'], [], { PATH: bin.path, WARDEN_HOST_ALLOW_KILL: '1' });

    expect(records(r.stdout)).toContainEqual(['NO-SESSIONS', 'leaver']);
    const calls = readFileSync(bin.log, 'utf8').split('\n').filter((l) => l.startsWith('pkill'));
    expect(calls.slice(0, 4)).toEqual(['pkill -STOP -u 3997', 'pkill -STOP -U 3997', 'pkill -KILL -u 3997', 'pkill -KILL -U 3997']);
  });

  it('reports processes that survive 10 s of stopping and killing as an error', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'leaver', uid: 3998 })] });
    const bin = fakeBin({ pkill: 'exit 0', setpriv: 'exit 0', ps: "echo '3998 3998 R'" });
    const started = Date.now();

    const r = revoke(h, [], ['leaver'], [], { PATH: bin.path, WARDEN_HOST_ALLOW_KILL: '1' });

    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.status).toBe(1);
    expect(records(r.stdout)).toContainEqual(['ERROR', 'leaver', '*', 'processes still running after 10 s of stopping and killing them']);
  });

  it('never locks or kills uid 0 and fails the run when asked to', () => {
    const h = host({ accounts: [] });
    const shadow = h.read('/etc/shadow');

    const r = revoke(h, [], ['root'], [], { WARDEN_HOST_ALLOW_KILL: '1' });

    expect(r.status).toBe(1);
    expect(records(r.stdout)).toEqual([['ERROR', 'root', '*', 'uid 0 is never locked or killed by Warden']]);
    expect(h.read('/etc/shadow').equals(shadow)).toBe(true);
  });

  it('never follows a symlink a user made, inside their home or out of it, and proves nothing absent', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'frank' }), createDummyAccount({ name: 'gina' })] });
    h.write('/home/frank/.ssh/authorized_keys', `${leaver.line}\n${stay.line}\n`);
    symlinkSync('authorized_keys', h.at('/home/frank/.ssh/authorized_keys2'));
    h.write('/srv/shared/keys', `${leaver.line}\n`);
    mkdirSync(h.at('/home/gina/.ssh'), { recursive: true });
    symlinkSync('../../../srv/shared/keys', h.at('/home/gina/.ssh/authorized_keys'));

    const r = revoke(h, [leaver.body], []);

    expect(r.status).toBe(1);
    expect(lstatSync(h.at('/home/frank/.ssh/authorized_keys2')).isSymbolicLink()).toBe(true);
    expect(h.read('/home/frank/.ssh/authorized_keys').toString()).toBe(`${stay.line}\n`);
    expect(h.read('/srv/shared/keys').toString()).toBe(`${leaver.line}\n`);
    const recs = records(r.stdout);
    expect(recs.filter((f) => f[0] === 'REMOVED')).toHaveLength(1);
    expect(recs).toContainEqual(['ERROR', 'frank', '/home/frank/.ssh/authorized_keys2', 'symlink: not read: keys not checked']);
    expect(recs).toContainEqual(['ERROR', 'gina', '/home/gina/.ssh/authorized_keys', 'symlink: not read: keys not checked']);
    expect(recs.some((f) => f[0] === 'ABSENT')).toBe(false);
    expect(summariseRevoke(parseRevokeOutput(r.stdout), { keyBodies: [leaver.body], lockUsers: [] }).keys.get(leaver.body)).toBe('unverified');
  });

  it('reports a file it may not read as an error and proves nothing absent', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'dave' }), createDummyAccount({ name: 'erin' })] });
    h.write('/home/dave/.ssh/authorized_keys', `${leaver.line}\n`, { mode: 0o000 });
    h.write('/home/erin/.ssh/authorized_keys', `${stay.line}\n`, { mode: 0o644 });
    const shell = IS_ROOT ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', 'sh', '-eu'] : ['sh', '-eu'];

    const r = runScript(REVOKE_SH, ['--keys-b64', b64Lines([leaver.body])], { root: h.root, shell });

    expect(r.status).toBe(1);
    expect(records(r.stdout)).toEqual([['ERROR', 'dave', '/home/dave/.ssh/authorized_keys', 'unreadable: keys not checked']]);
  });

  it('refuses malformed input with status 2 before changing anything', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'alice' })] });
    h.write('/home/alice/.ssh/authorized_keys', `${leaver.line}\n`);
    const shadow = h.read('/etc/shadow');

    const badB64 = runScript(REVOKE_SH, ['--keys-b64', '$(touch /tmp/pwned)'], { root: h.root });
    const badKey = revoke(h, [`${leaver.body} x`], []);
    const badUser = revoke(h, [leaver.body], ['alice,root']);

    for (const r of [badB64, badKey, badUser]) {
      expect(r.status).toBe(2);
      expect(records(r.stdout)[0]?.[0]).toBe('ERROR');
    }
    expect(h.read('/home/alice/.ssh/authorized_keys').toString()).toBe(`${leaver.line}\n`);
    expect(h.read('/etc/shadow').equals(shadow)).toBe(true);
    expect(existsSync(PWNED)).toBe(false);
  });

  it('behaves the same under bash in POSIX mode', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'alice' })] });
    h.write('/home/alice/.ssh/authorized_keys', `${stay.line}\r\n${leaver.line}`);

    const r = runScript(REVOKE_SH, ['--keys-b64', b64Lines([leaver.body]), '--lock-b64', b64Lines(['alice']), '--no-kill'], {
      root: h.root,
      shell: ['bash', '--posix', '-eu'],
    });

    expect(r.status).toBe(0);
    expect(h.read('/home/alice/.ssh/authorized_keys').toString()).toBe(`${stay.line}\r\n`);
    expect(records(r.stdout).map((f) => f[0])).toEqual(['LOCKED', 'REMOVED']);
  });
});
