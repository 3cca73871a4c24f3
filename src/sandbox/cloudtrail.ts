import { randomUUID } from 'node:crypto';
import type { ApiError } from './errors';
import type { CallerIdentity } from './iam-state';
import { errorReply, jsonReply, jsonService, type ServiceCall, type ServiceHandler, type ServiceReply } from './service';
import { TokenBuckets } from './throttle';

/**
 * CloudTrail for the sandbox: every call the sandbox answers for a known caller becomes a management event (who signed
 * it, when, from where, with what parameters), and `LookupEvents` answers over CloudTrail's own JSON protocol with its
 * limits (one lookup attribute, 50 events a page, 2 requests per second per account). `eventBridgeEvent` wraps a record
 * the way EventBridge delivers "AWS API Call via CloudTrail" to a rule's target.
 */

/** What the server tells observers about one answered call. */
export interface ObservedCall {
  readonly call: ServiceCall;
  readonly reply: ServiceReply;
  /** The client's address as the server saw it (CloudTrail's `sourceIPAddress`). */
  readonly sourceIp: string;
  readonly userAgent?: string;
}

/** A CloudTrail record (eventVersion 1.09), the JSON `CloudTrailEvent` carries and EventBridge puts in `detail`. */
export interface CloudTrailRecord {
  readonly eventVersion: string;
  readonly userIdentity: Readonly<Record<string, unknown>>;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: null;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: true;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

interface Stored {
  readonly seq: number;
  readonly at: Date;
  readonly record: CloudTrailRecord;
  readonly username: string | undefined;
  readonly accessKeyId: string;
  readonly resources: readonly { readonly ResourceType: string; readonly ResourceName: string }[];
}

/** Signing names whose calls CloudTrail records under `<name>.amazonaws.com`; CloudTrail's own lookups are not kept. */
const EVENT_SOURCE: Readonly<Record<string, string>> = {
  iam: 'iam.amazonaws.com',
  sts: 'sts.amazonaws.com',
  sso: 'sso.amazonaws.com',
  identitystore: 'identitystore.amazonaws.com',
  ssm: 'ssm.amazonaws.com',
  organizations: 'organizations.amazonaws.com',
};

const READ_ONLY = /^(Get|List|Describe|Lookup|Search)/;
/** CloudTrail never writes these parameters' values (passwords, secrets, private keys). */
const SECRET_PARAMETER = /password|secret|privatekey/i;
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
/** CloudTrail keeps 90 days of management events for LookupEvents; the sandbox keeps at most this many per account. */
const MAX_EVENTS_PER_ACCOUNT = 100_000;

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const isoSeconds = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

function identityOf(caller: CallerIdentity, accessKeyId: string): { identity: Record<string, unknown>; username: string | undefined } {
  switch (caller.kind) {
    case 'root':
      return { identity: { type: 'Root', principalId: caller.userId, arn: caller.arn, accountId: caller.account, accessKeyId }, username: 'root' };
    case 'user':
      return {
        identity: { type: 'IAMUser', principalId: caller.userId, arn: caller.arn, accountId: caller.account, accessKeyId, userName: caller.userName },
        username: caller.userName,
      };
    case 'assumed-role': {
      const session = caller.arn.slice(caller.arn.lastIndexOf('/') + 1);
      return {
        identity: {
          type: 'AssumedRole',
          principalId: caller.userId,
          arn: caller.arn,
          accountId: caller.account,
          accessKeyId,
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: caller.userId.split(':')[0], arn: `arn:aws:iam::${caller.account}:role/${caller.roleName}`, accountId: caller.account, userName: caller.roleName },
          },
        },
        username: session,
      };
    }
    default: {
      const never: never = caller;
      return never;
    }
  }
}

/** A JSON request's members as CloudTrail writes them: lower-camel names at every level, secrets hidden. */
function camelMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelMembers);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [lowerFirst(key), SECRET_PARAMETER.test(key) ? HIDDEN : camelMembers(v)]));
}

/** The request's parameters as CloudTrail writes them: lower-camel names, secrets hidden, query list members kept as given. */
function requestParameters(call: ServiceCall): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  if (call.input !== undefined) {
    if (call.input !== null && typeof call.input === 'object' && !Array.isArray(call.input)) Object.assign(out, camelMembers(call.input));
  } else {
    for (const [key, value] of call.params) {
      if (key === 'Action' || key === 'Version') continue;
      out[lowerFirst(key)] = SECRET_PARAMETER.test(key) ? HIDDEN : value;
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

function resourcesOf(parameters: Readonly<Record<string, unknown>> | null): { ResourceType: string; ResourceName: string }[] {
  if (parameters === null) return [];
  const named: [string, string][] = [
    ['userName', 'AWS::IAM::User'],
    ['accessKeyId', 'AWS::IAM::AccessKey'],
    ['groupName', 'AWS::IAM::Group'],
    ['policyArn', 'AWS::IAM::Policy'],
  ];
  return named.flatMap(([key, type]) => (typeof parameters[key] === 'string' ? [{ ResourceType: type, ResourceName: parameters[key] }] : []));
}

/** The lookup attributes CloudTrail accepts. */
const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

/** Every management event the sandbox answered, per account, newest last. */
export class CloudTrailLog {
  private readonly byAccount = new Map<string, Stored[]>();
  private seq = 0;

  /** Records one answered call (a CallObserver: pass `trail.observe` to the server). Calls by no known caller are not kept. */
  readonly observe = (observed: ObservedCall): void => {
    const { call, reply } = observed;
    const source = EVENT_SOURCE[call.service];
    if (source === undefined || call.account === '') return;
    const at = call.state.now();
    const { identity, username } = identityOf(call.caller, call.accessKeyId);
    const parameters = requestParameters(call);
    const error: ApiError | undefined = reply.kind === 'error' ? reply.error : undefined;
    const record: CloudTrailRecord = {
      eventVersion: '1.09',
      userIdentity: identity,
      eventTime: isoSeconds(at),
      eventSource: source,
      eventName: call.action,
      awsRegion: call.region,
      sourceIPAddress: observed.sourceIp,
      userAgent: observed.userAgent ?? 'aws-sdk-js',
      requestParameters: parameters,
      responseElements: null,
      requestID: call.requestId,
      eventID: randomUUID(),
      readOnly: READ_ONLY.test(call.action),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: call.account,
      eventCategory: 'Management',
      ...(error !== undefined ? { errorCode: error.code, errorMessage: error.message } : {}),
    };
    this.append(call.account, { seq: ++this.seq, at, record, username, accessKeyId: call.accessKeyId, resources: resourcesOf(parameters) });
  };

  private append(account: string, stored: Stored): void {
    const list = this.byAccount.get(account) ?? [];
    list.push(stored);
    if (list.length > MAX_EVENTS_PER_ACCOUNT) list.splice(0, list.length - MAX_EVENTS_PER_ACCOUNT);
    this.byAccount.set(account, list);
  }

  /** Every record of an account, oldest first (tests and the bench pick the event they hand to a handler). */
  records(account: string): readonly CloudTrailRecord[] {
    return (this.byAccount.get(account) ?? []).map((s) => s.record);
  }

  /** The newest record of `eventName` in the account, if any. */
  latest(account: string, eventName: string): CloudTrailRecord | undefined {
    const list = this.byAccount.get(account) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]?.record.eventName === eventName) return list[i]?.record;
    return undefined;
  }

  /** LookupEvents' filter, newest first, before paging. */
  query(account: string, filter: { key?: AttributeKey; value?: string; start: Date; end: Date; beforeSeq?: number }): Stored[] {
    const list = this.byAccount.get(account) ?? [];
    const out: Stored[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i] as Stored;
      if (filter.beforeSeq !== undefined && s.seq >= filter.beforeSeq) continue;
      const t = Math.floor(s.at.getTime() / 1000) * 1000;
      if (t < filter.start.getTime() || t > filter.end.getTime()) continue;
      if (filter.key !== undefined && !matches(s, filter.key, filter.value ?? '')) continue;
      out.push(s);
    }
    return out;
  }
}

function matches(s: Stored, key: AttributeKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return s.record.eventID === value;
    case 'EventName':
      return s.record.eventName === value;
    case 'ReadOnly':
      return String(s.record.readOnly) === value;
    case 'Username':
      return s.username === value;
    case 'ResourceType':
      return s.resources.some((r) => r.ResourceType === value);
    case 'ResourceName':
      return s.resources.some((r) => r.ResourceName === value);
    case 'EventSource':
      return s.record.eventSource === value;
    case 'AccessKeyId':
      return s.accessKeyId === value;
    default: {
      const never: never = key;
      return never;
    }
  }
}

export interface CloudTrailSandboxOptions {
  /** LookupEvents' rate per account (AWS: 2 per second); `false` for none. */
  readonly lookupRate?: { readonly ratePerSecond: number; readonly burst?: number } | false;
  /** Clock of the rate limiter (ms, monotonic); tests step it. */
  readonly now?: () => number;
}

const MAX_RESULTS = 50;
const RETENTION_MS = 90 * 24 * 3600 * 1000;

const toDate = (value: unknown): Date | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string' && value !== '') {
    const d = new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
};

const encodeToken = (seq: number): string => Buffer.from(`ct:${seq}`).toString('base64');
function decodeToken(token: unknown): number | undefined {
  if (typeof token !== 'string') return undefined;
  const match = /^ct:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/** CloudTrail (awsJson1_1, `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`): LookupEvents over a CloudTrailLog. */
export function cloudTrailService(log: CloudTrailLog, options: CloudTrailSandboxOptions = {}): ServiceHandler {
  const rate = options.lookupRate === undefined ? { ratePerSecond: 2, burst: 2 } : options.lookupRate;
  const buckets = rate === false ? undefined : new TokenBuckets(rate, options.now);
  const lookupEvents = (call: ServiceCall): ServiceReply => {
    if (buckets !== undefined && !buckets.take(call.account)) return errorReply('ThrottlingException', 'Rate exceeded');
    const input = (call.input ?? {}) as Record<string, unknown>;
    const attributes = Array.isArray(input['LookupAttributes']) ? (input['LookupAttributes'] as unknown[]) : [];
    if (attributes.length > 1) return errorReply('InvalidLookupAttributesException', 'You can only specify one lookup attribute.');
    let key: AttributeKey | undefined;
    let value: string | undefined;
    const first = attributes[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | undefined;
    if (first !== undefined) {
      if (!(ATTRIBUTE_KEYS as readonly unknown[]).includes(first.AttributeKey) || typeof first.AttributeValue !== 'string' || first.AttributeValue === '') {
        return errorReply('InvalidLookupAttributesException', 'The lookup attribute key or value is not valid.');
      }
      key = first.AttributeKey as AttributeKey;
      value = first.AttributeValue;
    }
    const maxResults = input['MaxResults'] ?? MAX_RESULTS;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
      return errorReply('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    }
    const now = call.state.now();
    const start = input['StartTime'] === undefined ? new Date(now.getTime() - RETENTION_MS) : toDate(input['StartTime']);
    const end = input['EndTime'] === undefined ? now : toDate(input['EndTime']);
    if (start === undefined || end === undefined || start.getTime() > end.getTime()) {
      return errorReply('InvalidTimeRangeException', 'Occurs if the timestamp values are not valid: the start time must be before the end time.');
    }
    let beforeSeq: number | undefined;
    if (input['NextToken'] !== undefined) {
      beforeSeq = decodeToken(input['NextToken']);
      if (beforeSeq === undefined) return errorReply('InvalidNextTokenException', 'A token that is not valid was specified.');
    }
    const found = log.query(call.account, { ...(key !== undefined ? { key, value: value as string } : {}), start, end, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
    const page = found.slice(0, maxResults);
    const more = found.length > maxResults;
    return jsonReply({
      Events: page.map((s) => ({
        EventId: s.record.eventID,
        EventName: s.record.eventName,
        ReadOnly: String(s.record.readOnly),
        AccessKeyId: s.accessKeyId,
        EventTime: Math.floor(s.at.getTime() / 1000),
        EventSource: s.record.eventSource,
        ...(s.username !== undefined ? { Username: s.username } : {}),
        Resources: s.resources,
        CloudTrailEvent: JSON.stringify(s.record),
      })),
      ...(more ? { NextToken: encodeToken((page[page.length - 1] as Stored).seq) } : {}),
    });
  };
  return jsonService({ name: 'cloudtrail', targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101', actions: { LookupEvents: lookupEvents } });
}

/** The EventBridge event a rule on "AWS API Call via CloudTrail" hands its target for this record. */
export function eventBridgeEvent(record: CloudTrailRecord, region = 'us-east-1'): Record<string, unknown> {
  const service = record.eventSource.replace(/\.amazonaws\.com$/, '');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account: record.recipientAccountId,
    time: record.eventTime,
    region,
    resources: [],
    detail: record,
  };
}
