import { redactSecrets } from '../domain/audit-chain';
import { terminalSafe } from '../domain/terminal-text';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

/** Where Warden says what it is doing: one small interface, so adapters and use cases never pick an output. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same logger with more fields on every line (an account, a phase, the audit run id). */
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  /** Put on every line, so one run can be followed across Lambda invocations and log streams. */
  readonly runId: string;
  /** Receives one JSON document per line; defaults to stdout (CloudWatch Logs on Lambda). */
  readonly sink?: (line: string) => void;
  /** Lines below this level are dropped (default `info`). */
  readonly level?: LogLevel;
  readonly now?: () => Date;
  readonly fields?: LogFields;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Whether `text` names a level (for reading `LOG_LEVEL` in a composition root). */
export const isLogLevel = (text: string | undefined): text is LogLevel => text !== undefined && Object.hasOwn(RANK, text);

const stdoutSink = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Errors become plain data; stacks only at error level, where someone will read them. */
function plain(value: unknown, withStack: boolean): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: value.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(withStack && value.stack !== undefined ? { stack: value.stack } : {}),
      ...(value.cause !== undefined ? { cause: plain(value.cause, false) } : {}),
    };
  }
  return value;
}

/**
 * A logger writing one JSON object per line with `level`, `time`, `runId` and `message` first.
 * Fields pass through the audit log's secret redaction, so a token or password handed to a log
 * call by mistake is masked rather than shipped to CloudWatch.
 */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const sink = options.sink ?? stdoutSink;
  const threshold = RANK[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const make = (bound: LogFields): Logger => {
    const write = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (RANK[level] < threshold) return;
      const extra: Record<string, unknown> = {};
      for (const [key, value] of Object.entries({ ...bound, ...fields })) extra[key] = plain(value, level === 'error');
      const safe = redactSecrets(extra);
      delete safe['runId'];
      let line: string;
      try {
        line = JSON.stringify({ level, time: now().toISOString(), runId: options.runId, message: redactSecrets(message), ...safe });
      } catch {
        line = JSON.stringify({ level, time: now().toISOString(), runId: options.runId, message: redactSecrets(message), fields: '[unserialisable]' });
      }
      // JSON escapes C0 itself; C1, bidi and invisible characters are escaped the same way (same JSON value) for log viewers.
      sink(terminalSafe(line));
    };
    return {
      debug: (message, fields) => write('debug', message, fields),
      info: (message, fields) => write('info', message, fields),
      warn: (message, fields) => write('warn', message, fields),
      error: (message, fields) => write('error', message, fields),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/** A logger that drops everything (tests, library defaults). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
