import { parsePersonArgument } from '../../src/adapters/slack/app';
import { historyEntryText, historyMessage, runSummaryMessage } from '../../src/adapters/slack/blocks';
import { slackSettingsFromEnv } from '../../src/adapters/slack/env';
import { parseHistoryQuery } from '../../src/adapters/slack/jobs';
import { escapeMrkdwn, safeText } from '../../src/adapters/slack/mrkdwn';
import { SlackNotifier } from '../../src/adapters/slack/notifier';
import { checkRequestTimestamp, deliveryKey, MemorySeenStore } from '../../src/adapters/slack/request-hygiene';
import type { SlackWeb } from '../../src/adapters/slack/web';
import { draftFromJson, draftToJson } from '../../src/adapters/slack/work-queue';
import { adminRights, checkDepartureForm, requiredApprovals, type FormContext } from '../../src/app/offboarding';
import type { Plan } from '../../src/domain/plan';
import { allowsEverything } from '../../src/domain/policy-documents';
import { formatDuration, zonedInstant } from '../../src/domain/time';
import type { AuditEntry } from '../../src/ports';
import { createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser, NOW } from '../fixtures/builders';

describe('zonedInstant', () => {
  it('reads wall-clock times in the given zone, across DST changes', () => {
    expect(zonedInstant('2026-07-01', '09:00', 'Europe/Berlin')).toEqual(new Date('2026-07-01T07:00:00Z'));
    expect(zonedInstant('2026-01-15', '09:00', 'Europe/Berlin')).toEqual(new Date('2026-01-15T08:00:00Z'));
    expect(zonedInstant('2026-03-08', '03:30', 'America/New_York')).toEqual(new Date('2026-03-08T07:30:00Z'));
    expect(zonedInstant('2026-11-26', '12:00', 'UTC')).toEqual(new Date('2026-11-26T12:00:00Z'));
    expect(zonedInstant('2026-02-30', '12:00', 'UTC')).toHaveProperty('error');
    expect(zonedInstant('tomorrow', '12:00', 'UTC')).toHaveProperty('error');
  });
});

describe('checkDepartureForm', () => {
  const roster = createDummyRoster([
    createDummyPerson({ email: 'alice@example.com', slackId: 'U0ALICE', employeeId: 'E1' }),
    createDummyPerson({ email: 'ops@example.com', employeeId: 'E9', awsUsernames: ['break-glass-admin'] }),
  ]);
  const context: FormContext = { id: 'dep-1', requestedBy: 'slack:U0HR1', now: NOW, policy: createDummyPolicy(), roster };

  it('accepts a Slack user on the roster, blank date meaning now', () => {
    const result = checkDepartureForm({ person: { kind: 'slack', slackId: 'U0ALICE' }, timezone: 'UTC', reason: 'resignation' }, context);

    expect(result).toEqual({
      ok: true,
      draft: { id: 'dep-1', person: { email: 'alice@example.com', employeeId: 'E1', slackId: 'U0ALICE', fullName: 'Alice Example' }, effectiveAt: NOW, timezone: 'UTC', reason: 'resignation', requestedBy: 'slack:U0HR1', effectiveNow: true },
    });
  });

  it('names each problem with its field', () => {
    const fields = (form: Parameters<typeof checkDepartureForm>[0]) => {
      const result = checkDepartureForm(form, context);
      return result.ok ? [] : result.errors.map((e) => e.field);
    };

    expect(fields({ person: undefined, timezone: 'UTC' })).toEqual(['person']);
    expect(fields({ person: { kind: 'email', email: 'not-an-email' }, timezone: 'UTC' })).toEqual(['person']);
    expect(fields({ person: { kind: 'email', email: 'ops@example.com' }, timezone: 'UTC' })).toEqual(['person']);
    expect(fields({ person: { kind: 'email', email: 'alice@example.com' }, timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(fields({ person: { kind: 'email', email: 'alice@example.com' }, timezone: 'UTC', time: '09:00' })).toEqual(['date']);
    expect(fields({ person: { kind: 'email', email: 'alice@example.com' }, timezone: 'UTC', date: '2028-01-01' })).toEqual(['date']);
    expect(fields({ person: { kind: 'email', email: 'alice@example.com' }, timezone: 'UTC', notes: 'x'.repeat(1001) })).toEqual(['notes']);
  });

  it('leaves the person check to the preview when the roster was not read in time', () => {
    const result = checkDepartureForm({ person: { kind: 'email', email: 'Someone@Example.com' }, timezone: 'Europe/Berlin', date: '2026-11-27', time: '18:00' }, { ...context, roster: undefined });

    expect(result.ok && result.draft.person).toEqual({ email: 'someone@example.com' });
    expect(result.ok && result.draft.effectiveAt).toEqual(new Date('2026-11-27T17:00:00Z'));
  });
});

describe('adminRights and requiredApprovals', () => {
  const groups = [
    { name: 'developers', attachedPolicies: [], inlinePolicies: [] },
    { name: 'ops', attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }], inlinePolicies: [] },
    { name: 'PlatformAdmins', attachedPolicies: [], inlinePolicies: [] },
  ];

  it('finds AdministratorAccess directly or through a group, and admin-named groups', () => {
    expect(adminRights(createDummyUser({ groups: ['developers'] }), groups)).toEqual([]);
    expect(adminRights(createDummyUser({ attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] }), groups)).toHaveLength(1);
    expect(adminRights(createDummyUser({ groups: ['ops'] }), groups)).toEqual(['alice gets AdministratorAccess from group ops']);
    expect(adminRights(createDummyUser({ groups: ['PlatformAdmins'] }), groups)).toEqual(['alice is in group PlatformAdmins']);
  });

  const everything = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };

  it('counts inline and customer-managed policies that allow * on *, whatever their name', () => {
    const customer = 'arn:aws:iam::123456789012:policy/team-tools';
    const inGroups = [...groups, { name: 'platform', attachedPolicies: [], inlinePolicies: ['ops-tools'], inlinePolicyDocuments: { 'ops-tools': everything } }];
    const documents = { [customer]: { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', '*:*'], Resource: ['arn:aws:s3:::x', '*'] }] } };

    expect(adminRights(createDummyUser({ inlinePolicies: ['helper'], inlinePolicyDocuments: { helper: JSON.stringify(everything) } }), groups)).toEqual([
      'alice has inline policy helper allowing * on *',
    ]);
    expect(adminRights(createDummyUser({ attachedPolicies: [{ name: 'team-tools', arn: customer }] }), groups, documents)).toEqual([
      'alice has policy team-tools allowing * on *',
    ]);
    expect(adminRights(createDummyUser({ groups: ['platform'] }), inGroups)).toEqual(['alice gets inline policy ops-tools allowing * on * from group platform']);
    expect(adminRights(createDummyUser({ groups: ['developers'] }), [{ name: 'developers', attachedPolicies: [{ name: 'team-tools', arn: customer }], inlinePolicies: [] }], documents)).toEqual([
      'alice gets policy team-tools allowing * on * from group developers',
    ]);
  });

  it('reads policy documents as IAM does: Deny, narrower actions or resources are not admin; NotAction on * is', () => {
    const doc = (statement: unknown) => ({ Version: '2012-10-17', Statement: statement });
    expect(allowsEverything(everything)).toBe(true);
    expect(allowsEverything(doc([{ Effect: 'Deny', Action: '*', Resource: '*' }]))).toBe(false);
    expect(allowsEverything(doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]))).toBe(false);
    expect(allowsEverything(doc([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' }]))).toBe(false);
    expect(allowsEverything(doc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]))).toBe(true);
    expect(allowsEverything(doc([{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Effect: 'Allow', Action: ['*'], NotResource: 'arn:aws:s3:::x' }]))).toBe(true);
    expect(allowsEverything(encodeURIComponent(JSON.stringify(everything)))).toBe(true);
    expect(allowsEverything('{not json')).toBe(false);
    expect(allowsEverything(null)).toBe(false);
    expect(allowsEverything(doc('nonsense'))).toBe(false);
  });

  it('asks for a second approver per the configured rule', () => {
    expect([requiredApprovals('none', true), requiredApprovals('admins', false), requiredApprovals('admins', true), requiredApprovals('all', false)]).toEqual([1, 1, 2, 2]);
  });
});

describe('request hygiene helpers', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const ts = (offsetSeconds: number): string => String(now / 1000 + offsetSeconds);

  it('accepts timestamps within 5 minutes either way and refuses the rest', () => {
    expect(checkRequestTimestamp(ts(-299), now).ok).toBe(true);
    expect(checkRequestTimestamp(ts(299), now).ok).toBe(true);
    expect(checkRequestTimestamp(ts(-301), now)).toEqual({ ok: false, reason: 'request timestamp is 301s old' });
    expect(checkRequestTimestamp(ts(301), now)).toEqual({ ok: false, reason: 'request timestamp is 301s in the future' });
    expect(checkRequestTimestamp('12abc', now).ok).toBe(false);
  });

  it('keys deliveries by event id or trigger id and remembers them for the TTL', async () => {
    const seen = new MemorySeenStore();
    const at = new Date(now);

    expect(deliveryKey({ event_id: 'Ev1', trigger_id: 't' })).toBe('event:Ev1');
    expect(deliveryKey({ trigger_id: 't1' })).toBe('trigger:t1');
    expect(deliveryKey({ type: 'x' })).toBeUndefined();
    expect(await seen.firstSeen('event:Ev1', 1000, at)).toBe(true);
    expect(await seen.firstSeen('event:Ev1', 1000, at)).toBe(false);
    expect(await seen.firstSeen('event:Ev1', 1000, new Date(now + 1001))).toBe(true);
  });
});

describe('parsing Slack text', () => {
  it('parses /access history targets', () => {
    expect(parseHistoryQuery('<@U0ALICE|alice>')).toEqual({ kind: 'slack', slackId: 'U0ALICE' });
    expect(parseHistoryQuery('<mailto:Bob@Example.com|Bob@Example.com>')).toEqual({ kind: 'email', email: 'bob@example.com' });
    expect(parseHistoryQuery('bob@example.com')).toEqual({ kind: 'email', email: 'bob@example.com' });
    expect(parseHistoryQuery('ci-deployer')).toEqual({ kind: 'iam-user', userName: 'ci-deployer' });
    expect(parseHistoryQuery('<!channel>').kind).toBe('invalid');
  });

  it('parses the /offboard argument', () => {
    expect(parsePersonArgument('<@U0BOB|bob>')).toEqual({ slackId: 'U0BOB' });
    expect(parsePersonArgument('bob@example.com')).toEqual({ email: 'bob@example.com' });
    expect(parsePersonArgument('')).toBeUndefined();
  });

  it('round-trips drafts through JSON and refuses anything else', () => {
    const draft = { id: 'dep-20261126-abc', person: { email: 'a@example.com' }, effectiveAt: NOW, timezone: 'UTC', requestedBy: 'slack:U1' };

    expect(draftFromJson(JSON.parse(JSON.stringify(draftToJson(draft))))).toEqual(draft);
    expect(draftFromJson({ ...draftToJson(draft), id: '../../etc' })).toBeUndefined();
    expect(draftFromJson({ ...draftToJson(draft), effectiveAt: 'soon' })).toBeUndefined();
    expect(draftFromJson('x')).toBeUndefined();
  });
});

describe('mrkdwn and Block Kit limits', () => {
  it('escapes &, < and > so user text cannot mention, link or broadcast', () => {
    expect(escapeMrkdwn('<!channel> & <@U1> <https://evil|click>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://evil|click&gt;');
    expect(safeText('a'.repeat(10), 5)).toBe('aaaa…');
  });

  it('keeps every history section under 3,000 characters and every page under 50 blocks', () => {
    const entry: AuditEntry = {
      seq: 1, at: NOW.toISOString(), runId: 'r', actor: 'cli:<ops>', action: 'verify', target: '<x>'.repeat(500), result: 'failed',
      error: '<'.repeat(5000), after: { big: 'y'.repeat(5000) }, prevHash: '0', hash: '1',
    };
    const entries = Array.from({ length: 200 }, (_, i) => ({ ...entry, seq: 200 - i }));

    const message = historyMessage('<@U1>', entries, { q: 'x', p: 3 }, 'UTC');

    expect(historyEntryText(entry, 'UTC').length).toBeLessThanOrEqual(3000);
    expect(message.blocks?.length).toBeLessThanOrEqual(50);
    expect(message.text).toContain('page 4 of 10');
    const mrkdwn = JSON.stringify((message.blocks ?? []).filter((b) => b.type !== 'header'));
    expect(/<@U1>|cli:<ops>/.test(mrkdwn)).toBe(false);
    expect(/<@U1>/.test(message.text)).toBe(false);
  });

  it('formats durations for the thread', () => {
    expect([formatDuration(42_000), formatDuration(133_000), formatDuration(3_900_000), formatDuration(90_000_000)]).toEqual(['42s', '2m 13s', '1h 05m', '1d 01h']);
  });
});

describe('SlackNotifier', () => {
  const posted: { channel: string; text: string }[] = [];
  const web = {
    postMessage: async (channel: string, message: { text: string }) => {
      posted.push({ channel, text: message.text });
      return { channel, ts: '1.1' };
    },
  } as unknown as SlackWeb;
  const notifier = new SlackNotifier({ web, channel: 'C0WARDEN', clock: { now: () => NOW }, slaHours: 24 });
  const plan: Plan = { version: 1, generatedAt: NOW.toISOString(), actions: [], findings: [], errors: [], guard: { tripped: false, reasons: [] }, summary: { actions: 0, findings: 0, people: 3, iamUsers: 4 } };

  it('posts run summaries that changed something and every guard trip, skipping quiet runs', async () => {
    await notifier.notify({ kind: 'run-summary', runId: 'run-quiet', plan, applied: 0, failed: 0 });
    await notifier.notify({ kind: 'run-summary', runId: 'run-busy', plan, applied: 3, failed: 1 });
    await notifier.notify({ kind: 'guard-tripped', runId: 'run-guard', reasons: ['The roster is <empty>'] });

    expect(posted.map((p) => p.text)).toEqual(['Warden run run-busy: 3 applied, 1 failed', 'Warden guard tripped in run-guard: nothing applied']);
    expect(posted.every((p) => p.channel === 'C0WARDEN')).toBe(true);
    expect(JSON.stringify(runSummaryMessage({ kind: 'run-summary', runId: 'r', plan, applied: 1, failed: 0 }))).toContain('1 change(s) applied');
  });
});

describe('slackSettingsFromEnv', () => {
  it('reads tokens and the API URL, and says what is missing', () => {
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api' })).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's',
      apiUrl: 'http://127.0.0.1:9/api/',
    });
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual({ botToken: 'xoxb-1', appToken: 'xapp-1' });
    expect(slackSettingsFromEnv({})).toHaveProperty('error', expect.stringContaining('SLACK_BOT_TOKEN'));
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toHaveProperty('error', expect.stringContaining('SLACK_SIGNING_SECRET'));
  });
});

describe('slack/manifest.yaml', () => {
  it('declares the commands, event, scopes and request URLs the app serves', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const manifest = parse(readFileSync(`${__dirname}/../../slack/manifest.yaml`, 'utf8')) as {
      features: { slash_commands: { command: string; url: string }[] };
      oauth_config: { scopes: { bot: string[] } };
      settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { request_url: string; is_enabled: boolean } };
    };

    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/offboard', '/access']);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'users:read', 'users:read.email', 'usergroups:read']));
    const urls = [...manifest.features.slash_commands.map((c) => c.url), manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url];
    expect(urls.every((u) => u.endsWith('/slack/events'))).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});
