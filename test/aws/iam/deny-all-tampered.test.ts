import { CreatePolicyVersionCommand, SetDefaultPolicyVersionCommand } from '@aws-sdk/client-iam';
import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import { respondToTrailEvents } from '../../../src/app/trail/respond';
import { parseTrailRecord, wardenActors, type TrailEvent } from '../../../src/domain/trail';
import type { Notice } from '../../../src/ports';
import type { Person } from '../../../src/domain/roster';
import { createDummyPerson, daysBefore } from '../../fixtures/builders';
import { ACCOUNT, createDummyAccount, createLoadedUser, DENY_ALL_ARN, reconcileDepsFor, startHarness, type Harness } from './helpers';

// Who could abuse it: anyone who can write IAM policies in a member account (an admin on the way out, before their own
// access ends, or someone acting for them) makes a version of Warden's deny-all that allows everything its default.
// Every leaver it is attached to is then refused nothing by AWS, though the policy is still attached: Warden must not
// call them verified, and must say so loudly. Warden's role may not change policies, so it cannot repair it itself.

const leaver = (name: string): Person => createDummyPerson({ employeeId: `E-${name}`, email: `${name}@example.com`, status: 'departed', endAt: daysBefore(1) });
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

let h: Harness;

beforeEach(async () => {
  h = await startHarness({
    accounts: [
      createDummyAccount({
        users: [createLoadedUser('alice'), createLoadedUser('bob', { attachedPolicies: [DENY_ALL_ARN], groups: [], accessKeys: [], loginProfile: null })],
      }),
    ],
  });
});

afterEach(async () => {
  await h.close();
});

const depsFor = (people: readonly Person[]): ReconcileDeps => reconcileDepsFor(h, people);

/** The CloudTrail record of a policy-version call by another admin, parsed as Warden reads it. */
function policyVersionEvent(eventName: string, requestParameters: Record<string, unknown>): TrailEvent {
  const parsed = parseTrailRecord({
    eventID: `e-${eventName}`,
    eventName,
    eventSource: 'iam.amazonaws.com',
    eventTime: '2026-12-04T12:00:00Z',
    recipientAccountId: ACCOUNT,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.23',
    readOnly: false,
    userIdentity: { type: 'IAMUser', userName: 'departing-admin', arn: `arn:aws:iam::${ACCOUNT}:user/departing-admin`, accountId: ACCOUNT },
    requestParameters,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe("Warden's deny-all policy whose default version no longer denies everything", () => {
  it('is a high finding of the account, and no leaver it is attached to is verified until it denies again', async () => {
    await h.client.send(new CreatePolicyVersionCommand({ PolicyArn: DENY_ALL_ARN, PolicyDocument: allowAll, SetAsDefault: true }));
    const deps = depsFor([leaver('alice'), leaver('bob')]);

    const planned = await computePlan(deps);
    expect(planned.plan.findings.filter((f) => f.kind === 'deny-all-ineffective')).toEqual([
      expect.objectContaining({
        severity: 'high',
        control: 'offboarding-24h',
        account: ACCOUNT,
        detail: `Warden's deny-all policy ${DENY_ALL_ARN} no longer denies everything (its default version was changed): AWS refuses nothing to the users it is attached to (1 here: bob). Make its deny-all version the default again (iam:SetDefaultPolicyVersion); Warden's role may not change policies`,
      }),
    ]);
    const report = await applyPlan(deps, planned, { actor: 'cli:test' });
    const verdicts = Object.fromEntries(report.verifications.map((v) => [v.userName, v]));
    // alice's keys, password and groups went; the deny-all is attached but denies nothing.
    expect(verdicts['alice']).toMatchObject({ verified: false, noAccessLeft: false });
    expect(verdicts['alice']?.remaining).toContain(`deny-all policy ${DENY_ALL_ARN} is attached but does not deny everything (its default version was changed)`);
    expect(h.sandbox.state.user(ACCOUNT, 'alice')?.attachedPolicies).toContain(DENY_ALL_ARN);

    // Restored by hand: the next run verifies both.
    await h.client.send(new SetDefaultPolicyVersionCommand({ PolicyArn: DENY_ALL_ARN, VersionId: 'v1' }));
    const again = await computePlan(deps);
    expect(again.plan.findings.filter((f) => f.kind === 'deny-all-ineffective')).toEqual([]);
    expect(again.plan.actions.filter((a) => a.userName === 'alice' || a.userName === 'bob')).toEqual([]);
  });

  it('is no finding when the deny-all denies, and the leavers verify', async () => {
    const deps = depsFor([leaver('alice')]);
    const planned = await computePlan(deps);
    expect(planned.plan.findings.filter((f) => f.kind === 'deny-all-ineffective')).toEqual([]);
    const report = await applyPlan(deps, planned, { actor: 'cli:test' });
    expect(report.verifications.find((v) => v.userName === 'alice')).toMatchObject({ verified: true, noAccessLeft: true });
  });

  it("is answered within the CloudTrail event that changed it: the holders re-planned, the alert names who did it, nothing verified", async () => {
    await h.client.send(new CreatePolicyVersionCommand({ PolicyArn: DENY_ALL_ARN, PolicyDocument: allowAll, SetAsDefault: true }));
    const event = policyVersionEvent('CreatePolicyVersion', { policyArn: DENY_ALL_ARN, policyDocument: allowAll, setAsDefault: true });
    const notices: Notice[] = [];
    // alice left too, but holds no deny-all yet: the hourly run is hers; the event re-plans those the policy stops.
    const reconcile = { ...depsFor([leaver('alice'), leaver('bob')]), notifier: { notify: async (n: Notice) => void notices.push(n) } };

    const response = await respondToTrailEvents({ reconcile, policy: { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([]) } }, [event]);

    expect(response).toMatchObject({ kind: 'responded', restorations: [{ what: `made a new version of Warden's deny-all ${DENY_ALL_ARN} its default` }] });
    const report = response.kind === 'responded' ? response.report : undefined;
    expect(report?.verifications.map((v) => [v.userName, v.verified, v.remaining])).toEqual([
      ['bob', false, [`deny-all policy ${DENY_ALL_ARN} is attached but does not deny everything (its default version was changed)`]],
    ]);
    expect(h.sandbox.state.user(ACCOUNT, 'alice')?.accessKeys.some((k) => k.status === 'Active')).toBe(true);
    expect(notices).toEqual([
      expect.objectContaining({ kind: 'access-restored', verified: false, events: [expect.objectContaining({ principals: [`${ACCOUNT} policy ${DENY_ALL_ARN}`] })] }),
    ]);
    const audited = (await reconcile.audit.query({})).find((e) => e.action === 'trail.access-restored');
    expect(audited).toMatchObject({ target: 'bob', before: { restoredBy: `arn:aws:iam::${ACCOUNT}:user/departing-admin`, sourceIp: '198.51.100.23' }, after: { verified: false } });
  });

  it('still alerts, unverified, when nobody holds the changed deny-all yet', async () => {
    await h.client.send(new CreatePolicyVersionCommand({ PolicyArn: DENY_ALL_ARN, PolicyDocument: allowAll, SetAsDefault: true }));
    await h.client.send(new SetDefaultPolicyVersionCommand({ PolicyArn: DENY_ALL_ARN, VersionId: 'v2' }));
    const event = policyVersionEvent('SetDefaultPolicyVersion', { policyArn: DENY_ALL_ARN, versionId: 'v2' });
    const notices: Notice[] = [];
    // Nobody is a leaver: bob holds the deny-all but is active (quarantined, say); nothing is re-planned for him.
    const staying = (name: string): Person => createDummyPerson({ employeeId: `E-${name}`, email: `${name}@example.com`, status: 'active' });
    const reconcile = { ...depsFor([staying('alice'), staying('bob')]), notifier: { notify: async (n: Notice) => void notices.push(n) } };
    await respondToTrailEvents({ reconcile, policy: { denyAllPolicyName: 'warden-deny-all', isWarden: wardenActors([]) } }, [event]);
    expect(notices).toEqual([expect.objectContaining({ kind: 'access-restored', verified: false, events: [expect.objectContaining({ what: `made version v2 of Warden's deny-all ${DENY_ALL_ARN} its default` })] })]);
  });
});
