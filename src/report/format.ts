/** Text helpers shared by the report renderers: escaping, times and durations as auditors read them. */

import { terminalSafe } from '../domain/terminal-text';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  // Bidi overrides and invisible characters would make one name read as another in the browser too.
  const text = terminalSafe(value === undefined || value === null ? '' : String(value), { keepLayout: true });
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** An ISO instant as `YYYY-MM-DD HH:MM:SS UTC` (unambiguous across the auditor's and the company's zones). */
export function formatUtc(iso: string | undefined): string {
  if (iso === undefined) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Hours as a short duration: minutes under an hour, hours under two days, else days. */
export function formatHours(hours: number | undefined): string {
  if (hours === undefined) return '';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${trim(hours.toFixed(1))} h`;
  return `${trim((hours / 24).toFixed(1))} d`;
}

const trim = (fixed: string): string => fixed.replace(/\.0$/, '');

/** A share in 0..1 as a whole percentage with one decimal when needed. */
export function formatShare(share: number | undefined): string {
  if (share === undefined) return 'n/a';
  const pct = share * 100;
  return `${Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Hours rounded to two decimals for machine-readable exports. */
export const roundHours = (hours: number | undefined): number | undefined => (hours === undefined ? undefined : Math.round(hours * 100) / 100);
