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

/** The message of anything thrown (an Error's message, else its string form), for logs, audit entries and replies. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Like `errorText`, led by the error's class name (`AccessDenied: …`), for causes whose kind matters to the reader. */
export const namedErrorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
