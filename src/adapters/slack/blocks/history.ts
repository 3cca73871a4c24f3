import type { types } from '@slack/bolt';
import type { AccessAtResult, PersonHistory } from '../../../app/evidence';
import type { HoldingSpan, SnapshotHeader } from '../../../domain/evidence/snapshot';
import { accessRowsTable, identityCenterNote, principalLabel } from '../../../report/access';
import { formatInZone } from '../../../domain/time';
import { sessionEvidenceOf, sessionEvidenceWords } from '../../../domain/evidence/sessions';
import type { AuditEntry } from '../../../ports';
import { actorMention, escapeMrkdwn, safeText, truncate } from '../mrkdwn';
import type { SlackBlock, SlackMessage } from '../web';
import { IDS, LIMITS, briefJson, section, header, context, divider, button } from './kit';

/** Auditors' history and point-in-time access answers, paged. */

const RESULT_ICON: Readonly<Record<string, string>> = {
  ok: ':white_check_mark:',
  verified: ':shield:',
  failed: ':x:',
  skipped: ':fast_forward:',
  intent: ':small_blue_diamond:',
};

/** Entries per history page: one section each, well under 50 blocks and the message size Slack accepts. */
export const HISTORY_PAGE_SIZE = 20;

/** One audit entry as a mrkdwn line, every field escaped and the whole under the section limit. */
export function historyEntryText(entry: AuditEntry, timezone: string): string {
  const subject = [entry.account, entry.target].filter((x) => x !== undefined).join('/');
  const parts = [
    `*${formatInZone(new Date(entry.at), timezone)}*  ${RESULT_ICON[entry.result] ?? ''} \`${safeText(entry.action, 100)}\` ${entry.result}`,
    `${subject !== '' ? `${safeText(subject, 300)} · ` : ''}by ${actorMention(entry.actor)}${entry.reason !== undefined ? ` · ${safeText(entry.reason, 200)}` : ''} · #${entry.seq}`,
  ];
  if (entry.error !== undefined) parts.push(`> ${safeText(entry.error, 800)}`);
  if (entry.action === 'leaver.sessions') {
    const evidence = sessionEvidenceOf(entry);
    if (evidence !== undefined) parts.push(`:hourglass: ${safeText(sessionEvidenceWords(evidence, new Date()), 400)}`);
  }
  const after = briefJson(entry.after, 600);
  if (after !== '') parts.push(`\`${safeText(after, 700)}\``);
  return truncate(parts.join('\n'), LIMITS.sectionText);
}

/** Leavers' live role sessions as recorded by then, one line each (at most a few: the rest is in the CLI). */
function sessionBlocks(sessions: readonly string[] | undefined): SlackBlock[] {
  if (sessions === undefined || sessions.length === 0) return [];
  return [section(truncate(`:hourglass: *Leavers' role sessions*\n${sessions.slice(0, 10).map((line) => `• ${safeText(line, 300)}`).join('\n')}`, LIMITS.sectionText))];
}

const icNoteBlocks = (note: string | undefined): SlackBlock[] => (note === undefined ? [] : [context(`:grey_question: ${note}`)]);

/** Which history is shown, carried in the paging buttons. */
export interface HistoryCursor {
  readonly q: string;
  readonly p: number;
}

/** Holdings (from access snapshots) per history page, shown above that page's audit entries. */
export const HOLDINGS_PAGE_SIZE = 15;

/** Principals per `/access at` page. */
export const ACCESS_AT_PAGE_SIZE = 20;

/** Lines packed into as few sections as fit, each under Slack's section limit. */
function packLines(lines: readonly string[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  let current = '';
  for (const line of lines) {
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length > LIMITS.sectionText && current !== '') {
      blocks.push(section(current));
      current = line;
    } else {
      current = next;
    }
  }
  if (current !== '') blocks.push(section(current));
  return blocks;
}

/** One thing a person held over consecutive snapshots, as a mrkdwn line. */
export function holdingLine(holding: HoldingSpan, timezone: string): string {
  const icon = holding.held.kind === 'could-get-in' ? ':unlock:' : '•';
  const first = formatInZone(new Date(holding.firstSeen), timezone);
  const last = formatInZone(new Date(holding.lastSeen), timezone);
  const seen = first === last ? first : `${first} → ${last}`;
  // Snapshots are taken as a run starts, so "still held" would overstate it: say where the evidence ends.
  const until = holding.goneBy === undefined ? '*in the latest snapshot*' : `gone by ${formatInZone(new Date(holding.goneBy), timezone)}`;
  return truncate(`${icon} \`${safeText(principalLabel(holding.record), 150)}\` ${safeText(holding.description, 250)} — seen ${seen}, ${until}`, 600);
}

const snapshotRange = (first: SnapshotHeader, last: SnapshotHeader | undefined, timezone: string): string =>
  `snapshots ${formatInZone(new Date(first.at), timezone)} to ${formatInZone(new Date(last?.at ?? first.at), timezone)}`;

function holdingsBlocks(history: PersonHistory, page: number, timezone: string): SlackBlock[] {
  if (history.firstSnapshot === undefined) return [section('*What they held*: no access snapshots yet; every reconciliation records one.')];
  const range = snapshotRange(history.firstSnapshot, history.lastSnapshot, timezone);
  if (history.holdings.length === 0) return [section(`*What they held* (${range}): nothing attributed to this person in any snapshot.`)];
  const slice = history.holdings.slice(page * HOLDINGS_PAGE_SIZE, (page + 1) * HOLDINGS_PAGE_SIZE);
  if (slice.length === 0) return [];
  const heading = `*What they held* (${range}; ${history.holdings.length} holding${history.holdings.length === 1 ? '' : 's'}, ${page * HOLDINGS_PAGE_SIZE + 1}–${page * HOLDINGS_PAGE_SIZE + slice.length} here). Held before the first snapshot or between two is not seen.`;
  return packLines([heading, ...slice.map((h) => holdingLine(h, timezone))]);
}

const pageButtons = (cursor: HistoryCursor, page: number, pages: number): SlackBlock[] => {
  const nav: types.Button[] = [];
  const value = (p: number): string => JSON.stringify({ q: truncate(cursor.q, 500), p });
  if (page > 0) nav.push(button('← Newer', `${IDS.historyPage}_newer`, value(page - 1)));
  if (page < pages - 1) nav.push(button('Older →', `${IDS.historyPage}_older`, value(page + 1)));
  return nav.length > 0 ? [{ type: 'actions', elements: nav }] : [];
};

/**
 * One page of an access history (audit entries newest first) with Newer/Older buttons; never more than 50 blocks.
 * With `holdings` (from access snapshots), what the person held over time is paged alongside, above the entries.
 */
export function historyMessage(title: string, entries: readonly AuditEntry[], cursor: HistoryCursor, timezone: string, holdings?: PersonHistory): SlackMessage {
  const holdingPages = holdings === undefined ? 0 : Math.ceil(holdings.holdings.length / HOLDINGS_PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(entries.length / HISTORY_PAGE_SIZE), holdingPages);
  const page = Math.min(Math.max(0, cursor.p), pages - 1);
  const slice = entries.slice(page * HISTORY_PAGE_SIZE, (page + 1) * HISTORY_PAGE_SIZE);
  const counts = [entries.length === 0 ? 'No audit entries' : `${entries.length} audit entries`, ...(holdings !== undefined ? [`${holdings.holdings.length} holdings`] : [])];
  const blocks: SlackBlock[] = [
    header(`Access history: ${truncate(title, 120)}`),
    context(`Page ${page + 1} of ${pages} · ${counts.join(' · ')} · newest first · times in ${escapeMrkdwn(timezone)}`),
  ];
  if (holdings !== undefined) {
    const held = holdingsBlocks(holdings, page, timezone);
    blocks.push(...held);
    if (held.length > 0 && slice.length > 0) blocks.push(divider, context('*Audit trail* (newest first)'));
  }
  blocks.push(...slice.map((e) => section(historyEntryText(e, timezone))), ...pageButtons(cursor, page, pages));
  return { text: `Access history for ${escapeMrkdwn(title)} (page ${page + 1} of ${pages})`, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** What `/access at` asked for, for the answer's heading. */
export interface AccessAtAsked {
  readonly at: Date;
  /** How to name the time asked about (`end of 2026-10-02 (UTC)`); default the instant in the config's zone. */
  readonly label?: string;
  /** The filter as typed (`group developers`), or empty. */
  readonly filter: string;
  /** The first snapshot ever taken, to say when looking starts if none was in force. */
  readonly firstSnapshot?: SnapshotHeader;
}

/** One page of "who could get in then" from the snapshot in force, those who could first; never more than 50 blocks. */
export function accessAtMessage(asked: AccessAtAsked, result: AccessAtResult, cursor: HistoryCursor, timezone: string, identityCenterConfigured = false): SlackMessage {
  const atText = asked.label ?? formatInZone(asked.at, timezone);
  const filter = asked.filter === '' ? '' : ` (${safeText(asked.filter, 200)})`;
  const title = header(`Access at ${truncate(atText, 60)}`);
  const snapshot = result.snapshot;
  if (snapshot === undefined) {
    const first = asked.firstSnapshot;
    const why = first === undefined ? 'No access snapshots yet; every reconciliation records one.' : `No snapshot had been taken by ${atText}; the first is from ${formatInZone(new Date(first.at), timezone)}.`;
    return { text: `Access at ${atText}: no snapshot in force`, blocks: [title, section(why), ...sessionBlocks(result.sessions)] };
  }
  const table = accessRowsTable(result.rows);
  const pages = Math.max(1, Math.ceil(table.rows.length / ACCESS_AT_PAGE_SIZE));
  const page = Math.min(Math.max(0, cursor.p), pages - 1);
  const could = result.rows.filter((r) => r.canGetIn).length;
  const lines = table.rows.slice(page * ACCESS_AT_PAGE_SIZE, (page + 1) * ACCESS_AT_PAGE_SIZE).map(([principal = '', person = '', canGetIn = '', credentials = '', grants = '', notes = '']) => {
    const parts = [
      `${canGetIn === 'yes' ? ':unlock:' : ':lock:'} \`${safeText(principal, 150)}\`${person !== '' ? ` ${safeText(person, 150)}` : ' _(no person)_'}`,
      credentials !== '' ? `credentials: ${safeText(credentials, 400)}` : 'no credentials',
      ...(grants !== '' ? [`grants: ${safeText(grants, 400)}`] : []),
      ...(notes !== '' ? [`_${safeText(notes, 150)}_`] : []),
    ];
    return truncate(parts.join(' — '), 1200);
  });
  const blocks: SlackBlock[] = [
    title,
    context(
      `Snapshot #${snapshot.seq} of \`${safeText(snapshot.runId, 100)}\`, taken ${formatInZone(new Date(snapshot.at), timezone)} (${snapshot.recordCount} principals, digest ${snapshot.digest.slice(0, 16)}…) · page ${page + 1} of ${pages}`,
    ),
    section(`*${could} of ${result.rows.length} matching principal${result.rows.length === 1 ? '' : 's'} could get in*${filter}.`),
    ...packLines(lines),
    ...icNoteBlocks(identityCenterNote(result.identityCenter, identityCenterConfigured)),
    ...sessionBlocks(result.sessions),
    ...pageButtons(cursor, page, pages),
  ];
  return { text: `Access at ${atText}${filter}: ${could} of ${result.rows.length} could get in (page ${page + 1} of ${pages})`, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}
