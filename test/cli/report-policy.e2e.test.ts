import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PolicyReport } from '../../src/domain/policy-checks/clauses';
import type { RunningSandbox } from '../../src/sandbox/server';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv, startDemoIamSandbox } from './harness';

jest.setTimeout(120_000);

describe('warden report policy on the demo company', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let env: Record<string, string>;
  const now = new Date();

  beforeAll(async () => {
    sandbox = await startDemoIamSandbox(now);
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-policy-'));
    writeFileSync(path.join(dir, 'roster.csv'), demoRosterCsv(now));
    writeFileSync(path.join(dir, 'warden.yaml'), iamOnlyDemoConfig());
    env = sandboxIamEnv(sandbox.url);
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('quotes every access clause with a status, a mix of pass and fail, naming who fails, and changes nothing in AWS', async () => {
    const run = await runWarden(['report', 'policy', '--config', 'warden.yaml', '--format', 'json'], dir, env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as PolicyReport & { version: number };
    expect(report.version).toBe(1);
    const status = Object.fromEntries(report.clauses.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      'nda-before-access': 'fail',
      'session-timeouts': 'fail',
      'personal-usernames': 'fail',
      'no-full-rights': 'pass',
      'leavers-24h': 'fail',
      'access-logged': 'pass',
    });
    expect(report.summary.pass).toBeGreaterThan(0);
    expect(report.summary.fail).toBeGreaterThan(0);
    const check = (clause: string, id: string) => report.clauses.find((c) => c.id === clause)?.checks.find((k) => k.id === id);
    expect(check('nda-before-access', 'joiner-acceptance')?.principals).toEqual(['jamal@example.com']);
    expect(check('root-minimum', 'root-mfa')?.status).toBe('pass');
    expect(check('personal-usernames', 'password-policy')?.status).toBe('fail');
    expect(check('session-timeouts', 'session-duration')?.principals).toEqual(['111122223333/role/EngineerConsole']);
    expect(check('no-full-rights', 'admin-budget')?.interpretation).toContain('where possible');
    expect(sandbox.calls.entries().filter((c) => !/^(List|Get|Generate)/.test(c.action))).toEqual([]);
  });

  it('writes self-contained HTML and Markdown, the format chosen by the file extension', async () => {
    const html = await runWarden(['report', 'policy', '--config', 'warden.yaml', '--out', 'policy.html'], dir, env);
    expect(html.code).toBe(0);
    expect(html.stderr).toMatch(/^Wrote HTML policy report to .*policy\.html: \d+ pass, \d+ fail, \d+ not applicable of 12 clauses\.\n$/);
    const page = readFileSync(path.join(dir, 'policy.html'), 'utf8');
    expect(page).toContain('Where possible, none of the staff members is granted full rights to access any system.');
    expect(page).not.toMatch(/<script|src=|href="http/);

    const md = await runWarden(['report', 'policy', '--config', 'warden.yaml', '--out', 'policy.md'], dir, env);
    expect(md.code).toBe(0);
    expect(readFileSync(path.join(dir, 'policy.md'), 'utf8')).toMatch(/^# Security policy: access clauses\n/);
  });
});
