import {
  lastSessionExpiry,
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  sessionExposure,
  sessionExposureWords,
  sessionSeconds,
  sessionSummaryWords,
  summarizeSessions,
  type SessionExposure,
  type SessionPrincipal,
} from '../../src/domain/sessions';

const at = (iso: string): Date => new Date(iso);
const ENDED = at('2026-12-01T10:00:00Z');
const role = (overrides: Partial<SessionPrincipal> = {}): SessionPrincipal => ({ arn: 'arn:aws:iam::111111111111:role/deploy', maxSessionSeconds: 3_600, ...overrides });

describe('sessionSeconds: a MaxSessionDuration as AWS applies it', () => {
  it('keeps values inside 1 to 12 hours', () => {
    expect(sessionSeconds(3_600)).toBe(3_600);
    expect(sessionSeconds(7_200)).toBe(7_200);
    expect(sessionSeconds(43_200)).toBe(43_200);
  });

  it('clamps values outside the bounds and fails closed (12 hours) when unknown', () => {
    expect(sessionSeconds(3_599)).toBe(MIN_SESSION_SECONDS);
    expect(sessionSeconds(43_201)).toBe(MAX_SESSION_SECONDS);
    expect(sessionSeconds(undefined)).toBe(MAX_SESSION_SECONDS);
    expect(sessionSeconds(Number.NaN)).toBe(MAX_SESSION_SECONDS);
    expect(sessionSeconds(Number.POSITIVE_INFINITY)).toBe(MAX_SESSION_SECONDS);
  });

  it('rounds a fractional duration up, never shortening it', () => {
    expect(sessionSeconds(3_600.2)).toBe(3_601);
  });
});

describe('sessionExposure', () => {
  it('without a deny, sessions may live until no-access-left plus the longest session', () => {
    const exposure = sessionExposure(role({ maxSessionSeconds: 7_200 }), ENDED, at('2026-12-01T10:30:00Z'));
    expect(exposure).toEqual({ status: 'may-live-until', until: at('2026-12-01T12:00:00Z') });
  });

  it('one millisecond before the last expiry they may still live; at the expiry they have ended', () => {
    expect(sessionExposure(role(), ENDED, at('2026-12-01T10:59:59.999Z')).status).toBe('may-live-until');
    expect(sessionExposure(role(), ENDED, at('2026-12-01T11:00:00Z'))).toEqual({ status: 'ended', at: at('2026-12-01T11:00:00Z'), cause: 'expired' });
    expect(sessionExposure(role(), ENDED, at('2026-12-01T11:00:00.001Z'))).toEqual({ status: 'ended', at: at('2026-12-01T11:00:00Z'), cause: 'expired' });
  });

  it('a deny in place before the last expiry ends them when it was put in place', () => {
    const deny = { kind: 'source-identity' as const, since: at('2026-12-01T10:59:59.999Z') };
    expect(sessionExposure(role({ deny }), ENDED, at('2026-12-01T10:05:00Z'))).toEqual({ status: 'ended', at: deny.since, cause: 'source-identity' });
  });

  it('a deny put in place at or after the last expiry came too late to matter: they had expired', () => {
    for (const since of ['2026-12-01T11:00:00Z', '2026-12-01T11:00:00.001Z']) {
      const exposure = sessionExposure(role({ deny: { kind: 'revoke-older-sessions', since: at(since) } }), ENDED, at('2026-12-01T12:00:00Z'));
      expect(exposure).toEqual({ status: 'ended', at: at('2026-12-01T11:00:00Z'), cause: 'expired' });
    }
  });

  it('a deny ends sessions even when asked before it was put in place (a plan looking ahead)', () => {
    const deny = { kind: 'identity-center-user' as const, since: at('2026-12-01T10:10:00Z') };
    expect(sessionExposure(role({ deny }), ENDED, at('2026-12-01T10:00:00Z'))).toEqual({ status: 'ended', at: deny.since, cause: 'identity-center-user' });
  });

  it('reads an unknown MaxSessionDuration as 12 hours', () => {
    expect(lastSessionExpiry({ maxSessionSeconds: Number.NaN }, ENDED)).toEqual(at('2026-12-01T22:00:00Z'));
  });
});

describe('summarizeSessions', () => {
  const ended = (iso: string): SessionExposure => ({ status: 'ended', at: at(iso), cause: 'source-identity' });
  const open = (iso: string): SessionExposure => ({ status: 'may-live-until', until: at(iso) });

  it('with no roles, sessions ended with the user deny-all at no-access-left', () => {
    expect(summarizeSessions([], ENDED)).toEqual({ status: 'ended', at: ENDED, principals: 0 });
  });

  it('all ended: at the latest of the ends, never before no-access-left', () => {
    expect(summarizeSessions([ended('2026-12-01T10:05:00Z'), ended('2026-12-01T10:02:00Z')], ENDED)).toEqual({
      status: 'ended',
      at: at('2026-12-01T10:05:00Z'),
      principals: 2,
    });
    expect(summarizeSessions([ended('2026-12-01T09:59:59Z')], ENDED)).toEqual({ status: 'ended', at: ENDED, principals: 1 });
  });

  it('one open principal makes the summary "may live until" the latest open one', () => {
    const summary = summarizeSessions([ended('2026-12-01T10:05:00Z'), open('2026-12-01T11:00:00Z'), open('2026-12-01T22:00:00Z')], ENDED);
    expect(summary).toEqual({ status: 'may-live-until', until: at('2026-12-01T22:00:00Z'), principals: 3, open: 2 });
  });
});

describe('words', () => {
  it('says when sessions ended, in the configured time zone', () => {
    expect(sessionSummaryWords({ status: 'ended', at: ENDED, principals: 2 }, 'Europe/Berlin')).toBe('sessions ended at 2026-12-01 11:00 Europe/Berlin');
  });

  it('says until when they may live and how many roles lack a deny', () => {
    expect(sessionSummaryWords({ status: 'may-live-until', until: at('2026-12-01T22:00:00Z'), principals: 1, open: 1 }, 'UTC')).toBe(
      'sessions may live until 2026-12-01 22:00 UTC (1 of 1 role without a session-ending deny)',
    );
    expect(sessionSummaryWords({ status: 'may-live-until', until: at('2026-12-01T22:00:00Z'), principals: 3, open: 2 }, 'UTC')).toBe(
      'sessions may live until 2026-12-01 22:00 UTC (2 of 3 roles without a session-ending deny)',
    );
  });

  it('names the cause of a principal ending', () => {
    expect(sessionExposureWords({ status: 'ended', at: ENDED, cause: 'revoke-older-sessions' }, 'UTC')).toBe('sessions ended at 2026-12-01 10:00 UTC (older sessions revoked)');
    expect(sessionExposureWords({ status: 'may-live-until', until: ENDED }, 'UTC')).toBe('sessions may live until 2026-12-01 10:00 UTC');
  });
});
