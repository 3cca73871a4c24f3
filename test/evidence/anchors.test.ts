import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import Database from 'better-sqlite3';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { decodeAnchor, encodeAnchor, formatAnchorLine, parseAnchorLine } from '../../src/adapters/evidence/anchor-codec';
import { AnchorError } from '../../src/errors';
import { createAnchors } from '../../src/adapters/evidence/anchor-config';
import { parseConfig } from '../../src/config/load';
import { FileAnchorStore } from '../../src/adapters/evidence/file-anchor-store';
import { SlackAnchorSink } from '../../src/adapters/evidence/slack-anchor-sink';
import { SsmAnchorStore } from '../../src/adapters/evidence/ssm-anchor-store';
import { anchorHead, verifyAgainstAnchors } from '../../src/app/evidence';
import type { AnchorSink, AnchorStore, PublishedAnchor } from '../../src/ports/evidence';
import { createDummyEntry, createTestClock } from '../contract/audit-log.contract';
import { startFakeSsm, type FakeSsm } from './fake-ssm';

let root: string;
let ssm: FakeSsm;
let client: SSMClient;
let counter = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'warden-anchors-'));
  ssm = await startFakeSsm();
  client = new SSMClient({
    endpoint: ssm.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIATESTANCHOR000001', secretAccessKey: 'test-only' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await ssm.close();
  rmSync(root, { recursive: true, force: true });
});

const HEAD: PublishedAnchor = { seq: 39, hash: 'a'.repeat(64), at: '2026-11-26T18:00:00.000Z', runId: 'run-1' };

/** A SQLite audit log with `count` entries, and a raw connection with the append-only triggers dropped (the attacker). */
async function createTamperableLog(count: number): Promise<{ log: SqliteAuditLog; raw: Database.Database; close(): void }> {
  const path = join(root, `log-${++counter}`, 'warden.db');
  const log = SqliteAuditLog.open(path, { clock: createTestClock() });
  for (let i = 1; i <= count; i += 1) await log.append(createDummyEntry({ action: `step-${i}` }));
  const raw = new Database(path);
  raw.exec('DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;');
  return {
    log,
    raw,
    close: () => {
      raw.close();
      log.close();
    },
  };
}

describe('anchor codec', () => {
  it('round-trips an anchor and rejects anything else as tampering', () => {
    expect(decodeAnchor(encodeAnchor(HEAD), 'x')).toEqual(HEAD);
    expect(() => decodeAnchor('not json', 'file f')).toThrow(AnchorError);
    expect(() => decodeAnchor(JSON.stringify({ version: 1, seq: 3, hash: 'zz', at: 'x' }), 'file f')).toThrow(/64 hex digits/);
    expect(parseAnchorLine(`:lock: ${formatAnchorLine(HEAD)}`)).toEqual(HEAD);
    expect(parseAnchorLine('nothing here')).toBeUndefined();
  });
});

/** The behaviour every readable anchor store has. */
function anchorStoreCases(name: string, make: () => AnchorStore): void {
  describe(`AnchorStore: ${name}`, () => {
    it('has no anchor until one is published, then the latest', async () => {
      const store = make();
      expect(await store.latest()).toBeUndefined();
      await store.publish(HEAD);
      await store.publish({ ...HEAD, seq: 40, hash: 'b'.repeat(64) });
      expect(await store.latest()).toEqual({ ...HEAD, seq: 40, hash: 'b'.repeat(64) });
    });
  });
}

anchorStoreCases('file', () => new FileAnchorStore(join(root, `anchor-${++counter}`, 'head.json')));
anchorStoreCases('SSM Parameter Store (loopback HTTP, real SDK)', () => new SsmAnchorStore({ client, name: `/warden/audit-head-${++counter}` }));

describe('anchor stores', () => {
  it('FileAnchorStore reports a damaged file instead of "no anchor"', async () => {
    const file = join(root, 'damaged.json');
    writeFileSync(file, '{"version":1,"seq":0}');
    await expect(new FileAnchorStore(file).latest()).rejects.toThrow(AnchorError);
  });

  it('SsmAnchorStore writes a String parameter with overwrite', async () => {
    const store = new SsmAnchorStore({ client, name: '/warden/head-shape' });
    await store.publish(HEAD);
    await store.publish(HEAD);
    expect(ssm.parameters.get('/warden/head-shape')).toEqual({ value: encodeAnchor(HEAD), version: 2 });
    expect(store.description).toBe('SSM parameter /warden/head-shape');
  });

  it('SlackAnchorSink posts the head line to its channel', async () => {
    const posted: { channel: string; text: string }[] = [];
    const sink = new SlackAnchorSink({ postMessage: async (channel, message) => (posted.push({ channel, text: message.text }), { channel, ts: '1.2' }) }, 'C0AUDIT');
    await sink.publish(HEAD);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.channel).toBe('C0AUDIT');
    expect(parseAnchorLine(posted[0]?.text ?? '')).toEqual(HEAD);
  });

  it('wires the configured anchors and says which it could not', () => {
    const specs = parseConfig(
      'roster: { path: r.csv }\naudit: { store: sqlite, anchors: [{ kind: file, path: head.json }, { kind: ssm, name: /warden/head }, { kind: slack }] }\n',
      join(root, 'warden.yaml'),
    ).config.audit.anchors ?? [];
    const wiring = createAnchors(specs, { baseDir: root, ssm: () => client });
    expect(wiring.sinks.map((s) => s.description)).toEqual([`file ${join(root, 'head.json')}`, 'SSM parameter /warden/head']);
    expect(wiring.stores).toHaveLength(2);
    expect(wiring.skipped).toEqual(['Slack channel (none configured) (no Slack client here)']);
    expect(() => parseConfig('roster: { path: r.csv }\naudit: { store: sqlite, anchors: [{ kind: ssm, name: "bad name!" }] }\n', 'w.yaml')).toThrow(
      /audit\.anchors\.0\.name: must be an SSM parameter name/,
    );
  });
});

describe('anchorHead', () => {
  it('publishes the head to every sink, a failing sink being a value', async () => {
    const { log, close } = await createTamperableLog(3);
    const file = new FileAnchorStore(join(root, `anchor-${++counter}.json`));
    const broken: AnchorSink = { description: 'broken sink', publish: async () => Promise.reject(new Error('channel_not_found')) };
    try {
      const outcome = await anchorHead(log, [file, broken], { now: new Date('2026-11-26T12:00:00Z'), runId: 'run-7' });
      const head = await log.head();

      expect(outcome).toEqual({
        kind: 'anchored',
        anchor: { seq: 3, hash: head?.hash, at: '2026-11-26T12:00:00.000Z', runId: 'run-7' },
        deliveries: [
          { description: file.description, ok: true },
          { description: 'broken sink', ok: false, error: 'channel_not_found' },
        ],
      });
      expect(await file.latest()).toMatchObject({ seq: 3, hash: head?.hash });
    } finally {
      close();
    }
  });

  it('refuses to overwrite an anchor the log no longer reaches, so a truncation stays visible', async () => {
    const { log, raw, close } = await createTamperableLog(5);
    const file = new FileAnchorStore(join(root, `anchor-${++counter}.json`));
    try {
      await anchorHead(log, [file], { now: new Date() });
      raw.prepare('DELETE FROM audit_entries WHERE seq > 3').run();
      await log.append(createDummyEntry({ action: 'after-truncation' }));

      const outcome = await anchorHead(log, [file], { now: new Date() });

      expect(outcome).toMatchObject({ kind: 'refused', firstBadSeq: 5, against: file.description });
      expect((await file.latest())?.seq).toBe(5);
    } finally {
      close();
    }
  });

  it('does not overwrite a store whose previous anchor cannot be read', async () => {
    const { log, close } = await createTamperableLog(2);
    const published: PublishedAnchor[] = [];
    const unreadable: AnchorStore = {
      description: 'flaky',
      latest: async () => Promise.reject(new Error('timeout')),
      publish: async (a) => void published.push(a),
    };
    try {
      const outcome = await anchorHead(log, [unreadable], { now: new Date() });
      expect(outcome).toMatchObject({ kind: 'anchored', deliveries: [{ description: 'flaky', ok: false }] });
      expect(published).toEqual([]);
    } finally {
      close();
    }
  });

  it('has nothing to anchor in an empty log', async () => {
    const { log, close } = await createTamperableLog(0);
    try {
      expect(await anchorHead(log, [new FileAnchorStore(join(root, 'never.json'))], { now: new Date() })).toEqual({ kind: 'empty' });
    } finally {
      close();
    }
  });
});

describe('verifyAgainstAnchors detects every kind of tampering', () => {
  const anchored = async (count: number) => {
    const fixture = await createTamperableLog(count);
    const file = new FileAnchorStore(join(root, `anchor-${++counter}.json`));
    const ssmStore = new SsmAnchorStore({ client, name: `/warden/verify-${counter}` });
    await anchorHead(fixture.log, [file, ssmStore], { now: new Date() });
    return { ...fixture, stores: [file, ssmStore] };
  };

  it('passes an untouched log and names the anchors it reached', async () => {
    const { log, stores, close } = await anchored(6);
    try {
      const result = await verifyAgainstAnchors(log, stores);
      expect(result.chain).toMatchObject({ ok: true, entries: 6 });
      expect(result.anchors.map((a) => a.anchor?.seq)).toEqual([6, 6]);
    } finally {
      close();
    }
  });

  it('detects an edited entry', async () => {
    const { log, raw, stores, close } = await anchored(6);
    try {
      raw.prepare("UPDATE audit_entries SET target = 'mallory' WHERE seq = 3").run();
      expect((await verifyAgainstAnchors(log, stores)).chain).toMatchObject({ ok: false, firstBadSeq: 3, problem: expect.stringContaining('edited') });
    } finally {
      close();
    }
  });

  it('detects a deleted entry', async () => {
    const { log, raw, stores, close } = await anchored(6);
    try {
      raw.prepare('DELETE FROM audit_entries WHERE seq = 4').run();
      expect((await verifyAgainstAnchors(log, stores)).chain).toMatchObject({ ok: false, firstBadSeq: 4, problem: expect.stringContaining('missing') });
    } finally {
      close();
    }
  });

  it('detects reordered entries', async () => {
    const { log, raw, stores, close } = await anchored(6);
    try {
      raw.exec('UPDATE audit_entries SET seq = -2 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 3; UPDATE audit_entries SET seq = 3 WHERE seq = -2;');
      expect((await verifyAgainstAnchors(log, stores)).chain).toMatchObject({ ok: false, firstBadSeq: 2 });
    } finally {
      close();
    }
  });

  it('detects a truncated tail only with an anchor, and says against which', async () => {
    const { log, raw, stores, close } = await anchored(6);
    try {
      raw.prepare('DELETE FROM audit_entries WHERE seq > 4').run();

      expect(await log.verify()).toMatchObject({ ok: true, entries: 4 });
      const result = await verifyAgainstAnchors(log, stores);
      expect(result.chain).toMatchObject({ ok: false, entries: 4, firstBadSeq: 5, problem: expect.stringContaining('truncated tail') });
      expect(result.failedAgainst).toBe(stores[0]?.description);
    } finally {
      close();
    }
  });

  it('detects a rewritten log whose length still matches the anchor', async () => {
    const { log, raw, stores, close } = await anchored(3);
    try {
      raw.prepare('DELETE FROM audit_entries').run();
      for (let i = 0; i < 3; i += 1) await log.append(createDummyEntry({ action: `forged-${i}` }));
      expect((await verifyAgainstAnchors(log, stores)).chain).toMatchObject({ ok: false, firstBadSeq: 3, problem: expect.stringContaining('anchor') });
    } finally {
      close();
    }
  });

  it('reports an unreadable anchor and still checks the others', async () => {
    const { log, raw, stores, close } = await anchored(4);
    const unreadable: AnchorStore = { description: 'flaky', latest: async () => Promise.reject(new Error('timeout')), publish: async () => undefined };
    try {
      raw.prepare('DELETE FROM audit_entries WHERE seq = 4').run();
      const result = await verifyAgainstAnchors(log, [unreadable, ...stores]);
      expect(result.anchors[0]).toEqual({ description: 'flaky', error: 'timeout' });
      expect(result.chain.ok).toBe(false);
    } finally {
      close();
    }
  });
});

describe('a missing anchor is a broken chain once the log holds a finished run', () => {
  /** A log whose entries include a finished run, anchored to a file and an SSM parameter. */
  const finishedRun = async () => {
    const fixture = await createTamperableLog(0);
    for (const action of ['run.start', 'step', 'run.finish', 'step', 'run.start', 'run.finish']) await fixture.log.append(createDummyEntry({ action }));
    const filePath = join(root, `anchor-${++counter}.json`);
    const file = new FileAnchorStore(filePath);
    const name = `/warden/missing-${counter}`;
    const ssmStore = new SsmAnchorStore({ client, name });
    await anchorHead(fixture.log, [file, ssmStore], { now: new Date(), runId: 'run-1' });
    return { ...fixture, file, ssmStore, filePath, name };
  };

  it('truncating the tail and deleting the anchor file is caught by the SSM anchor, and the missing file is named', async () => {
    const { log, raw, file, ssmStore, filePath, close } = await finishedRun();
    try {
      raw.prepare('DELETE FROM audit_entries WHERE seq > 4').run();
      rmSync(filePath);

      const result = await verifyAgainstAnchors(log, [file, ssmStore]);

      expect(result.chain).toMatchObject({ ok: false, problem: expect.stringContaining('truncated tail') });
    } finally {
      close();
    }
  });

  it('deleting the SSM anchor alone is caught (the file still reached)', async () => {
    const { log, file, ssmStore, name, close } = await finishedRun();
    try {
      ssm.parameters.delete(name);

      const result = await verifyAgainstAnchors(log, [file, ssmStore]);

      expect(result.chain).toMatchObject({ ok: false, problem: expect.stringContaining('anchor is missing') });
      expect(result.failedAgainst).toBe(ssmStore.description);
    } finally {
      close();
    }
  });

  it('truncating and deleting the only anchor is caught', async () => {
    const { log, raw, file, filePath, close } = await finishedRun();
    try {
      raw.prepare('DELETE FROM audit_entries WHERE seq > 3').run();
      rmSync(filePath);

      const result = await verifyAgainstAnchors(log, [file]);

      expect(result.chain).toMatchObject({ ok: false, problem: expect.stringMatching(/anchor is missing.*seq 3 run\.finish/) });
      expect(result.failedAgainst).toBe(file.description);
    } finally {
      close();
    }
  });

  it('the next run does not re-anchor over a cut tail whose only anchor was deleted', async () => {
    const { log, raw, file, filePath, close } = await finishedRun();
    try {
      raw.prepare('DELETE FROM audit_entries WHERE seq > 3').run();
      rmSync(filePath);
      for (const action of ['run.start', 'run.finish']) await log.append(createDummyEntry({ action, runId: 'run-next' }));

      const outcome = await anchorHead(log, [file], { now: new Date(), runId: 'run-next' });

      expect(outcome).toMatchObject({ kind: 'refused', firstBadSeq: 3, against: file.description, problem: expect.stringContaining('every anchor is missing') });
      expect(await file.latest()).toBeUndefined();
      expect((await verifyAgainstAnchors(log, [file])).chain.ok).toBe(false);
    } finally {
      close();
    }
  });

  it('the first run anchors a fresh log', async () => {
    const fixture = await createTamperableLog(0);
    const file = new FileAnchorStore(join(root, `first-${++counter}.json`));
    try {
      for (const action of ['run.start', 'run.finish']) await fixture.log.append(createDummyEntry({ action, runId: 'run-first' }));
      expect(await anchorHead(fixture.log, [file], { now: new Date(), runId: 'run-first' })).toMatchObject({ kind: 'anchored', anchor: { seq: 2 } });
    } finally {
      fixture.close();
    }
  });

  it('a log without a finished run needs no anchor yet', async () => {
    const fixture = await createTamperableLog(3);
    try {
      const result = await verifyAgainstAnchors(fixture.log, [new FileAnchorStore(join(root, `never-${++counter}.json`))]);
      expect(result.chain).toMatchObject({ ok: true, entries: 3 });
    } finally {
      fixture.close();
    }
  });
});
