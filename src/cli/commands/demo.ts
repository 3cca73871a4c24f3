import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createIamClient } from '../../adapters/aws/iam/client';
import { applyPlan, computePlan } from '../../app/reconcile';
import { isRevocation } from '../../domain/plan';
import { renderPlanText } from '../../domain/render';
import { ExitCode, WardenError } from '../../errors';
import { openRuntime } from '../../runtime/compose';
import { IamSandboxState } from '../../sandbox/iam-state';
import { parseSeed } from '../../sandbox/seed';
import { startSandbox } from '../../sandbox/server';
import type { CliIo } from '../io';
import { renderApplyText, progressReporter } from './reconcile';

const DEMO_SOURCE = path.resolve(__dirname, '../../../config/demo');
const DAY_MS = 86_400_000;

/**
 * Fills the demo files' relative dates, so the story (who left two days ago, who leaves next week)
 * is the same whenever the demo runs: {{date:-2}} is a date, {{time:-30}} an instant, N days from now.
 */
export function renderDemoTemplate(text: string, now: Date): string {
  return text.replace(/\{\{(date|time):([+-]?\d+)\}\}/g, (_, kind: string, days: string) => {
    const at = new Date(now.getTime() + Number(days) * DAY_MS);
    return kind === 'date' ? at.toISOString().slice(0, 10) : at.toISOString();
  });
}

/** `warden demo`: the demo company in the built-in IAM sandbox, planned, applied, verified and audited. */
export async function runDemo(io: CliIo, opts: { dir: string }): Promise<number> {
  const out = io.stdout;
  const dir = path.resolve(io.cwd, opts.dir);
  const now = new Date();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'roster.csv'), renderDemoTemplate(readFileSync(path.join(DEMO_SOURCE, 'roster.csv'), 'utf8'), now));
  writeFileSync(path.join(dir, 'warden.yaml'), readFileSync(path.join(DEMO_SOURCE, 'warden.yaml'), 'utf8'));
  const seed = parseSeed(parseYaml(renderDemoTemplate(readFileSync(path.join(DEMO_SOURCE, 'iam-seed.yaml'), 'utf8'), now)), 'config/demo/iam-seed.yaml');
  if (!seed.ok) throw new WardenError(`demo seed is invalid: ${seed.errors.join("; ")}`);

  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed.seed) });
  const progress = progressReporter(io);
  const runtime = await openRuntime(path.join(dir, 'warden.yaml'), {
    env: io.env,
    actor: `cli:${io.userName}`,
    progress: progress.onEvent,
    iamClientFor: () =>
      createIamClient({
        endpoint: sandbox.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIADEMOSANDBOX00001', secretAccessKey: 'demo-only-not-a-secret' },
      }),
  });
  try {
    out.write(`Warden demo: the Acme roster (config/demo/roster.csv) against a built-in AWS IAM sandbox at ${sandbox.url}.\n`);
    out.write('No AWS account and no network are used.\n\n== 1. Plan (dry run) ==\n');
    const planned = await computePlan(runtime.deps);
    progress.done();
    out.write(renderPlanText(planned.plan));

    out.write('\n== 2. Apply, then re-read every changed user to verify ==\n');
    const report = await applyPlan(runtime.deps, planned, { actor: runtime.actor });
    progress.done();
    out.write(renderApplyText(report));

    out.write('\n== 3. Plan again: nothing left to revoke ==\n');
    const again = await computePlan(runtime.deps);
    progress.done();
    const left = again.plan.actions.filter(isRevocation).length;
    out.write(`${left} revocation actions, ${again.plan.actions.length} actions in all.\n`);

    out.write('\n== 4. Audit log ==\n');
    const chain = await runtime.audit.verify();
    const entries = chain.entries;
    out.write(chain.ok ? `Hash chain intact over ${entries} entries.\n` : `Hash chain BROKEN: ${chain.problem}\n`);
    out.write(`Audit log: ${runtime.loaded.sqlitePath ?? '(dynamodb)'}\n`);
    const configArg = path.relative(io.cwd, path.join(dir, 'warden.yaml')) || path.join(dir, 'warden.yaml');
    out.write(`Try:  npx warden audit query --config ${configArg} --person bob@example.com\n`);
    out.write(`      npx warden audit verify --config ${configArg}\n`);
    if (!chain.ok || report.outcome !== 'ok' || left > 0) return ExitCode.runtime;
    return ExitCode.ok;
  } finally {
    progress.done();
    await runtime.close();
    await sandbox.close();
  }
}
