import { CreatePolicyVersionCommand, SetDefaultPolicyVersionCommand } from '@aws-sdk/client-iam';
import { adminRights } from '../../../src/app/offboarding';
import { allowsEverything } from '../../../src/domain/policy-documents';
import { ACCOUNT, createDummyAccount, createDummyUser, startHarness, type Harness } from './helpers';

/** What a policy allows, not its name, decides admin rights: the inventory must carry the documents, read in bulk. */
describe('IamAccountDirectory.inventory reads policy documents in the same bulk call', () => {
  let h: Harness;
  const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

  beforeAll(async () => {
    h = await startHarness({
      accounts: [
        createDummyAccount({
          groups: [{ name: 'platform', attachedPolicies: [`arn:aws:iam::${ACCOUNT}:policy/team/extra`], inlinePolicies: { 'ops-all': everything } }],
          users: [
            createDummyUser({ userName: 'quiet-admin', inlinePolicies: { helper: everything } }),
            createDummyUser({ userName: 'via-group', groups: ['platform'] }),
            createDummyUser({ userName: 'plain', inlinePolicies: { s3: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } } }),
          ],
        }),
      ],
    });
  });
  afterAll(() => h.close());

  it('returns user and group inline documents and customer-managed default versions, and judges admin rights from them', async () => {
    h.sandbox.calls.reset();

    const inventory = await h.directory.inventory();
    const user = (name: string) => inventory.users.find((u) => u.userName === name);
    const quiet = user('quiet-admin');
    const plain = user('plain');
    const viaGroup = user('via-group');

    expect(allowsEverything(quiet?.inlinePolicyDocuments?.['helper'])).toBe(true);
    expect(allowsEverything(plain?.inlinePolicyDocuments?.['s3'])).toBe(false);
    expect(allowsEverything(inventory.groups.find((g) => g.name === 'platform')?.inlinePolicyDocuments?.['ops-all'])).toBe(true);
    expect(Object.keys(inventory.managedPolicyDocuments ?? {})).toContain(`arn:aws:iam::${ACCOUNT}:policy/team/extra`);
    expect(quiet && adminRights(quiet, inventory.groups, inventory.managedPolicyDocuments)).toEqual(['quiet-admin has inline policy helper allowing * on *']);
    expect(viaGroup && adminRights(viaGroup, inventory.groups, inventory.managedPolicyDocuments)).toEqual(['via-group gets inline policy ops-all allowing * on * from group platform']);
    expect(plain && adminRights(plain, inventory.groups, inventory.managedPolicyDocuments)).toEqual([]);
    expect(h.sandbox.calls.count('ListUserPolicies') + h.sandbox.calls.count('GetUserPolicy')).toBe(0);
  });

  it('reads a managed policy by its default version, the one IAM enforces, whatever other versions it holds', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/team/extra`;
    const viaGroupAdmin = async (): Promise<readonly string[] | undefined> => {
      const inventory = await h.directory.inventory();
      const viaGroup = inventory.users.find((u) => u.userName === 'via-group');
      return viaGroup && adminRights(viaGroup, inventory.groups, inventory.managedPolicyDocuments);
    };
    const allowsAllFromExtra = 'via-group gets policy extra allowing * on * from group platform';

    // A second version allowing everything, not made the default: IAM still enforces the first.
    const created = await h.client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: JSON.stringify(everything), SetAsDefault: false }));
    expect(created.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    expect(await viaGroupAdmin()).not.toContain(allowsAllFromExtra);

    // Made the default (one call that brings back an old version's rights): now it is what the group grants.
    await h.client.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    expect(await viaGroupAdmin()).toContain(allowsAllFromExtra);

    // And back: a third version made the default at once, the permissive v2 left behind as a non-default version.
    await h.client.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }), SetAsDefault: true }));
    expect(await viaGroupAdmin()).not.toContain(allowsAllFromExtra);
  });
});
