import { createDummyBlockAction, createDummyCommand, createDummyEvent } from '../fakes/slack-requests';
import { AUDITOR, HR1, OUTSIDER, confirmDelivery, startHarness, submitOffboardForm, type Harness } from './harness';

interface SectionLike {
  type: string;
  text?: { text: string };
  elements?: { value?: string; action_id?: string }[];
}

describe('Auditors in Slack: history, status, App Home', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    for (let i = 1; i <= 45; i += 1) {
      await h.audit.append({
        runId: `run-${i}`,
        actor: 'system',
        action: i === 45 ? 'deactivate-access-key' : 'verify',
        account: '111111111111',
        target: 'carol',
        person: 'carol@example.com',
        reason: 'departed',
        result: i % 10 === 0 ? 'failed' : 'ok',
        ...(i === 7 ? { error: `<!channel> ${'x'.repeat(5000)}` } : {}),
        after: { n: i },
      });
    }
    await h.audit.append({ runId: 'run-other', actor: 'system', action: 'verify', target: 'dave', person: 'dave@example.com', result: 'ok' });
  });

  afterAll(async () => {
    await h.close();
  });

  const historyPage = (id: string) => h.slack.responsesTo(id).at(-1)?.args as { blocks: SectionLike[]; replace_original: boolean; text: string } | undefined;
  const sections = (page: ReturnType<typeof historyPage>) => (page?.blocks ?? []).filter((b) => b.type === 'section');

  it('pages a person\'s audit timeline within Slack\'s limits, newest first', async () => {
    await h.send(createDummyCommand({ command: '/access', text: 'history carol@example.com', user_id: AUDITOR, response_url: h.slack.responseUrl('h1') }));
    const first = historyPage('h1');
    const older = first?.blocks.find((b) => b.type === 'actions')?.elements?.find((e) => e.action_id === 'warden_history_page_older');

    await h.send(createDummyBlockAction({ user: AUDITOR, actionId: 'warden_history_page_older', value: older?.value ?? '', responseUrl: h.slack.responseUrl('h1') }));
    const second = historyPage('h1');
    const nextOlder = second?.blocks.find((b) => b.type === 'actions')?.elements?.find((e) => e.action_id === 'warden_history_page_older');
    await h.send(createDummyBlockAction({ user: AUDITOR, actionId: 'warden_history_page_older', value: nextOlder?.value ?? '', responseUrl: h.slack.responseUrl('h1') }));
    const third = historyPage('h1');

    const pages = [first, second, third];
    for (const page of pages) {
      expect(page?.blocks.length).toBeLessThanOrEqual(50);
      for (const block of sections(page)) expect(block.text?.text.length).toBeLessThanOrEqual(3000);
    }
    const seqs = pages.flatMap((p) => sections(p).map((b) => Number(/· #(\d+)/.exec(b.text?.text ?? '')?.[1])));
    expect(seqs).toHaveLength(45);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(45);
    expect(first?.replace_original).toBe(false);
    expect(second?.replace_original).toBe(true);
    expect(first?.text).toContain('page 1 of 3');
    expect(third?.blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id)).toEqual(['warden_history_page_newer']);
    expect(JSON.stringify(pages)).not.toContain('<!channel>');
    expect(JSON.stringify(pages)).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(pages)).not.toContain('dave');
  });

  it('looks up history by IAM user name and by @mention', async () => {
    await h.send(createDummyCommand({ command: '/access', text: 'history carol', user_id: AUDITOR, response_url: h.slack.responseUrl('iam') }));
    await h.send(createDummyCommand({ command: '/access', text: 'history <@U0ALICE|alice>', user_id: AUDITOR, response_url: h.slack.responseUrl('at') }));
    await h.send(createDummyCommand({ command: '/access', text: 'history', user_id: AUDITOR, response_url: h.slack.responseUrl('none') }));

    expect(historyPage('iam')?.text).toContain('IAM user carol');
    expect(sections(historyPage('iam'))).toHaveLength(20);
    expect(historyPage('at')?.text).toContain('alice@example.com');
    expect(h.slack.responsesTo('none')).toHaveLength(0);
    const audited = (await h.audit.query({})).filter((e) => e.action === 'slack.access.history').map((e) => e.target);
    expect(audited).toEqual(expect.arrayContaining(['carol@example.com', 'IAM user carol', 'alice@example.com']));
  });

  it('answers /access status with pending departures and open findings', async () => {
    const effective = new Date(Date.now() + 86_400_000);
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', date: effective.toISOString().slice(0, 10), time: '10:00' });
    await h.send(confirmDelivery(HR1, preview));

    await h.send(createDummyCommand({ command: '/access', text: 'status', user_id: AUDITOR, response_url: h.slack.responseUrl('status') }));
    const status = JSON.stringify(h.slack.responsesTo('status')[0]?.args);

    expect(status).toContain('Pending departures* (1)');
    expect(status).toContain('alice@example.com');
    expect(status).toContain('Open findings');
    expect(status).toContain('scheduled-departure');
    // One line on the security policy's access clauses, from the same dry run.
    expect(status).toMatch(/Security policy\*\\nSecurity policy: \d+ of 12 access clauses pass/);
  });

  it('publishes App Home with pending departures for HR, and a restricted home for others', async () => {
    await h.send(createDummyEvent({ type: 'app_home_opened', user: HR1, channel: 'D0HR1', tab: 'home', event_ts: '1.1' }));
    await h.send(createDummyEvent({ type: 'app_home_opened', user: OUTSIDER, channel: 'D0OUT', tab: 'home', event_ts: '1.2' }));
    const published = h.slack.callsTo('views.publish');
    const home = (user: string) => JSON.stringify(published.find((c) => c.args['user_id'] === user)?.args['view']);

    expect(home(HR1)).toContain('Pending departures* (1)');
    expect(home(HR1)).toContain('warden_cancel_departure');
    expect(home(HR1)).toContain('Last reconciliation');
    expect(home(OUTSIDER)).toContain('for HR and auditors');
    expect(home(OUTSIDER)).not.toContain('alice');
  });
});
