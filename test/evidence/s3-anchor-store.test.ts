import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AnchorError } from '../../src/errors';
import { createAnchors } from '../../src/adapters/evidence/anchor-config';
import { parseConfig } from '../../src/config/load';
import { S3AnchorStore } from '../../src/adapters/evidence/s3-anchor-store';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { S3Sandbox } from '../../src/sandbox/s3';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';

const BUCKET = 'warden-anchors-123456789012';
const PLAIN = 'plain-bucket';
const NOW = new Date('2026-12-03T12:00:00Z');
const hash = (c: string): string => c.repeat(64);

let sandbox: RunningSandbox;
let s3: S3Sandbox;
let client: S3Client;

beforeEach(async () => {
  s3 = new S3Sandbox(() => NOW);
  s3.createBucket(BUCKET, { objectLock: true });
  s3.createBucket(PLAIN);
  sandbox = await startSandbox({ state: IamSandboxState.fromSeed({ accounts: [{ id: '123456789012', users: [] }] }), restServices: [s3] });
  client = new S3Client({ endpoint: sandbox.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await sandbox.close();
});

const store = (overrides: Partial<ConstructorParameters<typeof S3AnchorStore>[0]> = {}) =>
  new S3AnchorStore({ client, bucket: BUCKET, prefix: 'audit-head', retentionDays: 400, clock: { now: () => NOW }, ...overrides });

describe('the sandbox S3 (real S3Client over the REST wire protocol)', () => {
  it('puts, gets and lists objects, pages included', async () => {
    for (const key of ['a/1', 'a/2', 'a/3', 'b/1']) await client.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: `body of ${key}` }));
    const got = await client.send(new GetObjectCommand({ Bucket: PLAIN, Key: 'a/2' }));
    expect(await got.Body?.transformToString()).toBe('body of a/2');
    const first = await client.send(new ListObjectsV2Command({ Bucket: PLAIN, Prefix: 'a/', MaxKeys: 2 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    expect(first.IsTruncated).toBe(true);
    const second = await client.send(new ListObjectsV2Command({ Bucket: PLAIN, Prefix: 'a/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    expect(second.Contents?.map((c) => c.Key)).toEqual(['a/3']);
    await expect(client.send(new GetObjectCommand({ Bucket: PLAIN, Key: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('keeps a locked object: no overwrite, no delete, and lock headers only on a bucket with Object Lock', async () => {
    const retainUntil = new Date(NOW.getTime() + 86_400_000);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'original', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: retainUntil, ChecksumAlgorithm: 'SHA256' }));
    expect(s3.object(BUCKET, 'k')?.lock).toEqual({ mode: 'COMPLIANCE', retainUntil });
    await expect(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'rewritten' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'again', IfNoneMatch: '*' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    expect(s3.object(BUCKET, 'k')?.body.toString()).toBe('original');
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    expect([got.ObjectLockMode, got.ObjectLockRetainUntilDate?.toISOString()]).toEqual(['COMPLIANCE', retainUntil.toISOString()]);
    await expect(
      client.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'k', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: retainUntil, ChecksumAlgorithm: 'SHA256' })),
    ).rejects.toThrow(/missing Object Lock Configuration/);
    await expect(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'past', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(NOW.getTime() - 1), ChecksumAlgorithm: 'SHA256' })),
    ).rejects.toThrow(/must be in the future/);
    // An unlocked object is an ordinary one.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'free', Body: 'x' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'free' }));
    expect(s3.keys(BUCKET)).toEqual(['k']);
  });
});

describe('S3AnchorStore', () => {
  it('writes each anchor once, locked in compliance mode for the retention, and reads the newest back', async () => {
    const anchors = store();
    expect(await anchors.latest()).toBeUndefined();
    await anchors.publish({ seq: 9, hash: hash('a'), at: '2026-12-03T11:00:00Z', runId: 'run-1' });
    await anchors.publish({ seq: 10, hash: hash('b'), at: '2026-12-03T12:00:00Z' });
    await anchors.publish({ seq: 120, hash: hash('c'), at: '2026-12-03T13:00:00Z' });
    expect(await anchors.latest()).toEqual({ seq: 120, hash: hash('c'), at: '2026-12-03T13:00:00Z' });
    expect(s3.keys(BUCKET)).toEqual([anchors.keyOf(120), anchors.keyOf(10), anchors.keyOf(9)]);
    for (const key of s3.keys(BUCKET)) expect(s3.object(BUCKET, key)?.lock).toEqual({ mode: 'COMPLIANCE', retainUntil: new Date(NOW.getTime() + 400 * 86_400_000) });
    // Every anchor stays (the SSM parameter keeps only its last 100 versions).
    expect(s3.keys(BUCKET)).toHaveLength(3);
  });

  it('takes the same anchor twice (another worker, a retry), and refuses another head at a seq already anchored', async () => {
    const anchors = store();
    const anchor = { seq: 5, hash: hash('d'), at: '2026-12-03T12:00:00Z' };
    await anchors.publish(anchor);
    await expect(anchors.publish(anchor)).resolves.toBeUndefined();
    await expect(anchors.publish({ ...anchor, hash: hash('e') })).rejects.toThrow(AnchorError);
    expect(await anchors.latest()).toEqual(anchor);
  });

  it('treats a foreign object under the prefix as tampering, never as "no anchor"', async () => {
    const anchors = store();
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'audit-head/0000000000000000.json', Body: 'not an anchor' }));
    await expect(anchors.latest()).rejects.toThrow(AnchorError);
    const renamed = store({ prefix: 'other/' });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: renamed.keyOf(3), Body: JSON.stringify({ version: 1, seq: 4, hash: hash('f'), at: '2026-12-03T12:00:00Z' }) }));
    await expect(renamed.latest()).rejects.toThrow(/holds the anchor of seq 4, not 3/);
  });

  it('refuses a retention that is not a whole number of days', () => {
    expect(() => store({ retentionDays: 0 })).toThrow(/at least 1/);
  });
});

describe('config audit.anchors kind s3', () => {
  it('is parsed with its defaults and wired to an S3 anchor store the CLI can verify against', async () => {
    const loaded = parseConfig(`roster: { path: ./roster.csv }\naudit: { store: dynamodb, table: warden-audit, anchors: [{ kind: s3, bucket: ${BUCKET} }] }\n`, '/tmp/warden.yaml');
    const specs = loaded.config.audit.anchors ?? [];
    expect(specs).toEqual([{ kind: 's3', bucket: BUCKET, prefix: 'audit-head/', retentionDays: 365 }]);
    const wired = createAnchors(specs, { baseDir: '/tmp', s3: () => client });
    expect(wired.stores.map((s) => s.description)).toEqual([`S3 s3://${BUCKET}/audit-head/`]);
    await wired.sinks[0]?.publish({ seq: 3, hash: hash('a'), at: '2026-12-03T12:00:00Z' });
    await expect(wired.stores[0]?.latest()).resolves.toEqual({ seq: 3, hash: hash('a'), at: '2026-12-03T12:00:00Z' });
    expect(createAnchors(specs, { baseDir: '/tmp' }).skipped).toEqual([`S3 bucket ${BUCKET} (no S3 client here)`]);
    expect(() => parseConfig('roster: { path: ./r.csv }\naudit: { store: sqlite, anchors: [{ kind: s3, bucket: "Not_A_Bucket" }] }\n', '/tmp/warden.yaml')).toThrow(/must be an S3 bucket name/);
  });
});
