/** A memo: `make` runs on the first call (not when the module loads), later calls return its result. A throw is not cached. */
export function lazy<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
