/** The parts of the SDK package Warden uses, so the bundle carries only these (see ../sdk.ts). */
export { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
