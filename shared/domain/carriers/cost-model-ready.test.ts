import { describe, expect, it } from 'vitest';
import { costModelFor, type CostModelInput, type CostModelLocation } from './cost-model.ts';
import { DEFAULT_RATE_TABLE } from './rate-table.ts';
import { rateAllServices } from './rating.ts';

// Store hours (issue 14, part 3): a location hands its parcel to the carrier when it can (`readyAt`), not at once.
const NYC = { lat: 40.7128, lon: -74.006 };
const STORE: CostModelLocation = { id: 'brooklyn-store', type: 'store', lat: 40.6782, lon: -73.9442, timeZone: 'America/New_York' };
// Wednesday 10:00 in New York.
const NOW = new Date('2026-03-04T15:00:00Z');
const input = (locations: CostModelLocation[]): CostModelInput => ({ table: DEFAULT_RATE_TABLE, preference: 'fastest', destination: NYC, shipDate: NOW, locations, typicalWeightLb: 2 });

describe('the cost model with a location\'s ready instant', () => {
  it('is unchanged when the location can hand the parcel over now', () => {
    expect(costModelFor(input([{ ...STORE, readyAt: NOW }])).get(STORE.id)).toEqual(costModelFor(input([STORE])).get(STORE.id));
  });

  it('promises a day later for a parcel ready only after the carriers\' cut-off, counted from today', () => {
    const now = costModelFor(input([STORE])).get(STORE.id)!;
    // Ready at 20:00 New York time: past every cut-off, it leaves tomorrow.
    const evening = costModelFor(input([{ ...STORE, readyAt: new Date('2026-03-05T01:00:00Z') }])).get(STORE.id)!;
    expect(evening.promisedDays).toBe(now.promisedDays + 1);
    // Agrees with rating the parcel at that instant.
    const fastest = rateAllServices(DEFAULT_RATE_TABLE, { originLatLon: STORE, destLatLon: NYC, weightLb: 2, shipDate: new Date('2026-03-05T01:00:00Z'), originTimeZone: STORE.timeZone! }).find((q) => q.serviceCode === evening.serviceCode)!;
    expect(fastest.promisedDeliveryDate).toBe(new Date(Date.UTC(2026, 2, 4) + evening.promisedDays * 86_400_000).toISOString().slice(0, 10));
  });

  it('keeps two locations of one zone apart when they are ready at different times', () => {
    const other = { ...STORE, id: 'closed-till-monday', readyAt: new Date('2026-03-09T14:00:00Z') };
    const model = costModelFor(input([STORE, other]));
    expect(model.get(other.id)!.promisedDays).toBeGreaterThan(model.get(STORE.id)!.promisedDays + 3);
  });
});
