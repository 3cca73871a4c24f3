import { createJsonLogger } from '../../src/lib/logger';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const logger = createJsonLogger({ runId: 'sched-20261126T120000Z-53dc4d37', sink: (l) => lines.push(l), now: () => new Date('2026-11-26T12:00:00Z'), ...(level ? { level } : {}) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with level, time, runId and message, plus the fields', () => {
    const { logger, lines, parsed } = capture();
    logger.info('account read', { account: '111111111111', users: 14 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(parsed()[0]).toEqual({ level: 'info', time: '2026-11-26T12:00:00.000Z', runId: 'sched-20261126T120000Z-53dc4d37', message: 'account read', account: '111111111111', users: 14 });
  });

  it('keeps the runId on every line of child loggers, which add their own fields', () => {
    const { logger, parsed } = capture();
    const child = logger.child({ account: '222222222222' }).child({ auditRunId: 'run-1', runId: 'spoofed' });
    child.warn('guard tripped');
    logger.error('failed');
    expect(parsed().map((l) => l['runId'])).toEqual(['sched-20261126T120000Z-53dc4d37', 'sched-20261126T120000Z-53dc4d37']);
    expect(parsed()[0]).toMatchObject({ account: '222222222222', auditRunId: 'run-1', level: 'warn' });
  });

  it('never writes secrets: secret-named fields and Slack tokens anywhere are masked', () => {
    const { logger, lines } = capture();
    logger.info('posting with xoxb-123-456-abcdef', { signingSecret: 'f00dfeed', headers: { authorization: 'Bearer abc' }, accessKeyId: 'AKIAALICE00000000001' });
    expect(lines[0]).not.toMatch(/xoxb-123|f00dfeed|Bearer abc/);
    expect(lines[0]).toContain('AKIAALICE00000000001');
  });

  it('turns errors into name, message and (at error level only) the stack', () => {
    const { logger, parsed } = capture();
    const error = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'ECONNRESET' });
    logger.warn('retrying', { error });
    logger.error('gave up', { error });
    const [warn, fatal] = parsed() as [Record<string, { stack?: string }>, Record<string, { stack?: string }>];
    expect(warn['error']).toEqual({ name: 'Error', message: 'boom', code: 'ECONNRESET', cause: { name: 'Error', message: 'root' } });
    expect(fatal['error']?.stack).toContain('boom');
  });

  it('drops lines below the level', () => {
    const { logger, parsed } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    expect(parsed().map((l) => l['message'])).toEqual(['w']);
  });
});
