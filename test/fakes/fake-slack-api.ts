import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

/** One call the app made to the fake Slack: a Web API method, or a post to a `response_url`. */
export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly at: number;
}

export interface FakeSlackUser {
  readonly email?: string;
  readonly tz?: string;
  readonly realName?: string;
}

export interface FakeSlackOptions {
  readonly users?: Readonly<Record<string, FakeSlackUser>>;
  readonly userGroups?: Readonly<Record<string, readonly string[]>>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** Form fields the WebClient JSON-encodes (blocks, view) come back as objects. */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parseQuery(text))) {
    const v = Array.isArray(value) ? value[0] : value;
    if (typeof v === 'string' && /^[[{]/.test(v)) {
      try {
        out[key] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // not JSON after all: keep the text
      }
    }
    out[key] = v;
  }
  return out;
}

/**
 * A local stand-in for Slack's Web API (`slackApiUrl` points at `/api/`) and for `response_url`s (`/respond/<id>`),
 * recording every call. Implements only the methods Warden calls.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private port = 0;
  private ts = 1_700_000_000;
  private viewSeq = 0;
  private readonly users: Map<string, FakeSlackUser>;
  private readonly userGroups: Map<string, readonly string[]>;
  private readonly failures = new Map<string, string>();

  constructor(options: FakeSlackOptions = {}) {
    this.users = new Map(Object.entries(options.users ?? {}));
    this.userGroups = new Map(Object.entries(options.userGroups ?? {}));
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        let reply: Record<string, unknown>;
        if (path.startsWith('/respond/')) {
          this.calls.push({ method: `response_url:${path.slice('/respond/'.length)}`, args: JSON.parse(body) as Record<string, unknown>, at: Date.now() });
          reply = { ok: true };
        } else {
          const method = path.replace(/^\/api\//, '');
          const args = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(body) as Record<string, unknown>) : parseForm(body);
          this.calls.push({ method, args, at: Date.now() });
          const failure = this.failures.get(method);
          reply = failure !== undefined ? { ok: false, error: failure } : this.answer(method, args);
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** The Web API base URL (`SLACK_API_URL`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A `response_url` that records what is posted to it. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/respond/${id}`;
  }

  /** Makes every later call of `method` fail with Slack error `error`; `undefined` heals it. */
  failMethod(method: string, error: string | undefined): void {
    if (error === undefined) this.failures.delete(method);
    else this.failures.set(method, error);
  }

  setUserGroup(id: string, members: readonly string[]): void {
    this.userGroups.set(id, members);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  responsesTo(id: string): RecordedCall[] {
    return this.callsTo(`response_url:${id}`);
  }

  clear(): void {
    this.calls.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private nextTs(): string {
    this.ts += 1;
    return `${this.ts}.000100`;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'UWARDENBOT', bot_id: 'BWARDEN', team_id: 'T0WARDEN', team: 'Example', url: 'https://example.slack.com/' };
      case 'chat.postMessage':
        return { ok: true, channel: args['channel'], ts: this.nextTs(), message: { text: args['text'] } };
      case 'chat.update':
        return { ok: true, channel: args['channel'], ts: args['ts'] };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
      case 'views.update':
      case 'views.publish': {
        this.viewSeq += 1;
        const id = typeof args['view_id'] === 'string' ? args['view_id'] : `V${String(this.viewSeq).padStart(8, '0')}`;
        return { ok: true, view: { id, ...(args['view'] as object) } };
      }
      case 'usergroups.users.list': {
        const members = this.userGroups.get(String(args['usergroup']));
        return members === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: members };
      }
      case 'users.info': {
        const id = String(args['user']);
        const user = this.users.get(id);
        if (user === undefined) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id, tz: user.tz, real_name: user.realName, profile: { email: user.email } } };
      }
      case 'users.lookupByEmail': {
        const email = String(args['email']).toLowerCase();
        const found = [...this.users].find(([, u]) => u.email?.toLowerCase() === email);
        return found === undefined ? { ok: false, error: 'users_not_found' } : { ok: true, user: { id: found[0] } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
