/**
 * Every error class Warden throws, in one hierarchy: each is a WardenError, whose exit code the CLI returns (runtime
 * errors 1, bad input 2, broken audit chain 4) and whose message is one line a person can act on. Expected failures
 * (one user, one host) are values, not these; these are for what stops an operation.
 */

/** Exit codes are part of the contract (SPEC "Command line"). */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  guardTripped: 3,
  auditChainBroken: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: its message is one clear line, shown without a stack. */
export class WardenError extends Error {
  /**
   * Each class names itself (it reaches people: "ConfigError: …"), not through `constructor.name`: the Lambda bundles
   * are minified without keeping function names (test/deploy/error-names.test.ts).
   */
  override readonly name: string = 'WardenError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.runtime,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad usage, config or roster (exit 2). */
export class InputError extends WardenError {
  override readonly name: string = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** The audit log read back differs from what was appended (edited, deleted, reordered, re-indexed): exit 4. */
export class AuditTamperedError extends WardenError {
  override readonly name: string = 'AuditTamperedError';
  constructor(
    message: string,
    readonly firstBadSeq: number,
  ) {
    super(message, ExitCode.auditChainBroken);
  }
}

/** A snapshot older than the newest one saved: runs record snapshots in the order they read the inventory. */
export class SnapshotOrderError extends WardenError {
  override readonly name: string = 'SnapshotOrderError';
}

/** A snapshot save's lock was not had in time: another writer is still saving (or died holding it, and it has not expired yet). */
export class SnapshotLockTimeout extends WardenError {
  override readonly name: string = 'SnapshotLockTimeout';
}

/** An anchor location holds something that is not an anchor: treat as tampering, never as "no anchor". */
export class AnchorError extends WardenError {
  override readonly name: string = 'AnchorError';
}

/** A review campaign with this id exists: another start (a retried or concurrent tick of one schedule slot) created it first. */
export class CampaignExistsError extends WardenError {
  override readonly name: string = 'CampaignExistsError';
  constructor(readonly campaignId: string) {
    super(`a review campaign ${campaignId} already exists`, ExitCode.runtime);
  }
}

/** AssumeRole failed: the role is missing, its trust policy or external id does not match, or STS is unreachable. */
export class AssumeRoleError extends WardenError {
  override readonly name: string = 'AssumeRoleError';
  constructor(
    readonly roleArn: string,
    options: { cause: unknown },
  ) {
    super(`cannot assume ${roleArn}: ${namedErrorText(options.cause)}`, undefined, options);
  }
}

/** A parameter Warden needs is not in Parameter Store (or the role may not read it). */
export class ParameterMissingError extends WardenError {
  override readonly name: string = 'ParameterMissingError';
  constructor(
    readonly names: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`SSM parameter${names.length > 1 ? 's' : ''} not found: ${names.join(', ')}`, undefined, options);
  }
}

/** A host script argument no correct caller passes (a key body that is not base64, an unsafe account name). */
export class HostScriptInputError extends WardenError {
  override readonly name: string = 'HostScriptInputError';
}

/** The host protocol's command text is not "header line, `set --` line, script": the SSM document generator cannot split it. */
export class DocumentShapeError extends WardenError {
  override readonly name: string = 'DocumentShapeError';
}

/** A config that failed to load; the message names the file and every bad key (exit 2). */
export class ConfigError extends InputError {
  override readonly name: string = 'ConfigError';
}

/** Text that is not CSV (a stray or unclosed quote); `line` is the physical line (1-based) where reading stopped. */
export class CsvSyntaxError extends InputError {
  override readonly name: string = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** The roster file could not be read at all (missing, unreadable); exit 2, nothing is planned. */
export class RosterUnreadableError extends InputError {
  override readonly name: string = 'RosterUnreadableError';
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`cannot read roster ${path}: ${describeFsError(options.cause)}`, options);
  }
}

function describeFsError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return errorText(cause);
  }
}

/** An IAM credential report whose shape is not the documented one (the caller then carries on without it). */
export class CredentialReportFormatError extends WardenError {
  override readonly name: string = 'CredentialReportFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtime, options);
  }
}

// IAM adapter errors, and how any AWS SDK error is read.

/** Base class of the IAM adapter's thrown errors (crashes and unreadable accounts, not per-action failures). */
export class IamDirectoryError extends WardenError {
  override readonly name: string = 'IamDirectoryError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtime, options);
  }
}

/** The account id was neither given nor derivable from the ARNs IAM returned. */
export class IamAccountUnknownError extends IamDirectoryError {
  override readonly name: string = 'IamAccountUnknownError';
}

/** The client's credentials reach a different account than the one this directory was configured for. */
export class IamAccountMismatchError extends IamDirectoryError {
  override readonly name: string = 'IamAccountMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`IAM client reaches account ${actual}, but the directory is configured for account ${expected}`);
  }
}

/** Reading an account's IAM inventory failed; the account must be reported, never treated as empty. */
export class IamInventoryError extends IamDirectoryError {
  override readonly name: string = 'IamInventoryError';
  constructor(
    readonly account: string,
    readonly api: string,
    cause: unknown,
  ) {
    super(`IAM inventory of ${/^\d{12}$/.test(account) ? `account ${account}` : account} failed in ${api}: ${describeAwsError(cause).text}`, { cause });
  }
}

/** Reading one user's live state failed for another reason than the user being gone. */
export class IamDescribeError extends IamDirectoryError {
  override readonly name: string = 'IamDescribeError';
  constructor(
    readonly account: string,
    readonly userName: string,
    readonly api: string,
    cause: unknown,
  ) {
    super(`reading IAM user ${userName} in account ${account} failed in ${api}: ${describeAwsError(cause).text}`, { cause });
  }
}

/** A failed IAM call, classified; thrown inside the adapter and turned into values or the errors above at its edge. */
export class IamCallError extends IamDirectoryError {
  override readonly name: string = 'IamCallError';
  readonly code: string;
  readonly retryable: boolean;
  constructor(
    readonly api: string,
    cause: unknown,
  ) {
    const info = describeAwsError(cause);
    super(`${api}: ${info.text}`, { cause });
    this.code = info.code;
    this.retryable = info.retryable;
  }
}

/** An AWS error reduced to what an operator and a retry policy need. */
export interface AwsErrorInfo {
  /** The IAM wire code (`NoSuchEntity`, `Throttling`, `AccessDenied`), or the network error code. */
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  /** `<Code>: <message>`. */
  readonly text: string;
}

// Modeled IAM errors carry their wire code in `Code`; these cover errors built without it.
const EXCEPTION_CODES: Readonly<Record<string, string>> = {
  NoSuchEntityException: 'NoSuchEntity',
  EntityAlreadyExistsException: 'EntityAlreadyExists',
  ConcurrentModificationException: 'ConcurrentModification',
  EntityTemporarilyUnmodifiableException: 'EntityTemporarilyUnmodifiable',
  DeleteConflictException: 'DeleteConflict',
  LimitExceededException: 'LimitExceeded',
  InvalidInputException: 'InvalidInput',
  ServiceFailureException: 'ServiceFailure',
  UnmodifiableEntityException: 'UnmodifiableEntity',
  CredentialReportNotReadyException: 'ReportInProgress',
  CredentialReportNotPresentException: 'ReportNotPresent',
  CredentialReportExpiredException: 'ReportExpired',
};

/** Codes IAM uses for "try again later"; DeleteConflict is here because a later pass can clear what blocked it. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ConcurrentModification',
  'EntityTemporarilyUnmodifiable',
  'DeleteConflict',
  'ServiceFailure',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** Codes that IAM's own throttling uses. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

const NEVER_RETRYABLE: ReadonlySet<string> = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'InvalidClientTokenId']);

const stringField = (value: unknown, key: string): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
};

/** Classifies anything an SDK call threw (service error, network error, misconfiguration). */
export function describeAwsError(err: unknown): AwsErrorInfo {
  if (err instanceof IamCallError) return describeAwsError(err.cause);
  const name = stringField(err, 'name');
  const code =
    stringField(err, 'Code') ??
    (name !== undefined && name !== 'Error' ? (EXCEPTION_CODES[name] ?? name) : undefined) ??
    stringField(err, 'code') ??
    'UnknownError';
  const message = stringField(err, 'message') ?? String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const sdkRetryable = (err as { $retryable?: unknown } | null)?.$retryable !== undefined;
  const retryable =
    !NEVER_RETRYABLE.has(code) && (RETRYABLE_CODES.has(code) || sdkRetryable || (status !== undefined && status >= 500));
  return { code, message, retryable, text: `${code}: ${message}` };
}

/** The message of anything thrown (an Error's message, else its string form), for logs, audit entries and replies. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Like `errorText`, led by the error's class name (`AccessDenied: …`), for causes whose kind matters to the reader. */
export const namedErrorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
