import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger, LogLevel as WardenLogLevel } from '../../lib/logger';

const BOLT_LEVEL: Readonly<Record<WardenLogLevel, LogLevel>> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/** Bolt's level for a Warden level, so Bolt filters what the JSON logger would drop anyway. */
export const boltLevelOf = (level: WardenLogLevel): LogLevel => BOLT_LEVEL[level];

/** Bolt's logger interface over Warden's JSON logger, so Bolt's own lines (refused requests, listener errors) are JSON too. */
export function boltLoggerOver(logger: Logger, level: WardenLogLevel): BoltLogger {
  const text = (msg: unknown[]): string => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  const boltLevel = BOLT_LEVEL[level];
  return {
    debug: (...msg) => logger.debug(text(msg), { source: 'bolt' }),
    info: (...msg) => logger.info(text(msg), { source: 'bolt' }),
    warn: (...msg) => logger.warn(text(msg), { source: 'bolt' }),
    error: (...msg) => logger.error(text(msg), { source: 'bolt' }),
    // The level is LOG_LEVEL's, whatever Bolt asks for.
    setLevel: () => undefined,
    getLevel: () => boltLevel,
    setName: () => undefined,
  };
}
