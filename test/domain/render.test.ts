import { withGuard } from '../../src/domain/guard';
import { ACTION_KINDS, type Action } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import { describeAction, renderPlanText } from '../../src/domain/render';
import {
  createDummyInventory,
  createDummyPerson,
  createDummyPolicy,
  createDummyRoster,
  createDummyUser,
  createDummyUserWithDetail,
  daysBefore,
  NOW,
} from '../fixtures/builders';

const scenario = () =>
  plan({
    roster: createDummyRoster(
      [
        createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) }),
        createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' }),
      ],
      { errors: [{ source: 'roster.csv', line: 7, column: 'status', message: 'unknown status "gone"' }] },
    ),
    inventory: createDummyInventory([
      createDummyUserWithDetail(
        { userName: 'bob', groups: ['developers'] },
        { accessKeys: [{ id: 'AKIABOB', status: 'Active', createdAt: daysBefore(9) }], loginProfile: {} },
      ),
      createDummyUser({ userName: 'carol', groups: ['developers', 'admins'] }),
      createDummyUser({ userName: 'dave' }),
    ]),
    policy: createDummyPolicy(),
    now: NOW,
  });

describe('renderPlanText', () => {
  it('groups actions by person and account, then findings by kind, errors and the guard', () => {
    const text = renderPlanText(scenario());
    expect(text).toContain('2 people on the roster, 3 IAM users: 5 actions, 1 finding, 1 input error.');
    expect(text).toContain(
      [
        '  bob@example.com (employee E2) — departed',
        '    account 111111111111, user bob',
        '      - attach deny-all policy warden-deny-all (arn:aws:iam::111111111111:policy/warden-deny-all)',
        '      - deactivate access key AKIABOB',
        '      - delete console password (login profile)',
        '      - remove from group developers',
      ].join('\n'),
    );
    expect(text).toContain('  carol@example.com (employee E3) — excess-privilege\n    account 111111111111, user carol\n      - remove from group admins');
    expect(text).toContain('  orphan-user (1)\n    [medium] 111111111111/dave: no roster person matches');
    expect(text).toContain('  roster.csv:7 [status]: unknown status "gone"');
    expect(text.trimEnd().endsWith('Guard: ok.')).toBe(true);
    expect(text.indexOf('bob@example.com')).toBeLessThan(text.indexOf('carol@example.com'));
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('shows a tripped guard with its reasons', () => {
    const text = renderPlanText(withGuard(scenario(), { tripped: true, reasons: ['The plan has 9 revocation actions, more than the limit of 2.'] }));
    expect(text).toContain('Guard: TRIPPED — nothing will be applied\n  - The plan has 9 revocation actions, more than the limit of 2.');
  });

  it('says so when there is nothing to do', () => {
    const text = renderPlanText(
      plan({ roster: createDummyRoster([createDummyPerson()]), inventory: createDummyInventory(), policy: createDummyPolicy(), now: NOW }),
    );
    expect(text).toContain('Actions: none');
    expect(text).toContain('Findings: none.');
    expect(text).not.toContain('Input errors');
  });

  it('caps long finding lists per kind', () => {
    const users = Array.from({ length: 25 }, (_, i) => createDummyUser({ userName: `orphan${i}` }));
    const text = renderPlanText(plan({ roster: createDummyRoster([createDummyPerson()]), inventory: createDummyInventory(users), policy: createDummyPolicy(), now: NOW }));
    expect(text).toContain('  orphan-user (25)');
    expect(text).toContain('… and 5 more (see --json)');
  });

  it('describes every action kind in one line', () => {
    const base = { id: 'x', account: '1', userName: 'u', reason: 'departed', control: 'offboarding-24h' } as const;
    const samples: Action[] = [
      { ...base, kind: 'deactivate-access-key', target: { accessKeyId: 'AKIA1' } },
      { ...base, kind: 'delete-login-profile', target: {} },
      { ...base, kind: 'deactivate-ssh-key', target: { sshPublicKeyId: 'APKA1' } },
      { ...base, kind: 'deactivate-signing-certificate', target: { certificateId: 'C1' } },
      { ...base, kind: 'deactivate-service-credential', target: { serviceSpecificCredentialId: 'S1', serviceName: 'codecommit.amazonaws.com' } },
      { ...base, kind: 'attach-deny-all', target: { policyName: 'warden-deny-all', policyArn: 'arn:aws:iam::111111111111:policy/warden-deny-all' } },
      { ...base, kind: 'remove-from-group', target: { groupName: 'g' } },
      { ...base, kind: 'detach-user-policy', target: { policyArn: 'arn:aws:iam::aws:policy/P' } },
      { ...base, kind: 'delete-user-policy', target: { policyName: 'p' } },
      { ...base, kind: 'delete-user', target: {} },
      { ...base, kind: 'deny-role-source-identity', target: { roleName: 'deploy', roleArn: 'arn:aws:iam::111122223333:role/deploy', sourceIdentities: ['bob'] } },
      { ...base, kind: 'revoke-older-role-sessions', target: { roleName: 'deploy', roleArn: 'arn:aws:iam::111122223333:role/deploy' } },
      { ...base, kind: 'drop-expired-session-denies', target: { roleName: 'deploy', roleArn: 'arn:aws:iam::111122223333:role/deploy', sids: ['WardenEndSessionsSI20261201100000'] } },
      { ...base, kind: 'lift-quarantine', target: { policyName: 'warden-deny-all', policyArn: 'arn:aws:iam::111111111111:policy/warden-deny-all' } },
      { ...base, kind: 'remove-host-key', target: { instanceId: 'i-1', osUser: 'bob', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: 'bob@laptop' } },
      { ...base, kind: 'lock-host-user', target: { instanceId: 'i-1', osUser: 'bob' } },
      { ...base, kind: 'deny-ic-sessions', plane: 'identity-center', target: { userId: 'u-1', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', permissionSetName: 'ReadOnly', pattern: '*:bob' } },
      { ...base, kind: 'remove-ic-membership', plane: 'identity-center', target: { userId: 'u-1', membershipId: 'm-1', groupId: 'g-1', groupName: 'Engineers' } },
      { ...base, kind: 'delete-ic-assignment', plane: 'identity-center', target: { userId: 'u-1', accountId: '111122223333', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', permissionSetName: 'ReadOnly' } },
      { ...base, kind: 'release-ic-session-deny', plane: 'identity-center', target: { userId: 'u-1', permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', permissionSetName: 'ReadOnly', pattern: '*:bob' } },
      { ...base, kind: 'delete-ic-user', plane: 'identity-center', target: { userId: 'u-1' } },
    ];
    expect(samples.map((a) => a.kind).sort()).toEqual([...ACTION_KINDS].sort());
    const lines = samples.map(describeAction);
    expect(new Set(lines).size).toBe(samples.length);
    for (const line of lines) expect(line).not.toContain('\n');
    expect(lines[14]).toBe('remove ssh-ed25519 key "bob@laptop" of bob on i-1');
    expect(lines[13]).toBe("lift joiner quarantine: detach Warden's deny-all policy warden-deny-all (arn:aws:iam::111111111111:policy/warden-deny-all)");
  });
});
