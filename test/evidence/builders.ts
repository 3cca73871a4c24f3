import { MemoryAuditLog } from '../../src/adapters/audit/memory-audit-log';
import { formatAuditPerson } from '../../src/domain/audit-chain';
import type { LeaverReportOptions } from '../../src/domain/evidence/leavers';
import type { ActionKind } from '../../src/domain/plan';
import type { PersonRef } from '../../src/domain/roster';
import type { AuditEntry } from '../../src/ports';
import { createTestClock, type TestClock } from '../contract/audit-log.contract';

export const ACCOUNT = '111122223333';
export const HOUR = 3_600_000;

/** A November report window with a 24-hour SLA, read on the 25th; override what a test is about. */
export const reportOptions = (overrides: Partial<LeaverReportOptions> = {}): LeaverReportOptions => ({
  from: new Date('2026-11-01T00:00:00Z'),
  to: new Date('2026-11-30T23:59:59Z'),
  slaHours: 24,
  now: new Date('2026-11-25T00:00:00Z'),
  ...overrides,
});

export const createDummyPersonRef = (overrides: Partial<PersonRef> = {}): PersonRef => ({ employeeId: 'E2', email: 'bob@example.com', ...overrides });

/**
 * Writes audit entries the way reconcile does (leaver.revocation, intent then outcome per action,
 * verify per user) into a real hash-chained log, with a clock the test moves.
 */
export class AuditScript {
  readonly clock: TestClock;
  readonly log: MemoryAuditLog;
  runId = 'run-1';

  constructor(start = '2026-11-20T00:00:00.000Z') {
    this.clock = createTestClock(start);
    this.log = new MemoryAuditLog({ clock: this.clock });
  }

  at(iso: string): this {
    const delta = Date.parse(iso) - this.clock.now().getTime();
    this.clock.advance(delta);
    return this;
  }

  later(ms: number): this {
    this.clock.advance(ms);
    return this;
  }

  run(runId: string): this {
    this.runId = runId;
    return this;
  }

  async leaver(person: PersonRef, after: { fullName?: string; effectiveAt?: string; markedBy?: string; accounts?: string[] } = {}): Promise<AuditEntry> {
    return this.log.append({
      runId: this.runId,
      actor: 'system',
      action: 'leaver.revocation',
      person: formatAuditPerson(person),
      reason: 'departed',
      result: 'ok',
      after: { markedBy: 'roster:roster.csv', accounts: [ACCOUNT], ...after },
    });
  }

  async intent(kind: ActionKind, person: PersonRef, target: string, before: Record<string, unknown> = {}): Promise<AuditEntry> {
    return this.log.append({ ...this.base(kind, person, target), result: 'intent', before });
  }

  async outcome(kind: ActionKind, person: PersonRef, target: string, result: 'ok' | 'failed' | 'skipped' = 'ok', error?: string): Promise<AuditEntry> {
    return this.log.append({ ...this.base(kind, person, target), result, ...(error !== undefined ? { error } : {}) });
  }

  /** Intent then outcome, one minute apart. */
  async action(kind: ActionKind, person: PersonRef, target: string, before: Record<string, unknown> = {}, result: 'ok' | 'failed' = 'ok'): Promise<AuditEntry> {
    await this.intent(kind, person, target, before);
    this.later(60_000);
    return this.outcome(kind, person, target, result, result === 'failed' ? 'Throttling: Rate exceeded' : undefined);
  }

  async verify(person: PersonRef, target: string, ok: boolean, after: Record<string, unknown> = { noAccessLeft: ok }): Promise<AuditEntry> {
    return this.log.append({
      runId: this.runId,
      actor: 'system',
      action: 'verify',
      account: ACCOUNT,
      target,
      person: formatAuditPerson(person),
      reason: 'departed',
      result: ok ? 'verified' : 'failed',
      after,
      ...(ok ? {} : { error: 'access key AKIA1 active' }),
    });
  }

  async entries(): Promise<readonly AuditEntry[]> {
    return this.log.query({});
  }

  private base(kind: ActionKind, person: PersonRef, target: string) {
    return { runId: this.runId, actor: 'system', action: kind, account: ACCOUNT, target, person: formatAuditPerson(person), reason: 'departed' };
  }
}
