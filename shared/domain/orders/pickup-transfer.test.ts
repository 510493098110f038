import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_TABLE } from '../carriers/rate-table.ts';
import type { Location } from '../inventory/location.ts';
import { pickupTransferId, planPickupTransfers, type PickupTransferQuestion } from './pickup-transfer.ts';
import { anOrder } from './test-fixtures.ts';

const NOW = new Date('2026-11-26T12:00:00Z'); // Thursday

function location(locationId: string, type: Location['type'], geo: { lat: number; lon: number }, extra: Partial<Location> = {}): Location {
  return { tenantId: 't_0123456789ab', locationId, name: locationId, type, geo, capabilities: { ship: true, pickup: type === 'store', curbside: false }, handlingCost: 5, active: true, version: 1, updatedAt: NOW.toISOString(), ...extra };
}

const store = location('chelsea', 'store', { lat: 40.7465, lon: -74.0014 }, { timeZone: 'America/New_York', handlingMinutes: 30, openingHours: { mon: [{ opens: '10:00', closes: '18:00' }], tue: [{ opens: '10:00', closes: '18:00' }], wed: [{ opens: '10:00', closes: '18:00' }], thu: [{ opens: '10:00', closes: '18:00' }], fri: [{ opens: '10:00', closes: '18:00' }] } });
const newark = location('newark', 'warehouse', { lat: 40.7357, lon: -74.1724 });
const reno = location('reno', 'warehouse', { lat: 39.5296, lon: -119.8138 });
const order = anOrder({
  lines: [
    { lineId: 'l1', sku: 'LAMP', quantity: 3, fulfillment: { type: 'pickup', locationId: 'chelsea' } },
    { lineId: 'l2', sku: 'LAMP', quantity: 2, fulfillment: { type: 'pickup', locationId: 'chelsea' } },
    { lineId: 'l3', sku: 'LAMP', quantity: 1, fulfillment: { type: 'ship' } },
  ],
});

const question = (extra: Partial<PickupTransferQuestion> = {}): PickupTransferQuestion => ({
  order,
  missing: [{ lineId: 'l1', sku: 'LAMP', quantity: 3 }],
  locations: [store, newark, reno],
  stock: new Map([['newark', { LAMP: 4 }], ['reno', { LAMP: 50 }]]),
  skus: new Map([['LAMP', { weightLb: 2 }]]),
  rateTable: DEFAULT_RATE_TABLE,
  existing: new Set(),
  now: NOW,
  ...extra,
});

describe('a pickup through a transfer', () => {
  it('takes the missing units from the nearest location holding them all, promised for their arrival and the store\'s handling', () => {
    const [plan, ...rest] = planPickupTransfers(question());
    expect(rest).toEqual([]);
    expect(plan).toMatchObject({ transferId: 'tr_o_01abc.l1', lineId: 'l1', sku: 'LAMP', quantity: 3, fromLocationId: 'newark', toLocationId: 'chelsea' });
    // Delivered on a later business day (midday UTC, 07:00 in New York), ready at 10:30 when the store opens and handles it.
    const arrival = new Date(plan!.expectedArrivalAt);
    expect(arrival.getTime()).toBeGreaterThan(NOW.getTime());
    expect(plan!.readyBy).toBe(`${plan!.expectedArrivalAt.slice(0, 10)}T15:30:00.000Z`);
    expect(plan!.promisedDate).toBe(plan!.expectedArrivalAt.slice(0, 10));
  });

  it('never draws one origin twice over: a second line goes to the next location that still holds it', () => {
    const plans = planPickupTransfers(question({ missing: [{ lineId: 'l1', sku: 'LAMP', quantity: 3 }, { lineId: 'l2', sku: 'LAMP', quantity: 2 }] }));
    expect(plans.map((p) => [p.lineId, p.fromLocationId])).toEqual([['l1', 'newark'], ['l2', 'reno']]);
  });

  it('starts no second transfer for a line that has one, none for a ship line, and none when nobody holds the whole line', () => {
    expect(planPickupTransfers(question({ existing: new Set([pickupTransferId('o_01abc', 'l1')]) }))).toEqual([]);
    expect(planPickupTransfers(question({ missing: [{ lineId: 'l3', sku: 'LAMP', quantity: 1 }] }))).toEqual([]);
    expect(planPickupTransfers(question({ missing: [{ lineId: 'l1', sku: 'LAMP', quantity: 60 }] }))).toEqual([]);
    expect(planPickupTransfers(question({ locations: [{ ...store, active: false }, newark] }))).toEqual([]);
    // The store rejected the line (or let its window pass): it is not sent units for it.
    expect(planPickupTransfers(question({ order: { ...order, routingExclusions: [{ locationId: 'chelsea', sku: 'LAMP' }] } }))).toEqual([]);
  });

  it('never takes from the store itself or from an inactive location', () => {
    const plans = planPickupTransfers(question({ locations: [store, { ...newark, active: false }, reno], stock: new Map([['chelsea', { LAMP: 9 }], ['newark', { LAMP: 9 }], ['reno', { LAMP: 9 }]]) }));
    expect(plans.map((p) => p.fromLocationId)).toEqual(['reno']);
  });
});
