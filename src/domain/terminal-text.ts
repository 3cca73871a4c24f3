/**
 * Text that came from roster rows, IAM names and tags, key comments or stored audit entries may carry control
 * characters written by the person Warden acts against: ANSI/OSC sequences that erase lines or write the clipboard
 * (`ESC [2K`, `ESC ]52`), C1 controls that terminals read as the same, and bidi or invisible format characters that
 * make one name display as another. Every human-readable output shows them as visible `\uXXXX` escapes instead.
 * The escape is also JSON's own, so JSON text passed through stays the same JSON value.
 */

// C0 but tab and newline, DEL, C1, Arabic letter mark, zero-width and directional marks, line/paragraph separators,
// bidi embeddings/overrides/isolates, word joiner and invisible operators, BOM.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_KEEPING_LAYOUT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\r(?!\n)/gu;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_WITH_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The text with every unsafe character shown as `\uXXXX`. By default newlines and tabs are escaped too (one field,
 * one line); `keepLayout` keeps them (and CRLF line ends), for whole outputs whose lines Warden composed itself.
 */
export function terminalSafe(text: string, options: { readonly keepLayout?: boolean } = {}): string {
  if (options.keepLayout !== true) return text.replace(UNSAFE_WITH_LAYOUT, visible);
  return text.replace(UNSAFE_KEEPING_LAYOUT, visible);
}
