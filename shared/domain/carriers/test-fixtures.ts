// A small rate table with round numbers for unit tests: prices are easy to compute by hand, fuel is 0 unless
// a test sets it, and the default zone is UTC so that instants read as local times.
import { parseRateTable, type RateTable, type RateTableInput } from './rate-table.ts';

const Z = (v: number) => [v, v, v, v, v, v, v, v];

export function testTableInput(): RateTableInput {
  return {
    schemaVersion: 1,
    version: 3,
    currency: 'USD',
    defaultTimeZone: 'UTC',
    zones: [
      { zone: 1, upToKm: 100 },
      { zone: 2, upToKm: 500 },
      { zone: 3, upToKm: 1000 },
      { zone: 4, upToKm: 2000 },
      { zone: 5, upToKm: 3000 },
      { zone: 6, upToKm: 4000 },
      { zone: 7, upToKm: 5000 },
      { zone: 8, upToKm: 6000 },
    ],
    holidays: ['2026-12-25'],
    carriers: [
      {
        code: 'ACME',
        name: 'Acme Parcel',
        dimDivisor: 139,
        services: [
          {
            code: 'ACME_GROUND',
            name: 'Acme Ground',
            mode: 'ground',
            transitDays: [1, 2, 3, 4, 5, 5, 6, 6],
            cutoff: { localTime: '17:00' },
            maxWeightLb: 70,
            pricing: {
              kind: 'per-lb',
              base: [10, 11, 12, 13, 14, 15, 16, 17],
              breaks: [
                { aboveLb: 1, perLb: Z(1) },
                { aboveLb: 10, perLb: Z(0.5) },
              ],
            },
          },
          {
            code: 'ACME_2DAY',
            name: 'Acme 2 Day',
            mode: 'air',
            transitDays: Z(2),
            cutoff: { localTime: '16:00' },
            maxWeightLb: 70,
            pricing: { kind: 'per-lb', base: Z(18), breaks: [{ aboveLb: 1, perLb: Z(2) }] },
          },
          {
            code: 'ACME_EXPRESS',
            name: 'Acme Express',
            mode: 'air',
            transitDays: Z(1),
            cutoff: { localTime: '15:00' },
            maxWeightLb: 70,
            pricing: { kind: 'per-lb', base: Z(30), breaks: [{ aboveLb: 1, perLb: Z(3) }] },
          },
          {
            code: 'ACME_COURIER',
            name: 'Acme Courier',
            mode: 'courier',
            transitDays: [0, null, null, null, null, null, null, null],
            cutoff: { localTime: '12:00' },
            maxWeightLb: 20,
            pricing: {
              kind: 'table',
              rows: [
                { upToLb: 5, prices: [15, null, null, null, null, null, null, null] },
                { upToLb: 20, prices: [25, null, null, null, null, null, null, null] },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function testTable(edit?: (t: RateTableInput) => void): RateTable {
  const input = testTableInput();
  edit?.(input);
  return parseRateTable(input);
}

/** Longitude on the equator that lies `km` great-circle km east of (0, 0). */
export function lonForKm(km: number): number {
  return km / ((2 * Math.PI * 6371.0088) / 360);
}

export const ORIGIN = { lat: 0, lon: 0 } as const;
export const at = (km: number) => ({ lat: 0, lon: lonForKm(km) });
