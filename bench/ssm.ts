/**
 * SSM calls Warden makes for hosts, at 100 and 1,000 instances: one inventory of the whole fleet (tag targets),
 * revocation on the hosts holding a leaver's key (hosts with the same request share a command of up to 50), and the
 * re-inventory that verifies them. Measured with an S3 output bucket configured (large outputs read from S3: counted
 * as `s3_reads`, not SSM calls) and without one (large outputs read through GetCommandInvocation and pages).
 * Goal (issue 12): at most 60 SSM calls per 1,000 hosts for the three phases together, polling included.
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
import { DEFAULT_POLL, type PollOptions } from '../src/adapters/aws/ssm/run-command';
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

/**
 * ListCommands calls the poll schedule makes for a command that runs `seconds`: the sandbox answers only once the
 * command is done (so the measured runs poll once per command); real commands take time, and this is what waiting costs.
 */
export function pollsFor(seconds: number, poll: PollOptions = DEFAULT_POLL): number {
  let waited = 0;
  let delay = poll.firstDelayMs;
  let polls = 0;
  for (;;) {
    waited += delay;
    polls++;
    if (waited >= seconds * 1000) return polls;
    delay = Math.min(poll.maxDelayMs, delay * poll.factor);
  }
}

/** Assumed run times for the polling estimate: the fleet inventory at MaxConcurrency 50, and each 50-host batch. */
const ASSUMED_SECONDS = { inventory: 120, batch: 20 } as const;

/** SSM calls per 1,000 hosts for inventory, revoke and verify together (issue 12). */
export const SSM_CALLS_GOAL_PER_1000_HOSTS = 60;

async function measure(size: number, withBucket: boolean): Promise<Record<string, number>> {
  const tag = withBucket ? `${size}_hosts_s3` : `${size}_hosts`;
  const { instances, hosts, leaverHosts } = fleetOf(size);
  const ssm = createSsmSandbox({ fleet: new SimulatedFleet(instances), runner: new ModelHostRunner(hosts), runOnSend: true, deliveryTimeoutMs: 0 });
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: [{ id: ACCOUNT, users: [] }] }), extraServices: [ssm.service] });
  const client = new SSMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIABENCHSSM00000001', secretAccessKey: 'x' } });
  let s3Reads = 0;
  const store = {
    read: (bucket: string, key: string): Promise<string> => {
      s3Reads++;
      const text = ssm.s3Objects.get(`${bucket}/${key}`);
      return text === undefined ? Promise.reject(new Error('NoSuchKey')) : Promise.resolve(text);
    },
  };
  const fleet = new SsmHostFleet({
    client,
    account: ACCOUNT,
    targets: [{ key: 'tag:Warden', values: ['managed'] }],
    maxConcurrency: '50',
    ...(withBucket ? { output: { bucket: 'warden-output', keyPrefix: 'warden', store } } : {}),
    poll: { firstDelayMs: 0, maxDelayMs: 0, factor: 1 },
    sleep: async () => undefined,
  });
  const out: Record<string, number> = {};
  const phase = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    sandbox.calls.reset();
    s3Reads = 0;
    const started = performance.now();
    await run();
    out[`ssm_ms_${name}_${tag}`] = Math.round(performance.now() - started);
    out[`ssm_calls_${name}_${tag}`] = sandbox.calls.count();
    for (const [action, count] of Object.entries(sandbox.calls.byAction())) out[`ssm_calls_${name}_${tag}_${action}`] = count;
    if (withBucket) out[`s3_reads_${name}_${tag}`] = s3Reads;
  };
  try {
    let unreachable = 0;
    await phase('inventory', async () => {
      const read = await fleet.inventory();
      unreachable = read.filter((h) => h.status === 'unreachable').length;
    });
    out[`ssm_unreachable_${tag}`] = unreachable;
    let revoked = 0;
    await phase('revoke', async () => {
      const outcomes = await fleet.executeOnHosts(new Map(leaverHosts.map((id) => [id, revokeActions(id)])));
      revoked = [...outcomes.values()].filter((o) => o.result === 'ok').length;
    });
    out[`ssm_revoke_actions_ok_${tag}`] = revoked;
    let stillThere = 0;
    await phase('verify', async () => {
      const reread = await fleet.inventoryInstances(leaverHosts);
      stillThere = reread.filter((h) => h.status !== 'ok' || h.keys.some((k) => k.keyBody === LEAVER)).length;
    });
    out[`ssm_verify_hosts_not_clean_${tag}`] = stillThere;
    const total = ['inventory', 'revoke', 'verify'].reduce((sum, p) => sum + (out[`ssm_calls_${p}_${tag}`] ?? 0), 0);
    out[`ssm_calls_total_${tag}`] = total;
    out[`ssm_calls_per_host_${tag}`] = Number((total / size).toFixed(3));
    out[`ssm_calls_per_1000_hosts_${tag}`] = Math.round((total * 1000) / size);
    // The same run with commands that take time: each command's one measured poll becomes pollsFor(its run time).
    const extraPolls = ['inventory', 'revoke', 'verify'].reduce((sum, p) => {
      const commands = out[`ssm_calls_${p}_${tag}_ListCommands`] ?? 0;
      const seconds = p === 'inventory' ? ASSUMED_SECONDS.inventory : ASSUMED_SECONDS.batch;
      return sum + commands * (pollsFor(seconds) - 1);
    }, 0);
    out[`ssm_calls_per_1000_hosts_${tag}_with_timed_polling`] = Math.round(((total + extraPolls) * 1000) / size);
    return out;
  } finally {
    client.destroy();
    await ssm.settle();
    await sandbox.close();
  }
}

/** SSM calls (and milliseconds, over loopback) for inventory, revoke and verify on 100 and 1,000 simulated hosts. */
export async function benchSsm(): Promise<Record<string, number>> {
  return {
    ...(await measure(100, false)),
    ...(await measure(1000, false)),
    ...(await measure(100, true)),
    ...(await measure(1000, true)),
    ssm_calls_goal_per_1000_hosts: SSM_CALLS_GOAL_PER_1000_HOSTS,
  };
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
