import { fail, ok, type Outcome } from './errors';

/** One page of a list API (IAM's Marker / IsTruncated / MaxItems contract). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly isTruncated: boolean;
  /** Present only when truncated: pass it back as `Marker` to get the next page. */
  readonly marker?: string;
}

/** Where a page starts and how long it may be. */
export interface PageRequest {
  readonly marker?: string;
  readonly maxItems: number;
}

/** IAM's default page size for every list API. */
export const DEFAULT_MAX_ITEMS = 100;

/**
 * Pages through `items`, which must be sorted by `keyOf` (plain string order).
 * The marker names the next item's key, so deleting entities between pages never skips or repeats the rest.
 */
export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, request: PageRequest): Outcome<Page<T>> {
  let start = 0;
  if (request.marker !== undefined) {
    const key = decodeMarker(request.marker);
    if (key === undefined) return fail('InvalidInput', 'Invalid Marker.');
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(items[mid] as T) < key) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const end = Math.min(items.length, start + request.maxItems);
  const page = items.slice(start, end);
  const next = items[end];
  if (next === undefined) return ok({ items: page, isTruncated: false });
  return ok({ items: page, isTruncated: true, marker: encodeMarker(keyOf(next)) });
}

function encodeMarker(key: string): string {
  return Buffer.from('v1:' + key, 'utf8').toString('base64');
}

function decodeMarker(marker: string): string | undefined {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  return text.startsWith('v1:') ? text.slice(3) : undefined;
}
