import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AnyMiddlewareArgs, AwsLambdaReceiver, Middleware } from '@slack/bolt';
import type { Clock } from '../../ports';

/** Bolt's Lambda handler types (not exported by name). */
export type AwsHandler = ReturnType<AwsLambdaReceiver['toHandler']>;
export type AwsEvent = Parameters<AwsHandler>[0];
export type AwsResponse = Awaited<ReturnType<AwsHandler>>;

/** Slack's replay window: requests signed more than this far from our clock, either way, are refused. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export type TimestampCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Checks `X-Slack-Request-Timestamp` against our clock in both directions (Bolt only refuses stale ones). A missing
 * header passes here: Bolt's signature check refuses it, except for Slack's unsigned `ssl_check` pings.
 */
export function checkRequestTimestamp(header: string | undefined, nowMs: number, maxSkewSeconds = MAX_CLOCK_SKEW_SECONDS): TimestampCheck {
  if (header === undefined) return { ok: true };
  if (!/^\d{1,12}$/.test(header.trim())) return { ok: false, reason: 'request timestamp is not a number' };
  const skew = Number(header) - Math.floor(nowMs / 1000);
  if (skew > maxSkewSeconds) return { ok: false, reason: `request timestamp is ${skew}s in the future` };
  if (-skew > maxSkewSeconds) return { ok: false, reason: `request timestamp is ${-skew}s old` };
  return { ok: true };
}

export interface HygieneOptions {
  readonly clock: Clock;
  readonly maxSkewSeconds?: number;
  readonly onRejected?: (reason: string) => void;
}

const firstHeader = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * Wraps Bolt's HTTP request listener: refuses out-of-window timestamps with 401 before Bolt reads the body, answers
 * `GET /healthz`, and turns unknown paths into 404 instead of an error.
 */
export function guardHttpListener(listener: RequestListener, options: HygieneOptions): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    const check = checkRequestTimestamp(firstHeader(req.headers['x-slack-request-timestamp']), options.clock.now().getTime(), options.maxSkewSeconds);
    if (!check.ok) {
      options.onRejected?.(check.reason);
      req.resume();
      res.writeHead(401).end();
      return;
    }
    try {
      listener(req, res);
    } catch {
      // Bolt throws for paths it does not serve (HTTPReceiverDeferredRequestError).
      req.resume();
      if (!res.headersSent) res.writeHead(404).end();
    }
  };
}

const headerOf = (headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined => {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
};

/** The same timestamp check in front of Bolt's AwsLambdaReceiver handler. */
export function guardLambdaHandler(handler: AwsHandler, options: HygieneOptions): AwsHandler {
  return async (event: AwsEvent, context: unknown): Promise<AwsResponse> => {
    const check = checkRequestTimestamp(headerOf(event.headers ?? {}, 'x-slack-request-timestamp'), options.clock.now().getTime(), options.maxSkewSeconds);
    if (!check.ok) {
      options.onRejected?.(check.reason);
      return { statusCode: 401, body: '' };
    }
    return handler(event, context);
  };
}

/** Remembers delivery ids for a while, so a retried or replayed delivery is recognised (memory now; a table for Lambda). */
export interface SeenStore {
  /** Records `key`; true the first time within `ttlMs`, false for a repeat. */
  firstSeen(key: string, ttlMs: number, now: Date): Promise<boolean>;
}

/** Per-process seen-set with expiry; enough for one `warden serve` process. */
export class MemorySeenStore implements SeenStore {
  private readonly expiries = new Map<string, number>();

  async firstSeen(key: string, ttlMs: number, now: Date): Promise<boolean> {
    const t = now.getTime();
    if (this.expiries.size > 10_000) for (const [k, expiry] of this.expiries) if (expiry <= t) this.expiries.delete(k);
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > t) return false;
    this.expiries.set(key, t + ttlMs);
    return true;
  }
}

/**
 * The id that is the same on every delivery of one thing and differs between things: the Events API `event_id`, or the
 * `trigger_id` of a command, button click or view submission (Slack issues a new one per user interaction).
 */
export function deliveryKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b['event_id'] === 'string') return `event:${b['event_id']}`;
  if (typeof b['trigger_id'] === 'string') return `trigger:${b['trigger_id']}`;
  return undefined;
}

/** Global Bolt middleware: a delivery seen before is acknowledged and dropped, so nothing is revoked or posted twice. */
export function dropRepeatedDeliveries(seen: SeenStore, clock: Clock, ttlMs = 60 * 60_000): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = deliveryKey(args.body);
    if (key === undefined || (await seen.firstSeen(key, ttlMs, clock.now()))) {
      await args.next();
      return;
    }
    args.logger.info(`Dropped a repeated Slack delivery (${key.slice(0, key.indexOf(':'))}, retry ${String(args.context.retryNum ?? 0)})`);
    const ack = (args as { ack?: (response?: unknown) => Promise<void> }).ack;
    if (ack !== undefined) await ack();
  };
}
