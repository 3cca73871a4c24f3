import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox/server';
import { FakeSlackApi } from '../fakes/fake-slack-api';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv, startDemoIamSandbox } from './harness';

// Each command is the real `warden` process (a few seconds each on this 2-core machine).
jest.setTimeout(120_000);

describe('warden review on the command line', () => {
  let sandbox: RunningSandbox;
  let slack: FakeSlackApi;
  let dir: string;
  let env: Record<string, string>;
  const now = new Date();

  beforeAll(async () => {
    sandbox = await startDemoIamSandbox(now);
    slack = await new FakeSlackApi({ users: { U0KATE: { email: 'kate@example.com' } } }).start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-review-cli-'));
    writeFileSync(path.join(dir, 'roster.csv'), demoRosterCsv(now));
    writeFileSync(path.join(dir, 'warden.yaml'), `${iamOnlyDemoConfig()}\nslack: { channel: C0WARDEN }\nreviews: { remindAfterDays: 2, escalateAfterDays: 5, undecided: keep }\n`);
    env = { ...sandboxIamEnv(sandbox.url), SLACK_BOT_TOKEN: 'xoxb-test-token-1', SLACK_API_URL: slack.apiUrl };
  });

  afterAll(async () => {
    await slack.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a campaign (managers found in Slack by email), shows its status, and reports it as CSV and JSON', async () => {
    const started = await runWarden(['review', 'start', '--config', 'warden.yaml', '--scope', 'department:Platform', '--due', '2099-01-31'], dir, env);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^Started access review rev-\S+ \(department:Platform\): 2 people, \d+ items; 2 to managers, 0 to HR; due 2099-02-01 00:00 Europe\/Berlin/);
    expect(slack.callsTo('users.lookupByEmail').map((c) => c.args['email'])).toEqual(['kate@example.com', 'kate@example.com']);
    expect(slack.callsTo('chat.postMessage').map((c) => [c.args['channel'], String(c.args['text']).split(':')[0]])).toEqual([
      ['U0KATE', 'Access review for alice@example.com'],
      ['U0KATE', 'Access review for jamal@example.com'],
    ]);

    const status = await runWarden(['review', 'status', '--config', 'warden.yaml'], dir, env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/OPEN {2}scope department:Platform/);
    expect(status.stdout).toMatch(/2 people, \d+ items: 0 kept, 0 revoked \(0 verified, 0 open\), \d+ undecided; 0 reminded, 0 escalated/);

    const csv = await runWarden(['review', 'report', '--config', 'warden.yaml', '--out', 'review.csv'], dir, env);
    expect(csv.code).toBe(0);
    const lines = readFileSync(path.join(dir, 'review.csv'), 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('campaign,email,employee_id,full_name,role,department,reviewer,escalated_at,entitlement,kind,holder,role_allows,decision,decided_by,decided_at,decided_as,change,verified,change_run_id,change_detail');
    expect(lines.slice(1).every((l) => l.includes(',undecided,'))).toBe(true);

    const json = await runWarden(['review', 'report', '--config', 'warden.yaml', '--format', 'json'], dir, env);
    const parsed = JSON.parse(json.stdout) as { kind: string; summary: { people: number } };
    expect([parsed.kind, parsed.summary.people]).toEqual(['access-review', 2]);

    const tick = await runWarden(['review', 'tick', '--config', 'warden.yaml'], dir, env);
    expect([tick.code, tick.stdout]).toEqual([0, 'Review clock: 0 reminded, 0 escalated, 0 campaign(s) closed.\n']);

    const bad = await runWarden(['review', 'start', '--config', 'warden.yaml', '--scope', 'everyone'], dir, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--scope: "everyone" is not all, department:NAME or account:ID');
  });
});
