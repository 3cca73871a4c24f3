/**
 * Done-when for access reviews (issue 17): a whole campaign through signed Slack requests into the real Bolt app, the
 * fake Slack Web API, and the real IAM SDK client against the sandbox.
 */
import { MemoryCampaignStore } from '../../src/adapters/reviews/memory-campaign-store';
import { SlackReviewMessenger } from '../../src/adapters/slack/review-messenger';
import type { ReviewDeps } from '../../src/app/reviews/deps';
import { startReview } from '../../src/app/reviews/start';
import { tickReviews } from '../../src/app/reviews/tick';
import { createDummyBlockAction } from '../fakes/slack-requests';
import { createDummyPolicy, createDummyRoster } from '../fixtures/builders';
import { CHANNEL, HR1, startHarness, type Harness } from '../slack/harness';
import { createDummyAccount, createDummyUser, startHarness as startIamSandbox, type Harness as IamHarness } from '../aws/iam/helpers';
import { reviewCompany } from './fixtures';
import { describeEntitlement } from '../../src/domain/reviews/entitlements';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentityCenterDirectory } from '../../src/adapters/aws/identity-center/directory';
import { identityCenterServices } from '../../src/sandbox/identity-center-service';
import { IdentityCenterSandboxState } from '../../src/sandbox/identity-center-state';

/** Carol in Identity Center: the Engineers group and the Admin permission set in 222222222222 assigned to her directly. */
function identityCenterSeed(): IdentityCenterSandboxState {
  return IdentityCenterSandboxState.fromSeed({
    region: 'us-east-1',
    users: [{ userName: 'carol@example.com', emails: ['carol@example.com'] }],
    groups: [{ displayName: 'Engineers', members: ['carol@example.com'] }],
    permissionSets: [{ name: 'Admin', sessionDuration: 'PT1H' }],
    assignments: [{ permissionSet: 'Admin', accountId: '222222222222', user: 'carol@example.com' }],
  });
}

const DAY = 86_400_000;

interface Button {
  readonly action_id: string;
  readonly value: string;
  readonly text: { readonly text: string };
}

type Block = { type: string; text?: { text: string }; elements?: Button[] };

/** The blocks of the last message Warden posted (or updated) in `channel` whose text mentions `about`. */
function lastMessage(h: Harness, channel: string, about = ''): Block[] {
  const message = h.slack.calls
    .filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args['channel'] === channel && String(c.args['text']).includes(about))
    .at(-1);
  return (message?.args['blocks'] ?? []) as Block[];
}

const buttonsIn = (blocks: readonly Block[]): Button[] => blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

/** The `label` button under the item whose section names `what`, as Slack was sent it. */
function buttonFor(blocks: readonly Block[], label: 'Keep' | 'Revoke', what: string): Button {
  const at = blocks.findIndex((b) => b.type === 'section' && b.text?.text.startsWith(what) === true);
  const found = blocks[at + 1]?.elements?.find((e) => e.text.text === label);
  if (found === undefined) throw new Error(`no ${label} button for ${what}`);
  return found;
}

describe('an access review campaign in Slack, end to end', () => {
  let iam: IamHarness | undefined;
  let h: Harness | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await h?.close();
    await iam?.close();
    h = undefined;
    iam = undefined;
  });

  it('a manager keeps one entitlement and revokes another (gone in the sandbox); an outsider is refused and audited; a reminder and an escalation go out on the clock', async () => {
    const ic = identityCenterSeed();
    iam = await startIamSandbox(
      {
        accounts: [
          createDummyAccount({
            users: [
              createDummyUser({ userName: 'mona', tags: { employee_id: 'E5' }, groups: ['developers', 'admins'], accessKeys: [] }),
              createDummyUser({ userName: 'carol', tags: { employee_id: 'E7' }, groups: ['developers', 'admins'], accessKeys: [] }),
              createDummyUser({ userName: 'dave', tags: { employee_id: 'E8' }, groups: ['developers'], accessKeys: [] }),
            ],
          }),
        ],
      },
      { sandbox: { extraServices: identityCenterServices(ic) } },
    );
    const icClients = { endpoint: iam.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAPRODSANDBOX00001', secretAccessKey: 'x' } };
    const identityStore = new IdentitystoreClient(icClients);
    const ssoAdmin = new SSOAdminClient(icClients);
    cleanups.push(() => {
      identityStore.destroy();
      ssoAdmin.destroy();
    });
    const identityCenter = new IdentityCenterDirectory({ identityStore, ssoAdmin, instanceArn: ic.instanceArn, identityStoreId: ic.identityStoreId, source: 'internal', pollMs: 0 });
    const campaigns = new MemoryCampaignStore();
    const settings = { remindAfterDays: 3, escalateAfterDays: 7, dueAfterDays: 14, undecided: 'keep' as const };
    h = await startHarness({
      roster: createDummyRoster(reviewCompany()),
      directories: [iam.directory],
      identityCenter,
      policy: createDummyPolicy(),
      users: { U0MONA: { email: 'mona@example.com' }, U0CAROL: { email: 'carol@example.com' }, U0DAVE: { email: 'dave@example.com' }, [HR1]: { email: 'hal@example.com' } },
      reviews: (reconcile) => ({ reconcile, campaigns, settings }),
    });
    const harness = h;
    const deps: ReviewDeps = {
      reconcile: harness.offboarding.reconcile,
      campaigns,
      settings,
      messenger: new SlackReviewMessenger({ web: harness.app.web, hrChannel: CHANNEL, timezone: 'UTC' }),
      newId: () => 'rev-e2e',
    };

    // HR starts the campaign (the CLI's use case): Mona gets one DM per person she manages.
    const started = await startReview(deps, { scope: { kind: 'department', name: 'Engineering' }, actor: 'cli:hr' });
    expect(started.packets.map((p) => [p.person.email, p.reviewer.kind === 'manager' ? p.reviewer.slackId : 'hr'])).toEqual([
      ['carol@example.com', 'U0MONA'],
      ['dave@example.com', 'U0MONA'],
      ['mona@example.com', 'hr'],
    ]);
    expect(harness.slack.callsTo('users.lookupByEmail').map((c) => c.args['email'])).toEqual(['mona@example.com', 'mona@example.com']);
    // Carol's packet is one of Mona's DMs; her buttons are taken from what Slack was sent.
    const carolDm = lastMessage(harness, 'U0MONA', 'carol@example.com');
    const daveDm = lastMessage(harness, 'U0MONA', 'dave@example.com');
    expect(buttonsIn(carolDm).map((b) => b.action_id)).toEqual([...Array.from({ length: 4 }, () => ['warden_review_keep', 'warden_review_revoke']).flat(), 'warden_review_keep_all']);
    const keep = buttonFor(carolDm, 'Keep', 'IAM group developers');
    const revoke = buttonFor(carolDm, 'Revoke', 'IAM group admins');

    // Dave (not the reviewer, not HR) presses Revoke on Carol's developers group: refused and audited.
    const outsider = await harness.send(
      createDummyBlockAction({ user: 'U0DAVE', actionId: 'warden_review_revoke', value: buttonFor(carolDm, 'Revoke', 'IAM group developers').value, responseUrl: harness.slack.responseUrl('dave') }),
    );
    expect(outsider.status).toBe(200);
    expect(String(harness.slack.responsesTo('dave').at(-1)?.args['text'])).toContain('only the assigned reviewer or HR');

    // Carol cannot keep her own access either.
    await harness.send(createDummyBlockAction({ user: 'U0CAROL', actionId: 'warden_review_keep_all', value: JSON.stringify({ c: 'rev-e2e', p: 'E7' }), responseUrl: harness.slack.responseUrl('carol') }));
    expect(String(harness.slack.responsesTo('carol').at(-1)?.args['text'])).toContain('nobody may review their own access');

    // Mona keeps developers and revokes admins.
    await harness.send(createDummyBlockAction({ user: 'U0MONA', actionId: keep.action_id, value: keep.value, responseUrl: harness.slack.responseUrl('keep') }));
    await harness.send(createDummyBlockAction({ user: 'U0MONA', actionId: revoke.action_id, value: revoke.value, responseUrl: harness.slack.responseUrl('revoke') }));
    expect(String(harness.slack.responsesTo('revoke').at(-1)?.args['text'])).toContain('Recorded');
    // And in Identity Center: keeps the Engineers group, revokes the Admin permission set assigned to Carol directly.
    const icKeep = buttonFor(carolDm, 'Keep', 'Identity Center group Engineers');
    const icRevoke = buttonFor(carolDm, 'Revoke', 'Identity Center permission set Admin in account 222222222222');
    await harness.send(createDummyBlockAction({ user: 'U0MONA', actionId: icKeep.action_id, value: icKeep.value, responseUrl: harness.slack.responseUrl('ic-keep') }));
    await harness.send(createDummyBlockAction({ user: 'U0MONA', actionId: icRevoke.action_id, value: icRevoke.value, responseUrl: harness.slack.responseUrl('ic-revoke') }));
    expect(String(harness.slack.responsesTo('ic-revoke').at(-1)?.args['text'])).toContain('Recorded');
    // Gone from the sandbox's Identity Center, read back through the real SDK clients; the membership stays.
    const icAfter = await identityCenter.inventory();
    expect(icAfter.assignments.filter((a) => a.principalType === 'USER')).toEqual([]);
    expect(icAfter.memberships).toHaveLength(1);

    // Gone in the sandbox, read back through the real IAM SDK client; developers stays.
    const carol = (await iam.directory.describeUsers(['carol'])).get('carol');
    expect(carol?.groups).toEqual(['developers']);
    const packet = await campaigns.getPacket('rev-e2e', 'E7');
    expect(packet?.items.map((i) => [describeEntitlement(i.entitlement), i.decision?.verdict, i.decision?.by, i.change?.verified])).toEqual([
      ['IAM group admins', 'revoke', 'slack:U0MONA', true],
      ['IAM group developers', 'keep', 'slack:U0MONA', undefined],
      ['Identity Center group Engineers', 'keep', 'slack:U0MONA', undefined],
      ['Identity Center permission set Admin in account 222222222222', 'revoke', 'slack:U0MONA', true],
    ]);
    // The message was updated in place with the decisions.
    expect(harness.slack.callsTo('chat.update').map((c) => JSON.stringify(c.args['blocks']))).toEqual(expect.arrayContaining([expect.stringContaining('removed, verified')]));

    const audit = await harness.audit.query({});
    const refused = audit.filter((e) => e.action === 'review.refused');
    expect(refused.map((e) => [e.actor, e.person])).toEqual([
      ['slack:U0DAVE', 'carol@example.com'],
      ['slack:U0CAROL', 'carol@example.com'],
    ]);
    expect(audit.filter((e) => e.action === 'review.kept').map((e) => [e.actor, e.after])).toEqual([
      ['slack:U0MONA', expect.objectContaining({ entitlement: 'IAM group developers', reviewer: 'slack:U0MONA', as: 'reviewer' })],
      ['slack:U0MONA', expect.objectContaining({ entitlement: 'Identity Center group Engineers', reviewer: 'slack:U0MONA', as: 'reviewer' })],
    ]);
    expect(audit.filter((e) => e.action === 'remove-from-group').map((e) => [e.result, e.reason, e.target])).toEqual([
      ['intent', 'review-revoked', 'carol'],
      ['ok', 'review-revoked', 'carol'],
    ]);
    expect(audit.filter((e) => e.action === 'delete-ic-assignment').map((e) => [e.result, e.reason, e.target, e.person])).toEqual([
      ['intent', 'review-revoked', 'carol@example.com', 'carol@example.com (E7)'],
      ['ok', 'review-revoked', 'carol@example.com', 'carol@example.com (E7)'],
    ]);
    expect(audit.filter((e) => e.action === 'verify').map((e) => [e.result, e.target, (e.after as { plane?: string } | undefined)?.plane])).toEqual([
      ['verified', 'carol', undefined],
      ['verified', 'carol@example.com', 'identity-center'],
    ]);
    expect((await harness.audit.verify()).ok).toBe(true);

    // Day 3: Mona is reminded about Dave (still undecided) in the thread of his message; HR about Mona.
    harness.slack.clear();
    harness.clock.advance(3 * DAY - 60_000);
    expect(await tickReviews(deps)).toEqual({ started: [], reminded: [], escalated: [], closed: [] });
    harness.clock.advance(60_000);
    expect(await tickReviews(deps)).toEqual({ started: [], reminded: ['E5', 'E8'], escalated: [], closed: [] });
    const reminders = harness.slack.callsTo('chat.postMessage').filter((c) => String(c.args['text']).startsWith('Reminder'));
    expect(reminders.map((c) => [c.args['channel'], typeof c.args['thread_ts']])).toEqual([
      [CHANNEL, 'string'],
      ['U0MONA', 'string'],
    ]);

    // Day 7: Dave's packet is escalated to HR, who can decide it there.
    // Run the way the Lambda schedule runs it: a `review-tick` job for the app's job runner (the worker's Slack task).
    harness.clock.advance(4 * DAY);
    await harness.app.runJob({ kind: 'review-tick' });
    expect(harness.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === CHANNEL).map((c) => String(c.args['text']))).toEqual([
      expect.stringContaining('Reminder'),
      expect.stringContaining('Escalated to HR: dave@example.com'),
      expect.stringContaining('Access review for dave@example.com'),
    ]);
    const hrKeepsAll = buttonsIn(lastMessage(harness, CHANNEL, 'Access review for dave@example.com')).find((b) => b.action_id === 'warden_review_keep_all');
    const hrCopy = (await campaigns.getPacket('rev-e2e', 'E8'))?.hrMessage;
    expect(hrCopy).toEqual({ channel: CHANNEL, ts: expect.any(String) });
    expect(hrCopy?.ts).not.toBe((await campaigns.getPacket('rev-e2e', 'E8'))?.message?.ts);

    // Mona decides after all: HR's copy is updated in place, so HR never acts on a stale packet.
    const keepDave = buttonFor(daveDm, 'Keep', 'IAM group developers');
    await harness.send(createDummyBlockAction({ user: 'U0MONA', actionId: keepDave.action_id, value: keepDave.value, responseUrl: harness.slack.responseUrl('mona-late') }));
    const updates = harness.slack.callsTo('chat.update');
    const hrUpdate = updates.find((c) => c.args['channel'] === CHANNEL && c.args['ts'] === hrCopy?.ts);
    expect(JSON.stringify(hrUpdate?.args['blocks'])).toContain('Kept by <@U0MONA>');
    expect(updates.some((c) => c.args['channel'] === 'U0MONA')).toBe(true);

    // HR presses Keep all on its copy, as it was before the update: refused (nothing left to decide) and audited.
    await harness.send(createDummyBlockAction({ user: HR1, actionId: 'warden_review_keep_all', value: hrKeepsAll?.value ?? '', responseUrl: harness.slack.responseUrl('hr') }));
    expect(String(harness.slack.responsesTo('hr').at(-1)?.args['text'])).toContain('already decided');
    expect((await campaigns.getPacket('rev-e2e', 'E8'))?.items.map((i) => [i.decision?.as, i.decision?.by])).toEqual([['reviewer', 'slack:U0MONA']]);
    const after = await harness.audit.query({});
    expect(after.filter((e) => e.action === 'review.refused' && e.actor === `slack:${HR1}`).map((e) => [e.person, e.result, e.error])).toEqual([
      ['dave@example.com', 'skipped', expect.stringContaining('already decided')],
    ]);
    expect(after.filter((e) => e.action === 'review.escalated').map((e) => e.person)).toEqual(['dave@example.com']);
    expect(after.filter((e) => e.action === 'review.reminded').map((e) => e.person).sort()).toEqual(['dave@example.com', 'mona@example.com']);
  });
});
