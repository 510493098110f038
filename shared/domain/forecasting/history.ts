// Demand history in the benchmark's CSV format (`date,sku,locationId,units`), read into dense daily series.
// Pure: text in, series out; the CLI does the file I/O.
import { formatIsoDay, parseIsoDay } from './calendar.ts';

export const HISTORY_HEADER = 'date,sku,locationId,units';
export const FORECAST_HEADER = 'date,sku,locationId,forecast';
export const POLICY_HEADER = 'sku,locationId,safetyStock,reorderPoint';

/** One (sku, location): daily units from its first day (`start`, a day number) to the panel's origin, zeros included. */
export interface DemandSeries {
  readonly sku: string;
  readonly locationId: string;
  readonly start: number;
  readonly units: Float64Array;
}

/** Every series of a history; `origin` is the last date of the file (the day forecasts are made on). */
export interface DemandPanel {
  readonly origin: number;
  readonly series: readonly DemandSeries[];
}

export class HistoryFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryFormatError';
  }
}

/**
 * Parses a history CSV. Rows may come in any order; a day a series has no row for (between its first day and the
 * file's last date) counts as zero demand, as in a sales export that leaves out days without sales. Fails with the
 * line number on a wrong header, a bad date, empty ids, units that are not a non-negative integer, or a duplicate row.
 */
export function parseHistoryCsv(text: string): DemandPanel {
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const keys = new Map<string, number>();
  const skus: string[] = [];
  const locations: string[] = [];
  const days: number[][] = [];
  const values: number[][] = [];
  const dayCache = new Map<string, number | undefined>();
  let origin = -Infinity;
  let lineNo = 0;
  let header = true;
  // Files usually hold a series' rows together: the previous row's series is tried before the map.
  let lastSku = '';
  let lastLocation = '';
  let last = -1;
  while (p < text.length) {
    let e = text.indexOf('\n', p);
    if (e < 0) e = text.length;
    let line = text.slice(p, e);
    p = e + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (header) {
      if (line.trim() !== HISTORY_HEADER) throw new HistoryFormatError(`line 1: the header must be "${HISTORY_HEADER}", got "${line.slice(0, 80)}"`);
      header = false;
      continue;
    }
    if (line.trim() === '') continue;
    const c1 = line.indexOf(',');
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : line.indexOf(',', c2 + 1);
    if (c3 < 0 || line.indexOf(',', c3 + 1) >= 0) {
      throw new HistoryFormatError(`line ${lineNo}: expected 4 fields (${HISTORY_HEADER}), got ${line.split(',').length}: "${line.slice(0, 80)}"`);
    }
    const dateText = line.slice(0, c1);
    const sku = line.slice(c1 + 1, c2);
    const locationId = line.slice(c2 + 1, c3);
    const unitsText = line.slice(c3 + 1);
    let day = dayCache.get(dateText);
    if (day === undefined && !dayCache.has(dateText)) {
      day = parseIsoDay(dateText);
      dayCache.set(dateText, day);
    }
    if (day === undefined) throw new HistoryFormatError(`line ${lineNo}: bad date "${dateText}" (expected a real date as YYYY-MM-DD)`);
    if (sku === '' || locationId === '') throw new HistoryFormatError(`line ${lineNo}: empty sku or locationId`);
    const units = unitsText.trim() === '' ? NaN : Number(unitsText);
    if (!Number.isInteger(units)) throw new HistoryFormatError(`line ${lineNo}: units must be a whole number, got "${unitsText}"`);
    if (units < 0) throw new HistoryFormatError(`line ${lineNo}: negative units (${units}) for ${sku} at ${locationId} on ${dateText}`);
    let s: number;
    if (last >= 0 && sku === lastSku && locationId === lastLocation) s = last;
    else {
      const key = sku + '\u0000' + locationId;
      let found = keys.get(key);
      if (found === undefined) {
        found = skus.length;
        keys.set(key, found);
        skus.push(sku);
        locations.push(locationId);
        days.push([]);
        values.push([]);
      }
      s = last = found;
      lastSku = sku;
      lastLocation = locationId;
    }
    days[s]!.push(day);
    values[s]!.push(units);
    if (day > origin) origin = day;
  }
  if (header) throw new HistoryFormatError(`the file is empty (expected the header "${HISTORY_HEADER}")`);
  if (skus.length === 0) throw new HistoryFormatError('the history has no rows');
  const series: DemandSeries[] = [];
  for (let s = 0; s < skus.length; s++) {
    const d = days[s]!;
    const v = values[s]!;
    let start = Infinity;
    for (const x of d) if (x < start) start = x;
    const units = new Float64Array(origin - start + 1).fill(NaN);
    for (let i = 0; i < d.length; i++) {
      const t = d[i]! - start;
      if (!Number.isNaN(units[t]!)) {
        throw new HistoryFormatError(`duplicate rows for ${skus[s]} at ${locations[s]} on ${formatIsoDay(d[i]!)}`);
      }
      units[t] = v[i]!;
    }
    for (let t = 0; t < units.length; t++) if (Number.isNaN(units[t]!)) units[t] = 0;
    series.push({ sku: skus[s]!, locationId: locations[s]!, start, units });
  }
  return { origin, series };
}

/** Rounds for the CSV without turning a tiny positive forecast into a misleading exact zero. */
function fixed(x: number, digits: number): string {
  return x.toFixed(digits).replace(/\.?0+$/, '') || '0';
}

/** `date,sku,locationId,forecast`: one row per series and horizon day (forecasts[s][j] is day origin + 1 + j). */
export function formatForecastCsv(panel: DemandPanel, forecasts: readonly Float64Array[]): string {
  const out: string[] = [FORECAST_HEADER];
  const horizon = forecasts[0]?.length ?? 0;
  const dates = Array.from({ length: horizon }, (_, j) => formatIsoDay(panel.origin + 1 + j));
  panel.series.forEach((s, i) => {
    const f = forecasts[i]!;
    const prefix = `,${s.sku},${s.locationId},`;
    for (let j = 0; j < horizon; j++) out.push(dates[j] + prefix + fixed(f[j]!, 4));
  });
  return out.join('\n') + '\n';
}

export interface PolicyRow {
  readonly safetyStock: number;
  readonly reorderPoint: number;
}

/** `sku,locationId,safetyStock,reorderPoint`: one row per series. */
export function formatPolicyCsv(panel: DemandPanel, policy: readonly PolicyRow[]): string {
  const out: string[] = [POLICY_HEADER];
  panel.series.forEach((s, i) => {
    const r = policy[i]!;
    out.push(`${s.sku},${s.locationId},${fixed(r.safetyStock, 4)},${fixed(r.reorderPoint, 4)}`);
  });
  return out.join('\n') + '\n';
}
