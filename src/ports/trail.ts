import type { TrailEvent } from '../domain/trail';

/** One change Warden made because of a CloudTrail event, and how it ended. */
export interface UndoneChange {
  readonly kind: string;
  readonly account: string;
  readonly userName: string;
  readonly result: 'ok' | 'failed' | 'skipped';
  readonly error?: string;
  /** Whose access it was (`email (employee id)`), when the plan matched the user to a person. */
  readonly person?: string;
}

/** Slack notices of issue 15: access given back and undone, or a leaver's call after "no access left". */
export type TrailNotice =
  | {
      readonly kind: 'access-restored';
      readonly runId: string;
      /** The events that gave access back (who, when, from where, what). */
      readonly events: readonly { readonly event: TrailEvent; readonly what: string; readonly principals: readonly string[] }[];
      readonly undone: readonly UndoneChange[];
      /** Every touched user re-read with nothing left open. */
      readonly verified: boolean;
    }
  | {
      readonly kind: 'post-revocation-use';
      readonly person: string;
      readonly noAccessLeftAt: Date;
      readonly events: readonly TrailEvent[];
    };

/** A page of CloudTrail management events of one account (LookupEvents). */
export interface TrailPage {
  readonly events: readonly TrailEvent[];
  /** Records CloudTrail returned that could not be read (counted, never trusted). */
  readonly unreadable: number;
  readonly nextToken?: string;
}

/** The one lookup attribute a LookupEvents call filters by. */
export type TrailLookup =
  | { readonly kind: 'writes' }
  | { readonly kind: 'access-key'; readonly accessKeyId: string }
  | { readonly kind: 'user-name'; readonly userName: string };

/** CloudTrail's event history of one account (LookupEvents, 2 requests per second per account). */
export interface TrailSource {
  readonly account: string;
  lookup(query: { readonly lookup: TrailLookup; readonly start: Date; readonly end: Date; readonly nextToken?: string }): Promise<TrailPage>;
}

/** Where polling left off in one account: events up to `through` are seen; `seen` holds the ids of the overlap window. */
export interface TrailCursor {
  readonly through: Date;
  readonly seen: readonly string[];
}

/** Remembers each account's polling cursor across restarts (so a restart neither misses nor repeats events). */
export interface TrailCursorStore {
  get(account: string): Promise<TrailCursor | undefined>;
  put(account: string, cursor: TrailCursor): Promise<void>;
}
