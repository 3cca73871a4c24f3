import { escapeMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { toTable } from '../../src/cli/format';
import type { Action, Plan } from '../../src/domain/plan';
import { renderPlanText } from '../../src/domain/render';
import { terminalSafe } from '../../src/domain/terminal-text';
import { toCsv } from '../../src/lib/csv';
import { escapeHtml } from '../../src/report/format';

const ERASE = '\u001b[2K';
const CLIPBOARD = '\u001b]52;c;ZXZpbA==\u0007';
const C1_CSI = '\u009b31m';
const RLO = '\u202e';
const ZERO_WIDTH = '\u200b';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;

describe('terminalSafe: one helper for every human-readable output', () => {
  it('shows C0, DEL, C1, bidi and invisible characters as visible escapes', () => {
    expect(terminalSafe(`a${ERASE}b${CLIPBOARD}c${C1_CSI}d${RLO}e${ZERO_WIDTH}f\u007fg\r\nh\ti`)).toBe(
      'a\\u001b[2Kb\\u001b]52;c;ZXZpbA==\\u0007c\\u009b31md\\u202ee\\u200bf\\u007fg\\u000d\\u000ah\\u0009i',
    );
    expect(terminalSafe('plain text, ünïcode ✓ 日本')).toBe('plain text, ünïcode ✓ 日本');
  });

  it('keeps line breaks, tabs and CRLF when asked, but not a lone carriage return', () => {
    expect(terminalSafe(`one\r\ntwo\n\tthree\rfour${ERASE}`, { keepLayout: true })).toBe('one\r\ntwo\n\tthree\\u000dfour\\u001b[2K');
  });

  it('turns JSON text into the same JSON value with no raw controls left', () => {
    const value = { name: `x${C1_CSI}${RLO}\\${RLO}`, n: 1 };
    const safe = terminalSafe(JSON.stringify(value, null, 2), { keepLayout: true });
    expect(RAW_CONTROL.test(safe)).toBe(false);
    expect(JSON.parse(safe)).toEqual(value);
  });

  it('is what plan text, tables, CSV, HTML and Slack mrkdwn use', () => {
    const action = {
      id: 'a1',
      kind: 'remove-host-key',
      account: '111122223333',
      userName: 'i-0abc:deploy',
      reason: 'departed',
      person: { employeeId: `E9${RLO}`, email: `eve${ERASE}@example.com` },
      control: 'offboarding-24h',
      target: { instanceId: 'i-0abc', osUser: 'deploy', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: `laptop${CLIPBOARD}\nfake line` },
    } as Action;
    const plan: Plan = {
      version: 1,
      generatedAt: '2026-12-03T00:00:00Z',
      actions: [action],
      findings: [],
      errors: [{ source: 'roster.csv', line: 3, message: `bad ${C1_CSI}` }],
      guard: { tripped: false, reasons: [] },
      summary: { actions: 1, findings: 0, people: 1, iamUsers: 0 },
    };

    const outputs = [
      renderPlanText(plan),
      toTable(['name'], [[`bob${ERASE}`]]),
      toCsv(['name'], [[`bob${CLIPBOARD}`]]),
      escapeHtml(`evil${RLO}gpj.exe`),
      escapeMrkdwn(`<!channel> ${RLO}`),
    ];

    for (const output of outputs) expect(RAW_CONTROL.test(output.replace(/\r\n/g, '\n'))).toBe(false);
    expect(outputs[0]).toContain('"laptop\\u001b]52;c;ZXZpbA==\\u0007\\u000afake line"');
    expect(outputs[0]).not.toMatch(/^fake line/m);
    expect(outputs[3]).toBe('evil\\u202egpj.exe');
    expect(outputs[4]).toBe('&lt;!channel&gt; \\u202e');
  });
});
