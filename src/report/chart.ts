import type { LeaverReport } from '../domain/evidence/leavers';
import { escapeHtml, formatHours } from './format';

/** One bar of the time-to-revoke histogram. */
export interface ChartBucket {
  readonly label: string;
  readonly count: number;
  readonly tone: 'within' | 'over' | 'open';
}

/** Bucket edges in hours, scaled to the SLA (24 h gives 1 h, 4 h, 8 h, 24 h, 48 h, 7 d). */
function edgesFor(slaHours: number): number[] {
  return [0, slaHours / 24, slaHours / 6, slaHours / 3, slaHours, slaHours * 2, slaHours * 7];
}

/** `1–4 h`, `24–48 h`, `2–7 d`: one unit per range, hours up to two days. */
function rangeLabel(low: number, high: number): string {
  const num = (n: number): string => String(Math.round(n * 10) / 10);
  if (high <= 48) return `${num(low)}–${num(high)} h`;
  if (low >= 24) return `${num(low / 24)}–${num(high / 24)} d`;
  return `${formatHours(low)}–${formatHours(high)}`;
}

/** Closed leavers by hours to "no access left" against the SLA, plus one bar for leavers still open. */
export function chartBuckets(report: LeaverReport): ChartBucket[] {
  const edges = edgesFor(report.slaHours);
  const buckets: ChartBucket[] = [];
  for (let i = 1; i <= edges.length; i += 1) {
    const low = edges[i - 1] as number;
    const high = edges[i];
    const count = report.leavers.filter(
      (l) => l.hoursToNoAccess !== undefined && (i === 1 ? l.hoursToNoAccess >= low : l.hoursToNoAccess > low) && (high === undefined || l.hoursToNoAccess <= high),
    ).length;
    const label = i === 1 ? `≤ ${formatHours(high)}` : high === undefined ? `> ${formatHours(low)}` : rangeLabel(low, high);
    buckets.push({ label, count, tone: high !== undefined && high <= report.slaHours ? 'within' : 'over' });
  }
  buckets.push({ label: 'still open', count: report.leavers.filter((l) => l.open).length, tone: 'open' });
  return buckets;
}

const TONE_FILL: Readonly<Record<ChartBucket['tone'], string>> = { within: '#2e7d32', over: '#c62828', open: '#ef6c00' };

/** The histogram as inline SVG (no script, no external resource), with a text title for screen readers. */
export function renderTimeToRevokeChart(report: LeaverReport): string {
  const buckets = chartBuckets(report);
  const width = 680;
  const height = 240;
  const left = 36;
  const bottom = 44;
  const top = 34;
  const plotHeight = height - top - bottom;
  const slot = (width - left - 8) / buckets.length;
  const barWidth = Math.min(56, slot * 0.7);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const y = (count: number): number => top + plotHeight - (count / max) * plotHeight;
  const withinCount = buckets.filter((b) => b.tone === 'within').length;
  const slaX = left + slot * withinCount;
  const ticks = [...new Set([0, Math.ceil(max / 2), max])];
  const parts: string[] = [];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${left}" x2="${width - 8}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#ddd" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${tick}</text>`,
    );
  }
  buckets.forEach((bucket, i) => {
    const x = left + slot * i + (slot - barWidth) / 2;
    const barTop = y(bucket.count);
    parts.push(
      `<rect class="bar bar-${bucket.tone}" x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top + plotHeight - barTop).toFixed(1)}" fill="${TONE_FILL[bucket.tone]}"><title>${escapeHtml(`${bucket.label}: ${bucket.count}`)}</title></rect>`,
      `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(barTop - 5).toFixed(1)}" text-anchor="middle" font-size="12" font-weight="bold" fill="#222">${bucket.count}</text>`,
      `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(top + plotHeight + 16).toFixed(1)}" text-anchor="middle" font-size="11" fill="#333">${escapeHtml(bucket.label)}</text>`,
    );
  });
  parts.push(
    `<line class="sla-line" x1="${slaX.toFixed(1)}" x2="${slaX.toFixed(1)}" y1="${top - 26}" y2="${top + plotHeight}" stroke="#111" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    `<text x="${(slaX - 4).toFixed(1)}" y="${top - 22}" text-anchor="end" font-size="11" fill="#111">SLA ${escapeHtml(formatHours(report.slaHours))}</text>`,
    `<line x1="${left}" x2="${width - 8}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333" stroke-width="1"/>`,
    `<text x="${(left + (width - left) / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#555">time from effective time to “no access left” (leavers)</text>`,
  );
  const summary = buckets.map((b) => `${b.label}: ${b.count}`).join(', ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="time-to-revoke-chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<title id="chart-title">${escapeHtml(`Leavers by time to no access left. ${summary}`)}</title>`,
    ...parts,
    '</svg>',
  ].join('');
}
