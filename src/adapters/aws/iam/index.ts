export { createIamClient, DEFAULT_IAM_MAX_ATTEMPTS } from './client';
export type { IamClientOptions } from './client';
export { IamAccountDirectory, DEFAULT_IAM_TUNING, accountOfArn, isVirtualMfaSerial } from './directory';
export type { IamAccountDirectoryOptions, IamDirectoryLog, IamDirectoryTuning } from './directory';
export { parseCredentialReport, CredentialReportFormatError, ROOT_ACCOUNT_ROW } from './credential-report';
export {
  IamDirectoryError,
  IamAccountUnknownError,
  IamAccountMismatchError,
  IamInventoryError,
  IamDescribeError,
  IamCallError,
  describeAwsError,
} from '../../../errors';
export type { AwsErrorInfo } from '../../../errors';
