import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import { lastQuarantinedByWarden } from '../../src/app/policy/quarantine';
import { DEFAULT_POLICY_CHECKS } from '../../src/domain/policy-checks/posture';
import type { Person } from '../../src/domain/roster';
import type { AuditEntry } from '../../src/ports';
import { ACCOUNT, DENY_ALL_ARN, createDummyAccount, createLoadedUser, startHarness, type Harness } from '../aws/iam/helpers';
import { bobLeftDeps } from '../fixtures/reconcile-deps';
import { createDummyPerson, createDummyRoster, daysBefore } from '../fixtures/builders';

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

describe('joiner quarantine against the sandbox: attached, lifted only once accepted, only what Warden put there', () => {
  let h: Harness;
  let people: Person[];
  let deps: ReconcileDeps;

  beforeEach(async () => {
    h = await startHarness({
      accounts: [
        createDummyAccount({
          users: [
            createLoadedUser('jo', { groups: [], attachedPolicies: [READ_ONLY] }),
            // A joiner who attached Warden's deny-all to themselves beforehand, hoping a later lift takes something else with it.
            createLoadedUser('sly', { groups: [], attachedPolicies: [READ_ONLY, DENY_ALL_ARN] }),
          ],
        }),
      ],
    });
    people = [createDummyPerson({ employeeId: 'J1', email: 'jo@example.com', awsUsernames: ['jo'] }), createDummyPerson({ employeeId: 'J2', email: 'sly@example.com', awsUsernames: ['sly'] })];
    const base = bobLeftDeps([h.directory]);
    deps = {
      ...base,
      roster: { load: async () => createDummyRoster(people) },
      policy: { ...base.policy, checks: { ...DEFAULT_POLICY_CHECKS, joiners: { requireAcceptance: true, quarantine: true } } },
    };
  });
  afterEach(() => h.close());

  const attached = (name: string) => h.sandbox.state.user(ACCOUNT, name)?.attachedPolicies ?? [];
  const accept = () => {
    people = people.map((p) => ({ ...p, policyAcceptedAt: daysBefore(1), ndaSignedAt: daysBefore(1) }));
  };

  it('quarantines, then lifts exactly Warden deny-all once both dates are recorded, audited both ways', async () => {
    const first = await computePlan(deps);
    expect(first.plan.actions.map((a) => [a.kind, a.userName, a.reason])).toEqual([['attach-deny-all', 'jo', 'joiner-quarantine']]);
    await applyPlan(deps, first, { actor: 'system' });
    expect(attached('jo')).toEqual([READ_ONLY, DENY_ALL_ARN]);
    // Still missing the dates: nothing more to do, the quarantine stays.
    expect((await computePlan(deps)).plan.actions).toEqual([]);

    accept();
    const lift = await computePlan(deps);
    expect(lift.plan.actions.map((a) => [a.kind, a.userName, a.reason])).toEqual([['lift-quarantine', 'jo', 'joiner-accepted']]);
    await applyPlan(deps, lift, { actor: 'system' });
    expect(attached('jo')).toEqual([READ_ONLY]);
    expect(attached('sly')).toEqual([READ_ONLY, DENY_ALL_ARN]);

    const trail = (await deps.audit.query({ userName: 'jo' })).filter((e) => e.result === 'ok' && e.action !== 'verify').map((e) => [e.action, e.reason]);
    expect(trail).toEqual([
      ['attach-deny-all', 'joiner-quarantine'],
      ['lift-quarantine', 'joiner-accepted'],
    ]);
    expect((await computePlan(deps)).plan.actions).toEqual([]);
  });

  it('reads the audit log for the latest deny-all change of that account only', () => {
    const entry = (seq: number, action: string, reason: string, account = ACCOUNT): AuditEntry =>
      ({ seq, at: '', runId: 'r', actor: 'system', action, account, reason, result: 'ok', prevHash: '', hash: '' }) as AuditEntry;
    expect(lastQuarantinedByWarden([entry(1, 'attach-deny-all', 'joiner-quarantine')], ACCOUNT)).toBe(true);
    expect(lastQuarantinedByWarden([entry(1, 'attach-deny-all', 'joiner-quarantine'), entry(2, 'attach-deny-all', 'departed')], ACCOUNT)).toBe(false);
    expect(lastQuarantinedByWarden([entry(1, 'attach-deny-all', 'joiner-quarantine'), entry(2, 'lift-quarantine', 'joiner-accepted')], ACCOUNT)).toBe(false);
    expect(lastQuarantinedByWarden([entry(1, 'attach-deny-all', 'joiner-quarantine', '999999999999')], ACCOUNT)).toBe(false);
    expect(lastQuarantinedByWarden([{ ...entry(1, 'attach-deny-all', 'joiner-quarantine'), result: 'failed' }], ACCOUNT)).toBe(false);
  });
});
