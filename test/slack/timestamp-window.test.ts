import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MAX_CLOCK_SKEW_SECONDS,
  checkRequestTimestamp,
  guardHttpListener,
  guardLambdaHandler,
  type AwsEvent,
  type AwsHandler,
} from '../../src/adapters/slack/request-hygiene';
import { createTestClock } from '../contract/audit-log.contract';

/*
 * Slack's replay window is five minutes either way: a request signed exactly 300 s from our clock is
 * accepted, 301 s is refused, in the past and in the future. The clock has a sub-second part on
 * purpose: Slack's timestamps are whole seconds.
 */

const NOW_MS = Date.parse('2026-11-26T12:00:00.750Z');
const NOW_S = Math.floor(NOW_MS / 1000);

describe('request timestamp window', () => {
  it('is 300 seconds', () => {
    expect(MAX_CLOCK_SKEW_SECONDS).toBe(300);
  });

  it.each([
    ['exactly 300 s old', -300, true],
    ['301 s old', -301, false],
    ['exactly 300 s in the future', 300, true],
    ['301 s in the future', 301, false],
    ['now', 0, true],
  ])('%s', (_name, offset, ok) => {
    expect(checkRequestTimestamp(String(NOW_S + offset), NOW_MS).ok).toBe(ok);
  });

  it('names the direction and the size of the skew when refusing', () => {
    expect(checkRequestTimestamp(String(NOW_S - 301), NOW_MS)).toEqual({ ok: false, reason: 'request timestamp is 301s old' });
    expect(checkRequestTimestamp(String(NOW_S + 301), NOW_MS)).toEqual({ ok: false, reason: 'request timestamp is 301s in the future' });
  });

  it('honours a configured window', () => {
    expect(checkRequestTimestamp(String(NOW_S - 60), NOW_MS, 60).ok).toBe(true);
    expect(checkRequestTimestamp(String(NOW_S - 61), NOW_MS, 60).ok).toBe(false);
  });

  it('refuses what is not a whole number of seconds', () => {
    for (const header of ['', 'abc', '1.5', '-300', '1e9', '1234567890123', `${NOW_S} 1`]) {
      expect(checkRequestTimestamp(header, NOW_MS)).toEqual({ ok: false, reason: 'request timestamp is not a number' });
    }
    expect(checkRequestTimestamp(` ${NOW_S} `, NOW_MS).ok).toBe(true);
  });

  it('leaves a missing header to the signature check', () => {
    expect(checkRequestTimestamp(undefined, NOW_MS)).toEqual({ ok: true });
  });
});

describe('the window in front of the Lambda handler', () => {
  const clock = createTestClock(new Date(NOW_MS).toISOString());
  const inner: AwsHandler = async () => ({ statusCode: 200, body: 'inner' });
  const event = (timestamp: number, key = 'X-Slack-Request-Timestamp') => ({ headers: { [key]: String(timestamp) }, body: '' }) as unknown as AwsEvent;

  it.each([
    [-300, 200],
    [-301, 401],
    [300, 200],
    [301, 401],
  ])('skew %i s -> %i', async (offset, status) => {
    const rejected: string[] = [];
    const handler = guardLambdaHandler(inner, { clock, onRejected: (reason) => rejected.push(reason) });
    const response = await handler(event(NOW_S + offset), {});
    expect(response.statusCode).toBe(status);
    expect(rejected).toHaveLength(status === 401 ? 1 : 0);
  });

  it('finds the header whatever its case', async () => {
    const handler = guardLambdaHandler(inner, { clock });
    expect((await handler(event(NOW_S - 301, 'x-slack-request-timestamp'), {})).statusCode).toBe(401);
  });
});

describe('the window in front of the HTTP listener', () => {
  let server: Server;
  let url: string;
  const clock = createTestClock(new Date(NOW_MS).toISOString());

  beforeAll(async () => {
    server = createServer(guardHttpListener((_req, res) => void res.writeHead(200).end('inner'), { clock }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([
    [-300, 200],
    [-301, 401],
    [300, 200],
    [301, 401],
  ])('skew %i s -> %i', async (offset, status) => {
    const response = await fetch(url, { method: 'POST', headers: { 'X-Slack-Request-Timestamp': String(NOW_S + offset) }, body: 'x' });
    expect(response.status).toBe(status);
  });
});
