import { createHash, createPublicKey } from 'node:crypto';
import { stableBytes } from './ids';

/** An OpenSSH public key line, split into its parts. */
export interface OpenSshKey {
  readonly type: string;
  readonly blob: Buffer;
  readonly comment: string;
}

const KEY_TYPES = new Set(['ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

/** Parses `ssh-ed25519 AAAA… comment`; undefined when the line is not a public key IAM would accept. */
export function parseOpenSshKey(line: string): OpenSshKey | undefined {
  const [type, body, ...rest] = line.trim().split(/\s+/);
  if (type === undefined || body === undefined || !KEY_TYPES.has(type)) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const blob = Buffer.from(body, 'base64');
  const fields = readSshStrings(blob, 1);
  if (fields?.[0]?.toString('latin1') !== type) return undefined;
  return { type, blob, comment: rest.join(' ') };
}

/** MD5 fingerprint in colon-separated hex, the form IAM returns in `Fingerprint`. */
export function md5Fingerprint(key: OpenSshKey): string {
  return createHash('md5').update(key.blob).digest('hex').replace(/(..)(?!$)/g, '$1:');
}

/** The key as a PEM SubjectPublicKeyInfo block (IAM's `Encoding=PEM`); undefined for key types we cannot convert. */
export function toPem(key: OpenSshKey): string | undefined {
  try {
    if (key.type === 'ssh-rsa') {
      const [, e, n] = readSshStrings(key.blob, 3) ?? [];
      if (!e || !n) return undefined;
      const jwk = { kty: 'RSA', e: stripSign(e).toString('base64url'), n: stripSign(n).toString('base64url') };
      return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    }
    if (key.type === 'ssh-ed25519') {
      const [, x] = readSshStrings(key.blob, 2) ?? [];
      if (!x || x.length !== 32) return undefined;
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') };
      return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A deterministic, well-formed `ssh-ed25519` public key line (fake key material) for seeds that omit the body. */
export function syntheticEd25519Line(comment: string, ...seedParts: readonly string[]): string {
  const type = Buffer.from('ssh-ed25519');
  const point = stableBytes(32, 'ssh-ed25519', ...seedParts);
  const blob = Buffer.concat([u32(type.length), type, u32(point.length), point]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function stripSign(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function readSshStrings(blob: Buffer, count: number): Buffer[] | undefined {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(offset);
    offset += 4;
    if (offset + len > blob.length) return undefined;
    out.push(blob.subarray(offset, offset + len));
    offset += len;
  }
  return out;
}
