/** An AWS service error as the wire carries it: code, message, HTTP status, and who is at fault. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
}

/** Result of a simulated API call: the AWS error is an expected outcome, so it is a value. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** HTTP status AWS uses for each error code the sandbox can produce (IAM and STS models, common errors). */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  ConcurrentModification: 409,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  EntityTemporarilyUnmodifiable: 409,
  ExpiredToken: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidInput: 400,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  NoSuchEntity: 404,
  ReportExpired: 410,
  ReportInProgress: 404,
  ReportNotPresent: 410,
  ServiceFailure: 500,
  ServiceUnavailable: 503,
  Throttling: 400,
  ThrottlingException: 400,
  UnrecognizedPublicKeyEncoding: 400,
  ValidationError: 400,
};

/** Builds an ApiError with AWS's status for the code (400 when unknown; 5xx are the service's fault). */
export function apiError(code: string, message: string, status?: number): ApiError {
  const resolved = status ?? ERROR_STATUS[code] ?? 400;
  return { code, message, status: resolved, type: resolved >= 500 ? 'Receiver' : 'Sender' };
}

/** A successful Outcome. */
export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
/** A failed Outcome carrying the AWS error for `code`. */
export const fail = <T = never>(code: string, message: string, status?: number): Outcome<T> => ({ ok: false, error: apiError(code, message, status) });

/** AWS's wording for a missing required parameter. */
export const missingParameter = (member: string): Outcome<never> =>
  fail('ValidationError', `1 validation error detected: Value null at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`);

/** AWS's wording for a parameter outside its allowed values. */
export const invalidParameter = (member: string, value: string, constraint: string): Outcome<never> =>
  fail('ValidationError', `1 validation error detected: Value '${value}' at '${lowerFirst(member)}' failed to satisfy constraint: ${constraint}`);

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
