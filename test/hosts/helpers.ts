import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCRIPT_DIR = path.resolve(__dirname, '../../scripts/host');
export const INVENTORY_SH = path.join(SCRIPT_DIR, 'inventory.sh');
export const REVOKE_SH = path.join(SCRIPT_DIR, 'revoke.sh');
export const COMMON_SH = path.join(SCRIPT_DIR, 'common.sh');
export const IS_ROOT = process.getuid?.() === 0;

/** A local account of a simulated host. */
export interface DummyAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
  /** The shadow password field ("!" prefix = locked). */
  readonly password: string;
  /** The shadow expire field (days since 1970), empty for never. */
  readonly expire: string;
}

let nextUid = 3101;

/** An account with sensible defaults; the uid range avoids real accounts of the test machine. */
export function createDummyAccount(overrides: Partial<DummyAccount> & { readonly name: string }): DummyAccount {
  const uid = overrides.uid ?? nextUid++;
  return {
    uid,
    gid: uid,
    home: `/home/${overrides.name}`,
    shell: '/bin/sh',
    password: '$6$salt$hash',
    expire: '',
    ...overrides,
  };
}

/** A simulated host in a temporary folder, as WARDEN_HOST_ROOT expects it. */
export interface HostRoot {
  readonly root: string;
  readonly accounts: readonly DummyAccount[];
  /** Absolute path inside the root of a host path such as /home/alice/.ssh/authorized_keys. */
  at(hostPath: string): string;
  write(hostPath: string, content: string | Buffer, opts?: { readonly mode?: number; readonly uid?: number; readonly gid?: number }): string;
  read(hostPath: string): Buffer;
  cleanup(): void;
}

function passwdLine(a: DummyAccount): string {
  return `${a.name}:x:${a.uid}:${a.gid}:${a.name}:${a.home}:${a.shell}\n`;
}

function shadowLine(a: DummyAccount): string {
  return `${a.name}:${a.password}:19000:0:99999:7::${a.expire}:\n`;
}

/** Creates a host root with etc/passwd, etc/shadow, optional sshd_config and a home per account. */
export function createHostRoot(opts: { readonly accounts: readonly DummyAccount[]; readonly sshdConfig?: string; readonly hostname?: string }): HostRoot {
  const root = mkdtempSync(path.join(os.tmpdir(), 'warden-host-'));
  const at = (hostPath: string): string => path.join(root, hostPath);
  const write: HostRoot['write'] = (hostPath, content, o = {}) => {
    const file = at(hostPath);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    if (o.mode !== undefined) chmodSync(file, o.mode);
    if (o.uid !== undefined && IS_ROOT) chownSync(file, o.uid, o.gid ?? o.uid);
    return file;
  };
  const rootAccount = createDummyAccount({ name: 'root', uid: 0, gid: 0, home: '/root', password: '*' });
  write('/etc/passwd', [rootAccount, ...opts.accounts].map(passwdLine).join(''));
  write('/etc/shadow', [rootAccount, ...opts.accounts].map(shadowLine).join(''), { mode: 0o640 });
  write('/etc/hostname', `${opts.hostname ?? 'test-host'}\n`);
  if (opts.sshdConfig !== undefined) write('/etc/ssh/sshd_config', opts.sshdConfig);
  for (const a of opts.accounts) mkdirSync(at(a.home), { recursive: true });
  return {
    root,
    accounts: opts.accounts,
    at,
    write,
    read: (hostPath) => readFileSync(at(hostPath)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A key made by ssh-keygen: the .pub line (no newline), its type and base64 body. */
export interface TestKey {
  readonly line: string;
  readonly type: string;
  readonly body: string;
}

/** Generates a real key pair with ssh-keygen in a scratch folder and returns the public half. */
export function makeKey(kind: 'ed25519' | 'rsa' | 'ecdsa', comment: string): TestKey {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-key-'));
  try {
    const file = path.join(dir, 'id');
    const args = ['-q', '-t', kind, '-N', '', '-C', comment, '-f', file, ...(kind === 'rsa' ? ['-b', '2048'] : [])];
    const r = spawnSync('/usr/bin/ssh-keygen', args, { encoding: 'utf8' });
    if (r.error !== undefined) throw new Error(`host key tests need /usr/bin/ssh-keygen (Debian package openssh-client): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
    const line = readFileSync(`${file}.pub`, 'utf8').replace(/\n$/, '');
    const [type = '', body = ''] = line.split(' ');
    return { line, type, body };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a host script for real (dash by default, `sh -eu` as the brief asks) against a host root. */
export function runScript(
  script: string,
  args: readonly string[],
  opts: { readonly root?: string; readonly env?: Readonly<Record<string, string>>; readonly shell?: readonly string[] } = {},
): RunResult {
  const shell = opts.shell ?? ['sh', '-eu'];
  const [cmd = 'sh', ...shellArgs] = shell;
  const r = spawnSync(cmd, [...shellArgs, script, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(opts.root !== undefined ? { WARDEN_HOST_ROOT: opts.root } : {}), ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs command text the way AWS-RunShellScript does: written to a file and run by sh. */
export function runCommandText(text: string, opts: { readonly root?: string; readonly env?: Readonly<Record<string, string>> } = {}): RunResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-ssm-'));
  try {
    const file = path.join(dir, '_script.sh');
    writeFileSync(file, text);
    return runScript(file, [], { ...opts, shell: ['sh'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records (lines between header and END) of a script's output, split on TAB. */
export function records(stdout: string): string[][] {
  return stdout
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('END '))
    .map((l) => l.split('\t'));
}

/** base64 of newline-separated items, as revoke.sh takes them. */
export function b64Lines(items: readonly string[]): string {
  return Buffer.from(`${items.join('\n')}\n`).toString('base64');
}
