/** Local AWS sandbox: IAM, STS and SSM Run Command over their real wire protocols, for `warden demo`, tests and the bench. */
export { CallLog, type CallRecord } from './call-log';
export { buildCredentialReportCsv, CREDENTIAL_REPORT_COLUMNS } from './credential-report';
export { apiError, type ApiError, type Outcome } from './errors';
export { FaultPlan, type FaultRule } from './faults';
export { IAM_ACTIONS, IAM_XML_NAMESPACE, iamService } from './iam-service';
export {
  IamSandboxState,
  type AccountSnapshot,
  type CallerIdentity,
  type CredentialReportDelay,
  type IamStateOptions,
  type UserSnapshot,
} from './iam-state';
export { loadSeedFile, parseSeed, sandboxSeedSchema, wardenDenyAllPolicy, type NormalizedSeed, type SandboxSeed, type SeedAccount, type SeedGroup, type SeedUser } from './seed';
export { startSandbox, type RunningSandbox, type SandboxOptions } from './server';
export { jsonService, jsonReply, errorReply, queryService, QueryParams, xmlReply, type ServiceCall, type ServiceHandler, type ServiceReply, type WireProtocol } from './service';
export { STS_XML_NAMESPACE, stsService } from './sts-service';
export { syntheticAccount, type SyntheticAccount, type SyntheticOptions, type SyntheticRosterRow } from './synthetic';
export type { ThrottleOptions } from './throttle';
export {
  FLEET_FILE,
  SimulatedFleet,
  folderHostRunner,
  loadFleetDirectory,
  parseHostScriptCommand,
  type FleetDirectory,
  type HostRunResult,
  type HostRunner,
  type HostScriptRun,
  type SimulatedInstance,
  type SimulatedInstanceState,
} from './hosts';
export { RUN_SHELL_SCRIPT_PLUGIN, createSsmSandbox, type CommandSnapshot, type SsmSandbox, type SsmSandboxOptions } from './ssm';
export { ModelHostRunner, modelInventoryText, type ModelAccount, type ModelHost } from './ssm-model-hosts';
export { identityCenterServices, identityStoreService, ssoAdminService } from './identity-center-service';
export { IC_INLINE_POLICY_MAX_CHARS, IdentityCenterSandboxState, type IdentityCenterSeed } from './identity-center-state';
export { CloudTrailLog, cloudTrailService, eventBridgeEvent, type CloudTrailRecord, type CloudTrailSandboxOptions, type ObservedCall } from './cloudtrail';
export type { CallObserver } from './server';
