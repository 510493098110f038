import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastChunk, originFor, panelOf } from './forecast-run.ts';
import { HistoryImportError, MAX_IMPORT_ROWS, parseHistoryCsvRows, parseHistoryFile, parseHistoryJson, TooManyRowsError } from './history-import.ts';
import { chunkLines, shipmentDemandChange, sumBySku, type ShipmentImage } from './shipment-demand.ts';

const shipment = (status: string, lines = [{ sku: 'TEE', quantity: 2 }]): ShipmentImage => ({
  tenantId: 't_1', orderId: 'o_1', shipmentId: 'o_1-S1-1-1', locationId: 'olean-wh', status, lines, createdAt: '2026-03-01T23:59:59.000Z',
});

describe('which shipment changes are demand', () => {
  it('counts a new shipment on the UTC day it was allocated, at its location, per SKU', () => {
    const change = shipmentDemandChange('INSERT', undefined, shipment('REQUESTED', [{ sku: 'TEE', quantity: 2 }, { sku: 'CAP', quantity: 1 }, { sku: 'TEE', quantity: 3 }]));
    expect(change).toEqual({ kind: 'count', tenantId: 't_1', orderId: 'o_1', shipmentId: 'o_1-S1-1-1', locationId: 'olean-wh', day: '2026-03-01', lines: [{ sku: 'TEE', units: 5 }, { sku: 'CAP', units: 1 }] });
  });

  it('takes it back when the shipment is rejected or cancelled, once', () => {
    expect(shipmentDemandChange('MODIFY', shipment('REQUESTED'), shipment('REJECTED'))).toEqual({ kind: 'reverse', tenantId: 't_1', shipmentId: 'o_1-S1-1-1' });
    expect(shipmentDemandChange('MODIFY', shipment('ACCEPTED'), shipment('CANCELLED'))?.kind).toBe('reverse');
    expect(shipmentDemandChange('MODIFY', shipment('REJECTED'), shipment('REJECTED'))).toBeUndefined();
  });

  it('ignores the rest of the lifecycle (accepted, shipped, delivered, removed)', () => {
    expect(shipmentDemandChange('MODIFY', shipment('REQUESTED'), shipment('ACCEPTED'))).toBeUndefined();
    expect(shipmentDemandChange('MODIFY', shipment('ACCEPTED'), shipment('SHIPPED'))).toBeUndefined();
    expect(shipmentDemandChange('REMOVE', shipment('DELIVERED'), undefined)).toBeUndefined();
    expect(shipmentDemandChange('INSERT', undefined, shipment('REQUESTED', []))).toBeUndefined();
  });

  it('chunks lines so every SKU is in exactly one chunk of at most the size', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'), quantity: fc.integer({ min: 0, max: 5 }) })), fc.integer({ min: 1, max: 4 }), (lines, size) => {
        const summed = sumBySku(lines);
        const chunks = chunkLines(summed, size);
        expect(chunks.flat()).toEqual(summed);
        expect(chunks.every((c) => c.length >= 1 && c.length <= size)).toBe(true);
        expect(summed.reduce((s, l) => s + l.units, 0)).toBe(lines.reduce((s, l) => s + l.quantity, 0));
      }),
    );
  });
});

describe('a history import', () => {
  const today = '2026-03-10';

  it('reads the benchmark format with CRLF, a BOM, blank lines, dots and capitals in ids', () => {
    const rows = parseHistoryCsvRows('\uFEFFdate,sku,locationId,units\r\n2026-03-01,Tee.BLK-M,Olean_WH,3\r\n\r\n2026-03-10,Tee.BLK-M,Olean_WH,0\r\n', today);
    expect(rows).toEqual([{ date: '2026-03-01', sku: 'Tee.BLK-M', locationId: 'Olean_WH', units: 3 }, { date: '2026-03-10', sku: 'Tee.BLK-M', locationId: 'Olean_WH', units: 0 }]);
  });

  it('names every bad line and field', () => {
    const csv = ['date,sku,locationId,units', '2026-02-30,A,L,1', '2026-03-01,A,L,-2', '2026-03-01,A,L,1.5', '2026-03-01,A#B,L,1', '2026-03-01,A,L', '2026-03-11,A,L,1'].join('\n');
    const error = (() => { try { parseHistoryCsvRows(csv, today); } catch (e) { return e as HistoryImportError; } })();
    expect(error).toBeInstanceOf(HistoryImportError);
    expect(error!.errors.map((e) => e.field)).toEqual(['line 2.date', 'line 3.units', 'line 4.units', 'line 5.sku', 'line 6']);
    expect(() => parseHistoryCsvRows('date,sku,locationId,units\n2026-03-11,A,L,1', today)).toThrow(/line 2.date.*future/);
  });

  it('refuses ids the keys cannot hold (unicode, #, spaces inside, 129 characters) and takes 128', () => {
    const at = (sku: string) => () => parseHistoryCsvRows(`date,sku,locationId,units\n2026-03-01,${sku},L,1`, today);
    expect(at('Tée')).toThrow(/line 2.sku/);
    expect(at('A B')).toThrow(/line 2.sku/);
    expect(at('x'.repeat(129))).toThrow(/line 2.sku.*at most 128/);
    expect(at('x'.repeat(128))()).toHaveLength(1);
    expect(parseHistoryCsvRows('date,sku,locationId,units\n2000-01-01,A,L,1000000000', today)[0]!.units).toBe(1_000_000_000);
    expect(() => parseHistoryCsvRows('date,sku,locationId,units\n1999-12-31,A,L,1', today)).toThrow(/line 2.date.*2000-01-01/);
    expect(() => parseHistoryCsvRows('date,sku,locationId,units\n2026-03-01,A,L,1000000001', today)).toThrow(/line 2.units/);
  });

  it('refuses a wrong header, an empty file, duplicates and more rows than the limit', () => {
    expect(() => parseHistoryCsvRows('day,sku,location,units\n', today)).toThrow(/header/);
    expect(() => parseHistoryCsvRows('date,sku,locationId,units\n', today)).toThrow(/no rows/);
    expect(() => parseHistoryCsvRows('date,sku,locationId,units\n2026-03-01,A,L,1\n2026-03-01,A,L,2', today)).toThrow(/line 3: duplicate of line 2/);
    expect(() => parseHistoryJson({ rows: [{ date: '2026-03-01', sku: 'A', locationId: 'L', units: 1 }, { date: '2026-03-01', sku: 'A', locationId: 'L', units: 1 }] }, today)).toThrow(/rows\[1\]: duplicate of rows\[0\]/);
    const row = '2026-03-01,A,L,1';
    const rows = (n: number) => ['date,sku,locationId,units', ...Array.from({ length: n }, (_, i) => row.replace(',L,', `,L${i},`))].join('\n');
    expect(parseHistoryCsvRows(rows(MAX_IMPORT_ROWS), today)).toHaveLength(MAX_IMPORT_ROWS);
    expect(() => parseHistoryCsvRows(rows(MAX_IMPORT_ROWS + 1), today)).toThrow(TooManyRowsError);
  });
});

describe('a history file for the CLI', () => {
  const today = '2026-03-10';
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `2026-03-01,A,L${i},${i % 3}`);

  it('comes in parts of at most the import limit, every row once', () => {
    const parts = parseHistoryFile(['date,sku,locationId,units', ...rows(2 * MAX_IMPORT_ROWS + 1)].join('\n'), today);
    expect(parts.map((p) => p.length)).toEqual([MAX_IMPORT_ROWS, MAX_IMPORT_ROWS, 1]);
  });

  it('names bad lines and duplicates by their line in the whole file, across parts', () => {
    const lines = ['date,sku,locationId,units', ...rows(MAX_IMPORT_ROWS), '2026-03-01,A,L0,1', '2026-03-01,A,X,-1'];
    const error = (() => { try { parseHistoryFile(lines.join('\n'), today); } catch (e) { return e as HistoryImportError; } })();
    expect(error!.errors).toEqual([
      { field: `line ${MAX_IMPORT_ROWS + 3}.units`, message: 'must be 0 or more' },
    ]);
    const dup = (() => { try { parseHistoryFile(lines.slice(0, -1).join('\n'), today); } catch (e) { return e as HistoryImportError; } })();
    expect(dup!.errors[0]!.field).toBe(`line ${MAX_IMPORT_ROWS + 2}`);
    expect(dup!.errors[0]!.message).toMatch(/duplicate of line 2 /);
  });
});

describe('the forecast run', () => {
  const days = (from: string, n: number, units: (i: number) => number) =>
    new Map(Array.from({ length: n }, (_, i) => [new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10), units(i)] as const));

  it('fills the days without demand with zeros and leaves out days after the origin', () => {
    const panel = panelOf([{ sku: 'A', locationId: 'L', days: new Map([['2026-03-01', 2], ['2026-03-04', 1], ['2026-03-09', 7]]) }], '2026-03-05');
    expect(panel.series).toHaveLength(1);
    expect(Array.from(panel.series[0]!.units)).toEqual([2, 0, 0, 1, 0]);
  });

  it('stores a horizon of forecasts per location, summing to the SKU total, with each location\'s lead time', () => {
    const panel = panelOf(
      [
        { sku: 'A', locationId: 'east', days: days('2026-01-01', 60, (i) => 3 + (i % 7 === 0 ? 4 : 0)) },
        { sku: 'A', locationId: 'west', days: days('2026-01-01', 60, (i) => (i % 3 === 0 ? 1 : 0)) },
      ],
      '2026-03-01',
    );
    const out = forecastChunk('t_1', panel, { horizonDays: 28, leadTimeDays: 7, serviceLevel: 0.95, locationLeadTimeDays: { west: 14 } }, { runId: 'r', generatedAt: '2026-03-02T02:00:00.000Z' });
    expect(out.locations.map((f) => [f.locationId, f.leadTimeDays, f.daily.length])).toEqual([['east', 7, 28], ['west', 14, 28]]);
    for (const f of out.locations) {
      expect(f.reorderPoint).toBeGreaterThanOrEqual(0);
      expect(f.safetyStock).toBeCloseTo(f.reorderPoint - f.leadTimeDemand, 3);
      expect(f.daily.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    }
    const total = out.skus[0]!.daily;
    total.forEach((x, j) => expect(out.locations[0]!.daily[j]! + out.locations[1]!.daily[j]!).toBeCloseTo(x, 2));
  });

  it('stores finite, non-negative forecasts and whole reorder points for any short history, however sparse', () => {
    const history = fc.array(fc.record({ offset: fc.integer({ min: 0, max: 40 }), units: fc.integer({ min: 0, max: 50 }), location: fc.constantFrom('a', 'b') }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(history, (points) => {
        const byLocation = new Map<string, Map<string, number>>();
        for (const p of points) {
          const date = new Date(Date.parse('2026-03-01') - p.offset * 86_400_000).toISOString().slice(0, 10);
          (byLocation.get(p.location) ?? byLocation.set(p.location, new Map()).get(p.location)!).set(date, p.units);
        }
        const panel = panelOf([...byLocation].map(([locationId, days]) => ({ sku: 'A', locationId, days })), '2026-03-01');
        const out = forecastChunk('t_1', panel, { horizonDays: 7, leadTimeDays: 3, serviceLevel: 0.9 }, { runId: 'r', generatedAt: 'now' });
        expect(out.locations).toHaveLength(byLocation.size);
        for (const f of out.locations) {
          expect(f.daily.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
          expect(Number.isInteger(f.reorderPoint) && f.reorderPoint >= 0).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('takes the day before the run as the origin', () => {
    expect(originFor(new Date('2026-03-02T00:30:00Z'))).toBe('2026-03-01');
  });
});
