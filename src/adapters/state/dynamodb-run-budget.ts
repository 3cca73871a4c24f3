import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KEY, isConditionFailure, readNumber } from './dynamodb-tables';
import type { Item } from './dynamodb-tables';

/** Whether one account of a run may go ahead with its revocations, and the run's total as it stands. */
export type BudgetDecision =
  | { readonly granted: true; readonly total: number }
  | { readonly granted: false; readonly total: number; readonly requested: number; readonly limit: number };

/**
 * The revocation budget of one run shared by the accounts it fans out to: each account's worker reserves its count
 * before applying, so the guard's `maxRevocations` holds for the run as a whole, as it does when the command line plans
 * every account at once. A retried worker of an account that already reserved is granted again (its plan can only
 * have shrunk since).
 */
export interface RunBudget {
  reserve(runId: string, account: string, revocations: number, limit: number, now: Date): Promise<BudgetDecision>;
}

export interface DynamoDbRunBudgetOptions {
  readonly client: DynamoDBClient;
  /** The run-state table. */
  readonly table: string;
  /** How long a run's budget item is kept (DynamoDB TTL on `expiresAt`); default a week. */
  readonly keepSeconds?: number;
}

const PARTITION = 'run-budget';
const ATTEMPTS = 25;

/** The run budget as one item per run in the run-state table, updated by compare-and-set on a version. */
export class DynamoDbRunBudget implements RunBudget {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly keepSeconds: number;

  constructor(options: DynamoDbRunBudgetOptions) {
    this.client = options.client;
    this.table = options.table;
    this.keepSeconds = options.keepSeconds ?? 7 * 24 * 3600;
  }

  async reserve(runId: string, account: string, revocations: number, limit: number, now: Date): Promise<BudgetDecision> {
    const key: Item = { [KEY.partition]: { S: PARTITION }, [KEY.sort]: { S: runId } };
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      const version = item === undefined ? 0 : readNumber(item, 'version');
      const total = item === undefined ? 0 : readNumber(item, 'total');
      const accounts = item?.['accounts']?.M ?? {};
      // A budget item that cannot be read is never taken as room to spend (NaN would compare as "within the limit").
      if (!Number.isSafeInteger(version) || !Number.isSafeInteger(total)) throw new Error(`run ${runId}: the revocation budget item is unreadable`);
      if (accounts[account] !== undefined) return { granted: true, total };
      if (total + revocations > limit) return { granted: false, total, requested: revocations, limit };
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              ...key,
              version: { N: String(version + 1) },
              total: { N: String(total + revocations) },
              accounts: { M: { ...accounts, [account]: { N: String(revocations) } } },
              expiresAt: { N: String(Math.floor(now.getTime() / 1000) + this.keepSeconds) },
            },
            ConditionExpression: item === undefined ? 'attribute_not_exists(#pk)' : '#version = :version',
            ExpressionAttributeNames: item === undefined ? { '#pk': KEY.partition } : { '#version': 'version' },
            ...(item === undefined ? {} : { ExpressionAttributeValues: { ':version': { N: String(version) } } }),
          }),
        );
        return { granted: true, total: total + revocations };
      } catch (error) {
        // Another account reserved at the same moment: read the new total and decide again.
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`run ${runId}: could not reserve revocations after ${ATTEMPTS} attempts`);
  }
}
