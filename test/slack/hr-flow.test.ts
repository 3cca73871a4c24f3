import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { wardenDenyAllPolicy } from '../../src/sandbox/seed';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRosterSource } from '../../src/adapters/roster/file-roster';
import { createIamClient, IamAccountDirectory } from '../../src/adapters/aws/iam';
import { applyDueDepartures, departureOverlay } from '../../src/app/offboarding';
import { computePlan } from '../../src/app/reconcile';
import { IamSandboxState, startSandbox, type RunningSandbox } from '../../src/sandbox';
import { createDummyCommand } from '../fakes/slack-requests';
import { CHANNEL, HR1, blockText, confirmDelivery, startHarness, submitOffboardForm, type Harness } from './harness';

const ACCOUNT = '111111111111';
const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

const ROSTER = [
  'employee_id,email,status,full_name,role,slack_id,aws_usernames',
  'E1,alice@example.com,active,Alice Example,engineer,U0ALICE,alice',
  'E2,bob@example.com,active,Bob Example,engineer,U0BOB,bob',
  ...[3, 4, 5, 6, 7, 8, 9, 10].map((i) => `E${i},person${i}@example.com,active,Person ${i},engineer,,`),
].join('\n');

describe('The full HR flow in Slack, against the IAM sandbox', () => {
  let sandbox: RunningSandbox;
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      state: IamSandboxState.fromSeed({
        accounts: [
          {
            id: ACCOUNT,
            policies: [wardenDenyAllPolicy(ACCOUNT)],
            groups: [{ name: 'developers' }, { name: 'admins', attachedPolicies: [ADMIN_ARN] }],
            users: [
              {
                userName: 'alice',
                tags: { email: 'alice@example.com' },
                groups: ['developers'],
                loginProfile: {},
                accessKeys: [
                  { id: 'AKIAALICEKEY00000001', status: 'Active' },
                  { id: 'AKIAALICEKEY00000002', status: 'Active' },
                ],
              },
              { userName: 'bob', groups: ['developers'], accessKeys: [{ id: 'AKIABOBKEY0000000001', status: 'Active' }] },
            ],
          },
        ],
      }),
    });
    dir = mkdtempSync(join(tmpdir(), 'warden-slack-flow-'));
    const rosterPath = join(dir, 'roster.csv');
    writeFileSync(rosterPath, ROSTER);
    const directory = new IamAccountDirectory({
      client: createIamClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIASANDBOXROOT00001', secretAccessKey: 'x' }, maxAttempts: 2 }),
      account: ACCOUNT,
      policy: { denyAllPolicyName: 'warden-deny-all' },
      sleep: async () => undefined,
    });
    h = await startHarness({
      rosterSource: new FileRosterSource({ path: rosterPath, timezone: 'UTC' }),
      directories: [directory],
    });
  });

  afterAll(async () => {
    await h.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes from /offboard to keys inactive in IAM, with the thread showing "no access left"', async () => {
    // 1. /offboard with an email opens the pre-filled modal.
    const command = await h.send(createDummyCommand({ command: '/offboard', text: 'alice@example.com', user_id: HR1, response_url: h.slack.responseUrl('cmd') }));
    expect(command.status).toBe(200);
    expect(blockText(h.slack.callsTo('views.open')[0]?.args['view'])).toContain('"initial_value":"alice@example.com"');

    // 2. Submitting the form shows the planner's preview; nothing changes in IAM yet.
    const { submitted, preview } = await submitOffboardForm(h, HR1, { email: 'alice@example.com', reason: 'resignation' });
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    const previewText = blockText(preview?.['blocks']);
    expect(previewText).toContain('deactivate access key AKIAALICEKEY00000001');
    expect(previewText).toContain('deactivate access key AKIAALICEKEY00000002');
    expect(previewText).toContain('delete console password');
    expect(previewText).not.toContain('AKIABOB');
    expect(sandbox.calls.count('UpdateAccessKey')).toBe(0);

    // 3. Confirming revokes now: the effective time (blank = now) has passed.
    const confirm = confirmDelivery(HR1, preview, 'VOFFBOARD1', 'trigger.confirm-alice');
    const confirmed = await h.send(confirm);
    expect(confirmed.ms).toBeLessThan(3000);

    const alice = sandbox.state.user(ACCOUNT, 'alice');
    expect(alice?.accessKeys.map((k) => k.status)).toEqual(['Inactive', 'Inactive']);
    expect(alice?.loginProfile).toBeNull();
    expect(alice?.groups).toEqual([]);
    expect(Object.keys(alice?.inlinePolicies ?? {})).toEqual([]);
    expect(alice?.attachedPolicies).toEqual([`arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`]);
    expect(sandbox.state.user(ACCOUNT, 'bob')?.accessKeys.map((k) => k.status)).toEqual(['Active']);

    const [departure] = [...(await h.departures.listEffective())];
    expect(departure).toMatchObject({ status: 'applied', markedBy: `slack:${HR1}`, person: { email: 'alice@example.com', employeeId: 'E1' } });

    // 4. The channel message is updated in place, per path, with the time to "no access left"; the modal says so too.
    const root = h.slack.callsTo('chat.postMessage').find((c) => c.args['channel'] === CHANNEL && c.args['thread_ts'] === undefined);
    const final = h.slack.callsTo('chat.update').at(-1);
    expect(root).toBeDefined();
    expect(final?.args['ts']).toBe(departure?.thread?.ts);
    const finalText = blockText(final?.args['blocks']);
    for (const line of ['*Access keys* — 2 done', '*Console password* — 1 done', '*Groups* — 1 done', '*Deny-all policy* — 1 done']) {
      expect(finalText).toContain(`:white_check_mark: ${line}`);
    }
    expect(finalText).toMatch(/No access left \*\d+s\* after the effective time/);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.args['thread_ts'] === departure?.thread?.ts).map((c) => c.args['text'])).toEqual([
      expect.stringContaining(':white_check_mark: No access left (verified'),
    ]);
    expect(blockText(h.slack.callsTo('views.update').at(-1)?.args['view'])).toContain('Done: no access left');

    // 5. The audit log shows who decided, every change and the verification, all under the HR actor.
    const entries = await h.audit.query({ person: 'alice@example.com' });
    expect(entries.find((e) => e.action === 'slack.departure.confirmed')).toMatchObject({ actor: `slack:${HR1}`, result: 'ok' });
    expect(entries.filter((e) => e.action === 'deactivate-access-key' && e.result === 'ok').map((e) => e.actor)).toEqual([`slack:${HR1}`, `slack:${HR1}`]);
    expect(entries.find((e) => e.action === 'verify')).toMatchObject({ result: 'verified', after: { noAccessLeft: true } });
    // Read alone, the departure's verified entry names the person, the departure and every path it closed.
    expect(entries.find((e) => e.action === 'departure.no-access-left')).toMatchObject({
      result: 'verified',
      after: { departureId: departure?.id, employeeId: 'E1', closedPaths: expect.arrayContaining(['access-keys', 'console', 'groups', 'deny-all']) },
    });
    expect((await h.audit.verify()).ok).toBe(true);
  });

  it('ignores a retried confirm delivery: nothing is revoked or posted twice', async () => {
    const updatesBefore = sandbox.calls.count('UpdateAccessKey');
    const postsBefore = h.slack.callsTo('chat.postMessage').length;
    const preview = h.slack.callsTo('views.update').map((c) => c.args['view'] as Record<string, unknown>).find((v) => v['callback_id'] === 'warden_offboard_confirm');

    const retry = await h.send(confirmDelivery(HR1, preview, 'VOFFBOARD1', 'trigger.confirm-alice'), { headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
    const replay = await h.send(confirmDelivery(HR1, preview, 'VOFFBOARD1', 'trigger.confirm-alice-new'));

    expect([retry.status, replay.status]).toEqual([200, 200]);
    expect(sandbox.calls.count('UpdateAccessKey')).toBe(updatesBefore);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(postsBefore);
    expect(await h.departures.listEffective()).toHaveLength(1);
    expect(blockText(h.slack.callsTo('views.update').at(-1)?.args['view'])).toContain('already recorded');
  });

  it('leaves nothing for the scheduled run: no due departure, and the overlaid plan has no action for alice', async () => {
    const due = await applyDueDepartures(h.offboarding);
    const planned = await computePlan({ ...h.offboarding.reconcile, overlayRoster: departureOverlay(h.departures) });

    expect(due).toEqual([]);
    expect(planned.plan.actions.filter((a) => a.person?.email === 'alice@example.com')).toEqual([]);
    expect(planned.roster.people.find((p) => p.email === 'alice@example.com')?.status).toBe('departed');
  });
});
