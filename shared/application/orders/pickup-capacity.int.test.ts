import { describe, expect, it } from 'vitest';
import { DomApi } from '../../../infra/local/tools/api-client.ts';
import { useTestCloud } from '../../../infra/local/tools/test-cloud.ts';
import { createTestTenant, eventually, type OrderView } from '../../../infra/local/tools/testing.ts';
import { expectMatchesContract } from '../../http/contract-validator.ts';
import { dynamoNetworkReader } from '../../adapters/dynamodb/fulfillment-store.ts';
import { dynamoOrderStore } from '../../adapters/dynamodb/order-store.ts';
import { fulfillmentDeps } from '../../adapters/orders.ts';
import type { Order as StoredOrder } from '../../domain/orders/order.ts';
import { fulfilOrder, type FulfillmentDeps } from './fulfillment.ts';

// Issue 14 part 2: a store's pickups a day (pickupSlotsPerDay), counted in the allocation's own transaction.

const cloud = useTestCloud();
const SKU = 'Tee.Blk-M';
const CHELSEA = 'Store.Chelsea-01';
const BROOKLYN = 'store.brooklyn';
const PHILLY = 'store-philly';
const ZONE = 'America/New_York';

type Shipment = OrderView['shipments'][number] & { pickupSlot?: { day: string }; history: Array<{ status: string; reason?: string }> };
type Order = OrderView & { shipments: Shipment[]; routing?: { explanation: string[] } };
type Stock = { locations: Array<{ locationId: string; reserved: number; available: number }> };

const storeBody = (name: string, postalCode: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'store',
  address: { postalCode, country: 'US' },
  capabilities: { ship: true, pickup: true },
  timeZone: ZONE,
  ...extra,
});

/** The store's local date now (no opening hours: ready now, so the slot is today's in New York). */
const localToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** The store's slot counter for today, as the allocation's guard sees it. */
const slotsUsed = async (tenantId: string) => (await dynamoNetworkReader.pickupSlotsUsed!(tenantId, [{ locationId: CHELSEA, day: localToday() }])).get(CHELSEA) ?? 0;

async function shop(name: string, slots: number, stores: Array<[string, string, Record<string, unknown>?]> = [[BROOKLYN, '11201']]): Promise<DomApi & { tenantId: string }> {
  const tenant = await createTestTenant(name);
  const api = new DomApi(cloud().apiUrl, tenant.apiKey);
  await api.ok('PUT', `/skus/${SKU}`, { weightLb: 0.4 });
  await api.ok('PUT', `/locations/${CHELSEA}`, storeBody('Chelsea', '10001', { pickupSlotsPerDay: slots }));
  for (const [id, zip, extra] of stores) await api.ok('PUT', `/locations/${id}`, storeBody(id, zip, extra));
  const ids = [CHELSEA, ...stores.map(([id]) => id)];
  await api.ok('POST', '/inventory/adjustments', { adjustments: ids.map((locationId) => ({ locationId, sku: SKU, set: 100 })) });
  await eventually(async () => ((await api.ok<{ available: number }>('GET', `/inventory/${SKU}`)).available === 100 * ids.length ? true : undefined));
  await cloud().settle();
  return Object.assign(api, { tenantId: tenant.tenantId });
}

const pickupAt = (locationId: string, quantity = 1) => ({
  channel: 'web',
  customer: { email: 'ana@example.com', name: 'Ana' },
  shipTo: { country: 'US', postalCode: '10001' },
  lines: [{ lineId: 'l1', sku: SKU, quantity, fulfillment: { type: 'pickup', locationId } }],
});

async function allocated(api: DomApi, orderId: string): Promise<Order> {
  return eventually(async () => {
    const order = await api.ok<Order>('GET', `/orders/${orderId}`);
    return order.status !== 'ACCEPTED' && order.status !== 'ROUTING' ? order : undefined;
  }, 90_000, 100);
}

async function place(api: DomApi, body: unknown, key?: string): Promise<string> {
  const placed = await api.request<{ orderId: string }>('POST', '/orders', body, key ? { 'idempotency-key': key } : {});
  // 202 for a new order; 200 for a repeat of a request already placed (the same order).
  expect([200, 202], JSON.stringify(placed.body)).toContain(placed.status);
  return placed.body.orderId;
}

const reservedAt = async (api: DomApi, locationId: string) => (await api.ok<Stock>('GET', `/inventory/${SKU}`)).locations.find((l) => l.locationId === locationId)?.reserved ?? 0;

describe('pickup capacity', () => {
  it('gives N concurrent pickups of N+5 the chosen store and sends 5 to the nearest store, none oversold and none stuck', { timeout: 240_000 }, async () => {
    const N = 8;
    const api = await shop('Slots Shop', N, [[BROOKLYN, '11201'], [PHILLY, '19103']]);
    const ids = await Promise.all(Array.from({ length: N + 5 }, () => place(api, pickupAt(CHELSEA))));
    const orders = await Promise.all(ids.map((id) => allocated(api, id)));

    expect(orders.map((o) => o.status)).toEqual(orders.map(() => 'ALLOCATED'));
    const at = (id: string) => orders.filter((o) => o.shipments[0]!.locationId === id);
    expect(at(CHELSEA)).toHaveLength(N);
    expect(at(BROOKLYN)).toHaveLength(5);
    for (const order of orders) {
      expect(order.shipments).toHaveLength(1);
      expect(order.shipments[0]!.pickupSlot).toEqual(order.shipments[0]!.locationId === CHELSEA ? { day: localToday() } : undefined);
    }
    for (const order of at(BROOKLYN)) {
      expect(order.shipments[0]!.history[0]!.reason).toBe(`moved from ${CHELSEA}: ${CHELSEA} has no pickup slot left on ${localToday()} (${N} a day)`);
      expect(order.routing!.explanation.join('\n')).toMatch(new RegExp(`moved to ${BROOKLYN} \\([\\d.]+ km away\\)`));
    }
    // The stock agrees with the shipments: exactly N units held at the store, 5 at Brooklyn, none in Philadelphia.
    expect(await reservedAt(api, CHELSEA)).toBe(N);
    expect(await reservedAt(api, BROOKLYN)).toBe(5);
    expect(await reservedAt(api, PHILLY)).toBe(0);
    // The counter stopped exactly at the limit.
    expect(await slotsUsed(api.tenantId)).toBe(N);
  });

  it('gives a cancelled pickup\'s slot back: the next order gets the store again, and a retried order takes one slot', { timeout: 180_000 }, async () => {
    const api = await shop('Slot Release Shop', 1);
    // The same request twice at once (a client retry) is one order: it takes one slot.
    const [a, b] = await Promise.all([place(api, pickupAt(CHELSEA), 'first'), place(api, pickupAt(CHELSEA), 'first')]);
    expect(b).toBe(a);
    const first = await allocated(api, a);
    expect(first.shipments[0]!.locationId).toBe(CHELSEA);
    expect(await place(api, pickupAt(CHELSEA), 'first')).toBe(first.orderId);
    const second = await allocated(api, await place(api, pickupAt(CHELSEA)));
    expect(second.shipments[0]!.locationId).toBe(BROOKLYN);

    expect(await slotsUsed(api.tenantId)).toBe(1);
    const cancelled = await api.request('POST', `/orders/${first.orderId}/cancel`, { reason: 'customer changed their mind' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(await slotsUsed(api.tenantId)).toBe(0);
    const third = await allocated(api, await place(api, pickupAt(CHELSEA)));
    expect(third.shipments[0]!.locationId).toBe(CHELSEA);
    expect(await reservedAt(api, CHELSEA)).toBe(1);
  });

  it('holds the limit by the transaction\'s guard alone: a planner blind to the counters never puts a pickup over it', { timeout: 180_000 }, async () => {
    const api = await shop('Blind Planner Shop', 2);
    // The fulfil step with a slot read that always answers "none used" (a stale read): only the guard can refuse.
    const blind: FulfillmentDeps = { ...fulfillmentDeps, network: { ...fulfillmentDeps.network, pickupSlotsUsed: async () => new Map() } };
    const now = new Date().toISOString();
    const orders: StoredOrder[] = Array.from({ length: 5 }, (_, i) => ({
      tenantId: api.tenantId,
      orderId: `o_blindplanner${i}`.padEnd(24, '0'),
      channel: 'web',
      customer: { tier: 'standard' },
      shipTo: { country: 'US', postalCode: '10001' },
      lines: [{ lineId: 'l1', sku: SKU, quantity: 1, fulfillment: { type: 'pickup', locationId: CHELSEA } }],
      // Stored as ROUTING under attempt 1, so no workflow of their own starts: the test drives the fulfil step.
      status: 'ROUTING',
      allocations: [],
      backorderedLines: [],
      history: [{ status: 'ACCEPTED', at: now }, { status: 'ROUTING', at: now, reason: 'attempt 1' }],
      attempt: 1,
      createdAt: now,
      updatedAt: now,
      version: 2,
    }));
    for (const order of orders) await dynamoOrderStore.create(order, { requestHash: order.orderId });
    const states = await Promise.all(orders.map((o) => fulfilOrder(blind, { tenantId: api.tenantId, orderId: o.orderId, attempt: 1, correlationId: o.orderId })));

    // Two won the store's two slots; the three that lost the guard were planned again, refused again (the blind read
    // never learns), and after the attempt's rounds wait as backorders: decided, none left routing, none over.
    expect(states.map((s) => s.outcome)).toEqual(states.map(() => 'CONFIRMED'));
    expect(states.map((s) => s.status).sort()).toEqual(['ALLOCATED', 'ALLOCATED', 'BACKORDERED', 'BACKORDERED', 'BACKORDERED']);
    expect(await slotsUsed(api.tenantId)).toBe(2);
    expect(await reservedAt(api, CHELSEA)).toBe(2);
  });

  it('lets a pickup wait rather than send the customer beyond 50 km, and a store with 0 slots takes no pickup', { timeout: 120_000 }, async () => {
    const api = await shop('No Slots Shop', 0, [[PHILLY, '19103']]);
    const order = await allocated(api, await place(api, pickupAt(CHELSEA)));
    expect(order.status).toBe('BACKORDERED');
    expect(order.shipments).toEqual([]);
    expect(order.routing!.explanation.join('\n')).toContain('no pickup slot left that day and no store within 50 km');
    expect(await reservedAt(api, PHILLY)).toBe(0);
  });

  it('refuses a bad pickupSlotsPerDay with a 422 naming the field, nothing stored, and takes 0 and 100000 exactly', async () => {
    const tenant = await createTestTenant('Slots Input Shop');
    const api = new DomApi(cloud().apiUrl, tenant.apiKey);
    for (const bad of [-1, 1.5, '3', 100_001, null]) {
      const refused = await api.request<{ errors?: Array<{ field: string }> }>('PUT', `/locations/${CHELSEA}`, storeBody('Chelsea', '10001', { pickupSlotsPerDay: bad }));
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(JSON.stringify(refused.body)).toContain('pickupSlotsPerDay');
    }
    expect((await api.request('GET', `/locations/${CHELSEA}`)).status).toBe(404);
    for (const good of [0, 100_000]) {
      const stored = await api.request<{ pickupSlotsPerDay: number }>('PUT', `/locations/${CHELSEA}`, storeBody('Chelsea', '10001', { pickupSlotsPerDay: good }));
      expectMatchesContract('PUT', `/locations/${CHELSEA}`, stored);
      expect(stored.body.pickupSlotsPerDay).toBe(good);
    }
  });
});
