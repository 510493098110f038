import { z } from 'zod';
import { parseIsoDay } from '#domain/forecasting/calendar';
import { locationIdSchema, skuSchema } from '#domain/inventory/schemas';

/**
 * Past sales a merchant imports, in the benchmark's format `date,sku,locationId,units` (docs/forecasting.md). An
 * import sets each (sku, location, day) to the units given, it does not add: importing the same rows twice leaves
 * the same totals. Pure: text or JSON rows in, validated rows out, or every bad row and field named.
 */

export const HISTORY_CSV_HEADER = 'date,sku,locationId,units';
/** Rows per request: each row is one item write (batched by 25), so one request stays well inside the API's 29 s. */
export const MAX_IMPORT_ROWS = 5000;
/** Units of one day: as much as a stock count may hold. */
export const MAX_DAY_UNITS = 1_000_000_000;
/** The earliest date accepted, and the latest is today: history is about the past. */
export const MIN_HISTORY_DATE = '2000-01-01';
/** Problems reported at most, so a wholly wrong file answers with a readable problem. */
export const MAX_REPORTED_ERRORS = 20;

export interface HistoryRow {
  date: string;
  sku: string;
  locationId: string;
  units: number;
}

export interface RowError {
  /** `rows[3].units` (JSON) or `line 5: units` (CSV): where the problem is. */
  field: string;
  message: string;
}

export class HistoryImportError extends Error {
  override readonly name = 'HistoryImportError';
  constructor(readonly errors: RowError[]) {
    super(`The history has ${errors.length === MAX_REPORTED_ERRORS ? `${MAX_REPORTED_ERRORS} or more` : errors.length} bad field(s): ${errors.slice(0, 3).map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
}

export class TooManyRowsError extends Error {
  override readonly name = 'TooManyRowsError';
  constructor(readonly rows: number) {
    super(`At most ${MAX_IMPORT_ROWS} rows per import, got ${rows}: split the file (npx dom demand import does)`);
  }
}

const dateSchema = z.string().refine((text) => parseIsoDay(text) !== undefined, 'must be a real date as YYYY-MM-DD');
const unitsSchema = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(MAX_DAY_UNITS, `must be at most ${MAX_DAY_UNITS}`);

export const historyRowSchema = z.strictObject({ date: dateSchema, sku: skuSchema, locationId: locationIdSchema, units: unitsSchema });
export const historyImportSchema = z.strictObject({
  rows: z.array(historyRowSchema).min(1, 'must hold at least one row').max(MAX_IMPORT_ROWS, `at most ${MAX_IMPORT_ROWS} rows per import`),
});

/**
 * Checks rows against the calendar (no date after `today`, none before MIN_HISTORY_DATE) and for duplicates (one
 * value per series and day), naming each bad row by `where(index)`. Throws HistoryImportError.
 */
export function checkRows(rows: readonly HistoryRow[], today: string, where: (index: number) => string): HistoryRow[] {
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    if (errors.length >= MAX_REPORTED_ERRORS) return;
    if (row.date > today) errors.push({ field: `${where(i)}.date`, message: `${row.date} is in the future (history ends today, ${today})` });
    else if (row.date < MIN_HISTORY_DATE) errors.push({ field: `${where(i)}.date`, message: `must be ${MIN_HISTORY_DATE} or later` });
    const key = `${row.sku}\u0000${row.locationId}\u0000${row.date}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push({ field: where(i), message: `duplicate of ${where(first)} (${row.sku} at ${row.locationId} on ${row.date})` });
    else seen.set(key, i);
  });
  if (errors.length) throw new HistoryImportError(errors);
  return [...rows];
}

/** The JSON body's rows, checked; field paths as the API names them (`rows[3].units`). */
export function parseHistoryJson(body: { rows: HistoryRow[] }, today: string): HistoryRow[] {
  return checkRows(body.rows, today, (i) => `rows[${i}]`);
}

/**
 * A CSV import (header `date,sku,locationId,units`, comma-separated, no quoting; CRLF, a BOM and blank lines are
 * accepted). Every bad line is named by its line number in the file and its field.
 */
export function parseHistoryCsvRows(text: string, today: string): HistoryRow[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/\r$/, ''));
  if ((lines[0] ?? '').trim() !== HISTORY_CSV_HEADER) {
    throw new HistoryImportError([{ field: 'line 1', message: `the header must be "${HISTORY_CSV_HEADER}", got "${(lines[0] ?? '').slice(0, 80)}"` }]);
  }
  const rows: HistoryRow[] = [];
  const lineOf: number[] = [];
  const errors: RowError[] = [];
  for (let n = 1; n < lines.length && errors.length < MAX_REPORTED_ERRORS; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    if (rows.length + errors.length >= MAX_IMPORT_ROWS) throw new TooManyRowsError(lines.slice(1).filter((l) => l.trim() !== '').length);
    const fields = line.split(',');
    const where = `line ${n + 1}`;
    if (fields.length !== 4) {
      errors.push({ field: where, message: `expected 4 fields (${HISTORY_CSV_HEADER}), got ${fields.length}` });
      continue;
    }
    const [date, sku, locationId, unitsText] = fields.map((f) => f.trim()) as [string, string, string, string];
    const units = /^-?\d+$/.test(unitsText) ? Number(unitsText) : Number.NaN;
    const parsed = historyRowSchema.safeParse({ date, sku, locationId, units: Number.isNaN(units) ? unitsText : units });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        errors.push({ field: `${where}.${field}`, message: field === 'units' && Number.isNaN(units) ? `must be a whole number, got "${unitsText.slice(0, 20)}"` : issue.message });
      }
      continue;
    }
    rows.push(parsed.data);
    lineOf.push(n + 1);
  }
  if (errors.length) throw new HistoryImportError(errors.slice(0, MAX_REPORTED_ERRORS));
  if (!rows.length) throw new HistoryImportError([{ field: 'line 2', message: 'the history has no rows' }]);
  return checkRows(rows, today, (i) => `line ${lineOf[i]}`);
}

/**
 * A history file of any length for the ops CLI, checked whole (every line named by its line in the file, duplicates
 * across the whole file found) and answered in parts of at most MAX_IMPORT_ROWS rows, one import each.
 */
export function parseHistoryFile(text: string, today: string): HistoryRow[][] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const header = lines[0] ?? '';
  const numbered = lines.slice(1).map((line, i) => ({ line, n: i + 2 })).filter(({ line }) => line.trim() !== '');
  if (!numbered.length) return [parseHistoryCsvRows(header, today)];
  const parts: HistoryRow[][] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < numbered.length && errors.length < MAX_REPORTED_ERRORS; i += MAX_IMPORT_ROWS) {
    const chunk = numbered.slice(i, i + MAX_IMPORT_ROWS);
    try {
      const rows = parseHistoryCsvRows([header, ...chunk.map((c) => c.line)].join('\n'), today);
      rows.forEach((row, k) => {
        const key = `${row.sku}\u0000${row.locationId}\u0000${row.date}`;
        const first = seen.get(key);
        if (first !== undefined) errors.push({ field: `line ${chunk[k]!.n}`, message: `duplicate of line ${first} (${row.sku} at ${row.locationId} on ${row.date})` });
        else seen.set(key, chunk[k]!.n);
      });
      parts.push(rows);
    } catch (error) {
      if (!(error instanceof HistoryImportError)) throw error;
      // `line k` of the part is the part's (k - 2)th row: name the line of the file instead.
      errors.push(...error.errors.map((e) => ({ ...e, field: e.field.replace(/^line (\d+)/, (_, k: string) => (Number(k) === 1 ? 'line 1' : `line ${chunk[Number(k) - 2]!.n}`)), message: e.message.replace(/line (\d+)/g, (_, k: string) => `line ${chunk[Number(k) - 2]?.n ?? k}`) })));
    }
  }
  if (errors.length) throw new HistoryImportError(errors.slice(0, MAX_REPORTED_ERRORS));
  return parts;
}
