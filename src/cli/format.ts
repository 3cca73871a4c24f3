/** Output helpers for the command line: tables and progress lines (CSV is in src/lib/csv.ts). */
import { terminalSafe } from '../domain/terminal-text';

/** A plain text table with columns padded to the widest cell (cells are cut at `maxWidth`). */
export function toTable(header: readonly string[], rows: readonly (readonly string[])[], maxWidth = 60): string {
  const cut = (s: string): string => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const cells = [header, ...rows].map((row) => row.map((c) => cut(terminalSafe(c.replace(/\s+/g, ' ')))));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

/** Writes a one-line progress indicator on a TTY (overwritten in place); silent elsewhere. */
export class ProgressLine {
  private shown = false;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(text: string): void {
    if (!this.stream.isTTY) return;
    const width = this.stream.columns ?? 80;
    // The stream is the raw one (this line's own controls must pass); the text itself may carry hostile names.
    this.stream.write(`\r\x1b[2K${terminalSafe(text).slice(0, width - 1)}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
