/** CSV for people who open it in a spreadsheet: RFC 4180 quoting, and formulas defused. */
import { terminalSafe } from '../domain/terminal-text';

/** Quotes a CSV cell per RFC 4180 and defuses spreadsheet formulas (cells starting with = + - @ or a control character). */
export function csvCell(value: unknown): string {
  // Control characters shown as escapes (line breaks kept, quoted): a CSV is often read in a terminal first.
  let text = terminalSafe(value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value), { keepLayout: true });
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
