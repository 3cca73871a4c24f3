/** The parts of the SDK package Warden uses, so the bundle carries only these (see ../sdk.ts). */
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
