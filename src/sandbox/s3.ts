/**
 * A minimal S3 over its REST wire protocol (path-style: `/bucket/key`), enough for Warden's Object Lock anchor and the
 * roster: PutObject (with `If-None-Match`, Object Lock headers and checksums, aws-chunked bodies included), GetObject,
 * ListObjectsV2 and DeleteObject. Locked objects cannot be overwritten or deleted until their retention passes, as a
 * compliance-mode lock behaves for the version it protects. Not modelled: versions, ACLs, multipart, virtual-hosted
 * addressing, permissions.
 */
import { createHash } from 'node:crypto';
import { esc } from './xml';

/** One request as the sandbox server hands it to a REST service. */
export interface RestRequest {
  readonly method: string;
  /** Decoded path, e.g. `/bucket/some/key.json`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  readonly requestId: string;
}

export interface RestResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  /** The operation, for the call log (e.g. `PutObject`). */
  readonly action: string;
  readonly errorCode?: string;
}

/** A service spoken over REST (method and path), routed by its SigV4 signing name. */
export interface RestServiceHandler {
  readonly name: string;
  serve(request: RestRequest): Promise<RestResponse> | RestResponse;
}

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
  readonly lock?: { readonly mode: LockMode; readonly retainUntil: Date };
}

interface Bucket {
  readonly objectLock: boolean;
  readonly objects: Map<string, StoredObject>;
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MAX_KEYS = 1000;

/** The simulated S3: buckets created by the test or demo, objects written over the wire. */
export class S3Sandbox implements RestServiceHandler {
  readonly name = 's3';
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  createBucket(name: string, options: { readonly objectLock?: boolean } = {}): void {
    this.buckets.set(name, { objectLock: options.objectLock === true, objects: new Map() });
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  keys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.objects.keys() ?? [])].sort();
  }

  serve(request: RestRequest): RestResponse {
    const slash = request.path.indexOf('/', 1);
    const bucketName = slash === -1 ? request.path.slice(1) : request.path.slice(1, slash);
    const key = slash === -1 ? '' : request.path.slice(slash + 1);
    const bucket = this.buckets.get(bucketName);
    const method = request.method.toUpperCase();
    const action =
      key === ''
        ? method === 'GET' && request.query.get('list-type') === '2'
          ? 'ListObjectsV2'
          : `${method} bucket`
        : ({ PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' } as Record<string, string>)[method] ?? `${method} object`;
    const fail = (status: number, code: string, message: string): RestResponse => ({
      status,
      action,
      errorCode: code,
      headers: { 'content-type': 'application/xml' },
      body: method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message><RequestId>${request.requestId}</RequestId></Error>`,
    });
    if (bucketName === '') return fail(400, 'InvalidRequest', 'Listing buckets is not simulated.');
    if (bucket === undefined) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    switch (action) {
      case 'ListObjectsV2':
        return this.list(bucketName, bucket, request, action);
      case 'PutObject':
        return this.put(bucket, key, request, action, fail);
      case 'GetObject':
      case 'HeadObject': {
        const found = bucket.objects.get(key);
        if (found === undefined) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
        return { status: 200, action, headers: objectHeaders(found), body: action === 'HeadObject' ? '' : found.body };
      }
      case 'DeleteObject': {
        const found = bucket.objects.get(key);
        if (found?.lock !== undefined && found.lock.retainUntil > this.now()) return fail(403, 'AccessDenied', 'Access Denied because object protected by object lock.');
        bucket.objects.delete(key);
        return { status: 204, action, headers: {}, body: '' };
      }
      default:
        return fail(405, 'MethodNotAllowed', `The sandbox does not simulate ${action}.`);
    }
  }

  private put(bucket: Bucket, key: string, request: RestRequest, action: string, fail: (status: number, code: string, message: string) => RestResponse): RestResponse {
    const h = request.headers;
    const decoded = decodeBody(request);
    if (!decoded.ok) return fail(400, 'InvalidRequest', decoded.error);
    const body = decoded.body;
    const existing = bucket.objects.get(key);
    if (h['if-none-match'] === '*' && existing !== undefined) return fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const mode = h['x-amz-object-lock-mode'];
    const until = h['x-amz-object-lock-retain-until-date'];
    let lock: StoredObject['lock'];
    if (mode !== undefined || until !== undefined) {
      if (!bucket.objectLock) return fail(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
      if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') return fail(400, 'InvalidArgument', 'Unknown wormMode directive.');
      const date = until === undefined ? Number.NaN : Date.parse(until);
      if (!Number.isFinite(date)) return fail(400, 'InvalidArgument', 'x-amz-object-lock-retain-until-date must be given with x-amz-object-lock-mode');
      if (date <= this.now().getTime()) return fail(400, 'InvalidArgument', 'The retain until date must be in the future!');
      const checksummed = h['content-md5'] !== undefined || Object.keys(h).some((name) => name.startsWith('x-amz-checksum-')) || decoded.trailerChecksum;
      if (!checksummed) return fail(400, 'InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
      lock = { mode, retainUntil: new Date(date) };
    }
    const sha256 = decoded.checksums['x-amz-checksum-sha256'] ?? h['x-amz-checksum-sha256'];
    if (sha256 !== undefined && sha256 !== createHash('sha256').update(body).digest('base64')) return fail(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    const md5 = h['content-md5'];
    if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64')) return fail(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    if (existing?.lock !== undefined && existing.lock.retainUntil > this.now()) {
      return fail(403, 'AccessDenied', 'Access Denied because object protected by object lock.');
    }
    const stored: StoredObject = {
      body,
      contentType: h['content-type'] ?? 'binary/octet-stream',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: this.now(),
      ...(lock !== undefined ? { lock } : {}),
    };
    bucket.objects.set(key, stored);
    return { status: 200, action, headers: { etag: stored.etag, ...(sha256 !== undefined ? { 'x-amz-checksum-sha256': sha256 } : {}) }, body: '' };
  }

  private list(name: string, bucket: Bucket, request: RestRequest, action: string): RestResponse {
    const prefix = request.query.get('prefix') ?? '';
    const maxKeys = Math.min(Math.max(Number(request.query.get('max-keys') ?? MAX_KEYS) || 0, 0), MAX_KEYS);
    const token = request.query.get('continuation-token');
    const after = token !== null ? Buffer.from(token, 'base64').toString('utf8') : (request.query.get('start-after') ?? '');
    const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const last = page.at(-1);
    const contents = page
      .map((k) => {
        const o = bucket.objects.get(k) as StoredObject;
        return `<Contents><Key>${esc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${esc(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${S3_NS}"><Name>${esc(name)}</Name><Prefix>${esc(prefix)}</Prefix>` +
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}` +
      (truncated && last !== undefined ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>` : '') +
      `</ListBucketResult>`;
    return { status: 200, action, headers: { 'content-type': 'application/xml' }, body };
  }
}

function objectHeaders(o: StoredObject): Record<string, string> {
  return {
    'content-type': o.contentType,
    'content-length': String(o.body.length),
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    ...(o.lock !== undefined ? { 'x-amz-object-lock-mode': o.lock.mode, 'x-amz-object-lock-retain-until-date': o.lock.retainUntil.toISOString() } : {}),
  };
}

type Decoded =
  | { readonly ok: true; readonly body: Buffer; readonly checksums: Record<string, string>; readonly trailerChecksum: boolean }
  | { readonly ok: false; readonly error: string };

/** The payload, with `aws-chunked` framing (and its trailing checksums) taken off when the SDK streamed it. */
function decodeBody(request: RestRequest): Decoded {
  const encoding = request.headers['content-encoding'] ?? '';
  const chunked = encoding.split(',').some((e) => e.trim() === 'aws-chunked') || (request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  if (!chunked) return { ok: true, body: request.body, checksums: {}, trailerChecksum: false };
  const parts: Buffer[] = [];
  const checksums: Record<string, string> = {};
  let at = 0;
  const raw = request.body;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol === -1) return { ok: false, error: 'malformed aws-chunked body' };
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) return { ok: false, error: 'malformed aws-chunked chunk size' };
    at = eol + 2;
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) checksums[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = Buffer.concat(parts);
  const declared = request.headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== body.length) return { ok: false, error: 'x-amz-decoded-content-length does not match the body' };
  return { ok: true, body, checksums, trailerChecksum: Object.keys(checksums).some((k) => k.startsWith('x-amz-checksum-')) };
}
