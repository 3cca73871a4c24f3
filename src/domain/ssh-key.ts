import { createHash } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+=*$/;

/**
 * The fingerprint OpenSSH prints for a key (`ssh-keygen -l`: `SHA256:` and the unpadded base64 of the SHA-256 of the
 * decoded blob), from its base64 body; undefined when the body is not base64. Keys are matched by this, never by text:
 * the same key can be written many ways (options, whitespace inside the body) and sshd accepts them all.
 */
export function keyFingerprint(keyBody: string): string | undefined {
  const body = keyBody.replace(/\s/g, '');
  if (!BASE64.test(body) || body.length % 4 !== 0) return undefined;
  const blob = Buffer.from(body, 'base64');
  if (blob.length === 0) return undefined;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
