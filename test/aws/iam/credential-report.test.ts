import { parseCredentialReport, CredentialReportFormatError } from '../../../src/adapters/aws/iam/credential-report';
import { buildCredentialReportCsv } from '../../../src/sandbox/credential-report';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const ROOT =
  '<root_account>,arn:aws:iam::123456789012:root,2014-05-01T10:00:00+00:00,not_supported,2024-01-01T00:00:00+00:00,not_supported,' +
  'not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';

/** One report line in AWS's column order; override any column by name. */
function reportLine(user: string, overrides: Record<string, string> = {}): string {
  const defaults: Record<string, string> = {
    user,
    arn: `arn:aws:iam::123456789012:user/${user}`,
    user_creation_time: '2023-01-02T03:04:05+00:00',
    password_enabled: 'false',
    password_last_used: 'N/A',
    password_last_changed: 'N/A',
    password_next_rotation: 'N/A',
    mfa_active: 'false',
    access_key_1_active: 'false',
    access_key_1_last_rotated: 'N/A',
    access_key_1_last_used_date: 'N/A',
    access_key_1_last_used_region: 'N/A',
    access_key_1_last_used_service: 'N/A',
    access_key_2_active: 'false',
    access_key_2_last_rotated: 'N/A',
    access_key_2_last_used_date: 'N/A',
    access_key_2_last_used_region: 'N/A',
    access_key_2_last_used_service: 'N/A',
    cert_1_active: 'false',
    cert_1_last_rotated: 'N/A',
    cert_2_active: 'false',
    cert_2_last_rotated: 'N/A',
  };
  const row = { ...defaults, ...overrides };
  return HEADER.split(',')
    .map((column) => row[column] ?? '')
    .join(',');
}

describe('parseCredentialReport', () => {
  it('skips the root account and reads every documented value form', () => {
    const csv = [
      HEADER,
      ROOT,
      reportLine('alice', {
        password_enabled: 'true',
        password_last_used: '2024-05-01T10:00:00+00:00',
        password_last_changed: '2024-01-01T00:00:00+00:00',
        mfa_active: 'true',
        access_key_1_active: 'true',
        access_key_1_last_rotated: '2023-06-01T00:00:00+00:00',
        access_key_1_last_used_date: '2024-05-02T00:00:00+00:00',
        access_key_2_active: 'false',
        access_key_2_last_rotated: '2022-01-01T00:00:00+00:00',
      }),
      reportLine('bob', { password_enabled: 'true', password_last_used: 'no_information', password_last_changed: '2024-02-02T00:00:00+00:00' }),
    ].join('\n');

    const rows = parseCredentialReport(csv);

    expect([...rows.keys()]).toEqual(['alice', 'bob']);
    expect(rows.get('alice')).toEqual({
      passwordEnabled: true,
      passwordLastUsed: new Date('2024-05-01T10:00:00Z'),
      passwordLastChanged: new Date('2024-01-01T00:00:00Z'),
      mfaActive: true,
      accessKeys: [
        { slot: 1, active: true, lastRotated: new Date('2023-06-01T00:00:00Z'), lastUsed: new Date('2024-05-02T00:00:00Z') },
        { slot: 2, active: false, lastRotated: new Date('2022-01-01T00:00:00Z') },
      ],
    });
    const bob = rows.get('bob');
    expect(bob?.passwordEnabled).toBe(true);
    expect(bob).not.toHaveProperty('passwordLastUsed');
    expect(bob?.accessKeys).toEqual([]);
  });

  it('reads columns by name, so extra or reordered columns do not shift values', () => {
    const header = HEADER.split(',');
    const reordered = ['mfa_active', 'extra_future_column', ...header.filter((c) => c !== 'mfa_active')];
    const alice = reportLine('alice', { mfa_active: 'true' }).split(',');
    const values = new Map(header.map((c, i) => [c, alice[i] ?? '']));
    const line = reordered.map((c) => (c === 'extra_future_column' ? 'x' : (values.get(c) ?? ''))).join(',');

    const rows = parseCredentialReport(`${reordered.join(',')}\n${line}\n`);

    expect(rows.get('alice')?.mfaActive).toBe(true);
  });

  it('handles quoted user names, CRLF line ends and a byte-order mark', () => {
    const csv = `\uFEFF${HEADER}\r\n${reportLine('"x,y"', { arn: '"arn:aws:iam::123456789012:user/x,y"', mfa_active: 'true' })}\r\n`;

    expect(parseCredentialReport(csv).get('x,y')?.mfaActive).toBe(true);
  });

  it('rejects a report without the documented columns', () => {
    expect(() => parseCredentialReport('name,foo\nalice,1\n')).toThrow(CredentialReportFormatError);
  });

  it('rejects a row with more or fewer fields than the header, naming its line (its values would land in the wrong columns)', () => {
    const short = reportLine('bob').split(',').slice(0, -1).join(',');
    expect(() => parseCredentialReport(`${HEADER}\n${reportLine('alice')}\n${short}\n`)).toThrow(/line 3 has 21 fields, the header 22/);
    expect(() => parseCredentialReport(`${HEADER}\n${reportLine('alice')},extra\n`)).toThrow(CredentialReportFormatError);
  });

  it('rejects a report that is not CSV, and reads values with spaces around them', () => {
    expect(() => parseCredentialReport(`${HEADER}\n"alice,${reportLine('x').split(',').slice(1).join(',')}\n`)).toThrow(/not valid CSV: Quote Not Closed/);
    const spaced = reportLine(' dave ', { mfa_active: ' true ', password_enabled: 'TRUE' });
    expect(parseCredentialReport(`${HEADER}\n${spaced}\n`).get('dave')).toMatchObject({ mfaActive: true, passwordEnabled: true });
  });

  it('returns no rows for a report with only the root account', () => {
    expect(parseCredentialReport(`${HEADER}\n${ROOT}\n`).size).toBe(0);
  });
});

describe('parseCredentialReport on the sandbox report writer', () => {
  it('reads what the sandbox writes', () => {
    const csv = buildCredentialReportCsv({ accountId: '123456789012', createdAt: new Date('2020-01-01Z'), passwordLastUsed: undefined, mfaActive: true }, [
      {
        userName: 'carol',
        arn: 'arn:aws:iam::123456789012:user/carol',
        createdAt: new Date('2021-01-01Z'),
        password: { lastUsed: undefined, lastChanged: new Date('2021-02-01Z') },
        mfaActive: false,
        accessKeys: [
          { active: false, createdAt: new Date('2022-01-01Z'), lastUsedAt: undefined, lastUsedRegion: undefined, lastUsedService: undefined },
          { active: true, createdAt: new Date('2021-06-01Z'), lastUsedAt: new Date('2024-01-01Z'), lastUsedRegion: undefined, lastUsedService: undefined },
        ],
        certificates: [],
      },
    ]);

    expect(parseCredentialReport(csv)).toEqual(
      new Map([
        [
          'carol',
          {
            passwordEnabled: true,
            passwordLastChanged: new Date('2021-02-01Z'),
            mfaActive: false,
            accessKeys: [
              { slot: 1, active: true, lastRotated: new Date('2021-06-01Z'), lastUsed: new Date('2024-01-01Z') },
              { slot: 2, active: false, lastRotated: new Date('2022-01-01Z') },
            ],
          },
        ],
      ]),
    );
  });
});
