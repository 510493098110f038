import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_TABLE } from '../carriers/rate-table.ts';
import type { Location } from '../inventory/location.ts';
import { parseRoutingRules } from '../routing/rules.ts';
import { choosePickupStore, pickupSlotDay, slotCountersToRead, slotReleasesOf, slotTakesOf, type PickupQuestion } from './pickup-capacity.ts';
import { decideAllocation, planParcels, type PlanInput } from './planning.ts';
import { anOrder } from './test-fixtures.ts';

const NOW = new Date('2026-11-26T12:00:00Z');

function store(locationId: string, geo: { lat: number; lon: number }, extra: Partial<Location> = {}): Location {
  return {
    tenantId: 't_0123456789ab',
    locationId,
    name: locationId,
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

// Manhattan, Brooklyn (~8 km), Newark (~15 km), Philadelphia (~130 km).
const chelsea = store('chelsea', { lat: 40.7465, lon: -74.0014 }, { pickupSlotsPerDay: 2 });
const brooklyn = store('brooklyn', { lat: 40.6782, lon: -73.9442 }, { pickupSlotsPerDay: 10 });
const newark = store('newark', { lat: 40.7357, lon: -74.1724 });
const philly = store('philly', { lat: 39.9526, lon: -75.1652 });
const all = [chelsea, brooklyn, newark, philly];

const question = (extra: Partial<PickupQuestion> = {}): PickupQuestion => ({
  kind: 'pickup',
  named: chelsea,
  namedId: 'chelsea',
  sku: 'TEE',
  quantity: 2,
  locations: all,
  stock: new Map(all.map((l) => [l.locationId, { TEE: 5 }])),
  slotsUsed: new Map(),
  planned: new Set(),
  now: NOW,
  ...extra,
});

describe('choosing the store of a pickup line', () => {
  it('keeps the chosen store while it has a slot, even one short of stock', () => {
    expect(choosePickupStore(question({ slotsUsed: new Map([['chelsea', 1]]) }))).toEqual({ location: chelsea });
    expect(choosePickupStore(question({ stock: new Map([['chelsea', { TEE: 0 }]]) }))).toEqual({ location: chelsea });
  });

  it('keeps a full store that this plan already holds a slot at (another line joins the same pickup)', () => {
    expect(choosePickupStore(question({ slotsUsed: new Map([['chelsea', 2]]), planned: new Set(['chelsea']) }))).toEqual({ location: chelsea });
  });

  it('moves a line from a full store to the nearest store within 50 km with the whole line and a slot', () => {
    const choice = choosePickupStore(question({ slotsUsed: new Map([['chelsea', 2]]) }));
    expect(choice?.location.locationId).toBe('brooklyn');
    expect(choice?.fallback).toMatchObject({ from: 'chelsea', reason: 'chelsea has no pickup slot left on 2026-11-26 (2 a day)' });
    expect(choice!.fallback!.distanceKm).toBeGreaterThan(5);
    expect(choice!.fallback!.distanceKm).toBeLessThan(12);
  });

  it('skips a nearer store that is full, short of the whole line or not offering that kind of pickup', () => {
    const used = new Map([['chelsea', 2], ['brooklyn', 10]]);
    expect(choosePickupStore(question({ slotsUsed: used }))?.location.locationId).toBe('newark');
    expect(choosePickupStore(question({ slotsUsed: new Map([['chelsea', 2]]), stock: new Map([['brooklyn', { TEE: 1 }], ['newark', { TEE: 2 }]]) }))?.location.locationId).toBe('newark');
    expect(choosePickupStore(question({ kind: 'curbside', named: { ...chelsea, capabilities: { ship: true, pickup: true, curbside: true } }, slotsUsed: new Map([['chelsea', 2]]) }))).toBeUndefined();
  });

  it('finds nothing beyond 50 km: the line waits rather than sending the customer to another city', () => {
    const used = new Map([['chelsea', 2], ['brooklyn', 10]]);
    expect(choosePickupStore(question({ slotsUsed: used, locations: [chelsea, brooklyn, philly] }))).toBeUndefined();
  });

  it('treats a limit of 0 as a store taking no pickups, and exactly N used of N as full', () => {
    const closed = { ...chelsea, pickupSlotsPerDay: 0 };
    expect(choosePickupStore(question({ named: closed }))?.location.locationId).toBe('brooklyn');
    expect(choosePickupStore(question({ slotsUsed: new Map([['chelsea', 1]]) }))?.location.locationId).toBe('chelsea');
    expect(choosePickupStore(question({ slotsUsed: new Map([['chelsea', 2]]) }))?.location.locationId).toBe('brooklyn');
  });

  it('never picks a full store, one without the whole line or one farther than 50 km (any counts, any stock)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(12), { minLength: 4, maxLength: 4 }), fc.array(fc.nat(4), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (used, units, quantity) => {
        const q = question({ quantity, slotsUsed: new Map(all.map((l, i) => [l.locationId, used[i]!])), stock: new Map(all.map((l, i) => [l.locationId, { TEE: units[i]! }])) });
        const choice = choosePickupStore(q);
        if (!choice) return true;
        const picked = choice.location;
        const free = picked.pickupSlotsPerDay === undefined || used[all.indexOf(picked)]! < picked.pickupSlotsPerDay;
        if (!choice.fallback) return picked === chelsea && free;
        return free && picked !== chelsea && picked !== philly && units[all.indexOf(picked)]! >= quantity;
      }),
    );
  });
});

describe('the slot day', () => {
  it('is the store\'s local day the pickup is ready: after closing in New York, the next day', () => {
    const hours = { mon: [{ opens: '09:00', closes: '17:00' }], tue: [{ opens: '09:00', closes: '17:00' }], wed: [{ opens: '09:00', closes: '17:00' }], thu: [{ opens: '09:00', closes: '17:00' }], fri: [{ opens: '09:00', closes: '17:00' }] };
    const ny = { openingHours: hours, timeZone: 'America/New_York', handlingMinutes: 60 };
    // Thu 26 Nov 2026 12:00 UTC is 07:00 in New York: ready at 10:00 the same day.
    expect(pickupSlotDay(ny, NOW)).toBe('2026-11-26');
    // 23:30 UTC is 18:30 in New York, after closing: ready Friday.
    expect(pickupSlotDay(ny, new Date('2026-11-26T23:30:00Z'))).toBe('2026-11-27');
    // 03:00 UTC Friday is still Thursday evening in New York, closed: ready Friday.
    expect(pickupSlotDay(ny, new Date('2026-11-27T03:00:00Z'))).toBe('2026-11-27');
    // No zone: the UTC day.
    expect(pickupSlotDay({}, new Date('2026-11-26T23:30:00Z'))).toBe('2026-11-26');
  });

  it('reads the counters of the chosen store and of the stores with a limit that could take its lines', () => {
    expect(slotCountersToRead([{ locationId: 'chelsea', kind: 'pickup' }], all, NOW)).toEqual([
      { locationId: 'chelsea', day: '2026-11-26' },
      { locationId: 'brooklyn', day: '2026-11-26' },
    ]);
    expect(slotCountersToRead([{ locationId: 'newark', kind: 'pickup' }], all, NOW)).toEqual([]);
  });
});

describe('slots in the allocation', () => {
  const rules = parseRoutingRules({ schemaVersion: 1, tenantId: 't_0123456789ab', version: 1, ruleSets: [{ id: 'default' }] });
  const pickupOrder = anOrder({
    lines: [
      { lineId: 'l1', sku: 'TEE', quantity: 2, fulfillment: { type: 'pickup', locationId: 'chelsea' } },
      { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'pickup', locationId: 'chelsea' } },
    ],
  });
  const input = (used: number): PlanInput => ({
    order: pickupOrder,
    shipments: [],
    attempt: 1,
    round: 1,
    excluded: [],
    skus: new Map([['TEE', { weightLb: 0.4 }], ['CAP', { weightLb: 0.2 }]]),
    locations: all,
    networks: ['TEE', 'CAP'].map((sku) => ({ sku, locations: all.map((l) => ({ locationId: l.locationId, available: 5 })) })),
    rules,
    rateTable: DEFAULT_RATE_TABLE,
    destination: { lat: 40.75, lon: -74 },
    shippedToday: new Map(),
    pickupSlotsUsed: new Map([['chelsea', used]]),
    now: NOW,
    clockMs: () => 0,
  });

  it('plans one parcel holding one slot of the chosen store for all its lines there', () => {
    const plan = planParcels(input(1));
    expect(plan.parcels).toHaveLength(1);
    expect(plan.parcels[0]).toMatchObject({ locationId: 'chelsea', pickupSlot: { day: '2026-11-26', perDay: 2 } });
    expect(plan.parcels[0]!.fallbackFrom).toBeUndefined();
    expect(slotTakesOf(plan.parcels)).toEqual([{ locationId: 'chelsea', day: '2026-11-26', count: 1, perDay: 2 }]);
  });

  it('moves both lines of a full store to one parcel at the nearest store, and the shipment says where from and why', () => {
    const plan = planParcels(input(2));
    expect(plan.parcels.map((p) => p.locationId)).toEqual(['brooklyn']);
    expect(plan.parcels[0]!.lines.map((l) => l.lineId)).toEqual(['l1', 'l2']);
    expect(plan.explanation[0]).toMatch(/^pickup TEE x2 at chelsea: chelsea has no pickup slot left on 2026-11-26 \(2 a day\); moved to brooklyn \([\d.]+ km away\): 2 available$/);
    const decision = decideAllocation({ ...pickupOrder, status: 'ROUTING', attempt: 1 }, [], 1, plan.parcels, plan.explanation, NOW);
    if (decision.kind !== 'allocate') throw new Error('expected an allocation');
    expect(decision.created[0]).toMatchObject({ locationId: 'brooklyn', pickupSlot: { day: '2026-11-26' } });
    expect(decision.created[0]!.history[0]!.reason).toBe('moved from chelsea: chelsea has no pickup slot left on 2026-11-26 (2 a day)');
    expect(decision.change.order.status).toBe('ALLOCATED');
  });

  it('records the store a pickup goes to (name, address, zone, hours) on its shipment, and none on a parcel', () => {
    const soho = { ...newark, name: 'Newark Broad St', address: { line1: '1 Broad St', city: 'Newark', region: 'NJ', postalCode: '07102', country: 'US' }, timeZone: 'America/New_York', openingHours: { mon: [{ opens: '09:00', closes: '18:00' }] } };
    const order = anOrder({
      lines: [
        { lineId: 'l1', sku: 'TEE', quantity: 1, fulfillment: { type: 'pickup', locationId: 'newark' } },
        { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'ship' } },
      ],
    });
    const plan = planParcels({ ...input(0), order, locations: [chelsea, brooklyn, soho, philly] });
    const pickupParcel = plan.parcels.find((p) => p.fulfillment === 'pickup')!;
    expect(pickupParcel.store).toEqual({ locationId: 'newark', name: 'Newark Broad St', address: soho.address, timeZone: 'America/New_York', openingHours: soho.openingHours });
    expect(plan.parcels.filter((p) => p.fulfillment === 'ship').map((p) => p.store)).toEqual([undefined]);
    const decision = decideAllocation({ ...order, status: 'ROUTING', attempt: 1 }, [], 1, plan.parcels, plan.explanation, NOW);
    if (decision.kind !== 'allocate') throw new Error('expected an allocation');
    expect(decision.created.find((s) => s.fulfillment === 'pickup')!.store).toEqual(pickupParcel.store);
    expect(decision.created.find((s) => s.fulfillment === 'ship')).not.toHaveProperty('store');
  });

  it('leaves a store without a limit out of the counters: no slot, no take', () => {
    const plan = planParcels({ ...input(0), order: anOrder({ lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1, fulfillment: { type: 'pickup', locationId: 'newark' } }] }) });
    expect(plan.parcels[0]!.pickupSlot).toBeUndefined();
    expect(slotTakesOf(plan.parcels)).toEqual([]);
  });

  it('gives back one slot per released pickup holding one, merged per store and day, and none for a committed one', () => {
    const shipments = [
      { locationId: 'chelsea', reservationId: 'r1', pickupSlot: { day: '2026-11-26' } },
      { locationId: 'chelsea', reservationId: 'r2', pickupSlot: { day: '2026-11-26' } },
      { locationId: 'chelsea', reservationId: 'r3', pickupSlot: { day: '2026-11-27' } },
      { locationId: 'newark', reservationId: 'r4' },
    ];
    expect(slotReleasesOf(shipments, new Set(['r1', 'r2', 'r4']))).toEqual([{ locationId: 'chelsea', day: '2026-11-26', count: 2 }]);
    expect(slotReleasesOf(shipments, new Set())).toEqual([]);
  });
});
