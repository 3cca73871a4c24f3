import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { policyReport } from '../../app/policy/report';
import { terminalSafe } from '../../domain/terminal-text';
import { ExitCode } from '../../errors';
import { renderPolicyHtml, renderPolicyJson, renderPolicyMarkdown } from '../../report/policy';
import { openRuntime } from '../../runtime/compose';
import type { CliIo } from '../io';
import { resolveConfigPath } from './config-path';

export type PolicyReportFormat = 'html' | 'json' | 'md';

export interface ReportPolicyOptions {
  config?: string;
  format?: PolicyReportFormat;
  out?: string;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, PolicyReportFormat>> = { '.html': 'html', '.htm': 'html', '.json': 'json', '.md': 'md', '.markdown': 'md' };

/** --format, else the --out file's extension, else Markdown on a terminal's standard output and HTML in a file. */
export function policyReportFormat(opts: Pick<ReportPolicyOptions, 'format' | 'out'>): PolicyReportFormat {
  if (opts.format !== undefined) return opts.format;
  if (opts.out === undefined) return 'md';
  return FORMAT_BY_EXTENSION[path.extname(opts.out).toLowerCase()] ?? 'html';
}

/**
 * `warden report policy [--format html|json|md] [--out FILE]`: each access clause of the security policy, the checks
 * behind it and where the company stands now, from a dry run (nothing is written to AWS). Exit 4 when the audit chain
 * is broken (the report still says so), 1 when an account could not be read (the report shows what could).
 */
export async function runReportPolicy(io: CliIo, opts: ReportPolicyOptions): Promise<number> {
  const configPath = resolveConfigPath(io, opts.config);
  const runtime = await openRuntime(configPath, { env: io.env, actor: `cli:${io.userName}` });
  for (const problem of runtime.accountProblems) io.stderr.write(`warden: warning: ${problem}\n`);
  try {
    const { report, planned } = await policyReport(runtime.deps);
    const format = policyReportFormat(opts);
    const source = { config: path.resolve(io.cwd, configPath) };
    const text = format === 'html' ? renderPolicyHtml(report, source) : format === 'json' ? renderPolicyJson(report, source) : renderPolicyMarkdown(report, source);
    if (opts.out !== undefined) {
      const file = path.resolve(io.cwd, opts.out);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, terminalSafe(text, { keepLayout: true }));
      const s = report.summary;
      io.stderr.write(`Wrote ${format.toUpperCase()} policy report to ${file}: ${s.pass} pass, ${s.fail} fail, ${s.notApplicable} not applicable of ${s.clauses} clauses.\n`);
    } else {
      io.stdout.write(text);
    }
    const chain = report.clauses.flatMap((c) => c.checks).find((c) => c.id === 'audit-chain');
    if (chain?.status === 'fail') {
      io.stderr.write(`warden: audit chain BROKEN (${chain.note}); the report says so\n`);
      return ExitCode.auditChainBroken;
    }
    return planned.plan.findings.some((f) => f.kind === 'account-unreachable') ? ExitCode.runtime : ExitCode.ok;
  } finally {
    await runtime.close();
  }
}
