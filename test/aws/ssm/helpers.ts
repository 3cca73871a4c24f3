import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmHostFleet, type SsmHostFleetOptions } from '../../../src/adapters/aws/ssm/fleet';
import { folderHostRunner, SimulatedFleet, type HostRunner, type SimulatedInstance } from '../../../src/sandbox/hosts';
import { IamSandboxState } from '../../../src/sandbox/iam-state';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/server';
import { createSsmSandbox, type SsmSandbox, type SsmSandboxOptions } from '../../../src/sandbox/ssm';
import type { HostRoot } from '../../hosts/helpers';

export const ACCOUNT = '123456789012';

/** An online instance with the Warden tag; override what the test is about. */
export function createDummyInstance(overrides: Partial<SimulatedInstance> & { readonly instanceId: string }): SimulatedInstance {
  return { tags: { Warden: 'managed' }, state: 'online', ...overrides };
}

/** A running sandbox serving SSM over simulated instances, and an SDK client pointed at it. */
export interface SsmHarness {
  readonly sandbox: RunningSandbox;
  readonly ssm: SsmSandbox;
  readonly fleet: SimulatedFleet;
  readonly client: SSMClient;
  /** A HostFleet adapter over the harness's client, polling without real waits. */
  hostFleet(overrides?: Partial<SsmHostFleetOptions>): SsmHostFleet;
  /** SSM calls made so far, by action. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

/** Starts the sandbox with SSM over the given instances; commands run the real scripts on `roots` unless a runner is given. */
export async function startSsmHarness(opts: {
  readonly instances: readonly SimulatedInstance[];
  readonly roots?: Readonly<Record<string, HostRoot>>;
  readonly runner?: HostRunner;
  readonly ssm?: Partial<Omit<SsmSandboxOptions, 'fleet' | 'runner'>>;
}): Promise<SsmHarness> {
  const fleet = new SimulatedFleet(opts.instances);
  const runner = opts.runner ?? folderHostRunner({ rootOf: (id) => opts.roots?.[id]?.root });
  const ssm = createSsmSandbox({ fleet, runner, deliveryTimeoutMs: 20, ...opts.ssm });
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: [{ id: ACCOUNT, users: [] }] }), extraServices: [ssm.service] });
  const client = new SSMClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIATESTSSM000000001', secretAccessKey: 'x' }, maxAttempts: 2 });
  return {
    sandbox,
    ssm,
    fleet,
    client,
    hostFleet: (overrides = {}) =>
      new SsmHostFleet({
        client,
        account: ACCOUNT,
        targets: [{ key: 'tag:Warden', values: ['managed'] }],
        poll: { firstDelayMs: 5, maxDelayMs: 20, factor: 2 },
        ...overrides,
      }),
    calls: () => sandbox.calls.byAction(),
    close: async () => {
      client.destroy();
      await ssm.settle();
      await sandbox.close();
    },
  };
}
