import { terminalSafe } from '../../domain/terminal-text';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { accessAtTime, personAccessHistory, verifyAgainstAnchors } from '../../app/evidence';
import type { AnchoredVerification } from '../../app/evidence';
import { createAnchors } from '../../adapters/evidence/anchor-config';
import type { AnchorWiring } from '../../adapters/evidence/anchor-config';
import { SqliteSnapshotStore } from '../../adapters/evidence/sqlite-snapshot-store';
import type { LoadedConfig } from '../../config/load';
import { ExitCode, InputError, WardenError } from '../../errors';
import { isAnchorable } from '../../ports/evidence';
import type { AuditLog } from '../../ports';
import { accessRowsTable, holdingsTable, identityCenterNote, snapshotLine } from '../../report/access';
import { formatUtc } from '../../report/format';
import { anchorSpecsOf, openAuditOnly } from '../../runtime/compose';
import { toCsv } from '../../lib/csv';
import { toTable } from '../format';
import type { CliIo } from '../io';
import { parseBound } from './dates';
import { resolveConfigPath } from './config-path';

/** Anchor stores for a CLI process (SSM built on first use with the SDK's own configuration chain; Slack is write-only and skipped). */
export function openCliAnchors(loaded: LoadedConfig): AnchorWiring & { close(): void } {
  let ssm: SSMClient | undefined;
  let s3: S3Client | undefined;
  const wiring = createAnchors(anchorSpecsOf(loaded), {
    baseDir: path.dirname(loaded.file),
    ssm: () => (ssm ??= new SSMClient({})),
    s3: () => (s3 ??= new S3Client({})),
  });
  return {
    ...wiring,
    close: () => {
      ssm?.destroy();
      s3?.destroy();
    },
  };
}

/** Verifies the audit log against the config's anchors (the shared step of `audit verify` and `report leavers`). */
export async function verifyWithConfigAnchors(audit: AuditLog, loaded: LoadedConfig): Promise<AnchoredVerification> {
  if (!isAnchorable(audit)) return { chain: await audit.verify(), anchors: [] };
  const anchors = openCliAnchors(loaded);
  try {
    return await verifyAgainstAnchors(audit, anchors.stores);
  } finally {
    anchors.close();
  }
}

/** `warden audit verify`, anchor-aware: exit 4 when the chain is broken or no longer reaches its anchor, 1 when an anchor cannot be read. */
export async function runAuditVerifyAnchored(io: CliIo, opts: { config?: string }): Promise<number> {
  const { audit, loaded, close } = await openAuditOnly(resolveConfigPath(io, opts.config), io.env);
  try {
    const result = await verifyWithConfigAnchors(audit, loaded);
    const { chain } = result;
    if (!chain.ok) {
      const against = result.failedAgainst !== undefined ? ` (checked against the anchor in ${result.failedAgainst})` : '';
      io.stdout.write(`Audit chain BROKEN at seq ${chain.firstBadSeq}: ${chain.problem}${against} (${chain.entries} entries read)\n`);
      return ExitCode.auditChainBroken;
    }
    io.stdout.write(`Audit chain intact: ${chain.entries} entries, head ${chain.head}\n`);
    for (const check of result.anchors) {
      if (check.error !== undefined) io.stdout.write(`  anchor in ${check.description}: could not be read: ${check.error}\n`);
      else if (check.anchor === undefined) io.stdout.write(`  anchor in ${check.description}: none published yet\n`);
      else io.stdout.write(`  anchor in ${check.description}: seq ${check.anchor.seq} (published ${formatUtc(check.anchor.at)}) reached\n`);
    }
    if (result.anchors.some((a) => a.error !== undefined)) {
      io.stderr.write('warden: an anchor could not be read, so a truncated tail cannot be ruled out against it\n');
      return ExitCode.runtime;
    }
    return ExitCode.ok;
  } finally {
    await close();
  }
}

export interface AuditAccessOptions {
  config?: string;
  at?: string;
  account?: string;
  group?: string;
  host?: string;
  person?: string;
  format: 'table' | 'json' | 'csv';
}

/** Leavers' live role sessions as recorded by then (terminal-safe: names come from IAM). */
function writeSessions(io: CliIo, sessions: readonly string[] | undefined): void {
  if (sessions === undefined || sessions.length === 0) return;
  io.stdout.write(`Leavers' role sessions:\n${sessions.map((line) => `  ${terminalSafe(line)}`).join('\n')}\n`);
}

/** Opens the snapshot store beside a SQLite audit log. */
function openSnapshots(loaded: LoadedConfig): SqliteSnapshotStore {
  if (loaded.sqlitePath === undefined) throw new WardenError('point-in-time access is kept in the SQLite store on the command line; use audit.store: sqlite');
  return SqliteSnapshotStore.open(loaded.sqlitePath);
}

/** `warden audit access --at DATE [--account] [--group] [--host] [--person]` or `--person EMAIL` alone for history. */
export async function runAuditAccess(io: CliIo, opts: AuditAccessOptions): Promise<number> {
  if (opts.at === undefined && opts.person === undefined) throw new InputError('audit access: pass --at DATE (who could get in then) or --person EMAIL (what they held over time)');
  const { timezone, loaded, close, audit } = await openAuditOnly(resolveConfigPath(io, opts.config), io.env);
  const store = openSnapshots(loaded);
  try {
    if (opts.at === undefined && opts.person !== undefined) {
      const history = await personAccessHistory(store, opts.person);
      const table = holdingsTable(history.holdings);
      switch (opts.format) {
        case 'json':
          io.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
          break;
        case 'csv':
          io.stdout.write(toCsv(table.header, table.rows));
          break;
        case 'table':
          if (history.firstSnapshot === undefined) {
            io.stdout.write('No access snapshots yet: each run records one once snapshots are enabled.\n');
            break;
          }
          io.stdout.write(
            `What ${opts.person} held, from snapshots ${formatUtc(history.firstSnapshot.at)} to ${formatUtc(history.lastSnapshot?.at)}:\n`,
          );
          io.stdout.write(table.rows.length === 0 ? 'Nothing attributed to this person in any snapshot.\n' : toTable(table.header, table.rows, 80));
          break;
      }
      return ExitCode.ok;
    }
    const at = parseBound(opts.at as string, 'end', timezone, '--at');
    const result = await accessAtTime(store, at, {
      ...(opts.account !== undefined ? { account: opts.account } : {}),
      ...(opts.group !== undefined ? { group: opts.group } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.person !== undefined ? { person: opts.person } : {}),
    }, audit);
    const table = accessRowsTable(result.rows);
    switch (opts.format) {
      case 'json':
        io.stdout.write(`${JSON.stringify({ at: at.toISOString(), ...result }, null, 2)}\n`);
        break;
      case 'csv':
        io.stdout.write(toCsv(table.header, table.rows));
        break;
      case 'table': {
        if (result.snapshot === undefined) {
          const first = (await store.list())[0];
          io.stdout.write(
            `No snapshot had been taken by ${formatUtc(at.toISOString())}${first !== undefined ? `; the first is from ${formatUtc(first.at)}` : ''}.\n`,
          );
          writeSessions(io, result.sessions);
          break;
        }
        io.stdout.write(`Access in force at ${formatUtc(at.toISOString())}: ${snapshotLine(result.snapshot)}\n`);
        const could = result.rows.filter((r) => r.canGetIn).length;
        io.stdout.write(`${could} of ${result.rows.length} matching principals could get in.\n`);
        if (table.rows.length > 0) io.stdout.write(toTable(table.header, table.rows, 80));
        const note = identityCenterNote(result.identityCenter, loaded.config.identityCenter !== undefined);
        if (note !== undefined) io.stdout.write(`${note}\n`);
        writeSessions(io, result.sessions);
        break;
      }
    }
    return ExitCode.ok;
  } finally {
    store.close();
    await close();
  }
}
