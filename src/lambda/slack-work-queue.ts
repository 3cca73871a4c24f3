import { randomBytes } from 'node:crypto';
import type { AsyncInvoker } from '../adapters/aws/lambda-invoker';
import type { SlackJob, WorkQueue } from '../adapters/slack/work-queue';
import { WardenError } from '../errors';
import type { WorkerEvent } from './events';

/** Runs ids of Slack jobs: `slack-<kind>-<random>`, so a job's log lines in the worker can be found. */
export const slackJobRunId = (job: SlackJob): string => `slack-${job.kind}-${randomBytes(6).toString('hex')}`;

/**
 * The Slack function's work queue: each job becomes one asynchronous invocation of the worker (`InvocationType: Event`),
 * which Lambda accepts in tens of milliseconds and retries on its own. AwsLambdaReceiver answers Slack only when the
 * listener returns, so the slow half (plan preview, revoking now) must leave the invocation like this to ack within 3 s.
 */
export class LambdaWorkQueue implements WorkQueue {
  constructor(private readonly invoker: AsyncInvoker) {}

  async enqueue(job: SlackJob): Promise<void> {
    const event: WorkerEvent = { kind: 'slack-task', runId: slackJobRunId(job), task: job };
    await this.invoker.invokeAsync(event);
  }
}

/** Stands in where no worker is configured: refuses loudly rather than run slow work inside Slack's 3 seconds. */
export const noWorkerQueue: WorkQueue = {
  enqueue: async () => {
    throw new WardenError('no worker function is configured (WARDEN_WORKER_FUNCTION) to take slow Slack work');
  },
};
