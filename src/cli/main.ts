import { Command, CommanderError, Option } from 'commander';
import { errorText, ExitCode, InputError, WardenError } from '../errors';
import type { CliIo } from './io';
import { processIo, terminalSafeIo } from './io';
import type { AuditAccessOptions } from './commands/audit-access';
import type { ReportLeaversOptions } from './commands/report';
import type { ReportPolicyOptions } from './commands/report-policy';
import type { ReviewReportOptions, ReviewStartOptions, ReviewStatusOptions } from './commands/review';

import packageJson from '../../package.json';

const VERSION: string = packageJson.version;

const configOption = (): Option =>
  new Option('-c, --config <file>', 'config file (YAML); default: $WARDEN_CONFIG or ./warden.yaml');

/**
 * Builds the `warden` command tree; each action resolves to an exit code. Each command's module is loaded by its
 * action, so `--help` and a mistyped command load commander alone (no AWS SDK, SQLite or Slack Bolt), and `serve`
 * is the only command that loads Bolt.
 */
function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('warden')
    .description('Staff access governance and offboarding for AWS: reconcile the HR roster with IAM and hosts, revoke leavers, audit every change.')
    .version(VERSION)
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();

  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      setExit(await fn(...args));
    };

  program
    .command('plan')
    .description('dry run: read the roster and AWS, print the plan; writes nothing to AWS')
    .addOption(configOption())
    .option('--json', 'print the plan as JSON (plan format version 1)')
    .action(run(async (opts: { config?: string; json?: boolean }) => (await import('./commands/reconcile')).runPlan(io, opts)));

  program
    .command('apply')
    .description('compute the plan and apply it; asks on a TTY unless --yes')
    .addOption(configOption())
    .option('-y, --yes', 'apply without asking')
    .option('--json', 'print the plan and results as JSON')
    .option('--override-guard <reason>', 'apply even though the guard tripped (audited with your name and this reason)')
    .action(run(async (opts: { config?: string; yes?: boolean; json?: boolean; overrideGuard?: string }) => (await import('./commands/reconcile')).runApply(io, opts)));

  program
    .command('demo')
    .description('the whole flow against the built-in AWS sandbox: no AWS account, no network')
    .option('--dir <folder>', 'where to keep the demo audit log and config', '.warden/demo')
    .action(run(async (opts: { dir: string }) => (await import('./commands/demo')).runDemo(io, opts)));

  program
    .command('serve')
    .description('self-hosted: reconcile on the config schedule and serve Slack (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)')
    .addOption(configOption())
    .option('-p, --port <port>', 'HTTP port for Slack requests (POST /slack/events)', '3000')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--no-initial-run', 'do not reconcile at start-up; wait for the first scheduled slot')
    .action(run(async (opts: { config?: string; port: string; host: string; initialRun: boolean }) => (await import('./commands/serve')).runServe(io, opts)));

  const audit = program.command('audit').description('query and verify the tamper-evident audit log');
  audit
    .command('query')
    .description('audit history, oldest first')
    .addOption(configOption())
    .option('--person <email>', 'entries about this person (email or employee id)')
    .option('--user <iam-user>', 'entries about this IAM user')
    .option('--run <run-id>', 'entries of one run')
    .option('--since <date>', 'from this date or date-time (ISO 8601)')
    .option('--until <date>', 'up to this date or date-time (ISO 8601)')
    .option('--limit <n>', 'at most this many entries')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(
      run(
        async (opts: {
          config?: string;
          person?: string;
          user?: string;
          run?: string;
          since?: string;
          until?: string;
          limit?: string;
          format: 'table' | 'json' | 'csv';
        }) => (await import('./commands/audit')).runAuditQuery(io, opts),
      ),
    );
  audit
    .command('verify')
    .description('check the hash chain and its anchors; exit 4 if any entry was edited, deleted or reordered, or the tail truncated')
    .addOption(configOption())
    .action(run(async (opts: { config?: string }) => (await import('./commands/audit-access')).runAuditVerifyAnchored(io, opts)));
  audit
    .command('access')
    .description('point-in-time access: who could get in at a date, or what a person held over time')
    .addOption(configOption())
    .option('--at <date>', 'the snapshot in force at this date (end of day in the config time zone) or date-time')
    .option('--account <id>', 'only this AWS account')
    .option('--group <name>', 'only members of this IAM group')
    .option('--host <instance-id>', 'only accounts on this host')
    .option('--person <email>', 'with --at: only this person; alone: everything they held over time')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(run(async (opts: AuditAccessOptions) => (await import('./commands/audit-access')).runAuditAccess(io, opts)));

  const report = program.command('report').description('evidence for auditors');
  report
    .command('leavers')
    .description('leaver SLA evidence: per leaver every access path closed and verified, time to no access left, within SLA')
    .addOption(configOption())
    .requiredOption('--from <date>', 'leavers whose effective time is on or after this date (ISO 8601)')
    .requiredOption('--to <date>', 'and on or before this date (ISO 8601)')
    .addOption(new Option('--format <format>', 'output format (default: from --out, else html)').choices(['html', 'csv', 'json']))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--sla-hours <hours>', 'SLA in hours (default: config slaHours)')
    .action(run(async (opts: ReportLeaversOptions) => (await import('./commands/report')).runReportLeavers(io, opts)));
  report
    .command('policy')
    .description('each access clause of the security policy, the checks behind it and their status now (a dry run: writes nothing to AWS)')
    .addOption(configOption())
    .addOption(new Option('--format <format>', 'output format (default: from --out, else md on standard output, html in a file)').choices(['html', 'json', 'md']))
    .option('--out <file>', 'write to this file instead of standard output')
    .action(run(async (opts: ReportPolicyOptions) => (await import('./commands/report-policy')).runReportPolicy(io, opts)));

  const review = program.command('review').description('access review campaigns in Slack: managers keep or revoke their people\'s access');
  review
    .command('start')
    .description('start a campaign: one Slack message per person to their manager (else HR), Keep / Revoke per entitlement')
    .addOption(configOption())
    .option('--scope <scope>', 'all, department:NAME or account:ID (default: config reviews.scope)')
    .option('--due <date>', 'due date (end of that day in the config time zone; default: reviews.dueAfterDays from now)')
    .action(run(async (opts: ReviewStartOptions) => (await import('./commands/review')).runReviewStart(io, opts)));
  review
    .command('status')
    .description('each campaign\'s progress, newest first')
    .addOption(configOption())
    .option('--campaign <id>', 'only this campaign')
    .option('--json', 'print as JSON')
    .action(run(async (opts: ReviewStatusOptions) => (await import('./commands/review')).runReviewStatus(io, opts)));
  review
    .command('report')
    .description('campaign evidence: reviewer, item, decision, time, resulting change and its verification')
    .addOption(configOption())
    .option('--campaign <id>', 'the campaign (default: the newest)')
    .addOption(new Option('--format <format>', 'output format (default: from --out, else html)').choices(['html', 'csv', 'json']))
    .option('--out <file>', 'write to this file instead of standard output')
    .action(run(async (opts: ReviewReportOptions) => (await import('./commands/review')).runReviewReport(io, opts)));
  review
    .command('tick')
    .description('run the review clock once: reminders, escalations, due dates (warden serve runs it every 15 minutes)')
    .addOption(configOption())
    .action(run(async (opts: { config?: string }) => (await import('./commands/review')).runReviewTick(io, opts)));

  return program;
}

/** Entry point of the `warden` command; returns the process exit code (SPEC "Exit codes"). */
export async function main(argv: readonly string[], given: CliIo = processIo()): Promise<number> {
  const io = terminalSafeIo(given);
  let exit: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exit = code;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv]);
    return exit;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    return reportError(io, error, debug);
  }
}

function reportError(io: CliIo, error: unknown, debug: boolean): number {
  const message = errorText(error);
  io.stderr.write(`warden: ${message.split('\n')[0]}${hintFor(message)}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  if (error instanceof WardenError) return error.exitCode;
  if (error instanceof InputError) return ExitCode.usage;
  return ExitCode.runtime;
}

/** What to do about the AWS SDK's most common configuration errors, which it words for developers. */
function hintFor(message: string): string {
  if (/Could not load credentials/i.test(message)) return ' (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance role is available)';
  if (/Region is missing/i.test(message)) return ' (set AWS_REGION or a region in your AWS profile; IAM is global but requests are signed for a region)';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)) return ' (is the endpoint reachable? check AWS_ENDPOINT_URL* and the network)';
  return '';
}
