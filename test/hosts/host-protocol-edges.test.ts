/**
 * The edges of the host-script protocol (src/adapters/hosts/*, re-exported by host-script-protocol.ts): how a line a
 * leaver wrote into their own authorized_keys is split, what every record of the scripts' output means, and output
 * that is truncated, miscounted or stitched together from different runs. Pure: no shell, no ssh-keygen. Each case
 * here was a mutant no test noticed (docs/mutation.md, session 5).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  COMMON_SOURCE_LINE,
  assembleInventoryPages,
  inlineCommon,
  inventoryCommand,
  inventoryExtras,
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
  type RevokeReport,
} from '../../src/adapters/hosts/host-script-protocol';
import { HostScriptInputError } from '../../src/errors';

// A well-formed ed25519 public key body (the 32 key bytes are arbitrary: nothing here verifies signatures).
const BODY = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]).toString('base64');
const BODY2 = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 9)]).toString('base64');

describe('parseAuthorizedKeyLine', () => {
  it.each([
    [`ssh-ed25519 ${BODY} alice@laptop`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'alice@laptop' }],
    [`ssh-ed25519\t \t${BODY}\t  two words  `, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'two words' }],
    [`ssh-ed25519 ${BODY}`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: '' }],
    [` \t ssh-ed25519 ${BODY} c\n`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'c' }],
    [`ssh-ed25519 ${BODY} a\x1b[2Kb\x7fc\u0000hidden`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'a [2Kb c' }],
    [`ssh-ed25519 ${BODY.slice(0, 10)}\r\v\f${BODY.slice(10)} x`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'x' }],
    [`ssh-ed25519 ${BODY} x\t\t`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'x' }],
    [`ssh-ed25519-cert-v01@openssh.com ${BODY} cert`, { keyType: 'ssh-ed25519-cert-v01@openssh.com', keyBody: BODY, comment: 'cert' }],
    [`ssh-rsa Zm9vYmFy old`, { keyType: 'ssh-rsa', keyBody: 'Zm9vYmFy', comment: 'old' }],
    [`sk-ssh-ed25519@openssh.com Zm9v= yubikey`, { keyType: 'sk-ssh-ed25519@openssh.com', keyBody: 'Zm9v=', comment: 'yubikey' }],
    [`x-new.type_1+2@vendor ${BODY} future`, { keyType: 'x-new.type_1+2@vendor', keyBody: BODY, comment: 'future' }],
    [`from="10.0.0.1,10.0.0.2",no-pty ssh-ed25519 ${BODY} opt`, { options: 'from="10.0.0.1,10.0.0.2",no-pty', keyType: 'ssh-ed25519', keyBody: BODY, comment: 'opt' }],
    [`command="echo \\"a b\\" c d",restrict \t ssh-ed25519 ${BODY} q`, { options: 'command="echo \\"a b\\" c d",restrict', keyType: 'ssh-ed25519', keyBody: BODY, comment: 'q' }],
    [`environment="X=a b"\tssh-ed25519 ${BODY}`, { options: 'environment="X=a b"', keyType: 'ssh-ed25519', keyBody: BODY, comment: '' }],
    [`restrict\\ ssh-ed25519 ${BODY} c`, { options: 'restrict\\', keyType: 'ssh-ed25519', keyBody: BODY, comment: 'c' }],
    [`ssh-ed25519 ${BODY} a\nb`, { keyType: 'ssh-ed25519', keyBody: BODY, comment: 'a b' }],
    [`ssh-ed25519-cert-v01@openssh.com Zm9vYmFy cert`, { keyType: 'ssh-ed25519-cert-v01@openssh.com', keyBody: 'Zm9vYmFy', comment: 'cert' }],
  ])('%j splits as sshd reads it', (line, expected) => {
    expect(parseAuthorizedKeyLine(line)).toEqual(expected);
  });

  it.each([
    '',
    '   ',
    '\t',
    '# ssh-ed25519 ' + BODY,
    '  # comment',
    'ssh-ed25519',
    `ssh-ed25519 ${BODY}!!`,
    `ssh-ed25519 AAAA$$ x`,
    `ssh-ed25519 =AAAA x`,
    `unknown-type Zm9vYmFy x`,
    `-bad ${BODY} x`,
    `bad/type ${BODY} x`,
    `from="unterminated ssh-ed25519 ${BODY} x`,
    `command="\\" still quoted ssh-ed25519 ${BODY}`,
    `no-pty notakey x`,
    `\u0000ssh-ed25519 ${BODY}`,
    `ssh-ed25519\u0000 ${BODY}`,
  ])('%j holds no key', (line) => {
    expect(parseAuthorizedKeyLine(line)).toBeUndefined();
  });

  it('reads a key whose unknown type starts with a digit or letter and whose body starts AAAA, and no other', () => {
    expect(parseAuthorizedKeyLine(`9type ${BODY}`)?.keyType).toBe('9type');
    expect(parseAuthorizedKeyLine(`9type Zm9vYmFy`)).toBeUndefined();
    expect(parseAuthorizedKeyLine(`.type ${BODY}`)).toBeUndefined();
  });
});

describe('normaliseKeyBody', () => {
  it('takes a bare body as it is (trimmed), and the body of a whole line', () => {
    expect(normaliseKeyBody(`  ${BODY}\n`)).toBe(BODY);
    expect(normaliseKeyBody(`ssh-ed25519 ${BODY} x`)).toBe(BODY);
    expect(normaliseKeyBody(`restrict ssh-ed25519 ${BODY}`)).toBe(BODY);
  });

  it('finds nothing in text that is neither a bare body starting AAAA nor a key line', () => {
    expect(normaliseKeyBody('Zm9vYmFy')).toBeUndefined();
    expect(normaliseKeyBody(`${BODY}!`)).toBeUndefined();
    expect(normaliseKeyBody('')).toBeUndefined();
    expect(normaliseKeyBody(`x${BODY}`)).toBeUndefined();
  });
});

describe('parseRevokeOutput', () => {
  const parse = (...records: string[]): RevokeReport => parseRevokeOutput(['WARDEN-REVOKE v1 web-1', ...records].join('\n'));

  it('reads every kind of record, exactly', () => {
    const report = parse(
      'REMOVED\tbob\t/home/bob/.ssh/authorized_keys\t12:abc:def',
      'ABSENT\t3:',
      'LOCKED\tbob\tusermod -L',
      'ALREADY-LOCKED\tcarol',
      'NO-USER\tdan',
      'KILLED\tbob',
      'NO-SESSIONS\tcarol',
      'KILL-SKIPPED\terin\tsystem account',
      'ERROR\t*\t*\tno usermod',
      'ERROR\tfay\t/home/fay/.ssh/authorized_keys\tread failed',
      'END 10 changed=4 errors=2',
    );
    expect(report).toEqual({
      hostname: 'web-1',
      events: [
        { kind: 'removed', osUser: 'bob', file: '/home/bob/.ssh/authorized_keys', keyIndex: 12, keyTail: 'abc:def' },
        { kind: 'absent', keyIndex: 3, keyTail: '' },
        { kind: 'locked', osUser: 'bob', method: 'usermod -L' },
        { kind: 'already-locked', osUser: 'carol' },
        { kind: 'no-user', osUser: 'dan' },
        { kind: 'killed', osUser: 'bob' },
        { kind: 'no-sessions', osUser: 'carol' },
        { kind: 'kill-skipped', osUser: 'erin', reason: 'system account' },
        { kind: 'error', message: 'no usermod' },
        { kind: 'error', osUser: 'fay', file: '/home/fay/.ssh/authorized_keys', message: 'read failed' },
      ],
      changed: 4,
      complete: true,
      problems: [],
    });
  });

  it.each([
    'REMOVED\tbob\t/f\t1:t\textra',
    'REMOVED\tbob\t/f',
    'REMOVED\tbob\t/f\tx:t',
    'REMOVED\tbob\t/f\tx1:t',
    'REMOVED\tbob\t/f\t:t',
    'REMOVED\tbob\t/f\t1t',
    'ABSENT\t1:t\textra',
    'ABSENT',
    'ABSENT\tone:t',
    'LOCKED\tbob',
    'LOCKED\tbob\tm\tx',
    'ALREADY-LOCKED\tcarol\tx',
    'ALREADY-LOCKED',
    'NO-USER\tdan\tx',
    'NO-USER',
    'KILLED\tbob\tx',
    'KILLED',
    'NO-SESSIONS\tbob\tx',
    'NO-SESSIONS',
    'KILL-SKIPPED\terin',
    'KILL-SKIPPED\terin\tr\tx',
    'ERROR\t*\t*',
    'ERROR\t*\t*\tm\tx',
    'removed\tbob\t/f\t1:t',
    'SOMETHING\tbob',
    '',
  ])('%j is an unrecognised record that leaves the output incomplete', (record) => {
    const report = parse(record, 'END 1 changed=0 errors=0');
    expect(report.events).toEqual([]);
    expect(report.problems).toEqual(['output line 2: unrecognised record']);
    expect(report.complete).toBe(false);
  });

  it('says what is wrong with output that is not whole', () => {
    expect(parseRevokeOutput('')).toEqual({ events: [], changed: 0, complete: false, problems: ['revoke output does not start with the WARDEN-REVOKE v1 header'] });
    expect(parseRevokeOutput('x WARDEN-REVOKE v1 h\nEND 0 changed=0 errors=0').problems).toEqual(['revoke output does not start with the WARDEN-REVOKE v1 header']);
    expect(parseRevokeOutput('WARDEN-REVOKE v2 h\nEND 0 changed=0 errors=0').complete).toBe(false);
    expect(parse('KILLED\tbob')).toMatchObject({ changed: 0, complete: false, problems: ['revoke output ends without END: truncated'] });
    expect(parse('KILLED\tbob', 'END 2 changed=1 errors=0')).toMatchObject({ changed: 1, complete: false, problems: ['revoke output has 1 records, END says 2: truncated'] });
    expect(parse('END 0 changed=0 errors=0', 'KILLED\tbob', 'KILLED\tcarol').problems).toEqual(['output line 3: text after END', 'output line 4: text after END']);
    expect(parse('END 0 changed=0 errors=0 ').problems).toEqual(['output line 2: unrecognised record', 'revoke output ends without END: truncated']);
    expect(parse('END x changed=0 errors=0').complete).toBe(false);
    expect(parse('XEND 0 changed=0 errors=0').complete).toBe(false);
    expect(parse('END 0 changed=0 errors=x').complete).toBe(false);
    expect(parse('END 0 changed=12 errors=10')).toMatchObject({ complete: true, changed: 12, problems: [] });
  });

  it('reads CRLF output and ignores trailing blank lines, and takes the host name as printed', () => {
    const report = parseRevokeOutput('WARDEN-REVOKE v1 host with spaces\r\nKILLED\tbob\r\nEND 1 changed=1 errors=0\r\n\r\n\n');
    expect(report).toMatchObject({ hostname: 'host with spaces', complete: true, changed: 1, events: [{ kind: 'killed', osUser: 'bob' }] });
    expect(parseRevokeOutput('WARDEN-REVOKE v1 \nEND 0 changed=0 errors=0')).toMatchObject({ hostname: '', complete: true });
  });
});

describe('summariseRevoke', () => {
  const report = (events: RevokeReport['events'], complete = true): RevokeReport => ({ hostname: 'h', events, changed: 0, complete, problems: [] });
  const request = (keyBodies: string[], lockUsers: string[] = []): { keyBodies: string[]; lockUsers: string[] } => ({ keyBodies, lockUsers });

  it('numbers keys by their first position in the request, duplicates counted once', () => {
    const s = summariseRevoke(report([{ kind: 'absent', keyIndex: 2, keyTail: '' }, { kind: 'removed', osUser: 'u', file: '/f', keyIndex: 1, keyTail: '' }]), request(['K1', 'K1', 'K2', 'K3']));
    expect([...s.keys.entries()]).toEqual([
      ['K1', 'removed'],
      ['K2', 'absent'],
      ['K3', 'unverified'],
    ]);
  });

  it('proves no key gone when any file could not be read, but an error without a file does not taint keys', () => {
    const removed = { kind: 'removed', osUser: 'u', file: '/f', keyIndex: 1, keyTail: '' } as const;
    expect([...summariseRevoke(report([removed, { kind: 'error', osUser: 'x', file: '/g', message: 'm' }]), request(['K1'])).keys.values()]).toEqual(['unverified']);
    expect([...summariseRevoke(report([removed, { kind: 'error', osUser: 'x', message: 'm' }]), request(['K1'])).keys.values()]).toEqual(['removed']);
    expect([...summariseRevoke(report([removed, { kind: 'error', message: 'm' }]), request(['K1'])).keys.values()]).toEqual(['removed']);
    expect([...summariseRevoke(report([removed], false), request(['K1'])).keys.values()]).toEqual(['unverified']);
  });

  it('gives each account, once, the strongest outcome the script proved, and failed for anything unproven', () => {
    const s = summariseRevoke(
      report([
        { kind: 'already-locked', osUser: 'a' },
        { kind: 'locked', osUser: 'a', method: 'usermod' },
        { kind: 'no-user', osUser: 'b' },
        { kind: 'already-locked', osUser: 'b' },
        { kind: 'no-user', osUser: 'c' },
        { kind: 'locked', osUser: 'd', method: 'usermod' },
        { kind: 'error', osUser: 'd', message: 'expire failed' },
        { kind: 'locked', osUser: 'e', method: 'usermod' },
        { kind: 'error', osUser: 'e', file: '/home/e/.ssh/authorized_keys', message: 'unreadable' },
        { kind: 'killed', osUser: 'f' },
        { kind: 'removed', osUser: 'g', file: '/f', keyIndex: 1, keyTail: '' },
      ]),
      request([], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'a']),
    );
    expect([...s.users.entries()]).toEqual([
      ['a', 'locked'],
      ['b', 'already-locked'],
      ['c', 'no-user'],
      ['d', 'failed'],
      ['e', 'locked'],
      ['f', 'failed'],
      ['g', 'failed'],
    ]);
    expect([...summariseRevoke(report([{ kind: 'locked', osUser: 'a', method: 'm' }], false), request([], ['a'])).users.values()]).toEqual(['failed']);
    expect([...summariseRevoke(report([{ kind: 'locked', osUser: 'b', method: 'm' }]), request([], ['a'])).users.values()]).toEqual(['failed']);
  });
});

describe('parseInventoryOutput', () => {
  const output = (...records: string[]): string => ['WARDEN-INVENTORY v1 web-1', ...records].join('\n');
  const sealed = (...records: string[]): string => {
    const rest = records.join('\n');
    return `WARDEN-INVENTORY v1 web-1\nSEAL sha256=${createHash('sha256').update(rest, 'utf8').digest('hex')}\n${rest}`;
  };

  it('reads every kind of record, exactly', () => {
    const parsed = parseInventoryOutput(
      'i-1',
      output(
        `K\tbob\t/home/bob/.ssh/authorized_keys\t3\tssh-ed25519\t${BODY}\tlaptop`,
        `K\tbob\t/home/bob/.ssh/authorized_keys\t4\tssh-ed25519\t${BODY2}\t\t${keyFingerprint(BODY2)}`,
        'X\tbob\t/home/bob/.ssh/authorized_keys\t5\tnot a key',
        'A\tbob\t1001',
        'E\t*\t/etc/ssh/sshd_config\tunreadable',
        'E\tcarol\t/home/carol/.ssh/authorized_keys\tpermission denied',
        'L\tbob',
        'L\tcarol\texpired',
        'L\tdan\tsomething',
        'END 9',
      ),
    );
    expect(parsed).toEqual({
      hostname: 'web-1',
      keys: [
        { instanceId: 'i-1', osUser: 'bob', file: '/home/bob/.ssh/authorized_keys', line: 3, keyType: 'ssh-ed25519', keyBody: BODY, comment: 'laptop' },
        { instanceId: 'i-1', osUser: 'bob', file: '/home/bob/.ssh/authorized_keys', line: 4, keyType: 'ssh-ed25519', keyBody: BODY2, comment: '', fingerprint: keyFingerprint(BODY2) },
      ],
      lockedUsers: ['carol'],
      passwordLockedUsers: ['bob', 'carol', 'dan'],
      accounts: [{ name: 'bob', uid: 1001 }],
      unparsedLines: [{ osUser: 'bob', file: '/home/bob/.ssh/authorized_keys', line: 5, reason: 'not a key' }],
      errors: ['/etc/ssh/sshd_config: unreadable', '/home/carol/.ssh/authorized_keys (carol): permission denied'],
      complete: true,
      seal: 'absent',
    });
  });

  it('distrusts a body that does not hash to the fingerprint OpenSSH reported for the line', () => {
    const parsed = parseInventoryOutput('i-1', output(`K\tbob\t/f\t7\tssh-ed25519\t${BODY}\t\t${keyFingerprint(BODY2)}`, 'END 1'));
    expect(parsed.keys).toEqual([]);
    expect(parsed.unparsedLines).toEqual([{ osUser: 'bob', file: '/f', line: 7, reason: `OpenSSH reads key ${keyFingerprint(BODY2)} here but its body could not be isolated` }]);
    expect(parsed.complete).toBe(true);
  });

  it.each([
    `K\tbob\t/f\t3\tssh-ed25519\t${BODY}`,
    `K\tbob\t/f\t3\tssh-ed25519\t${BODY}\tc\tfp\textra`,
    `K\tbob\t/f\tx3\tssh-ed25519\t${BODY}\tc`,
    `K\tbob\t/f\t3x\tssh-ed25519\t${BODY}\tc`,
    'X\tbob\t/f\t5',
    'X\tbob\t/f\t5\tr\textra',
    'X\tbob\t/f\tfive\tr',
    'X\tbob\t/f\t5x\tr',
    'A\tbob',
    'A\tbob\t1001\tx',
    'A\tbob\tx1001',
    'A\tbob\t1001x',
    'E\t*\t/f',
    'E\t*\t/f\tr\tx',
    'L',
    'L\tbob\texpired\tx',
    'Q\tbob',
    `Q\tbob\t/f\t3\tssh-ed25519\t${BODY}\tc`,
    'Q\tbob\t/f\t5\tr',
    'X\tbob\t/f\tx5\tr',
    'A\tbob\tx7',
    '',
  ])('%j is an unrecognised record', (record) => {
    const parsed = parseInventoryOutput('i-1', output(record, 'END 1'));
    expect(parsed.errors).toEqual(['output line 2: unrecognised record']);
    expect(parsed.complete).toBe(false);
    expect([parsed.keys, parsed.unparsedLines, parsed.accounts, parsed.passwordLockedUsers]).toEqual([[], [], [], []]);
  });

  it('says what is wrong with output that is not whole', () => {
    const noHeader = parseInventoryOutput('i-1', 'WARDEN-INVENTORY v2 h\nEND 0');
    expect(noHeader).toEqual({
      keys: [],
      lockedUsers: [],
      passwordLockedUsers: [],
      accounts: [],
      unparsedLines: [],
      errors: ['inventory output does not start with the WARDEN-INVENTORY v1 header'],
      complete: false,
      seal: 'absent',
    });
    expect(parseInventoryOutput('i-1', '').errors).toEqual(['inventory output does not start with the WARDEN-INVENTORY v1 header']);
    expect(parseInventoryOutput('i-1', 'x WARDEN-INVENTORY v1 h\nEND 0').errors).toEqual(['inventory output does not start with the WARDEN-INVENTORY v1 header']);
    expect(parseInventoryOutput('i-1', output('xEND 0'))).toMatchObject({ complete: false, errors: ['output line 2: unrecognised record', 'inventory output ends without END: truncated'] });
    expect(parseInventoryOutput('i-1', output('X\tbob\t/f\t12\tr', 'A\tb\rob\t1', 'END 2'))).toMatchObject({
      complete: true,
      unparsedLines: [{ osUser: 'bob', file: '/f', line: 12, reason: 'r' }],
      accounts: [{ name: 'b\rob', uid: 1 }],
    });
    expect(parseInventoryOutput('i-1', output('A\tbob\t1'))).toMatchObject({ complete: false, errors: ['inventory output ends without END: truncated'] });
    expect(parseInventoryOutput('i-1', output('A\tbob\t1', 'END 2'))).toMatchObject({ complete: false, errors: ['inventory output has 1 records, END says 2: truncated'] });
    expect(parseInventoryOutput('i-1', output('END 0', 'A\tbob\t1', 'A\tcarol\t2'))).toMatchObject({
      complete: false,
      accounts: [],
      errors: ['output line 3: text after END', 'output line 4: text after END'],
    });
    expect(parseInventoryOutput('i-1', output('END 0 ')).complete).toBe(false);
    expect(parseInventoryOutput('i-1', output('END x')).complete).toBe(false);
    expect(parseInventoryOutput('i-1', output('END 0'))).toMatchObject({ complete: true, errors: [], hostname: 'web-1' });
    expect(parseInventoryOutput('i-1', 'WARDEN-INVENTORY v1 \r\nEND 0\r\n\r\n')).toMatchObject({ complete: true, hostname: '' });
  });

  it('checks the seal on line 2 only, against every byte after it', () => {
    expect(parseInventoryOutput('i-1', sealed('A\tbob\t1001', 'END 1'))).toMatchObject({ seal: 'verified', complete: true, accounts: [{ name: 'bob', uid: 1001 }] });
    expect(parseInventoryOutput('i-1', sealed('A\tbob\t1001', 'END 1', '')).seal).toBe('verified');
    expect(parseInventoryOutput('i-1', `${sealed('A\tbob\t1001', 'END 1')}\n`).seal).toBe('mismatch');
    expect(parseInventoryOutput('i-1', sealed('A\tbob\t1001', 'END 1').replace('1001', '1002')).seal).toBe('mismatch');
    expect(parseInventoryOutput('i-1', sealed('END 0').replace('\nSEAL', '\r\nSEAL').replace(/(sha256=[0-9a-f]{64})\n/, '$1\r\n')).seal).toBe('verified');
    const seal = `SEAL sha256=${'0'.repeat(64)}`;
    expect(parseInventoryOutput('i-1', `WARDEN-INVENTORY v1 h\n${seal}`)).toMatchObject({ seal: 'absent', complete: false });
    expect(parseInventoryOutput('i-1', `WARDEN-INVENTORY v1 h\nEND 0\n${seal}`)).toMatchObject({ seal: 'absent', errors: ['output line 3: text after END'] });
    expect(parseInventoryOutput('i-1', `WARDEN-INVENTORY v1 h\n${seal}x\nEND 0`).seal).toBe('absent');
    expect(parseInventoryOutput('i-1', `WARDEN-INVENTORY v1 h\n${seal}x`).seal).toBe('absent');
    expect(parseInventoryOutput('i-1', `WARDEN-INVENTORY v1 h\nx${seal}\nEND 0`).seal).toBe('absent');
    expect(parseInventoryOutput('i-1', 'WARDEN-INVENTORY v1 h').seal).toBe('absent');
  });
});

describe('inventoryExtras', () => {
  it('carries accounts and unparsed lines only when there are some', () => {
    const parsed = parseInventoryOutput('i-1', 'WARDEN-INVENTORY v1 h\nEND 0');
    expect(inventoryExtras(parsed)).toEqual({});
    const full = parseInventoryOutput('i-1', 'WARDEN-INVENTORY v1 h\nA\tbob\t7\nX\tbob\t/f\t1\tr\nEND 2');
    expect(inventoryExtras(full)).toEqual({ accounts: [{ name: 'bob', uid: 7 }], unparsedLines: [{ osUser: 'bob', file: '/f', line: 1, reason: 'r' }] });
    expect(inventoryExtras(parseInventoryOutput('i-1', 'WARDEN-INVENTORY v1 h\nA\tbob\t7\nEND 1'))).toEqual({ accounts: [{ name: 'bob', uid: 7 }] });
    expect(inventoryExtras(parseInventoryOutput('i-1', 'WARDEN-INVENTORY v1 h\nX\tbob\t/f\t1\tr\nEND 1'))).toEqual({ unparsedLines: [{ osUser: 'bob', file: '/f', line: 1, reason: 'r' }] });
  });
});

describe('posixCksum', () => {
  it.each([
    ['', 4294967295],
    ['a', 1220704766],
    ['hello\n', 3015617425],
  ])('cksum of %j is %d (as printed by POSIX cksum)', (text, expected) => {
    expect(posixCksum(Buffer.from(text))).toBe(expected);
  });

  it('folds in lengths of more than one byte', () => {
    expect(posixCksum(Buffer.alloc(300))).toBe(351385237);
    expect(posixCksum(Buffer.alloc(70_000, 7))).toBe(638236592);
  });
});

describe('inventory pages', () => {
  const whole = Buffer.from('WARDEN-INVENTORY v1 h\nA\tbob\t1\nEND 1\n');
  const sha = createHash('sha256').update(whole).digest('hex');
  const page = (offset: number, length: number, extra: Partial<InventoryPage> = {}): InventoryPage => ({
    offset,
    length,
    total: whole.length,
    cksum: posixCksum(whole),
    sha256: sha,
    data: whole.subarray(offset, offset + length),
    ...extra,
  });
  const printed = (p: InventoryPage, sha256 = true): string =>
    `WARDEN-PAGE v1 offset=${p.offset} length=${p.length} total=${p.total} cksum=${p.cksum}${sha256 ? ` sha256=${p.sha256}` : ''}\n` +
    `${p.data.toString('base64').replace(/(.{8})/g, '$1\n')}\nPAGE-END\n`;

  it('parses a printed page, with and without the SHA-256, its body split over lines', () => {
    const p = page(4, 20);
    expect(parseInventoryPage(printed(p))).toEqual({ kind: 'page', page: p });
    const { sha256: _, ...noSha } = p;
    expect(parseInventoryPage(printed(p, false))).toEqual({ kind: 'page', page: noSha });
    const parsed = parseInventoryPage(printed(p, false));
    expect(parsed.kind === 'page' && 'sha256' in parsed.page).toBe(false);
    expect(parseInventoryPage('WARDEN-PAGE v1 offset=0 length=0 total=0 cksum=4294967295\nPAGE-END')).toEqual({
      kind: 'page',
      page: { offset: 0, length: 0, total: 0, cksum: 4294967295, data: Buffer.alloc(0) },
    });
  });

  it('refuses a page that is not whole or not what its header says', () => {
    const good = printed(page(0, 10));
    expect(parseInventoryPage(`x${good}`)).toEqual({ kind: 'invalid', reason: 'page does not start with the WARDEN-PAGE v1 header' });
    expect(parseInventoryPage(good.replace('cksum=', 'cksum=x'))).toEqual({ kind: 'invalid', reason: 'page does not start with the WARDEN-PAGE v1 header' });
    expect(parseInventoryPage(good.replace(/ sha256=[0-9a-f]+/, ' sha256=abc'))).toEqual({ kind: 'invalid', reason: 'page does not start with the WARDEN-PAGE v1 header' });
    expect(parseInventoryPage(good.replace('\n', ' \n'))).toEqual({ kind: 'invalid', reason: 'page does not start with the WARDEN-PAGE v1 header' });
    expect(parseInventoryPage(good.replace('PAGE-END', ''))).toEqual({ kind: 'invalid', reason: 'page ends without PAGE-END: truncated' });
    expect(parseInventoryPage(good.replace('PAGE-END', 'PAGE-END x'))).toEqual({ kind: 'invalid', reason: 'page ends without PAGE-END: truncated' });
    expect(parseInventoryPage(good.split('\n')[0] ?? '')).toEqual({ kind: 'invalid', reason: 'page ends without PAGE-END: truncated' });
    expect(parseInventoryPage(good.replace('PAGE-END', '!!!!\nPAGE-END'))).toEqual({ kind: 'invalid', reason: 'page body is not base64' });
    expect(parseInventoryPage(good.replace('PAGE-END', 'QQ\nPAGE-END'))).toEqual({ kind: 'invalid', reason: 'page body is not base64' });
    expect(parseInventoryPage(printed(page(0, 9)).replace('PAGE-END', 'QQ\nPAGE-END'))).toEqual({ kind: 'invalid', reason: 'page body is not base64' });
    expect(parseInventoryPage(good.replace('length=10', 'length=11'))).toEqual({ kind: 'invalid', reason: 'page holds 10 bytes, header says 11' });
  });

  it('assembles pages in any order, overlapping or repeated, into the whole output', () => {
    expect(assembleInventoryPages([page(20, 100), page(0, 10), page(5, 20)])).toEqual({ kind: 'complete', text: whole.toString('utf8') });
    expect(assembleInventoryPages([page(0, whole.length), page(0, whole.length)])).toEqual({ kind: 'complete', text: whole.toString('utf8') });
    expect(assembleInventoryPages([page(0, 20), page(5, 10), page(20, 100)])).toEqual({ kind: 'complete', text: whole.toString('utf8') });
    const { sha256: _, ...noSha } = page(0, whole.length);
    expect(assembleInventoryPages([noSha])).toEqual({ kind: 'complete', text: whole.toString('utf8') });
  });

  it('asks for the first byte it does not have yet', () => {
    expect(assembleInventoryPages([])).toEqual({ kind: 'incomplete', nextOffset: 0 });
    expect(assembleInventoryPages([page(0, 10)])).toEqual({ kind: 'incomplete', nextOffset: 10 });
    expect(assembleInventoryPages([page(0, 10), page(20, 100)])).toEqual({ kind: 'incomplete', nextOffset: 10 });
    expect(assembleInventoryPages([page(5, 100)])).toEqual({ kind: 'incomplete', nextOffset: 0 });
    expect(assembleInventoryPages([page(0, 10), page(10, 5)])).toEqual({ kind: 'incomplete', nextOffset: 15 });
  });

  it('refuses pages from different outputs, and joined bytes that do not match the sums', () => {
    const reason = { kind: 'inconsistent', reason: 'pages report different totals or checksums' };
    expect(assembleInventoryPages([page(0, 10), page(10, 100, { total: whole.length + 1 })])).toEqual(reason);
    expect(assembleInventoryPages([page(0, 10), page(10, 100, { cksum: 1 })])).toEqual(reason);
    expect(assembleInventoryPages([page(0, 10), page(10, 100, { sha256: 'f'.repeat(64) })])).toEqual(reason);
    const other = Buffer.from(whole);
    other[3] = 0x21;
    expect(assembleInventoryPages([page(0, whole.length, { data: other })])).toEqual({ kind: 'inconsistent', reason: 'joined pages do not match the checksum' });
    expect(assembleInventoryPages([page(0, whole.length, { sha256: 'a'.repeat(64) })])).toEqual({ kind: 'inconsistent', reason: 'joined pages do not match their SHA-256' });
    expect(assembleInventoryPages([page(0, whole.length, { data: Buffer.concat([whole, Buffer.from('x')]) , length: whole.length + 1 })])).toEqual({
      kind: 'inconsistent',
      reason: `pages hold ${whole.length + 1} bytes, total is ${whole.length}`,
    });
  });
});

describe('command builders', () => {
  const scripts = { inventory: 'echo inventory', revoke: 'echo revoke' };
  const setLine = (text: string): string => text.split('\n')[1] ?? '';
  const key = 'AAAAC3NzaC1lZDI1'; // 16 characters: the shortest body passed on

  it('writes the script name, the arguments and the script, in that order', () => {
    expect(inventoryCommand({ scripts })).toBe('# Warden inventory (scripts/host/inventory.sh)\nset --\necho inventory');
    expect(inventoryCommand({ scripts, page: { offset: 0, limit: 1 } })).toBe("# Warden inventory (scripts/host/inventory.sh)\nset -- '--offset' '0' '--limit' '1'\necho inventory");
    expect(revokeCommand({ keyBodies: [], lockUsers: [], killSessions: true }, scripts)).toBe('# Warden revoke (scripts/host/revoke.sh)\nset --\necho revoke');
  });

  it('refuses page windows that are not whole numbers in range, naming the value', () => {
    const page = (offset: number, limit: number): (() => string) => () => inventoryCommand({ scripts, page: { offset, limit } });
    expect(page(-1, 1)).toThrow(new HostScriptInputError('page offset must be a whole number >= 0, got -1'));
    expect(page(1.5, 1)).toThrow(new HostScriptInputError('page offset must be a whole number >= 0, got 1.5'));
    expect(page(Number.NaN, 1)).toThrow(HostScriptInputError);
    expect(page(2 ** 53, 1)).toThrow(HostScriptInputError);
    expect(page(0, 0)).toThrow(new HostScriptInputError('page limit must be a whole number >= 1, got 0'));
    expect(page(0, 2.5)).toThrow(new HostScriptInputError('page limit must be a whole number >= 1, got 2.5'));
    expect(page(0, Infinity)).toThrow(HostScriptInputError);
  });

  it('passes each flag only when asked, and keys and accounts once each, base64 one per line', () => {
    const args = (request: Parameters<typeof revokeCommand>[0]): string[] => [...setLine(revokeCommand(request, scripts)).matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
    expect(args({ keyBodies: [], lockUsers: [], killSessions: false })).toEqual(['--no-kill']);
    expect(args({ keyBodies: [], lockUsers: [], killSessions: true, lockPassword: false, expire: false })).toEqual(['--no-password-lock', '--no-expire']);
    expect(args({ keyBodies: [], lockUsers: [], killSessions: true, lockPassword: true, expire: true })).toEqual([]);
    const full = args({ keyBodies: [key, BODY, key], lockUsers: ['svc$', 'a.b-c@d', 'svc$'], killSessions: true });
    expect(full).toEqual(['--keys-b64', Buffer.from(`${key}\n${BODY}\n`).toString('base64'), '--lock-b64', Buffer.from('svc$\na.b-c@d\n').toString('base64')]);
  });

  it('refuses key bodies shorter than 16 characters or outside base64, and account names a shell or usermod could misread', () => {
    const revoke = (keyBodies: string[], lockUsers: string[] = []): (() => string) => () => revokeCommand({ keyBodies, lockUsers, killSessions: true }, scripts);
    expect(revoke([key])).not.toThrow();
    expect(revoke([BODY, key.slice(0, 15)])).toThrow(new HostScriptInputError('key body 2 is not an SSH key body (use normaliseKeyBody)'));
    expect(revoke([`${key} `])).toThrow(HostScriptInputError);
    expect(revoke([`x${key}`.replace('x', '-')])).toThrow(HostScriptInputError);
    for (const user of ['a', '_svc', '1', '@x', 'a$', 'A.b_c-d@e']) expect(revoke([], [user])).not.toThrow();
    for (const user of ['.', '..', '-a', 'a$b', '$', 'a b', "a'b", 'a\nb', '', ' a', 'a/b']) {
      expect(revoke([], [user])).toThrow(new HostScriptInputError(`not a safe account name: ${JSON.stringify(user)}`));
    }
  });
});

describe('inlineCommon and loadHostScripts', () => {
  it('replaces the source line and its newline with the library, and refuses a script without it', () => {
    expect(inlineCommon(`#!/bin/sh\n${COMMON_SOURCE_LINE}\nmain\n`, 'LIB\n')).toBe('#!/bin/sh\nLIB\nmain\n');
    expect(inlineCommon(`${COMMON_SOURCE_LINE}\nmain\n`, 'LIB\n')).toBe('LIB\nmain\n');
    expect(() => inlineCommon('#!/bin/sh\nmain\n', 'LIB\n')).toThrow(new HostScriptInputError('host script does not source common.sh'));
  });

  it('reads a folder of scripts afresh each time, and the repository scripts once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-scripts-'));
    try {
      writeFileSync(path.join(dir, 'common.sh'), 'COMMON\n');
      writeFileSync(path.join(dir, 'inventory.sh'), `inv\n${COMMON_SOURCE_LINE}\nend-inv\n`);
      writeFileSync(path.join(dir, 'revoke.sh'), `rev\n${COMMON_SOURCE_LINE}\nend-rev\n`);
      expect(loadHostScripts(dir)).toEqual({ inventory: 'inv\nCOMMON\nend-inv\n', revoke: 'rev\nCOMMON\nend-rev\n' });
      writeFileSync(path.join(dir, 'common.sh'), 'CHANGED\n');
      expect(loadHostScripts(dir).revoke).toBe('rev\nCHANGED\nend-rev\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(loadHostScripts()).toBe(loadHostScripts());
    expect(loadHostScripts().inventory).toContain('WARDEN-INVENTORY v1');
  });
});
