import type { SlackJob, WorkQueue } from '../../src/adapters/slack/work-queue';
import { createDummyCommand, createDummyEvent, signSlackRequest } from '../fakes/slack-requests';
import { AUDITOR, BOT_TOKEN, HR1, SIGNING_SECRET, startHarness, type Harness } from './harness';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('Slack request hygiene over the real HTTP receiver', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => h.slack.clear());

  const offboardCommand = () => createDummyCommand({ command: '/offboard', user_id: HR1, response_url: h.slack.responseUrl('cmd') });

  it('accepts a correctly signed command and acknowledges well within 3 seconds', async () => {
    const result = await h.send(offboardCommand());

    expect(result.status).toBe(200);
    expect(result.ms).toBeLessThan(3000);
    expect(h.slack.callsTo('views.open')).toHaveLength(1);
  });

  it('refuses a forged signature with 401 and does nothing', async () => {
    const result = await h.send(offboardCommand(), { signWith: 'not-the-secret' });

    expect(result.status).toBe(401);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('refuses a correctly signed request whose timestamp is more than 5 minutes old', async () => {
    const result = await h.send(offboardCommand(), { timestamp: nowSeconds() - 6 * 60 });

    expect(result.status).toBe(401);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(h.logs.some((l) => l.includes('Refused a Slack request') && l.includes('old'))).toBe(true);
  });

  it('refuses a correctly signed request whose timestamp is more than 5 minutes in the future', async () => {
    const result = await h.send(offboardCommand(), { timestamp: nowSeconds() + 6 * 60 });

    expect(result.status).toBe(401);
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect(h.logs.some((l) => l.includes('in the future'))).toBe(true);
  });

  it('accepts small clock skew either way', async () => {
    const behind = await h.send(offboardCommand(), { timestamp: nowSeconds() - 60 });
    const ahead = await h.send(offboardCommand(), { timestamp: nowSeconds() + 60 });

    expect([behind.status, ahead.status]).toEqual([200, 200]);
    expect(h.slack.callsTo('views.open')).toHaveLength(2);
  });

  it('handles a retried event delivery once (X-Slack-Retry-Num and the same event id)', async () => {
    const event = createDummyEvent({ type: 'app_home_opened', user: AUDITOR, channel: 'D0AUD', tab: 'home', event_ts: '1700000000.1' });

    const first = await h.send(event);
    const retry = await h.send(event, { headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(h.slack.callsTo('views.publish')).toHaveLength(1);
    expect(h.logs.some((l) => l.includes('Dropped a repeated Slack delivery (event, retry 1)'))).toBe(true);
  });

  it('answers health checks and 404s unknown paths', async () => {
    const base = h.url.replace('/slack/events', '');

    const health = await fetch(`${base}/healthz`);
    const unknown = await fetch(`${base}/nope`, { method: 'POST', body: 'x' });

    expect(health.status).toBe(200);
    expect(unknown.status).toBe(404);
  });

  it('never logs the signing secret or the bot token', () => {
    const all = h.logs.join('\n');

    expect(h.logs.length).toBeGreaterThan(0);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain(BOT_TOKEN);
  });
});

describe('Slack request hygiene on the Lambda receiver', () => {
  const jobs: SlackJob[] = [];
  const queue: WorkQueue = { enqueue: async (job) => void jobs.push(job) };
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ mode: { kind: 'lambda', signingSecret: SIGNING_SECRET }, queue });
  });

  afterAll(async () => {
    await h.close();
  });

  const lambdaEvent = (body: string, timestamp: number, secret = SIGNING_SECRET) => ({
    body,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signSlackRequest(secret, timestamp, body),
    },
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: {},
    stageVariables: null,
    httpMethod: 'POST',
    multiValueHeaders: {},
    multiValueQueryStringParameters: null,
    path: '/slack/events',
    resource: '/slack/events',
  });

  const statusCommand = () => createDummyCommand({ command: '/access', text: 'status', user_id: AUDITOR, response_url: h.slack.responseUrl('lambda') }).body;

  it('hands slow work to the queue and answers 200', async () => {
    const handler = h.app.lambdaHandler();

    const response = await handler(lambdaEvent(statusCommand(), nowSeconds()), {});

    expect(response.statusCode).toBe(200);
    expect(jobs.map((j) => j.kind)).toEqual(['status']);
  });

  it('refuses forged, stale and future requests with 401', async () => {
    const handler = h.app.lambdaHandler();
    jobs.length = 0;

    const forged = await handler(lambdaEvent(statusCommand(), nowSeconds(), 'forged'), {});
    const stale = await handler(lambdaEvent(statusCommand(), nowSeconds() - 400), {});
    const future = await handler(lambdaEvent(statusCommand(), nowSeconds() + 400), {});

    expect([forged.statusCode, stale.statusCode, future.statusCode]).toEqual([401, 401, 401]);
    expect(jobs).toEqual([]);
  });
});
