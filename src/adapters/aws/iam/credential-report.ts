import { parse } from 'csv-parse/sync';
import type { CredentialReportKey, CredentialReportRow } from '../../../domain/inventory';
import type { RootAccountState } from '../../../domain/policy-checks/posture';
import { CredentialReportFormatError } from '../../../errors';

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

function reportKey(row: Readonly<Record<string, string>>, slot: 1 | 2): CredentialReportKey | undefined {
  const active = flag(row[`access_key_${slot}_active`]);
  const lastRotated = optionalDate(row[`access_key_${slot}_last_rotated`]);
  // An empty slot reads "false, N/A": only keys that exist are listed.
  if (!active && lastRotated === undefined) return undefined;
  const lastUsed = optionalDate(row[`access_key_${slot}_last_used_date`]);
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
function rootState(record: Readonly<Record<string, string>>): RootAccountState {
  const keys = [reportKey(record, 1), reportKey(record, 2)].filter((k): k is CredentialReportKey => k !== undefined);
  const passwordLastUsed = optionalDate(record['password_last_used']);
  const keyUses = keys.map((k) => k.lastUsed).filter((d): d is Date => d !== undefined).sort((a, b) => b.getTime() - a.getTime());
  const accessKeyLastUsed = keyUses[0];
  return {
    mfaActive: flag(record['mfa_active']),
    activeAccessKeys: keys.filter((k) => k.active).length,
    ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
    ...(accessKeyLastUsed !== undefined ? { accessKeyLastUsed } : {}),
  };
}

/** The users' rows and, when the report has one, the root account's. */
export function parseCredentialReportWithRoot(csv: string): { readonly rows: ReadonlyMap<string, CredentialReportRow>; readonly root?: RootAccountState } {
  let records: Record<string, string>[];
  try {
    records = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (err) {
    throw new CredentialReportFormatError(`credential report is not valid CSV: ${(err as Error).message}`, { cause: err });
  }
  const first = records[0];
  if (first !== undefined) {
    const missing = REQUIRED_COLUMNS.filter((c) => !(c in first));
    if (missing.length > 0) throw new CredentialReportFormatError(`credential report lacks column(s): ${missing.join(', ')}`);
  }
  const rows = new Map<string, CredentialReportRow>();
  let root: RootAccountState | undefined;
  for (const record of records) {
    const user = record['user'];
    if (user === ROOT_ACCOUNT_ROW) root = rootState(record);
    if (user === undefined || user === '' || user === ROOT_ACCOUNT_ROW) continue;
    const passwordLastUsed = optionalDate(record['password_last_used']);
    const passwordLastChanged = optionalDate(record['password_last_changed']);
    const accessKeys = [reportKey(record, 1), reportKey(record, 2)].filter((k): k is CredentialReportKey => k !== undefined);
    rows.set(user, {
      passwordEnabled: flag(record['password_enabled']),
      ...(passwordLastUsed !== undefined ? { passwordLastUsed } : {}),
      ...(passwordLastChanged !== undefined ? { passwordLastChanged } : {}),
      mfaActive: flag(record['mfa_active']),
      accessKeys,
    });
  }
  return { rows, ...(root !== undefined ? { root } : {}) };
}
