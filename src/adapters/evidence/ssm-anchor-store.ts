import { GetParameterCommand, ParameterNotFound, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AnchorStore, PublishedAnchor } from '../../ports/evidence';
import { decodeAnchor, encodeAnchor } from './anchor-codec';

export interface SsmAnchorStoreOptions {
  /** Built once by the composition root with the SDK's configuration chain (AWS_ENDPOINT_URL_SSM is honoured there). */
  readonly client: SSMClient;
  /** Parameter name, e.g. `/warden/audit-head`. */
  readonly name: string;
}

/**
 * The chain head in an SSM Parameter Store String parameter. Parameter Store keeps only the last 100 versions
 * (GetParameterHistory; about 5 hours at 20 writes an hour) and the role that writes it can rewrite it, so it is
 * a convenience, not evidence that survives its operator: CloudTrail logs each PutParameter, and the S3 Object
 * Lock anchor (s3-anchor-store.ts) keeps every head write-once. Grant Warden's role PutParameter on this one name only.
 */
export class SsmAnchorStore implements AnchorStore {
  readonly description: string;
  private readonly client: SSMClient;
  private readonly name: string;

  constructor(options: SsmAnchorStoreOptions) {
    this.client = options.client;
    this.name = options.name;
    this.description = `SSM parameter ${options.name}`;
  }

  async publish(anchor: PublishedAnchor): Promise<void> {
    await this.client.send(
      new PutParameterCommand({
        Name: this.name,
        Value: encodeAnchor(anchor),
        Type: 'String',
        Overwrite: true,
        Description: 'Warden audit chain head (seq and SHA-256), written after each run',
      }),
    );
  }

  async latest(): Promise<PublishedAnchor | undefined> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: this.name }));
      const value = out.Parameter?.Value;
      return value === undefined ? undefined : decodeAnchor(value, this.description);
    } catch (error) {
      if (error instanceof ParameterNotFound || (error as { name?: unknown }).name === 'ParameterNotFound') return undefined;
      throw error;
    }
  }
}
