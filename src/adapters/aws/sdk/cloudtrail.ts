/** The parts of the SDK package Warden uses, so the bundle carries only these (see ../sdk.ts). */
export { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
