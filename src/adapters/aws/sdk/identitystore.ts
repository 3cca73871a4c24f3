/** The parts of the identitystore SDK package Warden uses, so the bundle carries only these (see ../sdk.ts). */
export {
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  DescribeUserCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
