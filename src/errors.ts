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

/** The message of anything thrown (an Error's message, else its string form), for logs, audit entries and replies. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
