import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { DEFAULT_HOST_MIN_UID, DEFAULT_SHARED_HOST_ACCOUNTS, type AccessPolicy, type GuardPolicy } from '../domain/policy';
import { configSchema, type WardenConfig } from './schema';

export { ConfigError };

/** A validated config plus where it came from, with file paths resolved against the config's folder. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: WardenConfig;
  readonly rosterPath: string;
  /** Absolute path of the SQLite database, when the audit store is SQLite. */
  readonly sqlitePath?: string;
}

const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((issue) => {
      const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length > 0 ? ` in ${key}` : '';
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}${where}`;
      }
      if (issue.code === 'invalid_type' && issue.input === undefined) return `${key}: is required`;
      return `${key}: ${issue.message}`;
    })
    .join('; ');

/** Parses config text (YAML or JSON); `file` is used for messages and relative paths. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError(`${file}: not valid YAML: ${first?.message.split('\n')[0] ?? 'parse error'}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${file}: ${describeIssues(parsed.error)}`);
  const config = parsed.data;
  const base = path.dirname(path.resolve(file));
  return {
    file: path.resolve(file),
    config,
    rosterPath: path.resolve(base, config.roster.path),
    ...(config.audit.store === 'sqlite' ? { sqlitePath: path.resolve(base, config.audit.path) } : {}),
  };
}

/** Reads and validates a config file; throws ConfigError (exit 2) with one readable line. */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? cause);
    throw new ConfigError(`cannot read config ${file}: ${why}`, { cause });
  }
  return parseConfig(text, file);
}

/** The planner's view of the config. */
export function accessPolicyOf(config: WardenConfig): AccessPolicy {
  return {
    timezone: config.timezone,
    roles: config.roles,
    breakGlass: config.breakGlass,
    serviceAccounts: config.serviceAccounts.map((s) => ({
      userName: s.userName,
      owner: s.owner.toLowerCase(),
      ...(s.account !== undefined ? { account: s.account } : {}),
    })),
    orphans: config.orphans,
    deleteAfterDays: config.deleteAfterDays,
    identity: config.identity,
    hygiene: { rotationDays: config.hygiene.rotationDays, unusedDays: config.hygiene.unusedDays },
    checks: {
      joiners: config.joiners,
      admins: config.admins,
      rootUseDays: config.hygiene.rootUseDays,
      defaultPasswordDays: config.hygiene.defaultPasswordDays,
      passwordPolicy: config.passwordPolicy,
      sessions: { maxHours: config.sessions.maxHours },
    },
    denyAllPolicyName: config.denyAllPolicyName,
    protected: config.protected,
    sessions: { revokeOlderOnRoles: config.sessions.revokeOlderOnRoles },
    hosts: {
      lockUsers: config.hosts?.lockUsers ?? true,
      userMap: config.hosts?.userMap ?? {},
      minUid: config.hosts?.minUid ?? DEFAULT_HOST_MIN_UID,
      sharedAccounts: config.hosts?.sharedAccounts ?? DEFAULT_SHARED_HOST_ACCOUNTS,
    },
  };
}

export function guardPolicyOf(config: WardenConfig): GuardPolicy {
  return config.guard;
}
