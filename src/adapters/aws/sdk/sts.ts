/** The parts of the SDK package Warden uses, so the bundle carries only these (see ../sdk.ts). */
export { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
