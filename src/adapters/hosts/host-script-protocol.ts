/**
 * The wire protocol between Warden and its host scripts (scripts/host/*.sh), run on EC2 hosts
 * through SSM Run Command (AWS-RunShellScript): builds the command text to send and parses what
 * the scripts print. Pure apart from reading the two script files once, on first use.
 *
 * The scripts stay real files (not strings in this module) so the exact bytes sent to hosts are
 * the ones tested with dash and reviewed as shell; they are read lazily, so importing this module
 * never touches the disk, and callers may pass their own `HostScripts` (a bundle that inlines
 * them, a test). A bundler must ship scripts/host/ next to the code or inline the files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { HostAccount, HostKey, HostKeyLineProblem } from '../../domain/inventory';
import { keyFingerprint } from '../../domain/ssh-key';

export { keyFingerprint };

/** The host scripts' source text. */
export interface HostScripts {
  readonly inventory: string;
  readonly revoke: string;
}

/** SSM GetCommandInvocation keeps only this many characters of stdout. */
export const SSM_STDOUT_LIMIT = 24_000;

/** Bytes per inventory page: base64 plus framing stays under 22,500 characters, well inside SSM's limit. */
export const INVENTORY_PAGE_BYTES = 16_384;

/** Thrown for arguments no correct caller passes (a key body that is not base64, an unsafe account name). */
export class HostScriptInputError extends Error {
  override readonly name = 'HostScriptInputError';
}

const DEFAULT_SCRIPT_DIR = path.resolve(__dirname, '../../../scripts/host');
let defaultScripts: HostScripts | undefined;

/** The line by which each host script sources the shared library when run from its folder. */
export const COMMON_SOURCE_LINE = '. "$(dirname "$0")/common.sh" # warden:inline common.sh';

/** SSM sends one script: the shared library replaces its source line, so the sent text stands alone. */
export function inlineCommon(script: string, common: string): string {
  const at = script.indexOf(COMMON_SOURCE_LINE);
  if (at < 0) throw new HostScriptInputError('host script does not source common.sh');
  return `${script.slice(0, at)}${common}${script.slice(at + COMMON_SOURCE_LINE.length + 1)}`;
}

/** Reads inventory.sh and revoke.sh from `dir` (the repository's scripts/host by default, cached). */
export function loadHostScripts(dir: string = DEFAULT_SCRIPT_DIR): HostScripts {
  if (dir === DEFAULT_SCRIPT_DIR && defaultScripts !== undefined) return defaultScripts;
  const common = readFileSync(path.join(dir, 'common.sh'), 'utf8');
  const scripts: HostScripts = {
    inventory: inlineCommon(readFileSync(path.join(dir, 'inventory.sh'), 'utf8'), common),
    revoke: inlineCommon(readFileSync(path.join(dir, 'revoke.sh'), 'utf8'), common),
  };
  if (dir === DEFAULT_SCRIPT_DIR) defaultScripts = scripts;
  return scripts;
}

// ---------------------------------------------------------------------------------------------
// Key lines

/** One key line of an authorized_keys file, split the way OpenSSH's sshd reads it. */
export interface AuthorizedKeyLine {
  /** The options prefix (`from="…",command="…"`), when the line has one. */
  readonly options?: string;
  readonly keyType: string;
  readonly keyBody: string;
  readonly comment: string;
}

const KNOWN_KEY_TYPES: ReadonlySet<string> = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);
const BASE64_BODY = /^[A-Za-z0-9+/]+=*$/;
const UNKNOWN_TYPE = /^[A-Za-z0-9][A-Za-z0-9@._+-]*$/;
const BLANK = /[ \t]/;
/** Whitespace OpenSSH's base64 decoder skips inside a key body (the body itself ends at a space or tab). */
const BODY_WHITESPACE = /[\v\f\r\n]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

function isKnownKeyType(type: string): boolean {
  return KNOWN_KEY_TYPES.has(type) || type.endsWith('-cert-v01@openssh.com');
}

/** Same rules as `w_split_key` in the scripts' awk: "type body [comment]". */
function splitKey(s: string): Omit<AuthorizedKeyLine, 'options'> | undefined {
  const typeEnd = s.search(BLANK);
  if (typeEnd < 0) return undefined;
  const keyType = s.slice(0, typeEnd);
  const rest = s.slice(typeEnd + 1).replace(/^[ \t]+/, '');
  const bodyEnd = rest.search(BLANK);
  const keyBody = (bodyEnd < 0 ? rest : rest.slice(0, bodyEnd)).replace(BODY_WHITESPACE, '');
  const comment = (bodyEnd < 0 ? '' : rest.slice(bodyEnd + 1).replace(/^[ \t]+/, '')).replace(CONTROL, ' ').replace(/ +$/, '');
  if (!BASE64_BODY.test(keyBody)) return undefined;
  if (!isKnownKeyType(keyType) && !(UNKNOWN_TYPE.test(keyType) && keyBody.startsWith('AAAA'))) return undefined;
  return { keyType, keyBody, comment };
}

/**
 * Splits one authorized_keys line as sshd does (and as the host scripts' awk does, to name what
 * ssh-keygen accepted): blank lines, comments and lines that hold no key give undefined. Whitespace
 * other than space and tab inside the body (\v, \f, \r) is dropped, as OpenSSH's decoder skips it;
 * control characters in the comment become spaces.
 */
export function parseAuthorizedKeyLine(line: string): AuthorizedKeyLine | undefined {
  // sshd reads a line as a C string: nothing after a NUL byte exists for it.
  const nul = line.indexOf('\u0000');
  const s = (nul < 0 ? line : line.slice(0, nul)).replace(/\n$/, '').replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return undefined;
  const plain = splitKey(s);
  if (plain !== undefined) return plain;
  // sshkey_advance_past_options: options end at the first blank outside double quotes; \" never toggles.
  let quoted = false;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (!quoted && (c === ' ' || c === '\t')) break;
    if (c === '\\' && s[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
  }
  if (quoted) return undefined;
  const key = splitKey(s.slice(i).replace(/^[ \t]+/, ''));
  return key === undefined ? undefined : { options: s.slice(0, i), ...key };
}

/**
 * The base64 body of an OpenSSH public key line (with or without options and comment), or the
 * input itself when it already is a bare body. Keys are matched by body, never by fingerprint:
 * IAM reports MD5 fingerprints, ssh-keygen SHA256 ones.
 */
export function normaliseKeyBody(line: string): string | undefined {
  const trimmed = line.trim();
  if (BASE64_BODY.test(trimmed) && trimmed.startsWith('AAAA')) return trimmed;
  return parseAuthorizedKeyLine(trimmed)?.keyBody;
}

// ---------------------------------------------------------------------------------------------
// Commands

/** Options for one inventory run: the whole output, or one page of it. */
export interface InventoryCommandOptions {
  /** Byte window of the output; pages are read until `offset + length` reaches the page's `total`. */
  readonly page?: { readonly offset: number; readonly limit: number };
  readonly scripts?: HostScripts;
}

/** What a revocation run on one host should do. */
export interface RevokeRequest {
  /** Key bodies to remove from every authorized keys file of every account (duplicates are ignored). */
  readonly keyBodies: readonly string[];
  /** Accounts to lock, expire and (with killSessions) whose processes are killed. */
  readonly lockUsers: readonly string[];
  readonly killSessions: boolean;
  /** `usermod -L`; default true. */
  readonly lockPassword?: boolean;
  /** `usermod -e 1`, which also stops key logins through PAM; default true. */
  readonly expire?: boolean;
}

const SAFE_ACCOUNT_NAME = /^[A-Za-z0-9._@][A-Za-z0-9._@-]*\$?$/;

function withScriptArgs(name: string, script: string, args: readonly string[]): string {
  // Every argument is base64, digits or a fixed flag: nothing in it means anything to a shell.
  const quoted = args.map((a) => `'${a}'`).join(' ');
  return `# Warden ${name} (scripts/host/${name}.sh)\nset --${quoted === '' ? '' : ` ${quoted}`}\n${script}`;
}

/** The AWS-RunShellScript command text that runs the inventory script (whole output or one page). */
export function inventoryCommand(opts: InventoryCommandOptions = {}): string {
  const scripts = opts.scripts ?? loadHostScripts();
  const args: string[] = [];
  if (opts.page !== undefined) {
    const { offset, limit } = opts.page;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new HostScriptInputError(`page offset must be a whole number >= 0, got ${offset}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new HostScriptInputError(`page limit must be a whole number >= 1, got ${limit}`);
    args.push('--offset', String(offset), '--limit', String(limit));
  }
  return withScriptArgs('inventory', scripts.inventory, args);
}

function uniqueKeyBodies(keyBodies: readonly string[]): string[] {
  return [...new Set(keyBodies)];
}

function base64Lines(items: readonly string[]): string {
  return Buffer.from(`${items.join('\n')}\n`, 'utf8').toString('base64');
}

/** The AWS-RunShellScript command text that revokes keys and locks accounts on one host. */
export function revokeCommand(request: RevokeRequest, scripts: HostScripts = loadHostScripts()): string {
  const keys = uniqueKeyBodies(request.keyBodies);
  for (const [i, body] of keys.entries()) {
    if (!BASE64_BODY.test(body) || body.length < 16) throw new HostScriptInputError(`key body ${i + 1} is not an SSH key body (use normaliseKeyBody)`);
  }
  const users = [...new Set(request.lockUsers)];
  for (const user of users) {
    if (!SAFE_ACCOUNT_NAME.test(user) || user === '.' || user === '..') throw new HostScriptInputError(`not a safe account name: ${JSON.stringify(user)}`);
  }
  const args: string[] = [];
  if (keys.length > 0) args.push('--keys-b64', base64Lines(keys));
  if (users.length > 0) args.push('--lock-b64', base64Lines(users));
  if (request.lockPassword === false) args.push('--no-password-lock');
  if (request.expire === false) args.push('--no-expire');
  if (!request.killSessions) args.push('--no-kill');
  return withScriptArgs('revoke', scripts.revoke, args);
}

// ---------------------------------------------------------------------------------------------
// Inventory output

/** One host's inventory as parsed from the script's output. */
export interface ParsedInventory {
  readonly hostname?: string;
  readonly keys: HostKey[];
  /** Accounts whose password is locked and which are expired: no login of any kind. */
  readonly lockedUsers: string[];
  /** Accounts whose password is locked ("!") whatever their expiry; key logins may still work. */
  readonly passwordLockedUsers: string[];
  /** Accounts the host reported (A records), in order. */
  readonly accounts: HostAccount[];
  /** Lines that are neither blank, comments nor keys OpenSSH reads (X records). */
  readonly unparsedLines: HostKeyLineProblem[];
  /** Files the script could not read, and anything in the output that did not parse. */
  readonly errors: string[];
  /** True only when the header, every record and the END count all arrived. */
  readonly complete: boolean;
}

function lines(text: string): string[] {
  const all = text.split('\n').map((l) => l.replace(/\r$/, ''));
  while (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all;
}

/** Parses inventory.sh output (unpaged, or pages joined by `assembleInventoryPages`). */
export function parseInventoryOutput(instanceId: string, text: string): ParsedInventory {
  const keys: HostKey[] = [];
  const lockedUsers: string[] = [];
  const passwordLockedUsers: string[] = [];
  const accounts: HostAccount[] = [];
  const unparsedLines: HostKeyLineProblem[] = [];
  const errors: string[] = [];
  const all = lines(text);
  const header = /^WARDEN-INVENTORY v1 (.*)$/.exec(all[0] ?? '');
  if (header === null) {
    return {
      keys,
      lockedUsers,
      passwordLockedUsers,
      accounts,
      unparsedLines,
      errors: ['inventory output does not start with the WARDEN-INVENTORY v1 header'],
      complete: false,
    };
  }
  let records = 0;
  let declared: number | undefined;
  let wellFormed = true;
  for (const [i, line] of all.slice(1).entries()) {
    const lineNo = i + 2;
    if (declared !== undefined) {
      errors.push(`output line ${lineNo}: text after END`);
      wellFormed = false;
      continue;
    }
    const end = /^END (\d+)$/.exec(line);
    if (end !== null) {
      declared = Number(end[1]);
      continue;
    }
    records++;
    const f = line.split('\t');
    if (f[0] === 'K' && (f.length === 7 || f.length === 8) && /^\d+$/.test(f[3] ?? '')) {
      const [, osUser, file, lineText, keyType, keyBody, comment, reported] = f as [string, string, string, string, string, string, string, string | undefined];
      const line = Number(lineText);
      // ssh-keygen's fingerprint is the truth; a body that does not hash to it was not isolated right.
      if (reported !== undefined && keyFingerprint(keyBody) !== reported) {
        unparsedLines.push({ osUser, file, line, reason: `OpenSSH reads key ${reported} here but its body could not be isolated` });
        continue;
      }
      keys.push({ instanceId, osUser, file, line, keyType, keyBody, comment, ...(reported !== undefined ? { fingerprint: reported } : {}) });
    } else if (f[0] === 'X' && f.length === 5 && /^\d+$/.test(f[3] ?? '')) {
      const [, osUser, file, lineText, reason] = f as [string, string, string, string, string];
      unparsedLines.push({ osUser, file, line: Number(lineText), reason });
    } else if (f[0] === 'A' && f.length === 3 && /^\d+$/.test(f[2] ?? '')) {
      accounts.push({ name: f[1] ?? '', uid: Number(f[2]) });
    } else if (f[0] === 'E' && f.length === 4) {
      const [, user, file, reason] = f as [string, string, string, string];
      errors.push(user === '*' ? `${file}: ${reason}` : `${file} (${user}): ${reason}`);
    } else if (f[0] === 'L' && (f.length === 2 || f.length === 3)) {
      const user = f[1] ?? '';
      passwordLockedUsers.push(user);
      if (f[2] === 'expired') lockedUsers.push(user);
    } else {
      errors.push(`output line ${lineNo}: unrecognised record`);
      wellFormed = false;
    }
  }
  if (declared === undefined) errors.push('inventory output ends without END: truncated');
  else if (declared !== records) errors.push(`inventory output has ${records} records, END says ${declared}: truncated`);
  const complete = wellFormed && declared === records;
  return { hostname: header[1] ?? '', keys, lockedUsers, passwordLockedUsers, accounts, unparsedLines, errors, complete };
}

/** The parts of a parsed inventory a HostInventory carries beyond keys and locked users. */
export function inventoryExtras(parsed: ParsedInventory): { accounts?: HostAccount[]; unparsedLines?: HostKeyLineProblem[] } {
  return {
    ...(parsed.accounts.length > 0 ? { accounts: parsed.accounts } : {}),
    ...(parsed.unparsedLines.length > 0 ? { unparsedLines: parsed.unparsedLines } : {}),
  };
}

/** One page of inventory output, as printed with `--offset N --limit M`. */
export interface InventoryPage {
  readonly offset: number;
  readonly length: number;
  readonly total: number;
  readonly cksum: number;
  readonly data: Buffer;
}

export type InventoryPageParse = { readonly kind: 'page'; readonly page: InventoryPage } | { readonly kind: 'invalid'; readonly reason: string };

/** Parses one page printed by `inventory.sh --offset N --limit M`. */
export function parseInventoryPage(text: string): InventoryPageParse {
  const all = lines(text);
  const head = /^WARDEN-PAGE v1 offset=(\d+) length=(\d+) total=(\d+) cksum=(\d+)$/.exec(all[0] ?? '');
  if (head === null) return { kind: 'invalid', reason: 'page does not start with the WARDEN-PAGE v1 header' };
  if (all[all.length - 1] !== 'PAGE-END' || all.length < 2) return { kind: 'invalid', reason: 'page ends without PAGE-END: truncated' };
  const body = all.slice(1, -1).join('');
  if (!/^[A-Za-z0-9+/]*=*$/.test(body) || body.length % 4 !== 0) return { kind: 'invalid', reason: 'page body is not base64' };
  const [offset, length, total, cksum] = head.slice(1, 5).map(Number) as [number, number, number, number];
  const data = Buffer.from(body, 'base64');
  if (data.length !== length) return { kind: 'invalid', reason: `page holds ${data.length} bytes, header says ${length}` };
  return { kind: 'page', page: { offset, length, total, cksum, data } };
}

export type InventoryAssembly =
  | { readonly kind: 'complete'; readonly text: string }
  /** Read the page at `nextOffset` next. */
  | { readonly kind: 'incomplete'; readonly nextOffset: number }
  /** The host's output changed between pages (or a page is corrupt): read every page again. */
  | { readonly kind: 'inconsistent'; readonly reason: string };

/** Joins pages into the whole inventory output, checking sizes and the POSIX cksum CRC. */
export function assembleInventoryPages(pages: readonly InventoryPage[]): InventoryAssembly {
  const first = pages[0];
  if (first === undefined) return { kind: 'incomplete', nextOffset: 0 };
  if (pages.some((p) => p.total !== first.total || p.cksum !== first.cksum)) {
    return { kind: 'inconsistent', reason: 'pages report different totals or checksums' };
  }
  const sorted = [...pages].sort((a, b) => a.offset - b.offset);
  const parts: Buffer[] = [];
  let at = 0;
  for (const page of sorted) {
    if (page.offset > at) break;
    const end = page.offset + page.length;
    if (end > at) {
      parts.push(page.data.subarray(at - page.offset));
      at = end;
    }
  }
  if (at < first.total) return { kind: 'incomplete', nextOffset: at };
  const whole = Buffer.concat(parts);
  if (whole.length !== first.total) return { kind: 'inconsistent', reason: `pages hold ${whole.length} bytes, total is ${first.total}` };
  if (posixCksum(whole) !== first.cksum) return { kind: 'inconsistent', reason: 'joined pages do not match the checksum' };
  return { kind: 'complete', text: whole.toString('utf8') };
}

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let j = 0; j < 8; j++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** The CRC printed by POSIX `cksum` (CRC-32/CKSUM over the data, then its length). */
export function posixCksum(data: Uint8Array): number {
  let crc = 0;
  const step = (byte: number): void => {
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  };
  for (const byte of data) step(byte);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) step(n & 0xff);
  return ~crc >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Revoke output

/** One thing revoke.sh did or found already done. Keys are named by their 1-based position in the request. */
export type RevokeEvent =
  | { readonly kind: 'removed'; readonly osUser: string; readonly file: string; readonly keyIndex: number; readonly keyTail: string }
  | { readonly kind: 'absent'; readonly keyIndex: number; readonly keyTail: string }
  | { readonly kind: 'locked'; readonly osUser: string; readonly method: string }
  | { readonly kind: 'already-locked'; readonly osUser: string }
  | { readonly kind: 'no-user'; readonly osUser: string }
  | { readonly kind: 'killed'; readonly osUser: string }
  | { readonly kind: 'no-sessions'; readonly osUser: string }
  | { readonly kind: 'kill-skipped'; readonly osUser: string; readonly reason: string }
  | { readonly kind: 'error'; readonly osUser?: string; readonly file?: string; readonly message: string };

/** revoke.sh output, parsed. */
export interface RevokeReport {
  readonly hostname?: string;
  readonly events: RevokeEvent[];
  /** Changes the script reports making (0 on a repeated run). */
  readonly changed: number;
  /** True only when the header, every record and the END count all arrived. */
  readonly complete: boolean;
  /** Output that did not parse. */
  readonly problems: string[];
}

function keyRef(ref: string): { keyIndex: number; keyTail: string } | undefined {
  const m = /^(\d+):(.*)$/.exec(ref);
  return m === null ? undefined : { keyIndex: Number(m[1]), keyTail: m[2] ?? '' };
}

function revokeEvent(f: readonly string[]): RevokeEvent | undefined {
  const [kind, a = '', b = '', c = ''] = f;
  switch (kind) {
    case 'REMOVED': {
      const ref = f.length === 4 ? keyRef(c) : undefined;
      return ref && { kind: 'removed', osUser: a, file: b, ...ref };
    }
    case 'ABSENT': {
      const ref = f.length === 2 ? keyRef(a) : undefined;
      return ref && { kind: 'absent', ...ref };
    }
    case 'LOCKED':
      return f.length === 3 ? { kind: 'locked', osUser: a, method: b } : undefined;
    case 'ALREADY-LOCKED':
      return f.length === 2 ? { kind: 'already-locked', osUser: a } : undefined;
    case 'NO-USER':
      return f.length === 2 ? { kind: 'no-user', osUser: a } : undefined;
    case 'KILLED':
      return f.length === 2 ? { kind: 'killed', osUser: a } : undefined;
    case 'NO-SESSIONS':
      return f.length === 2 ? { kind: 'no-sessions', osUser: a } : undefined;
    case 'KILL-SKIPPED':
      return f.length === 3 ? { kind: 'kill-skipped', osUser: a, reason: b } : undefined;
    case 'ERROR':
      return f.length === 4
        ? { kind: 'error', ...(a !== '*' ? { osUser: a } : {}), ...(b !== '*' ? { file: b } : {}), message: c }
        : undefined;
    default:
      return undefined;
  }
}

/** Parses revoke.sh output. */
export function parseRevokeOutput(text: string): RevokeReport {
  const all = lines(text);
  const header = /^WARDEN-REVOKE v1 (.*)$/.exec(all[0] ?? '');
  if (header === null) return { events: [], changed: 0, complete: false, problems: ['revoke output does not start with the WARDEN-REVOKE v1 header'] };
  const events: RevokeEvent[] = [];
  const problems: string[] = [];
  let end: { records: number; changed: number } | undefined;
  let records = 0;
  for (const [i, line] of all.slice(1).entries()) {
    if (end !== undefined) {
      problems.push(`output line ${i + 2}: text after END`);
      continue;
    }
    const m = /^END (\d+) changed=(\d+) errors=\d+$/.exec(line);
    if (m !== null) {
      end = { records: Number(m[1]), changed: Number(m[2]) };
      continue;
    }
    records++;
    const event = revokeEvent(line.split('\t'));
    if (event === undefined) problems.push(`output line ${i + 2}: unrecognised record`);
    else events.push(event);
  }
  if (end === undefined) problems.push('revoke output ends without END: truncated');
  else if (end.records !== records) problems.push(`revoke output has ${records} records, END says ${end.records}: truncated`);
  const complete = problems.length === 0;
  return { hostname: header[1] ?? '', events, changed: end?.changed ?? 0, complete, problems };
}

/** What became of one key: gone from the host, never there, or not proven gone. */
export type KeyRevocation = 'removed' | 'absent' | 'unverified';
/** What became of one account to lock. */
export type UserRevocation = 'locked' | 'already-locked' | 'no-user' | 'failed';

/** Per key body and per account outcome of one revoke run, for the request that produced it. */
export function summariseRevoke(
  report: RevokeReport,
  request: Pick<RevokeRequest, 'keyBodies' | 'lockUsers'>,
): { readonly keys: ReadonlyMap<string, KeyRevocation>; readonly users: ReadonlyMap<string, UserRevocation> } {
  // A file that could not be read or changed may still hold any key: nothing is proven gone.
  const fileTrouble = report.events.some((e) => e.kind === 'error' && e.file !== undefined);
  const keys = new Map<string, KeyRevocation>();
  for (const [i, body] of uniqueKeyBodies(request.keyBodies).entries()) {
    const index = i + 1;
    const removed = report.events.some((e) => e.kind === 'removed' && e.keyIndex === index);
    const absent = report.events.some((e) => e.kind === 'absent' && e.keyIndex === index);
    keys.set(body, !report.complete || fileTrouble ? 'unverified' : removed ? 'removed' : absent ? 'absent' : 'unverified');
  }
  const users = new Map<string, UserRevocation>();
  for (const user of new Set(request.lockUsers)) {
    // A keys file of the account that could not be read says nothing about whether the account is locked.
    const mine = report.events.filter((e) => 'osUser' in e && e.osUser === user && !(e.kind === 'error' && e.file !== undefined));
    let status: UserRevocation = 'failed';
    if (report.complete && !mine.some((e) => e.kind === 'error')) {
      if (mine.some((e) => e.kind === 'locked')) status = 'locked';
      else if (mine.some((e) => e.kind === 'already-locked')) status = 'already-locked';
      else if (mine.some((e) => e.kind === 'no-user')) status = 'no-user';
    }
    users.set(user, status);
  }
  return { keys, users };
}
