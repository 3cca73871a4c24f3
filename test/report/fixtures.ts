import { buildLeaverReport, type LeaverReport } from '../../src/domain/evidence/leavers';
import { AuditScript, HOUR, createDummyPersonRef } from '../evidence/builders';

/**
 * A small report with what the demo lacks: an open leaver (failed key), one marked in Slack, a
 * name and an error message carrying HTML and a spreadsheet formula.
 */
export async function createDummyReport(): Promise<LeaverReport> {
  const mallory = createDummyPersonRef({ employeeId: '=HYPERLINK("http://evil")', email: 'mallory@example.com' });
  const ana = createDummyPersonRef({ employeeId: 'E7', email: 'ana@example.com' });
  const script = new AuditScript('2026-11-20T02:00:00.000Z');
  await script.leaver(ana, { fullName: 'Ana Souza', effectiveAt: '2026-11-20T00:00:00.000Z', markedBy: 'slack:U0HR1' });
  await script.action('delete-login-profile', ana, 'ana');
  await script.action('remove-from-group', ana, 'ana', { groupName: 'developers' });
  await script.later(10 * 60_000).verify(ana, 'ana', true);
  await script.leaver(mallory, { fullName: '<script>alert(1)</script> Mallory', effectiveAt: '2026-11-20T01:00:00.000Z' });
  await script.action('deactivate-access-key', mallory, 'mallory', { accessKeyId: 'AKIAEVIL' }, 'failed');
  await script.verify(mallory, 'mallory', false);
  return buildLeaverReport(await script.entries(), {
    from: new Date('2026-11-01T00:00:00Z'),
    to: new Date('2026-11-30T00:00:00Z'),
    slaHours: 24,
    now: new Date(Date.parse('2026-11-20T00:00:00Z') + 30 * HOUR),
  });
}
