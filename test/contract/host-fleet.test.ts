// needs: ssh-keygen (Debian package openssh-client); jest.config.js leaves this suite out, and says so, where it is missing.
import { createDummyAccount, createHostRoot, type HostRoot } from '../hosts/helpers';
import { createDummyInstance, startSsmHarness } from '../aws/ssm/helpers';
import { MemoryHostFleet } from '../fakes/memory-host-fleet';
import { runHostFleetContract, type FleetHostSpec } from './host-fleet.contract';

runHostFleetContract('in-memory fake', async (hosts: readonly FleetHostSpec[], account: string) => ({
  fleet: new MemoryHostFleet(account, hosts),
  cleanup: async () => undefined,
}));

runHostFleetContract('SSM adapter over HTTP against the sandbox running the real host scripts', async (hosts: readonly FleetHostSpec[]) => {
  const roots: Record<string, HostRoot> = {};
  for (const host of hosts) {
    const root = createHostRoot({
      hostname: host.hostname,
      accounts: host.accounts.map((a) => createDummyAccount({ name: a.name, ...(a.locked === true ? { password: '!$6$salt$hash', expire: '1' } : {}) })),
    });
    for (const a of host.accounts) if (a.keyLines.length > 0) root.write(`/home/${a.name}/.ssh/authorized_keys`, `${a.keyLines.join('\n')}\n`);
    roots[host.instanceId] = root;
  }
  const harness = await startSsmHarness({
    instances: hosts.map((h) => createDummyInstance({ instanceId: h.instanceId, ...(h.online ? {} : { state: 'offline' as const }) })),
    roots,
  });
  return {
    fleet: harness.hostFleet(),
    cleanup: async () => {
      await harness.close();
      for (const root of Object.values(roots)) root.cleanup();
    },
  };
});
