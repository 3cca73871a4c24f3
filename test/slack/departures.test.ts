import { applyDueDepartures } from '../../src/app/offboarding';
import { leaverDetail, MemoryAccountDirectory } from '../fakes/memory-account-directory';
import { createDummyBlockAction } from '../fakes/slack-requests';
import { ACCOUNT } from '../fixtures/builders';
import { CHANNEL, HR1, HR2, blockText, confirmDelivery, createDummyDirectory, startHarness, submitOffboardForm, type Harness } from './harness';

const HOUR = 3_600_000;
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
const isoTime = (d: Date): string => d.toISOString().slice(11, 16);

describe('Offboarding from Slack (memory directory)', () => {
  let h: Harness;
  let directory: MemoryAccountDirectory;

  beforeEach(async () => {
    directory = createDummyDirectory();
    h = await startHarness({ directories: [directory] });
  });

  afterEach(async () => {
    await h.close();
  });

  it('validates the form inline: unknown person, far-past date, break-glass person', async () => {
    const unknown = await submitOffboardForm(h, HR1, { email: 'nobody@example.com' });
    const farPast = await submitOffboardForm(h, HR1, { email: 'alice@example.com', date: '2020-01-01' });
    const glass = await submitOffboardForm(h, HR1, { email: 'ops@example.com' });
    const notOnRoster = await submitOffboardForm(h, HR1, { slackUser: 'U0NOTONROSTER' });

    expect(unknown.submitted.json).toMatchObject({ response_action: 'errors', errors: { person_email: expect.stringContaining('not on the HR roster') } });
    expect(farPast.submitted.json).toMatchObject({ response_action: 'errors', errors: { effective_date: expect.stringContaining('more than 30 days ago') } });
    expect(glass.submitted.json).toMatchObject({ response_action: 'errors', errors: { person_email: expect.stringContaining('break-glass') } });
    expect(notOnRoster.submitted.json).toMatchObject({ response_action: 'errors', errors: { person_user: expect.stringContaining('stranger@example.com') } });
    expect(await h.departures.listPending()).toEqual([]);
  });

  it('previews exactly what will be revoked for that person, computed by the planner', async () => {
    const { submitted, preview } = await submitOffboardForm(h, HR1, { slackUser: 'U0ALICE', notes: 'Badge <returned> & laptop' });

    expect(submitted.json).toMatchObject({ response_action: 'update' });
    expect(preview?.['callback_id']).toBe('warden_offboard_confirm');
    const text = blockText(preview?.['blocks']);
    expect(text).toContain('deactivate access key AKIAALICE00000000001');
    expect(text).toContain('delete console password');
    expect(text).toContain('remove from group developers');
    expect(text).not.toContain('AKIABOB');
    expect(text).toContain('Alice &lt;Admin&gt; &amp; Co');
    expect(text).toContain('Badge &lt;returned&gt; &amp; laptop');
    expect(directory.executed).toEqual([]);
  });

  it('a leaver who tags their user with a colleague\'s employee_id cannot block their own offboarding: it is confirmed and applied', async () => {
    await h.close();
    const tagged = new MemoryAccountDirectory(ACCOUNT, [
      // alice's own user (aws_usernames on the roster), tagged employee_id=E5: a colleague who is staying.
      { userName: 'alice', tags: { employee_id: 'E5' }, detail: leaverDetail('AKIAALICE00000000001') },
    ]);
    h = await startHarness({ directories: [tagged] });

    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com' });
    const text = blockText(preview?.['blocks']);
    expect(text).not.toContain('cannot be confirmed');
    expect(text).toContain('deactivate access key AKIAALICE00000000001');
    await h.send(confirmDelivery(HR1, preview));

    expect(tagged.executed.map((a) => a.kind)).toEqual(expect.arrayContaining(['attach-deny-all', 'deactivate-access-key', 'delete-login-profile', 'remove-from-group']));
    expect(tagged.detailOf('alice')?.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    const [departure] = await h.departures.listEffective();
    expect(departure?.lastAttempt?.remaining ?? []).toEqual([]);
  });

  it('schedules a future departure, lets another HR member cancel it, and the scheduled run then does nothing', async () => {
    const effective = new Date(Date.now() + 2 * HOUR);
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', date: isoDate(effective), time: isoTime(effective) });
    await h.send(confirmDelivery(HR1, preview));
    const [scheduled] = await h.departures.listPending();
    const root = h.slack.callsTo('chat.postMessage').find((c) => c.args['channel'] === CHANNEL);

    const cancel = await h.send(createDummyBlockAction({ user: HR2, actionId: 'warden_cancel_departure', value: scheduled?.id ?? '', responseUrl: h.slack.responseUrl('cancel') }));
    h.clock.advance(3 * HOUR);
    const run = await applyDueDepartures(h.offboarding);

    expect(scheduled?.status).toBe('scheduled');
    expect(blockText(root?.args['blocks'])).toContain('Cancel departure');
    expect(cancel.status).toBe(200);
    expect((await h.departures.get(scheduled?.id ?? ''))?.status).toBe('cancelled');
    expect(h.slack.responsesTo('cancel').map((c) => c.args['text'])).toEqual(['Cancelled the departure of alice@example.com.']);
    const update = h.slack.callsTo('chat.update').at(-1);
    const thread = (await h.departures.get(scheduled?.id ?? ''))?.thread;
    expect(thread?.ts).toMatch(/^\d+\.\d+$/);
    expect(update?.args['ts']).toBe(thread?.ts);
    expect(blockText(update?.args['blocks'])).toContain('Cancelled by <@U0HR2>');
    expect(blockText(update?.args['blocks'])).not.toContain('Cancel departure');
    expect(h.slack.callsTo('chat.postMessage').some((c) => String(c.args['text']).includes('Cancelled by <@U0HR2>') && c.args['thread_ts'] !== undefined)).toBe(true);
    const cancelled = (await h.audit.query({})).filter((e) => e.action === 'slack.departure.cancelled');
    expect(cancelled.map((e) => [e.actor, e.person])).toEqual([['slack:U0HR2', 'alice@example.com']]);
    expect(run).toEqual([]);
    expect(directory.executed).toEqual([]);
  });

  it('applies a scheduled departure when due, updating the thread in place with the time to "no access left"', async () => {
    const effective = new Date(Date.now() + HOUR);
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', date: isoDate(effective), time: isoTime(effective) });
    await h.send(confirmDelivery(HR1, preview));
    const early = await applyDueDepartures(h.offboarding);

    h.clock.advance(HOUR + 5 * 60_000);
    const [outcome] = await applyDueDepartures(h.offboarding);
    const tooLate = await h.send(createDummyBlockAction({ user: HR1, actionId: 'warden_cancel_departure', value: outcome?.departure.id ?? '', responseUrl: h.slack.responseUrl('late') }));

    expect(early).toEqual([]);
    expect(outcome?.attempt.outcome).toBe('no-access-left');
    expect(outcome?.departure.status).toBe('applied');
    expect(directory.detailOf('alice')?.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    const message = blockText(h.slack.callsTo('chat.update').at(-1)?.args['blocks']);
    expect(message).toContain(':white_check_mark: *Access keys* — 1 done');
    expect(message).toContain(':white_check_mark: *Console password* — 1 done');
    expect(message).toMatch(/No access left \*\d+m \d\ds\* after the effective time \(within the 24h SLA\)/);
    expect(tooLate.status).toBe(200);
    expect(String(h.slack.responsesTo('late')[0]?.args['text'])).toContain('Cannot cancel');
  });

  it('keeps failures visible and retries them until resolved', async () => {
    directory.failNext('deactivate-access-key');
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com' });

    await h.send(confirmDelivery(HR1, preview));
    const afterFirst = (await h.departures.listDue(h.clock.now()))[0];
    const firstMessage = blockText(h.slack.callsTo('chat.update').at(-1)?.args['blocks']);
    const [retry] = await applyDueDepartures(h.offboarding);

    expect(afterFirst?.status).toBe('scheduled');
    expect(afterFirst?.lastAttempt?.outcome).toBe('partial');
    expect(firstMessage).toContain(':x: *Access keys* — failed 1/1: Throttling: Rate exceeded');
    expect(firstMessage).toContain(':white_check_mark: *Console password*');
    expect(retry?.attempt.outcome).toBe('no-access-left');
    const finalMessage = blockText(h.slack.callsTo('chat.update').at(-1)?.args['blocks']);
    expect(finalMessage).toContain(':white_check_mark: *Access keys* — 1 done');
    expect(finalMessage).toContain(':white_check_mark: *Console password* — 1 done');
    expect(directory.executed.filter((a) => a.kind === 'delete-login-profile')).toHaveLength(1);
  });

  it('requires a second, different HR approver when the leaver holds admin rights', async () => {
    const { preview } = await submitOffboardForm(h, HR1, { email: 'bob@example.com' });
    await h.send(confirmDelivery(HR1, preview));
    const [awaiting] = await h.departures.listPending();
    const approveAction = (user: string, id: string) =>
      createDummyBlockAction({ user, actionId: 'warden_approve_departure', value: awaiting?.id ?? '', responseUrl: h.slack.responseUrl(id) });

    await h.send(approveAction(HR1, 'self'));
    const executedBefore = directory.executed.length;
    await h.send(approveAction(HR2, 'second'));

    expect(blockText(preview?.['blocks'])).toContain('A second HR approver is needed');
    expect(blockText(preview?.['blocks'])).toContain('bob is in group admins');
    expect(awaiting?.status).toBe('awaiting-approval');
    expect(String(h.slack.responsesTo('self')[0]?.args['text'])).toContain('different HR member');
    expect(executedBefore).toBe(0);
    expect(String(h.slack.responsesTo('second')[0]?.args['text'])).toBe('Approved and revoked: no access left.');
    expect((await h.departures.get(awaiting?.id ?? ''))?.approvals.map((a) => a.by)).toEqual(['slack:U0HR1', 'slack:U0HR2']);
    expect(directory.detailOf('bob')?.groups).toEqual([]);
    const actions = (await h.audit.query({ person: 'bob@example.com' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['slack.departure.confirmed', 'slack.departure.approved', 'departure.no-access-left']));
  });

  it('cancels from the App Home tab and republishes it', async () => {
    const effective = new Date(Date.now() + 5 * HOUR);
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', date: isoDate(effective), time: isoTime(effective) });
    await h.send(confirmDelivery(HR1, preview));
    const [scheduled] = await h.departures.listPending();

    await h.send(createDummyBlockAction({ user: HR2, actionId: 'warden_cancel_departure', value: scheduled?.id ?? '', home: true }));

    expect((await h.departures.get(scheduled?.id ?? ''))?.status).toBe('cancelled');
    const home = h.slack.callsTo('views.publish').at(-1);
    expect(home?.args['user_id']).toBe(HR2);
    expect(blockText(home?.args['view'])).toContain('Pending departures* (0)');
  });

  it('still revokes when Slack cannot be posted to, and says so in the log', async () => {
    h.slack.failMethod('chat.postMessage', 'channel_not_found');
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com' });

    await h.send(confirmDelivery(HR1, preview));

    expect(directory.detailOf('alice')?.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    expect((await h.departures.listEffective())[0]?.status).toBe('applied');
    expect(h.logs.some((l) => l.startsWith('warn Could not announce departure') && l.includes('channel_not_found'))).toBe(true);
  });
});

describe('Offboarding from Slack when the guard trips', () => {
  it('records the departure, applies nothing, alerts the channel and keeps it due for the next run', async () => {
    const directory = createDummyDirectory();
    const h = await startHarness({ directories: [directory], guard: { maxRevocations: 1, maxHeadcountDropPercent: 20 } });
    try {
      const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com' });

      await h.send(confirmDelivery(HR1, preview));
      const [departure] = await h.departures.listDue(h.clock.now());

      expect(blockText(preview?.['blocks'])).toContain('The safety guard is tripped');
      expect(directory.executed).toEqual([]);
      expect(departure?.lastAttempt?.outcome).toBe('guard-tripped');
      expect(h.slack.callsTo('chat.postMessage').some((c) => String(c.args['text']).includes('guard tripped'))).toBe(true);
      expect(blockText(h.slack.callsTo('chat.update').at(-1)?.args['blocks'])).toContain('guard-tripped');
    } finally {
      await h.close();
    }
  });
});
