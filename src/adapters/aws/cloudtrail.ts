import type { CloudTrailClient, LookupAttribute } from '@aws-sdk/client-cloudtrail';
import { parseTrailRecord, type TrailEvent } from '../../domain/trail';
import type { TrailLookup, TrailPage, TrailSource } from '../../ports/trail';
import { cloudTrailSdk } from './sdk';

/** LookupEvents' largest page. */
export const LOOKUP_PAGE_SIZE = 50;
/** CloudTrail allows 2 LookupEvents requests per second per account and region: one every 500 ms. */
export const LOOKUP_INTERVAL_MS = 500;

const attributeOf = (lookup: TrailLookup): LookupAttribute => {
  switch (lookup.kind) {
    case 'writes':
      return { AttributeKey: 'ReadOnly', AttributeValue: 'false' };
    case 'access-key':
      return { AttributeKey: 'AccessKeyId', AttributeValue: lookup.accessKeyId };
    case 'user-name':
      return { AttributeKey: 'Username', AttributeValue: lookup.userName };
    default: {
      const never: never = lookup;
      return never;
    }
  }
};

/** CloudTrail's limit is per account: every source of one account in a process shares its pacing. */
const PACERS = new Map<string, { nextAt: number; queue: Promise<void> }>();

export interface CloudTrailSourceOptions {
  readonly client: CloudTrailClient;
  readonly account: string;
  /** Waits between requests (default: real time); tests and the bench pass their own. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * One account's CloudTrail event history through LookupEvents, paced to CloudTrail's 2 requests per second per account
 * (the SDK's own retries handle a ThrottlingException that gets through anyway). Each record is parsed as hostile input;
 * one that cannot be read is counted, not used.
 */
export class CloudTrailSource implements TrailSource {
  readonly account: string;

  constructor(private readonly options: CloudTrailSourceOptions) {
    this.account = options.account;
  }

  async lookup(query: { readonly lookup: TrailLookup; readonly start: Date; readonly end: Date; readonly nextToken?: string }): Promise<TrailPage> {
    await this.pace();
    const out = await this.options.client.send(
      new (cloudTrailSdk().LookupEventsCommand)({
        LookupAttributes: [attributeOf(query.lookup)],
        StartTime: query.start,
        EndTime: query.end,
        MaxResults: LOOKUP_PAGE_SIZE,
        ...(query.nextToken !== undefined ? { NextToken: query.nextToken } : {}),
      }),
    );
    const events: TrailEvent[] = [];
    let unreadable = 0;
    for (const e of out.Events ?? []) {
      const parsed = parseTrailRecord(e.CloudTrailEvent ?? '');
      if (parsed.ok) events.push(parsed.value);
      else unreadable += 1;
    }
    return { events, unreadable, ...(out.NextToken !== undefined ? { nextToken: out.NextToken } : {}) };
  }

  /** One request at a time per account in this process (whatever the number of sources), at least LOOKUP_INTERVAL_MS apart. */
  private pace(): Promise<void> {
    const now = this.options.now ?? (() => Date.now());
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const pacer = PACERS.get(this.account) ?? { nextAt: 0, queue: Promise.resolve() };
    PACERS.set(this.account, pacer);
    const turn = pacer.queue.then(async () => {
      const wait = pacer.nextAt - now();
      if (wait > 0) await sleep(wait);
      pacer.nextAt = now() + LOOKUP_INTERVAL_MS;
    });
    pacer.queue = turn;
    return turn;
  }
}
