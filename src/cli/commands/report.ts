import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { leaverReport } from '../../app/evidence';
import { CONTROLS } from '../../domain/controls';
import { terminalSafe } from '../../domain/terminal-text';
import { ExitCode, InputError } from '../../errors';
import { renderLeaversCsv, renderLeaversHtml, renderLeaversJson } from '../../report';
import type { ReportProvenance } from '../../report';
import { formatShare } from '../../report/format';
import { openAuditOnly } from '../../runtime/compose';
import type { CliIo } from '../io';
import { verifyWithConfigAnchors } from './audit-access';
import { parseBound } from './dates';
import { resolveConfigPath } from './config-path';

export type ReportFormat = 'html' | 'csv' | 'json';

export interface ReportLeaversOptions {
  config?: string;
  from: string;
  to: string;
  format?: ReportFormat;
  out?: string;
  /** Overrides config `slaHours` (e.g. to show a stricter target). */
  slaHours?: string;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, ReportFormat>> = { '.html': 'html', '.htm': 'html', '.csv': 'csv', '.json': 'json' };

/** --format, else the --out file's extension, else HTML. */
export function reportFormat(opts: Pick<ReportLeaversOptions, 'format' | 'out'>): ReportFormat {
  if (opts.format !== undefined) return opts.format;
  return (opts.out !== undefined ? FORMAT_BY_EXTENSION[path.extname(opts.out).toLowerCase()] : undefined) ?? 'html';
}

/**
 * `warden report leavers --from DATE --to DATE [--format html|csv|json] [--out FILE]`: leaver SLA
 * evidence computed from the audit log, after verifying it (exit 4, report still written and
 * marked, when the chain is broken).
 */
export async function runReportLeavers(io: CliIo, opts: ReportLeaversOptions, now: Date = new Date()): Promise<number> {
  const { audit, timezone, loaded, close } = await openAuditOnly(resolveConfigPath(io, opts.config), io.env);
  try {
    const from = parseBound(opts.from, 'start', timezone, '--from');
    const to = parseBound(opts.to, 'end', timezone, '--to');
    if (to.getTime() < from.getTime()) throw new InputError('--to is before --from');
    const slaHours = opts.slaHours === undefined ? loaded.config.slaHours : Number(opts.slaHours);
    if (!(Number.isFinite(slaHours) && slaHours > 0)) throw new InputError('--sla-hours: must be a positive number');

    const verification = await verifyWithConfigAnchors(audit, loaded);
    const chain = verification.chain;
    const provenance: ReportProvenance = {
      period: { from: opts.from, to: opts.to, timezone },
      source: loaded.sqlitePath !== undefined ? `SQLite audit log ${loaded.sqlitePath}` : `DynamoDB audit log`,
      controls: [CONTROLS['offboarding-24h'], CONTROLS['access-logging']],
      chain: chain.ok
        ? {
            ok: true,
            entries: chain.entries,
            head: chain.head,
            anchoredBy: verification.anchors.filter((a) => a.anchor !== undefined).map((a) => a.description),
          }
        : { ok: false, entries: chain.entries, problem: `at seq ${chain.firstBadSeq}: ${chain.problem}` },
    };
    const report = await leaverReport(audit, { from, to, slaHours, now });
    const format = reportFormat(opts);
    const text =
      format === 'html' ? renderLeaversHtml(report, provenance) : format === 'csv' ? renderLeaversCsv(report) : renderLeaversJson(report, provenance);

    if (opts.out !== undefined) {
      const file = path.resolve(io.cwd, opts.out);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, terminalSafe(text, { keepLayout: true }));
      const s = report.summary;
      io.stderr.write(
        `Wrote ${format.toUpperCase()} leaver report to ${file}: ${s.leavers} leavers, ${formatShare(s.shareWithinSla)} within ${slaHours} h, ${s.open} open.\n`,
      );
    } else {
      io.stdout.write(text);
    }
    if (!chain.ok) {
      io.stderr.write(`warden: audit chain BROKEN at seq ${chain.firstBadSeq}: ${chain.problem}; the report says so\n`);
      return ExitCode.auditChainBroken;
    }
    return ExitCode.ok;
  } finally {
    await close();
  }
}
