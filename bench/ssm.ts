/**
 * SSM calls Warden makes for hosts, at 100 and 1,000 instances: one inventory of the whole fleet (tag targets),
 * revocation on the hosts holding a leaver's key, and the re-inventory that verifies them.
 *
 * The hosts are in-memory models (src/sandbox/ssm-model-hosts.ts) answering the host scripts' protocol, not the real
 * scripts run a thousand times: call counts depend on the protocol and the adapter, not on the shell. Real SDK clients
 * talk to the sandbox over loopback HTTP, and the sandbox runs each command before answering, so the counts do not
 * depend on timing. Fleet mix: 2% of hosts hold more than SSM's 24,000 characters (read in pages), 1% are offline
 * (DeliveryTimedOut), 10% hold the leaver's key.
 */
import path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmHostFleet } from '../src/adapters/aws/ssm/fleet';
import { makeAction } from '../src/domain/planning/build';
import type { Action } from '../src/domain/plan';
import { SimulatedFleet, type SimulatedInstance } from '../src/sandbox/hosts';
import { IamSandboxState } from '../src/sandbox/iam-state';
import { startSandbox } from '../src/sandbox/server';
import { createSsmSandbox } from '../src/sandbox/ssm';
import { ModelHostRunner, type ModelHost } from '../src/sandbox/ssm-model-hosts';

const ACCOUNT = '123456789012';
const key = (name: string): string => `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(name.padEnd(32, '.')).toString('base64').replace(/=+$/, '')}`;
const LEAVER = key('leaver');

function fleetOf(size: number): { instances: SimulatedInstance[]; hosts: Map<string, ModelHost>; leaverHosts: string[] } {
  const instances: SimulatedInstance[] = [];
  const hosts = new Map<string, ModelHost>();
  const leaverHosts: string[] = [];
  for (let i = 0; i < size; i++) {
    const instanceId = `i-0${String(i).padStart(16, '0')}`;
    const offline = i % 100 === 99;
    const big = i % 50 === 7;
    const leaver = i % 10 === 3;
    instances.push({ instanceId, tags: { Warden: 'managed' }, state: offline ? 'offline' : 'online' });
    const accounts = new Map<string, { keys: string[]; locked: boolean }>();
    accounts.set('ec2-user', { keys: [`ssh-ed25519 ${key('deploy')} deploy@ci`, ...(leaver ? [`ssh-ed25519 ${LEAVER} leaver@laptop`] : [])], locked: false });
    for (const person of ['alice', 'carol', 'hiro']) accounts.set(person, { keys: [`ssh-ed25519 ${key(person)} ${person}@laptop`], locked: false });
    if (leaver) accounts.set('leaver', { keys: [`ssh-ed25519 ${LEAVER} leaver@laptop`], locked: false });
    if (big) accounts.set('deploy', { keys: Array.from({ length: 250 }, (_, k) => `ssh-ed25519 ${key(`deploy-${k}`)} deploy key ${k}`), locked: false });
    hosts.set(instanceId, { hostname: `host-${i}`, accounts });
    if (leaver && !offline) leaverHosts.push(instanceId);
  }
  return { instances, hosts, leaverHosts };
}

const revokeActions = (instanceId: string): Action[] => {
  const fields = { account: ACCOUNT, reason: 'departed', control: 'offboarding-24h' } as const;
  const remove = (osUser: string): Action =>
    makeAction('remove-host-key', { ...fields, userName: `${instanceId}:${osUser}` }, { instanceId, osUser, keyType: 'ssh-ed25519', keyBody: LEAVER, comment: 'leaver@laptop' });
  return [remove('leaver'), remove('ec2-user'), makeAction('lock-host-user', { ...fields, userName: `${instanceId}:leaver` }, { instanceId, osUser: 'leaver' })];
};

async function measure(size: number): Promise<Record<string, number>> {
  const { instances, hosts, leaverHosts } = fleetOf(size);
  const ssm = createSsmSandbox({ fleet: new SimulatedFleet(instances), runner: new ModelHostRunner(hosts), runOnSend: true, deliveryTimeoutMs: 0 });
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: [{ id: ACCOUNT, users: [] }] }), extraServices: [ssm.service] });
  const client = new SSMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIABENCHSSM00000001', secretAccessKey: 'x' } });
  const fleet = new SsmHostFleet({
    client,
    account: ACCOUNT,
    targets: [{ key: 'tag:Warden', values: ['managed'] }],
    maxConcurrency: '50',
    poll: { firstDelayMs: 0, maxDelayMs: 0, factor: 1 },
    sleep: async () => undefined,
  });
  const out: Record<string, number> = {};
  const phase = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    sandbox.calls.reset();
    const started = performance.now();
    await run();
    out[`ssm_ms_${name}_${size}_hosts`] = Math.round(performance.now() - started);
    out[`ssm_calls_${name}_${size}_hosts`] = sandbox.calls.count();
    for (const [action, count] of Object.entries(sandbox.calls.byAction())) out[`ssm_calls_${name}_${size}_hosts_${action}`] = count;
  };
  try {
    let unreachable = 0;
    await phase('inventory', async () => {
      const read = await fleet.inventory();
      unreachable = read.filter((h) => h.status === 'unreachable').length;
    });
    out[`ssm_unreachable_${size}_hosts`] = unreachable;
    await phase('revoke', async () => {
      for (const id of leaverHosts) await fleet.executeOnHost(id, revokeActions(id));
    });
    await phase('verify', () => fleet.inventoryInstances(leaverHosts));
    out[`ssm_calls_total_${size}_hosts`] = ['inventory', 'revoke', 'verify'].reduce((sum, p) => sum + (out[`ssm_calls_${p}_${size}_hosts`] ?? 0), 0);
    out[`ssm_calls_per_host_${size}_hosts`] = Number(((out[`ssm_calls_total_${size}_hosts`] ?? 0) / size).toFixed(3));
    return out;
  } finally {
    client.destroy();
    await ssm.settle();
    await sandbox.close();
  }
}

/** SSM calls (and milliseconds, over loopback) for inventory, revoke and verify on 100 and 1,000 simulated hosts. */
export async function benchSsm(): Promise<Record<string, number>> {
  return { ...(await measure(100)), ...(await measure(1000)) };
}

// Run directly (`node bin/run-ts.js bench/ssm.ts`): print one `name<TAB>value` line per metric.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === __filename) {
  benchSsm()
    .then((result) => {
      for (const [name, value] of Object.entries(result)) process.stdout.write(`${name}\t${value}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
