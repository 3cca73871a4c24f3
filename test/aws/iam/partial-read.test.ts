import { applyPlan, computePlan, type ReconcileDeps } from '../../../src/app/reconcile';
import type { Person } from '../../../src/domain/roster';
import { createDummyPerson, daysBefore } from '../../fixtures/builders';
import { ACCOUNT, createDummyAccount, createLoadedUser, DENY_ALL_ARN, reconcileDepsFor, startHarness, type Harness } from './helpers';

const leaver = (name: string): Person =>
  createDummyPerson({ employeeId: `E-${name}`, email: `${name}@example.com`, status: 'departed', endAt: daysBefore(1) });

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ accounts: [createDummyAccount({ users: ['alice', 'bob', 'carol'].map((name) => createLoadedUser(name)) })] });
});

afterEach(async () => {
  await h.close();
});

const depsFor = (people: readonly Person[]): ReconcileDeps => reconcileDepsFor(h, people);

describe('one per-user read failing (an SCP denies ListServiceSpecificCredentials for bob)', () => {
  it('revokes and verifies the other leavers fully, revokes what was read of bob, and names the path not read', async () => {
    // Every call for bob, including the re-read that verifies him: the SCP does not go away mid-run.
    h.sandbox.faults.fail('ListServiceSpecificCredentials', 'AccessDenied', {
      times: 1000,
      params: { UserName: 'bob' },
      message: 'User: arn:aws:sts::111111111111:assumed-role/WardenAccess/x is not authorized to perform: iam:ListServiceSpecificCredentials with an explicit deny in a service control policy',
    });
    const deps = depsFor(['alice', 'bob', 'carol'].map(leaver));

    const planned = await computePlan(deps);
    const bobActions = planned.plan.actions.filter((a) => a.userName === 'bob').map((a) => a.kind);
    expect(bobActions).toEqual(expect.arrayContaining(['attach-deny-all', 'deactivate-access-key', 'delete-login-profile', 'deactivate-ssh-key']));
    expect(bobActions).not.toContain('deactivate-service-credential');
    expect(planned.plan.actions.filter((a) => a.userName === 'alice').map((a) => a.kind)).toContain('deactivate-service-credential');
    const unread = planned.plan.findings.filter((f) => f.kind === 'user-detail-unavailable');
    expect(unread).toHaveLength(1);
    expect(unread[0]).toMatchObject({ severity: 'high', userName: 'bob', account: ACCOUNT });
    expect(unread[0]?.detail).toMatch(/service-specific credentials/);
    expect(unread[0]?.detail).toMatch(/ListServiceSpecificCredentials/);
    expect(unread[0]?.detail).toMatch(/AccessDenied/);

    const report = await applyPlan(deps, planned, { actor: 'cli:test' });
    const verdicts = Object.fromEntries(report.verifications.map((v) => [v.userName, v]));
    expect(verdicts['alice']).toMatchObject({ verified: true, noAccessLeft: true });
    expect(verdicts['carol']).toMatchObject({ verified: true, noAccessLeft: true });
    expect(verdicts['bob']?.verified).toBe(false);
    expect(verdicts['bob']?.remaining).toEqual([expect.stringMatching(/service-specific credentials not verified .*AccessDenied/)]);

    const bob = h.sandbox.state.user(ACCOUNT, 'bob');
    expect(bob?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
    expect(bob?.loginProfile).toBeNull();
    expect(bob?.attachedPolicies).toContain(DENY_ALL_ARN);
    expect(bob?.groups).toEqual([]);
  });

  it('degrades the same way when the endpoint lacks the API altogether', async () => {
    h.sandbox.faults.fail('ListSigningCertificates', 'InvalidAction', { times: 1000, status: 400, message: 'The action ListSigningCertificates is not valid for this endpoint.' });
    const deps = depsFor(['alice', 'bob'].map(leaver));
    const planned = await computePlan(deps);
    const unread = planned.plan.findings.filter((f) => f.kind === 'user-detail-unavailable').map((f) => f.userName);
    expect(unread).toEqual(['alice', 'bob']);
    expect(planned.plan.actions.filter((a) => a.kind === 'attach-deny-all').map((a) => a.userName)).toEqual(['alice', 'bob']);
  });
});
