import { readFileSync } from 'node:fs';
import path from 'node:path';

import { HostScriptInputError } from '../../errors';
import { BASE64_BODY } from './authorized-keys';

/**
 * The command text Warden sends through SSM Run Command (AWS-RunShellScript): the host scripts, read once from
 * scripts/host with the shared library inlined, and their arguments, all base64 or digits.
 */

/** The host scripts' source text. */
export interface HostScripts {
  readonly inventory: string;
  readonly revoke: string;
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

/** The request's key bodies, each once, in order: revoke.sh numbers keys by this position. */
export function uniqueKeyBodies(keyBodies: readonly string[]): string[] {
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
