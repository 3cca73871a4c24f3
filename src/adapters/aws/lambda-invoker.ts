import type { LambdaClient } from '@aws-sdk/client-lambda';
import { WardenError } from '../../errors';
import { lambdaSdk } from './sdk';

/** Hands work to another invocation without waiting for it (the worker's own time limit then applies). */
export interface AsyncInvoker {
  invokeAsync(payload: unknown): Promise<void>;
}

export interface LambdaAsyncInvokerOptions {
  /** Built once per container by the composition root. */
  readonly client: LambdaClient;
  /** Name or ARN of the function to invoke. */
  readonly functionName: string;
}

/** Lambda's asynchronous invocation (`InvocationType: Event`): queued by Lambda, retried by Lambda, 202 when accepted. */
export class LambdaAsyncInvoker implements AsyncInvoker {
  constructor(private readonly options: LambdaAsyncInvokerOptions) {}

  async invokeAsync(payload: unknown): Promise<void> {
    const out = await this.options.client.send(
      new (lambdaSdk().InvokeCommand)({
        FunctionName: this.options.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    if (out.StatusCode !== 202) {
      throw new WardenError(`Lambda did not accept the asynchronous invocation of ${this.options.functionName} (status ${String(out.StatusCode)})`);
    }
  }
}
