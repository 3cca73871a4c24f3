import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  AddResult,
  Approval,
  Departure,
  DepartureAttempt,
  DepartureChange,
  DepartureStatus,
  DepartureStore,
  PathStatus,
  SlackThreadRef,
} from '../../ports/departures';
import { KEY, isConditionFailure, readNumber, readString, runStateTableDefinition } from '../state/dynamodb-tables';
import type { Item } from '../state/dynamodb-tables';
import { decodeDeparture, encodeDeparture } from './codec';
import { approveTransition, attemptTransition, cancelTransition, departureQueries, threadTransition } from '../../domain/departure-lifecycle';

/** Partition holding every departure, sorted by id (HR marks a few a week: one partition is plenty). */
export const DEPARTURE_PARTITION = 'departure';

/** The departures table: Warden's generic `pk`/`sk` string key, like the run-state table (serverless.yml's DeparturesTable). */
export function departuresTableDefinition(name: string): CreateTableCommandInput {
  return runStateTableDefinition(name);
}

/** What a DynamoDB departure store needs; the client is injected, never built here. */
export interface DynamoDbDepartureStoreOptions {
  /** Constructed once by the composition root, with the SDK's own region/credentials/endpoint chain. */
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Read-check-write rounds before a change that keeps losing to other writers gives up (default 8). */
  readonly maxAttempts?: number;
}

const key = (id: string): Item => ({ [KEY.partition]: { S: DEPARTURE_PARTITION }, [KEY.sort]: { S: id } });

interface Stored {
  readonly departure: Departure;
  readonly version: number;
}

/**
 * Departures in DynamoDB. Every change is a compare-and-set: read the item (strongly consistent), apply the shared pure
 * transition, and put the result only if the item's `version` is still the one read. A writer that lost re-reads and
 * re-judges, so two clicks, two containers or a retried delivery never approve, cancel or apply twice.
 *
 * Lists read the one partition with strongly consistent Queries (filtered by status server-side), never a GSI: an
 * eventually consistent index could miss a departure approved a moment ago and leave it unapplied until the next run.
 */
export class DynamoDbDepartureStore implements DepartureStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly maxAttempts: number;

  constructor(options: DynamoDbDepartureStoreOptions) {
    this.client = options.client;
    this.table = options.table;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  async add(departure: Departure): Promise<AddResult> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: itemOf(departure, 1),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEY.partition },
        }),
      );
      return { added: true, departure };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.get(departure.id);
    if (existing === undefined) throw new Error(`departure ${departure.id} vanished while being added`);
    return { added: false, existing };
  }

  async get(id: string): Promise<Departure | undefined> {
    return (await this.read(id))?.departure;
  }

  async listPending(): Promise<readonly Departure[]> {
    return departureQueries.pending(await this.withStatus(['awaiting-approval', 'scheduled']));
  }

  async listDue(now: Date): Promise<readonly Departure[]> {
    return departureQueries.due(await this.withStatus(['scheduled'], now), now);
  }

  async listEffective(): Promise<readonly Departure[]> {
    return departureQueries.effective(await this.withStatus(['scheduled', 'applied']));
  }

  async approve(id: string, approval: Approval): Promise<DepartureChange> {
    return this.change(id, (d) => approveTransition(d, approval));
  }

  async cancel(id: string, cancelled: Approval): Promise<DepartureChange> {
    return this.change(id, (d) => cancelTransition(d, cancelled));
  }

  async recordAttempt(id: string, attempt: DepartureAttempt, paths: readonly PathStatus[]): Promise<DepartureChange> {
    return this.change(id, (d) => attemptTransition(d, attempt, paths));
  }

  async attachThread(id: string, thread: SlackThreadRef): Promise<DepartureChange> {
    return this.change(id, (d) => threadTransition(d, thread));
  }

  private async read(id: string): Promise<Stored | undefined> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }));
    return item === undefined ? undefined : storedOf(item);
  }

  private async change(id: string, transition: (d: Departure) => DepartureChange): Promise<DepartureChange> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      const current = await this.read(id);
      if (current === undefined) return { ok: false, reason: 'not-found' };
      const result = transition(current.departure);
      if (!result.ok) return result;
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: itemOf(result.departure, current.version + 1),
            ConditionExpression: '#version = :read',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':read': { N: String(current.version) } },
          }),
        );
        return result;
      } catch (error) {
        // Someone changed it since we read it: judge the transition again against what they wrote.
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`departure ${id}: still changing under us after ${this.maxAttempts} attempts`);
  }

  private async withStatus(statuses: readonly DepartureStatus[], effectiveBy?: Date): Promise<Departure[]> {
    const values: Record<string, AttributeValue> = { ':pk': { S: DEPARTURE_PARTITION } };
    statuses.forEach((status, i) => (values[`:s${i}`] = { S: status }));
    let filter = `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`;
    const names: Record<string, string> = { '#pk': KEY.partition, '#status': 'status' };
    if (effectiveBy !== undefined) {
      filter += ' AND #effective <= :by';
      names['#effective'] = 'effectiveMs';
      values[':by'] = { N: String(effectiveBy.getTime()) };
    }
    const found: Departure[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: filter,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) found.push(storedOf(item).departure);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found;
  }
}

/** The item: the whole departure as one JSON document, plus the few attributes the queries filter on. */
function itemOf(departure: Departure, version: number): Item {
  return {
    ...key(departure.id),
    status: { S: departure.status },
    effectiveMs: { N: String(departure.effectiveAt.getTime()) },
    email: { S: departure.person.email.toLowerCase() },
    version: { N: String(version) },
    doc: { S: encodeDeparture(departure) },
  };
}

function storedOf(item: Item): Stored {
  const doc = readString(item, 'doc');
  const version = readNumber(item, 'version');
  if (doc === undefined || !Number.isInteger(version)) throw new Error(`stored departure ${readString(item, KEY.sort) ?? '?'} is malformed`);
  return { departure: decodeDeparture(doc), version };
}
