import type { AccountInventory, IamUser } from '../inventory';
import type { Finding } from '../plan';
import type { AccessPolicy } from '../policy';
import type { PersonRef } from '../roster';
import { makeFinding } from './build';

const DAY_MS = 86_400_000;

const daysBetween = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);
const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * CIS AWS Foundations credential checks from the credential report: console without MFA (1.10), unused credentials
 * (1.12), more than one active key (1.13), keys not rotated (1.14). Nothing when the account has no report.
 */
export function hygieneFindings(
  account: AccountInventory,
  user: IamUser,
  policy: AccessPolicy,
  now: Date,
  person?: PersonRef,
): Finding[] {
  const report = user.credentials;
  if (account.credentialReportAt === null || report === undefined) return [];
  const { rotationDays, unusedDays } = policy.hygiene;
  const where = { account: user.account, userName: user.userName, ...(person !== undefined ? { person } : {}) };
  const findings: Finding[] = [];

  if (report.passwordEnabled && !report.mfaActive) {
    findings.push(
      makeFinding('no-mfa', 'medium', 'credential-hygiene', where, 'console password enabled without an MFA device (CIS AWS 1.10)'),
    );
  }
  const activeKeys = report.accessKeys.filter((key) => key.active);
  if (activeKeys.length > 1) {
    findings.push(
      makeFinding(
        'multiple-active-keys',
        'low',
        'credential-hygiene',
        where,
        `${activeKeys.length} active access keys (slots ${activeKeys.map((k) => k.slot).join(', ')}); keep at most one (CIS AWS 1.13)`,
      ),
    );
  }
  for (const key of activeKeys) {
    if (key.lastRotated !== undefined && daysBetween(key.lastRotated, now) > rotationDays) {
      findings.push(
        makeFinding(
          'rotation-overdue',
          'medium',
          'credential-hygiene',
          where,
          `access key ${key.slot} last rotated ${day(key.lastRotated)}, ${daysBetween(key.lastRotated, now)} days ago ` +
            `(limit ${rotationDays}; CIS AWS 1.14)`,
        ),
      );
    }
  }

  /** A credential idle for `unusedDays` or more: judged by its last use, else by when it was set (`setWord`). */
  const unused = (label: string, lastUsed: Date | undefined, since: Date, setWord: string): void => {
    const idle = daysBetween(since, now);
    if (idle < unusedDays) return;
    const what = lastUsed !== undefined ? `last used ${day(lastUsed)}` : `never used (${setWord} ${day(since)})`;
    findings.push(
      makeFinding('unused-credential', 'medium', 'credential-hygiene', where, `${label} ${what}, ${idle} days without use (limit ${unusedDays}; CIS AWS 1.12)`),
    );
  };
  if (report.passwordEnabled) {
    const lastUsed = report.passwordLastUsed ?? user.passwordLastUsed;
    unused('console password', lastUsed, lastUsed ?? report.passwordLastChanged ?? user.createdAt, 'set');
  }
  // A key that was never used is judged by its creation (the report's last_rotated is the creation date until rotated).
  for (const key of activeKeys) unused(`access key ${key.slot}`, key.lastUsed, key.lastUsed ?? key.lastRotated ?? user.createdAt, 'created');
  return findings;
}
