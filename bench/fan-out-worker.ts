/**
 * One Lambda fan-out worker of the whole-organization bench: plans one account in a process of its own, as each worker
 * invocation runs in its own Lambda (own process, own CPU). Started by `benchWholeOrg` in `fan-out` mode with `fork`;
 * it loads everything and builds its client when told `prepare`, so that only the plan is timed, and plans on `go`.
 * Cold starts are measured apart (bench/cold-start.ts).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { createIamClient } from '../src/adapters/aws/iam/client';
import { computePlan, type ReconcileDeps } from '../src/app/reconcile';
import { orgAccessKeyOf } from './org-sandbox';
import { depsFor, recordTimeline, type AccountTimeline } from './iam';

export type FanOutRequest =
  | { type: 'prepare'; url: string; rosterFile: string; accountIndex: number; account: string }
  | { type: 'go'; startedAt: number }
  | { type: 'close' };
export type FanOutReply =
  | { type: 'ready' }
  | { type: 'done'; timeline: AccountTimeline; cpuMs: number; maxRssMiB: number }
  | { type: 'failed'; message: string };

let client: IAMClient | undefined;
let deps: ReconcileDeps | undefined;
let account = '';
let startedAt = 0;
const timeline = new Map<string, AccountTimeline>();
const send = (reply: FanOutReply): void => {
  process.send?.(reply);
};

process.on('message', (request: FanOutRequest) => {
  if (request.type === 'prepare') {
    account = request.account;
    client = createIamClient({ endpoint: request.url, region: 'us-east-1', credentials: { accessKeyId: orgAccessKeyOf(request.accountIndex), secretAccessKey: 'bench' }, maxAttempts: 30 });
    recordTimeline(client, account, () => startedAt, timeline);
    deps = depsFor(request.rosterFile, client, account);
    send({ type: 'ready' });
  } else if (request.type === 'go') {
    startedAt = request.startedAt;
    const cpuBefore = process.cpuUsage();
    computePlan(deps as ReconcileDeps).then(
      () => {
        const cpu = process.cpuUsage(cpuBefore);
        const row = timeline.get(account) ?? { account, firstCallS: 0, inventoryDoneS: 0, lastCallS: 0, calls: 0, throttled: 0 };
        send({ type: 'done', timeline: row, cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
      },
      (error: unknown) => send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  } else {
    client?.destroy();
    process.exit(0);
  }
});
