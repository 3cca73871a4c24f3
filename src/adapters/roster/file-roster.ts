import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorText, InputError as WardenInputError } from '../../errors';
import type { Roster } from '../../domain/roster';
import type { RosterSource } from '../../ports';
import { parseRoster, type RosterFormat } from './parse-roster';

export { parseRoster, normaliseColumnName, REQUIRED_COLUMNS, OPTIONAL_COLUMNS } from './parse-roster';
export type { ParseRosterOptions, RosterFormat } from './parse-roster';

/** The roster file could not be read at all (missing, unreadable); exit 2, nothing is planned. */
export class RosterUnreadableError extends WardenInputError {
  override readonly name = 'RosterUnreadableError';
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`cannot read roster ${path}: ${describeFsError(options.cause)}`, options);
  }
}

function describeFsError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return errorText(cause);
  }
}

export interface FileRosterOptions {
  readonly path: string;
  /** IANA time zone in which a date-only `end_date` ends. */
  readonly timezone: string;
  /** Overrides the format picked from the extension (`.json` is JSON, anything else CSV). */
  readonly format?: RosterFormat;
}

/** Picks the roster format from the file extension: `.json` is JSON, anything else is CSV. */
export const rosterFormatOf = (file: string): RosterFormat => (path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv');

/** Reads the HR roster from a CSV or JSON file on each `load()`. */
export class FileRosterSource implements RosterSource {
  constructor(private readonly options: FileRosterOptions) {}

  async load(): Promise<Roster> {
    const { path: file, timezone } = this.options;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (cause) {
      throw new RosterUnreadableError(file, { cause });
    }
    const source = path.basename(file);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { people: [], errors: [{ source, message: 'the roster is not valid UTF-8 text; the roster cannot be used' }], invalidRowIdentities: [] };
    }
    return parseRoster(text, { source, format: this.options.format ?? rosterFormatOf(file), timezone });
  }
}
