/**
 * Small SVG charts, written here rather than bundled from a library: a line chart for the per-minute series and a
 * horizontal bar chart for the breakdowns. No CDN, no dependency; text is escaped.
 */

export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed'];

/** A nice upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export interface Series {
  name: string;
  values: number[];
}

/** Lines over shared x labels (times), with a y axis, gridlines and a legend. */
export function lineChart(labels: string[], series: Series[], options: { width?: number; height?: number; unit?: string } = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 28 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const x = (i: number) => pad.left + (labels.length <= 1 ? plotW / 2 : (i / (labels.length - 1)) * plotW);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(max * f)}" y2="${y(max * f)}" class="grid"/><text x="${pad.left - 6}" y="${y(max * f) + 4}" text-anchor="end" class="axis">${escapeHtml(+(max * f).toFixed(2))}</text>`)
    .join('');
  const ticks = labels.length
    ? [0, Math.floor((labels.length - 1) / 2), labels.length - 1]
        .filter((v, i, all) => all.indexOf(v) === i)
        .map((i) => `<text x="${x(i)}" y="${height - 8}" text-anchor="middle" class="axis">${escapeHtml(labels[i])}</text>`)
        .join('')
    : '';
  const lines = series
    .map((s, k) => {
      const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2" points="${points}"><title>${escapeHtml(s.name)}</title></polyline>`;
    })
    .join('');
  const legend = series.map((s, k) => `<span class="legend"><i style="background:${COLORS[k % COLORS.length]}"></i>${escapeHtml(s.name)}</span>`).join('');
  return `<svg viewBox="0 0 ${width} ${height}" class="chart" role="img">${grid}${ticks}${lines}</svg><div class="legends">${legend}${options.unit ? `<span class="unit">${escapeHtml(options.unit)}</span>` : ''}</div>`;
}

/** Horizontal bars, one per row, longest scaled to the width; an empty list says so. */
export function barChart(rows: Array<{ label: string; value: number; note?: string }>, options: { width?: number; color?: string } = {}): string {
  if (rows.length === 0) return '<p class="empty">Nothing in this window.</p>';
  const width = options.width ?? 640;
  const rowH = 22;
  const labelW = 170;
  const max = Math.max(...rows.map((r) => r.value), 0) || 1;
  const bars = rows
    .map((r, i) => {
      // Room on the right for the note (`3 locations out, 12 units backordered`).
      const w = Math.max(1, ((width - labelW - 240) * r.value) / max);
      const top = i * rowH;
      return `<text x="${labelW - 8}" y="${top + 15}" text-anchor="end" class="axis">${escapeHtml(r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label)}</text>`
        + `<rect x="${labelW}" y="${top + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="2" fill="${options.color ?? COLORS[0]}"><title>${escapeHtml(r.label)}: ${r.value}</title></rect>`
        + `<text x="${labelW + w + 6}" y="${top + 15}" class="axis">${escapeHtml(r.note ?? r.value)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${width} ${rows.length * rowH + 4}" class="chart bars" role="img">${bars}</svg>`;
}
