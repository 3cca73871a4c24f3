import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Plan } from '../../src/domain/plan';
import type { RunningSandbox } from '../../src/sandbox/server';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv, startDemoIamSandbox } from './harness';

const ACCOUNT = '111122223333';


jest.setTimeout(120_000);

describe('warden plan/apply when an SCP denies one per-user read (ListServiceSpecificCredentials for bob)', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const now = new Date();
    sandbox = await startDemoIamSandbox(now);
    sandbox.faults.fail('ListServiceSpecificCredentials', 'AccessDenied', {
      times: 1_000,
      params: { UserName: 'bob' },
      message: 'not authorized to perform: iam:ListServiceSpecificCredentials with an explicit deny in a service control policy',
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-cli-partial-'));
    writeFileSync(path.join(dir, 'roster.csv'), demoRosterCsv(now));
    const config = iamOnlyDemoConfig();
    writeFileSync(path.join(dir, 'warden.yaml'), config);
    env = sandboxIamEnv(sandbox.url);
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans for everyone (exit 0) with a high finding naming the path; apply revokes every leaver and leaves only that path unverified', async () => {
    const planned = await runWarden(['plan', '--config', 'warden.yaml', '--json'], dir, env);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    const unread = plan.findings.filter((f) => f.kind === 'user-detail-unavailable');
    expect(unread.map((f) => [f.userName, f.severity])).toEqual([['bob', 'high']]);
    expect(unread[0]?.detail).toMatch(/service-specific credentials \(ListServiceSpecificCredentials failed: AccessDenied/);
    expect(plan.actions.filter((a) => a.userName === 'bob').map((a) => a.kind)).toContain('attach-deny-all');

    const applied = await runWarden(['apply', '--config', 'warden.yaml', '--yes', '--json'], dir, env);
    const report = JSON.parse(applied.stdout) as { outcome: string; verifications: { userName: string; verified: boolean; remaining: string[] }[] };
    // Partial (exit 1) because one path is unverified, not because the run stopped: everyone else is done and verified.
    expect(report.outcome).toBe('partial');
    expect(applied.code).toBe(1);
    const unverified = report.verifications.filter((v) => !v.verified);
    expect(unverified.map((v) => [v.userName, v.remaining])).toEqual([['bob', [expect.stringMatching(/^service-specific credentials not verified/)]]]);
    expect(report.verifications.filter((v) => v.verified).length).toBeGreaterThan(1);
    const bob = sandbox.state.user(ACCOUNT, 'bob');
    expect(bob?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
    expect(bob?.attachedPolicies).toContain(`arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`);
    expect(sandbox.state.user(ACCOUNT, 'frank')).toBeUndefined();
  });
});
