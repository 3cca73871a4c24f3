/**
 * Lightweight simulated hosts for scale runs (the bench): an in-memory model answers the host scripts' protocol
 * (inventory, inventory pages, revoke) without starting a shell, so a thousand hosts cost milliseconds. It speaks the
 * same output format as scripts/host/*.sh but does not re-implement their file handling: tests of that run the real
 * scripts (hosts.ts `folderHostRunner`).
 */
import { createHash } from 'node:crypto';
import { parseAuthorizedKeyLine, posixCksum } from '../adapters/hosts/host-script-protocol';
import type { HostRunResult, HostRunner, HostScriptRun } from './hosts';

/** One local account of a model host: its authorized_keys lines and whether it is locked and expired. */
export interface ModelAccount {
  keys: string[];
  locked: boolean;
}

export interface ModelHost {
  readonly hostname: string;
  readonly accounts: Map<string, ModelAccount>;
}

const fileOf = (user: string): string => (user === 'root' ? '/root/.ssh/authorized_keys' : `/home/${user}/.ssh/authorized_keys`);
const tail = (body: string): string => (body.length > 16 ? body.slice(-16) : body);

function argValues(args: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length - 1; i++) if (args[i] === flag) values.push(args[i + 1] ?? '');
  return values;
}

const decodeList = (values: readonly string[]): string[] => [
  ...new Set(values.flatMap((v) => Buffer.from(v, 'base64').toString('utf8').split('\n')).filter((line) => line !== '')),
];

/** The unpaged inventory.sh output of a model host. */
export function modelInventoryText(host: ModelHost): string {
  const records: string[] = [];
  for (const [user, account] of host.accounts) {
    account.keys.forEach((line, i) => {
      const key = parseAuthorizedKeyLine(line);
      if (key !== undefined) records.push(['K', user, fileOf(user), String(i + 1), key.keyType, key.keyBody, key.comment.replace(/\t/g, ' ')].join('\t'));
    });
  }
  for (const [user, account] of host.accounts) if (account.locked) records.push(`L\t${user}\texpired`);
  const body = `${records.map((r) => `${r}\n`).join('')}END ${records.length}\n`;
  // Sealed as inventory.sh seals it: the SHA-256 of everything after the seal line.
  return `WARDEN-INVENTORY v1 ${host.hostname}\nSEAL sha256=${createHash('sha256').update(body, 'utf8').digest('hex')}\n${body}`;
}

function page(full: Buffer, offset: number, limit: number): string {
  const length = Math.max(0, Math.min(limit, full.length - offset));
  const data = full.subarray(offset, offset + length).toString('base64');
  const lines = data.match(/.{1,76}/g) ?? [];
  return `WARDEN-PAGE v1 offset=${offset} length=${length} total=${full.length} cksum=${posixCksum(full)} sha256=${createHash('sha256').update(full).digest('hex')}\n${lines.map((l) => `${l}\n`).join('')}PAGE-END\n`;
}

function revoke(host: ModelHost, args: readonly string[]): HostRunResult {
  const keys = decodeList(argValues(args, '--keys-b64'));
  const lock = decodeList(argValues(args, '--lock-b64'));
  const kill = !args.includes('--no-kill');
  const out: string[] = [];
  let changed = 0;
  const removedIndexes = new Set<number>();
  for (const [user, account] of host.accounts) {
    const kept: string[] = [];
    for (const line of account.keys) {
      const index = keys.indexOf(parseAuthorizedKeyLine(line)?.keyBody ?? '\u0000');
      if (index < 0) {
        kept.push(line);
        continue;
      }
      out.push(`REMOVED\t${user}\t${fileOf(user)}\t${index + 1}:${tail(keys[index] ?? '')}`);
      removedIndexes.add(index);
      changed++;
    }
    account.keys = kept;
  }
  keys.forEach((body, i) => {
    if (!removedIndexes.has(i)) out.push(`ABSENT\t${i + 1}:${tail(body)}`);
  });
  const present: string[] = [];
  for (const user of lock) {
    const account = host.accounts.get(user);
    if (account === undefined) {
      out.push(`NO-USER\t${user}`);
      continue;
    }
    present.push(user);
    if (account.locked) out.push(`ALREADY-LOCKED\t${user}`);
    else {
      account.locked = true;
      changed++;
      out.push(`LOCKED\t${user}\tmodel`);
    }
  }
  if (kill) for (const user of present) out.push(`KILL-SKIPPED\t${user}\tsimulated host: no process is killed`);
  return { exitCode: 0, stdout: `WARDEN-REVOKE v1 ${host.hostname}\n${out.map((l) => `${l}\n`).join('')}END ${out.length} changed=${changed} errors=0\n`, stderr: '' };
}

/** Answers inventory.sh and revoke.sh invocations from in-memory hosts. */
export class ModelHostRunner implements HostRunner {
  constructor(readonly hosts: Map<string, ModelHost>) {}

  run(instanceId: string, run: HostScriptRun): Promise<HostRunResult> {
    const host = this.hosts.get(instanceId);
    if (host === undefined) return Promise.resolve({ exitCode: 70, stdout: '', stderr: 'warden: cannot read the account list\n' });
    if (run.script === 'revoke') return Promise.resolve(revoke(host, run.args));
    const text = modelInventoryText(host);
    const [offset] = argValues(run.args, '--offset');
    const [limit] = argValues(run.args, '--limit');
    if (offset === undefined) return Promise.resolve({ exitCode: 0, stdout: text, stderr: '' });
    return Promise.resolve({ exitCode: 0, stdout: page(Buffer.from(text, 'utf8'), Number(offset), Number(limit ?? 16384)), stderr: '' });
  }
}
