/* eslint-disable @typescript-eslint/no-require-imports --
 * A literal `require` inside a function is what lets esbuild (the Lambda bundles) and Node (the CLI) defer evaluating an
 * AWS SDK client package until its first use: a top-level import is evaluated when the bundle loads, and each client
 * package costs tens to hundreds of milliseconds of a cold start. Each loader requires a local module re-exporting only the
 * classes Warden uses (./sdk/*.ts), so esbuild still tree-shakes the package's ES module build; requiring the package
 * itself would put all of it in the bundle. Types come from the type-only imports below. */
import type * as CloudTrail from './sdk/cloudtrail';
import type * as Iam from './sdk/iam';
import type * as IdentityStore from './sdk/identitystore';
import type * as SsoAdmin from './sdk/sso-admin';
import type * as Lambda from './sdk/lambda';
import type * as Organizations from './sdk/organizations';
import type * as S3 from './sdk/s3';
import type * as Sts from './sdk/sts';
import { lazy } from '../../lib/lazy';

/**
 * The SDK client packages a function may not need on a given invocation, each loaded on first call. DynamoDB and SSM
 * stay ordinary imports: every function reads its config from Parameter Store and writes DynamoDB on every invocation.
 */
export const cloudTrailSdk = lazy(() => require('./sdk/cloudtrail') as typeof CloudTrail);
export const iamSdk = lazy(() => require('./sdk/iam') as typeof Iam);
export const identityStoreSdk = lazy(() => require('./sdk/identitystore') as typeof IdentityStore);
export const ssoAdminSdk = lazy(() => require('./sdk/sso-admin') as typeof SsoAdmin);
export const lambdaSdk = lazy(() => require('./sdk/lambda') as typeof Lambda);
export const organizationsSdk = lazy(() => require('./sdk/organizations') as typeof Organizations);
export const s3Sdk = lazy(() => require('./sdk/s3') as typeof S3);
export const stsSdk = lazy(() => require('./sdk/sts') as typeof Sts);
