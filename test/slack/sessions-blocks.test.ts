import { accessAtMessage, departureMessage, historyEntryText, homeView } from '../../src/adapters/slack/blocks';
import type { AuditEntry } from '../../src/ports';
import { createDummyDeparture } from '../contract/departure-store.contract';

const NOW = new Date('2026-12-01T12:00:00Z');
const text = (value: unknown): string => JSON.stringify(value);
const ENDED = '111111111111/alice: sessions ended at 2026-12-01 10:00 UTC';
const hostile = '111111111111/alice: sessions may live until 2026-12-01 22:00 UTC <!channel> *bold*';

describe('the session status in Slack', () => {
  it('the departure thread and App Home show the last attempt\'s session lines, escaped', () => {
    const departure = createDummyDeparture({
      effectiveAt: new Date('2026-12-01T09:00:00Z'),
      lastAttempt: { at: NOW, runId: 'run-1', outcome: 'no-access-left', remaining: [], sessions: [ENDED, hostile] },
    });
    const thread = text(departureMessage(departure, NOW, 24));
    expect(thread).toContain('Live sessions');
    expect(thread).toContain('sessions ended at 2026-12-01 10:00 UTC');
    expect(thread).not.toContain('<!channel>');
    const home = text(homeView({ pending: [departure], unresolved: [], guardTrips: [] }, { hr: true, auditor: false }, NOW, 'UTC'));
    expect(home).toContain('sessions ended at 2026-12-01 10:00 UTC');
  });

  it('App Home lists role sessions no deny ended', () => {
    const finding = { kind: 'sessions-may-live', severity: 'high', control: 'offboarding-24h', account: '111111111111', userName: 'alice', detail: 'could assume role arn:aws:iam::111111111111:role/ops-admin …: sessions may live until 2026-12-01 13:00 UTC' } as const;
    const home = text(homeView({ pending: [], unresolved: [], guardTrips: [], findings: [finding] }, { hr: false, auditor: true }, NOW, 'UTC'));
    expect(home).toContain('Role sessions that may still be live');
    expect(home).toContain('role/ops-admin');
    expect(text(homeView({ pending: [], unresolved: [], guardTrips: [], findings: [] }, { hr: false, auditor: true }, NOW, 'UTC'))).not.toContain('Role sessions');
  });

  it('/access at and /access history show the recorded session lines', () => {
    const at = accessAtMessage({ at: NOW, filter: '' }, { rows: [], sessions: [ENDED] }, { q: 'at 2026-12-01', p: 0 }, 'UTC');
    expect(text(at)).toContain(ENDED);
    const entry: AuditEntry = {
      seq: 7, at: '2026-12-01T10:00:00.000Z', runId: 'run-1', actor: 'system', action: 'leaver.sessions', account: '111111111111', target: 'alice',
      person: 'alice@example.com (E1)', reason: 'departed', result: 'ok', after: { status: 'ended', at: '2026-12-01T10:00:00.000Z', verified: true }, prevHash: 'x', hash: 'y',
    } as AuditEntry;
    expect(historyEntryText(entry, 'UTC')).toContain('111111111111/alice: sessions ended at 2026-12-01T10:00:00.000Z');
  });
});
