import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KEY, isConditionFailure } from '../state/dynamodb-tables';
import type { SeenStore } from './request-hygiene';

/** Partition of the run-state table that holds Slack delivery ids. */
export const SEEN_PARTITION = 'slack-delivery';

/** The table's TTL attribute (epoch seconds), enabled on the run-state table in serverless.yml. */
export const SEEN_TTL_ATTRIBUTE = 'expiresAt';

/** What the DynamoDB seen-store needs; the client is injected, never built here. */
export interface DynamoDbSeenStoreOptions {
  readonly client: DynamoDBClient;
  /** The run-state table (generic `pk`/`sk` key). */
  readonly table: string;
}

/**
 * Slack delivery ids in DynamoDB, so a retry that lands on another Lambda container is still recognised. One conditional
 * PutItem per delivery: it succeeds only for a new id or one whose time is up. DynamoDB's TTL deletes old items up to
 * days late, so expiry is judged from `expiresMs` in the condition, never from the item merely being there.
 */
export class DynamoDbSeenStore implements SeenStore {
  constructor(private readonly options: DynamoDbSeenStoreOptions) {}

  async firstSeen(key: string, ttlMs: number, now: Date): Promise<boolean> {
    const expiresMs = now.getTime() + ttlMs;
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.table,
          Item: {
            [KEY.partition]: { S: SEEN_PARTITION },
            [KEY.sort]: { S: key },
            expiresMs: { N: String(expiresMs) },
            [SEEN_TTL_ATTRIBUTE]: { N: String(Math.ceil(expiresMs / 1000)) },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#expires': 'expiresMs' },
          ExpressionAttributeValues: { ':now': { N: String(now.getTime()) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
