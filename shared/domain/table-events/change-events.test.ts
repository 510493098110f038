import { describe, expect, it } from 'vitest';
import { StockChanged } from '#events/stock-changed';
import { StockLow } from '#events/stock-low';
import { OrderAccepted } from '#events/order-accepted';
import { OrderDelayed } from '#events/order-delayed';
import { OrderReturned } from '#events/order-returned';
import { ReturnReceived } from '#events/return-received';
import { eventsForChange } from './change-events.ts';

const network = (available: number, version: number, locations: Record<string, { available: number; version: number }>) => ({
  entity: 'SkuNetwork',
  tenantId: 't_0123456789',
  sku: 'TEE',
  available,
  lowStockThreshold: 5,
  skuVersion: 0,
  version,
  projectedAt: '2025-01-01T00:00:00.000Z',
  locations: Object.fromEntries(
    Object.entries(locations).map(([locationId, l]) => [locationId, { locationId, onHand: l.available, reserved: 0, safetyStock: 0, available: l.available, version: l.version, updatedAt: '2025-01-01T00:00:00.000Z' }]),
  ),
});

const change = (oldItem: Record<string, unknown> | undefined, newItem: Record<string, unknown>) => ({
  changeId: 'rec-1',
  kind: oldItem ? ('MODIFY' as const) : ('INSERT' as const),
  occurredAt: '2025-01-01T00:00:00.000Z',
  ...(oldItem ? { oldItem } : {}),
  newItem,
});

describe('stock events from the SKU network projection', () => {
  it('publishes StockChanged with the locations that moved, ids derived from the stream record', () => {
    const events = eventsForChange(change(network(20, 1, { A: { available: 10, version: 1 }, B: { available: 10, version: 1 } }), network(18, 2, { A: { available: 8, version: 2 }, B: { available: 10, version: 1 } })));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ detailType: 'StockChanged', metadata: { eventId: 'rec-1:StockChanged', tenantId: 't_0123456789' }, data: { sku: 'TEE', available: 18, previousAvailable: 20, locations: [{ locationId: 'A', available: 8 }] } });
    expect(StockChanged.envelopeSchema.parse({ metadata: events[0]!.metadata, data: events[0]!.data })).toBeTruthy();
  });

  it('adds StockLow once, when availability crosses below the threshold', () => {
    const crossing = eventsForChange(change(network(6, 1, { A: { available: 6, version: 1 } }), network(4, 2, { A: { available: 4, version: 2 } })));
    const stillLow = eventsForChange(change(network(4, 2, { A: { available: 4, version: 2 } }), network(3, 3, { A: { available: 3, version: 3 } })));
    expect(crossing.map((e) => e.detailType)).toEqual(['StockChanged', 'StockLow']);
    expect(StockLow.dataSchema.parse(crossing[1]!.data)).toEqual({ sku: 'TEE', available: 4, threshold: 5 });
    expect(stillLow.map((e) => e.detailType)).toEqual(['StockChanged']);
  });
});

describe('return events from the order item', () => {
  const rma = (returnId: string, quantity: number) => ({ returnId, locationId: 'manhattan-store', lines: [{ lineId: 'l1', sku: 'TEE', quantity, restock: true }], receivedAt: '2025-01-02T00:00:00.000Z' });
  const orderItem = (status: string, returns: unknown[], version: number) => ({
    entity: 'Order',
    tenantId: 't_0123456789',
    orderId: 'o_01abc',
    channel: 'web',
    customer: { email: 'ann@example.com', tier: 'standard' },
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 3 }],
    status,
    allocations: [],
    backorderedLines: [],
    history: [],
    attempt: 1,
    returns,
    version,
  });

  it('publishes ReturnReceived for each return the change added, and OrderReturned when the status became RETURNED', () => {
    const partial = eventsForChange(change(orderItem('DELIVERED', [], 5), orderItem('DELIVERED', [rma('RMA-1', 1)], 6)));
    expect(partial.map((e) => e.detailType)).toEqual(['ReturnReceived']);
    expect(partial[0]).toMatchObject({ metadata: { eventId: 'rec-1:ReturnReceived:RMA-1', correlationId: 'o_01abc' }, data: { returnId: 'RMA-1', orderStatus: 'DELIVERED', locationId: 'manhattan-store' } });
    expect(ReturnReceived.envelopeSchema.parse({ metadata: partial[0]!.metadata, data: partial[0]!.data })).toBeTruthy();

    const last = eventsForChange(change(orderItem('DELIVERED', [rma('RMA-1', 1)], 6), orderItem('RETURNED', [rma('RMA-1', 1), rma('RMA-2', 2)], 7)));
    expect(last.map((e) => e.detailType)).toEqual(['ReturnReceived', 'OrderReturned']);
    expect(last[0]!.data).toMatchObject({ returnId: 'RMA-2', orderStatus: 'RETURNED' });
    expect(OrderReturned.envelopeSchema.parse({ metadata: last[1]!.metadata, data: last[1]!.data })).toMatchObject({ data: { status: 'RETURNED', previousStatus: 'DELIVERED' } });
  });

  it('publishes nothing for a return already published (a later write of the same order)', () => {
    expect(eventsForChange(change(orderItem('DELIVERED', [rma('RMA-1', 1)], 6), orderItem('DELIVERED', [rma('RMA-1', 1)], 7)))).toEqual([]);
  });
});

describe('order events from the order item', () => {
  const orderItem = (status: string, money: Record<string, unknown>, version: number) => ({
    entity: 'Order',
    tenantId: 't_0123456789',
    orderId: 'o_01abc',
    channel: 'web',
    customer: { tier: 'standard' },
    lines: [
      { lineId: 'l1', sku: 'TEE', quantity: 3, fulfillment: { type: 'ship' }, ...(money.currency ? { unitPriceMinor: 1999 } : {}) },
      { lineId: 'l2', sku: 'CAP', quantity: 1, fulfillment: { type: 'ship' }, ...(money.currency ? { unitPriceMinor: 500 } : {}) },
    ],
    ...money,
    status,
    allocations: [],
    backorderedLines: [],
    history: [],
    attempt: 1,
    version,
  });

  it('carries the prices and totals as decimal strings, for a webhook consumer to use without reading the order', () => {
    const [accepted] = eventsForChange(change(undefined, orderItem('ACCEPTED', { currency: 'USD', shippingChargedMinor: 495 }, 1)));
    const data = OrderAccepted.envelopeSchema.parse({ metadata: accepted!.metadata, data: accepted!.data }).data;
    expect(data.lines!.map((l) => l.unitPrice)).toEqual(['19.99', '5.00']);
    expect(data).toMatchObject({ currency: 'USD', shippingCharged: '4.95', totals: { currency: 'USD', items: '64.97', shipping: '4.95', total: '69.92' } });
  });

  it('carries no money fields for an order placed without prices', () => {
    const [cancelled] = eventsForChange(change(orderItem('ACCEPTED', {}, 1), orderItem('CANCELLED', {}, 2)));
    expect(cancelled!.detailType).toBe('OrderCancelled');
    expect(cancelled!.data).not.toHaveProperty('currency');
    expect(cancelled!.data).not.toHaveProperty('totals');
    expect((cancelled!.data as { lines: object[] }).lines[0]).toEqual({ lineId: 'l1', sku: 'TEE', quantity: 3 });
  });
});

describe('delay events from the shipment item', () => {
  const shipmentItem = (delayed?: Record<string, string>) => ({
    entity: 'Shipment',
    tenantId: 't_0123456789',
    orderId: 'o_01abc',
    shipmentId: 'o_01abc-S1-1-1',
    locationId: 'olean-wh',
    fulfillment: 'ship',
    lines: [{ lineId: 'l1', sku: 'TEE', quantity: 1 }],
    customer: { email: 'ann@example.com', tier: 'standard' },
    status: 'SHIPPED',
    history: [],
    ...(delayed ? { delayed } : {}),
  });
  const mark = { at: '2025-01-03T00:00:00.000Z', previousPromisedDeliveryDate: '2025-01-02', reason: 'not delivered; it was promised for 2025-01-02' };

  it('publishes OrderDelayed once, when the shipment is first marked late', () => {
    const events = eventsForChange(change(shipmentItem(), shipmentItem(mark)));
    expect(events.map((e) => e.detailType)).toEqual(['OrderDelayed']);
    expect(OrderDelayed.envelopeSchema.parse({ metadata: events[0]!.metadata, data: events[0]!.data }).data).toEqual({
      orderId: 'o_01abc',
      shipmentId: 'o_01abc-S1-1-1',
      locationId: 'olean-wh',
      shipmentStatus: 'SHIPPED',
      previousPromisedDeliveryDate: '2025-01-02',
      reason: 'not delivered; it was promised for 2025-01-02',
      customer: { email: 'ann@example.com', tier: 'standard' },
    });
    expect(eventsForChange(change(shipmentItem(mark), { ...shipmentItem(mark), status: 'DELIVERED' })).map((e) => e.detailType)).toEqual(['ShipmentDelivered']);
  });
});
