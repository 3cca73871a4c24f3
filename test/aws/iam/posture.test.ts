import { GetAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { IamSession } from '../../../src/adapters/aws/iam/session';
import { enforcePasswordPolicy } from '../../../src/adapters/aws/iam/posture';
import { DEFAULT_PASSWORD_REQUIREMENT } from '../../../src/domain/policy-checks/posture';
import { DEFAULT_IAM_TUNING } from '../../../src/adapters/aws/iam/directory';
import { ACCOUNT, createDummyAccount, startHarness, type Harness } from './helpers';

const session = (h: Harness): IamSession =>
  new IamSession(h.client, DEFAULT_IAM_TUNING, { now: () => new Date() }, () => Promise.resolve(), { warn: () => undefined }, () => ACCOUNT);

describe('account posture over the real SDK against the sandbox', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reads the password policy, the roles session limits (service-linked left out) and the root row', async () => {
    h = await startHarness({
      accounts: [
        createDummyAccount({
          passwordPolicy: { minimumLength: 12, requireSymbols: true, requireNumbers: true, reusePrevention: 5, maxAgeDays: 180 },
          roles: [
            { roleName: 'Deploy', maxSessionDuration: 3600, trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
            { roleName: 'Engineer', path: '/people/', maxSessionDuration: 43200, trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
            { roleName: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
          ],
          root: { mfaActive: false, passwordLastUsed: '2026-11-20T10:00:00Z', accessKeys: [{ active: true, lastUsedAt: '2026-11-25T10:00:00Z' }] },
        }),
      ],
    });
    const inventory = await h.directory.inventory();
    expect(inventory.posture).toEqual({
      passwordPolicy: { minimumLength: 12, requireSymbols: true, requireNumbers: true, requireUppercase: false, requireLowercase: false, reusePrevention: 5, maxAgeDays: 180 },
      roles: [
        { kind: 'iam-role', account: ACCOUNT, name: 'Deploy', arn: `arn:aws:iam::${ACCOUNT}:role/Deploy`, maxSessionSeconds: 3600 },
        { kind: 'iam-role', account: ACCOUNT, name: 'Engineer', arn: `arn:aws:iam::${ACCOUNT}:role/people/Engineer`, maxSessionSeconds: 43200 },
      ],
      root: { mfaActive: false, activeAccessKeys: 1, passwordLastUsed: new Date('2026-11-20T10:00:00Z'), accessKeyLastUsed: new Date('2026-11-25T10:00:00Z') },
    });
    expect(h.sandbox.calls.count('GetAccountPasswordPolicy')).toBe(1);
    expect(h.sandbox.calls.count('ListRoles')).toBe(1);
  });

  it('reads "no password policy" as null, and a denied read as unread without failing the inventory', async () => {
    h = await startHarness({ accounts: [createDummyAccount({ root: { mfaActive: true } })] });
    expect((await h.directory.inventory()).posture).toMatchObject({ passwordPolicy: null, roles: [], root: { mfaActive: true, activeAccessKeys: 0 } });

    h.sandbox.faults.fail('GetAccountPasswordPolicy', 'AccessDenied', { message: 'explicit deny in a service control policy' });
    const denied = await h.directory.inventory();
    expect(denied.users).toBeDefined();
    expect(denied.posture?.passwordPolicy).toBeUndefined();
    expect(denied.posture?.unread).toEqual([{ what: 'password-policy', error: expect.stringContaining('AccessDenied') }]);
  });

  it('enforcing only ever tightens: the minimum where the policy is weaker, the current value where it is stronger', async () => {
    h = await startHarness({ accounts: [createDummyAccount({ passwordPolicy: { minimumLength: 20, maxAgeDays: 30 } })] });
    const outcome = await enforcePasswordPolicy(session(h), DEFAULT_PASSWORD_REQUIREMENT);
    expect(outcome).toMatchObject({ result: 'ok', before: { passwordPolicy: { minimumLength: 20, maxAgeDays: 30 } } });
    const after = await h.client.send(new GetAccountPasswordPolicyCommand({}));
    expect(after.PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 20,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      PasswordReusePrevention: 24,
      MaxPasswordAge: 30,
      ExpirePasswords: true,
    });
  });
});
