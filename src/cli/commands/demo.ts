import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createIamClient } from '../../adapters/aws/iam/client';
import { createSsmClient } from '../../adapters/aws/ssm/client';
import { parseAuthorizedKeyLine } from '../../adapters/hosts/host-script-protocol';
import { applyPlan, computePlan, type ApplyReport } from '../../app/reconcile';
import { isRevocation } from '../../domain/plan';
import { renderPlanText } from '../../domain/render';
import { ExitCode, WardenError } from '../../errors';
import { openRuntime } from '../../runtime/compose';
import { loadFleetDirectory, type FleetDirectory } from '../../sandbox/hosts';
import { IamSandboxState } from '../../sandbox/iam-state';
import { parseSeed } from '../../sandbox/seed';
import { startSandbox } from '../../sandbox/server';
import { createSsmSandbox } from '../../sandbox/ssm';
import { identityCenterServices } from '../../sandbox/identity-center-service';
import { IdentityCenterSandboxState, parseIdentityCenterSeed } from '../../sandbox/identity-center-state';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { CloudTrailLog, cloudTrailService } from '../../sandbox/cloudtrail';
import { demoAccessGivenBack } from './demo-trail';
import type { CliIo } from '../io';
import { startReview } from '../../app/reviews/start';
import { renderApplyText, progressReporter } from './reconcile';

const DEMO_SOURCE = path.resolve(__dirname, '../../../config/demo');
const DAY_MS = 86_400_000;
const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIADEMOSANDBOX00001', secretAccessKey: 'demo-only-not-a-secret' };

/** Every authorized_keys file under the simulated hosts, by path relative to the hosts folder. */
function keyFiles(hostsDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(hostsDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/^authorized_keys2?$/.test(entry.name)) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(hostsDir, full), readFileSync(full, 'utf8'));
  }
  return files;
}

/**
 * Checks the simulated hosts after apply: each file must equal its earlier self minus exactly the lines holding a key
 * removed from that host (`INSTANCE/…` paths; revoke.sh clears a key from every file of the host), byte for byte.
 * Returns how many lines went and any file that differs otherwise.
 */
export function compareKeyFiles(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  removed: ReadonlyMap<string, ReadonlySet<string>>,
): { removed: number; files: number; problems: string[] } {
  let count = 0;
  let files = 0;
  const problems: string[] = [];
  for (const [file, text] of before) {
    const bodies = removed.get(file.split(path.sep)[0] ?? '') ?? new Set<string>();
    const lines = text.split(/(?<=\n)/);
    const kept = lines.filter((line) => {
      const key = parseAuthorizedKeyLine(line);
      return key === undefined || !bodies.has(key.keyBody);
    });
    if (kept.length < lines.length) files++;
    count += lines.length - kept.length;
    if (after.get(file) !== kept.join('')) problems.push(`${file} differs from the original minus the removed keys`);
  }
  return { removed: count, files, problems };
}

/** Key bodies each host had removed in an apply, by instance id. */
function removedKeys(report: ApplyReport): Map<string, Set<string>> {
  const removed = new Map<string, Set<string>>();
  for (const { action, outcome } of report.results) {
    if (action.kind !== 'remove-host-key' || outcome.result !== 'ok') continue;
    const bodies = removed.get(action.target.instanceId) ?? new Set<string>();
    bodies.add(action.target.keyBody);
    removed.set(action.target.instanceId, bodies);
  }
  return removed;
}


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

/** `warden demo`: the demo company in the built-in IAM and SSM sandbox, planned, applied, verified and audited. */
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
  // The scripts change the hosts they clean: they work on a copy, the repository's config/demo/hosts stays as it is.
  const hostsDir = path.join(dir, 'hosts');
  cpSync(path.join(DEMO_SOURCE, 'hosts'), hostsDir, { recursive: true });
  const hosts: FleetDirectory = loadFleetDirectory(hostsDir);
  const ssm = createSsmSandbox({ fleet: hosts.fleet, runner: hosts.runner, deliveryTimeoutMs: 300, invocationLag: 1 });

  const icSeed = parseIdentityCenterSeed(parseYaml(readFileSync(path.join(DEMO_SOURCE, 'identity-center.yaml'), 'utf8')));
  if (!icSeed.ok) throw new WardenError(`demo Identity Center seed is invalid: ${icSeed.errors.join('; ')}`);
  const ic = IdentityCenterSandboxState.fromSeed(icSeed.seed);
  const cloudTrail = new CloudTrailLog();
  const sandbox = await startSandbox({
    state: IamSandboxState.fromSeed(seed.seed),
    extraServices: [ssm.service, ...identityCenterServices(ic), cloudTrailService(cloudTrail)],
    observers: [cloudTrail.observe],
  });
  const icConfig = (region: string | undefined) => ({ endpoint: sandbox.url, region: region ?? 'us-east-1', credentials: SANDBOX_CREDENTIALS });
  const icClients = new Map<string, { identityStore: IdentitystoreClient; ssoAdmin: SSOAdminClient }>();
  const identityCenterClients = (region: string | undefined) => {
    let found = icClients.get(region ?? '');
    if (found === undefined) {
      found = { identityStore: new IdentitystoreClient(icConfig(region)), ssoAdmin: new SSOAdminClient(icConfig(region)) };
      icClients.set(region ?? '', found);
    }
    return found;
  };
  const progress = progressReporter(io);
  const ssmClient = createSsmClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS });
  const runtime = await openRuntime(path.join(dir, 'warden.yaml'), {
    env: io.env,
    actor: `cli:${io.userName}`,
    progress: progress.onEvent,
    iamClientFor: () => createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS }),
    ssmClient,
    identityCenter: { clients: identityCenterClients, pollMs: 20 },
    hostTiming: { poll: { firstDelayMs: 50, maxDelayMs: 400, factor: 2 }, deliveryTimeoutSeconds: 30 },
  });
  try {
    const instances = hosts.fleet.list();
    out.write(`Warden demo: the Acme roster (config/demo/roster.csv) against a built-in AWS sandbox (IAM, STS, SSM) at ${sandbox.url}.\n`);
    out.write(`Identity Center: ${ic.users.size} users, ${ic.groups.size} groups, ${ic.permissionSets.size} permission sets (config/demo/identity-center.yaml).\n`);
    out.write(`Hosts: ${instances.length} simulated EC2 instances in ${path.relative(io.cwd, hostsDir) || hostsDir} ` +
      `(${instances.map((i) => `${i.instanceId} ${i.name ?? ''} ${i.state}`.replace(/  +/g, ' ')).join(', ')}); SSM runs the real host scripts on them.\n`);
    out.write('No AWS account and no network are used.\n\n== 1. Plan (dry run) ==\n');
    const beforeFiles = keyFiles(hostsDir);
    const planned = await computePlan(runtime.deps);
    progress.done();
    out.write(renderPlanText(planned.plan));

    out.write('\n== 2. Apply, then re-read every changed user and host to verify ==\n');
    const report = await applyPlan(runtime.deps, planned, { actor: runtime.actor });
    progress.done();
    out.write(renderApplyText(report));
    const afterApply = keyFiles(hostsDir);
    const check = compareKeyFiles(beforeFiles, afterApply, removedKeys(report));
    out.write(
      `Hosts: ${check.removed} key lines removed from ${check.files} authorized_keys files; ` +
        `${check.problems.length === 0 ? 'every other line is byte-identical.' : `UNEXPECTED CHANGES: ${check.problems.join('; ')}`}\n`,
    );
    check.problems.push(...identityCenterSummary(out, report, ic));

    out.write('\n== 3. Plan again: nothing left to revoke on what could be read ==\n');
    const again = await computePlan(runtime.deps);
    progress.done();
    const left = again.plan.actions.filter(isRevocation).length;
    const unreachable = again.plan.findings.filter((f) => f.kind === 'host-unreachable');
    out.write(`${left} revocation actions, ${again.plan.actions.length} actions in all.\n`);
    for (const f of unreachable) out.write(`Still pending: ${f.instanceId ?? ''} — ${f.detail}\n`);

    const offline = instances.filter((i) => i.state !== 'online');
    let comeback: ApplyReport | undefined;
    let finalLeft = left;
    if (offline.length > 0) {
      out.write(`\n== 4. ${offline.map((i) => i.name ?? i.instanceId).join(', ')} back online: the next run cleans it ==\n`);
      for (const instance of offline) hosts.fleet.setState(instance.instanceId, 'online');
      const beforeComeback = keyFiles(hostsDir);
      const next = await computePlan(runtime.deps);
      progress.done();
      out.write(renderPlanText(next.plan));
      comeback = await applyPlan(runtime.deps, next, { actor: runtime.actor });
      progress.done();
      out.write(renderApplyText(comeback));
      const recheck = compareKeyFiles(beforeComeback, keyFiles(hostsDir), removedKeys(comeback));
      out.write(
        `Hosts: ${recheck.removed} key lines removed from ${recheck.files} authorized_keys files; ` +
          `${recheck.problems.length === 0 ? 'every other line is byte-identical.' : `UNEXPECTED CHANGES: ${recheck.problems.join('; ')}`}\n`,
      );
      check.problems.push(...recheck.problems);
      const last = await computePlan(runtime.deps);
      progress.done();
      finalLeft = last.plan.actions.filter(isRevocation).length;
      out.write(`Plan again: ${finalLeft} revocation actions, ${last.plan.findings.filter((f) => f.kind === 'host-unreachable').length} hosts unreachable.\n`);
    }

    const step = offline.length > 0 ? 5 : 4;
    out.write(`\n== ${step}. Another admin gives a leaver's key back: CloudTrail shows it, Warden undoes it ==\n`);
    const caught = await demoAccessGivenBack(out, sandbox, runtime, report, SANDBOX_CREDENTIALS);

    out.write(`\n== ${step + 1}. Audit log ==\n`);
    const chain = await runtime.audit.verify();
    const entries = chain.entries;
    out.write(chain.ok ? `Hash chain intact over ${entries} entries.\n` : `Hash chain BROKEN: ${chain.problem}\n`);
    out.write(`Audit log: ${runtime.loaded.sqlitePath ?? '(dynamodb)'}\n`);
    const configArg = path.relative(io.cwd, path.join(dir, 'warden.yaml')) || path.join(dir, 'warden.yaml');
    const reviews = runtime.composition.reviewDeps(runtime.deps, runtime.loaded);
    if (reviews !== undefined) {
      // An access review campaign over the same sandbox: recorded here; with Slack, each manager gets Keep / Revoke buttons.
      const { campaign, packets } = await startReview(reviews, { scope: { kind: 'all' }, actor: 'cli:demo' });
      const items = packets.reduce((n, p) => n + p.items.length, 0);
      out.write(`Access review ${campaign.id} started: ${packets.length} people, ${items} items for their managers (HR where none); with Slack set up, each manager gets Keep / Revoke buttons.\n`);
    }
    out.write(`Try:  npx warden audit query --config ${configArg} --person bob@example.com\n`);
    out.write(`      npx warden audit verify --config ${configArg}\n`);
    out.write(`      npx warden review status --config ${configArg}   (start one on your own estate: warden review start --scope department:NAME, or reviews.schedule: quarterly for serve and Lambda)\n`);
    out.write(`      npx warden review report --config ${configArg} --out review.html\n`);
    const applied = [report, ...(comeback !== undefined ? [comeback] : [])];
    if (!chain.ok || !caught || applied.some((r) => r.outcome !== 'ok') || finalLeft > 0 || check.problems.length > 0) return ExitCode.runtime;
    return ExitCode.ok;
  } finally {
    progress.done();
    await runtime.close();
    ssmClient.destroy();
    await ssm.settle();
    await sandbox.close();
    for (const c of icClients.values()) {
      c.identityStore.destroy();
      c.ssoAdmin.destroy();
    }
  }
}

/**
 * What the demo shows of Identity Center after apply: each user closed or trimmed and whether the re-read verified it,
 * and that the permission sets' own statements are still there. Returns problems (none when all is well).
 */
function identityCenterSummary(out: NodeJS.WritableStream, report: ApplyReport, ic: IdentityCenterSandboxState): string[] {
  const problems: string[] = [];
  for (const v of report.verifications.filter((r) => r.account === ic.identityStoreId)) {
    const done = report.results.filter((r) => r.action.account === ic.identityStoreId && r.action.userName === v.userName).map((r) => r.action.kind);
    const what = v.noAccessLeft ? 'closed (memberships, assignments, sessions denied)' : `trimmed (${done.join(', ')})`;
    out.write(`Identity Center: ${v.userName} ${what}: ${v.verified ? 'verified by re-reading' : `NOT VERIFIED: ${v.remaining.join('; ')}`}\n`);
    if (!v.verified) problems.push(`Identity Center ${v.userName} not verified`);
  }
  const readOnly = ic.permissionSetByName('ReadOnly');
  const kept = readOnly?.inlinePolicy?.includes('AcmeNoSecrets') === true;
  out.write(`Identity Center: ReadOnly's own statement AcmeNoSecrets ${kept ? 'kept as it was' : 'LOST'} beside Warden's Deny.\n`);
  if (!kept) problems.push('ReadOnly lost its own statement');
  return problems;
}
