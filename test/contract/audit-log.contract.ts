 
import { GENESIS_HASH, REDACTED, hashEntry } from '../../src/domain/audit-chain';
import type { AnchoredAuditLog } from '../../src/adapters/audit/audit-entry';
import type { AuditEntry, AuditResult, Clock, NewAuditEntry } from '../../src/ports';

/** Raw access underneath the implementation, as an attacker holding the file or table would have. */
export interface Tamper {
  /** Replaces the stored content of the entry at `entry.seq` (which must exist) with `entry`, verbatim. */
  overwrite(entry: AuditEntry): Promise<void>;
  /** Deletes the entry at `seq`. */
  remove(seq: number): Promise<void>;
  /**
   * Rewrites only the copies a store keeps for its indexes (person email), leaving the hashed content alone: moves the
   * entry out of one person's history or into another's. Stores that keep no copies have none.
   */
  reindex?(seq: number, keys: { readonly personEmail: string }): Promise<void>;
}

export interface AuditLogFixture {
  readonly log: AnchoredAuditLog;
  readonly tamper: Tamper;
  /** A second, independent handle on the same storage (another connection, process or Lambda). */
  openSecond(): Promise<AnchoredAuditLog>;
  cleanup(): Promise<void>;
}

export type AuditLogFactory = (options: { readonly clock: Clock }) => Promise<AuditLogFixture>;

/** A clock the test moves by hand. */
export interface TestClock extends Clock {
  advance(ms: number): void;
}

export const createTestClock = (start = '2026-11-26T12:00:00.000Z'): TestClock => {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
};

/** Store tests label entries freely: to a store, `action` is an opaque string (a row may come from another version). */
export type LabelledEntry = Omit<Partial<NewAuditEntry>, 'action'> & { readonly action?: string };

export const createDummyEntry = (overrides: LabelledEntry = {}): NewAuditEntry => ({
  runId: 'run-1',
  actor: 'system',
  action: 'deactivate-access-key',
  account: '123456789012',
  target: 'bob',
  person: 'bob@example.com',
  reason: 'departed',
  before: { accessKeyId: 'AKIAEXAMPLE0000BOB1', status: 'Active' },
  after: { accessKeyId: 'AKIAEXAMPLE0000BOB1', status: 'Inactive' },
  result: 'ok',
  ...(overrides as Partial<NewAuditEntry>),
});

async function appendMany(log: AnchoredAuditLog, count: number, clock?: TestClock): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    out.push(await log.append(createDummyEntry({ action: `step-${i + 1}` })));
    clock?.advance(1_000);
  }
  return out;
}

const seqsOf = (entries: readonly AuditEntry[]): number[] => entries.map((entry) => entry.seq);

/** The one behaviour every AuditLog must have, run against each implementation (hono's common.case style). */
export function runAuditLogContract(name: string, factory: AuditLogFactory, options: { readonly indexCopies?: boolean } = {}): void {
  describe(`AuditLog contract: ${name}`, () => {
    let fixture: AuditLogFixture;
    let clock: TestClock;
    let log: AnchoredAuditLog;

    beforeEach(async () => {
      clock = createTestClock();
      fixture = await factory({ clock });
      log = fixture.log;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Edits stored entries the way an attacker would, optionally recomputing the edited entry's own hash. */
    async function edit(seq: number, change: { action?: string; result?: AuditResult; after?: unknown }, rehash = false): Promise<void> {
      const stored = (await log.query({})).find((entry) => entry.seq === seq);
      if (!stored) throw new Error(`no entry ${seq} to edit`);
      const edited = { ...stored, ...change };
      await fixture.tamper.overwrite(rehash ? { ...edited, hash: hashEntry(edited.prevHash, edited) } : edited);
    }

    async function swap(a: number, b: number): Promise<void> {
      const entries = await log.query({});
      const first = entries.find((entry) => entry.seq === a);
      const second = entries.find((entry) => entry.seq === b);
      if (!first || !second) throw new Error(`cannot swap ${a} and ${b}`);
      await fixture.tamper.overwrite({ ...second, seq: a });
      await fixture.tamper.overwrite({ ...first, seq: b });
    }

    async function truncateAfter(seq: number): Promise<void> {
      for (const entry of await log.query({})) if (entry.seq > seq) await fixture.tamper.remove(entry.seq);
    }

    describe('append', () => {
      it('starts an empty log at the genesis hash', async () => {
        expect(await log.verify()).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
        expect(await log.head()).toBeUndefined();
        expect(await log.query({})).toEqual([]);
      });

      it('numbers entries from 1 and links each to the previous hash', async () => {
        const [first, second, third] = await appendMany(log, 3, clock);
        expect(seqsOf([first!, second!, third!])).toEqual([1, 2, 3]);
        expect(first!.prevHash).toBe(GENESIS_HASH);
        expect(second!.prevHash).toBe(first!.hash);
        expect(third!.prevHash).toBe(second!.hash);
        for (const entry of [first!, second!, third!]) expect(entry.hash).toBe(hashEntry(entry.prevHash, entry));
        expect(first!.at).toBe('2026-11-26T12:00:00.000Z');
        expect(second!.at).toBe('2026-11-26T12:00:01.000Z');
        expect(await log.head()).toEqual({ seq: 3, hash: third!.hash });
      });

      it('reads back exactly what append returned, with absent fields absent', async () => {
        const full = await log.append(
          createDummyEntry({ before: { b: [1, { z: null, a: 'x' }], a: true }, error: 'throttled', result: 'failed' }),
        );
        const minimal = await log.append({ runId: 'run-2', actor: 'cli:ops', action: 'run.start', result: 'ok' });
        const read = await log.query({});
        expect(read).toEqual([full, minimal]);
        expect(Object.keys(read[1]!).sort()).toEqual(['action', 'actor', 'at', 'hash', 'prevHash', 'result', 'runId', 'seq']);
        expect(read[0]!.before).toEqual({ a: true, b: [1, { a: 'x', z: null }] });
      });

      it('keeps null and empty strings distinct from absent values', async () => {
        const entry = await log.append(createDummyEntry({ before: null, reason: '', target: '' }));
        const [read] = await log.query({});
        expect(read).toEqual(entry);
        expect(read!.before).toBeNull();
        expect(read!.reason).toBe('');
        expect((await log.verify()).ok).toBe(true);
      });
    });

    describe('secrets', () => {
      it('masks secret values before they reach the log, keeping identifiers', async () => {
        const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----';
        const entry = await log.append(
          createDummyEntry({
            before: { AccessKeyId: 'AKIAEXAMPLE0000BOB1', SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
            after: { credentials: [{ password: 'hunter2', userName: 'bob' }], note: `found ${pem} on host`, privateKey: 'abc' },
            error: 'Slack said invalid_auth for xoxb-123-456-abcdef',
          }),
        );
        const [read] = await log.query({});
        expect(read).toEqual(entry);
        expect(read!.before).toEqual({ AccessKeyId: 'AKIAEXAMPLE0000BOB1', SecretAccessKey: REDACTED });
        expect(read!.after).toEqual({ credentials: [{ password: REDACTED, userName: 'bob' }], note: `found ${REDACTED} on host`, privateKey: REDACTED });
        expect(read!.error).toBe(`Slack said invalid_auth for ${REDACTED}`);
        expect(JSON.stringify(read)).not.toMatch(/wJalrXUtnFEMI|hunter2|b3BlbnNzaC1rZXktdjEAAAA|xoxb-123/);
        expect((await log.verify()).ok).toBe(true);
      });
    });

    describe('query', () => {
      beforeEach(async () => {
        const entries: LabelledEntry[] = [
          { runId: 'run-1', person: 'alice@example.com', target: 'alice', action: 'a1' },
          { runId: 'run-1', person: 'bob@example.com (E2)', target: 'Bob', action: 'b1' },
          { runId: 'run-2', person: 'alice@example.com', target: 'i-0abc:alice', action: 'a2' },
          { runId: 'run-2', action: 'run.start' },
          { runId: 'run-3', person: 'bob@example.com (E2)', target: 'bob', action: 'b2' },
          { runId: 'run-3', person: 'carol@example.com', target: 'carol', action: 'c1' },
        ];
        const base = { runId: 'x', actor: 'system', action: 'x', result: 'ok' } as const;
        for (const overrides of entries) {
          await log.append({ ...base, ...overrides } as NewAuditEntry);
          clock.advance(60_000);
        }
      });

      const actions = (entries: readonly AuditEntry[]): string[] => entries.map((entry) => entry.action);

      it('returns everything in seq order without a filter', async () => {
        expect(seqsOf(await log.query({}))).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('filters by person email, case-insensitively', async () => {
        expect(actions(await log.query({ person: 'Alice@Example.com' }))).toEqual(['a1', 'a2']);
        expect(actions(await log.query({ person: 'bob@example.com' }))).toEqual(['b1', 'b2']);
      });

      it('filters by employee id', async () => {
        expect(actions(await log.query({ person: 'e2' }))).toEqual(['b1', 'b2']);
        expect(await log.query({ person: 'E404' })).toEqual([]);
      });

      it('filters by IAM user name against the target, case-insensitively', async () => {
        expect(actions(await log.query({ userName: 'bob' }))).toEqual(['b1', 'b2']);
        expect(actions(await log.query({ userName: 'alice' }))).toEqual(['a1']);
        expect(await log.query({ userName: '' })).toEqual([]);
      });

      it('filters by run id', async () => {
        expect(actions(await log.query({ runId: 'run-2' }))).toEqual(['a2', 'run.start']);
      });

      it('filters by time, both bounds inclusive', async () => {
        const since = new Date('2026-11-26T12:01:00.000Z');
        const until = new Date('2026-11-26T12:03:00.000Z');
        expect(actions(await log.query({ since, until }))).toEqual(['b1', 'a2', 'run.start']);
        expect(actions(await log.query({ since: new Date('2026-11-26T12:04:30.000Z') }))).toEqual(['c1']);
        expect(actions(await log.query({ until: new Date('2026-11-26T11:00:00.000Z') }))).toEqual([]);
      });

      it('combines filters', async () => {
        expect(actions(await log.query({ person: 'bob@example.com', since: new Date('2026-11-26T12:02:00.000Z') }))).toEqual(['b2']);
        expect(actions(await log.query({ userName: 'bob', runId: 'run-1' }))).toEqual(['b1']);
        expect(await log.query({ person: 'alice@example.com', runId: 'run-3' })).toEqual([]);
      });

      it('keeps the most recent matches under a limit, still in seq order', async () => {
        expect(seqsOf(await log.query({ limit: 2 }))).toEqual([5, 6]);
        expect(actions(await log.query({ person: 'alice@example.com', limit: 1 }))).toEqual(['a2']);
        expect(await log.query({ limit: 0 })).toEqual([]);
        expect(seqsOf(await log.query({ limit: 100 }))).toEqual([1, 2, 3, 4, 5, 6]);
      });

      // Each filter has its own read path in the stores (an index by target, by run, by time): a limit must keep the
      // newest matches on every one of them, also when it equals or exceeds the number of matches.
      it('keeps the most recent matches under a limit on every filter, at and past the number of matches', async () => {
        expect(actions(await log.query({ userName: 'bob', limit: 1 }))).toEqual(['b2']);
        expect(actions(await log.query({ userName: 'bob', limit: 2 }))).toEqual(['b1', 'b2']);
        expect(actions(await log.query({ runId: 'run-1', limit: 1 }))).toEqual(['b1']);
        expect(actions(await log.query({ runId: 'run-2', limit: 2 }))).toEqual(['a2', 'run.start']);
        expect(actions(await log.query({ runId: 'run-2', limit: 3 }))).toEqual(['a2', 'run.start']);
        expect(actions(await log.query({ since: new Date('2026-11-26T12:01:00.000Z'), limit: 1 }))).toEqual(['c1']);
        expect(actions(await log.query({ until: new Date('2026-11-26T12:03:00.000Z'), limit: 2 }))).toEqual(['a2', 'run.start']);
        expect(actions(await log.query({ person: 'bob@example.com', limit: 2 }))).toEqual(['b1', 'b2']);
        expect(await log.query({ userName: 'bob', limit: 0 })).toEqual([]);
        expect(await log.query({ runId: 'run-3', limit: 0 })).toEqual([]);
      });
    });

    describe('verify', () => {
      it('accepts an untouched chain and reports its head', async () => {
        const entries = await appendMany(log, 5, clock);
        expect(await log.verify()).toEqual({ ok: true, entries: 5, head: entries[4]!.hash });
      });

      it('detects an edited entry', async () => {
        await appendMany(log, 5, clock);
        await edit(3, { result: 'failed' });
        const verdict = await log.verify();
        expect(verdict).toMatchObject({ ok: false, firstBadSeq: 3, entries: 2 });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/seq 3\b.*edited/);
      });

      it('detects an edited entry whose own hash was recomputed, at the next link', async () => {
        await appendMany(log, 5, clock);
        await edit(3, { after: { status: 'Active' } }, true);
        const verdict = await log.verify();
        expect(verdict).toMatchObject({ ok: false, firstBadSeq: 4 });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/seq 4: prevHash does not match the hash of seq 3/);
      });

      it('detects a deleted entry in the middle', async () => {
        await appendMany(log, 5, clock);
        await fixture.tamper.remove(3);
        const verdict = await log.verify();
        expect(verdict).toMatchObject({ ok: false, firstBadSeq: 3, entries: 2 });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/seq 3 is missing/);
      });

      it('detects a deleted first entry', async () => {
        await appendMany(log, 3, clock);
        await fixture.tamper.remove(1);
        expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 1, entries: 0 });
      });

      it('detects reordered entries', async () => {
        await appendMany(log, 5, clock);
        await swap(2, 3);
        const verdict = await log.verify();
        expect(verdict).toMatchObject({ ok: false, firstBadSeq: 2 });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/seq 2\b/);
      });

      it('detects a truncated tail only against an anchor kept elsewhere', async () => {
        await appendMany(log, 5, clock);
        const anchor = await log.head();
        expect(anchor?.seq).toBe(5);
        await truncateAfter(3);
        // Without an anchor a clean cut at the tail is indistinguishable from a shorter log.
        expect(await log.verify()).toMatchObject({ ok: true, entries: 3 });
        const verdict = await log.verify({ expectedHead: anchor! });
        expect(verdict).toMatchObject({ ok: false, firstBadSeq: 4, entries: 3 });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/ends at seq 3.*seq 5.*truncated/);
      });

      it('detects a tail that was truncated and written again', async () => {
        await appendMany(log, 4, clock);
        const anchor = await log.head();
        await truncateAfter(2);
        const other = await fixture.openSecond();
        await appendMany(other, 3, clock);
        const verdict = await log.verify({ expectedHead: anchor! });
        expect(verdict).toMatchObject({ ok: false, firstBadSeq: 4 });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/seq 4: hash differs from the anchor/);
      });

      it('accepts an anchor that later entries have grown past', async () => {
        await appendMany(log, 3, clock);
        const anchor = await log.head();
        const later = await appendMany(log, 2, clock);
        expect(await log.verify({ expectedHead: anchor! })).toEqual({ ok: true, entries: 5, head: later[1]!.hash });
      });

      it('checks from the anchor on only when asked, still catching cuts and edits after it', async () => {
        await appendMany(log, 3, clock);
        const anchor = (await log.head())!;
        const later = await appendMany(log, 3, clock);
        // Reads the anchor entry and what follows: 4 entries, not 6.
        expect(await log.verify({ expectedHead: anchor, fromAnchor: true })).toEqual({ ok: true, entries: 4, head: later[2]!.hash });
        await edit(5, { action: 'edited' });
        expect(await log.verify({ expectedHead: anchor, fromAnchor: true })).toMatchObject({ ok: false, firstBadSeq: 5 });
      });

      it('checks from the anchor on and still sees the anchor entry itself cut away', async () => {
        await appendMany(log, 4, clock);
        const anchor = (await log.head())!;
        await truncateAfter(2);
        const verdict = await log.verify({ expectedHead: anchor, fromAnchor: true });
        expect(verdict).toMatchObject({ ok: false });
        expect(verdict.ok ? '' : verdict.problem).toMatch(/truncated|removed/);
      });
    });

    describe('query checks what it returns against the chain (tampering is caught on read, not only by verify)', () => {
      const broken = { name: 'AuditTamperedError', exitCode: 4 };

      it('a rewritten entry fails every query that returns it', async () => {
        await appendMany(log, 5, clock);
        await edit(3, { result: 'failed' });

        for (const filter of [{}, { person: 'bob@example.com' }, { userName: 'bob' }, { runId: 'run-1' }, { since: new Date('2026-11-26T12:00:01Z') }, { limit: 3 }]) {
          await expect(log.query(filter)).rejects.toMatchObject({ ...broken, message: expect.stringMatching(/seq 3\b/) });
        }
      });

      it('a rewritten entry whose own hash was recomputed fails queries at the next link', async () => {
        await appendMany(log, 5, clock);
        await edit(3, { result: 'failed', after: { status: 'Active' } }, true);

        await expect(log.query({ person: 'bob@example.com' })).rejects.toMatchObject({ ...broken, message: expect.stringMatching(/seq 4\b/) });
        await expect(log.query({ userName: 'BOB', limit: 3 })).rejects.toMatchObject(broken);
      });

      it('an entry deleted from the middle fails queries that span it', async () => {
        await appendMany(log, 5, clock);
        await fixture.tamper.remove(3);

        await expect(log.query({ person: 'bob@example.com' })).rejects.toMatchObject({ ...broken, message: expect.stringMatching(/seq 3 is missing/) });
      });

      it('answers untouched logs as before, from the chain itself', async () => {
        await appendMany(log, 5, clock);
        await log.append(createDummyEntry({ person: 'carol@example.com', target: 'carol', runId: 'run-2' }));

        expect(seqsOf(await log.query({ person: 'bob@example.com' }))).toEqual([1, 2, 3, 4, 5]);
        expect(seqsOf(await log.query({ person: 'bob@example.com', limit: 2 }))).toEqual([4, 5]);
        expect(seqsOf(await log.query({ runId: 'run-2' }))).toEqual([6]);
        expect(await log.query({ person: 'nobody@example.com' })).toEqual([]);
      });

      if (options.indexCopies === true) {
        it('an entry moved out of a person\'s index by rewriting its indexed copy is caught by queries and verify', async () => {
          await appendMany(log, 5, clock);
          await fixture.tamper.reindex?.(3, { personEmail: 'nobody@example.com' });

          await expect(log.query({ person: 'bob@example.com' })).rejects.toMatchObject({ ...broken, message: expect.stringMatching(/seq 3\b.*index/) });
          expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: expect.stringContaining('index') });
        });

        it('an entry moved into another person\'s index is caught', async () => {
          await appendMany(log, 2, clock);
          await log.append(createDummyEntry({ person: 'carol@example.com', target: 'carol' }));
          await fixture.tamper.reindex?.(3, { personEmail: 'bob@example.com' });

          await expect(log.query({ person: 'bob@example.com' })).rejects.toMatchObject(broken);
        });
      }
    });

    describe('concurrency', () => {
      it('keeps one linear chain under 50 parallel appends', async () => {
        const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(createDummyEntry({ action: `parallel-${i}` }))));
        expect(seqsOf(appended).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(await log.verify()).toMatchObject({ ok: true, entries: 50 });
      });

      it('keeps one linear chain when two handles append at once', async () => {
        const other = await fixture.openSecond();
        const writes = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? log : other).append(createDummyEntry({ action: `writer-${i % 2}-${i}` })));
        const appended = await Promise.all(writes);
        expect(new Set(seqsOf(appended)).size).toBe(30);
        const stored = await log.query({});
        expect(seqsOf(stored)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        expect(await other.verify()).toMatchObject({ ok: true, entries: 30 });
      });
    });
  });
}
