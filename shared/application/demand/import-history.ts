import { parseHistoryCsvRows, parseHistoryFile, parseHistoryJson, type HistoryRow } from '#domain/demand/history-import';
import type { Clock } from '../ports.ts';
import type { DemandStore } from './ports.ts';

export interface ImportReport {
  rows: number;
  skus: number;
  locations: number;
  firstDate: string;
  lastDate: string;
}

/**
 * Imports a merchant's past sales: parses and checks every row first (HistoryImportError names each bad one, and
 * nothing is written), then sets each (sku, location, day) to its units. Setting, not adding, makes a repeated or
 * retried import harmless: the same rows twice leave the same history.
 */
export async function importDemandHistory(
  deps: { demand: DemandStore; clock: Clock },
  tenantId: string,
  input: { csv: string } | { rows: HistoryRow[] },
): Promise<ImportReport> {
  const today = deps.clock.now().toISOString().slice(0, 10);
  const rows = 'csv' in input ? parseHistoryCsvRows(input.csv, today) : parseHistoryJson({ rows: input.rows }, today);
  await deps.demand.importRows(tenantId, rows);
  const dates = rows.map((row) => row.date).sort();
  return {
    rows: rows.length,
    skus: new Set(rows.map((row) => row.sku)).size,
    locations: new Set(rows.map((row) => row.locationId)).size,
    firstDate: dates[0]!,
    lastDate: dates[dates.length - 1]!,
  };
}

/**
 * A history file of any size (the ops CLI): checked whole first, then imported in parts of at most MAX_IMPORT_ROWS,
 * one after the other. A part that fails leaves the parts before it imported; running the command again is safe,
 * since an import sets each day rather than adding to it.
 */
export async function importDemandHistoryFile(deps: { demand: DemandStore; clock: Clock }, tenantId: string, text: string): Promise<ImportReport & { parts: number }> {
  const parts = parseHistoryFile(text, deps.clock.now().toISOString().slice(0, 10));
  for (const rows of parts) await deps.demand.importRows(tenantId, rows);
  const rows = parts.flat();
  const dates = rows.map((row) => row.date).sort();
  return {
    rows: rows.length,
    skus: new Set(rows.map((row) => row.sku)).size,
    locations: new Set(rows.map((row) => row.locationId)).size,
    firstDate: dates[0]!,
    lastDate: dates[dates.length - 1]!,
    parts: parts.length,
  };
}
