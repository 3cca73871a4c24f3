import { departureActionFilter } from '../../src/app/offboarding/preview';
import { makeAction } from '../../src/domain/planning/build';
import { renderInlinePolicy, parseInlinePolicy, sessionPattern, type IdentityCenterInventory } from '../../src/domain/identity-center';
import { identityCenterSessionPrincipals } from '../../src/domain/identity-center-sessions';
import { sessionExposure, sessionSummaryWords, summarizeSessions } from '../../src/domain/sessions';

const PS = 'arn:aws:sso:::permissionSet/ssoins-1/ps-1';
const OTHER = 'arn:aws:sso:::permissionSet/ssoins-1/ps-2';
const bob = { userId: 'u-bob', userName: 'bob@example.com' };
const deny = renderInlinePolicy(parseInlinePolicy(null) ?? { version: '2012-10-17', others: [], denied: [] }, [sessionPattern(bob.userName)]);

const ic = (denied: boolean): IdentityCenterInventory => ({
  instanceArn: 'arn:aws:sso:::instance/ssoins-1',
  identityStoreId: 'd-1234567890',
  source: 'internal',
  users: [{ ...bob, emails: [], externalIds: [] }],
  groups: [],
  memberships: [],
  permissionSets: [
    { arn: PS, name: 'Admin', sessionSeconds: 8 * 3600, inlinePolicy: denied ? deny : null, provisionedAccounts: ['111111111111'] },
    { arn: OTHER, name: 'Unrelated', sessionSeconds: 12 * 3600, inlinePolicy: null, provisionedAccounts: ['111111111111'] },
  ],
  // Bob's assignment is gone (he left); only the Deny ties him to Admin now, and nothing to Unrelated.
  assignments: denied ? [] : [{ accountId: '111111111111', permissionSetArn: PS, principalType: 'USER', principalId: 'u-bob' }],
});

describe("Identity Center in a leaver's session status", () => {
  const ended = new Date('2026-11-26T10:00:00Z');
  const verified = new Date('2026-11-26T10:05:00Z');
  const now = new Date('2026-11-26T11:00:00Z');

  it('says sessions ended at the Deny’s verified time when every set Bob could use denies him', () => {
    const principals = identityCenterSessionPrincipals(ic(true), bob, verified);
    expect(principals).toEqual([{ arn: PS, maxSessionSeconds: 8 * 3600, deny: { kind: 'identity-center-user', since: verified } }]);
    const summary = summarizeSessions(principals.map((p) => sessionExposure(p, ended, now)), ended);
    expect(sessionSummaryWords(summary, 'UTC')).toBe('sessions ended at 2026-11-26 10:05 UTC');
  });

  it('says sessions may live until the set’s session length when no Deny covers him', () => {
    const principals = identityCenterSessionPrincipals(ic(false), bob, undefined);
    expect(principals).toEqual([{ arn: PS, maxSessionSeconds: 8 * 3600 }]);
    const summary = summarizeSessions(principals.map((p) => sessionExposure(p, ended, now)), ended);
    expect(summary).toMatchObject({ status: 'may-live-until', until: new Date('2026-11-26T18:00:00Z') });
  });
});

describe('a departure run from Slack', () => {
  it('applies the Identity Center revocations of the person but never deletes their Identity Center user (that is the scheduled run’s)', () => {
    const fields = { account: 'd-1234567890', userName: 'bob@example.com', reason: 'departed', control: 'offboarding-24h', person: { employeeId: 'E2', email: 'bob@example.com' } } as const;
    const only = departureActionFilter(new Set(['bob@example.com']));
    expect(only(makeAction('remove-ic-membership', fields, { userId: 'u', membershipId: 'm', groupId: 'g', groupName: 'Engineers' }))).toBe(true);
    expect(only(makeAction('delete-ic-user', fields, { userId: 'u' }))).toBe(false);
  });
});
