import { createEvent, type DomainEvent } from '#events/envelope';
import { TenantCreated } from '#events/tenant-created';

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
  return [];
}

function correlationIdOf(item: Record<string, unknown>, fallback: string): string {
  return typeof item.correlationId === 'string' && item.correlationId ? item.correlationId : fallback;
}
