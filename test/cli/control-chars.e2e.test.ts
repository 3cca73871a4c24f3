import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import type { Plan } from '../../src/domain/plan';
import type { AuditEntry } from '../../src/ports';
import type { RunningSandbox } from '../../src/sandbox/server';
import { demoRosterCsv, iamOnlyDemoConfig, runWarden, sandboxIamEnv, startDemoIamSandbox } from './harness';


/** What a terminal must never receive raw: C0 (but tab and newline), DEL, C1, bidi and invisible format characters. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const withoutCrlf = (text: string): string => text.replace(/\r\n/g, '\n');

/** The hostile strings: erase-line, an OSC 52 clipboard write, a C1 CSI, a right-to-left override. */
const ERASE = '\u001b[2K';
const CLIPBOARD = '\u001b]52;c;ZXZpbA==\u0007';
const C1_CSI = '\u009b31m';
const RLO = '\u202e';



jest.setTimeout(120_000);

describe('control characters from roster, IAM and audit data never reach the terminal raw', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let env: Record<string, string>;
  const now = new Date();

  beforeAll(async () => {
    sandbox = await startDemoIamSandbox(now);
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-controls-'));
    const roster = demoRosterCsv(now);
    const hostile = [
      `E900,mal${ERASE}lory@example.com,departed,Mallory,engineer,Platform,,,,`,
      `E901,eve@example.com,act${CLIPBOARD}ive,Eve,engineer,Platform,,,,`,
      `E902,trudy@example.com,departed,Trudy${C1_CSI},engineer,Platform,,,,trudy${RLO}gpj.exe`,
    ];
    writeFileSync(path.join(dir, 'roster.csv'), `${roster.trimEnd()}\n${hostile.join('\n')}\n`);
    const config = iamOnlyDemoConfig();
    writeFileSync(path.join(dir, 'warden.yaml'), config);
    env = sandboxIamEnv(sandbox.url);
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warden plan shows them escaped; --json keeps the exact values', async () => {
    const text = await runWarden(['plan', '--config', 'warden.yaml'], dir, env);
    const json = await runWarden(['plan', '--config', 'warden.yaml', '--json'], dir, env);

    expect(text.code).toBe(0);
    expect(RAW_CONTROL.test(text.stdout)).toBe(false);
    expect(RAW_CONTROL.test(text.stderr)).toBe(false);
    expect(text.stdout).toContain('trudy\\u202egpj.exe');
    expect(text.stdout).toContain('act\\u001b]52;c;ZXZpbA==\\u0007ive');
    expect(json.code).toBe(0);
    expect(RAW_CONTROL.test(json.stdout)).toBe(false);
    const plan = JSON.parse(json.stdout) as Plan;
    const messages = [...plan.errors.map((e) => e.message), ...plan.findings.map((f) => `${f.person?.email ?? ''} ${f.detail}`)].join('\n');
    expect(messages).toContain(`trudy${RLO}gpj.exe`);
    expect(messages).toContain(`act${CLIPBOARD}ive`);
  });

  it('warden audit query escapes them in the table and CSV; JSON keeps them exactly', async () => {
    const log = SqliteAuditLog.open(path.join(dir, 'warden.db'));
    await log.append({
      runId: 'run-hostile',
      actor: 'system',
      action: 'remove-host-key',
      target: `i-0abc:deploy key ${CLIPBOARD}`,
      person: `trudy${RLO}gpj.exe@example.com`,
      result: 'failed',
      error: `comment ${ERASE}${C1_CSI} done`,
    });
    log.close();

    const outputs = await Promise.all(
      (['table', 'csv', 'json'] as const).map((format) => runWarden(['audit', 'query', '--config', 'warden.yaml', '--run', 'run-hostile', '--format', format], dir, {})),
    );
    const [table, csv, json] = outputs;

    for (const run of outputs) {
      expect(run.code).toBe(0);
      expect(RAW_CONTROL.test(withoutCrlf(run.stdout))).toBe(false);
    }
    expect(table?.stdout).toContain('\\u001b]52;c;ZXZpbA==\\u0007');
    expect(table?.stdout).toContain('trudy\\u202egpj.exe@example.com');
    expect(csv?.stdout).toContain('comment \\u001b[2K\\u009b31m done');
    const [entry] = JSON.parse(json?.stdout ?? '[]') as AuditEntry[];
    expect(entry).toMatchObject({ target: `i-0abc:deploy key ${CLIPBOARD}`, person: `trudy${RLO}gpj.exe@example.com`, error: `comment ${ERASE}${C1_CSI} done` });
  });
});
