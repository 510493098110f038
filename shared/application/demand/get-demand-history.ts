import type { DemandStore } from './ports.ts';

export interface DemandHistoryView {
  sku: string;
  from: string;
  to: string;
  /** Units per day at each location that shipped (orders) or sold (imports), days without demand left out. */
  locations: Array<{ locationId: string; total: number; days: Array<{ date: string; units: number }> }>;
  /** Units per day by the region orders went to (orders only). */
  regions: Array<{ region: string; total: number; days: Array<{ date: string; units: number }> }>;
}

const within = (days: ReadonlyMap<string, number>, from: string, to: string) =>
  [...days].filter(([date, units]) => date >= from && date <= to && units !== 0).sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, units]) => ({ date, units }));

/** A SKU's daily demand between two dates (both included), per location and per region; empty lists when none. */
export async function getDemandHistory(deps: { demand: DemandStore }, tenantId: string, sku: string, from: string, to: string): Promise<DemandHistoryView> {
  const [locations, regions] = await Promise.all([deps.demand.locationHistory(tenantId, sku), deps.demand.regionHistory(tenantId, sku)]);
  const sum = (days: Array<{ units: number }>) => days.reduce((s, d) => s + d.units, 0);
  return {
    sku,
    from,
    to,
    locations: locations.map((s) => within(s.days, from, to)).map((days, i) => ({ locationId: locations[i]!.locationId, total: sum(days), days })).filter((s) => s.days.length),
    regions: regions
      .sort((a, b) => (a.region < b.region ? -1 : 1))
      .map((r) => ({ region: r.region, days: within(r.days, from, to) }))
      .map(({ region, days }) => ({ region, total: sum(days), days }))
      .filter((r) => r.days.length),
  };
}
