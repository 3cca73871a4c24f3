import { readReviewButton, reviewMessage, REVIEW_IDS } from '../../src/adapters/slack/blocks/review';
import { entitlementKey } from '../../src/domain/reviews/entitlements';
import { createDummyCampaign, createDummyPacket, group } from './builders';

describe('review buttons', () => {
  it('round-trip every IAM name character (+=,.@-) and refuse what Warden never wrote', () => {
    const campaign = createDummyCampaign({ id: 'rev-1' });
    const odd = group('team+ops=a,b.c@d-e');
    const packet = createDummyPacket(campaign, { items: [{ id: entitlementKey(odd), entitlement: odd, roleAllows: false }] });
    const blocks = reviewMessage(campaign, packet, 'UTC').blocks ?? [];
    const revoke = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.type === 'button' && e.action_id === REVIEW_IDS.revoke);
    const value = revoke?.type === 'button' ? revoke.value : undefined;

    expect(readReviewButton(REVIEW_IDS.revoke, value)).toEqual({ campaignId: 'rev-1', packetId: 'E7', request: { kind: 'item', itemId: entitlementKey(odd), verdict: 'revoke' } });
    expect(readReviewButton(REVIEW_IDS.keepAll, JSON.stringify({ c: 'rev-1', p: 'E7' }))).toEqual({ campaignId: 'rev-1', packetId: 'E7', request: { kind: 'keep-all' } });
    expect(readReviewButton(REVIEW_IDS.keep, JSON.stringify({ c: 'rev-1', p: 'E7' }))).toBeUndefined();
    expect(readReviewButton(REVIEW_IDS.keep, 'not json')).toBeUndefined();
    expect(readReviewButton(REVIEW_IDS.keep, JSON.stringify({ c: 'rev-1', p: 'E7', i: 'x\u202Ey' }))).toBeUndefined();
    expect(readReviewButton('warden_review_other', JSON.stringify({ c: 'rev-1', p: 'E7', i: 'x' }))).toBeUndefined();
  });

  it('escapes hostile names in mrkdwn (no mentions, links or broadcasts; plain_text is never parsed)', () => {
    const campaign = createDummyCampaign();
    const packet = createDummyPacket(campaign, { person: { employeeId: 'E7', email: 'carol@example.com', fullName: '<!channel> <https://evil|click>' } });
    const mrkdwn = JSON.stringify(reviewMessage(campaign, packet, 'UTC').blocks ?? [])
      .match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g)
      ?.join('\n');
    expect(mrkdwn).toContain('&lt;!channel&gt; &lt;https://evil|click&gt;');
    expect(mrkdwn).not.toContain('<!channel>');
  });
});
