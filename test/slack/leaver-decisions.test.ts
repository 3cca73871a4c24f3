import { applyDueDepartures } from '../../src/app/offboarding';
import { MemoryAccountDirectory, leaverDetail } from '../fakes/memory-account-directory';
import type { AuditEntry } from '../../src/ports';
import { createDummyBlockAction, createDummyCommand } from '../fakes/slack-requests';
import { ACCOUNT, createDummyPerson, createDummyRoster } from '../fixtures/builders';
import { AUDITOR, HR1, HR2, blockText, confirmDelivery, createDummyStaff, startHarness, submitOffboardForm, type Harness } from './harness';

const HOUR = 3_600_000;
const isoDate = (d: Date): string => d.toISOString().slice(0, 10);
const isoTime = (d: Date): string => d.toISOString().slice(11, 16);
const later = (hours: number): { date: string; time: string } => {
  const at = new Date(Date.now() + hours * HOUR);
  return { date: isoDate(at), time: isoTime(at) };
};

/** HR2 is on the roster too: the person HR1 offboards in these tests. */
const hr2 = (overrides: { slackId?: string } = {}) =>
  createDummyPerson({ employeeId: 'E20', email: 'hr2@example.com', fullName: 'Second HR', awsUsernames: ['hr2'], ...overrides });

function directoryWithHr2(): MemoryAccountDirectory {
  return new MemoryAccountDirectory(
    ACCOUNT,
    [
      { userName: 'alice', detail: leaverDetail('AKIAALICE00000000001') },
      { userName: 'hr2', detail: leaverDetail('AKIAHR20000000000001') },
    ],
    [{ name: 'developers', attachedPolicies: [], inlinePolicies: [] }],
  );
}

const button = (h: Harness, user: string, kind: 'approve' | 'cancel', id: string, reply: string) =>
  createDummyBlockAction({ user, actionId: kind === 'approve' ? 'warden_approve_departure' : 'warden_cancel_departure', value: id, responseUrl: h.slack.responseUrl(reply) });

const replyText = (h: Harness, reply: string): string => String(h.slack.responsesTo(reply).at(-1)?.args['text']);

describe('The person leaving cannot decide their own departure', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a Cancel from the leaver, matched by the roster slack_id (HR1 offboards HR2, HR2 presses Cancel)', async () => {
    h = await startHarness({ roster: createDummyRoster(createDummyStaff([hr2({ slackId: HR2 })])), directories: [directoryWithHr2()] });
    const { preview } = await submitOffboardForm(h, HR1, { email: 'hr2@example.com', ...later(2) });
    await h.send(confirmDelivery(HR1, preview));
    const [scheduled] = await h.departures.listPending();

    const attempt = await h.send(button(h, HR2, 'cancel', scheduled?.id ?? '', 'own'));

    expect(attempt.status).toBe(200);
    expect(scheduled?.status).toBe('scheduled');
    expect((await h.departures.get(scheduled?.id ?? ''))?.status).toBe('scheduled');
    expect(replyText(h, 'own')).toContain('your own departure');
    const refused = (await h.audit.query({})).filter((e) => e.action === 'slack.departure.refused');
    expect(refused.map((e) => [e.actor, e.person, e.error])).toEqual([['slack:U0HR2', 'hr2@example.com', expect.stringContaining('leaver')]]);
    // And it still takes effect.
    h.clock.advance(3 * HOUR);
    const [outcome] = await applyDueDepartures(h.offboarding);
    expect(outcome?.departure.status).toBe('applied');
  });

  it('refuses a Cancel from the leaver matched by the email Slack has for them (no slack_id on the roster)', async () => {
    h = await startHarness({
      roster: createDummyRoster(createDummyStaff([hr2()])),
      directories: [directoryWithHr2()],
      users: { [HR2]: { email: 'HR2@Example.com' } },
    });
    const { preview } = await submitOffboardForm(h, HR1, { email: 'hr2@example.com', ...later(2) });
    await h.send(confirmDelivery(HR1, preview));
    const [scheduled] = await h.departures.listPending();

    await h.send(button(h, HR2, 'cancel', scheduled?.id ?? '', 'own'));

    expect((await h.departures.get(scheduled?.id ?? ''))?.status).toBe('scheduled');
    expect(replyText(h, 'own')).toContain('your own departure');
  });

  it('refuses a Cancel when Slack cannot say who is asking (fails closed)', async () => {
    h = await startHarness({ roster: createDummyRoster(createDummyStaff([hr2()])), directories: [directoryWithHr2()] });
    const { preview } = await submitOffboardForm(h, HR1, { email: 'hr2@example.com', ...later(2) });
    await h.send(confirmDelivery(HR1, preview));
    const [scheduled] = await h.departures.listPending();
    h.slack.failMethod('users.info', 'ratelimited');

    await h.send(button(h, HR2, 'cancel', scheduled?.id ?? '', 'unknown'));

    expect((await h.departures.get(scheduled?.id ?? ''))?.status).toBe('scheduled');
    expect(replyText(h, 'unknown')).toContain('could not confirm');
  });

  it('refuses an Approve from the leaver', async () => {
    h = await startHarness({ roster: createDummyRoster(createDummyStaff([hr2({ slackId: HR2 })])), directories: [directoryWithHr2()], secondApproverFor: 'all' });
    const { preview } = await submitOffboardForm(h, HR1, { email: 'hr2@example.com' });
    await h.send(confirmDelivery(HR1, preview));
    const [awaiting] = await h.departures.listPending();

    await h.send(button(h, HR2, 'approve', awaiting?.id ?? '', 'approve'));

    expect(awaiting?.status).toBe('awaiting-approval');
    expect((await h.departures.get(awaiting?.id ?? ''))?.approvals.map((a) => a.by)).toEqual(['slack:U0HR1']);
    expect(replyText(h, 'approve')).toContain('your own departure');
  });
});

describe('A departure that needed two approvers needs two to cancel', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ secondApproverFor: 'all' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('one HR member asks, a different one confirms; the same one twice is refused', async () => {
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', ...later(4) });
    await h.send(confirmDelivery(HR1, preview));
    const [pending] = await h.departures.listPending();
    await h.send(button(h, HR2, 'approve', pending?.id ?? '', 'approved'));
    expect((await h.departures.get(pending?.id ?? ''))?.status).toBe('scheduled');

    await h.send(button(h, HR1, 'cancel', pending?.id ?? '', 'first'));
    const afterFirst = await h.departures.get(pending?.id ?? '');
    await h.send(button(h, HR1, 'cancel', pending?.id ?? '', 'again'));
    const afterAgain = await h.departures.get(pending?.id ?? '');
    await h.send(button(h, HR2, 'cancel', pending?.id ?? '', 'second'));

    expect(afterFirst?.status).toBe('scheduled');
    expect(afterFirst?.cancelRequests?.map((r) => r.by)).toEqual(['slack:U0HR1']);
    expect(replyText(h, 'first')).toContain('a second HR member');
    expect(afterAgain?.status).toBe('scheduled');
    expect(replyText(h, 'again')).toContain('different HR member');
    expect((await h.departures.get(pending?.id ?? ''))?.status).toBe('cancelled');
    expect(replyText(h, 'second')).toBe('Cancelled the departure of alice@example.com.');
    const message = blockText(h.slack.callsTo('chat.update').map((c) => c.args['blocks']));
    expect(message).toContain('Cancel requested by <@U0HR1>');
    const actions = (await h.audit.query({ person: 'alice@example.com' })).map((e) => `${e.action} ${e.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['slack.departure.cancel-requested slack:U0HR1', 'slack.departure.cancelled slack:U0HR2']));
  });

  it('one HR member alone cannot withdraw a departure still awaiting its second approval', async () => {
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', ...later(4) });
    await h.send(confirmDelivery(HR1, preview));
    const [pending] = await h.departures.listPending();

    await h.send(button(h, HR2, 'cancel', pending?.id ?? '', 'alone'));

    expect((await h.departures.get(pending?.id ?? ''))?.status).toBe('awaiting-approval');
    expect(replyText(h, 'alone')).toContain('a second HR member');
  });
});

describe('Admin rights for secondApproverFor: admins come from what the policies allow, not their names', () => {
  const everything = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  const customer = `arn:aws:iam::${ACCOUNT}:policy/platform-tools`;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const offboardAlice = async (directory: MemoryAccountDirectory) => {
    h = await startHarness({ directories: [directory], secondApproverFor: 'admins' });
    const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com' });
    await h.send(confirmDelivery(HR1, preview));
    return { preview, departure: (await h.departures.listPending())[0] };
  };

  it('an inline policy allowing * on * needs a second approver', async () => {
    const directory = new MemoryAccountDirectory(ACCOUNT, [
      { userName: 'alice', detail: leaverDetail('AKIAALICE00000000001', { groups: [], inlinePolicies: ['helper'] }), inlinePolicyDocuments: { helper: encodeURIComponent(everything) } },
    ]);

    const { preview, departure } = await offboardAlice(directory);

    expect(departure?.status).toBe('awaiting-approval');
    expect(departure?.requiredApprovals).toBe(2);
    expect(blockText(preview?.['blocks'])).toContain('alice has inline policy helper allowing * on *');
    expect(directory.executed).toEqual([]);
  });

  it('a customer-managed policy allowing * on *, attached through a group, needs a second approver', async () => {
    const directory = new MemoryAccountDirectory(
      ACCOUNT,
      [{ userName: 'alice', detail: leaverDetail('AKIAALICE00000000001', { groups: ['platform'] }) }],
      [{ name: 'platform', attachedPolicies: [{ name: 'platform-tools', arn: customer }], inlinePolicies: [] }],
      { [customer]: everything },
    );

    const { departure } = await offboardAlice(directory);

    expect(departure?.status).toBe('awaiting-approval');
    expect(directory.executed).toEqual([]);
  });
});

describe('/access history on a tampered audit log', () => {
  it('tells the auditor the log was tampered with instead of showing the rewritten line', async () => {
    const entries: AuditEntry[] = [];
    const h = await startHarness({ auditEntries: entries });
    try {
      for (const result of ['ok', 'ok', 'ok'] as const) {
        await h.audit.append({ runId: 'run-1', actor: 'system', action: 'deactivate-access-key', target: 'carol', person: 'carol@example.com', result });
      }
      const second = entries[1];
      if (second !== undefined) entries[1] = { ...second, result: 'skipped' };

      await h.send(createDummyCommand({ command: '/access', text: 'history carol@example.com', user_id: AUDITOR, response_url: h.slack.responseUrl('tampered') }));

      const text = replyText(h, 'tampered');
      expect(text).toContain('tampered');
      expect(text).toContain('seq 2');
      expect(text).toContain('warden audit verify');
    } finally {
      await h.close();
    }
  });
});

describe('Slack messages show control and bidi characters from roster and IAM data as escapes', () => {
  it('the preview and the channel announcement of a hostile name carry no raw control characters', async () => {
    const RLO = '\u202e';
    const CLIPBOARD = '\u001b]52;c;ZXZpbA==\u0007';
    const people = createDummyStaff().map((p) => (p.email === 'alice@example.com' ? { ...p, fullName: `Alice ${RLO}nimdA${CLIPBOARD}` } : p));
    const h = await startHarness({ roster: createDummyRoster(people) });
    try {
      const { preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', notes: `laptop ${RLO}kcab` });
      await h.send(confirmDelivery(HR1, preview));

      // What people read: texts and blocks (private_metadata carries the draft back to Warden, faithfully).
      const shown = h.slack.calls.map((c) => {
        const view = c.args['view'] as Record<string, unknown> | undefined;
        return [c.args['text'], c.args['blocks'], view?.['blocks'], view?.['title']];
      });
      const sent = JSON.stringify([preview?.['blocks'], shown]);
      // JSON.stringify escapes C0 itself, so look for what it leaves raw: C1, bidi, invisible characters.
      expect(sent.match(/.{0,80}[\u0080-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff].{0,40}/gu) ?? []).toEqual([]);
      expect(blockText(preview?.['blocks'])).toContain('Alice \\\\u202enimdA\\\\u001b]52;c;ZXZpbA==\\\\u0007');
      expect(sent).toContain('laptop \\\\u202ekcab');
    } finally {
      await h.close();
    }
  });
});
