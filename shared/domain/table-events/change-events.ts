import { createEvent, type DomainEvent } from '#events/envelope';
import { TenantCreated } from '#events/tenant-created';
import { StockChanged } from '#events/stock-changed';
import { StockLow } from '#events/stock-low';
import { orderEventsForChange } from './order-change-events.ts';
import { transferEventsForChange } from './transfer-change-events.ts';
import { becameLow, changedLocations, type SkuNetwork } from '../inventory/projection.ts';
import { replenishmentEventsForChange } from '../replenishment/change-events.ts';

/**
 * The outbox rule: a committed item change, read from the table's stream, becomes the domain events it implies.
 * Use cases only write items; they never publish, so an item that was stored always has its events published
 * (at least once, with ids derived from the stream record so consumers can drop duplicates).
 */
export interface ItemChange {
  /** The stream record's id: unique per change, stable across redeliveries. */
  changeId: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  occurredAt: string;
  oldItem?: Record<string, unknown>;
  newItem?: Record<string, unknown>;
}

export function eventsForChange(change: ItemChange): DomainEvent[] {
  const item = change.newItem ?? change.oldItem;
  const entity = item?.entity;
  if (entity === 'Tenant' && change.kind === 'INSERT' && change.newItem) {
    const tenantId = String(change.newItem.tenantId);
    return [
      createEvent(
        TenantCreated,
        { eventId: `${change.changeId}:TenantCreated`, occurredAt: change.occurredAt, tenantId, correlationId: correlationIdOf(change.newItem, change.changeId) },
        { tenantId, name: String(change.newItem.name) },
      ),
    ];
  }
  const orderEvents = orderEventsForChange(change);
  if (orderEvents) return orderEvents;
  const transferEvents = transferEventsForChange(change);
  if (transferEvents) return transferEvents;
  const replenishmentEvents = replenishmentEventsForChange(change);
  if (replenishmentEvents) return replenishmentEvents;
  if (entity === 'SkuNetwork' && change.newItem) return stockEvents(change, change.oldItem as SkuNetwork | undefined, change.newItem as unknown as SkuNetwork);
  return [];
}

/** A projection write becomes StockChanged (the locations that moved), plus StockLow when it crosses the threshold. */
function stockEvents(change: ItemChange, before: SkuNetwork | undefined, after: SkuNetwork): DomainEvent[] {
  const meta = (type: string) => ({ eventId: `${change.changeId}:${type}`, occurredAt: change.occurredAt, tenantId: after.tenantId, correlationId: change.changeId });
  const moved = changedLocations(before, after);
  const events: DomainEvent[] = [];
  if (moved.length) {
    events.push(
      createEvent(StockChanged, meta('StockChanged'), {
        sku: after.sku,
        available: after.available,
        previousAvailable: before?.available ?? 0,
        availableDelta: after.available - (before?.available ?? 0),
        locations: moved.map(({ locationId, onHand, reserved, safetyStock, available }) => ({ locationId, onHand, reserved, safetyStock, available })),
        projectedAt: after.projectedAt,
      }),
    );
  }
  if (becameLow(before, after)) {
    events.push(createEvent(StockLow, meta('StockLow'), { sku: after.sku, available: after.available, threshold: after.lowStockThreshold }));
  }
  return events;
}

function correlationIdOf(item: Record<string, unknown>, fallback: string): string {
  return typeof item.correlationId === 'string' && item.correlationId ? item.correlationId : fallback;
}
