import { formatAuditPerson } from '../../src/domain/audit-chain';
import { buildLeaverReport } from '../../src/domain/evidence/leavers';
import { sessionEvidenceOf, sessionEvidenceWords } from '../../src/domain/evidence/sessions';
import { renderLeaversCsv } from '../../src/report/leavers-csv';
import { renderLeaversHtml } from '../../src/report/leavers-html';
import { ACCOUNT, AuditScript, createDummyPersonRef } from './builders';

const bob = createDummyPersonRef();

async function scriptWithSessions(after: Record<string, unknown>): Promise<AuditScript> {
  const script = new AuditScript('2026-11-20T02:00:00.000Z');
  await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
  await script.action('attach-deny-all', bob, 'bob', { policyName: 'warden-deny-all' });
  await script.verify(bob, 'bob', true);
  await script.log.append({ runId: 'run-1', actor: 'system', action: 'leaver.sessions', account: ACCOUNT, target: 'bob', person: formatAuditPerson(bob), reason: 'departed', result: 'ok', after });
  return script;
}

const options = (now: string) => ({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z'), slaHours: 24, now: new Date(now) });

describe('leaver sessions in the leaver report', () => {
  it('carries the last recorded session status into JSON, CSV and HTML, worded at report time', async () => {
    const script = await scriptWithSessions({ status: 'may-live-until', until: '2026-11-20T14:01:00.000Z', verified: true, words: 'x' });
    const early = buildLeaverReport(await script.entries(), options('2026-11-20T03:00:00Z'));
    expect(early.leavers[0]?.sessions).toEqual([expect.objectContaining({ account: ACCOUNT, userName: 'bob', status: 'may-live-until', time: '2026-11-20T14:01:00.000Z' })]);
    expect(renderLeaversCsv(early)).toContain(`${ACCOUNT}/bob: sessions may live until 2026-11-20T14:01:00.000Z`);
    expect(renderLeaversHtml(early)).toContain('sessions may live until 2026-11-20T14:01:00.000Z');

    const late = buildLeaverReport(await script.entries(), options('2026-11-25T00:00:00Z'));
    expect(renderLeaversCsv(late)).toContain('sessions expired by 2026-11-20T14:01:00.000Z (no deny ended them)');
  });

  it('says when sessions ended, and flags an unconfirmed end', async () => {
    const script = await scriptWithSessions({ status: 'ended', at: '2026-11-20T02:01:00.000Z', verified: false });
    const report = buildLeaverReport(await script.entries(), options('2026-11-21T00:00:00Z'));
    expect(renderLeaversCsv(report)).toContain(`${ACCOUNT}/bob: sessions ended at 2026-11-20T02:01:00.000Z (not verified)`);
  });

  it('ignores stored rows that do not read as session evidence (an edited row is not believed)', () => {
    expect(sessionEvidenceOf({ at: 'x', target: 'bob', after: { status: 'ended', at: 'yesterday' } })).toBeUndefined();
    expect(sessionEvidenceOf({ at: 'x', target: 'bob', after: { status: 'gone', at: '2026-11-20T00:00:00Z' } })).toBeUndefined();
    expect(sessionEvidenceOf({ at: 'x', target: 'bob', after: ['ended'] })).toBeUndefined();
    expect(sessionEvidenceOf({ at: 'x', after: { status: 'ended', at: '2026-11-20T00:00:00Z' } })).toBeUndefined();
    const e = sessionEvidenceOf({ at: 'x', target: 'bob', after: { status: 'ended', at: '2026-11-20T00:00:00Z', verified: 'yes' } });
    expect(e?.verified).toBe(false);
    expect(sessionEvidenceWords(e ?? { userName: '', status: 'ended', time: '', verified: true, recordedAt: '' }, new Date())).toMatch(/not verified/);
  });
});

describe('sessionsAt: leavers\' sessions as recorded by a point in time', () => {
  it('takes the last entry at or before the time, per user, narrowed by person and account', async () => {
    const { sessionsAt } = await import('../../src/app/evidence');
    const script = await scriptWithSessions({ status: 'may-live-until', until: '2026-11-20T14:01:00.000Z', verified: true });
    script.at('2026-11-20T06:00:00.000Z');
    await script.log.append({ runId: 'run-2', actor: 'system', action: 'leaver.sessions', account: ACCOUNT, target: 'bob', person: formatAuditPerson(bob), reason: 'departed', result: 'ok', after: { status: 'ended', at: '2026-11-20T06:00:00.000Z', verified: true } });

    expect(await sessionsAt(script.log, new Date('2026-11-20T05:00:00Z'))).toEqual([`${ACCOUNT}/bob: sessions may live until 2026-11-20T14:01:00.000Z`]);
    expect(await sessionsAt(script.log, new Date('2026-11-20T07:00:00Z'))).toEqual([`${ACCOUNT}/bob: sessions ended at 2026-11-20T06:00:00.000Z`]);
    expect(await sessionsAt(script.log, new Date('2026-11-20T01:00:00Z'))).toEqual([]);
    expect(await sessionsAt(script.log, new Date('2026-11-20T07:00:00Z'), { person: 'BOB@example.com' })).toHaveLength(1);
    expect(await sessionsAt(script.log, new Date('2026-11-20T07:00:00Z'), { person: 'carol@example.com' })).toEqual([]);
    expect(await sessionsAt(script.log, new Date('2026-11-20T07:00:00Z'), { account: '999999999999' })).toEqual([]);
  });
});
