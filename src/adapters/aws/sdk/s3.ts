/** The parts of the SDK package Warden uses, so the bundle carries only these (see ../sdk.ts). */
export { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
