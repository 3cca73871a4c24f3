/* eslint-disable @typescript-eslint/no-require-imports --
 * A literal `require` inside a function is what lets esbuild (the Lambda bundles) and Node (the CLI) defer evaluating an
 * AWS SDK client package until its first use: a top-level import is evaluated when the bundle loads, and each client
 * package costs tens to hundreds of milliseconds of a cold start. Types come from the type-only imports below. */
import type * as Iam from '@aws-sdk/client-iam';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as Organizations from '@aws-sdk/client-organizations';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Sts from '@aws-sdk/client-sts';
import { lazy } from '../../lib/lazy';

/**
 * The SDK client packages a function may not need on a given invocation, each loaded on first call. DynamoDB and SSM
 * stay ordinary imports: every function reads its config from Parameter Store and writes DynamoDB on every invocation.
 */
export const iamSdk = lazy(() => require('@aws-sdk/client-iam') as typeof Iam);
export const lambdaSdk = lazy(() => require('@aws-sdk/client-lambda') as typeof Lambda);
export const organizationsSdk = lazy(() => require('@aws-sdk/client-organizations') as typeof Organizations);
export const s3Sdk = lazy(() => require('@aws-sdk/client-s3') as typeof S3);
export const stsSdk = lazy(() => require('@aws-sdk/client-sts') as typeof Sts);
