import type { TrailEvent } from '../../domain/trail';
import { errorText } from '../../errors';
import type { Clock } from '../../ports';
import type { TrailCursor, TrailCursorStore, TrailLookup, TrailSource } from '../../ports/trail';

/**
 * Self-hosted `serve`: CloudTrail's write events polled (LookupEvents, ReadOnly=false) every minute per account. CloudTrail
 * delivers events minutes late and out of order, so each poll looks back `overlapMs` before where the last one ended and
 * skips the event ids it has already seen there; the cursor is saved only after the events were handled, so a restart or
 * a failed response neither misses nor repeats an event.
 */

/** CloudTrail usually delivers within 5 minutes and promises 15: look back that far. */
export const DEFAULT_OVERLAP_MS = 15 * 60_000;
/** Pages per account and poll (50 events each); the rest waits for the next poll, which starts where this one stopped. */
export const MAX_PAGES = 20;

export interface TrailPollDeps {
  readonly sources: readonly TrailSource[];
  readonly cursors: TrailCursorStore;
  readonly clock: Clock;
  /** Handles the new events of one account (respondToTrailEvents); a throw leaves the cursor where it was. */
  readonly respond: (events: readonly TrailEvent[]) => Promise<unknown>;
  readonly overlapMs?: number;
}

export interface AccountPoll {
  readonly account: string;
  readonly fresh: number;
  readonly unreadable: number;
  /** False when the page limit stopped the poll (the next one carries on). */
  readonly complete: boolean;
  readonly error?: string;
}

/** Every event of one lookup between `start` and `end`, all pages up to `maxPages`. */
export async function lookupAll(source: TrailSource, lookup: TrailLookup, start: Date, end: Date, maxPages = MAX_PAGES): Promise<{ events: TrailEvent[]; unreadable: number; complete: boolean }> {
  const events: TrailEvent[] = [];
  let unreadable = 0;
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const got = await source.lookup({ lookup, start, end, ...(nextToken !== undefined ? { nextToken } : {}) });
    events.push(...got.events);
    unreadable += got.unreadable;
    nextToken = got.nextToken;
    if (nextToken === undefined) return { events, unreadable, complete: true };
  }
  return { events, unreadable, complete: false };
}

/** One poll of every account (accounts side by side: each has its own CloudTrail limit). */
export function pollTrail(deps: TrailPollDeps): Promise<AccountPoll[]> {
  return Promise.all(deps.sources.map((source) => pollAccount(deps, source)));
}

async function pollAccount(deps: TrailPollDeps, source: TrailSource): Promise<AccountPoll> {
  const overlap = deps.overlapMs ?? DEFAULT_OVERLAP_MS;
  const now = deps.clock.now();
  try {
    const cursor: TrailCursor = (await deps.cursors.get(source.account)) ?? { through: new Date(now.getTime() - overlap), seen: [] };
    const start = new Date(Math.min(cursor.through.getTime(), now.getTime()) - overlap);
    const found = await lookupAll(source, { kind: 'writes' }, start, now);
    const seen = new Set(cursor.seen);
    const fresh: TrailEvent[] = [];
    for (const event of found.events) {
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      fresh.push(event);
    }
    fresh.sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime());
    if (fresh.length > 0) await deps.respond(fresh);
    const windowStart = now.getTime() - overlap;
    const next: TrailCursor = found.complete
      ? { through: now, seen: found.events.filter((e) => e.eventTime.getTime() >= windowStart).map((e) => e.eventId) }
      : { through: cursor.through, seen: [...seen] };
    await deps.cursors.put(source.account, { through: next.through, seen: [...new Set(next.seen)] });
    return { account: source.account, fresh: fresh.length, unreadable: found.unreadable, complete: found.complete };
  } catch (error) {
    return { account: source.account, fresh: 0, unreadable: 0, complete: false, error: errorText(error) };
  }
}
