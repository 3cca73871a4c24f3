import type { S3Client } from '@aws-sdk/client-s3';
import type { Roster } from '../../domain/roster';
import type { RosterSource } from '../../ports';
import { RosterUnreadableError, parseRoster, rosterFormatOf } from '../roster/file-roster';
import type { RosterFormat } from '../roster/file-roster';
import { s3Sdk } from './sdk';

/** Bucket and key of an `s3://bucket/key` URL. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** Reads `s3://bucket/key`; undefined for anything else (a local path). */
export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url.trim());
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

export interface S3RosterOptions {
  readonly client: S3Client;
  readonly location: S3Location;
  /** IANA time zone in which a date-only `end_date` ends. */
  readonly timezone: string;
  readonly format?: RosterFormat;
}

/** The HR roster as an object in S3 (where an HRIS export lands), read on each `load()` like the file source. */
export class S3RosterSource implements RosterSource {
  constructor(private readonly options: S3RosterOptions) {}

  async load(): Promise<Roster> {
    const { bucket, key } = this.options.location;
    const url = `s3://${bucket}/${key}`;
    let bytes: Uint8Array;
    try {
      const out = await this.options.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: bucket, Key: key }));
      if (out.Body === undefined) throw new Error('the object has no body');
      bytes = await out.Body.transformToByteArray();
    } catch (cause) {
      throw new RosterUnreadableError(url, { cause });
    }
    const source = key.slice(key.lastIndexOf('/') + 1);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { people: [], errors: [{ source, message: 'the roster is not valid UTF-8 text; the roster cannot be used' }], invalidRowIdentities: [] };
    }
    return parseRoster(text, { source, format: this.options.format ?? rosterFormatOf(key), timezone: this.options.timezone });
  }
}
