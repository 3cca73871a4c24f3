import type { S3Client } from '@aws-sdk/client-s3';
import { S3RosterSource, parseS3Url } from '../../src/adapters/aws/s3-roster';
import { RosterUnreadableError } from '../../src/adapters/roster/file-roster';

/** The one S3 call the source makes, answered from memory (the sandbox does not speak S3's REST protocol). */
function s3Returning(objects: Record<string, Uint8Array>): { client: S3Client; asked: { Bucket?: string; Key?: string }[] } {
  const asked: { Bucket?: string; Key?: string }[] = [];
  const client = {
    send: async (command: { input: { Bucket?: string; Key?: string } }) => {
      asked.push(command.input);
      const body = objects[`${command.input.Bucket}/${command.input.Key}`];
      if (body === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      return { Body: { transformToByteArray: async () => body } };
    },
  } as unknown as S3Client;
  return { client, asked };
}

const CSV = 'employee_id,email,status,end_date\nE1,alice@example.com,active,\nE2,bob@example.com,departed,2026-11-20\n';

describe('parseS3Url', () => {
  it('reads s3://bucket/key and nothing else', () => {
    expect(parseS3Url('s3://hr-exports/warden/roster.csv')).toEqual({ bucket: 'hr-exports', key: 'warden/roster.csv' });
    expect(parseS3Url('./roster.csv')).toBeUndefined();
    expect(parseS3Url('s3://bucket-only')).toBeUndefined();
  });
});

describe('S3RosterSource', () => {
  it('parses the object like a roster file, format from the key', async () => {
    const { client, asked } = s3Returning({ 'hr-exports/warden/roster.csv': new TextEncoder().encode(CSV) });
    const roster = await new S3RosterSource({ client, location: { bucket: 'hr-exports', key: 'warden/roster.csv' }, timezone: 'UTC' }).load();
    expect(asked).toEqual([{ Bucket: 'hr-exports', Key: 'warden/roster.csv' }]);
    expect(roster.people.map((p) => [p.email, p.status])).toEqual([
      ['alice@example.com', 'active'],
      ['bob@example.com', 'departed'],
    ]);
  });

  it('refuses text that is not UTF-8 as a roster error, and a missing object as unreadable', async () => {
    const { client } = s3Returning({ 'b1/roster.csv': new Uint8Array([0xff, 0xfe, 0x41]) });
    const garbled = await new S3RosterSource({ client, location: { bucket: 'b1', key: 'roster.csv' }, timezone: 'UTC' }).load();
    expect(garbled.people).toEqual([]);
    expect(garbled.errors[0]?.message).toMatch(/not valid UTF-8/);
    const missing = new S3RosterSource({ client, location: { bucket: 'b1', key: 'gone.csv' }, timezone: 'UTC' }).load();
    await expect(missing).rejects.toBeInstanceOf(RosterUnreadableError);
    await expect(missing).rejects.toThrow('cannot read roster s3://b1/gone.csv');
  });
});
