import { makeAction } from '../../../src/domain/planning/build';
import type { Action } from '../../../src/domain/plan';
import { ModelHostRunner, type ModelHost } from '../../../src/sandbox/ssm-model-hosts';
import { ACCOUNT, createDummyInstance, startSsmHarness } from './helpers';

const fields = { account: ACCOUNT, reason: 'departed', control: 'offboarding-24h' } as const;
const key = (name: string): string => `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(name.padEnd(32, '.')).toString('base64').replace(/=+$/, '')}`;
const LEAVER = key('leaver');

describe('SSM calls for 1,000 hosts (issue 12: at most 60 for inventory, revoke and verify)', () => {
  it('stays within the budget with tag targets and an S3 output bucket, whatever the size of the hosts’ output', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    const hosts = new Map<string, ModelHost>();
    const leaverHosts: string[] = [];
    ids.forEach((id, i) => {
      const accounts = new Map([['ec2-user', { keys: [`ssh-ed25519 ${key('deploy')} deploy`], locked: false }]]);
      if (i % 10 === 3) {
        accounts.set('leaver', { keys: [`ssh-ed25519 ${LEAVER} leaver@laptop`], locked: false });
        leaverHosts.push(id);
      }
      // 2% of hosts print more than SSM's 24,000 characters.
      if (i % 50 === 7) accounts.set('deploy', { keys: Array.from({ length: 250 }, (_, k) => `ssh-ed25519 ${key(`deploy-${k}`)} deploy key ${k}`), locked: false });
      hosts.set(id, { hostname: `host-${i}`, accounts });
    });
    const h = await startSsmHarness({ instances: ids.map((instanceId) => createDummyInstance({ instanceId })), runner: new ModelHostRunner(hosts), ssm: { runOnSend: true } });
    let s3Reads = 0;
    const store = {
      read: (bucket: string, objectKey: string): Promise<string> => {
        s3Reads++;
        return Promise.resolve(h.ssm.s3Objects.get(`${bucket}/${objectKey}`) ?? '');
      },
    };
    try {
      const fleet = h.hostFleet({ maxConcurrency: '50', output: { bucket: 'warden-output', keyPrefix: 'warden', store } });
      const inventory = await fleet.inventory();
      expect(inventory.filter((x) => x.status === 'ok')).toHaveLength(1000);
      expect(inventory.find((x) => x.instanceId === ids[7])?.keys).toHaveLength(251);
      const actions = new Map(
        leaverHosts.map((id) => [
          id,
          [
            makeAction('remove-host-key', { ...fields, userName: `${id}:leaver` }, { instanceId: id, osUser: 'leaver', keyType: 'ssh-ed25519', keyBody: LEAVER, comment: 'leaver@laptop' }),
            makeAction('lock-host-user', { ...fields, userName: `${id}:leaver` }, { instanceId: id, osUser: 'leaver' }),
          ] as Action[],
        ]),
      );
      const outcomes = await fleet.executeOnHosts(actions);
      expect([...outcomes.values()].every((o) => o.result === 'ok')).toBe(true);
      const verify = await fleet.inventoryInstances(leaverHosts);
      expect(verify.every((x) => x.status === 'ok' && !x.keys.some((k) => k.keyBody === LEAVER) && x.lockedUsers.includes('leaver'))).toBe(true);

      const calls = h.calls();
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      expect(calls['GetCommandInvocation'] ?? 0).toBe(0);
      expect(calls['SendCommand']).toBe(5); // 1 fleet inventory, 2 revoke batches of 50, 2 verify batches
      expect(total).toBeLessThanOrEqual(60);
      expect(s3Reads).toBe(20);
    } finally {
      await h.close();
    }
  }, 60_000);
});
