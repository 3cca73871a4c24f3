/** Column order of IAM's credential report (text/csv), exactly as AWS writes it. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** One access key as the report sees it. */
export interface ReportKey {
  readonly active: boolean;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | undefined;
  readonly lastUsedRegion: string | undefined;
  readonly lastUsedService: string | undefined;
}

/** One signing certificate as the report sees it. */
export interface ReportCert {
  readonly active: boolean;
  readonly uploadedAt: Date;
}

/** One IAM user row's inputs. */
export interface ReportUser {
  readonly userName: string;
  readonly arn: string;
  readonly createdAt: Date;
  /** Null when the user has no console password. */
  readonly password: { readonly lastUsed: Date | undefined; readonly lastChanged: Date } | null;
  readonly mfaActive: boolean;
  readonly accessKeys: readonly ReportKey[];
  readonly certificates: readonly ReportCert[];
}

/** The `<root_account>` row's inputs. */
export interface ReportRoot {
  readonly accountId: string;
  readonly createdAt: Date;
  readonly passwordLastUsed: Date | undefined;
  readonly mfaActive: boolean;
  /** Root access keys (AWS advises none). */
  readonly accessKeys?: readonly ReportKey[];
}

/** AWS writes report times as `2024-05-01T10:00:00+00:00`. */
export function reportTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Builds the CSV text: the `<root_account>` row first, then one row per user in the given order. */
export function buildCredentialReportCsv(root: ReportRoot, users: readonly ReportUser[]): string {
  const lines: string[] = [CREDENTIAL_REPORT_COLUMNS.join(',')];
  lines.push(
    [
      '<root_account>',
      `arn:aws:iam::${root.accountId}:root`,
      reportTime(root.createdAt),
      'not_supported',
      root.passwordLastUsed ? reportTime(root.passwordLastUsed) : 'no_information',
      'not_supported',
      'not_supported',
      String(root.mfaActive),
      ...keyColumns(root.accessKeys?.[0]),
      ...keyColumns(root.accessKeys?.[1]),
      ...certColumns(undefined),
      ...certColumns(undefined),
    ].join(','),
  );
  for (const user of users) {
    const keys = [...user.accessKeys].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const certs = [...user.certificates].sort((a, b) => a.uploadedAt.getTime() - b.uploadedAt.getTime());
    lines.push(
      [
        user.userName,
        user.arn,
        reportTime(user.createdAt),
        String(user.password !== null),
        user.password === null ? 'N/A' : user.password.lastUsed ? reportTime(user.password.lastUsed) : 'no_information',
        user.password === null ? 'N/A' : reportTime(user.password.lastChanged),
        // No account password policy with expiry is modelled, so there is never a next rotation.
        'N/A',
        String(user.mfaActive),
        ...keyColumns(keys[0]),
        ...keyColumns(keys[1]),
        ...certColumns(certs[0]),
        ...certColumns(certs[1]),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** IAM names may contain commas; quote per RFC 4180 so the row still parses. */
function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function keyColumns(key: ReportKey | undefined): string[] {
  if (key === undefined) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  const used = key.lastUsedAt;
  return [
    String(key.active),
    reportTime(key.createdAt),
    used ? reportTime(used) : 'N/A',
    used ? (key.lastUsedRegion ?? 'us-east-1') : 'N/A',
    used ? (key.lastUsedService ?? 'sts') : 'N/A',
  ];
}

function certColumns(cert: ReportCert | undefined): string[] {
  if (cert === undefined) return ['false', 'N/A'];
  return [String(cert.active), reportTime(cert.uploadedAt)];
}
