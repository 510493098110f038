import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Location } from '../inventory/location.ts';
import { availabilityCountersToRead, MAX_AVAILABILITY_STORES, pickupAvailability, type AvailabilityQuestion } from './pickup-availability.ts';

const NOW = new Date('2026-11-26T12:00:00Z'); // Thursday, 07:00 in New York

function store(locationId: string, geo: { lat: number; lon: number }, extra: Partial<Location> = {}): Location {
  return {
    tenantId: 't_0123456789ab',
    locationId,
    name: `Store ${locationId}`,
    type: 'store',
    geo,
    capabilities: { ship: true, pickup: true, curbside: false },
    handlingCost: 5,
    active: true,
    version: 1,
    updatedAt: NOW.toISOString(),
    ...extra,
  };
}

const weekdays = { mon: [{ opens: '10:00', closes: '20:00' }], tue: [{ opens: '10:00', closes: '20:00' }], wed: [{ opens: '10:00', closes: '20:00' }], thu: [{ opens: '10:00', closes: '20:00' }], fri: [{ opens: '10:00', closes: '20:00' }] };
const chelsea = store('chelsea', { lat: 40.7465, lon: -74.0014 }, { pickupSlotsPerDay: 3, openingHours: weekdays, timeZone: 'America/New_York', handlingMinutes: 30, capabilities: { ship: true, pickup: true, curbside: true } });
const brooklyn = store('brooklyn', { lat: 40.6782, lon: -73.9442 });
const newark = store('newark', { lat: 40.7357, lon: -74.1724 }, { pickupSlotsPerDay: 2 });
const philly = store('philly', { lat: 39.9526, lon: -75.1652 });
const warehouse = store('wh', { lat: 40.75, lon: -74 }, { type: 'warehouse', capabilities: { ship: true, pickup: false, curbside: false } });
const all = [chelsea, brooklyn, newark, philly, warehouse];
const midtown = { lat: 40.7484, lon: -73.9857 };

const question = (extra: Partial<AvailabilityQuestion> = {}): AvailabilityQuestion => ({
  kind: 'pickup',
  quantity: 2,
  near: midtown,
  radiusKm: 50,
  locations: all,
  available: new Map(all.map((l) => [l.locationId, 4])),
  slotsUsed: new Map(),
  now: NOW,
  ...extra,
});

describe('checkout availability', () => {
  it('lists the pickup stores within the radius holding the quantity, nearest first, with slots and ready-by', () => {
    const stores = pickupAvailability(question({ slotsUsed: new Map([['chelsea', 1]]) }));
    expect(stores.map((s) => s.locationId)).toEqual(['chelsea', 'brooklyn', 'newark']);
    // Chelsea opens at 10:00 New York time (15:00 UTC) and needs 30 minutes: ready 10:30 local.
    expect(stores[0]).toEqual({ locationId: 'chelsea', name: 'Store chelsea', distanceKm: 1.3, available: 4, curbside: true, readyBy: '2026-11-26T15:30:00.000Z', pickupDay: '2026-11-26', freeSlots: 2, timeZone: 'America/New_York' });
    // A store without hours is ready now, counts the UTC day and sets no limit.
    expect(stores[1]).toMatchObject({ locationId: 'brooklyn', readyBy: NOW.toISOString(), pickupDay: '2026-11-26' });
    expect(stores[1]!.freeSlots).toBeUndefined();
  });

  it('leaves out a full store, one short of the quantity, one beyond the radius, an inactive one and one without that pickup', () => {
    expect(pickupAvailability(question({ slotsUsed: new Map([['chelsea', 3]]) })).map((s) => s.locationId)).toEqual(['brooklyn', 'newark']);
    expect(pickupAvailability(question({ available: new Map([['chelsea', 1], ['brooklyn', 2]]) })).map((s) => s.locationId)).toEqual(['brooklyn']);
    expect(pickupAvailability(question({ radiusKm: 9 })).map((s) => s.locationId)).toEqual(['chelsea', 'brooklyn']);
    expect(pickupAvailability(question({ locations: [{ ...chelsea, active: false }, brooklyn] })).map((s) => s.locationId)).toEqual(['brooklyn']);
    expect(pickupAvailability(question({ kind: 'curbside' })).map((s) => s.locationId)).toEqual(['chelsea']);
    expect(pickupAvailability(question({ radiusKm: 500 })).map((s) => s.locationId)).toEqual(['chelsea', 'brooklyn', 'newark', 'philly']);
  });

  it('takes the quantity exactly at the stock: 4 of 4 is listed, 5 is not', () => {
    expect(pickupAvailability(question({ quantity: 4 }))).toHaveLength(3);
    expect(pickupAvailability(question({ quantity: 5 }))).toEqual([]);
  });

  it('reads the slot counters only of the stores with a limit that pass every other test', () => {
    expect(availabilityCountersToRead(question())).toEqual([
      { locationId: 'chelsea', day: '2026-11-26' },
      { locationId: 'newark', day: '2026-11-26' },
    ]);
    expect(availabilityCountersToRead(question({ radiusKm: 5 }))).toEqual([{ locationId: 'chelsea', day: '2026-11-26' }]);
  });

  it('never lists more than 50 stores, a full one, or one farther than the radius, sorted by distance', () => {
    const many = Array.from({ length: 80 }, (_, i) => store(`s${i}`, { lat: 40.5 + (i % 9) * 0.05, lon: -74.2 + Math.floor(i / 9) * 0.05 }, i % 3 === 0 ? { pickupSlotsPerDay: 1 } : {}));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), (radiusKm, full) => {
        const stores = pickupAvailability(question({ locations: many, radiusKm, available: new Map(many.map((l) => [l.locationId, 2])), slotsUsed: new Map(many.map((l, i) => [l.locationId, full[i] ? 1 : 0])) }));
        const sorted = stores.every((s, i) => i === 0 || stores[i - 1]!.distanceKm <= s.distanceKm);
        const fits = stores.every((s) => s.distanceKm <= radiusKm + 0.05 && s.freeSlots !== 0);
        return sorted && fits && stores.length <= MAX_AVAILABILITY_STORES;
      }),
    );
  });
});
