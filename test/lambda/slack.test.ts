import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LambdaContainer, lambdaSettingsFromEnv } from '../../src/lambda/container';
import { createSlackHandler, type SlackAppInput } from '../../src/lambda/slack';
import { slackQueueOf } from '../../src/lambda/slack-app';
import type { HttpApiEvent } from '../../src/lambda/events';
import { startExampleSandbox, createTestClock } from '../sandbox/helpers';
import type { RunningSandbox } from '../../src/sandbox/server';
import { createDummyContext, createDummyHttpEvent, destroyClients, parameterStoreService, sandboxClients, type FakeParameter } from './helpers';

const parameters = new Map<string, FakeParameter>();
const clock = createTestClock('2026-11-26T12:00:00Z');
let sandbox: RunningSandbox;
let container: LambdaContainer;
let taskRoot: string;
const lines: string[] = [];
const deferred: unknown[] = [];

beforeAll(async () => {
  sandbox = await startExampleSandbox({ extraServices: [parameterStoreService(parameters)] });
  taskRoot = mkdtempSync(path.join(tmpdir(), 'warden-slack-'));
  writeFileSync(path.join(taskRoot, 'warden.yaml'), 'roster: { path: ./roster.csv }\nslack: { channel: C0123456789 }\n');
  const settings = lambdaSettingsFromEnv({
    WARDEN_CONFIG_FILE: 'warden.yaml',
    LAMBDA_TASK_ROOT: taskRoot,
    WARDEN_AUDIT_TABLE: 'unused',
    WARDEN_SLACK_SECRETS_PATH: '/warden/test/slack',
    WARDEN_PARAMETER_TTL_SECONDS: '60',
  });
  container = new LambdaContainer({
    settings,
    clients: sandboxClients(sandbox, 'http://127.0.0.1:9'),
    clock,
    logSink: (line) => lines.push(line),
    invoker: { invokeAsync: async (payload) => void deferred.push(payload) },
  });
});

afterAll(async () => {
  destroyClients(container.clients);
  await sandbox.close();
  rmSync(taskRoot, { recursive: true, force: true });
});

beforeEach(() => {
  parameters.set('/warden/test/slack/bot-token', { value: 'xoxb-1111-2222-secretbot', type: 'SecureString' });
  parameters.set('/warden/test/slack/signing-secret', { value: 'f00dfeedf00dfeed', type: 'SecureString' });
  lines.length = 0;
  deferred.length = 0;
});

/** A stand-in for the Slack adapter's factory: records what it was built with and echoes the request. */
function recordingFactory() {
  const builds: SlackAppInput[] = [];
  const served: HttpApiEvent[] = [];
  const factory = (input: SlackAppInput) => {
    builds.push(input);
    return async (event: HttpApiEvent) => {
      served.push(event);
      // Slow work leaves through the queue the real Slack app uses: one asynchronous worker invocation.
      await slackQueueOf(input.container).enqueue({ kind: 'home', userId: 'U0HR1' });
      return { statusCode: 200, body: '' };
    };
  };
  return { factory, builds, served };
}

describe('the Slack handler', () => {
  it('builds the Slack app once per container with the secrets from Parameter Store, and hands slow work to the worker', async () => {
    const { factory, builds, served } = recordingFactory();
    const handler = createSlackHandler({ container: async () => container, app: factory });
    const first = await handler(createDummyHttpEvent(), createDummyContext());
    const second = await handler(createDummyHttpEvent(), createDummyContext());
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(builds).toHaveLength(1);
    expect(builds[0]?.secrets).toEqual({ botToken: 'xoxb-1111-2222-secretbot', signingSecret: 'f00dfeedf00dfeed' });
    expect(builds[0]?.loaded.config.slack?.channel).toBe('C0123456789');
    expect(served).toHaveLength(2);
    expect(deferred).toEqual([
      { kind: 'slack-task', runId: expect.stringMatching(/^slack-home-/), task: { kind: 'home', userId: 'U0HR1' } },
      { kind: 'slack-task', runId: expect.stringMatching(/^slack-home-/), task: { kind: 'home', userId: 'U0HR1' } },
    ]);
    expect(lines.join('\n')).not.toMatch(/secretbot|f00dfeedf00dfeed/);
  });

  it('rebuilds the app once a rotated secret is read again', async () => {
    const { factory, builds } = recordingFactory();
    const handler = createSlackHandler({ container: async () => container, app: factory });
    await handler(createDummyHttpEvent(), createDummyContext());
    parameters.set('/warden/test/slack/signing-secret', { value: 'rotated-secret-2', type: 'SecureString' });
    clock.advance(61_000);
    await handler(createDummyHttpEvent(), createDummyContext());
    expect(builds.map((b) => b.secrets.signingSecret)).toEqual(['f00dfeedf00dfeed', 'rotated-secret-2']);
  });

  it('answers only POST /slack/events, and 503 while no Slack app is wired', async () => {
    const { factory, served } = recordingFactory();
    const handler = createSlackHandler({ container: async () => container, app: factory });
    const elsewhere = createDummyHttpEvent({ rawPath: '/admin', routeKey: '$default' });
    expect((await handler(elsewhere, createDummyContext())).statusCode).toBe(404);
    const get = createDummyHttpEvent();
    const asGet = { ...get, requestContext: { ...get.requestContext, http: { ...get.requestContext.http, method: 'GET' } } };
    expect((await handler(asGet, createDummyContext())).statusCode).toBe(405);
    expect((await handler({ not: 'http' }, createDummyContext())).statusCode).toBe(400);
    expect(served).toHaveLength(0);
    const unwired = createSlackHandler({ container: async () => container });
    expect((await unwired(createDummyHttpEvent(), createDummyContext())).statusCode).toBe(503);
  });

  it('hides failures behind a bare 500 and logs them with the request id', async () => {
    parameters.delete('/warden/test/slack/signing-secret');
    clock.advance(61_000);
    const { factory } = recordingFactory();
    const handler = createSlackHandler({ container: async () => container, app: factory });
    const response = await handler(createDummyHttpEvent(), createDummyContext());
    expect(response).toEqual({ statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'internal error' });
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.find((l) => l['level'] === 'error')).toMatchObject({ runId: 'slack-Jx1qKgTZoAMEVOw=', message: 'slack request failed' });
    expect(JSON.stringify(logged)).toContain('/warden/test/slack/signing-secret');
  });
});
