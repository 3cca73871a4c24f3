import { SlackNotifier } from '../../src/adapters/slack/notifier';
import { WebClientSlackWeb } from '../../src/adapters/slack/web';
import { parseTrailRecord, type TrailEvent } from '../../src/domain/trail';
import { FakeSlackApi } from '../fakes/fake-slack-api';

function event(overrides: Record<string, unknown> = {}): TrailEvent {
  const parsed = parseTrailRecord({
    eventID: 'e-1',
    eventName: 'UpdateAccessKey',
    eventSource: 'iam.amazonaws.com',
    eventTime: '2026-12-03T10:00:00Z',
    recipientAccountId: '111111111111',
    sourceIPAddress: '203.0.113.7',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111111111111:user/other-admin', userName: 'other-admin', accountId: '111111111111' },
    requestParameters: { userName: 'bob', accessKeyId: 'AKIABOB0000000000001', status: 'Active' },
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('the Slack alerts of issue 15, through the Web API', () => {
  let slack: FakeSlackApi;
  let notifier: SlackNotifier;
  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    const web = WebClientSlackWeb.create({ token: 'xoxb-test', apiUrl: slack.apiUrl, clientOptions: { retryConfig: { retries: 0 } } });
    notifier = new SlackNotifier({ web, channel: 'C0WARDEN', clock: { now: () => new Date('2026-12-03T10:01:00Z') }, slaHours: 24 });
  });
  afterAll(async () => {
    await slack.close();
  });

  it('names who gave access back, when, from where, and what Warden undid; mrkdwn in AWS text cannot ping or link', async () => {
    await notifier.notify({
      kind: 'access-restored',
      runId: 'run-1',
      events: [{ event: event({ sourceIPAddress: '<!channel> 203.0.113.7' }), what: 're-activated access key AKIABOB0000000000001', principals: ['111111111111/bob'] }],
      undone: [{ kind: 'deactivate-access-key', account: '111111111111', userName: 'bob', result: 'ok' }],
      verified: true,
    });
    const [post] = slack.callsTo('chat.postMessage');
    const text = JSON.stringify(post?.args);
    expect(post?.args['channel']).toBe('C0WARDEN');
    expect(text).toContain('arn:aws:iam::111111111111:user/other-admin');
    expect(text).toContain('2026-12-03T10:00:00.000Z');
    expect(text).toContain('deactivate-access-key on bob');
    expect(text).toContain('&lt;!channel&gt; 203.0.113.7');
    expect(text).not.toContain('<!channel>');
  });

  it('posts a high alert for a leaver’s call after revocation', async () => {
    slack.clear();
    await notifier.notify({ kind: 'post-revocation-use', person: 'bob@example.com (E2)', noAccessLeftAt: new Date('2026-12-03T09:00:00Z'), events: [event({ eventName: 'GetCallerIdentity' })] });
    const [post] = slack.callsTo('chat.postMessage');
    expect(String(post?.args['text'])).toContain('bob@example.com (E2) used AWS after their access was revoked (1 call(s))');
    expect(JSON.stringify(post?.args)).toContain('GetCallerIdentity');
  });
});
