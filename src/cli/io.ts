import os from 'node:os';
import { terminalSafe } from '../domain/terminal-text';

/** The process surroundings a command uses, injectable so tests run commands in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Who runs the command, for the audit actor `cli:NAME`. */
  readonly userName: string;
}

const currentUser = (): string => {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
};

const RAW = Symbol('raw stream');

type OutStream = CliIo['stdout'];

/** A stream whose string writes go through `terminalSafe` (layout kept): JSON stays the same JSON, text shows escapes. */
function terminalSafeStream(stream: OutStream): OutStream {
  return new Proxy(stream, {
    get(target, property) {
      if (property === RAW) return target;
      if (property === 'write') {
        return (chunk: unknown, ...rest: unknown[]): boolean =>
          (target.write as (...args: unknown[]) => boolean).call(target, typeof chunk === 'string' ? terminalSafe(chunk, { keepLayout: true }) : chunk, ...rest);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The io every command gets: whatever a command prints (plan text, tables, CSV, JSON, errors) reaches the terminal
 * with control characters shown as escapes, whichever field they came in. Code that writes terminal controls on
 * purpose (the progress line, the confirmation prompt) asks for `rawStream`.
 */
export function terminalSafeIo(io: CliIo): CliIo {
  if ((io.stdout as unknown as Record<symbol, unknown>)[RAW] !== undefined) return io;
  return { ...io, stdout: terminalSafeStream(io.stdout), stderr: terminalSafeStream(io.stderr) };
}

/** The stream underneath `terminalSafeIo`, for deliberate terminal controls; its own text must be made safe first. */
export function rawStream(stream: OutStream): OutStream {
  return ((stream as unknown as Record<symbol, unknown>)[RAW] as OutStream | undefined) ?? stream;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  userName: process.env['WARDEN_ACTOR'] ?? process.env['SUDO_USER'] ?? currentUser(),
});
