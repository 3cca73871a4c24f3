/**
 * IAM planning (src/domain/planning/iam.ts) where its first real mutation run (session 6) found gaps: which read of a
 * user's policies a finding trusts (live detail over the bulk inventory), Warden's deny-all ARN whose document no
 * longer denies everything, a service account's departed owner with no end date, and what "protected" means when the
 * config lists nothing.
 */
import type { IamUser, Inventory } from '../../src/domain/inventory';
import type { Finding, FindingKind, Plan } from '../../src/domain/plan';
import { plan } from '../../src/domain/planner';
import type { AccessPolicy } from '../../src/domain/policy';
import type { Person } from '../../src/domain/roster';
import { ACCOUNT, NOW, createDummyAccount, createDummyDetail, createDummyInventory, createDummyPerson, createDummyPolicy, createDummyRoster, createDummyUser } from '../fixtures/builders';

const planOf = (people: readonly Person[], users: readonly IamUser[], policy: Partial<AccessPolicy> = {}, inventory: Partial<Inventory> = {}): Plan =>
  plan({ roster: createDummyRoster(people), inventory: createDummyInventory(users, inventory), policy: createDummyPolicy(policy), now: NOW });
const only = (p: Plan, kind: FindingKind): Finding[] => p.findings.filter((f) => f.kind === kind);

const carol = createDummyPerson({ employeeId: 'E3', email: 'carol@example.com' });
const DENY_ALL_ARN = `arn:aws:iam::${ACCOUNT}:policy/warden-deny-all`;
const readOnly = { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
const s3 = { name: 'S3Full', arn: `arn:aws:iam::${ACCOUNT}:policy/S3Full` };

describe('which read of a working user\'s policies the direct-policy finding trusts', () => {
  it('the live detail, when its policy paths were read, over a stale bulk inventory', () => {
    const user = createDummyUser({
      userName: 'carol',
      attachedPolicies: [s3],
      inlinePolicies: ['stale-inline'],
      detail: createDummyDetail({ attachedPolicies: [readOnly], inlinePolicies: ['fresh-inline'] }),
    });
    expect(only(planOf([carol], [user]), 'direct-policy').map((f) => f.detail)).toEqual([
      'policies attached directly to the user (attached: ReadOnlyAccess; inline: fresh-inline); grant through groups instead (CIS AWS 1.15)',
    ]);
  });

  it('lists inline policies alone when nothing is attached, every one of them, comma separated', () => {
    const user = createDummyUser({ userName: 'carol', inlinePolicies: ['one', 'two'] });
    expect(only(planOf([carol], [user]), 'direct-policy').map((f) => f.detail)).toEqual([
      'policies attached directly to the user (inline: one, two); grant through groups instead (CIS AWS 1.15)',
    ]);
  });

  it('lists Warden\'s deny-all ARN as a direct policy when its document no longer denies everything (edited by hand)', () => {
    const user = createDummyUser({ userName: 'carol', attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }] });
    const allow = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const p = planOf([carol], [user], {}, { accounts: [createDummyAccount([user], { managedPolicyDocuments: { [DENY_ALL_ARN]: allow } })] });
    expect(only(p, 'direct-policy').map((f) => f.detail)).toEqual([
      'policies attached directly to the user (attached: warden-deny-all); grant through groups instead (CIS AWS 1.15)',
    ]);
  });
});

describe('a service account whose owner has left', () => {
  it('without an end date on the roster, says the owner left and gives no time', () => {
    const owner = createDummyPerson({ employeeId: 'E7', email: 'dave@example.com', status: 'departed' });
    const user = createDummyUser({ userName: 'ci-bot' });
    const p = planOf([owner], [user], { serviceAccounts: [{ userName: 'ci-bot', owner: 'dave@example.com' }] } as Partial<AccessPolicy>);
    expect(only(p, 'service-account-owner-departed').map((f) => f.detail)).toEqual(['owner dave@example.com left; assign a current owner and rotate the credentials the owner knew']);
  });
});

describe('least privilege with no protected list in the config', () => {
  it('protects no group and no policy, whatever its name', () => {
    const user = createDummyUser({ userName: 'carol', groups: ['developers', 'Stryker was here'], attachedPolicies: [{ name: 'Stryker was here', arn: `arn:aws:iam::${ACCOUNT}:policy/x` }] });
    const account = createDummyAccount([user], { groups: [{ name: 'developers', attachedPolicies: [], inlinePolicies: [] }, { name: 'Stryker was here', attachedPolicies: [], inlinePolicies: [] }] });
    const p = planOf([carol], [user], {}, { accounts: [account] });
    expect(p.actions.map((a) => [a.kind, a.target])).toEqual([
      ['remove-from-group', { groupName: 'Stryker was here' }],
      ['detach-user-policy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/x` }],
    ]);
    expect(only(p, 'restriction-kept')).toEqual([]);
  });
});

describe("Warden's managed deny-all whose default version no longer denies everything", () => {
  const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
  const holding = (userName: string) => createDummyUser({ userName, attachedPolicies: [{ name: 'warden-deny-all', arn: DENY_ALL_ARN }] });
  const findingsWith = (documents: Record<string, unknown>, users: readonly IamUser[]) =>
    only(planOf([carol], users, {}, { accounts: [createDummyAccount(users, { managedPolicyDocuments: documents })] }), 'deny-all-ineffective');

  it('names the first five users it is attached to, and says how many there are', () => {
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map(holding);
    expect(findingsWith({ [DENY_ALL_ARN]: allow }, [...users, createDummyUser({ userName: 'carol' })])).toEqual([
      {
        kind: 'deny-all-ineffective',
        severity: 'high',
        control: 'offboarding-24h',
        account: ACCOUNT,
        detail: `Warden's deny-all policy ${DENY_ALL_ARN} no longer denies everything (its default version was changed): AWS refuses nothing to the users it is attached to (7 here: u1, u2, u3, u4, u5, …). Make its deny-all version the default again (iam:SetDefaultPolicyVersion); Warden's role may not change policies`,
      },
    ]);
  });

  it('says so when it is attached to nobody yet, and says nothing while it denies or was not read', () => {
    expect(findingsWith({ [DENY_ALL_ARN]: allow }, [createDummyUser({ userName: 'carol' })]).map((f) => f.detail)).toEqual([
      expect.stringContaining('AWS refuses nothing to the users it is attached to (0 here). Make'),
    ]);
    expect(findingsWith({ [DENY_ALL_ARN]: deny }, [holding('u1')])).toEqual([]);
    expect(findingsWith({}, [holding('u1')])).toEqual([]);
    // Another account's policy of the same name is not this account's deny-all.
    expect(findingsWith({ 'arn:aws:iam::999999999999:policy/warden-deny-all': allow }, [holding('u1')])).toEqual([]);
  });
});
