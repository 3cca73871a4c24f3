/**
 * The whole organization's IAM, served by the sandbox in a process of its own (as IAM is a server of its own, not
 * part of Warden's process). Started by `benchWholeOrg` with `fork`; it answers a few messages over the IPC channel:
 * `throttle`, `reset`, `calls` and `close`. Each account's IAM state is the same synthetic account as in the parent.
 */
import { IamSandboxState } from '../src/sandbox/iam-state';
import { startSandbox } from '../src/sandbox/server';
import { syntheticAccount, type SyntheticAccount } from '../src/sandbox/synthetic';

export interface OrgShape {
  readonly accounts: number;
  readonly usersPerAccount: number;
}

export const ORG_NOW = new Date('2026-11-01T00:00:00Z');

export const orgAccountIds = (shape: OrgShape): string[] =>
  Array.from({ length: shape.accounts }, (_, i) => `4000000000${String(i + 1).padStart(2, '0')}`);

export const orgAccessKeyOf = (i: number): string => `AKIAWHOLEORG${String(i + 1).padStart(8, '0')}`;

/** The same people in every account (one roster for the company), 1% of them departed. */
export function orgAccounts(shape: OrgShape): (SyntheticAccount & { accessKeyIds: string[] })[] {
  return orgAccountIds(shape).map((accountId, i) => ({
    ...syntheticAccount({ accountId, users: shape.usersPerAccount, now: ORG_NOW }),
    accessKeyIds: [orgAccessKeyOf(i)],
  }));
}

export type OrgRequest = { type: 'throttle'; ratePerSecond: number } | { type: 'reset' } | { type: 'calls' } | { type: 'close' };
export type OrgReply =
  | { type: 'ready'; url: string }
  | { type: 'ack' }
  | { type: 'calls'; perAccount: Record<string, number>; throttled: number; peakRssMiB: number; cpuMs: number };

async function main(): Promise<void> {
  const shape = JSON.parse(process.argv[2] ?? '{}') as OrgShape;
  const sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: orgAccounts(shape) }, () => ORG_NOW) });
  let peakRss = process.memoryUsage().rss;
  let cpuSince = process.cpuUsage();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const send = (reply: OrgReply): void => {
    process.send?.(reply);
  };
  process.on('message', (request: OrgRequest) => {
    if (request.type === 'throttle') {
      sandbox.setThrottle({ ratePerSecond: request.ratePerSecond });
      send({ type: 'ack' });
    } else if (request.type === 'reset') {
      sandbox.calls.reset();
      peakRss = process.memoryUsage().rss;
      cpuSince = process.cpuUsage();
      send({ type: 'ack' });
    } else if (request.type === 'calls') {
      const perAccount: Record<string, number> = {};
      let throttled = 0;
      for (const call of sandbox.calls.entries()) {
        if (call.errorCode === 'Throttling') throttled += 1;
        else perAccount[call.account] = (perAccount[call.account] ?? 0) + 1;
      }
      const cpu = process.cpuUsage(cpuSince);
      send({ type: 'calls', perAccount, throttled, peakRssMiB: Math.round(peakRss / 2 ** 20), cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
    } else {
      clearInterval(sampler);
      void sandbox.close().then(() => process.exit(0));
    }
  });
  send({ type: 'ready', url: sandbox.url });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`org sandbox failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
