import { GetAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import { DEFAULT_POLICY_CHECKS } from '../../src/domain/policy-checks/posture';
import { createDummyAccount, startHarness, type Harness } from '../aws/iam/helpers';
import { bobLeftDeps } from '../fixtures/reconcile-deps';

describe('passwordPolicy.enforce, applied through the guard and audited', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ accounts: [createDummyAccount({ passwordPolicy: { minimumLength: 8 } })] });
  });
  afterEach(() => h.close());

  const depsWith = (enforce: boolean): ReconcileDeps => {
    const deps = bobLeftDeps([h.directory]);
    return { ...deps, policy: { ...deps.policy, checks: { ...DEFAULT_POLICY_CHECKS, passwordPolicy: { ...DEFAULT_POLICY_CHECKS.passwordPolicy, enforce } } } };
  };
  const policyNow = async () => (await h.client.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy;

  it('sets the weak policy to the minimum on apply, audits intent and result with before and after, and the next plan is clean', async () => {
    const deps = depsWith(true);
    const planned = await computePlan(deps);
    expect(planned.plan.findings.map((f) => f.kind)).toContain('password-policy-weak');
    expect(h.sandbox.calls.count('UpdateAccountPasswordPolicy')).toBe(0);

    const report = await applyPlan(deps, planned, { actor: 'cli:test' });

    expect(report.outcome).toBe('ok');
    expect(await policyNow()).toMatchObject({ MinimumPasswordLength: 14, RequireSymbols: true, PasswordReusePrevention: 24, MaxPasswordAge: 90 });
    const entries = (await deps.audit.query({})).filter((e) => e.action === 'password-policy.set');
    expect(entries.map((e) => [e.result, e.actor, e.account])).toEqual([
      ['intent', 'cli:test', h.directory.account],
      ['ok', 'cli:test', h.directory.account],
    ]);
    expect(entries[1]?.before).toMatchObject({ passwordPolicy: { minimumLength: 8 } });
    expect((await computePlan(deps)).plan.findings.map((f) => f.kind)).not.toContain('password-policy-weak');
  });

  it('changes nothing without enforce, when the guard trips, or for one person\u2019s departure', async () => {
    await applyPlan(depsWith(false), await computePlan(depsWith(false)), { actor: 'cli:test' });
    const tripped = depsWith(true);
    const planned = await computePlan(tripped);
    await applyPlan(tripped, { ...planned, plan: { ...planned.plan, guard: { tripped: true, reasons: ['headcount fell'] } } }, { actor: 'cli:test' });
    await applyPlan(depsWith(true), await computePlan(depsWith(true)), { actor: 'slack:U1', only: () => true });
    expect(h.sandbox.calls.count('UpdateAccountPasswordPolicy')).toBe(0);
    expect(await policyNow()).toMatchObject({ MinimumPasswordLength: 8 });
  });
});
