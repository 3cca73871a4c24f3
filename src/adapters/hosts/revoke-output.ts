import { uniqueKeyBodies, type RevokeRequest } from './host-commands';
import { lines } from './inventory-output';

/** What revoke.sh prints, parsed, and what became of each key and account of the request. Pure. */

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
