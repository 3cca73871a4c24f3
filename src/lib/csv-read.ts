/**
 * A strict RFC 4180 reader for the two CSVs Warden reads: HR's roster and IAM's credential report.
 *
 * Written for speed where it matters: one 5,000-user credential report took ~350 ms and most of a collection cycle
 * through a general-purpose parser, on every run and every Lambda cold start; this reads it as one pass of
 * `charCodeAt` and `slice` over the string. Strict where a lenient reader would guess: a quote that does not open
 * or close a field, and a quoted field that never ends, are errors naming the line, as they are in every
 * spreadsheet's export.
 *
 * - Records end at CRLF, LF or a lone CR (mixed freely); line breaks inside quoted fields belong to the field.
 * - Empty lines are skipped; a line holding only commas or spaces is a record.
 * - A leading byte-order mark is dropped.
 * - Each record carries the physical line it starts on (1-based), for error messages.
 */
import { CsvSyntaxError } from '../errors';

export interface CsvRecord {
  readonly fields: string[];
  /** The physical line (1-based) the record starts on. */
  readonly line: number;
}

export { CsvSyntaxError };

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BOM = 0xfeff;

/** Line breaks in `text[from, to)`: CRLF, LF and a lone CR each count once. */
function breaksIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

/** Every record of `text`, in order. Throws `CsvSyntaxError` on a stray or unclosed quote. */
export function readCsvRecords(text: string): CsvRecord[] {
  const n = text.length;
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === BOM ? 1 : 0; // NaN for an empty text
  let line = 1;
  while (i < n) {
    const first = text.charCodeAt(i);
    if (first === LF || first === CR) {
      i += first === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    let ended = false;
    while (!ended) {
      if (text.charCodeAt(i) === QUOTE) {
        const opened = line;
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) throw new CsvSyntaxError(`Quote Not Closed: the quoted field that starts on line ${opened} never ends`, opened);
          line += breaksIn(text, from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        fields.push(value);
        if (i >= n) break;
        const next = text.charCodeAt(i);
        if (next === COMMA) {
          i++;
          continue;
        }
        if (next !== LF && next !== CR) {
          throw new CsvSyntaxError(`Invalid Closing Quote: on line ${line} a quoted field is followed by ${JSON.stringify(text[i])}, not a comma or the end of the line`, line);
        }
        i += next === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        ended = true;
      } else {
        let j = i;
        let c = 0;
        while (j < n) {
          c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) throw new CsvSyntaxError(`Invalid Opening Quote: on line ${line} a quote is inside an unquoted field (quote the whole field and double the quote)`, line);
          j++;
        }
        fields.push(text.slice(i, j));
        if (j >= n) {
          i = n;
          break;
        }
        if (c === COMMA) {
          i = j + 1;
          continue;
        }
        i = j + (c === CR && text.charCodeAt(j + 1) === LF ? 2 : 1);
        line++;
        ended = true;
      }
    }
    records.push({ fields, line: start });
  }
  return records;
}
