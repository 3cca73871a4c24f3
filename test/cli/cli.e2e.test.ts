import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Plan } from '../../src/domain/plan';
import { isRevocation } from '../../src/domain/plan';
import type { RunningSandbox } from '../../src/sandbox/server';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv, startDemoIamSandbox } from './harness';




// Each test starts the real command several times (about 2 s each on this 2-core machine).
jest.setTimeout(120_000);

describe('warden command line against an IAM endpoint given by AWS_ENDPOINT_URL_IAM', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let env: Record<string, string>;
  const now = new Date();

  beforeAll(async () => {
    sandbox = await startDemoIamSandbox(now);
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-cli-'));
    writeFileSync(path.join(dir, 'roster.csv'), demoRosterCsv(now));
    // No `accounts`: the account comes from the credentials, as for a first-time user. No `hosts`: this
    // test is about IAM, and SSM is not served here (the demo and the SSM tests cover hosts).
    const config = iamOnlyDemoConfig();
    writeFileSync(path.join(dir, 'warden.yaml'), config);
    env = sandboxIamEnv(sandbox.url);
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans, applies, re-plans to nothing, and keeps a verifiable audit chain', async () => {

    const planned = await runWarden(['plan', '--config', 'warden.yaml', '--json'], dir, env);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Plan;
    expect(plan.version).toBe(1);
    expect(plan.guard).toEqual({ tripped: false, reasons: [] });
    expect(plan.summary).toMatchObject({ people: 12, iamUsers: 14 });
    const bob = plan.actions.filter((a) => a.userName === 'bob');
    expect(bob.map((a) => a.kind).sort()).toEqual(
      [
        'attach-deny-all',
        'deactivate-access-key',
        'deactivate-access-key',
        'deactivate-service-credential',
        'deactivate-ssh-key',
        'delete-login-profile',
        'remove-from-group',
        'remove-from-group',
        // The demo's deploy-prod role pins the source identity: Bob's live sessions on it end with a Deny.
        'deny-role-source-identity',
      ].sort(),
    );
    // ops-break-fix trusts the account without a source identity: Bob's sessions there may live on, and the plan says so.
    const bobSessions = plan.sessions?.find((s) => s.userName === 'bob');
    expect(bobSessions?.summary).toMatchObject({ status: 'may-live-until', principals: 2, open: 1 });
    expect(bobSessions?.words).toMatch(/^sessions may live until /);
    expect(plan.findings.filter((f) => f.kind === 'sessions-may-live').map((f) => f.userName)).toEqual(['bob']);
    expect(bob[0]).toMatchObject({ account: '111122223333', reason: 'departed', person: { employeeId: 'E002', email: 'bob@example.com' }, control: 'offboarding-24h' });
    expect(plan.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['orphan-user', 'break-glass-user', 'scheduled-departure', 'no-mfa']));
    // plan wrote nothing to AWS
    expect(sandbox.state.user('111122223333', 'bob')?.accessKeys.every((k) => k.status === 'Active')).toBe(true);

    const applied = await runWarden(['apply', '--config', 'warden.yaml', '--yes', '--json'], dir, env);
    expect(applied.code).toBe(0);
    const report = JSON.parse(applied.stdout) as { outcome: string; results: { outcome: { result: string } }[]; verifications: { verified: boolean }[] };
    expect(report.outcome).toBe('ok');
    expect(report.results).toHaveLength(plan.actions.length);
    expect(report.verifications.every((v) => v.verified)).toBe(true);
    expect(sandbox.state.user('111122223333', 'bob')?.accessKeys.map((k) => k.status)).toEqual(['Inactive', 'Inactive']);
    expect(sandbox.state.user('111122223333', 'frank')).toBeUndefined();
    expect(Object.keys(sandbox.state.roles.role('111122223333', 'deploy-prod')?.inlinePolicies ?? {}).sort()).toEqual(['deploy-permissions', 'warden-end-sessions']);

    const again = await runWarden(['plan', '--config', 'warden.yaml', '--json'], dir, env);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as Plan).actions.filter(isRevocation)).toEqual([]);

    const reapplied = await runWarden(['apply', '--config', 'warden.yaml', '--yes'], dir, env);
    expect(reapplied.code).toBe(0);
    expect(reapplied.stdout).toContain('Nothing to apply.');

    const verified = await runWarden(['audit', 'verify', '--config', 'warden.yaml'], dir, {});
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/Audit chain intact: \d+ entries/);

    const history = await runWarden(['audit', 'query', '--config', 'warden.yaml', '--person', 'bob@example.com', '--format', 'csv'], dir, {});
    expect(history.code).toBe(0);
    expect(history.stdout.split('\r\n')[0]).toMatch(/^seq,at,runId,actor,action,/);
    expect(history.stdout).toContain('deactivate-access-key');

    const db = new Database(path.join(dir, 'warden.db'));
    db.exec('DROP TRIGGER audit_entries_no_update');
    db.prepare("UPDATE audit_entries SET actor = 'cli:someone-else' WHERE seq = 3").run();
    db.close();
    const broken = await runWarden(['audit', 'verify', '--config', 'warden.yaml'], dir, {});
    expect(broken.code).toBe(4);
    expect(broken.stdout).toContain('BROKEN at seq 3');
  });

  it('refuses to apply without --yes when there is no terminal to ask on', async () => {
    const run = await runWarden(['apply', '--config', 'warden.yaml'], dir, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('warden: refusing to apply without --yes: no terminal to ask on (pass --yes to apply non-interactively)\n');
  });

  it('reports an unreachable endpoint in one line with exit 1 and no stack', async () => {
    // One attempt: the SDK would otherwise spend about 10 s backing off against a port that will never open.
    const run = await runWarden(['plan', '--config', 'warden.yaml'], dir, { ...env, AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^warden: .*(ECONNREFUSED|connect)/);
  });

  it('reports missing credentials in one line with exit 1', async () => {
    const run = await runWarden(['plan', '--config', 'warden.yaml'], dir, { AWS_ENDPOINT_URL_IAM: sandbox.url, AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/credentials/i);
  });
});
