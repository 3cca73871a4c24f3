import { ExitCode, InputError } from '../../errors';
import { anchoredQuery } from '../../app/evidence';
import type { LoadedConfig } from '../../config/load';
import type { AuditEntry, AuditFilter, AuditLog } from '../../ports';
import { isAnchorable } from '../../ports/evidence';
import { openCliAnchors } from './audit-access';
import { openAuditOnly } from '../../runtime/compose';
import { toCsv } from '../../lib/csv';
import { toTable } from '../format';
import type { CliIo } from '../io';
import { resolveConfigPath } from './config-path';
import { parseBound } from './dates';


const AUDIT_COLUMNS = ['seq', 'at', 'runId', 'actor', 'action', 'account', 'target', 'person', 'reason', 'result', 'error', 'before', 'after', 'prevHash', 'hash'] as const;

const cellOf = (entry: AuditEntry, column: (typeof AUDIT_COLUMNS)[number]): unknown => entry[column];

const brief = (value: unknown): string => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The table's detail for an entry: a result names its resource first (`accessKeyId=AKIA… (action 3f2a…)`), then the
 * state it left, so the narrow column shows what changed; anything else is its `after` as JSON.
 */
export function describeAfter(after: unknown): string {
  if (!isRecord(after) || !isRecord(after['resource'])) return brief(after);
  const { resource, actionId, ...state } = after;
  const named = Object.entries(resource as Record<string, unknown>)
    .filter(([key]) => key !== 'userName')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const parts = [named.length > 0 ? named.join(' ') : 'user', ...(typeof actionId === 'string' ? [`(action ${actionId})`] : [])];
  return `${parts.join(' ')}${Object.keys(state).length > 0 ? ` ${JSON.stringify(state)}` : ''}`;
}

/** The query, checked by the store against the chain and here against the config's anchors (exit 4 on tampering). */
async function queryChecked(audit: AuditLog, loaded: LoadedConfig, filter: AuditFilter): Promise<readonly AuditEntry[]> {
  if (!isAnchorable(audit)) return audit.query(filter);
  const anchors = openCliAnchors(loaded);
  try {
    return await anchoredQuery(audit, anchors.stores, filter);
  } finally {
    anchors.close();
  }
}

/** `warden audit query`. */
export async function runAuditQuery(
  io: CliIo,
  opts: { config?: string; person?: string; user?: string; run?: string; since?: string; until?: string; limit?: string; format: 'table' | 'json' | 'csv' },
): Promise<number> {
  const { audit, timezone, loaded, close } = await openAuditOnly(resolveConfigPath(io, opts.config), io.env);
  try {
    const limit = opts.limit === undefined ? undefined : Number(opts.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) throw new InputError('--limit: must be a positive whole number');
    const filter: AuditFilter = {
      ...(opts.person !== undefined ? { person: opts.person.toLowerCase() } : {}),
      ...(opts.user !== undefined ? { userName: opts.user } : {}),
      ...(opts.run !== undefined ? { runId: opts.run } : {}),
      ...(opts.since !== undefined ? { since: parseBound(opts.since, 'start', timezone, '--since') } : {}),
      ...(opts.until !== undefined ? { until: parseBound(opts.until, 'end', timezone, '--until') } : {}),
      ...(limit !== undefined ? { limit } : {}),
    };
    const entries = await queryChecked(audit, loaded, filter);
    switch (opts.format) {
      case 'json':
        io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        break;
      case 'csv':
        io.stdout.write(toCsv(AUDIT_COLUMNS, entries.map((e) => AUDIT_COLUMNS.map((c) => cellOf(e, c)))));
        break;
      case 'table':
        if (entries.length === 0) {
          io.stdout.write('No audit entries match.\n');
          break;
        }
        io.stdout.write(
          toTable(
            ['seq', 'at', 'actor', 'action', 'account', 'target', 'person', 'result', 'detail'],
            entries.map((e) => [
              String(e.seq),
              e.at,
              e.actor,
              e.action,
              e.account ?? '',
              e.target ?? '',
              e.person ?? '',
              e.result,
              e.error !== undefined ? `${e.error}${isRecord(e.after) && isRecord(e.after['resource']) ? ` — ${describeAfter(e.after)}` : ''}` : describeAfter(e.after),
            ]),
          ),
        );
        break;
    }
    return ExitCode.ok;
  } finally {
    await close();
  }
}
