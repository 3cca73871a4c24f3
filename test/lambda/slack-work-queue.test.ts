import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaAsyncInvoker } from '../../src/adapters/aws/lambda-invoker';
import { parseWorkerEvent } from '../../src/lambda/events';
import { LambdaWorkQueue, noWorkerQueue } from '../../src/lambda/slack-work-queue';

/** A LambdaClient stand-in that records each Invoke and answers with `status`. */
function recordingLambda(status: number) {
  const inputs: InvokeCommand['input'][] = [];
  const client = {
    send: async (command: InvokeCommand) => {
      inputs.push(command.input);
      return { StatusCode: status };
    },
  } as unknown as LambdaClient;
  return { client, inputs };
}

describe('LambdaWorkQueue', () => {
  it('hands each Slack job to the worker as an asynchronous Invoke carrying a valid slack-task event', async () => {
    const lambda = recordingLambda(202);
    const queue = new LambdaWorkQueue(new LambdaAsyncInvoker({ client: lambda.client, functionName: 'access-warden-prod-worker' }));

    await queue.enqueue({ kind: 'approve', departureId: 'dep-20261126-abcdef0123', actor: 'slack:U0HR2', reply: { kind: 'none' } });

    expect(lambda.inputs).toHaveLength(1);
    const input = lambda.inputs[0];
    expect(input?.InvocationType).toBe('Event');
    expect(input?.FunctionName).toBe('access-warden-prod-worker');
    const event = JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array)) as unknown;
    expect(parseWorkerEvent(event)).toEqual({
      ok: true,
      value: {
        kind: 'slack-task',
        runId: expect.stringMatching(/^slack-approve-[0-9a-f]{12}$/),
        task: { kind: 'approve', departureId: 'dep-20261126-abcdef0123', actor: 'slack:U0HR2', reply: { kind: 'none' } },
      },
    });
  });

  it('fails the enqueue when Lambda does not accept the invocation, and refuses outright without a worker', async () => {
    const lambda = recordingLambda(500);
    const queue = new LambdaWorkQueue(new LambdaAsyncInvoker({ client: lambda.client, functionName: 'w' }));
    await expect(queue.enqueue({ kind: 'home', userId: 'U1' })).rejects.toThrow(/did not accept/);
    await expect(noWorkerQueue.enqueue({ kind: 'home', userId: 'U1' })).rejects.toThrow(/WARDEN_WORKER_FUNCTION/);
  });
});
