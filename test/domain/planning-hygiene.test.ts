/**
 * CIS credential checks (src/domain/planning/hygiene.ts) word for word and at their edges (issue 10): which credentials
 * count (active ones only), when a password without MFA is a finding, and the exact lines a report shows.
 */
import type { AccountInventory, CredentialReportRow, IamUser } from '../../src/domain/inventory';
import { hygieneFindings } from '../../src/domain/planning/hygiene';
import { ACCOUNT, createDummyAccount, createDummyCredentials, createDummyPolicy, createDummyUser, NOW } from '../fixtures/builders';

const DAY = 86_400_000;
const ago = (days: number): Date => new Date(NOW.getTime() - days * DAY);
const policy = createDummyPolicy({ hygiene: { rotationDays: 90, unusedDays: 45 } });
const person = { email: 'carol@example.com', employeeId: 'E3' };

function findingsFor(report: Partial<CredentialReportRow>, user: Partial<IamUser> = {}, account: Partial<AccountInventory> = {}) {
  const u = createDummyUser({ userName: 'carol', createdAt: ago(400), credentials: createDummyCredentials(report), ...user });
  return hygieneFindings(createDummyAccount([u], account), u, policy, NOW, person);
}
const details = (report: Partial<CredentialReportRow>, user: Partial<IamUser> = {}) => findingsFor(report, user).map((f) => `${f.kind}: ${f.detail}`);

describe('credential hygiene findings', () => {
  it('a console password without MFA, and only that', () => {
    expect(findingsFor({ passwordEnabled: true, passwordLastUsed: ago(1) })).toEqual([
      { kind: 'no-mfa', severity: 'medium', control: 'credential-hygiene', account: ACCOUNT, userName: 'carol', person, detail: 'console password enabled without an MFA device (CIS AWS 1.10)' },
    ]);
    expect(details({ passwordEnabled: true, mfaActive: true, passwordLastUsed: ago(1) })).toEqual([]);
    expect(details({ passwordEnabled: false, mfaActive: false })).toEqual([]);
  });

  it('counts only active keys: one active and one inactive is neither "multiple" nor overdue for the inactive one', () => {
    expect(
      details({
        accessKeys: [
          { slot: 1, active: true, lastRotated: ago(10), lastUsed: ago(1) },
          { slot: 2, active: false, lastRotated: ago(500) },
        ],
      }),
    ).toEqual([]);
  });

  it('two active keys: the slots, exact words; a key rotated exactly rotationDays ago is not overdue, one day more is', () => {
    expect(
      details({
        accessKeys: [
          { slot: 1, active: true, lastRotated: ago(90), lastUsed: ago(1) },
          { slot: 2, active: true, lastRotated: ago(91), lastUsed: ago(1) },
        ],
      }),
    ).toEqual([
      'multiple-active-keys: 2 active access keys (slots 1, 2); keep at most one (CIS AWS 1.13)',
      'rotation-overdue: access key 2 last rotated 2026-08-27, 91 days ago (limit 90; CIS AWS 1.14)',
    ]);
  });

  it('unused credentials: never used ones by when they were set or created, exactly at unusedDays, not a day before', () => {
    expect(
      details({
        passwordEnabled: true,
        mfaActive: true,
        passwordLastChanged: ago(45),
        accessKeys: [
          { slot: 1, active: true, lastRotated: ago(45) },
          { slot: 2, active: true, lastRotated: ago(44) },
        ],
      }),
    ).toEqual([
      'multiple-active-keys: 2 active access keys (slots 1, 2); keep at most one (CIS AWS 1.13)',
      'unused-credential: console password never used (set 2026-10-12), 45 days without use (limit 45; CIS AWS 1.12)',
      'unused-credential: access key 1 never used (created 2026-10-12), 45 days without use (limit 45; CIS AWS 1.12)',
    ]);
    expect(details({ passwordEnabled: true, mfaActive: true, passwordLastUsed: ago(50) })).toEqual([
      'unused-credential: console password last used 2026-10-07, 50 days without use (limit 45; CIS AWS 1.12)',
    ]);
  });

  it('a disabled password is never "unused", however long ago it was used', () => {
    expect(details({ passwordEnabled: false, passwordLastUsed: ago(300), mfaActive: true })).toEqual([]);
  });

  it('nothing without a credential report for the account or the user', () => {
    expect(findingsFor({ passwordEnabled: true }, {}, { credentialReportAt: null })).toEqual([]);
    const u = createDummyUser({ userName: 'carol' });
    expect(hygieneFindings(createDummyAccount([u]), u, policy, NOW)).toEqual([]);
  });

  it('findings of a user with no roster person carry no person field', () => {
    const u = createDummyUser({ userName: 'ci', credentials: createDummyCredentials({ passwordEnabled: true }) });
    expect(hygieneFindings(createDummyAccount([u]), u, policy, NOW).map((f) => Object.keys(f))).toEqual([['kind', 'severity', 'control', 'account', 'userName', 'detail'], expect.any(Array)]);
  });
});
