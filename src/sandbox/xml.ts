const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Escapes text for an XML element or attribute. */
export function esc(text: string): string {
  return /[&<>"'\r]/.test(text) ? text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c) : text;
}

/** AWS query APIs write timestamps as ISO 8601 without milliseconds. */
export function isoTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `<name>value</name>`, or nothing when the value is absent. */
export function el(name: string, value: string | number | boolean | Date | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = value instanceof Date ? isoTime(value) : typeof value === 'string' ? esc(value) : String(value);
  return `<${name}>${text}</${name}>`;
}

/** An awsQuery list: `<name><member>…</member>…</name>`. */
export function members<T>(name: string, items: Iterable<T>, render: (item: T) => string): string {
  let out = `<${name}>`;
  for (const item of items) out += `<member>${render(item)}</member>`;
  return `${out}</${name}>`;
}

/** IsTruncated and (when truncated) Marker, as every paginated IAM response carries them. */
export function pageTail(page: { readonly isTruncated: boolean; readonly marker?: string }): string {
  return el('IsTruncated', page.isTruncated) + (page.marker !== undefined ? el('Marker', page.marker) : '');
}
