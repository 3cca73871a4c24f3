import type { AccessRecord } from '../domain/evidence/access-records';
import { describePath } from '../domain/evidence/access-records';
import type { AccessRow, HoldingSpan, SnapshotHeader } from '../domain/evidence/snapshot';
import { formatUtc } from './format';

/** `account/user` or `instance:osUser`, as people say it. */
export function principalLabel(record: AccessRecord): string {
  switch (record.kind) {
    case 'iam-user':
      return `${record.account}/${record.userName}`;
    case 'host-user':
      return `${record.instanceId}:${record.osUser}`;
    case 'ic-user':
      return `Identity Center ${record.account}/${record.userName}`;
    case 'ic-instance':
      return `Identity Center ${record.account}`;
  }
}

const personLabel = (record: AccessRecord): string =>
  record.person === undefined ? '' : `${record.person.email} (${record.person.employeeId})`;

function blockers(record: AccessRecord): string {
  if (record.kind === 'iam-user') {
    const notes = [record.denyAll ? 'deny-all attached' : '', record.credentialsKnown ? '' : 'credentials not read', record.detailKnown ? '' : 'SSH keys not read'];
    return notes.filter((n) => n !== '').join('; ');
  }
  if (record.kind === 'host-user') return record.locked ? 'account locked' : '';
  const denied = record.paths.filter((p) => p.kind === 'ic-session-deny' && p.inForce).length;
  return denied > 0 ? `sessions denied in ${denied} permission set${denied === 1 ? '' : 's'}` : '';
}

/** Header and rows for "who could get in then" (table and CSV share them). */
export function accessRowsTable(rows: readonly AccessRow[]): { header: string[]; rows: string[][] } {
  return {
    header: ['principal', 'person', 'could get in', 'credentials', 'groups and policies', 'notes'],
    rows: rows.map((row) => [
      principalLabel(row.record),
      personLabel(row.record),
      row.canGetIn ? 'yes' : 'no',
      row.credentials.map(describePath).join('; '),
      row.grants.map(describePath).join('; '),
      blockers(row.record),
    ]),
  };
}

/** Header and rows for a person's holdings over time. */
export function holdingsTable(holdings: readonly HoldingSpan[]): { header: string[]; rows: string[][] } {
  return {
    header: ['principal', 'held', 'first seen', 'last seen', 'gone by'],
    rows: holdings.map((h) => [principalLabel(h.record), h.description, formatUtc(h.firstSeen), formatUtc(h.lastSeen), h.goneBy === undefined ? 'still held' : formatUtc(h.goneBy)]),
  };
}

/** One line describing the snapshot an answer comes from. */
export function snapshotLine(header: SnapshotHeader): string {
  return `snapshot #${header.seq} of ${header.runId}, taken ${formatUtc(header.at)} (${header.recordCount} principals, digest ${header.digest.slice(0, 16)}…)`;
}

/**
 * The line an answer adds when Identity Center is configured but the snapshot in force holds no Identity Center records
 * (taken before Warden kept them): "not recorded", so nobody reads the missing rows as "held nothing".
 */
export function identityCenterNote(recorded: 'recorded' | 'not-recorded' | undefined, configured: boolean): string | undefined {
  return configured && recorded === 'not-recorded'
    ? 'Identity Center: not recorded in this snapshot (taken before Warden kept Identity Center records); its users are not shown.'
    : undefined;
}
