/** HostFleet over AWS Systems Manager Run Command. */
export { createSsmClient, DEFAULT_SSM_MAX_ATTEMPTS, type SsmClientOptions } from './client';
export { SsmHostFleet, describeInvocationFailure, toSsmTarget, type HostTarget, type SsmHostFleetOptions } from './fleet';
export { revokeOutcomes } from './outcomes';
export { DOCUMENT_NAMES, MAX_DOCUMENT_BYTES, wardenDocuments, type CommandDocument, type DocumentKind } from './documents';
export {
  DEFAULT_POLL,
  MAX_INSTANCE_IDS_PER_COMMAND,
  RunCommand,
  s3KeyOf,
  s3OutputStore,
  splitPreview,
  type CommandScope,
  type InvocationOutput,
  type InvocationReport,
  type OutputStore,
  type PollOptions,
} from './run-command';
