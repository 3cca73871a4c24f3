/** HostFleet over AWS Systems Manager Run Command. */
export { createSsmClient, DEFAULT_SSM_MAX_ATTEMPTS, type SsmClientOptions } from './client';
export { SsmHostFleet, describeInvocationFailure, toSsmTarget, type HostTarget, type SsmHostFleetOptions } from './fleet';
export { revokeOutcomes } from './outcomes';
export {
  DEFAULT_POLL,
  MAX_INSTANCE_IDS_PER_COMMAND,
  RUN_SHELL_SCRIPT,
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
