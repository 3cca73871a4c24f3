/**
 * Human ordering of text, exactly as `a.localeCompare(b)` orders it (ECMA-402 defines that call as comparing with
 * `new Intl.Collator()`). Record hashes depend on this order (access paths are sorted before hashing), so it must not
 * change.
 *
 * Two costs kept off a Lambda cold start (bench/RESULTS.md, "Lambda cold start"):
 * - `localeCompare` looks its collator up again on every call (about 8 µs each on Node 24): one collator is made on
 *   first use instead;
 * - making that collator loads ICU's collation data, about 6 ms. Text of printable ASCII alone (user, group and
 *   policy names, ARNs, key ids: nearly all of it) is ordered by the Unicode Collation Algorithm's root order written
 *   out below, which is what the collator does with it: primary weights of the whole text first (letters without
 *   case, punctuation and symbols before digits before letters), then case, lowercase first. Anything else still goes
 *   to ICU. test/domain/collate.test.ts holds this to `localeCompare` on every pair of a word list and 60,000 random
 *   pairs.
 */
let collator: Intl.Collator | undefined;

/** Printable ASCII in the root collation order; a letter's two cases share a primary weight (lowercase first). */
const ROOT_ORDER = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ';

const isUpperAscii = (code: number): boolean => code >= 0x41 && code <= 0x5a;

/** Primary weight + 1 of each char code below 128 (0: not printable ASCII, the collator decides). */
const PRIMARY = new Uint8Array(128);
{
  let weight = 0;
  for (const char of ROOT_ORDER) {
    const code = char.charCodeAt(0);
    // An uppercase letter follows its lowercase one in ROOT_ORDER and shares its weight.
    if (!isUpperAscii(code)) weight += 1;
    PRIMARY[code] = weight;
  }
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 128 || PRIMARY[code] === 0) return false;
  }
  return true;
}

/** The root order of two printable ASCII texts: primary weights of the whole text, then case. */
function printableAsciiOrder(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i += 1) {
    const difference = (PRIMARY[a.charCodeAt(i)] as number) - (PRIMARY[b.charCodeAt(i)] as number);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < shorter; i += 1) {
    const upperA = isUpperAscii(a.charCodeAt(i));
    if (upperA !== isUpperAscii(b.charCodeAt(i))) return upperA ? 1 : -1;
  }
  return 0;
}

export function localeOrder(a: string, b: string): number {
  if (isPrintableAscii(a) && isPrintableAscii(b)) return printableAsciiOrder(a, b);
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}
