import { SlackAuthorizer, isPrincipal } from '../../src/adapters/slack/authorization';
import { createDummyBlockAction, createDummyCommand } from '../fakes/slack-requests';
import { AUDITOR, HR1, HR2, OUTSIDER, confirmDelivery, startHarness, submitOffboardForm, type Harness } from './harness';

describe('Authorization on every Slack entry point', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  const deniedEntries = async () => (await h.audit.query({})).filter((e) => e.action === 'slack.denied');

  it('refuses /offboard to a non-HR user politely, audits it, and opens nothing', async () => {
    const result = await h.send(createDummyCommand({ command: '/offboard', user_id: OUTSIDER, response_url: h.slack.responseUrl('o1') }));

    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('only HR can offboard') });
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
    expect((await deniedEntries()).at(-1)).toMatchObject({ actor: `slack:${OUTSIDER}`, target: 'command:/offboard', result: 'skipped' });
  });

  it('refuses the form submission and the confirm submission (anyone can post a view payload)', async () => {
    const form = await submitOffboardForm(h, OUTSIDER, { email: 'alice@example.com' }, 'VOUT1');
    const hrPreview = (await submitOffboardForm(h, HR1, { email: 'alice@example.com' }, 'VHR1')).preview;
    const confirm = await h.send(confirmDelivery(OUTSIDER, hrPreview, 'VHR1'));

    expect(form.submitted.json).toMatchObject({ response_action: 'errors', errors: { person_user: expect.stringContaining('only HR') } });
    expect(confirm.json).toMatchObject({ response_action: 'update', view: { title: { text: 'Not allowed' } } });
    expect(await h.departures.listPending()).toEqual([]);
    expect((await deniedEntries()).map((e) => e.target)).toEqual(expect.arrayContaining(['view:warden_offboard', 'view:warden_offboard_confirm']));
  });

  it('refuses Cancel and Approve buttons to non-HR users, leaving the departure untouched', async () => {
    const effective = new Date(Date.now() + 86_400_000);
    const { preview } = await submitOffboardForm(h, HR1, { email: 'bob@example.com', date: effective.toISOString().slice(0, 10), time: '09:00' }, 'VHR2');
    await h.send(confirmDelivery(HR1, preview, 'VHR2'));
    const [departure] = await h.departures.listPending();
    const click = (actionId: string, id: string) => createDummyBlockAction({ user: OUTSIDER, actionId, value: departure?.id ?? '', responseUrl: h.slack.responseUrl(id) });

    await h.send(click('warden_cancel_departure', 'c'));
    await h.send(click('warden_approve_departure', 'a'));

    expect(departure?.status).toBe('awaiting-approval');
    expect(await h.departures.get(departure?.id ?? '')).toEqual(departure);
    expect(h.slack.responsesTo('c')[0]?.args).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringContaining('only HR') });
    expect(String(h.slack.responsesTo('a')[0]?.args['text'])).toContain('only HR');
    expect((await deniedEntries()).map((e) => e.target)).toEqual(expect.arrayContaining(['action:warden_cancel_departure', 'action:warden_approve_departure']));
  });

  it('refuses /access and history paging to non-auditors, HR included', async () => {
    const access = await h.send(createDummyCommand({ command: '/access', text: 'history alice@example.com', user_id: HR1, response_url: h.slack.responseUrl('x') }));
    await h.send(createDummyBlockAction({ user: OUTSIDER, actionId: 'warden_history_page_older', value: JSON.stringify({ q: 'alice@example.com', p: 1 }), responseUrl: h.slack.responseUrl('page') }));

    expect(access.json).toMatchObject({ text: expect.stringContaining('for auditors') });
    expect(h.slack.responsesTo('x')).toHaveLength(0);
    expect(String(h.slack.responsesTo('page')[0]?.args['text'])).toContain('for auditors');
    expect((await deniedEntries()).filter((e) => e.target === 'command:/access' && e.actor === `slack:${HR1}`)).toHaveLength(1);
  });

  it('lets a user-group member in (HR2 is only in S0HR; the auditor only in S0AUDIT), reading each group once', async () => {
    const groupReads = h.slack.callsTo('usergroups.users.list').length;

    const hr2 = await h.send(createDummyCommand({ command: '/offboard', text: '<@U0ALICE|alice>', user_id: HR2, response_url: h.slack.responseUrl('hr2') }));
    const auditor = await h.send(createDummyCommand({ command: '/access', text: 'status', user_id: AUDITOR, response_url: h.slack.responseUrl('aud') }));
    expect(auditor.status).toBe(200);

    expect(hr2.status).toBe(200);
    expect(h.slack.callsTo('views.open').at(-1)?.args['view']).toMatchObject({ blocks: expect.arrayContaining([expect.objectContaining({ block_id: 'person_user', element: expect.objectContaining({ initial_user: 'U0ALICE' }) })]) });
    expect(h.slack.responsesTo('aud')).toHaveLength(1);
    expect(groupReads).toBeGreaterThan(0);
    expect(h.slack.callsTo('usergroups.users.list').map((c) => c.args['usergroup']).sort()).toEqual(['S0AUDIT', 'S0HR']);
  });
});

describe('SlackAuthorizer', () => {
  const clock = { now: () => new Date('2026-11-26T12:00:00Z') };

  it('treats a group it cannot read as granting nothing, and does not cache the failure', async () => {
    let calls = 0;
    const authorizer = new SlackAuthorizer({
      directory: {
        userGroupMembers: async () => {
          calls += 1;
          if (calls === 1) throw new Error('ratelimited');
          return ['U1'];
        },
      },
      hr: { userGroups: ['S1'], users: [] },
      auditors: { userGroups: [], users: [] },
      clock,
    });

    const first = await authorizer.allows('U1', 'hr');
    const second = await authorizer.allows('U1', 'hr');

    expect([first, second]).toEqual([false, true]);
    expect(await authorizer.allows('U1', 'auditor')).toBe(false);
  });

  it('matches users named directly or through a group', () => {
    const members = new Map([['S1', ['U2']]]);

    expect(isPrincipal('U1', { users: ['U1'], userGroups: [] }, members)).toBe(true);
    expect(isPrincipal('U2', { users: [], userGroups: ['S1'] }, members)).toBe(true);
    expect(isPrincipal('U3', { users: ['U1'], userGroups: ['S1'] }, members)).toBe(false);
  });
});
