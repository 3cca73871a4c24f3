import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildPolicyReport, policySummaryLine, POLICY_CLAUSES } from '../../src/domain/policy-checks/clauses';
import type { CheckRun } from '../../src/domain/policy-checks/checks';
import type { Action, Finding, Plan } from '../../src/domain/plan';

const plan = (findings: Finding[] = [], actions: Action[] = []): Plan => ({
  version: 1,
  generatedAt: '2026-11-26T12:00:00.000Z',
  actions,
  findings,
  errors: [],
  guard: { tripped: false, reasons: [] },
  summary: { actions: actions.length, findings: findings.length, people: 3, iamUsers: 4 },
});
const finding = (kind: Finding['kind'], severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({ kind, severity, control: 'credential-hygiene', detail: 'x', ...extra });
const ALL_RAN: CheckRun[] = ['joiner-acceptance', 'admin-budget', 'root-access-keys', 'root-mfa', 'root-use', 'password-policy', 'default-passwords', 'shared-host-accounts', 'shared-iam-users', 'session-duration'].map(
  (check) => ({ check: check as CheckRun['check'], applicable: true, note: 'ran' }),
);
const chain = { ok: true, entries: 10 };
const clause = (report: ReturnType<typeof buildPolicyReport>, id: string) => report.clauses.find((c) => c.id === id);

/** The policy text, kept in the repository (docs/reference/security-policy.txt, a copy of the company policy). */
function policyText(): string {
  const repo = path.resolve(__dirname, '../..');
  // The policy Warden enforces is kept in the repository (a fresh clone has nothing beside it).
  const file = path.resolve(repo, 'docs/reference/security-policy.txt');
  if (!existsSync(file)) throw new Error('docs/reference/security-policy.txt is missing');
  return readFileSync(file, 'utf8');
}

describe('the clause table', () => {
  it('quotes every clause verbatim from the security policy, under its section', () => {
    const text = policyText();
    for (const c of POLICY_CLAUSES) {
      expect(text).toContain(c.clause);
      expect(c.checks.length).toBeGreaterThan(0);
    }
    expect(new Set(POLICY_CLAUSES.map((c) => c.id)).size).toBe(POLICY_CLAUSES.length);
  });
});

describe('buildPolicyReport', () => {
  it('passes a clause whose checks ran and found nothing, and marks interpretations', () => {
    const report = buildPolicyReport({ plan: plan(), runs: ALL_RAN, chain });
    expect(report.summary).toEqual({ clauses: 12, pass: 12, fail: 0, notApplicable: 0, findings: 0 });
    expect(clause(report, 'no-full-rights')?.checks[0]?.interpretation).toContain('where possible');
    expect(clause(report, 'root-minimum')?.checks.find((c) => c.id === 'root-mfa')).not.toHaveProperty('interpretation');
  });

  it('fails on a finding above info, naming each failing principal once; info findings do not fail', () => {
    const admins = [
      finding('admin-rights', 'medium', { account: '1', userName: 'ann', person: { employeeId: 'E1', email: 'ann@example.com' } }),
      finding('admin-rights', 'medium', { account: '2', userName: 'ann', person: { employeeId: 'E1', email: 'ann@example.com' } }),
      finding('admin-rights', 'medium', { account: '1', userName: 'orphan-admin' }),
    ];
    const failed = clause(buildPolicyReport({ plan: plan(admins), runs: ALL_RAN, chain }), 'no-full-rights');
    expect(failed?.status).toBe('fail');
    expect(failed?.checks[0]).toMatchObject({ status: 'fail', failing: 3, principals: ['1/orphan-admin', 'ann@example.com'] });
    const within = admins.map((f) => ({ ...f, severity: 'info' as const }));
    expect(clause(buildPolicyReport({ plan: plan(within), runs: ALL_RAN, chain }), 'no-full-rights')?.status).toBe('pass');
  });

  it('counts pending changes of the clause as failing (a leaver still holding access)', () => {
    const action = { id: 'a', kind: 'attach-deny-all', account: '1', userName: 'bob', reason: 'departed', control: 'offboarding-24h', person: { employeeId: 'E2', email: 'bob@example.com' }, target: { policyName: 'p', policyArn: 'arn' } } as Action;
    expect(clause(buildPolicyReport({ plan: plan([], [action]), runs: ALL_RAN, chain }), 'leavers-24h')?.checks[0]).toMatchObject({ status: 'fail', principals: ['bob@example.com'] });
  });

  it('is not applicable only when no check of the clause could run, never pass', () => {
    const runs = ALL_RAN.map((r) => (r.check === 'session-duration' ? { ...r, applicable: false, note: 'roles not read' } : r));
    const report = buildPolicyReport({ plan: plan(), runs, chain });
    expect(clause(report, 'session-timeouts')).toMatchObject({ status: 'not-applicable', checks: [{ status: 'not-applicable', note: 'roles not read' }] });
    expect(report.summary).toMatchObject({ pass: 11, notApplicable: 1 });
  });

  it('tells host findings from IAM findings of the same kind apart', () => {
    const report = buildPolicyReport({ plan: plan([finding('shared-account', 'high', { instanceId: 'i-1' })]), runs: ALL_RAN, chain });
    const checks = clause(report, 'personal-usernames')?.checks ?? [];
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['shared-host-accounts', 'fail'],
      ['shared-iam-users', 'pass'],
      ['password-policy', 'pass'],
    ]);
  });

  it('fails the logging clause when the audit chain is broken, and cannot pass it unchecked', () => {
    const broken = buildPolicyReport({ plan: plan(), runs: ALL_RAN, chain: { ok: false, entries: 5, problem: 'at seq 3: hash mismatch' } });
    expect(clause(broken, 'access-logged')?.checks[0]).toMatchObject({ status: 'fail', note: 'hash chain broken: at seq 3: hash mismatch' });
    expect(clause(buildPolicyReport({ plan: plan(), runs: ALL_RAN }), 'access-logged')?.status).toBe('not-applicable');
  });

  it('sums up in one line for Slack', () => {
    const report = buildPolicyReport({ plan: plan([finding('session-too-long', 'medium', { account: '1' })]), runs: ALL_RAN, chain });
    expect(policySummaryLine(report)).toBe('Security policy: 11 of 12 access clauses pass, 1 fail (session-timeouts)');
  });
});

describe('buildPolicyReport, check by check and word for word', () => {
  const check = (report: ReturnType<typeof buildPolicyReport>, id: string) => report.clauses.flatMap((c) => c.checks).find((c) => c.id === id);

  it('names each failing principal by the most precise name the finding or action carries', () => {
    const findings = [
      finding('password-policy-weak', 'medium', { account: '111' }),
      finding('password-policy-weak', 'medium', { userName: 'only-a-name' }),
      finding('password-policy-weak', 'medium'),
      finding('shared-account', 'high', { instanceId: 'i-9', account: '111' }),
      finding('shared-account', 'high', { account: '222', userName: 'ops' }),
    ];
    const unnamed = { id: 'b', kind: 'deactivate-access-key', account: '333', userName: 'svc', reason: 'unused-credential', control: 'credential-hygiene', target: { accessKeyId: 'AKIA' } } as Action;
    const report = buildPolicyReport({ plan: plan(findings, [unnamed]), runs: ALL_RAN, chain });
    expect(check(report, 'password-policy')).toMatchObject({ failing: 3, principals: ['111', 'the roster'] });
    expect(check(report, 'shared-host-accounts')).toMatchObject({ failing: 1, principals: ['i-9'] });
    expect(check(report, 'shared-iam-users')).toMatchObject({ failing: 1, principals: ['222/ops'] });
    expect(check(report, 'credential-hygiene')).toMatchObject({ status: 'fail', failing: 1, principals: ['333/svc'] });
    const unreachable = buildPolicyReport({ plan: plan([finding('host-unreachable', 'high', { instanceId: 'i-7' })]), runs: ALL_RAN, chain });
    expect(check(unreachable, 'leaver-revocation')).toMatchObject({ status: 'fail', principals: ['i-7'] });
    // An action whose reason belongs to no check of a clause fails nothing there.
    expect(check(report, 'least-privilege')).toMatchObject({ status: 'pass', failing: 0, principals: [] });
  });

  it('writes the audit-chain check in each state, with no principals', () => {
    const at = (c?: { ok: boolean; entries: number; problem?: string }) => check(buildPolicyReport({ plan: plan(), runs: ALL_RAN, ...(c !== undefined ? { chain: c } : {}) }), 'audit-chain');
    const base = { id: 'audit-chain', title: "Warden's own audit log is intact (hash chain verified)", interpretation: expect.stringContaining('Warden can vouch only') };
    expect(at()).toStrictEqual({ ...base, status: 'not-applicable', note: 'the audit log was not checked', failing: 0, principals: [] });
    expect(at({ ok: true, entries: 7 })).toStrictEqual({ ...base, status: 'pass', note: '7 entries, hash chain intact', failing: 0, principals: [] });
    expect(at({ ok: false, entries: 7 })).toStrictEqual({ ...base, status: 'fail', note: 'hash chain broken: unknown problem', failing: 1, principals: [] });
  });

  it('keeps a check that could not run not-applicable only while nothing fails it, and falls back to the plan counts without a run', () => {
    const runs = ALL_RAN.map((r) => (r.check === 'root-mfa' ? { ...r, applicable: false, note: 'no root row' } : r));
    expect(check(buildPolicyReport({ plan: plan(), runs, chain }), 'root-mfa')).toStrictEqual({
      id: 'root-mfa',
      title: 'Root has MFA (CIS AWS 1.5)',
      status: 'not-applicable',
      note: 'no root row',
      failing: 0,
      principals: [],
    });
    const failing = buildPolicyReport({ plan: plan([finding('root-no-mfa', 'high', { account: '111', userName: '<root_account>' })]), runs, chain });
    expect(check(failing, 'root-mfa')).toMatchObject({ status: 'fail', note: 'no root row', failing: 1, principals: ['111/<root_account>'] });
    expect(check(buildPolicyReport({ plan: plan(), runs: [], chain }), 'leaver-revocation')).toMatchObject({ status: 'pass', note: '4 IAM users, 3 people' });
  });

  it('fails a clause when any one check fails, passes it when any one passes and none fails', () => {
    const runs = ALL_RAN.map((r) => (r.check === 'root-mfa' || r.check === 'root-use' ? { ...r, applicable: false } : r));
    const onePasses = buildPolicyReport({ plan: plan(), runs, chain });
    expect(clause(onePasses, 'root-minimum')?.status).toBe('pass');
    const oneFails = buildPolicyReport({ plan: plan([finding('root-access-key', 'high', { account: '1' })]), runs: ALL_RAN, chain });
    expect(clause(oneFails, 'root-minimum')?.status).toBe('fail');
  });

  it('sums up without the fail or not-applicable parts when there are none, and with both when there are', () => {
    expect(policySummaryLine(buildPolicyReport({ plan: plan(), runs: ALL_RAN, chain }))).toBe('Security policy: 12 of 12 access clauses pass');
    const runs = ALL_RAN.map((r) => (r.check === 'session-duration' ? { ...r, applicable: false } : r));
    const report = buildPolicyReport({ plan: plan([finding('session-too-long', 'medium'), finding('root-no-mfa', 'high')]), runs, chain });
    // A finding fails a check even when its run said it could not read anything.
    expect(policySummaryLine(report)).toBe('Security policy: 10 of 12 access clauses pass, 2 fail (session-timeouts, root-minimum)');
    expect(policySummaryLine(buildPolicyReport({ plan: plan([finding('root-no-mfa', 'high')]), runs, chain }))).toBe(
      'Security policy: 10 of 12 access clauses pass, 1 fail (root-minimum), 1 not applicable',
    );
  });
});
