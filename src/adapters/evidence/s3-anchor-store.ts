import type { S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../../ports';
import type { AnchorStore, PublishedAnchor } from '../../ports/evidence';
import { AnchorError } from '../../errors';
import { decodeAnchor, encodeAnchor } from './anchor-codec';
import { s3Sdk } from '../aws/sdk';

export interface S3AnchorStoreOptions {
  /** Built once by the composition root with the SDK's configuration chain (AWS_ENDPOINT_URL_S3 is honoured there). */
  readonly client: S3Client;
  /** A bucket with Object Lock enabled, ideally in a log-archive account Warden's operators cannot administer. */
  readonly bucket: string;
  /** Key prefix, e.g. `audit-head/` (a trailing slash is added when missing). */
  readonly prefix: string;
  /** Each anchor object is locked in compliance mode for this many days: nobody, root included, can delete it sooner. */
  readonly retentionDays: number;
  readonly clock: Clock;
}

/** Largest seq a key can carry; keys hold `MAX_SEQ - seq` so the newest anchor lists first. */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const SEQ_DIGITS = String(MAX_SEQ).length;
const DAY_MS = 24 * 3600 * 1000;
/** Anchors are a few hundred bytes; anything much larger is not one. */
const MAX_ANCHOR_BYTES = 4096;

const errorName = (error: unknown): string | undefined => (error as { name?: unknown }).name as string | undefined;
const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * The chain head as one object per anchor in an S3 bucket with Object Lock. Each object is written once, with
 * `If-None-Match: *` (never over an existing key) and compliance-mode retention, so Warden's own role, which may
 * only put and read, can neither delete nor rewrite an anchor it wrote: a truncated audit log stays detectable for
 * the retention period even against someone holding that role. Unlike the SSM parameter (last 100 versions), every
 * anchor is kept.
 */
export class S3AnchorStore implements AnchorStore {
  readonly description: string;
  /** Read at each call, so a composition root may hand over a client it builds on first use. */
  private readonly options: Pick<S3AnchorStoreOptions, 'client'>;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly retentionMs: number;
  private readonly clock: Clock;

  private get client(): S3Client {
    return this.options.client;
  }

  constructor(options: S3AnchorStoreOptions) {
    if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) throw new Error('S3 anchor retention must be a whole number of days, at least 1');
    this.options = options;
    this.bucket = options.bucket;
    this.prefix = options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.retentionMs = options.retentionDays * DAY_MS;
    this.clock = options.clock;
    this.description = `S3 s3://${options.bucket}/${this.prefix}`;
  }

  /** The object key of an anchor: newest first in S3's ascending listing. */
  keyOf(seq: number): string {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new AnchorError(`anchor seq must be a positive integer, got ${seq}`);
    return `${this.prefix}${String(MAX_SEQ - seq).padStart(SEQ_DIGITS, '0')}.json`;
  }

  private seqOfKey(key: string): number | undefined {
    const match = new RegExp(`^${escapeRegExp(this.prefix)}(\\d{${SEQ_DIGITS}})\\.json$`).exec(key);
    return match === null ? undefined : MAX_SEQ - Number(match[1]);
  }

  async publish(anchor: PublishedAnchor): Promise<void> {
    const key = this.keyOf(anchor.seq);
    try {
      await this.client.send(
        new (s3Sdk().PutObjectCommand)({
          Bucket: this.bucket,
          Key: key,
          Body: encodeAnchor(anchor),
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: new Date(this.clock.now().getTime() + this.retentionMs),
          // Object Lock puts need an integrity checksum; name it rather than rely on the client's defaults.
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'PreconditionFailed' && statusOf(error) !== 412) throw error;
      // Already anchored at this seq (another worker, or a retry): fine when it is the same head, tampering otherwise.
      const existing = await this.read(key);
      if (existing.seq !== anchor.seq || existing.hash !== anchor.hash) {
        throw new AnchorError(`${this.description}: the anchor for seq ${anchor.seq} already exists with another hash (${existing.hash})`);
      }
    }
  }

  async latest(): Promise<PublishedAnchor | undefined> {
    const listed = await this.client.send(new (s3Sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 }));
    const key = listed.Contents?.[0]?.Key;
    if (key === undefined) return undefined;
    const seq = this.seqOfKey(key);
    if (seq === undefined) throw new AnchorError(`${this.description} holds ${key}, which is not a Warden anchor key`);
    const anchor = await this.read(key);
    if (anchor.seq !== seq) throw new AnchorError(`${this.description}: ${key} holds the anchor of seq ${anchor.seq}, not ${seq}`);
    return anchor;
  }

  private async read(key: string): Promise<PublishedAnchor> {
    const out = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key }));
    if (out.ContentLength !== undefined && out.ContentLength > MAX_ANCHOR_BYTES) throw new AnchorError(`${this.description}${key} is too large to be an anchor`);
    const text = (await out.Body?.transformToString('utf-8')) ?? '';
    if (text.length > MAX_ANCHOR_BYTES) throw new AnchorError(`${this.description}${key} is too large to be an anchor`);
    return decodeAnchor(text, `${this.description}${key.slice(this.prefix.length)}`);
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
