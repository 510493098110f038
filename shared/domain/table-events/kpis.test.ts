import { describe, expect, it } from 'vitest';
import { decideDueCheck } from '../orders/delays.ts';
import type { Order } from '../orders/order.ts';
import type { Shipment } from '../orders/shipment.ts';
import { anOrder, FIXED_TIME } from '../orders/test-fixtures.ts';
import type { ItemChange } from './change-events.ts';
import { KPI, kpisForChange } from './kpis.ts';

const at = (minutes: number) => new Date(FIXED_TIME.getTime() + minutes * 60_000).toISOString();
const change = (kind: ItemChange['kind'], oldItem: object | undefined, newItem: object): ItemChange => ({
  changeId: 'c1',
  kind,
  occurredAt: at(0),
  ...(oldItem ? { oldItem: oldItem as Record<string, unknown> } : {}),
  newItem: newItem as Record<string, unknown>,
});
const order = (over: Partial<Order>) => ({ entity: 'Order', ...anOrder(over) });
const routedAt = (minutes: number, attempt = 1) => ({ routing: { attempt, decidedAt: at(minutes), explanation: [] } });
const names = (observations: ReturnType<typeof kpisForChange>) => observations.map((o) => `${o.name}${Object.values(o.dimensions).map((d) => `:${d}`).join('')}=${o.value}`);

function aShipment(over: Partial<Shipment> = {}): Shipment & { entity: string } {
  return {
    entity: 'Shipment',
    tenantId: 't_0123456789ab',
    orderId: 'o_01abc',
    shipmentId: 's1',
    locationId: 'olean-wh',
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 2 }],
    reservationId: 's1',
    customer: { tier: 'standard' },
    quote: { carrier: 'UPS', service: 'GND', cost: 7.25, promisedDeliveryDate: '2026-11-28', co2Grams: 640 },
    acceptBy: at(240),
    status: 'REQUESTED',
    history: [{ status: 'REQUESTED', at: at(0) }],
    createdAt: at(0),
    updatedAt: at(0),
    version: 1,
    ...over,
  } as Shipment & { entity: string };
}

describe('business KPIs from the stream', () => {
  it('counts an accepted order per tenant', () => {
    const observed = kpisForChange(change('INSERT', undefined, order({})));
    expect(observed).toEqual([{ name: KPI.orders, unit: 'Count', value: 1, dimensions: { status: 'ACCEPTED' }, perTenant: 't_0123456789ab' }]);
  });

  it('counts the first decision with its time from acceptance, the parcels and whether the order split', () => {
    const allocations = [{ lineId: 'l1', sku: 'TEE', locationId: 'a', quantity: 2 }, { lineId: 'l2', sku: 'CAP', locationId: 'b', quantity: 1 }];
    const observed = kpisForChange(change('MODIFY', order({ status: 'ACCEPTED' }), order({ status: 'ALLOCATED', attempt: 1, allocations, ...routedAt(2) })));
    expect(names(observed)).toEqual(['Orders:ALLOCATED=1', 'TimeToAllocate:first=120000', 'ParcelsPerOrder=2', 'SplitOrder=1']);
  });

  it('counts a backorder at its first decision, and the wait when a later attempt fills it', () => {
    const backordered = order({ status: 'BACKORDERED', attempt: 1, ...routedAt(1) });
    expect(names(kpisForChange(change('MODIFY', order({ status: 'ROUTING', attempt: 1 }), backordered)))).toEqual(['Orders:BACKORDERED=1', 'TimeToAllocate:first=60000']);
    const filled = order({ status: 'ALLOCATED', attempt: 2, allocations: [{ lineId: 'l1', sku: 'TEE', locationId: 'a', quantity: 2 }], ...routedAt(90, 2) });
    expect(names(kpisForChange(change('MODIFY', backordered, filled)))).toEqual(['Orders:ALLOCATED=1', 'TimeToAllocate:later=5400000', 'ParcelsPerOrder=1', 'SplitOrder=0']);
  });

  it('counts nothing for a change that moves no status (a retried write, a version step)', () => {
    const same = order({ status: 'ALLOCATED', attempt: 1, ...routedAt(1) });
    expect(kpisForChange(change('MODIFY', same, { ...same, version: 9 }))).toEqual([]);
  });

  it('counts FAILED and CANCELLED orders, but not ROUTING', () => {
    expect(names(kpisForChange(change('MODIFY', order({ status: 'ROUTING' }), order({ status: 'FAILED' }))))).toEqual(['Orders:FAILED=1']);
    expect(names(kpisForChange(change('MODIFY', order({ status: 'ALLOCATED' }), order({ status: 'CANCELLED' }))))).toEqual(['Orders:CANCELLED=1']);
    expect(kpisForChange(change('MODIFY', order({ status: 'ACCEPTED' }), order({ status: 'ROUTING' })))).toEqual([]);
  });

  it("counts each new carrier parcel with its cost and CO2, but not a store pickup", () => {
    expect(names(kpisForChange(change('INSERT', undefined, aShipment())))).toEqual(['Parcels=1', 'ParcelShippingCost=7.25', 'ParcelCo2Grams=640']);
    expect(kpisForChange(change('INSERT', undefined, aShipment({ fulfillment: 'pickup' })))).toEqual([]);
  });

  it('counts a late mark once', () => {
    const check = decideDueCheck(anOrder(), aShipment({ status: 'ACCEPTED' }), new Date('2026-11-29T12:00:00Z'));
    if (check.kind !== 'mark-late') throw new Error(`expected a late mark, got ${check.kind}`);
    const late = { ...check.change.shipments[0]!, entity: 'Shipment' };
    expect(names(kpisForChange(change('MODIFY', aShipment({ status: 'ACCEPTED' }), late)))).toEqual(['LateShipments=1']);
    expect(kpisForChange(change('MODIFY', late, { ...late, version: 5 }))).toEqual([]);
  });

  it("tells a location's rejection from a shipment taken away because it was not accepted in time", () => {
    const requested = aShipment();
    const rejected = (reason: string) => aShipment({ status: 'REJECTED', history: [...requested.history, { status: 'REJECTED', at: at(5), reason }] });
    expect(names(kpisForChange(change('MODIFY', requested, rejected('out of stock at the shelf'))))).toEqual(['Reroutes:rejected=1']);
    const overdue = decideDueCheck(anOrder(), requested, new Date(Date.parse(requested.acceptBy!) + 60_000));
    if (overdue.kind !== 'take-away') throw new Error(`expected a take-away, got ${overdue.kind}`);
    expect(names(kpisForChange(change('MODIFY', requested, rejected(overdue.reason))))).toEqual(['Reroutes:not-accepted=1']);
    const late = decideDueCheck(anOrder(), requested, new Date('2026-11-29T12:00:00Z'));
    if (late.kind !== 'mark-late' || !late.thenTakeAway) throw new Error('expected a late mark then a take-away');
    expect(names(kpisForChange(change('MODIFY', requested, rejected(late.thenTakeAway))))).toEqual(['Reroutes:not-accepted=1']);
  });

  it('ignores other entities and removals', () => {
    expect(kpisForChange(change('INSERT', undefined, { entity: 'Stock', tenantId: 't' }))).toEqual([]);
    expect(kpisForChange({ changeId: 'c', kind: 'REMOVE', occurredAt: at(0), oldItem: order({}) as unknown as Record<string, unknown> })).toEqual([]);
  });
});
