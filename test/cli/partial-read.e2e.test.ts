import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderDemoTemplate } from '../../src/cli/commands/demo';
import type { Plan } from '../../src/domain/plan';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { parseSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';

const repo = path.resolve(__dirname, '../..');
const bin = path.join(repo, 'bin/warden.js');
const ACCOUNT = '111122223333';

function warden(args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

jest.setTimeout(120_000);

describe('warden plan/apply when an SCP denies one per-user read (ListServiceSpecificCredentials for bob)', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const now = new Date();
    const demo = path.join(repo, 'config/demo');
    const seed = parseSeed(parseYaml(renderDemoTemplate(readFileSync(path.join(demo, 'iam-seed.yaml'), 'utf8'), now)));
    if (!seed.ok) throw new Error(seed.errors.join('; '));
    sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed.seed) });
    sandbox.faults.fail('ListServiceSpecificCredentials', 'AccessDenied', {
      times: 1_000,
      params: { UserName: 'bob' },
      message: 'not authorized to perform: iam:ListServiceSpecificCredentials with an explicit deny in a service control policy',
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-cli-partial-'));
    writeFileSync(path.join(dir, 'roster.csv'), renderDemoTemplate(readFileSync(path.join(demo, 'roster.csv'), 'utf8'), now));
    const config = readFileSync(path.join(demo, 'warden.yaml'), 'utf8')
      .replace(/^accounts:\n(\s+-.*\n)+/m, '')
      .replace(/^hosts:\n(\s+.*\n)+/m, '');
    writeFileSync(path.join(dir, 'warden.yaml'), config);
    env = { AWS_ENDPOINT_URL_IAM: sandbox.url, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIATESTCLIENT000001', AWS_SECRET_ACCESS_KEY: 'test-secret' };
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans for everyone (exit 0) with a high finding naming the path; apply revokes every leaver and leaves only that path unverified', async () => {
    const planned = await warden(['plan', '--config', 'warden.yaml', '--json'], env, dir);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    const unread = plan.findings.filter((f) => f.kind === 'user-detail-unavailable');
    expect(unread.map((f) => [f.userName, f.severity])).toEqual([['bob', 'high']]);
    expect(unread[0]?.detail).toMatch(/service-specific credentials \(ListServiceSpecificCredentials failed: AccessDenied/);
    expect(plan.actions.filter((a) => a.userName === 'bob').map((a) => a.kind)).toContain('attach-deny-all');

    const applied = await warden(['apply', '--config', 'warden.yaml', '--yes', '--json'], env, dir);
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
