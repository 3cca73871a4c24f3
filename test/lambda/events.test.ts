import { accountOfFunctionArn, headerOf, httpApiBody, parseHttpApiEvent, parseReconcileTrigger, parseWorkerEvent } from '../../src/lambda/events';
import { createDummyHttpEvent, createDummyScheduledEvent } from './helpers';

const NOW = new Date('2026-11-26T12:34:56Z');

describe('parseReconcileTrigger', () => {
  it('reads an EventBridge scheduled event: its id, time and rule', () => {
    const parsed = parseReconcileTrigger(createDummyScheduledEvent({ time: '2026-11-26T13:00:00Z' }), NOW);
    expect(parsed).toEqual({
      ok: true,
      value: {
        kind: 'schedule',
        eventId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
        time: new Date('2026-11-26T13:00:00Z'),
        rule: 'arn:aws:events:us-east-1:111111111111:rule/access-warden-prod-ReconcileEventsRuleSchedule1-ABC123',
      },
    });
  });

  it('accepts an operator’s manual run, dated now', () => {
    expect(parseReconcileTrigger({ kind: 'manual' }, NOW)).toEqual({ ok: true, value: { kind: 'manual', time: NOW } });
  });

  it('refuses anything else, saying why', () => {
    const parsed = parseReconcileTrigger({ ...createDummyScheduledEvent(), 'detail-type': 'AWS API Call via CloudTrail' }, NOW);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain('detail-type');
    expect(parseReconcileTrigger(createDummyHttpEvent(), NOW).ok).toBe(false);
  });
});

describe('parseHttpApiEvent', () => {
  it('reads a payload 2.0 event and decodes a base64 form body', () => {
    const parsed = parseHttpApiEvent(createDummyHttpEvent());
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.requestContext.http.method).toBe('POST');
    expect(httpApiBody(parsed.value)).toContain('command=%2Foffboard');
    expect(headerOf(parsed.value, 'X-Slack-Request-Timestamp')).toBe('1795694400');
  });

  it('keeps a plain-text JSON body as is', () => {
    const parsed = parseHttpApiEvent(createDummyHttpEvent({ body: '{"type":"url_verification","challenge":"c"}', isBase64Encoded: false }));
    expect(parsed.ok && httpApiBody(parsed.value)).toBe('{"type":"url_verification","challenge":"c"}');
  });

  it('refuses a REST API (payload 1.0) event', () => {
    const v1 = { resource: '/slack/events', path: '/slack/events', httpMethod: 'POST', headers: {}, body: '', isBase64Encoded: false, requestContext: {} };
    const parsed = parseHttpApiEvent(v1);
    expect(parsed.ok).toBe(false);
  });
});

describe('parseWorkerEvent', () => {
  const account = {
    kind: 'assume-role',
    id: '222222222222',
    roleArn: 'arn:aws:iam::222222222222:role/WardenAccess',
    externalId: 'ext-42',
    source: 'organizations',
  } as const;

  it('reads each kind of job', () => {
    expect(parseWorkerEvent({ kind: 'reconcile-account', runId: 'sched-1', account, scheduledAt: '2026-11-26T12:00:00Z' })).toEqual({
      ok: true,
      value: { kind: 'reconcile-account', runId: 'sched-1', account, scheduledAt: '2026-11-26T12:00:00Z' },
    });
    expect(parseWorkerEvent({ kind: 'reconcile-account', runId: 'sched-1', account, scheduledAt: '2026-11-26T12:00:00Z', hosts: true })).toEqual({
      ok: true,
      value: { kind: 'reconcile-account', runId: 'sched-1', account, scheduledAt: '2026-11-26T12:00:00Z', hosts: true },
    });
    expect(parseWorkerEvent({ kind: 'reconcile-account', runId: 'sched-1', account, scheduledAt: '2026-11-26T12:00:00Z', hosts: 'yes' }).ok).toBe(false);
    expect(parseWorkerEvent({ kind: 'apply-due-departures', runId: 'r', ids: ['dep-1'], actor: 'slack:U0HR1' })).toEqual({
      ok: true,
      value: { kind: 'apply-due-departures', runId: 'r', ids: ['dep-1'], actor: 'slack:U0HR1' },
    });
    expect(parseWorkerEvent({ kind: 'slack-task', runId: 'r', task: { preview: 'dep-1' } })).toEqual({
      ok: true,
      value: { kind: 'slack-task', runId: 'r', task: { preview: 'dep-1' } },
    });
  });

  it('refuses a role in another account than the one named, unknown kinds and extra keys', () => {
    const elsewhere = { ...account, roleArn: 'arn:aws:iam::333333333333:role/WardenAccess' };
    const parsed = parseWorkerEvent({ kind: 'reconcile-account', runId: 'r', account: elsewhere, scheduledAt: '2026-11-26T12:00:00Z' });
    expect(parsed.ok ? '' : parsed.error).toContain('roleArn must be in the account it names');
    expect(parseWorkerEvent({ kind: 'delete-everything', runId: 'r' }).ok).toBe(false);
    expect(parseWorkerEvent({ kind: 'apply-due-departures', runId: 'r', extra: 1 }).ok).toBe(false);
    expect(parseWorkerEvent(createDummyScheduledEvent()).ok).toBe(false);
  });
});

describe('accountOfFunctionArn', () => {
  it('reads the account from the invoked function ARN (alias or not)', () => {
    expect(accountOfFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:access-warden-prod-reconcile')).toBe('123456789012');
    expect(accountOfFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:x:live')).toBe('123456789012');
    expect(accountOfFunctionArn('not-an-arn')).toBeUndefined();
  });
});
