import { apiError, fail, invalidParameter, missingParameter, ok, type ApiError, type Outcome } from './errors';
import type { CallerIdentity, IamSandboxState } from './iam-state';
import { DEFAULT_MAX_ITEMS, type PageRequest } from './paginate';

/** Wire protocols the sandbox speaks; each decides how requests are read and errors are written. */
export type WireProtocol = 'awsQuery' | 'awsJson1_0' | 'awsJson1_1';

/** One authenticated API call, as a service handler sees it. */
export interface ServiceCall {
  /** SigV4 signing name, e.g. `iam`, `sts`, `ssm`. */
  readonly service: string;
  readonly action: string;
  readonly caller: CallerIdentity;
  /** The caller's account: where the call reads and writes. */
  readonly account: string;
  readonly accessKeyId: string;
  readonly region: string;
  readonly requestId: string;
  /** awsQuery form parameters (`UserName`, `Filter.member.1`…); empty for JSON protocols. */
  readonly params: ReadonlyMap<string, string>;
  /** Parsed JSON body for JSON protocols; undefined for awsQuery. */
  readonly input: unknown;
  readonly state: IamSandboxState;
}

/** What a handler answers; the server renders it in the handler's protocol. */
export type ServiceReply =
  /** awsQuery success: the inner XML of `<ActionResult>`, or null for operations without output. */
  | { readonly kind: 'xml'; readonly result: string | null }
  | { readonly kind: 'json'; readonly body: unknown }
  | { readonly kind: 'error'; readonly error: ApiError };

/** A simulated AWS service; register more with `RunningSandbox.registerService` or `startSandbox({ extraServices })`. */
export interface ServiceHandler {
  /** SigV4 signing name the SDK puts in the credential scope (`iam`, `sts`, `ssm`, `organizations`). */
  readonly name: string;
  readonly protocol: WireProtocol;
  /** awsQuery response namespace, e.g. `https://iam.amazonaws.com/doc/2010-05-08/`. */
  readonly xmlNamespace?: string;
  /** JSON protocols: the `X-Amz-Target` prefix before the dot, e.g. `AmazonSSM`. */
  readonly targetPrefix?: string;
  /** Error code for throttled calls (`Throttling` for IAM/STS, `ThrottlingException` for most JSON services). */
  readonly throttlingCode?: string;
  handle(call: ServiceCall): ServiceReply | Promise<ServiceReply>;
}

/** Serves one action of a service. */
export type ActionHandler = (call: ServiceCall) => ServiceReply | Promise<ServiceReply>;

/** Turns an Outcome into a reply: the error as an AWS error, the value rendered by `render`. */
export function reply<T>(outcome: Outcome<T>, render: (value: T) => ServiceReply): ServiceReply {
  return outcome.ok ? render(outcome.value) : { kind: 'error', error: outcome.error };
}

/** awsQuery success reply. */
export const xmlReply = (result: string | null): ServiceReply => ({ kind: 'xml', result });
/** JSON-protocol success reply. */
export const jsonReply = (body: unknown): ServiceReply => ({ kind: 'json', body });
/** AWS error reply, rendered in the service's protocol. */
export const errorReply = (code: string, message: string, status?: number): ServiceReply => ({ kind: 'error', error: apiError(code, message, status) });

/** Builds an awsQuery service from an action table; unknown actions answer `InvalidAction` like AWS. */
export function queryService(spec: {
  readonly name: string;
  readonly xmlNamespace: string;
  readonly version: string;
  readonly actions: Readonly<Record<string, ActionHandler>>;
}): ServiceHandler {
  return {
    name: spec.name,
    protocol: 'awsQuery',
    xmlNamespace: spec.xmlNamespace,
    throttlingCode: 'Throttling',
    handle(call) {
      const action = Object.prototype.hasOwnProperty.call(spec.actions, call.action) ? spec.actions[call.action] : undefined;
      if (!action) return errorReply('InvalidAction', `Could not find operation ${call.action} for version ${spec.version}`);
      return action(call);
    },
  };
}

/** Builds a JSON-protocol service (SSM, Organizations…) from an action table keyed by operation name. */
export function jsonService(spec: {
  readonly name: string;
  readonly targetPrefix: string;
  readonly protocol?: 'awsJson1_0' | 'awsJson1_1';
  readonly actions: Readonly<Record<string, ActionHandler>>;
}): ServiceHandler {
  return {
    name: spec.name,
    protocol: spec.protocol ?? 'awsJson1_1',
    targetPrefix: spec.targetPrefix,
    throttlingCode: 'ThrottlingException',
    handle(call) {
      const action = Object.prototype.hasOwnProperty.call(spec.actions, call.action) ? spec.actions[call.action] : undefined;
      if (!action) return errorReply('UnknownOperationException', `Unknown operation ${spec.targetPrefix}.${call.action}`);
      return action(call);
    },
  };
}

/** Typed access to awsQuery form parameters, with AWS's validation errors. */
export class QueryParams {
  constructor(private readonly params: ReadonlyMap<string, string>) {}

  optional(name: string): string | undefined {
    return this.params.get(name);
  }

  required(name: string): Outcome<string> {
    const value = this.params.get(name);
    return value === undefined || value === '' ? missingParameter(name) : ok(value);
  }

  /** `Name.member.1`, `Name.member.2`… in order (an empty `Name=` means an empty list). */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const value = this.params.get(`${name}.member.${i}`);
      if (value === undefined) return out;
      out.push(value);
    }
  }

  bool(name: string): boolean | undefined {
    const value = this.params.get(name);
    return value === undefined ? undefined : value === 'true';
  }

  int(name: string): Outcome<number | undefined> {
    const value = this.params.get(name);
    if (value === undefined) return ok(undefined);
    const n = Number(value);
    return Number.isInteger(n) ? ok(n) : invalidParameter(name, value, 'Member must be an integer');
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): Outcome<T | undefined> {
    const value = this.params.get(name);
    if (value === undefined) return ok(undefined);
    return (allowed as readonly string[]).includes(value)
      ? ok(value as T)
      : invalidParameter(name, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }

  /** Marker and MaxItems (1-1000, default 100) of a paginated IAM call. */
  page(): Outcome<PageRequest> {
    const maxItems = this.int('MaxItems');
    if (!maxItems.ok) return maxItems;
    const n = maxItems.value ?? DEFAULT_MAX_ITEMS;
    if (n < 1) return invalidParameter('MaxItems', String(n), 'Member must have value greater than or equal to 1');
    if (n > 1000) return invalidParameter('MaxItems', String(n), 'Member must have value less than or equal to 1000');
    const marker = this.params.get('Marker');
    if (marker === '') return fail('InvalidInput', 'Invalid Marker.');
    return ok(marker === undefined ? { maxItems: n } : { maxItems: n, marker });
  }
}
