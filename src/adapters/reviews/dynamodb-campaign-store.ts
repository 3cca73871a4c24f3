import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Campaign, CampaignStore, PacketChange, PacketTransition, ReviewPacket } from '../../ports/reviews';
import { KEY, isConditionFailure, readNumber, readString, type Item } from '../state/dynamodb-tables';
import { closed, decodeCampaign, decodePacket, encodeReview, newestFirst } from './codec';

/** Partition holding every campaign (a few a year), and the prefix of each campaign's own packet partition. */
export const CAMPAIGN_PARTITION = 'review-campaign';
const packetPartition = (campaignId: string): string => `review-packets#${campaignId}`;
/** Partition of the claims that let one creator at a time write a campaign's packets. */
const CLAIM_PARTITION = 'review-claim';
/** A claim older than this (Lambda's longest invocation) belongs to a creator that died: the next one may take over. */
const CLAIM_LEASE_MS = 15 * 60_000;

export interface DynamoDbCampaignStoreOptions {
  /** Constructed once by the composition root, with the SDK's own region/credentials/endpoint chain. */
  readonly client: DynamoDBClient;
  /** Warden's generic `pk`/`sk` table (the run-state table unless a reviews table is named). */
  readonly table: string;
  /** Read-check-write rounds before a change that keeps losing to other writers gives up (default 8). */
  readonly maxAttempts?: number;
}

const keyOf = (pk: string, sk: string): Item => ({ [KEY.partition]: { S: pk }, [KEY.sort]: { S: sk } });

interface Stored<T> {
  readonly value: T;
  readonly version: number;
}

/**
 * Campaigns in DynamoDB. Packets are written before their campaign (the campaign item is the commit: a run that dies
 * half-way leaves no listed campaign); every packet change is a compare-and-set on a `version` attribute, re-judged
 * against what the winner wrote when it loses. Reads are strongly consistent Queries on one partition, never a GSI.
 */
export class DynamoDbCampaignStore implements CampaignStore {
  constructor(private readonly options: DynamoDbCampaignStoreOptions) {}

  private get client(): DynamoDBClient {
    return this.options.client;
  }

  private get table(): string {
    return this.options.table;
  }

  async create(campaign: Campaign, packets: readonly ReviewPacket[]): Promise<boolean> {
    if ((await this.read(CAMPAIGN_PARTITION, campaign.id)) !== undefined) return false;
    // Two creators of one id (a scheduled slot started by a retried or concurrent invocation) would overwrite each
    // other's packets: only the one holding the claim writes them.
    if (!(await this.claim(campaign))) return false;
    for (const packet of packets) await this.put(packetPartition(campaign.id), packet.id, encodeReview(packet), 1, 'new-or-same');
    try {
      await this.put(CAMPAIGN_PARTITION, campaign.id, encodeReview(campaign), 1, 'new');
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Claims the right to create `campaign.id`, timed by the creator's own start (a dead creator's claim lapses). */
  private async claim(campaign: Campaign): Promise<boolean> {
    const now = campaign.startedAt.getTime();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...keyOf(CLAIM_PARTITION, campaign.id), claimedBy: { S: campaign.startedBy }, leaseEndsMs: { N: String(now + CLAIM_LEASE_MS) } },
          ConditionExpression: 'attribute_not_exists(#pk) OR #ends < :now',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#ends': 'leaseEndsMs' },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const stored = await this.read(CAMPAIGN_PARTITION, id);
    return stored === undefined ? undefined : decodeCampaign(stored.value);
  }

  async listCampaigns(): Promise<readonly Campaign[]> {
    return (await this.query(CAMPAIGN_PARTITION)).map(decodeCampaign).sort(newestFirst);
  }

  async packets(campaignId: string): Promise<readonly ReviewPacket[]> {
    return (await this.query(packetPartition(campaignId))).map(decodePacket);
  }

  async getPacket(campaignId: string, packetId: string): Promise<ReviewPacket | undefined> {
    const stored = await this.read(packetPartition(campaignId), packetId);
    return stored === undefined ? undefined : decodePacket(stored.value);
  }

  async updatePacket(campaignId: string, packetId: string, transition: PacketTransition): Promise<PacketChange> {
    const outcome = await this.compareAndSet(packetPartition(campaignId), packetId, (doc) => {
      const result = transition(decodePacket(doc));
      return { write: result.ok ? encodeReview(result.packet) : undefined, result };
    });
    return outcome ?? { ok: false, reason: 'not-found' };
  }

  async closeCampaign(id: string, at: Date): Promise<Campaign | undefined> {
    const outcome = await this.compareAndSet(CAMPAIGN_PARTITION, id, (doc) => {
      const next = closed(decodeCampaign(doc), at);
      return { write: next === undefined ? undefined : encodeReview(next), result: next };
    });
    return outcome ?? undefined;
  }

  /**
   * Read, judge, and write only if the item's version is still the one read; a writer that lost re-judges what the
   * winner wrote. Undefined when the item does not exist; the judgement's result otherwise (nothing written when
   * `write` is undefined).
   */
  private async compareAndSet<R>(pk: string, sk: string, judge: (doc: string) => { readonly write: string | undefined; readonly result: R }): Promise<R | undefined> {
    const attempts = this.options.maxAttempts ?? 8;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const current = await this.read(pk, sk);
      if (current === undefined) return undefined;
      const { write, result } = judge(current.value);
      if (write === undefined) return result;
      try {
        await this.put(pk, sk, write, current.version + 1, current.version);
        return result;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`review item ${pk}/${sk}: still changing under us after ${attempts} attempts`);
  }

  private async read(pk: string, sk: string): Promise<Stored<string> | undefined> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: keyOf(pk, sk), ConsistentRead: true }));
    return item === undefined ? undefined : storedOf(item);
  }

  /** `new`: only if absent; `new-or-same`: unconditional first write of a packet (a retried create rewrites the same packet); a number: only at that version. */
  private async put(pk: string, sk: string, doc: string, version: number, condition: 'new' | 'new-or-same' | number): Promise<void> {
    const conditional =
      condition === 'new'
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': KEY.partition } }
        : condition === 'new-or-same'
          ? {}
          : {
              ConditionExpression: '#version = :read',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':read': { N: String(condition) } },
            };
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: { ...keyOf(pk, sk), version: { N: String(version) }, doc: { S: doc } }, ...conditional }));
  }

  private async query(pk: string): Promise<string[]> {
    const docs: string[] = [];
    const items = queryItems(this.client, {
      TableName: this.table,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': KEY.partition },
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    });
    for await (const item of items) docs.push(storedOf(item).value);
    return docs;
  }
}

function storedOf(item: Item): Stored<string> {
  const doc = readString(item, 'doc');
  const version = readNumber(item, 'version');
  if (doc === undefined || !Number.isInteger(version)) throw new Error(`stored review item ${readString(item, KEY.sort) ?? '?'} is malformed`);
  return { value: doc, version };
}

/** Every item a Query returns, page after page (strongly consistent when the input says so). */
async function* queryItems(client: DynamoDBClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): AsyncGenerator<Item> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(start !== undefined ? { ExclusiveStartKey: start } : {}) }));
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}
