// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  COMMON_SOURCE_LINE,
  assembleInventoryPages,
  inventoryCommand,
  keyFingerprint,
  loadHostScripts,
  normaliseKeyBody,
  parseAuthorizedKeyLine,
  parseInventoryOutput,
  parseInventoryPage,
  parseRevokeOutput,
  posixCksum,
  revokeCommand,
  summariseRevoke,
  type InventoryPage,
} from '../../src/adapters/hosts/host-script-protocol';
import { HostScriptInputError } from '../../src/errors';
import { COMMON_SH, INVENTORY_SH, REVOKE_SH, createDummyAccount, createHostRoot, makeKey, records, runScript, type TestKey } from './helpers';

let ed: TestKey;
let ec: TestKey;

beforeAll(() => {
  ed = makeKey('ed25519', 'alice laptop');
  ec = makeKey('ecdsa', 'ci');
});

describe('the host scripts', () => {
  it.each([INVENTORY_SH, REVOKE_SH])('%s passes sh -n under dash and bash', (file) => {
    expect(spawnSync('sh', ['-n', file]).status).toBe(0);
    expect(spawnSync('bash', ['--posix', '-n', file]).status).toBe(0);
  });

  it('source one shared library, which loadHostScripts inlines into the single script SSM sends', () => {
    const common = readFileSync(COMMON_SH, 'utf8');
    const scripts = loadHostScripts();
    for (const [file, sent] of [
      [INVENTORY_SH, scripts.inventory],
      [REVOKE_SH, scripts.revoke],
    ] as const) {
      const source = readFileSync(file, 'utf8');
      expect(source.split('\n')).toContain(COMMON_SOURCE_LINE);
      expect(sent).toContain(common);
      expect(sent).not.toContain('common.sh" # warden:inline');
      expect(sent.replace(common, `${COMMON_SOURCE_LINE}\n`)).toBe(source);
      // The inlined text is what runs on a host: it must parse on its own.
      expect(spawnSync('sh', ['-n'], { input: sent }).status).toBe(0);
    }
  });
});

describe('normaliseKeyBody', () => {
  it('extracts the body from key lines with and without options, comments and CRLF', () => {
    expect(normaliseKeyBody(ed.line)).toBe(ed.body);
    expect(normaliseKeyBody(`${ed.line}\r\n`)).toBe(ed.body);
    expect(normaliseKeyBody(`${ed.type} ${ed.body}`)).toBe(ed.body);
    expect(normaliseKeyBody(`from="10.0.0.1",command="echo \\"x y\\"" ${ec.line}`)).toBe(ec.body);
    expect(normaliseKeyBody(`  restrict,pty\t${ec.type}\t${ec.body}\tci tab`)).toBe(ec.body);
    expect(normaliseKeyBody(ed.body)).toBe(ed.body);
    expect(normaliseKeyBody(`ssh-ed25519-cert-v01@openssh.com ${ed.body} cert`)).toBe(ed.body);
  });

  it('finds nothing in comments, blank lines, unterminated options or non-keys', () => {
    expect(normaliseKeyBody(`# ${ed.line}`)).toBeUndefined();
    expect(normaliseKeyBody('   ')).toBeUndefined();
    expect(normaliseKeyBody(`command="oops ${ed.line}`)).toBeUndefined();
    expect(normaliseKeyBody('ssh-ed25519 not-base64!')).toBeUndefined();
    expect(normaliseKeyBody('hello world')).toBeUndefined();
  });

  it('names every key OpenSSH accepted exactly as the scripts awk does, whitespace inside the body included', () => {
    const split = (k: TestKey, sep: string): string => `${k.body.slice(0, 20)}${sep}${k.body.slice(20, 40)}${sep}${k.body.slice(40)}`;
    const lines = [
      ed.line,
      `${ec.line}\r`,
      `from="a b",command="c \\" d" ${ed.line}`,
      `cert-authority,principals="x,y" ${ec.type} ${ec.body}   trailing  spaces `,
      `environment="A=\\"" ${ed.type} ${ed.body} after escaped quote`,
      `command="unterminated ${ed.line}`,
      `\t# comment ${ed.line}`,
      `${ed.type} ${split(ed, '\v')} hidden by vertical tabs`,
      `restrict ${ec.type} ${split(ec, '\f')} hidden\x1b[2K by form feeds`,
      `${ed.type} ${ed.body}\r`,
      `ssh-future@openssh.com ${ed.body} unknown type with key-like body`,
      `restrict ssh-future@openssh.com notAAAA`,
      `${ed.type}`,
      '',
    ];
    const h = createHostRoot({ accounts: [createDummyAccount({ name: 'p' })] });
    try {
      h.write('/home/p/.ssh/authorized_keys', lines.join('\n'));
      const fromScript = records(runScript(INVENTORY_SH, [], { root: h.root }).stdout)
        .filter((f) => f[0] === 'K')
        .map((f) => ({ line: Number(f[3]), keyType: f[4], keyBody: f[5], comment: f[6], fingerprint: f[7] }));
      const fromTs = fromScript.map(({ line }) => {
        const k = parseAuthorizedKeyLine(lines[line - 1] ?? '');
        return k === undefined ? undefined : { line, keyType: k.keyType, keyBody: k.keyBody, comment: k.comment, fingerprint: keyFingerprint(k.keyBody) };
      });
      // ssh-keygen accepted these lines (the unterminated option, comment and type-only lines are not keys to it).
      expect(fromScript.map((k) => k.line)).toEqual([1, 2, 3, 4, 5, 8, 9, 10]);
      expect(fromScript).toEqual(fromTs);
      expect(fromScript[5]?.keyBody).toBe(ed.body);
      expect(fromScript[6]?.comment).toBe('hidden [2K by form feeds');
    } finally {
      h.cleanup();
    }
  });
});

describe('keyFingerprint', () => {
  it('is the SHA256 fingerprint ssh-keygen -l prints', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-fp-'));
    try {
      for (const k of [ed, ec]) {
        writeFileSync(path.join(dir, 'k.pub'), `${k.line}\n`);
        const r = spawnSync('ssh-keygen', ['-l', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' });
        expect(r.stdout.split(' ')[1]).toMatch(/^SHA256:/);
        expect(keyFingerprint(k.body)).toBe(r.stdout.split(' ')[1]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(keyFingerprint('not base64!')).toBeUndefined();
  });
});

describe('command builders', () => {
  it('embeds the script after a set -- line holding only base64 and flags', () => {
    const text = revokeCommand({ keyBodies: [ed.body, ec.body, ed.body], lockUsers: ['bob', 'svc$'], killSessions: false });
    const [comment, setLine, ...rest] = text.split('\n');
    expect(comment).toBe('# Warden revoke (scripts/host/revoke.sh)');
    expect(setLine).toMatch(/^set --( '[A-Za-z0-9+/=-]+')+$/);
    expect(rest.join('\n')).toBe(loadHostScripts().revoke);
    const args = [...(setLine ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
    expect(args[0]).toBe('--keys-b64');
    expect(Buffer.from(args[1] ?? '', 'base64').toString()).toBe(`${ed.body}\n${ec.body}\n`);
    expect(Buffer.from(args[3] ?? '', 'base64').toString()).toBe('bob\nsvc$\n');
    expect(args.slice(4)).toEqual(['--no-kill']);
  });

  it('refuses key bodies and account names that are not safe to pass', () => {
    expect(() => revokeCommand({ keyBodies: [ed.line], lockUsers: [], killSessions: true })).toThrow(HostScriptInputError);
    expect(() => revokeCommand({ keyBodies: ["AAAA'$(id)'AAAAAAAAAAAA"], lockUsers: [], killSessions: true })).toThrow(HostScriptInputError);
    for (const user of ['a,root', '-o', '0 1', '..', 'x;id', '']) {
      expect(() => revokeCommand({ keyBodies: [], lockUsers: [user], killSessions: true })).toThrow(HostScriptInputError);
    }
  });

  it('passes paging options and validates them', () => {
    expect(inventoryCommand({ page: { offset: 16384, limit: 16384 } }).split('\n')[1]).toBe("set -- '--offset' '16384' '--limit' '16384'");
    expect(inventoryCommand().split('\n')[1]).toBe('set --');
    expect(() => inventoryCommand({ page: { offset: -1, limit: 10 } })).toThrow(HostScriptInputError);
    expect(() => inventoryCommand({ page: { offset: 0, limit: 0.5 } })).toThrow(HostScriptInputError);
  });
});

describe('parseInventoryOutput', () => {
  const good = [
    'WARDEN-INVENTORY v1 web-1',
    'K\talice\t/home/alice/.ssh/authorized_keys\t3\tssh-ed25519\tAAAAbody\tlaptop key',
    'E\tbob\t/home/bob/.ssh/authorized_keys\tunreadable',
    'E\t*\t/etc/shadow\tunreadable: locked accounts unknown',
    'L\tcarol\texpired',
    'L\tdan\tnot-expired',
    'END 5',
    '',
  ].join('\n');

  it('turns records into host keys, locked users and errors', () => {
    const inv = parseInventoryOutput('i-0abc', good);
    expect(inv).toEqual({
      hostname: 'web-1',
      keys: [{ instanceId: 'i-0abc', osUser: 'alice', file: '/home/alice/.ssh/authorized_keys', line: 3, keyType: 'ssh-ed25519', keyBody: 'AAAAbody', comment: 'laptop key' }],
      lockedUsers: ['carol'],
      passwordLockedUsers: ['carol', 'dan'],
      accounts: [],
      unparsedLines: [],
      errors: ['/home/bob/.ssh/authorized_keys (bob): unreadable', '/etc/shadow: unreadable: locked accounts unknown'],
      complete: true,
      // No SEAL line: fine through SSM itself, never trusted from the S3 output bucket.
      seal: 'absent',
    });
  });

  it('reads fingerprints, accounts and lines OpenSSH does not read as keys, and distrusts a body that does not hash to its fingerprint', () => {
    const file = '/home/alice/.ssh/authorized_keys';
    const text = [
      'WARDEN-INVENTORY v1 web-1',
      `K\talice\t${file}\t1\t${ed.type}\t${ed.body}\tlaptop\t${keyFingerprint(ed.body) ?? ''}`,
      `K\talice\t${file}\t2\t${ed.type}\t${ed.body}\tforged\t${keyFingerprint(ec.body) ?? ''}`,
      `X\talice\t${file}\t3\tnot a key OpenSSH reads`,
      'A\talice\t1001',
      'A\tec2-user\t1000',
      'END 5',
      '',
    ].join('\n');

    const inv = parseInventoryOutput('i-0abc', text);

    expect(inv.complete).toBe(true);
    expect(inv.keys).toEqual([
      { instanceId: 'i-0abc', osUser: 'alice', file, line: 1, keyType: ed.type, keyBody: ed.body, comment: 'laptop', fingerprint: keyFingerprint(ed.body) },
    ]);
    expect(inv.unparsedLines).toEqual([
      { osUser: 'alice', file, line: 2, reason: `OpenSSH reads key ${keyFingerprint(ec.body) ?? ''} here but its body could not be isolated` },
      { osUser: 'alice', file, line: 3, reason: 'not a key OpenSSH reads' },
    ]);
    expect(inv.accounts).toEqual([
      { name: 'alice', uid: 1001 },
      { name: 'ec2-user', uid: 1000 },
    ]);
  });

  it('marks truncated, miscounted or foreign output incomplete', () => {
    expect(parseInventoryOutput('i', good.slice(0, good.indexOf('L\tdan'))).complete).toBe(false);
    expect(parseInventoryOutput('i', good.replace('END 5', 'END 6')).complete).toBe(false);
    expect(parseInventoryOutput('i', good.replace('L\tdan', 'X\tdan')).complete).toBe(false);
    expect(parseInventoryOutput('i', 'sh: 1: syntax error\n').complete).toBe(false);
  });
});

describe('paging', () => {
  it('computes the same CRC as POSIX cksum', () => {
    for (const size of [0, 1, 255, 256, 70_001]) {
      const data = randomBytes(size);
      const out = spawnSync('cksum', { input: data, encoding: 'utf8' }).stdout;
      expect(posixCksum(data)).toBe(Number(out.split(' ')[0]));
    }
  });

  function pagesOf(text: string, size: number): InventoryPage[] {
    const data = Buffer.from(text);
    const pages: InventoryPage[] = [];
    for (let offset = 0; offset < data.length; offset += size) {
      const slice = data.subarray(offset, offset + size);
      const printed = `WARDEN-PAGE v1 offset=${offset} length=${slice.length} total=${data.length} cksum=${posixCksum(data)}\n${slice.toString('base64')}\nPAGE-END\n`;
      const parsed = parseInventoryPage(printed);
      if (parsed.kind !== 'page') throw new Error(parsed.reason);
      pages.push(parsed.page);
    }
    return pages;
  }

  it('joins pages in any order and asks for the missing one', () => {
    const text = 'WARDEN-INVENTORY v1 h\nL\tü\tnot-expired\nEND 1\n';
    const pages = pagesOf(text, 7);
    expect(assembleInventoryPages(pages.slice(0, 2))).toEqual({ kind: 'incomplete', nextOffset: 14 });
    expect(assembleInventoryPages([...pages].reverse())).toEqual({ kind: 'complete', text });
  });

  it('detects pages taken from different outputs', () => {
    const a = pagesOf('WARDEN-INVENTORY v1 h\nEND 0\n', 10);
    const b = pagesOf('WARDEN-INVENTORY v1 x\nEND 0\n', 10);
    expect(assembleInventoryPages([a[0], b[1], b[2]].filter((p): p is InventoryPage => p !== undefined)).kind).toBe('inconsistent');
  });

  it('rejects a truncated or corrupt page', () => {
    expect(parseInventoryPage('WARDEN-PAGE v1 offset=0 length=3 total=3 cksum=1\nYWJj\n').kind).toBe('invalid');
    expect(parseInventoryPage('WARDEN-PAGE v1 offset=0 length=4 total=4 cksum=1\nYWJj\nPAGE-END\n').kind).toBe('invalid');
    expect(parseInventoryPage('WARDEN-PAGE v1 offset=0 length=3 total=3 cksum=1\nYWJj\nPAGE-END\n').kind).toBe('page');
  });
});

describe('parseRevokeOutput and summariseRevoke', () => {
  const out = [
    'WARDEN-REVOKE v1 web-1',
    'REMOVED\tubuntu\t/home/ubuntu/.ssh/authorized_keys\t1:tail1',
    'ABSENT\t2:tail2',
    'LOCKED\tbob\tusermod',
    'KILLED\tbob',
    'ALREADY-LOCKED\tcarol',
    'NO-USER\tdan',
    'ERROR\terin\t*\tlock failed',
    'END 7 changed=3 errors=1',
    '',
  ].join('\n');
  const request = { keyBodies: ['KEY1', 'KEY2', 'KEY3'], lockUsers: ['bob', 'carol', 'dan', 'erin', 'fay'] };

  it('gives each key and account its outcome', () => {
    const report = parseRevokeOutput(out);
    expect(report.complete).toBe(true);
    expect(report.changed).toBe(3);
    expect(report.events[0]).toEqual({ kind: 'removed', osUser: 'ubuntu', file: '/home/ubuntu/.ssh/authorized_keys', keyIndex: 1, keyTail: 'tail1' });
    expect(report.events[6]).toEqual({ kind: 'error', osUser: 'erin', message: 'lock failed' });
    const s = summariseRevoke(report, request);
    expect([...s.keys.values()]).toEqual(['removed', 'absent', 'unverified']);
    expect([...s.users.values()]).toEqual(['locked', 'already-locked', 'no-user', 'failed', 'failed']);
  });

  it('proves nothing from truncated output', () => {
    const report = parseRevokeOutput(out.slice(0, out.indexOf('END')));
    expect(report.complete).toBe(false);
    const s = summariseRevoke(report, request);
    expect([...s.keys.values()]).toEqual(['unverified', 'unverified', 'unverified']);
    expect([...s.users.values()].every((v) => v === 'failed')).toBe(true);
  });
});
