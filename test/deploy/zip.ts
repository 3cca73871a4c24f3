import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** One file in a zip archive. */
export interface ZipEntry {
  readonly name: string;
  readonly compressedBytes: number;
  readonly bytes: number;
  /** Unix permission bits and file type as the packager recorded them (0 when the archive was not made on Unix). */
  readonly mode: number;
  /** The file's contents (stored or deflated entries). */
  read(): Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The files of a zip archive as packagers write them (no zip64, stored or deflated), read from its central directory:
 * enough to look inside Lambda packages without an unzip binary or a dependency.
 */
export function readZip(file: string): ZipEntry[] {
  const zip = readFileSync(file);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i -= 1) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip archive (no end of central directory)`);
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n += 1) {
    if (zip.readUInt32LE(offset) !== CENTRAL) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedBytes = zip.readUInt32LE(offset + 20);
    const bytes = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const madeOnUnix = zip.readUInt8(offset + 5) === 3;
    const mode = madeOnUnix ? zip.readUInt32LE(offset + 38) >>> 16 : 0;
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    entries.push({
      name,
      compressedBytes,
      bytes,
      mode,
      read: () => {
        if (zip.readUInt32LE(localOffset) !== LOCAL) throw new Error(`${file}: bad local header for ${name}`);
        const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
        const data = zip.subarray(start, start + compressedBytes);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`${file}: ${name} uses compression method ${method}`);
      },
    });
  }
  return entries;
}
