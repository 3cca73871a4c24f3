import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { MemoryRunStateStore } from '../../src/adapters/state/memory-run-state';
import { applyPlan, computePlan, type ReconcileDeps } from '../../src/app/reconcile';
import { hashEntry } from '../../src/domain/audit-chain';
import type { HostInventory } from '../../src/domain/inventory';
import type { Action } from '../../src/domain/plan';
import { keyFingerprint } from '../../src/domain/ssh-key';
import type { ActionOutcome, AuditEntry, HostFleet } from '../../src/ports';
import { createDummyPerson, createDummyPolicy, createDummyRoster, NOW, daysBefore } from '../fixtures/builders';
import { MemoryAccountDirectory, leaverDetail } from '../fakes/memory-account-directory';

const ACCOUNT = '111111111111';
const HOST = 'i-0abc0abc0abc0abc0';
const KEY_BODY = `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from('bob-laptop'.padEnd(32, '.')).toString('base64').replace(/=+$/, '')}`;

/** One host where bob has a key and an account; a change takes effect, and the re-read shows it. */
class OneHostFleet implements HostFleet {
  private host: HostInventory = {
    instanceId: HOST,
    account: ACCOUNT,
    status: 'ok',
    keys: [{ instanceId: HOST, osUser: 'bob', file: '/home/bob/.ssh/authorized_keys', line: 1, keyType: 'ssh-ed25519', keyBody: KEY_BODY, comment: 'bob@laptop' }],
    lockedUsers: [],
    accounts: [{ name: 'bob', uid: 1001 }],
  };

  async inventory(): Promise<readonly HostInventory[]> {
    return [this.host];
  }

  async executeOnHost(_instanceId: string, actions: readonly Action[]): Promise<ReadonlyMap<string, ActionOutcome>> {
    this.host = { ...this.host, keys: [], lockedUsers: ['bob'] };
    return new Map(
      actions.map((a): [string, ActionOutcome] => [a.id, a.kind === 'remove-host-key' ? { result: 'ok', after: { removedFrom: ['/home/bob/.ssh/authorized_keys'] } } : { result: 'ok', after: { locked: true } }]),
    );
  }
}

async function applyLeaver(): Promise<{ entries: readonly AuditEntry[]; actions: readonly Action[] }> {
  const audit = new MemoryAuditLog();
  const directory = new MemoryAccountDirectory(ACCOUNT, [
    { userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') },
  ]);
  const deps: ReconcileDeps = {
    roster: { load: async () => createDummyRoster([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) })]) },
    directories: [directory],
    hosts: new OneHostFleet(),
    audit,
    runs: new MemoryRunStateStore(),
    notifier: { notify: async () => undefined },
    clock: { now: () => NOW },
    policy: createDummyPolicy({ roles: {} }),
    guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
  };
  const planned = await computePlan(deps);
  await applyPlan(deps, planned, { actor: 'cli:test' });
  return { entries: await audit.query({}), actions: planned.plan.actions };
}

/** The one entry of this result for this kind, read alone (no intent entry looked at). */
const resultOf = (entries: readonly AuditEntry[], kind: string, result = 'ok'): AuditEntry => {
  const found = entries.filter((e) => e.action === kind && e.result === result);
  expect(found).toHaveLength(1);
  return found[0] as AuditEntry;
};

describe('every audit result entry stands on its own', () => {
  it('names the access key and the plan action it closed', async () => {
    const { entries, actions } = await applyLeaver();
    const entry = resultOf(entries, 'deactivate-access-key');
    const action = actions.find((a) => a.kind === 'deactivate-access-key');

    expect(entry).toMatchObject({ account: ACCOUNT, target: 'bob', person: 'bob@example.com (E2)', reason: 'departed' });
    expect(entry.after).toEqual({ actionId: action?.id, resource: { userName: 'bob', accessKeyId: 'AKIABOB0000000000001' } });
  });

  it('names the group, the deny-all policy and the login profile the same way', async () => {
    const { entries } = await applyLeaver();

    expect(resultOf(entries, 'remove-from-group').after).toMatchObject({ actionId: expect.any(String), resource: { userName: 'bob', groupName: 'developers' } });
    expect(resultOf(entries, 'attach-deny-all').after).toMatchObject({ resource: { userName: 'bob', policyName: expect.any(String), policyArn: expect.stringMatching(/^arn:aws:iam::111111111111:policy\//) } });
  });

  it('names the host, the OS user, the key by fingerprint and the file it was removed from', async () => {
    const { entries, actions } = await applyLeaver();
    const entry = resultOf(entries, 'remove-host-key');

    expect(entry.target).toBe(`${HOST}:bob`);
    expect(entry.after).toEqual({
      actionId: actions.find((a) => a.kind === 'remove-host-key')?.id,
      resource: { instanceId: HOST, osUser: 'bob', keyType: 'ssh-ed25519', fingerprint: keyFingerprint(KEY_BODY), comment: 'bob@laptop' },
      removedFrom: ['/home/bob/.ssh/authorized_keys'],
    });
    expect(resultOf(entries, 'lock-host-user').after).toMatchObject({ resource: { instanceId: HOST, osUser: 'bob' } });
  });

  it('names the plan actions and resources a verification covers', async () => {
    const { entries, actions } = await applyLeaver();
    const verified = entries.filter((e) => e.action === 'verify' && e.result === 'verified');
    const iam = verified.find((e) => e.target === 'bob');
    const host = verified.find((e) => e.target === `${HOST}:bob`);

    expect(iam?.after).toMatchObject({ noAccessLeft: true, actionIds: actions.filter((a) => a.userName === 'bob').map((a) => a.id).sort() });
    expect((iam?.after as { resources: unknown[] }).resources).toContainEqual({ kind: 'deactivate-access-key', userName: 'bob', accessKeyId: 'AKIABOB0000000000001' });
    expect(host?.after).toMatchObject({ noAccessLeft: true, actionIds: actions.filter((a) => a.userName === `${HOST}:bob`).map((a) => a.id).sort() });
  });

  it('a failed change names what it failed on too', async () => {
    const audit = new MemoryAuditLog();
    const directory = new MemoryAccountDirectory(ACCOUNT, [{ userName: 'bob', tags: { employee_id: 'E2' }, detail: leaverDetail('AKIABOB0000000000001') }]);
    directory.execute = async (): Promise<ActionOutcome> => ({ result: 'failed', error: 'AccessDenied', retryable: false });
    const deps: ReconcileDeps = {
      roster: { load: async () => createDummyRoster([createDummyPerson({ employeeId: 'E2', email: 'bob@example.com', status: 'departed', endAt: daysBefore(1) })]) },
      directories: [directory],
      audit,
      runs: new MemoryRunStateStore(),
      notifier: { notify: async () => undefined },
      clock: { now: () => NOW },
      policy: createDummyPolicy({ roles: {} }),
      guard: { maxRevocations: 50, maxHeadcountDropPercent: 100 },
    };
    await applyPlan(deps, await computePlan(deps), { actor: 'cli:test' });
    const failed = (await audit.query({})).find((e) => e.action === 'deactivate-access-key' && e.result === 'failed');

    expect(failed).toMatchObject({ error: 'AccessDenied', after: { resource: { accessKeyId: 'AKIABOB0000000000001' } } });
  });

  it('the hash covers the new fields: another key id in a stored result no longer verifies', async () => {
    const { entries } = await applyLeaver();
    const entry = resultOf(entries, 'deactivate-access-key');
    const { hash, prevHash, ...unhashed } = entry;
    expect(hashEntry(prevHash, unhashed)).toBe(hash);
    const forged = { ...unhashed, after: { ...(entry.after as object), resource: { userName: 'bob', accessKeyId: 'AKIAOTHER00000000001' } } };
    expect(hashEntry(prevHash, forged)).not.toBe(hash);
  });
});
