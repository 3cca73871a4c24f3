import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AnchorStore, PublishedAnchor } from '../../ports/evidence';
import { decodeAnchor, encodeAnchor } from './anchor-codec';

/**
 * The chain head in a file. Outside the database, so deleting rows is detected; someone who can
 * also rewrite this file can hide it, which is why production deployments add the SSM anchor.
 */
export class FileAnchorStore implements AnchorStore {
  readonly description: string;

  constructor(private readonly file: string) {
    this.description = `file ${file}`;
  }

  async publish(anchor: PublishedAnchor): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Write then rename: a crash mid-write never leaves a half anchor that reads as tampering.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${encodeAnchor(anchor)}\n`, { mode: 0o644 });
    renameSync(temp, this.file);
  }

  async latest(): Promise<PublishedAnchor | undefined> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return decodeAnchor(text, this.description);
  }
}
