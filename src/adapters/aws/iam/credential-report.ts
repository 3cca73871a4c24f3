import type { CredentialReportKey, CredentialReportRow } from '../../../domain/inventory';
import type { RootAccountState } from '../../../domain/policy-checks/posture';
import { CredentialReportFormatError } from '../../../errors';
import { CsvSyntaxError, readCsvRecords, type CsvRecord } from '../../../lib/csv-read';

/** The pseudo-user AWS lists for the account root; Warden never manages it. */
export const ROOT_ACCOUNT_ROW = '<root_account>';

// Values AWS writes where a date or flag does not apply.
const ABSENT = new Set(['', 'N/A', 'not_supported', 'no_information']);

export { CredentialReportFormatError };

const REQUIRED_COLUMNS = ['user', 'password_enabled', 'mfa_active', 'access_key_1_active', 'access_key_2_active'] as const;

const optionalDate = (raw: string | undefined): Date | undefined => {
  if (raw === undefined || ABSENT.has(raw.trim())) return undefined;
  const at = new Date(raw.trim());
  return Number.isNaN(at.getTime()) ? undefined : at;
};

const flag = (raw: string | undefined): boolean => raw?.trim().toLowerCase() === 'true';

function reportKey(row: ReportRow, slot: 1 | 2): CredentialReportKey | undefined {
  const active = flag(row(`access_key_${slot}_active`));
  const lastRotated = optionalDate(row(`access_key_${slot}_last_rotated`));
  // An empty slot reads "false, N/A": only keys that exist are listed.
  if (!active && lastRotated === undefined) return undefined;
  const lastUsed = optionalDate(row(`access_key_${slot}_last_used_date`));
  return {
    slot,
    active,
    ...(lastRotated !== undefined ? { lastRotated } : {}),
    ...(lastUsed !== undefined ? { lastUsed } : {}),
  };
}

/** Parses the IAM credential report CSV by column name into rows keyed by user name, skipping the root account. */
export function parseCredentialReport(csv: string): ReadonlyMap<string, CredentialReportRow> {
  return parseCredentialReportWithRoot(csv).rows;
}

/** The `<root_account>` row, read for the security-policy checks (root keys, MFA, recent use); Warden never changes root. */
function rootState(record: ReportRow): RootAccountState {
  const keys = [reportKey(record, 1), reportKey(record, 2)].filter((k): k is CredentialReportKey => k !== undefined);
  const passwordLastUsed = optionalDate(record('password_last_used'));
  const keyUses = keys.map((k) => k.lastUsed).filter((d): d is Date => d !== undefined).sort((a, b) => b.getTime() - a.getTime());
  const accessKeyLastUsed = keyUses[0];
  return {
    mfaActive: flag(record('mfa_active')),
    activeAccessKeys: keys.filter((k) => k.active).length,
    ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
    ...(accessKeyLastUsed !== undefined ? { accessKeyLastUsed } : {}),
  };
}

/** One row of the report: a column's value by name (trimmed), undefined for a column the report does not have. */
type ReportRow = (column: string) => string | undefined;

/**
 * The report's rows. Every row must have the header's number of fields: a report cut short or shifted by a column
 * would otherwise be read into the wrong columns.
 */
function readReport(csv: string): ReportRow[] {
  let table: CsvRecord[];
  try {
    table = readCsvRecords(csv);
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    throw new CredentialReportFormatError(`credential report is not valid CSV: ${err.message}`, { cause: err });
  }
  const [header, ...body] = table;
  if (header === undefined) return [];
  const index = new Map<string, number>();
  header.fields.forEach((column, i) => {
    if (!index.has(column.trim())) index.set(column.trim(), i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0 && body.length > 0) throw new CredentialReportFormatError(`credential report lacks column(s): ${missing.join(', ')}`);
  return body.map(({ fields, line }): ReportRow => {
    if (fields.length !== header.fields.length) {
      throw new CredentialReportFormatError(`credential report is not valid CSV: line ${line} has ${fields.length} fields, the header ${header.fields.length}`);
    }
    return (column) => {
      const i = index.get(column);
      return i === undefined ? undefined : fields[i]?.trim();
    };
  });
}

/** The users' rows and, when the report has one, the root account's. */
export function parseCredentialReportWithRoot(csv: string): { readonly rows: ReadonlyMap<string, CredentialReportRow>; readonly root?: RootAccountState } {
  const records = readReport(csv);
  const rows = new Map<string, CredentialReportRow>();
  let root: RootAccountState | undefined;
  for (const record of records) {
    const user = record('user');
    if (user === ROOT_ACCOUNT_ROW) root = rootState(record);
    if (user === undefined || user === '' || user === ROOT_ACCOUNT_ROW) continue;
    const passwordLastUsed = optionalDate(record('password_last_used'));
    const passwordLastChanged = optionalDate(record('password_last_changed'));
    const accessKeys = [reportKey(record, 1), reportKey(record, 2)].filter((k): k is CredentialReportKey => k !== undefined);
    rows.set(user, {
      passwordEnabled: flag(record('password_enabled')),
      ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
      ...(passwordLastChanged !== undefined ? { passwordLastChanged } : {}),
      mfaActive: flag(record('mfa_active')),
      accessKeys,
    });
  }
  return { rows, ...(root !== undefined ? { root } : {}) };
}
