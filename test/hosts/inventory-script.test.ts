// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

import {
  INVENTORY_PAGE_BYTES,
  SSM_STDOUT_LIMIT,
  assembleInventoryPages,
  inventoryCommand,
  keyFingerprint,
  parseInventoryOutput,
  parseInventoryPage,
  type InventoryPage,
} from '../../src/adapters/hosts/host-script-protocol';
import { posixCksum } from '../../src/adapters/hosts/inventory-output';
import {
  INVENTORY_SH,
  IS_ROOT,
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
const EVIL_COMMENT = '$(touch /tmp/pwned)`; rm -rf /`';

let ed: TestKey;
let rsa: TestKey;
let ec: TestKey;
let evil: TestKey;
const roots: HostRoot[] = [];

/** The records about keys files (K, X, E), without the account list (A) and locks (L). */
const fileRecords = (stdout: string): string[][] => records(stdout).filter((f) => f[0] === 'K' || f[0] === 'X' || f[0] === 'E');
const fp = (k: TestKey): string => keyFingerprint(k.body) ?? '';

function host(...args: Parameters<typeof createHostRoot>): HostRoot {
  const h = createHostRoot(...args);
  roots.push(h);
  return h;
}

beforeAll(() => {
  rmSync(PWNED, { force: true });
  ed = makeKey('ed25519', 'comment with spaces');
  rsa = makeKey('rsa', 'rsa@laptop');
  ec = makeKey('ecdsa', 'ec key');
  evil = makeKey('ed25519', EVIL_COMMENT);
});

afterAll(() => {
  for (const h of roots) h.cleanup();
});

describe('inventory.sh', () => {
  it('reports every key line with its file, line number, type, body and comment', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'alice' })] });
    const content = [
      `${ed.line}\n`,
      '\n',
      '# a comment line\n',
      '   \t \n',
      `from="10.0.0.1,10.0.0.2",command="echo \\"x y\\"",no-pty ${rsa.line}\n`,
      `${ec.line}\r\n`,
      `  restrict ${ed.type} ${ed.body}`,
    ].join('');
    h.write('/home/alice/.ssh/authorized_keys', content);

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('WARDEN-INVENTORY v1 test-host');
    const file = '/home/alice/.ssh/authorized_keys';
    expect(fileRecords(r.stdout)).toEqual([
      ['K', 'alice', file, '1', ed.type, ed.body, 'comment with spaces', fp(ed)],
      ['K', 'alice', file, '5', rsa.type, rsa.body, 'rsa@laptop', fp(rsa)],
      ['K', 'alice', file, '6', ec.type, ec.body, 'ec key', fp(ec)],
      ['K', 'alice', file, '7', ed.type, ed.body, '', fp(ed)],
    ]);
    expect(records(r.stdout).filter((f) => f[0] === 'A')).toEqual([
      ['A', 'root', '0'],
      ['A', 'alice', expect.stringMatching(/^\d+$/)],
    ]);
    expect(lines[lines.length - 2]).toBe('END 6');
  });

  it('reads authorized_keys2 and every AuthorizedKeysFile of sshd_config, Includes and Match blocks too', () => {
    const h = host({
      accounts: [createDummyAccount({ name: 'alice', uid: 3201 }), createDummyAccount({ name: 'bob', uid: 3202 })],
      sshdConfig: [
        '# AuthorizedKeysFile /ignored/%u',
        'authorizedkeysfile .ssh/authorized_keys "%h/.ssh/with space 100%%" /srv/keys/%u',
        'Include sshd_config.d/*.conf',
        '',
      ].join('\n'),
    });
    h.write('/etc/ssh/sshd_config.d/50-bob.conf', 'Match User bob\n  AuthorizedKeysFile=/srv/keys/uid-%U\n');
    h.write('/home/alice/.ssh/authorized_keys2', `${ed.line}\n`);
    h.write('/home/alice/.ssh/with space 100%', `${rsa.line}\n`);
    h.write('/srv/keys/alice', `${ec.line}\n`);
    h.write('/srv/keys/uid-3202', `${ed.line}\n`);
    h.write('/ignored/alice', `${ec.line}\n`);

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    expect(r.status).toBe(0);
    const keys = fileRecords(r.stdout).map((f) => `${f[1]} ${f[2]} ${f[4]}`);
    expect(keys.sort()).toEqual(
      [
        `alice /home/alice/.ssh/authorized_keys2 ${ed.type}`,
        `alice /home/alice/.ssh/with space 100% ${rsa.type}`,
        `alice /srv/keys/alice ${ec.type}`,
        `bob /srv/keys/uid-3202 ${ed.type}`,
      ].sort(),
    );
  });

  it('skips missing files silently and reports a directory where a file is expected as E', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'nokeys' }), createDummyAccount({ name: 'carol' })] });
    mkdirSync(h.at('/home/carol/.ssh/authorized_keys'), { recursive: true });
    h.write('/home/carol/.ssh/authorized_keys2', `${ed.line}\n`);

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    expect(r.status).toBe(0);
    expect(fileRecords(r.stdout)).toEqual([
      ['K', 'carol', '/home/carol/.ssh/authorized_keys2', '1', ed.type, ed.body, 'comment with spaces', fp(ed)],
      ['E', 'carol', '/home/carol/.ssh/authorized_keys', 'not a regular file (FIFO, device, socket or folder): not read'],
    ]);
  });

  it('reports a file it may not read as E and carries on with the others', () => {
    // Root reads a mode-000 file anyway, so as root the script runs without CAP_DAC_OVERRIDE and
    // CAP_DAC_READ_SEARCH (setpriv drops them from the bounding set) to meet a real EACCES.
    const h = host({ accounts: [createDummyAccount({ name: 'dave' }), createDummyAccount({ name: 'erin' })] });
    h.write('/home/dave/.ssh/authorized_keys', `${ed.line}\n`, { mode: 0o000 });
    h.write('/home/erin/.ssh/authorized_keys', `${ec.line}\n`, { mode: 0o644 });
    const shell = IS_ROOT ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', 'sh', '-eu'] : ['sh', '-eu'];

    const r = runScript(INVENTORY_SH, [], { root: h.root, shell });

    expect(r.status).toBe(0);
    const recs = records(r.stdout);
    expect(recs).toContainEqual(['E', 'dave', '/home/dave/.ssh/authorized_keys', 'unreadable']);
    expect(recs).toContainEqual(['K', 'erin', '/home/erin/.ssh/authorized_keys', '1', ec.type, ec.body, 'ec key', fp(ec)]);
    expect(r.stdout).not.toContain(ed.body);
  });

  it('never follows a symlink a user made, inside their home or out of it, and says so', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'frank' }), createDummyAccount({ name: 'gina' })] });
    h.write('/home/frank/.ssh/authorized_keys', `${ed.line}\n`);
    symlinkSync('authorized_keys', h.at('/home/frank/.ssh/authorized_keys2'));
    h.write('/srv/shared/keys', `${rsa.line}\n`);
    mkdirSync(h.at('/home/gina/.ssh'), { recursive: true });
    symlinkSync('../../../srv/shared/keys', h.at('/home/gina/.ssh/authorized_keys'));

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    expect(r.status).toBe(0);
    expect(fileRecords(r.stdout)).toEqual([
      ['K', 'frank', '/home/frank/.ssh/authorized_keys', '1', ed.type, ed.body, 'comment with spaces', fp(ed)],
      ['E', 'frank', '/home/frank/.ssh/authorized_keys2', 'symlink: not read'],
      ['E', 'gina', '/home/gina/.ssh/authorized_keys', 'symlink: not read'],
    ]);
    expect(r.stdout).not.toContain(rsa.body);
  });

  it('lists password-locked accounts with whether they are expired', () => {
    const h = host({
      accounts: [
        createDummyAccount({ name: 'open' }),
        createDummyAccount({ name: 'locked', password: '!$6$x$y', expire: '1' }),
        createDummyAccount({ name: 'keyonly', password: '!' }),
      ],
    });

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    expect(records(r.stdout).filter((f) => f[0] === 'L')).toEqual([
      ['L', 'locked', 'expired'],
      ['L', 'keyonly', 'not-expired'],
    ]);
    const parsed = parseInventoryOutput('i-1', r.stdout);
    expect(parsed.lockedUsers).toEqual(['locked']);
    expect(parsed.passwordLockedUsers).toEqual(['locked', 'keyonly']);
  });

  it('passes a comment full of shell metacharacters through as data, never running it', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'mallory' })] });
    h.write('/home/mallory/.ssh/authorized_keys', `command="$(touch /tmp/pwned)" ${evil.line}\n${evil.line}\n`);

    const r = runCommandText(inventoryCommand(), { root: h.root });

    const parsed = parseInventoryOutput('i-evil', r.stdout);
    expect(parsed.complete).toBe(true);
    expect(parsed.keys.map((k) => k.comment)).toEqual([EVIL_COMMENT, EVIL_COMMENT]);
    expect(parsed.keys[0]?.keyBody).toBe(evil.body);
    expect(existsSync(PWNED)).toBe(false);
  });

  it('prints the same output under bash in POSIX mode (sh on Amazon Linux)', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'alice' }), createDummyAccount({ name: 'bob', password: '!' })] });
    h.write('/home/alice/.ssh/authorized_keys', `${ed.line}\r\nrestrict,from="a b" ${rsa.line}`);
    mkdirSync(h.at('/home/bob/.ssh/authorized_keys2'), { recursive: true });

    const dash = runScript(INVENTORY_SH, [], { root: h.root });
    const bash = runScript(INVENTORY_SH, [], { root: h.root, shell: ['bash', '--posix', '-eu'] });

    expect(bash.status).toBe(0);
    expect(fileRecords(dash.stdout)).toHaveLength(3);
    expect(bash.stdout).toBe(dash.stdout);
  });

  it('pages output larger than SSM keeps, each page under 24,000 characters, joined exactly', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'big' })] });
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(`from="10.0.${i}.1" ${rsa.type} ${rsa.body} user${i}@example.com é\n`);
    h.write('/home/big/.ssh/authorized_keys', lines.join(''));
    const whole = runScript(INVENTORY_SH, [], { root: h.root }).stdout;
    expect(whole.length).toBeGreaterThan(2 * SSM_STDOUT_LIMIT);
    expect(parseInventoryOutput('i-big', whole.slice(0, SSM_STDOUT_LIMIT)).complete).toBe(false);

    const pages: InventoryPage[] = [];
    let nextOffset = 0;
    for (;;) {
      const out = runCommandText(inventoryCommand({ page: { offset: nextOffset, limit: INVENTORY_PAGE_BYTES } }), { root: h.root }).stdout;
      expect(out.length).toBeLessThan(SSM_STDOUT_LIMIT);
      const parsed = parseInventoryPage(out);
      if (parsed.kind !== 'page') throw new Error(parsed.reason);
      pages.push(parsed.page);
      const assembled = assembleInventoryPages(pages);
      if (assembled.kind === 'incomplete') {
        nextOffset = assembled.nextOffset;
        continue;
      }
      if (assembled.kind === 'inconsistent') throw new Error(assembled.reason);
      expect(assembled.text).toBe(whole);
      const inv = parseInventoryOutput('i-big', assembled.text);
      expect(inv.complete).toBe(true);
      expect(inv.keys).toHaveLength(150);
      expect(inv.keys[149]?.comment).toBe('user149@example.com é');
      break;
    }
    expect(pages.length).toBe(Math.ceil(Buffer.byteLength(whole) / INVENTORY_PAGE_BYTES));
  });

  it('seals its output: line 2 is the SHA-256 of every byte after it, and any edit past it breaks the seal', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'alice' })] });
    h.write('/home/alice/.ssh/authorized_keys', `${ed.line}\n${rsa.line}\n`);
    const whole = runScript(INVENTORY_SH, [], { root: h.root }).stdout;

    expect(whole.split('\n')[1]).toMatch(/^SEAL sha256=[0-9a-f]{64}$/);
    const inv = parseInventoryOutput('i-1', whole);
    expect(inv.complete).toBe(true);
    expect(inv.seal).toBe('verified');
    expect(inv.keys).toHaveLength(2);

    // What a writer of the S3 output bucket could do: drop a key line and fix END's count. Complete, but unsealed.
    const rsaLine = whole.split('\n').find((l) => l.includes(rsa.body)) ?? '';
    const forged = whole.replace(`${rsaLine}\n`, '').replace(/END (\d+)\n$/, (_, n: string) => `END ${Number(n) - 1}\n`);
    expect(parseInventoryOutput('i-1', forged)).toMatchObject({ complete: true, seal: 'mismatch' });
    // Without the seal line at all.
    const unsealed = whole.split('\n').filter((_, i) => i !== 1).join('\n');
    expect(parseInventoryOutput('i-1', unsealed)).toMatchObject({ complete: true, seal: 'absent' });
  });

  it('carries the whole output\'s SHA-256 in every page header, and joining pages checks it', () => {
    const h = host({ accounts: [createDummyAccount({ name: 'big' })] });
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(`${rsa.type} ${rsa.body} user${i}@example.com\n`);
    h.write('/home/big/.ssh/authorized_keys', lines.join(''));
    const page = (offset: number): InventoryPage => {
      const parsed = parseInventoryPage(runCommandText(inventoryCommand({ page: { offset, limit: INVENTORY_PAGE_BYTES } }), { root: h.root }).stdout);
      if (parsed.kind !== 'page') throw new Error(parsed.reason);
      return parsed.page;
    };
    const first = page(0);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    const second = page(first.length);

    expect(assembleInventoryPages([first, second]).kind).toBe('complete');
    // A page whose bytes were replaced but whose header (what SSM reports) was kept: the CRC is recomputed by the forger,
    // the SHA-256 cannot be matched.
    const data = Buffer.from(second.data);
    data[10] = data[10] === 0x41 ? 0x42 : 0x41;
    const whole = Buffer.concat([first.data, data]);
    const crc = posixCksum(whole);
    const forged = assembleInventoryPages([
      { ...first, cksum: crc },
      { ...second, cksum: crc, data },
    ]);
    expect(forged).toEqual({ kind: 'inconsistent', reason: 'joined pages do not match their SHA-256' });
  });

  it('handles thousands of accounts and lines in one pass', () => {
    const accounts = Array.from({ length: 1500 }, (_, i) => createDummyAccount({ name: `user${i}`, uid: 20000 + i }));
    const h = host({ accounts });
    for (const a of accounts) h.write(`${a.home}/.ssh/authorized_keys`, `${ed.line}\n# note\nrestrict ${ec.line}\n${rsa.line}\n`);
    const started = Date.now();

    const r = runScript(INVENTORY_SH, [], { root: h.root });

    const parsed = parseInventoryOutput('i-many', r.stdout);
    expect(parsed.complete).toBe(true);
    expect(parsed.keys).toHaveLength(4500);
    // Linear: one bounded copy (a head process) per keys file. About 4 s on an idle 2-core machine; the bound leaves
    // room for a loaded CI machine and still catches anything quadratic (the old single-awk reader took 2 s).
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('rejects bad paging options with exit status 2', () => {
    const h = host({ accounts: [] });

    const r = runScript(INVENTORY_SH, ['--offset', '1;id'], { root: h.root });

    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});
