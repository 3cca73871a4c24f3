import os from 'node:os';

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

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  userName: process.env['WARDEN_ACTOR'] ?? process.env['SUDO_USER'] ?? currentUser(),
});
