import type { PublishedAnchor } from '../../ports/evidence';
import { AnchorError } from '../../errors';


const HASH = /^[0-9a-f]{64}$/;

/** The JSON text an anchor is stored as (file, SSM parameter). */
export function encodeAnchor(anchor: PublishedAnchor): string {
  return JSON.stringify({
    version: 1,
    seq: anchor.seq,
    hash: anchor.hash,
    at: anchor.at,
    ...(anchor.runId !== undefined ? { runId: anchor.runId } : {}),
  });
}

/** Reads `encodeAnchor` text back; throws AnchorError naming `where` when it is not a valid anchor. */
export function decodeAnchor(text: string, where: string): PublishedAnchor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AnchorError(`${where} does not hold a Warden audit anchor (not JSON)`);
  }
  const v = (value ?? {}) as Record<string, unknown>;
  if (v['version'] !== 1 || !Number.isSafeInteger(v['seq']) || (v['seq'] as number) < 1) {
    throw new AnchorError(`${where} does not hold a Warden audit anchor (version 1 with a positive seq)`);
  }
  if (typeof v['hash'] !== 'string' || !HASH.test(v['hash']) || typeof v['at'] !== 'string') {
    throw new AnchorError(`${where} does not hold a Warden audit anchor (hash must be 64 hex digits, at a date-time)`);
  }
  return {
    seq: v['seq'] as number,
    hash: v['hash'],
    at: v['at'],
    ...(typeof v['runId'] === 'string' ? { runId: v['runId'] } : {}),
  };
}

/** The line the Slack summary carries, e.g. `Audit chain head: seq 39, sha256 3f…a1 (run-…)`. */
export function formatAnchorLine(anchor: PublishedAnchor): string {
  return `Audit chain head: seq ${anchor.seq}, sha256 ${anchor.hash}${anchor.runId !== undefined ? ` (${anchor.runId})` : ''}, at ${anchor.at}`;
}

/** Finds a `formatAnchorLine` line in message text (e.g. read back from Slack history). */
export function parseAnchorLine(text: string): PublishedAnchor | undefined {
  const match = /Audit chain head: seq (\d+), sha256 ([0-9a-f]{64})(?: \(([^)]+)\))?, at (\S+)/.exec(text);
  if (match === null) return undefined;
  return {
    seq: Number(match[1]),
    hash: match[2] as string,
    at: match[4] as string,
    ...(match[3] !== undefined ? { runId: match[3] } : {}),
  };
}
