import { createHash } from 'node:crypto';
import type { HostAccount, HostKey, HostKeyLineProblem } from '../../domain/inventory';
import { keyFingerprint } from '../../domain/ssh-key';

/** What inventory.sh prints, parsed: one host's keys, accounts and locks, whole or in checksummed pages. Pure. */

/** SSM GetCommandInvocation keeps only this many characters of stdout. */
export const SSM_STDOUT_LIMIT = 24_000;

/** Bytes per inventory page: base64 plus framing stays under 22,500 characters, well inside SSM's limit. */
export const INVENTORY_PAGE_BYTES = 16_384;

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
  /**
   * The SEAL line (SHA-256 of everything after it) against the text: `verified`, `mismatch`, or `absent` (a host with
   * neither sha256sum nor openssl prints none). Text that did not come through SSM itself (the S3 output bucket) is
   * only trusted when `verified`.
   */
  readonly seal: 'verified' | 'mismatch' | 'absent';
}

const SEAL_LINE = /^SEAL sha256=([0-9a-f]{64})$/;

/** The seal on line 2 checked against every byte after it (as UTF-8: text SSM or S3 gave back). */
function checkSeal(text: string): ParsedInventory['seal'] {
  const first = text.indexOf('\n');
  const second = first < 0 ? -1 : text.indexOf('\n', first + 1);
  if (second < 0) return 'absent';
  const seal = SEAL_LINE.exec(text.slice(first + 1, second).replace(/\r$/, ''));
  if (seal === null) return 'absent';
  return createHash('sha256').update(text.slice(second + 1), 'utf8').digest('hex') === seal[1] ? 'verified' : 'mismatch';
}

/** The output's lines, without CR line ends or trailing blank lines. */
export function lines(text: string): string[] {
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
      seal: 'absent',
    };
  }
  let records = 0;
  let declared: number | undefined;
  let wellFormed = true;
  for (const [i, line] of all.slice(1).entries()) {
    const lineNo = i + 2;
    if (i === 0 && SEAL_LINE.test(line)) continue;
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
  return { hostname: header[1] ?? '', keys, lockedUsers, passwordLockedUsers, accounts, unparsedLines, errors, complete, seal: checkSeal(text) };
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
  /** SHA-256 (hex) of the whole output, when the host could compute one. */
  readonly sha256?: string;
  readonly data: Buffer;
}

export type InventoryPageParse = { readonly kind: 'page'; readonly page: InventoryPage } | { readonly kind: 'invalid'; readonly reason: string };

/** Parses one page printed by `inventory.sh --offset N --limit M`. */
export function parseInventoryPage(text: string): InventoryPageParse {
  const all = lines(text);
  const head = /^WARDEN-PAGE v1 offset=(\d+) length=(\d+) total=(\d+) cksum=(\d+)(?: sha256=([0-9a-f]{64}))?$/.exec(all[0] ?? '');
  if (head === null) return { kind: 'invalid', reason: 'page does not start with the WARDEN-PAGE v1 header' };
  if (all[all.length - 1] !== 'PAGE-END' || all.length < 2) return { kind: 'invalid', reason: 'page ends without PAGE-END: truncated' };
  const body = all.slice(1, -1).join('');
  if (!/^[A-Za-z0-9+/]*=*$/.test(body) || body.length % 4 !== 0) return { kind: 'invalid', reason: 'page body is not base64' };
  const [offset, length, total, cksum] = head.slice(1, 5).map(Number) as [number, number, number, number];
  const data = Buffer.from(body, 'base64');
  if (data.length !== length) return { kind: 'invalid', reason: `page holds ${data.length} bytes, header says ${length}` };
  return { kind: 'page', page: { offset, length, total, cksum, ...(head[5] !== undefined ? { sha256: head[5] } : {}), data } };
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
  if (pages.some((p) => p.total !== first.total || p.cksum !== first.cksum || p.sha256 !== first.sha256)) {
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
  if (first.sha256 !== undefined && createHash('sha256').update(whole).digest('hex') !== first.sha256) {
    return { kind: 'inconsistent', reason: 'joined pages do not match their SHA-256' };
  }
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
