import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderDemoTemplate } from '../../src/cli/commands/demo';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { parseSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { FakeSlackApi } from '../fakes/fake-slack-api';
import { createDummyCommand, sendToSlackApp } from '../fakes/slack-requests';

const repo = path.resolve(__dirname, '../..');
const bin = path.join(repo, 'bin/warden.js');
const ACCOUNT = '111122223333';
const SIGNING_SECRET = 'serve-e2e-signing-secret-3b7f';
const HR = 'U0HRLEAD';
const AUDITOR = 'U0AUDITOR';

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** The real `warden serve` in a child process, its stdout read as JSON lines. */
class ServeProcess {
  readonly lines: LogLine[] = [];
  readonly rawStdout: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private buffer = '';

  constructor(args: readonly string[], env: Record<string, string>, cwd: string) {
    this.child = spawn(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.read(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for a log line matching `predicate`; fails with everything logged so far. */
  async waitForLine(predicate: (line: LogLine) => boolean, what: string, timeoutMs = 15_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(predicate);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no log line for ${what}; stdout:\n${this.rawStdout.join('\n')}\nstderr:\n${this.stderr}`);
      }
      await sleep(50);
    }
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const text = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (text.trim() !== '') {
        this.rawStdout.push(text);
        try {
          this.lines.push(JSON.parse(text) as LogLine);
        } catch {
          // kept in rawStdout: the test asserts every line is JSON
        }
      }
      newline = this.buffer.indexOf('\n');
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function warden(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

jest.setTimeout(45_000);

describe('warden serve (real process, IAM sandbox, fake Slack)', () => {
  let sandbox: RunningSandbox;
  let slack: FakeSlackApi;
  let dir: string;
  let serve: ServeProcess;
  const now = new Date();

  beforeAll(async () => {
    const demo = path.join(repo, 'config/demo');
    const seed = parseSeed(parseYaml(renderDemoTemplate(readFileSync(path.join(demo, 'iam-seed.yaml'), 'utf8'), now)));
    if (!seed.ok) throw new Error(seed.errors.join('; '));
    sandbox = await startSandbox({ state: IamSandboxState.fromSeed(seed.seed) });
    slack = await new FakeSlackApi({ users: { U0BOB: { email: 'bob@example.com' } } }).start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-serve-'));
    writeFileSync(path.join(dir, 'roster.csv'), renderDemoTemplate(readFileSync(path.join(demo, 'roster.csv'), 'utf8'), now));
    // As the CLI e2e test: the account from the credentials, and no hosts (SSM is not served here).
    const config = readFileSync(path.join(demo, 'warden.yaml'), 'utf8')
      .replace(/^accounts:\n(\s+-.*\n)+/m, '')
      .replace(/^hosts:\n(\s+.*\n)+/m, '');
    writeFileSync(
      path.join(dir, 'warden.yaml'),
      `${config}\n# A slot that does not come round during the test: the start-up run is the one under test.\nschedule: "0 3 1 1 *"\n` +
        `slack:\n  channel: C0WARDEN\n  hr: { users: [${HR}] }\n  auditors: { users: [${AUDITOR}] }\n  secondApproverFor: none\n`,
    );
    serve = new ServeProcess(['serve', '--config', 'warden.yaml', '--port', '0', '--host', '127.0.0.1'], {
      SLACK_BOT_TOKEN: 'xoxb-serve-e2e-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      AWS_ENDPOINT_URL_IAM: sandbox.url,
      AWS_ENDPOINT_URL_STS: sandbox.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIATESTSERVE0000001',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    }, dir);
  });

  afterAll(async () => {
    // Only if a test failed before the SIGTERM test: never leave the daemon running.
    if ((serve as ServeProcess | undefined)?.running === true) {
      serve.signal('SIGKILL');
      await serve.exited;
    }
    await slack.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let eventsUrl: string;

  it('starts, reports where Slack reaches it and when the next run is, in JSON lines', async () => {
    const ready = await serve.waitForLine((l) => l.message === 'slack app ready', 'slack app ready');
    const started = await serve.waitForLine((l) => l.message === 'warden serve started', 'warden serve started');

    expect(ready['mode']).toBe('http');
    expect(ready['port']).toEqual(expect.any(Number));
    expect(ready['port']).not.toBe(0);
    eventsUrl = String(ready['url']);
    expect(eventsUrl).toBe(`http://127.0.0.1:${String(ready['port'])}/slack/events`);
    expect(started['schedule']).toBe('0 3 1 1 *');
    expect(new Date(String(started['nextRun'])).getTime()).toBeGreaterThan(Date.now());
    expect(slack.callsTo('auth.test')).not.toHaveLength(0);
  });

  it('reconciles at start-up and revokes the demo leavers in the sandbox', async () => {
    const finished = await serve.waitForLine((l) => l.message === 'startup run', 'startup run', 20_000);
    expect(finished['outcome']).toBe('ok');
    expect(sandbox.state.user(ACCOUNT, 'bob')?.accessKeys.map((k) => k.status)).toEqual(['Inactive', 'Inactive']);
    expect(sandbox.state.user(ACCOUNT, 'frank')).toBeUndefined();
    expect(sandbox.state.user(ACCOUNT, 'alice')?.accessKeys.every((k) => k.status === 'Active')).toBe(true);
    // The run summary went to the configured channel.
    expect(slack.callsTo('chat.postMessage').some((c) => c.args['channel'] === 'C0WARDEN')).toBe(true);
  });

  it('acknowledges a signed /offboard at once and opens the modal', async () => {
    const started = Date.now();
    const reply = await sendToSlackApp(eventsUrl, createDummyCommand({ command: '/offboard', text: 'bob@example.com', user_id: HR, response_url: slack.responseUrl('offboard') }), {
      secret: SIGNING_SECRET,
    });
    const ms = Date.now() - started;

    expect(reply.status).toBe(200);
    expect(ms).toBeLessThan(2500);
    const opened = await eventually(() => slack.callsTo('views.open')[0], 'views.open');
    expect((opened.args['view'] as { callback_id?: string }).callback_id).toBe('warden_offboard');
    expect(JSON.stringify(opened.args['view'])).toContain('bob@example.com');
  });

  it('refuses a forged signature with 401 and opens nothing', async () => {
    const before = slack.callsTo('views.open').length;
    const reply = await sendToSlackApp(eventsUrl, createDummyCommand({ command: '/offboard', user_id: HR, response_url: slack.responseUrl('forged') }), {
      secret: SIGNING_SECRET,
      signWith: 'not-the-signing-secret',
    });

    expect(reply.status).toBe(401);
    await sleep(200);
    expect(slack.callsTo('views.open')).toHaveLength(before);
  });

  it('answers /access history with what the person held over time, from the start-up snapshot', async () => {
    const reply = await sendToSlackApp(eventsUrl, createDummyCommand({ command: '/access', text: 'history bob@example.com', user_id: AUDITOR, response_url: slack.responseUrl('history') }), {
      secret: SIGNING_SECRET,
    });
    expect(reply.status).toBe(200);
    const answer = await eventually(() => slack.responsesTo('history')[0], 'history response');
    const text = JSON.stringify(answer.args['blocks']);
    expect(text).toContain('What they held');
    expect(text).toContain(`${ACCOUNT}/bob`);
    expect(text).toContain('deactivate-access-key');
  });

  it('stops on SIGTERM: logs stopping and stopped, exits 0, and leaves an intact audit chain', async () => {
    serve.signal('SIGTERM');
    const exit = await serve.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    const messages = serve.lines.map((l) => l.message);
    const stopping = messages.findIndex((m) => m.startsWith('stopping'));
    expect(stopping).toBeGreaterThan(-1);
    expect(messages.indexOf('stopped')).toBeGreaterThan(stopping);
    expect(serve.lines.find((l) => l.message.startsWith('stopping'))?.['signal']).toBe('SIGTERM');
    // Every stdout line is one JSON document with a level and the serve run id.
    expect(serve.rawStdout).toHaveLength(serve.lines.length);
    expect(serve.lines.every((l) => typeof l.level === 'string' && l['runId'] === 'serve')).toBe(true);
    expect(serve.stderr).toBe('');

    const verified = await warden(['audit', 'verify', '--config', 'warden.yaml'], dir);
    expect(verified.stdout).toMatch(/Audit chain intact: \d+ entries/);
    expect(verified.code).toBe(0);
  });
});
