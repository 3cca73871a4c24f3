/**
 * Human ordering of text, exactly as `a.localeCompare(b)` orders it (ECMA-402 defines that call as comparing with
 * `new Intl.Collator()`), from one collator made on first use. `localeCompare` looks its collator up again on every
 * call: about 8 µs each on Node 24, which made sorting one scheduled run's access records tens of milliseconds of a
 * Lambda cold start (bench/RESULTS.md, "Lambda cold start"). The order, and so every record hash built on it, is
 * unchanged.
 */
let collator: Intl.Collator | undefined;

export function localeOrder(a: string, b: string): number {
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}
