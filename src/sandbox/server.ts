import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log';
import { errorText } from '../errors';
import { apiError, type ApiError } from './errors';
import { FaultPlan } from './faults';
import { IAM_XML_NAMESPACE, iamService } from './iam-service';
import type { IamSandboxState } from './iam-state';
import type { ServiceCall, ServiceHandler, ServiceReply, WireProtocol } from './service';
import type { ObservedCall } from './cloudtrail';
import { stsService } from './sts-service';
import { TokenBuckets, type ThrottleOptions } from './throttle';
import { esc } from './xml';
import type { RestServiceHandler } from './s3';

/** What to serve and how: state, address, rate limit, planned faults, extra services. */
export interface SandboxOptions {
  readonly state: IamSandboxState;
  /** Defaults to 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Defaults to 0 (any free port; read the real one from `url`). */
  readonly port?: number;
  readonly throttle?: ThrottleOptions;
  readonly faults?: FaultPlan;
  /** More simulated services (SSM, Organizations…) served next to IAM and STS. */
  readonly extraServices?: readonly ServiceHandler[];
  /** Services spoken over REST (S3, src/sandbox/s3.ts), routed by their signing name before any Action is looked for. */
  readonly restServices?: readonly RestServiceHandler[];
  /** Told of every answered call by a known caller, throttled ones excepted (the sandbox's CloudTrail, cloudtrail.ts). */
  readonly observers?: readonly CallObserver[];
}

/** Sees each answered call after its reply is written (e.g. `CloudTrailLog.observe`). */
export type CallObserver = (observed: ObservedCall) => void;

/** A started sandbox: point SDK clients' `endpoint` at `url`. */
export interface RunningSandbox {
  readonly url: string;
  readonly state: IamSandboxState;
  readonly calls: CallLog;
  readonly faults: FaultPlan;
  /** Adds (or replaces) a simulated service, routed by its SigV4 signing name or `X-Amz-Target` prefix. */
  registerService(handler: ServiceHandler): void;
  registerService(name: string, handler: ServiceHandler): void;
  /** Changes (or with undefined, removes) the rate limit while running. */
  setThrottle(throttle: ThrottleOptions | undefined): void;
  /** Adds an observer of answered calls (the sandbox's CloudTrail). */
  observe(observer: CallObserver): void;
  close(): Promise<void>;
}

interface Credential {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

type Parsed = { readonly kind: 'ok'; readonly credential: Credential } | { readonly kind: 'missing' } | { readonly kind: 'malformed' };

const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Starts the local AWS sandbox (IAM + STS over their real wire protocols, plus any extra services). */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const services = new Map<string, ServiceHandler>();
  const register = (name: string, handler: ServiceHandler) => services.set(name, handler);
  for (const handler of [iamService(), stsService(), ...(options.extraServices ?? [])]) register(handler.name, handler);
  const calls = new CallLog();
  const restServices = new Map((options.restServices ?? []).map((r) => [r.name, r]));
  const faults = options.faults ?? new FaultPlan();
  let buckets = options.throttle ? new TokenBuckets(options.throttle) : undefined;
  const observers: CallObserver[] = [...(options.observers ?? [])];

  const findService = (scopeService: string | undefined, target: string | undefined): ServiceHandler | undefined => {
    const byScope = scopeService !== undefined ? services.get(scopeService) : undefined;
    if (byScope) return byScope;
    if (target === undefined) return undefined;
    const prefix = target.slice(0, target.lastIndexOf('.'));
    for (const handler of services.values()) if (handler.targetPrefix !== undefined && handler.targetPrefix === prefix) return handler;
    return undefined;
  };

  /** Serves one request; resolves to the HTTP status sent. */
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const requestId = randomUUID();
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const target = header(req, 'x-amz-target');
    const auth = parseCredential(header(req, 'authorization'), url.searchParams.get('X-Amz-Credential'));
    const fallback: ServiceHandler = target !== undefined ? (findService(undefined, target) ?? GENERIC_JSON) : GENERIC_QUERY;
    if (auth.kind === 'missing') {
      return send(res, fallback, undefined, requestId, { kind: 'error', error: apiError('MissingAuthenticationToken', 'Request is missing Authentication Token') });
    }
    if (auth.kind === 'malformed') {
      return send(res, fallback, undefined, requestId, {
        kind: 'error',
        error: apiError('IncompleteSignature', "Authorization header requires 'Credential' parameter in the form AKID/date/region/service/aws4_request."),
      });
    }
    const { credential } = auth;
    const rest = restServices.get(credential.service);
    if (rest !== undefined) return serveRest(rest, req, res, url, raw, requestId, credential, options.state, calls);
    const service = findService(credential.service, target);
    if (!service) {
      return send(res, fallback, undefined, requestId, {
        kind: 'error',
        error: apiError('UnrecognizedService', `The sandbox does not simulate the '${credential.service}' service.`),
      });
    }
    const json = service.protocol !== 'awsQuery';
    const params = new Map<string, string>(url.searchParams);
    if (!json) for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    const action = json ? (target?.slice(target.lastIndexOf('.') + 1) ?? '') : (params.get('Action') ?? '');
    if (action === '') {
      return send(res, service, undefined, requestId, { kind: 'error', error: apiError('MissingAction', 'Could not find operation for the request: no Action given.') });
    }

    let observed: ServiceCall | undefined;
    const outcome = await (async (): Promise<{ account: string; reply: ServiceReply }> => {
      const caller = options.state.resolveCaller(credential.accessKeyId);
      if (!caller.ok) return { account: '', reply: { kind: 'error', error: caller.error } };
      const account = caller.value.account;
      if (buckets && !buckets.take(`${service.name}:${account}`)) {
        return { account, reply: { kind: 'error', error: apiError(service.throttlingCode ?? 'Throttling', 'Rate exceeded', 400) } };
      }
      const fault = faults.take({ service: service.name, action, account, params: json ? jsonParams(body) : params });
      if (fault) return { account, reply: { kind: 'error', error: fault } };
      let input: unknown;
      if (json) {
        try {
          input = body.trim() === '' ? {} : JSON.parse(body);
        } catch {
          return { account, reply: { kind: 'error', error: apiError('SerializationException', 'Request body is not valid JSON.') } };
        }
      }
      const call: ServiceCall = {
        service: service.name,
        action,
        caller: caller.value,
        account,
        accessKeyId: credential.accessKeyId,
        region: credential.region,
        requestId,
        params,
        input,
        state: options.state,
      };
      observed = call;
      try {
        const reply = await service.handle(call);
        return { account, reply };
      } catch (error) {
        const message = errorText(error);
        return { account, reply: { kind: 'error', error: apiError(json ? 'InternalServerError' : 'ServiceFailure', `Sandbox handler crashed: ${message}`, 500) } };
      }
    })();

    const status = send(res, service, action, requestId, outcome.reply);
    calls.record({
      service: service.name,
      action,
      account: outcome.account,
      status,
      ...(outcome.reply.kind === 'error' ? { errorCode: outcome.reply.error.code } : {}),
    });
    if (observed !== undefined) {
      const userAgent = header(req, 'user-agent');
      const seen: ObservedCall = { call: observed, reply: outcome.reply, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', ...(userAgent !== undefined ? { userAgent } : {}) };
      for (const observer of observers) observer(seen);
    }
    return status;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end(errorText(error));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? (address.address === '::' ? '127.0.0.1' : `[${address.address}]`) : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;

  return {
    url: `http://${host}:${address.port}`,
    state: options.state,
    calls,
    faults,
    registerService(nameOrHandler: string | ServiceHandler, maybeHandler?: ServiceHandler): void {
      const handler = typeof nameOrHandler === 'string' ? maybeHandler : nameOrHandler;
      if (!handler) throw new Error('registerService needs a handler');
      register(typeof nameOrHandler === 'string' ? nameOrHandler : handler.name, handler);
    },
    observe(observer) {
      observers.push(observer);
    },
    setThrottle(throttle) {
      buckets = throttle ? new TokenBuckets(throttle) : undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // SDK clients keep sockets alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

const GENERIC_QUERY: ServiceHandler = {
  name: 'unknown',
  protocol: 'awsQuery',
  xmlNamespace: IAM_XML_NAMESPACE,
  handle: () => ({ kind: 'error', error: apiError('InvalidAction', 'No such service') }),
};

const GENERIC_JSON: ServiceHandler = {
  name: 'unknown',
  protocol: 'awsJson1_1',
  handle: () => ({ kind: 'error', error: apiError('UnknownOperationException', 'No such service') }),
};

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseCredential(authorization: string | undefined, presigned: string | null): Parsed {
  const scope = authorization !== undefined ? /Credential=([^,\s]+)/.exec(authorization)?.[1] : (presigned ?? undefined);
  if (authorization === undefined && presigned === null) return { kind: 'missing' };
  const match = scope !== undefined ? CREDENTIAL.exec(scope) : null;
  if (!match) return { kind: 'malformed' };
  return { kind: 'ok', credential: { accessKeyId: match[1] as string, region: match[3] as string, service: match[4] as string } };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function serveRest(
  rest: RestServiceHandler,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  requestId: string,
  credential: Credential,
  state: IamSandboxState,
  calls: CallLog,
): Promise<number> {
  const caller = state.resolveCaller(credential.accessKeyId);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  const reply = await rest.serve({ method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers, body, requestId });
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.setHeader('x-amz-request-id', requestId);
  const payload = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  if (!('content-length' in reply.headers)) res.setHeader('content-length', payload.length);
  res.end(req.method === 'HEAD' ? undefined : payload);
  calls.record({
    service: rest.name,
    action: reply.action,
    account: caller.ok ? caller.value.account : '',
    status: reply.status,
    ...(reply.errorCode !== undefined ? { errorCode: reply.errorCode } : {}),
  });
  return reply.status;
}

/** Writes the reply in the service's protocol; returns the HTTP status sent. */
function send(res: ServerResponse, service: ServiceHandler, action: string | undefined, requestId: string, reply: ServiceReply): number {
  const { status, contentType, body, errorCode } = render(service.protocol, service.xmlNamespace ?? IAM_XML_NAMESPACE, action, requestId, reply);
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('x-amzn-RequestId', requestId);
  if (errorCode !== undefined && service.protocol !== 'awsQuery') res.setHeader('x-amzn-ErrorType', errorCode);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
  return status;
}

function render(
  protocol: WireProtocol,
  namespace: string,
  action: string | undefined,
  requestId: string,
  reply: ServiceReply,
): { status: number; contentType: string; body: string; errorCode?: string } {
  const jsonType = protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  switch (reply.kind) {
    case 'error':
      return protocol === 'awsQuery'
        ? { status: reply.error.status, contentType: 'text/xml', body: queryError(namespace, requestId, reply.error), errorCode: reply.error.code }
        : { status: reply.error.status, contentType: jsonType, body: JSON.stringify({ __type: reply.error.code, message: reply.error.message }), errorCode: reply.error.code };
    case 'xml': {
      const name = action ?? 'Unknown';
      const result = reply.result === null ? '' : `<${name}Result>${reply.result}</${name}Result>`;
      const body = `<${name}Response xmlns="${namespace}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${name}Response>`;
      return { status: 200, contentType: 'text/xml', body };
    }
    case 'json':
      return { status: 200, contentType: jsonType, body: JSON.stringify(reply.body ?? {}) };
    default: {
      const never: never = reply;
      return never;
    }
  }
}

function queryError(namespace: string, requestId: string, error: ApiError): string {
  return (
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${esc(error.code)}</Code>` +
    `<Message>${esc(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** Top-level string members of a JSON request, so fault rules can match JSON services' parameters too. */
function jsonParams(body: string): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') found.set(key, value);
    }
  } catch {
    // The handler reports malformed JSON; a fault rule simply does not match it.
  }
  return found;
}
