import type { EmploymentStatus, InputError, Person, Roster, RowIdentity } from '../../domain/roster';
import { resolveEndAt, startOfDay } from '../../domain/time';
import { CsvSyntaxError, readCsvRecords, type CsvRecord } from '../../lib/csv-read';

/** How the roster text is encoded. */
export type RosterFormat = 'csv' | 'json';

export interface ParseRosterOptions {
  /** Name used in error messages and `Person.source.file` (usually the file name). */
  readonly source: string;
  readonly format: RosterFormat;
  /** IANA time zone in which a date-only `end_date` ends. */
  readonly timezone: string;
}

export const REQUIRED_COLUMNS = ['employee_id', 'email', 'status'] as const;
export const OPTIONAL_COLUMNS = [
  'full_name',
  'role',
  'department',
  'manager_email',
  'end_date',
  'slack_id',
  'aws_usernames',
  'ssh_keys',
  'policy_accepted_at',
  'nda_signed_at',
] as const;
const LIST_COLUMNS: ReadonlySet<string> = new Set(['aws_usernames', 'ssh_keys']);

/** One data row before validation: raw cell text by normalised column name. */
interface RawRow {
  readonly line: number;
  readonly values: ReadonlyMap<string, string>;
  /** Problems found while reading the row (wrong field count, non-string JSON values). */
  readonly problems: readonly { readonly column?: string; readonly message: string }[];
}

type RawTable = { readonly kind: 'rows'; readonly rows: readonly RawRow[] } | { readonly kind: 'unusable'; readonly error: InputError };

/** Header names are matched trimmed and case-insensitively; `Employee ID` and `employee-id` mean `employee_id`. */
export const normaliseColumnName = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const SSH_PUBLIC_KEY =
  /^(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+[A-Za-z0-9+/]+={0,3}(?:\s.*)?$/;

/**
 * Parses roster text (CSV with a header row, or a JSON array of objects with the same keys) into people,
 * row errors and the identities of invalid rows. A missing required column makes the whole roster unusable:
 * no people and one error, so the guard trips.
 */
export function parseRoster(text: string, options: ParseRosterOptions): Roster {
  const table = options.format === 'json' ? readJson(text, options.source) : readCsv(text, options.source);
  if (table.kind === 'unusable') return { people: [], errors: [table.error], invalidRowIdentities: [] };
  return validateRows(table.rows, options);
}

const unusable = (source: string, message: string, line?: number): RawTable => ({
  kind: 'unusable',
  error: { source, ...(line !== undefined ? { line } : {}), message },
});

function missingColumnsError(source: string, present: ReadonlySet<string>, line?: number): RawTable | undefined {
  const missing = REQUIRED_COLUMNS.filter((column) => !present.has(column));
  if (missing.length === 0) return undefined;
  const found = present.size > 0 ? [...present].join(', ') : 'none';
  const names = missing.map((c) => `"${c}"`).join(', ');
  return unusable(source, `missing required column${missing.length > 1 ? 's' : ''} ${names} (found: ${found}); the roster cannot be used`, line);
}

function readCsv(text: string, source: string): RawTable {
  let located: CsvRecord[];
  try {
    located = readCsvRecords(text);
  } catch (cause) {
    if (!(cause instanceof CsvSyntaxError)) throw cause;
    return unusable(source, `not valid CSV: ${cause.message}`, cause.line);
  }
  const header = located[0];
  if (header === undefined) return unusable(source, 'the roster is empty (no header row); the roster cannot be used');
  const columns = header.fields.map(normaliseColumnName);
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '') continue;
    if (seen.has(column)) return unusable(source, `column "${column}" appears twice in the header; the roster cannot be used`, header.line);
    seen.add(column);
  }
  const missing = missingColumnsError(source, seen, header.line);
  if (missing !== undefined) return missing;

  const rows: RawRow[] = [];
  for (const { fields, line } of located.slice(1)) {
    if (fields.every((f) => f.trim() === '')) continue;
    const values = new Map<string, string>();
    columns.forEach((column, i) => {
      const value = fields[i];
      if (column !== '' && value !== undefined) values.set(column, value);
    });
    const problems =
      fields.length === columns.length
        ? []
        : [{ message: `row has ${fields.length} fields but the header has ${columns.length} (an unquoted comma or a missing field?)` }];
    rows.push({ line, values, problems });
  }
  return { kind: 'rows', rows };
}

/** Offsets where each element of the top-level JSON array starts, so rows can be reported by physical line. */
function topLevelElementOffsets(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expecting && c !== undefined && !/[\s,\]]/.test(c)) {
      starts.push(i);
      expecting = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return starts;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) line++;
  }
  return line;
}

function cellText(column: string, value: unknown): { text?: string; problem?: string } {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { text: String(value) };
  if (Array.isArray(value) && LIST_COLUMNS.has(column) && value.every((v) => typeof v === 'string')) return { text: value.join(';') };
  const expected = LIST_COLUMNS.has(column) ? 'a string or an array of strings' : 'a string';
  return { problem: `expected ${expected}, found ${Array.isArray(value) ? 'an array' : typeof value}` };
}

function readJson(text: string, source: string): RawTable {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (cause) {
    const position = /position (\d+)/.exec((cause as Error).message);
    const line = position?.[1] !== undefined ? lineAt(body, Number(position[1])) : undefined;
    return unusable(source, `not valid JSON: ${(cause as Error).message}`, line);
  }
  if (!Array.isArray(data)) return unusable(source, 'a JSON roster must be an array of objects; the roster cannot be used', 1);
  const offsets = topLevelElementOffsets(body);
  let lineCursor = 0;
  let line = 1;
  const present = new Set<string>();
  const rows: RawRow[] = [];
  data.forEach((element: unknown, index) => {
    const offset = offsets[index] ?? body.length;
    line += lineAt(body.slice(lineCursor, offset), offset - lineCursor) - 1;
    lineCursor = offset;
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      rows.push({ line, values: new Map(), problems: [{ message: 'expected an object with the roster keys' }] });
      return;
    }
    const values = new Map<string, string>();
    const problems: { column: string; message: string }[] = [];
    for (const [key, value] of Object.entries(element as Record<string, unknown>)) {
      const column = normaliseColumnName(key);
      present.add(column);
      const cell = cellText(column, value);
      if (cell.problem !== undefined) problems.push({ column, message: cell.problem });
      else if (cell.text !== undefined) values.set(column, cell.text);
    }
    rows.push({ line, values, problems });
  });
  if (rows.length > 0) {
    const missing = missingColumnsError(source, present);
    if (missing !== undefined) return missing;
  }
  return { kind: 'rows', rows };
}

const STATUSES: Readonly<Record<string, EmploymentStatus>> = {
  active: 'active',
  departed: 'departed',
  on_leave: 'on_leave',
};

const splitList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '');

type Draft = Omit<Person, 'source'>;

interface CheckedRow {
  readonly line: number;
  readonly draft?: Draft;
  readonly errors: InputError[];
  readonly identity: RowIdentity;
}

function checkRow(row: RawRow, options: ParseRosterOptions): CheckedRow {
  const errors: InputError[] = row.problems.map((p) => ({
    source: options.source,
    line: row.line,
    ...(p.column !== undefined ? { column: p.column } : {}),
    message: p.message,
  }));
  const fail = (column: string, message: string): void => {
    errors.push({ source: options.source, line: row.line, column, message });
  };
  const cell = (column: string): string | undefined => {
    const value = row.values.get(column)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const reported = new Set(row.problems.map((p) => p.column));
  const required = (column: string): string | undefined => {
    const value = cell(column);
    // A row already reported as a whole (not an object) or for this column needs no "blank" error on top.
    if (value === undefined && !reported.has(column) && !reported.has(undefined)) fail(column, `${column} is required but blank`);
    return value;
  };

  const employeeId = required('employee_id');
  const rawEmail = required('email');
  const email = rawEmail?.toLowerCase();
  if (email !== undefined && !EMAIL.test(email)) fail('email', `"${rawEmail ?? ''}" is not an email address`);
  const rawStatus = required('status');
  const status = rawStatus === undefined ? undefined : STATUSES[normaliseColumnName(rawStatus)];
  if (rawStatus !== undefined && status === undefined) {
    fail('status', `unknown status "${rawStatus}" (expected active, departed or on_leave)`);
  }
  const managerEmail = cell('manager_email')?.toLowerCase();
  if (managerEmail !== undefined && !EMAIL.test(managerEmail)) fail('manager_email', `"${managerEmail}" is not an email address`);
  const endDate = cell('end_date');
  let endAt: Date | undefined;
  if (endDate !== undefined) {
    const resolved = resolveEndAt(endDate, options.timezone);
    if (resolved instanceof Date) endAt = resolved;
    else fail('end_date', resolved.error);
  }
  const awsUsernames = splitList(row.values.get('aws_usernames'));
  for (const name of awsUsernames) {
    if (!IAM_USER_NAME.test(name)) fail('aws_usernames', `"${name}" is not a valid IAM user name`);
  }
  const sshKeys = splitList(row.values.get('ssh_keys'));
  sshKeys.forEach((key, i) => {
    if (!SSH_PUBLIC_KEY.test(key)) fail('ssh_keys', `key ${i + 1} is not an OpenSSH public key line ("type base64 [comment]")`);
  });

  const identity: RowIdentity = {
    ...(employeeId !== undefined ? { employeeId } : {}),
    ...(email !== undefined ? { email } : {}),
    awsUsernames,
  };
  if (errors.length > 0 || employeeId === undefined || email === undefined || status === undefined) {
    return { line: row.line, errors, identity };
  }
  const policyAcceptedAt = signedAt(cell('policy_accepted_at'), options.timezone);
  const ndaSignedAt = signedAt(cell('nda_signed_at'), options.timezone);
  const fullName = cell('full_name');
  const role = cell('role');
  const department = cell('department');
  const slackId = cell('slack_id');
  const draft: Draft = {
    employeeId,
    email,
    status,
    ...(fullName !== undefined ? { fullName } : {}),
    ...(role !== undefined ? { role } : {}),
    ...(department !== undefined ? { department } : {}),
    ...(managerEmail !== undefined ? { managerEmail } : {}),
    ...(endAt !== undefined ? { endAt } : {}),
    ...(slackId !== undefined ? { slackId } : {}),
    awsUsernames,
    sshKeys,
    ...(policyAcceptedAt !== undefined ? { policyAcceptedAt } : {}),
    ...(ndaSignedAt !== undefined ? { ndaSignedAt } : {}),
  };
  return { line: row.line, draft, errors, identity };
}

/** Rows sharing a key are all invalid: nothing says which one is the real person. */
function markDuplicates(
  rows: readonly CheckedRow[],
  keyOf: (row: CheckedRow) => string | undefined,
  column: string,
  options: ParseRosterOptions,
): Set<CheckedRow> {
  const byKey = new Map<string, CheckedRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key === undefined) continue;
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, [row]);
    else group.push(row);
  }
  const duplicates = new Set<CheckedRow>();
  for (const [key, group] of byKey) {
    if (group.length < 2) continue;
    for (const row of group) {
      const others = group.filter((o) => o !== row).map((o) => o.line);
      row.errors.push({
        source: options.source,
        line: row.line,
        column,
        message: `duplicate ${column} "${key}" (also on line${others.length > 1 ? 's' : ''} ${others.join(', ')}); none of these rows is used`,
      });
      duplicates.add(row);
    }
  }
  return duplicates;
}

function validateRows(rows: readonly RawRow[], options: ParseRosterOptions): Roster {
  const checked = rows.map((row) => checkRow(row, options));
  const duplicateIds = markDuplicates(checked, (r) => r.identity.employeeId, 'employee_id', options);
  const duplicateEmails = markDuplicates(checked, (r) => r.identity.email, 'email', options);
  const people: Person[] = [];
  const errors: InputError[] = [];
  const invalidRowIdentities: RowIdentity[] = [];
  for (const row of checked) {
    errors.push(...row.errors);
    if (row.draft !== undefined && !duplicateIds.has(row) && !duplicateEmails.has(row)) {
      people.push({ ...row.draft, source: { file: options.source, line: row.line } });
    } else {
      invalidRowIdentities.push(row.identity);
    }
  }
  return { people, errors, invalidRowIdentities };
}

/**
 * When a joiner signed (`policy_accepted_at`, `nda_signed_at`): a plain date counts from the start of that day in the
 * time zone, a date-time must carry its offset. A value that does not read as either counts as not signed: it never
 * invalidates the row, since that would hold back the person's revocation over a column that only ever grants.
 */
function signedAt(value: string | undefined, timezone: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (date !== null) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const at = startOfDay(year, month, day, timezone);
    const check = new Date(Date.UTC(year, month - 1, day));
    return check.getUTCMonth() === month - 1 && check.getUTCDate() === day && !Number.isNaN(at.getTime()) ? at : undefined;
  }
  const resolved = resolveEndAt(value.trim(), timezone);
  return resolved instanceof Date ? resolved : undefined;
}
