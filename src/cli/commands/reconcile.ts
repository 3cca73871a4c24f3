import { createInterface } from 'node:readline/promises';
import { applyPlan, computePlan, recordPlanRun, type ApplyReport, type ProgressEvent } from '../../app/reconcile';
import type { AnchorOutcome } from '../../app/evidence';
import { renderPlanText } from '../../domain/render';
import { terminalSafe } from '../../domain/terminal-text';
import { isRevocation, type Plan } from '../../domain/plan';
import { ExitCode, InputError } from '../../errors';
import { openRuntime, type Runtime } from '../../runtime/compose';
import { describeHeldLock, lockOwner, withReconcileLock } from '../../app/reconcile/lock';
import { ProgressLine } from '../format';
import { rawStream, type CliIo } from '../io';
import { resolveConfigPath } from './config-path';

/** Renders progress events on stderr when it is a terminal; long runs show where they are. */
export function progressReporter(io: CliIo): { onEvent: (event: ProgressEvent) => void; done: () => void } {
  const line = new ProgressLine(rawStream(io.stderr) as NodeJS.WriteStream);
  const onEvent = (event: ProgressEvent): void => {
    switch (event.kind) {
      case 'phase':
        line.update(`${event.phase}…`);
        return;
      case 'account-read':
        line.update(`read account ${event.account}: ${event.users} IAM users`);
        return;
      case 'action-done':
        line.update(`applying ${event.done}/${event.total}: ${event.action.kind} ${event.action.userName} -> ${event.outcome.result}`);
        return;
    }
  };
  return { onEvent, done: () => line.done() };
}

const planExitCode = (plan: Plan): number => (plan.guard.tripped ? ExitCode.guardTripped : ExitCode.ok);

async function withRuntime<T>(io: CliIo, configFlag: string | undefined, fn: (runtime: Runtime, progress: ReturnType<typeof progressReporter>) => Promise<T>): Promise<T> {
  const progress = progressReporter(io);
  const runtime = await openRuntime(resolveConfigPath(io, configFlag), { env: io.env, actor: `cli:${io.userName}`, progress: progress.onEvent });
  for (const problem of runtime.accountProblems) io.stderr.write(`warden: warning: ${problem}\n`);
  try {
    return await fn(runtime, progress);
  } finally {
    progress.done();
    await runtime.close();
  }
}

/** `warden plan`: prints the plan; exit 3 when the guard would trip. */
export async function runPlan(io: CliIo, opts: { config?: string; json?: boolean }): Promise<number> {
  return withRuntime(io, opts.config, async (runtime, progress) => {
    const planned = await computePlan(runtime.deps);
    progress.done();
    const anchor = await recordPlanRun(runtime.deps, planned, runtime.actor);
    io.stdout.write(opts.json === true ? `${JSON.stringify(planned.plan, null, 2)}\n` : renderPlanText(planned.plan));
    return anchorExit(io, anchor) ?? unreachableExit(planned.plan) ?? planExitCode(planned.plan);
  });
}

/** A log that no longer reaches its anchor is a broken chain (exit 4), whatever else the run did. */
function anchorExit(io: CliIo, anchor: AnchorOutcome | undefined): number | undefined {
  if (anchor?.kind !== 'refused') return undefined;
  io.stderr.write(`warden: audit log no longer reaches its anchor in ${anchor.against} (seq ${anchor.firstBadSeq}: ${anchor.problem}); not re-anchored\n`);
  return ExitCode.auditChainBroken;
}

/** Any account that could not be read makes the run a runtime error after printing what it could. */
function unreachableExit(plan: Plan): number | undefined {
  return plan.findings.some((f) => f.kind === 'account-unreachable') ? ExitCode.runtime : undefined;
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: rawStream(io.stderr) });
  try {
    const answer = await rl.question(terminalSafe(question, { keepLayout: true }));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** `warden apply`: re-plans and applies exactly that plan, then verifies. */
export async function runApply(io: CliIo, opts: { config?: string; yes?: boolean; json?: boolean; overrideGuard?: string }): Promise<number> {
  if (opts.yes !== true && io.stdin.isTTY !== true) {
    throw new InputError('refusing to apply without --yes: no terminal to ask on (pass --yes to apply non-interactively)');
  }
  return withRuntime(io, opts.config, async (runtime, progress) => {
    // Plan and apply under the reconcile lock `warden serve` and the other `warden apply` take: never two acting at once.
    const exclusive = await withReconcileLock(
      {
        lock: runtime.lock,
        clock: runtime.deps.clock,
        owner: lockOwner(runtime.actor),
        onRenewError: (error) => io.stderr.write(`warden: warning: could not renew the reconcile lock: ${error instanceof Error ? error.message : String(error)}\n`),
      },
      () => applyLocked(io, opts, runtime, progress),
    );
    if (exclusive.kind === 'ran') return exclusive.value;
    progress.done();
    io.stderr.write(`warden: ${describeHeldLock(exclusive)}\n`);
    return ExitCode.runtime;
  });
}

async function applyLocked(
  io: CliIo,
  opts: { config?: string; yes?: boolean; json?: boolean; overrideGuard?: string },
  runtime: Runtime,
  progress: ReturnType<typeof progressReporter>,
): Promise<number> {
  const planned = await computePlan(runtime.deps);
  progress.done();
  const { plan } = planned;
  if (opts.json !== true) io.stdout.write(renderPlanText(plan));
  if (plan.guard.tripped && opts.overrideGuard === undefined) {
    const report = await applyPlan(runtime.deps, planned, { actor: runtime.actor });
    return finishApply(io, opts, report);
  }
  if (plan.actions.length === 0) {
    if (opts.json === true) io.stdout.write(`${JSON.stringify({ plan, results: [], verifications: [] }, null, 2)}\n`);
    else io.stdout.write('\nNothing to apply.\n');
    return unreachableExit(plan) ?? ExitCode.ok;
  }
  if (opts.yes !== true) {
    const revocations = plan.actions.filter(isRevocation).length;
    const ok = await confirm(io, `\nApply ${plan.actions.length} actions (${revocations} revocations)? [y/N] `);
    if (!ok) {
      io.stderr.write('Nothing applied.\n');
      return ExitCode.ok;
    }
  }
  const report = await applyPlan(runtime.deps, planned, {
    actor: runtime.actor,
    ...(opts.overrideGuard !== undefined ? { override: { by: runtime.actor, reason: opts.overrideGuard } } : {}),
  });
  progress.done();
  return finishApply(io, opts, report);
}

function finishApply(io: CliIo, opts: { json?: boolean }, report: ApplyReport): number {
  if (opts.json === true) {
    io.stdout.write(`${JSON.stringify({ plan: report.plan, runId: report.runId, outcome: report.outcome, results: report.results, verifications: report.verifications }, null, 2)}\n`);
  } else {
    io.stdout.write(renderApplyText(report));
  }
  const anchored = anchorExit(io, report.anchor);
  if (anchored !== undefined) return anchored;
  if (report.outcome === 'guard-tripped') return ExitCode.guardTripped;
  if (report.outcome === 'partial') return ExitCode.runtime;
  return unreachableExit(report.plan) ?? ExitCode.ok;
}

/** A short human summary of what apply did. */
export function renderApplyText(report: ApplyReport): string {
  if (report.outcome === 'guard-tripped') {
    return `\nGuard tripped: nothing applied.\n${report.plan.guard.reasons.map((r) => `  - ${r}\n`).join('')}Fix the input, or re-run with --override-guard "<reason>" (audited).\n`;
  }
  const ok = report.results.filter((r) => r.outcome.result === 'ok').length;
  const failed = report.results.filter((r) => r.outcome.result === 'failed');
  const skipped = report.results.filter((r) => r.outcome.result === 'skipped').length;
  const lines = [`\nApplied ${ok} of ${report.results.length} actions (${failed.length} failed, ${skipped} skipped) in run ${report.runId}.`];
  for (const { action, outcome } of failed) {
    if (outcome.result === 'failed') lines.push(`  FAILED ${action.kind} ${action.account}/${action.userName}: ${outcome.error}`);
  }
  for (const v of report.verifications) {
    const what = v.noAccessLeft ? 'no access left' : 'change holds';
    lines.push(v.verified ? `  verified ${v.account}/${v.userName}: ${what}` : `  NOT verified ${v.account}/${v.userName}: ${v.remaining.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}
