import { describe, expect, it } from 'vitest';
import { StockChanged } from '#events/stock-changed';
import { StockLow } from '#events/stock-low';
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
