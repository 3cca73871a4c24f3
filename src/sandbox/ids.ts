import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-style unique-id prefixes (the first four characters tell the entity type, as in real IAM). */
export const ID_PREFIX = {
  accessKey: 'AKIA',
  sessionKey: 'ASIA',
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
  sshKey: 'APKA',
  signingCertificate: 'ASCA',
  serviceCredential: 'ACCA',
} as const;

const LENGTH: Record<keyof typeof ID_PREFIX, number> = {
  accessKey: 20,
  sessionKey: 20,
  user: 21,
  group: 21,
  role: 21,
  policy: 21,
  sshKey: 20,
  signingCertificate: 24,
  serviceCredential: 21,
};

/** Deterministic AWS-looking id: the same parts always give the same id, so seeds and snapshots are reproducible. */
export function stableId(kind: keyof typeof ID_PREFIX, ...parts: readonly string[]): string {
  const prefix = ID_PREFIX[kind];
  const text = parts.join('\u0000');
  // A fast non-cryptographic 128-bit hash: ids need determinism and spread, not secrecy, and seeding 5,000 users must be quick.
  const words = [...cyrb64(text, 0x9e3779b9), ...cyrb64(text, 0x85ebca6b)];
  let out = prefix;
  for (let i = 0; out.length < LENGTH[kind]; i++) {
    const word = words[i % 4] as number;
    out += BASE32[(word >>> ((Math.floor(i / 4) * 5) % 30)) & 31];
  }
  return out;
}

function cyrb64(text: string, seed: number): [number, number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** Deterministic base64 text of `bytes` length, for secrets, tokens and synthetic key material. */
export function stableBytes(length: number, ...parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (let block = 0; total < length; block++) {
    const chunk = createHash('sha256').update(parts.join('\u0000') + '\u0000' + block).digest();
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, length);
}
