import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { createIamClient } from '../../src/adapters/aws/iam/client';
import { defaultFileAnchorPath } from '../../src/adapters/evidence/anchor-config';
import { FileAnchorStore } from '../../src/adapters/evidence/file-anchor-store';
import { SqliteSnapshotStore } from '../../src/adapters/evidence/sqlite-snapshot-store';
import { anchorHead, recordSnapshot } from '../../src/app/evidence';
import { applyPlan, computePlan, type PlannedRun } from '../../src/app/reconcile';
import { renderDemoTemplate } from '../../src/cli/commands/demo';
import type { CliIo } from '../../src/cli/io';
import { ownersFromRoster } from '../../src/domain/evidence/owners';
import { isAnchorable } from '../../src/ports/evidence';
import { openRuntime } from '../../src/runtime/compose';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { parseSeed } from '../../src/sandbox/seed';
import { startSandbox } from '../../src/sandbox/server';

const DEMO = path.resolve(__dirname, '../../config/demo');

/** What the demo flow left behind: a real Warden folder with audit log, snapshots and anchor. */
export interface DemoFlow {
  readonly dir: string;
  readonly configPath: string;
  readonly dbPath: string;
  readonly anchorPath: string;
  readonly now: Date;
  /** The first plan (before revocation) and the second (after). */
  readonly before: PlannedRun;
  readonly after: PlannedRun;
  readonly rosterCsv: string;
  cleanup(): void;
}

/**
 * The `warden demo` flow (config/demo against the IAM sandbox: plan, apply, verify, plan again),
 * plus what the lead wires into runs: a snapshot per run and the chain head anchored after apply.
 */
export async function runDemoFlow(): Promise<DemoFlow> {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-evidence-demo-'));
  const now = new Date();
  const rosterCsv = renderDemoTemplate(readFileSync(path.join(DEMO, 'roster.csv'), 'utf8'), now);
  writeFileSync(path.join(dir, 'roster.csv'), rosterCsv);
  // Hosts are left out: this flow checks IAM evidence, and SSM is not served by its sandbox.
  // Identity Center too: this sandbox serves IAM only (the demo itself serves both).
  writeFileSync(
    path.join(dir, 'warden.yaml'),
    readFileSync(path.join(DEMO, 'warden.yaml'), 'utf8')
      .replace(/^hosts:\n(\s+.*\n)+/m, '')
      .replace(/^identityCenter:\n(\s+.*\n)+/m, ''),
  );
  const seed = parseSeed(parseYaml(renderDemoTemplate(readFileSync(path.join(DEMO, 'iam-seed.yaml'), 'utf8'), now)), 'iam-seed.yaml');
  if (!seed.ok) throw new Error(seed.errors.join('; '));
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed.seed) });
  const configPath = path.join(dir, 'warden.yaml');
  const runtime = await openRuntime(configPath, {
    env: {},
    actor: 'cli:auditor-test',
    iamClientFor: () =>
      createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIADEMOSANDBOX00001', secretAccessKey: 'demo-only' } }),
  });
  const dbPath = runtime.loaded.sqlitePath ?? path.join(dir, 'warden.db');
  const anchorPath = defaultFileAnchorPath(dbPath);
  const snapshots = SqliteSnapshotStore.open(dbPath);
  const snapshot = (planned: PlannedRun) =>
    recordSnapshot(snapshots, {
      runId: planned.runId,
      at: planned.startedAt,
      inventory: planned.inventory,
      owners: ownersFromRoster(planned.roster, runtime.deps.policy.identity),
      denyAllPolicyName: runtime.deps.policy.denyAllPolicyName,
    });
  try {
    const before = await computePlan(runtime.deps);
    await snapshot(before);
    await applyPlan(runtime.deps, before, { actor: runtime.actor });
    if (!isAnchorable(runtime.audit)) throw new Error('the SQLite audit log must be anchorable');
    await anchorHead(runtime.audit, [new FileAnchorStore(anchorPath)], { now: new Date(), runId: before.runId });
    const after = await computePlan(runtime.deps);
    await snapshot(after);
    return { dir, configPath, dbPath, anchorPath, now, before, after, rosterCsv, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    snapshots.close();
    await runtime.close();
    await sandbox.close();
  }
}

/** A CliIo whose output the test reads. */
export function createCapturingIo(cwd: string): CliIo & { out(): string; err(): string } {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const stdout = capture();
  const stderr = capture();
  mkdirSync(cwd, { recursive: true });
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: new PassThrough(),
    env: {},
    cwd,
    userName: 'auditor-test',
    out: stdout.text,
    err: stderr.text,
  };
}
