import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.ts';
import type { Shipment } from '../orders/shipment.ts';
import { anOrder } from '../orders/test-fixtures.ts';
import { backorderAge, computeKpis, percentile, rerouteReason, type KpiInput } from './kpis.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

function order(id: string, createdMs: number, history: Array<[Order['status'], number, string?]>, overrides: Partial<Order> = {}): Order {
  const last = history.at(-1);
  return anOrder({
    orderId: id,
    createdAt: iso(createdMs),
    status: last ? last[0] : 'ACCEPTED',
    history: [{ status: 'ACCEPTED', at: iso(createdMs) }, ...history.map(([status, at, reason]) => ({ status, at: iso(at), ...(reason ? { reason } : {}) }))],
    ...overrides,
  });
}

function parcel(orderId: string, n: number, quote: { cost: number; co2Grams: number; promisedDeliveryDate: string }, history: Array<[Shipment['status'], number]> = [], status?: Shipment['status']): Shipment {
  return {
    tenantId: 't_0123456789ab', orderId, shipmentId: `${orderId}-S${n}-1-1`, locationId: `loc-${n}`, fulfillment: 'ship', lines: [], reservationId: 'r',
    quote: { carrier: 'UPS', service: 'Ground', ...quote },
    status: status ?? history.at(-1)?.[0] ?? 'REQUESTED',
    history: history.map(([s, at]) => ({ status: s, at: iso(at) })),
    createdAt: iso(T0), updatedAt: iso(T0), version: 1,
  };
}

const base = (over: Partial<KpiInput>): KpiInput => ({ from: new Date(T0), to: new Date(T0 + 10 * MIN), now: new Date(T0 + 10 * MIN), orders: [], shipments: [], stock: [], ...over });

describe('computeKpis', () => {
  it('counts orders accepted and allocated per minute, and the time to allocate at p50 and p99', () => {
    const orders = [
      order('o_a', T0 + 5_000, [['ROUTING', T0 + 6_000], ['ALLOCATED', T0 + 7_000]]), // 2 s
      order('o_b', T0 + 30_000, [['ROUTING', T0 + 31_000], ['PARTIALLY_ALLOCATED', T0 + 64_000]]), // 34 s, next minute
      order('o_c', T0 + 70_000, [['ROUTING', T0 + 71_000], ['FAILED', T0 + 72_000, 'no carrier']]),
      order('o_d', T0 + 11 * MIN, [['ALLOCATED', T0 + 11 * MIN + 1]]), // after the window: not counted
    ];
    const kpis = computeKpis(base({ orders }));
    expect(kpis.orders).toEqual({ total: 3, byStatus: { ALLOCATED: 1, PARTIALLY_ALLOCATED: 1, FAILED: 1 } });
    expect(kpis.window.bucketMinutes).toBe(1);
    expect(kpis.perMinute).toHaveLength(10);
    expect(kpis.perMinute.slice(0, 3)).toEqual([
      { at: iso(T0), accepted: 2, allocated: 1 },
      { at: iso(T0 + MIN), accepted: 1, allocated: 1 },
      { at: iso(T0 + 2 * MIN), accepted: 0, allocated: 0 },
    ]);
    expect(kpis.timeToAllocate).toEqual({ orders: 2, p50Ms: 2_000, p99Ms: 34_000 });
  });

  it('keeps at most 120 buckets and reports per-minute rates over a long window', () => {
    const orders = [order('o_a', T0, []), order('o_b', T0 + 1, [])];
    const kpis = computeKpis(base({ orders, to: new Date(T0 + 24 * 60 * MIN) }));
    expect(kpis.window.bucketMinutes).toBe(12);
    expect(kpis.perMinute).toHaveLength(120);
    expect(kpis.perMinute[0]).toEqual({ at: iso(T0), accepted: 0.17, allocated: 0 });
  });

  it('averages parcels, carrier cost and CO2 over orders with parcels, leaving out rejected and cancelled ones', () => {
    const q = (cost: number, co2Grams: number) => ({ cost, co2Grams, promisedDeliveryDate: '2026-12-05' });
    const orders = [order('o_a', T0, [['ALLOCATED', T0 + 1]]), order('o_b', T0, [['ALLOCATED', T0 + 1]]), order('o_c', T0, [])];
    const shipments = [
      parcel('o_a', 1, q(8, 500)),
      parcel('o_b', 1, q(6, 300)),
      parcel('o_b', 2, q(10, 700)),
      parcel('o_b', 3, q(99, 9999), [['REJECTED', T0 + 2]]),
      parcel('o_x', 1, q(50, 50)), // not an order of the window
    ];
    const kpis = computeKpis(base({ orders, shipments }));
    expect(kpis.parcelsPerOrder).toEqual({ orders: 2, mean: 1.5, distribution: [{ parcels: 1, orders: 1 }, { parcels: 2, orders: 1 }] });
    expect(kpis.shippingCostPerOrder).toEqual({ orders: 2, mean: 12, total: 24 });
    expect(kpis.co2PerOrder).toEqual({ orders: 2, meanGrams: 750, totalGrams: 1500 });
  });

  it('answers null, not NaN, where there is nothing to average', () => {
    const kpis = computeKpis(base({}));
    expect(kpis.timeToAllocate).toEqual({ orders: 0, p50Ms: null, p99Ms: null });
    expect(kpis.parcelsPerOrder.mean).toBeNull();
    expect(kpis.shippingCostPerOrder.mean).toBeNull();
    expect(kpis.co2PerOrder.meanGrams).toBeNull();
    expect(kpis.onTime.share).toBeNull();
  });

  it('counts a parcel on time when delivered by the end of its promised day, and late once that day passed undelivered', () => {
    const orders = [order('o_a', T0, [['SHIPPED', T0 + 1]])];
    const promise = (d: string) => ({ cost: 1, co2Grams: 1, promisedDeliveryDate: d });
    const shipments = [
      parcel('o_a', 1, promise('2026-12-03'), [['SHIPPED', T0], ['DELIVERED', Date.parse('2026-12-03T23:59:59Z')]]), // on time, at the bound
      parcel('o_a', 2, promise('2026-12-02'), [['SHIPPED', T0], ['DELIVERED', Date.parse('2026-12-03T00:00:00Z')]]), // a day late
      parcel('o_a', 3, promise('2026-12-02'), [['SHIPPED', T0]]), // due, not delivered: late
      parcel('o_a', 4, promise('2026-12-09'), [['SHIPPED', T0]]), // not due yet
    ];
    const kpis = computeKpis(base({ orders, shipments, now: new Date('2026-12-04T00:00:00Z') }));
    expect(kpis.onTime).toEqual({ due: 3, onTime: 1, share: 0.3333 });
  });

  it('ages the orders waiting for units from when they first waited, and lists the SKUs and locations out of stock', () => {
    const now = T0 + 5 * 3_600_000;
    const orders = [
      order('o_a', T0, [['BACKORDERED', T0 + 1]], { backorderedLines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }] }), // 5 h
      order('o_b', T0, [['PARTIALLY_ALLOCATED', now - 30 * MIN]], { backorderedLines: [{ lineId: 'l2', sku: 'CAP', quantity: 1 }] }), // 30 min
      order('o_c', T0, [['ALLOCATED', T0 + 1]]),
    ];
    const stock = [
      { sku: 'TEE', locationId: 'b-wh', available: 0, onHand: 3 },
      { sku: 'TEE', locationId: 'a-wh', available: 0, onHand: 0 },
      { sku: 'CAP', locationId: 'a-wh', available: 4, onHand: 4 },
    ];
    const kpis = computeKpis(base({ orders, stock, to: new Date(T0 + 60 * MIN), now: new Date(now) }));
    expect(kpis.backorders.orders).toBe(2);
    expect(kpis.backorders.units).toBe(3);
    expect(kpis.backorders.byAge).toEqual([
      { age: '<1h', orders: 1, units: 1 },
      { age: '1-4h', orders: 0, units: 0 },
      { age: '4-24h', orders: 1, units: 2 },
      { age: '1-3d', orders: 0, units: 0 },
      { age: '>=3d', orders: 0, units: 0 },
    ]);
    expect(kpis.stockOuts.items).toEqual([{ sku: 'TEE', locationId: 'a-wh' }, { sku: 'TEE', locationId: 'b-wh' }]);
    expect(kpis.stockOuts.bySku).toEqual([{ sku: 'TEE', locations: 2, backorderedUnits: 2 }, { sku: 'CAP', locations: 0, backorderedUnits: 1 }]);
  });

  it('counts re-routes in the window by reason, never the first attempt', () => {
    const orders = [
      order('o_a', T0, [['ROUTING', T0 + 1, 'attempt 1'], ['BACKORDERED', T0 + 2], ['ROUTING', T0 + 3, 'attempt 2: stock of TEE-BLK-M arrived'], ['ROUTING', T0 + 4, 'attempt 3: ShipmentRejected']]),
      order('o_b', T0, [['FAILED', T0 + 1], ['ROUTING', T0 + 2, 'attempt 2: retried by ops'], ['ROUTING', T0 + 3, 'attempt 3: stock arrived while it waited']]),
      order('o_c', T0, [['ROUTING', T0 + 11 * MIN, 'attempt 2: retried by ops']]), // after the window
    ];
    const kpis = computeKpis(base({ orders }));
    expect(kpis.reroutes).toEqual({ total: 4, byReason: [{ reason: 'stock arrived', count: 2 }, { reason: 'retried by ops', count: 1 }, { reason: 'shipment rejected', count: 1 }] });
  });

  it('counts every order of the window exactly once in the per-minute series (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5 * MIN, max: 15 * MIN }), { maxLength: 60 }), fc.integer({ min: 1, max: 5000 }), (offsets, minutes) => {
        const to = T0 + minutes * MIN;
        const orders = offsets.map((o, i) => order(`o_${i}`, T0 + o, []));
        const kpis = computeKpis(base({ orders, to: new Date(to) }));
        const inWindow = offsets.filter((o) => T0 + o < to && o >= 0).length;
        const counted = kpis.perMinute.reduce((sum, b) => sum + b.accepted * kpis.window.bucketMinutes, 0);
        expect(kpis.orders.total).toBe(inWindow);
        expect(Math.abs(counted - inWindow)).toBeLessThan(0.01 * kpis.perMinute.length + 1e-9);
        expect(kpis.perMinute.length).toBeLessThanOrEqual(120);
      }),
    );
  });
});

describe('helpers', () => {
  it('percentile is nearest-rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  it('puts ages at their bucket bounds', () => {
    expect(backorderAge(3_599_999)).toBe('<1h');
    expect(backorderAge(3_600_000)).toBe('1-4h');
    expect(backorderAge(72 * 3_600_000)).toBe('>=3d');
  });

  it('words re-route reasons', () => {
    expect(rerouteReason('attempt 4: stuck past its deadline')).toBe('stuck past its deadline');
    expect(rerouteReason('attempt 2: ')).toBe('unknown');
  });
});
