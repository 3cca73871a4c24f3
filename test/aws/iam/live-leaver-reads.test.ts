import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { createDummyAccount, createDummyUser, startHarness, type Harness } from './helpers';

// The credential report is generated at most every few hours and cached; it may say a leaver holds nothing active
// when they do now. What Warden revokes must come from live per-user reads, never from the report.
describe('a leaver reactivates a key after the credential report was generated', () => {
  let h: Harness;
  const KEY = 'AKIALEAVERLIVE000001';

  beforeAll(async () => {
    h = await startHarness({
      accounts: [createDummyAccount({ users: [createDummyUser({ userName: 'bob', accessKeys: [{ id: KEY, status: 'Inactive', createdAt: '2024-01-01T00:00:00Z' }] })] })],
    });
  });
  afterAll(() => h.close());

  it('the inventory still carries the report (stale), the per-leaver read sees the key active', async () => {
    const before = await h.directory.inventory();
    expect(before.users.find((u) => u.userName === 'bob')?.credentials?.accessKeys.some((k) => k.active)).toBe(false);
    await h.client.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: KEY, Status: 'Active' }));

    const after = await h.directory.inventory();
    h.sandbox.calls.reset();
    const live = await h.directory.describeUsers(['bob']);

    // Same cached report, still saying "no active key"...
    expect(after.credentialReportAt).toEqual(before.credentialReportAt);
    expect(after.users.find((u) => u.userName === 'bob')?.credentials?.accessKeys.some((k) => k.active)).toBe(false);
    // ...while the live read, made for this leaver now, finds it active: that is what the plan revokes.
    expect(live.get('bob')?.accessKeys).toEqual([expect.objectContaining({ id: KEY, status: 'Active' })]);
    expect(h.sandbox.calls.count('ListAccessKeys')).toBe(1);
    expect(h.sandbox.calls.count('GetCredentialReport') + h.sandbox.calls.count('GenerateCredentialReport')).toBe(0);
  });
});
