import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { iamService } from '../../src/sandbox/iam-service';
import type { RunningSandbox } from '../../src/sandbox/server';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv, startDemoIamSandbox } from './harness';

jest.setTimeout(180_000);

describe('two `warden apply` started at once on the same state', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  const now = new Date();

  beforeAll(async () => {
    sandbox = await startDemoIamSandbox(now);
    // Slow IAM (as a throttled account is), so both runs are surely under way at the same time.
    const iam = iamService();
    sandbox.registerService({ ...iam, handle: async (call) => (await new Promise((resolve) => setTimeout(resolve, 150)), iam.handle(call)) });
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-apply-lock-'));
    writeFileSync(path.join(dir, 'roster.csv'), demoRosterCsv(now));
    writeFileSync(path.join(dir, 'warden.yaml'), iamOnlyDemoConfig());
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never both act: one applies, the other says a run holds the lock, applies nothing and exits 1', async () => {
    const env = sandboxIamEnv(sandbox.url);
    const runs = await Promise.all([
      runWarden(['apply', '--config', 'warden.yaml', '--yes'], dir, { ...env, WARDEN_ACTOR: 'first' }, 150_000),
      runWarden(['apply', '--config', 'warden.yaml', '--yes'], dir, { ...env, WARDEN_ACTOR: 'second' }, 150_000),
    ]);

    const codes = runs.map((r) => r.code).sort();
    expect(codes).toEqual([0, 1]);
    const loser = runs.find((r) => r.code === 1);
    expect(loser?.stderr).toMatch(/^warden: another reconciliation holds the reconcile lock \(cli:(first|second)@[^)]+\); nothing was applied\n$/m);
    expect(loser?.stdout).not.toMatch(/Applied/);
    // The audit log shows one run that applied: every intent belongs to it.
    const db = new Database(path.join(dir, 'warden.db'), { readonly: true });
    const starts = db.prepare("SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'run.start'").get() as { n: number };
    const runsActing = db.prepare("SELECT COUNT(DISTINCT run_id) AS n FROM audit_entries WHERE result = 'intent'").get() as { n: number };
    db.close();
    expect(starts.n).toBe(1);
    expect(runsActing.n).toBe(1);

    // `warden audit query` shows each result on its own line with the plan action id and the resource it changed.
    const table = await runWarden(['audit', 'query', '--config', 'warden.yaml', '--user', 'bob'], dir, env);
    expect(table.code).toBe(0);
    const keyResult = table.stdout.split('\n').find((line) => line.includes('deactivate-access-key') && /\bok\b/.test(line));
    expect(keyResult).toMatch(/ ok +accessKeyId=AKIA[A-Z0-9]+ \(action [0-9a-f]+\)/);
  });
});
