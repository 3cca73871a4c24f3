import { ConfigError } from '../../src/config/load';
import { parseEnvironment, parseEnvironmentOf, slackSettingsFromEnv } from '../../src/config/env';

describe('the one environment schema', () => {
  it('names each bad variable with what it must be, and treats blank values as unset', () => {
    const error = (() => {
      try {
        parseEnvironment({ WARDEN_ACCOUNT_CONCURRENCY: '0', LOG_LEVEL: 'loud', WARDEN_SCHEDULED_MODE: 'sometimes', SLACK_API_URL: 'ftp://x', WARDEN_AUDIT_TABLE: '  ' });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('WARDEN_ACCOUNT_CONCURRENCY must be a positive integer, got "0"');
    expect(message).toContain('LOG_LEVEL must be debug, info, warn or error, got "loud"');
    expect(message).toContain('WARDEN_SCHEDULED_MODE must be plan or apply');
    expect(message).toContain('SLACK_API_URL must be an http(s) URL');
    expect(message).not.toContain('WARDEN_AUDIT_TABLE');
    expect(parseEnvironment({ WARDEN_AUDIT_TABLE: '  ', LOG_LEVEL: 'DEBUG' })).toMatchObject({ WARDEN_AUDIT_TABLE: undefined, LOG_LEVEL: 'debug', WARDEN_ACCOUNT_CONCURRENCY: 10 });
  });

  it('parses only the variables a process reads, so the CLI does not fail over a Lambda setting', () => {
    expect(parseEnvironmentOf({ WARDEN_ACCOUNT_CONCURRENCY: 'many', AWS_MAX_ATTEMPTS: '3' }, ['AWS_MAX_ATTEMPTS'])).toEqual({ AWS_MAX_ATTEMPTS: 3 });
    expect(() => parseEnvironmentOf({ LOG_LEVEL: 'trace' }, ['LOG_LEVEL'], 'warden serve')).toThrow(/^warden serve: LOG_LEVEL must be/);
  });

  it('never repeats a secret in an error, whatever was pasted into the variable', () => {
    const pasted = 'xoxb-123-456-secretsecret';
    const settings = slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: pasted });
    expect(settings).toEqual({ error: 'SLACK_APP_TOKEN must be an app-level token (xapp-…)' });
    expect(JSON.stringify(settings)).not.toContain('secret');
  });
});
