import { ACCESS_PATH_INFO, ACCESS_PATHS, accessPathOfKind } from '../../src/domain/action-kinds';
import { buildLeaverReport, categoryLabel, ACCESS_CATEGORIES } from '../../src/domain/evidence/leavers';
import { ACTION_KINDS, type Action } from '../../src/domain/plan';
import { accessPathOf, ACCESS_PATHS as SLACK_PATHS, pendingPaths } from '../../src/domain/departure-lifecycle';
import { PATH_LABELS } from '../../src/adapters/slack/blocks/kit';
import { LEAVER_CSV_COLUMNS } from '../../src/report/leavers-csv';
import { AuditScript, createDummyPersonRef } from '../evidence/builders';

const base = { id: 'x', account: '111122223333', userName: 'bob', reason: 'departed', control: 'offboarding-24h' } as const;

/** One action of every kind. */
const SAMPLES: readonly Action[] = [
  { ...base, kind: 'deactivate-access-key', target: { accessKeyId: 'AKIA1' } },
  { ...base, kind: 'delete-login-profile', target: {} },
  { ...base, kind: 'deactivate-ssh-key', target: { sshPublicKeyId: 'APKA1' } },
  { ...base, kind: 'deactivate-signing-certificate', target: { certificateId: 'C1' } },
  { ...base, kind: 'deactivate-service-credential', target: { serviceSpecificCredentialId: 'S1', serviceName: 'codecommit.amazonaws.com' } },
  { ...base, kind: 'attach-deny-all', target: { policyName: 'warden-deny-all', policyArn: 'arn:aws:iam::111122223333:policy/warden-deny-all' } },
  { ...base, kind: 'remove-from-group', target: { groupName: 'developers' } },
  { ...base, kind: 'detach-user-policy', target: { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
  { ...base, kind: 'delete-user-policy', target: { policyName: 'own-s3' } },
  { ...base, kind: 'delete-user', target: {} },
  { ...base, kind: 'deny-role-source-identity', target: { roleName: 'deploy', roleArn: 'arn:aws:iam::111122223333:role/deploy', sourceIdentities: ['bob'] } },
  { ...base, kind: 'revoke-older-role-sessions', target: { roleName: 'deploy', roleArn: 'arn:aws:iam::111122223333:role/deploy' } },
  { ...base, kind: 'drop-expired-session-denies', target: { roleName: 'deploy', roleArn: 'arn:aws:iam::111122223333:role/deploy', sids: ['WardenEndSessionsSI20261201100000'] } },
  { ...base, kind: 'lift-quarantine', target: { policyName: 'warden-deny-all', policyArn: 'arn:aws:iam::111111111111:policy/warden-deny-all' } },
  { ...base, kind: 'remove-host-key', userName: 'i-1:bob', target: { instanceId: 'i-1', osUser: 'bob', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: 'bob@laptop' } },
  { ...base, kind: 'lock-host-user', userName: 'i-1:bob', target: { instanceId: 'i-1', osUser: 'bob' } },
  { ...base, kind: 'deny-ic-sessions', plane: 'identity-center', target: { userId: 'u-1', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', permissionSetName: 'ReadOnly', pattern: '*:bob' } },
  { ...base, kind: 'remove-ic-membership', plane: 'identity-center', target: { userId: 'u-1', membershipId: 'm-1', groupId: 'g-1', groupName: 'Engineers' } },
  { ...base, kind: 'delete-ic-assignment', plane: 'identity-center', target: { userId: 'u-1', accountId: '111122223333', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', permissionSetName: 'ReadOnly' } },
  { ...base, kind: 'release-ic-session-deny', plane: 'identity-center', target: { userId: 'u-1', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', permissionSetName: 'ReadOnly', pattern: '*:bob' } },
  { ...base, kind: 'delete-ic-user', plane: 'identity-center', target: { userId: 'u-1' } },
];

/** The category the leaver report files one audited action under, read back from real hash-chained entries. */
async function reportCategory(action: Action): Promise<{ category: string; label: string }> {
  const bob = createDummyPersonRef();
  const script = new AuditScript('2026-11-20T02:00:00.000Z');
  await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
  await script.action(action.kind, bob, action.userName, { ...action.target });
  const report = buildLeaverReport(await script.entries(), {
    from: new Date('2026-11-01T00:00:00Z'),
    to: new Date('2026-11-30T23:59:59Z'),
    slaHours: 24,
    now: new Date('2026-11-25T00:00:00Z'),
  });
  const paths = report.leavers[0]?.paths ?? [];
  expect(paths).toHaveLength(1);
  const category = paths[0]?.category ?? 'none';
  return { category, label: categoryLabel(paths[0]?.category ?? 'user') };
}

describe('one taxonomy of access paths', () => {
  it('has a sample for every action kind', () => {
    expect(SAMPLES.map((a) => a.kind).sort()).toEqual([...ACTION_KINDS].sort());
  });

  it.each(SAMPLES.map((a) => [a.kind, a] as const))('files %s under the same path, with the same words, in Slack and in the leaver report', async (_kind, action) => {
    const slack = pendingPaths([action]);
    expect(slack).toHaveLength(1);
    const slackPath = slack[0]?.path;
    const report = await reportCategory(action);

    expect(report.category).toBe(slackPath);
    expect(accessPathOf(action)).toBe(accessPathOfKind(action.kind));
    expect(report.category).toBe(accessPathOfKind(action.kind));
    expect(report.label).toBe(PATH_LABELS[accessPathOfKind(action.kind)]);
  });

  it('keeps the deny-all and the user deletion apart from policies in both', async () => {
    const denyAll = SAMPLES.find((a) => a.kind === 'attach-deny-all') as Action;
    const deletion = SAMPLES.find((a) => a.kind === 'delete-user') as Action;
    expect((await reportCategory(denyAll)).category).toBe('deny-all');
    expect((await reportCategory(deletion)).category).toBe('user');
  });

  it('names the leaver CSV columns after the same paths, deny-all and user included', () => {
    const categoryColumns = LEAVER_CSV_COLUMNS.filter((c) => c.endsWith('_closed_at') && c !== 'no_access_left_at');
    expect(categoryColumns).toEqual(ACCESS_PATHS.map((path) => `${path}_closed_at`));
    expect(LEAVER_CSV_COLUMNS).toContain('deny-all_verified_at');
    expect(LEAVER_CSV_COLUMNS.join(',')).not.toContain('user-deletion');
  });

  it('lists paths in one order everywhere', () => {
    expect(ACCESS_CATEGORIES).toEqual(ACCESS_PATHS);
    expect(SLACK_PATHS).toEqual(ACCESS_PATHS);
    expect(Object.keys(PATH_LABELS).sort()).toEqual([...ACCESS_PATHS].sort());
    for (const path of ACCESS_PATHS) expect(PATH_LABELS[path]).toBe(ACCESS_PATH_INFO[path].label);
  });
});
