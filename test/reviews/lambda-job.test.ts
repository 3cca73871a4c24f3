import { parseSlackJob } from '../../src/lambda/slack-app';

describe('a review click handed from the Slack function to the worker', () => {
  const job = {
    kind: 'review',
    campaignId: 'rev-1',
    packetId: 'E7',
    request: { kind: 'item', itemId: 'iam-group|111111111111/carol|admins', verdict: 'revoke' },
    actor: 'slack:U0MONA',
    reply: { kind: 'response-url', url: 'https://hooks.slack.com/actions/T0/1/x' },
  };

  it('parses as a review job', () => {
    expect(parseSlackJob(job)).toEqual({ ok: true, job });
    expect(parseSlackJob({ ...job, request: { kind: 'keep-all' } }).ok).toBe(true);
  });

  it('is dropped when its decision is not keep or revoke, or names no packet', () => {
    expect(parseSlackJob({ ...job, request: { kind: 'item', itemId: 'x', verdict: 'grant' } }).ok).toBe(false);
    expect(parseSlackJob({ ...job, packetId: '' }).ok).toBe(false);
  });
});
