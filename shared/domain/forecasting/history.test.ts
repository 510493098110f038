import { describe, expect, it } from 'vitest';
import { parseIsoDay } from './calendar.ts';
import { formatForecastCsv, formatPolicyCsv, HistoryFormatError, parseHistoryCsv } from './history.ts';

const csv = (...rows: string[]) => ['date,sku,locationId,units', ...rows].join('\n') + '\n';

describe('parseHistoryCsv', () => {
  it('builds one dense series per sku and location, rows in any order, up to the last date of the file', () => {
    const panel = parseHistoryCsv(csv('2024-01-03,A,L1,4', '2024-01-01,A,L1,2', '2024-01-02,A,L1,0', '2024-01-03,B,L1,7'));
    expect(panel.origin).toBe(parseIsoDay('2024-01-03'));
    expect(panel.series.map((s) => [s.sku, s.locationId, [...s.units]])).toEqual([
      ['A', 'L1', [2, 0, 4]],
      ['B', 'L1', [7]],
    ]);
  });

  it('counts a day without a row as no demand', () => {
    const panel = parseHistoryCsv(csv('2024-01-01,A,L1,2', '2024-01-03,A,L1,1'));
    expect([...panel.series[0]!.units]).toEqual([2, 0, 1]);
  });

  it('accepts a byte order mark and CRLF line ends', () => {
    const panel = parseHistoryCsv('\ufeffdate,sku,locationId,units\r\n2024-01-01,A,L1,2\r\n');
    expect(panel.series).toHaveLength(1);
  });

  it.each([
    ['a wrong header', 'date,sku,location,units\n2024-01-01,A,L1,1\n', /header must be "date,sku,locationId,units"/],
    ['an empty file', '', /empty/],
    ['a header without rows', 'date,sku,locationId,units\n', /no rows/],
    ['a bad date', csv('2024-02-30,A,L1,1'), /line 2: bad date "2024-02-30"/],
    ['negative units', csv('2024-01-01,A,L1,-3'), /line 2: negative units/],
    ['fractional units', csv('2024-01-01,A,L1,1.5'), /whole number/],
    ['a missing field', csv('2024-01-01,A,1'), /expected 4 fields/],
    ['a duplicate row', csv('2024-01-01,A,L1,1', '2024-01-01,A,L1,2'), /duplicate rows for A at L1 on 2024-01-01/],
  ])('rejects %s with a message naming it', (_, text, message) => {
    expect(() => parseHistoryCsv(text)).toThrow(HistoryFormatError);
    expect(() => parseHistoryCsv(text)).toThrow(message);
  });
});

describe('output files', () => {
  const panel = parseHistoryCsv(csv('2024-01-30,A,L1,1', '2024-01-31,A,L1,1'));

  it('writes one forecast row per series and day after the origin', () => {
    expect(formatForecastCsv(panel, [Float64Array.of(1.5, 0.123456, 0)])).toBe(
      'date,sku,locationId,forecast\n2024-02-01,A,L1,1.5\n2024-02-02,A,L1,0.1235\n2024-02-03,A,L1,0\n',
    );
  });

  it('writes one policy row per series', () => {
    expect(formatPolicyCsv(panel, [{ safetyStock: -0.25, reorderPoint: 3 }])).toBe('sku,locationId,safetyStock,reorderPoint\nA,L1,-0.25,3\n');
  });
});
