import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import {
  MemorySeenStore,
  deliveryKey,
  dropRepeatedDeliveries,
  guardHttpListener,
  guardLambdaHandler,
  type AwsEvent,
  type AwsHandler,
} from '../../src/adapters/slack/request-hygiene';
import { createTestClock } from '../contract/audit-log.contract';

/*
 * The request guards without Bolt behind them: which requests reach the app, what a refused or
 * unknown request gets back, and how long a delivery id is remembered. A recording listener
 * stands in for Bolt, so each case shows exactly what got through.
 */

const NOW_MS = Date.parse('2026-11-26T12:00:00.000Z');
const NOW_S = NOW_MS / 1000;
const STALE = String(NOW_S - 600);

describe('guardHttpListener', () => {
  let server: Server;
  let base: string;
  let reached: string[];
  let inner: RequestListener;

  beforeAll(async () => {
    server = createServer(guardHttpListener((req, res) => inner(req, res), { clock: createTestClock(new Date(NOW_MS).toISOString()) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    reached = [];
    inner = (req, res) => {
      reached.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('app');
    };
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers GET /healthz itself with a plain "ok", whatever the timestamp, without reaching the app', async () => {
    const health = await fetch(`${base}/healthz?probe=1`, { headers: { 'X-Slack-Request-Timestamp': STALE } });

    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('text/plain');
    expect(await health.text()).toBe('ok');
    expect(reached).toEqual([]);
  });

  it('treats only GET /healthz as a health check: other methods and paths face the timestamp check and reach the app', async () => {
    const postHealth = await fetch(`${base}/healthz`, { method: 'POST', body: 'x', headers: { 'X-Slack-Request-Timestamp': STALE } });
    const getEvents = await fetch(`${base}/slack/events`, { headers: { 'X-Slack-Request-Timestamp': STALE } });
    const freshPost = await fetch(`${base}/healthz`, { method: 'POST', body: 'x', headers: { 'X-Slack-Request-Timestamp': String(NOW_S) } });
    const freshGet = await fetch(`${base}/slack/events`);

    expect([postHealth.status, getEvents.status]).toEqual([401, 401]);
    expect([await freshPost.text(), await freshGet.text()]).toEqual(['app', 'app']);
    expect(reached).toEqual(['POST /healthz', 'GET /slack/events']);
  });

  it('turns a path the app does not serve (the app throws) into 404', async () => {
    inner = () => {
      throw new Error('Unhandled HTTP request (GET) made to /nope');
    };

    const response = await fetch(`${base}/nope`);

    expect(response.status).toBe(404);
  });

  it('keeps the answer the app already sent when it throws afterwards, and keeps serving', async () => {
    inner = (_req, res) => {
      res.writeHead(202).end('accepted');
      throw new Error('failed after answering');
    };

    const first = await fetch(`${base}/slack/events`, { method: 'POST', body: 'x' });
    expect([first.status, await first.text()]).toEqual([202, 'accepted']);

    inner = (_req, res) => void res.writeHead(200).end('still here');
    const second = await fetch(`${base}/slack/events`, { method: 'POST', body: 'x' });
    expect(await second.text()).toBe('still here');
  });
});

describe('guardLambdaHandler', () => {
  it('refuses a stale request with an empty 401 and never calls Bolt', async () => {
    let called = 0;
    const inner: AwsHandler = async () => {
      called += 1;
      return { statusCode: 200, body: 'inner' };
    };
    const handler = guardLambdaHandler(inner, { clock: createTestClock(new Date(NOW_MS).toISOString()) });

    const response = await handler({ headers: { 'X-Slack-Request-Timestamp': STALE }, body: 'token=x' } as unknown as AwsEvent, {});

    expect(response).toEqual({ statusCode: 401, body: '' });
    expect(called).toBe(0);
  });
});

describe('deliveryKey on hostile bodies', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'event_id=Ev1'],
    ['a number', 42],
    ['an object whose ids are not strings', { event_id: 7, trigger_id: { id: 't' } }],
  ])('gives no key for %s (the delivery is processed, not dropped)', (_name, body) => {
    expect(deliveryKey(body)).toBeUndefined();
  });
});

describe('MemorySeenStore under a flood of distinct deliveries', () => {
  it('forgets expired ids when it grows past 10,000, but still remembers the live ones', async () => {
    const store = new MemorySeenStore();
    const t0 = new Date(NOW_MS);
    expect(await store.firstSeen('event:live', 60 * 60_000, t0)).toBe(true);
    for (let i = 0; i < 10_001; i += 1) await store.firstSeen(`event:flood-${i}`, 1000, t0);

    const later = new Date(NOW_MS + 2000);
    expect(await store.firstSeen('event:after-the-flood', 60 * 60_000, later)).toBe(true); // prunes here

    expect(await store.firstSeen('event:live', 60 * 60_000, later)).toBe(false);
    expect(await store.firstSeen('event:after-the-flood', 60 * 60_000, later)).toBe(false);
    expect(await store.firstSeen('event:flood-0', 1000, later)).toBe(true);
  });
});

describe('dropRepeatedDeliveries', () => {
  const run = async (middleware: Middleware<AnyMiddlewareArgs>, body: unknown) => {
    const seen = { next: 0, ack: 0, logs: [] as string[] };
    const args = {
      body,
      context: { retryNum: 2 },
      logger: { info: (message: string) => seen.logs.push(message) },
      next: async () => void (seen.next += 1),
      ack: async () => void (seen.ack += 1),
    };
    await middleware(args as unknown as Parameters<Middleware<AnyMiddlewareArgs>>[0]);
    return seen;
  };

  it('remembers a delivery for one hour by default: a repeat inside the hour is acknowledged and dropped, after it handled again', async () => {
    const clock = createTestClock(new Date(NOW_MS).toISOString());
    const middleware = dropRepeatedDeliveries(new MemorySeenStore(), clock);
    const body = { event_id: 'Ev0SECRETISH', type: 'event_callback' };

    expect(await run(middleware, body)).toEqual({ next: 1, ack: 0, logs: [] });

    clock.advance(60 * 60_000 - 1);
    const repeat = await run(middleware, body);
    expect(repeat).toMatchObject({ next: 0, ack: 1 });
    expect(repeat.logs).toEqual(['Dropped a repeated Slack delivery (event, retry 2)']);

    clock.advance(1);
    expect(await run(middleware, body)).toMatchObject({ next: 1, ack: 0 });
  });

  it('lets a body without a delivery id through every time', async () => {
    const middleware = dropRepeatedDeliveries(new MemorySeenStore(), createTestClock(new Date(NOW_MS).toISOString()));

    expect((await run(middleware, { type: 'url_verification' })).next).toBe(1);
    expect((await run(middleware, { type: 'url_verification' })).next).toBe(1);
  });
});
