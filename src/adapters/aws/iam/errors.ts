/** Base class of the IAM adapter's thrown errors (crashes and unreadable accounts, not per-action failures). */
export class IamDirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The account id was neither given nor derivable from the ARNs IAM returned. */
export class IamAccountUnknownError extends IamDirectoryError {}

/** The client's credentials reach a different account than the one this directory was configured for. */
export class IamAccountMismatchError extends IamDirectoryError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`IAM client reaches account ${actual}, but the directory is configured for account ${expected}`);
  }
}

/** Reading an account's IAM inventory failed; the account must be reported, never treated as empty. */
export class IamInventoryError extends IamDirectoryError {
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
